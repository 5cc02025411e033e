/**
 * The answers a cached dataset's panels computed, kept with its cache entry for the next visit: a
 * returning user's dashboard shows them as soon as the dataset is in the workers, instead of after
 * every panel's query has run over every row again (on the 1M-client dashboard that was about
 * 0.9 s of a 2 s load). shared-query.ts serves them and recomputes each one behind it.
 *
 * Contracts:
 * - Only built-in kernels' answers are kept, under the page's query key (dataset version, kernel,
 *   full spec), and with `code`, the build that computed them: a plugin kernel's code, or another
 *   build's, could answer differently. An answer served from here is recomputed at once, and a
 *   different result replaces it on screen (shared-query.ts): it is never the only word.
 * - A page keeps at most MAX_STORED_ANSWERS answers in its life (its opening state comes first, then
 *   its first filters); the cache keeps the newest of them per entry.
 * - Writes wait for an idle moment and go in one transaction; `dispose` writes what is pending.
 */
import { MAX_STORED_ANSWERS } from '../cache/dataset-cache.js';
import type { Disposable } from '../lifecycle/disposable.js';
import { BUILTIN_KERNEL_NAMES } from '../../workers/kernels/kernel-names.js';

/** Where answers go: DatasetCache.writeAnswers for one entry and build. */
export type AnswerSink = (answers: readonly (readonly [string, unknown])[]) => Promise<void>;

/** Waits for the page to be idle, at most this long, before writing. */
const WRITE_WITHIN_MS = 2000;

export class AnswerBook implements Disposable {
  private readonly pending = new Map<string, unknown>();
  private kept = 0;
  private scheduled = false;
  private disposed = false;

  /** `stored`: the answers the cache had for this dataset and build, by query key. */
  constructor(
    private readonly stored: Map<string, unknown>,
    private readonly sink: AnswerSink,
  ) {}

  /** Answers from the last visit not yet served. */
  get size(): number {
    return this.stored.size;
  }

  /** The stored answer for `key`, once: a served answer is the page's own from then on. */
  take(key: string): { value: unknown } | undefined {
    if (!this.stored.has(key)) return undefined;
    const value = this.stored.get(key);
    this.stored.delete(key);
    return { value };
  }

  /** Keeps a computed answer of `kernel` for the next visit, if it is a built-in's and the page has room. */
  keep(kernel: string, key: string, value: unknown): void {
    if (this.disposed || !BUILTIN_KERNEL_NAMES.has(kernel)) return;
    if (!this.pending.has(key)) {
      if (this.kept >= MAX_STORED_ANSWERS) return;
      this.kept++;
    }
    this.pending.set(key, value);
    this.schedule();
  }

  /** Writes what is pending; later answers are not kept. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stored.clear();
    void this.flush();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Idle time: the answers come while panels draw, and storing them (a structured clone each)
    // is for the next visit.
    if (typeof requestIdleCallback === 'function') requestIdleCallback(() => void this.flush(), { timeout: WRITE_WITHIN_MS });
    else setTimeout(() => void this.flush(), 0);
  }

  private flush(): Promise<void> {
    this.scheduled = false;
    if (this.pending.size === 0) return Promise.resolve();
    const answers = [...this.pending];
    this.pending.clear();
    return this.sink(answers);
  }
}
