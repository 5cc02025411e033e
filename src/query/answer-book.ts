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
 * - Writes wait until no answer has come for `quietMs`, then for an idle moment, and go in one
 *   transaction; `dispose` writes what is pending. Each write is a structured clone of every answer
 *   on the page's thread: written as they came, a filter change's answers were stored while the
 *   same change's later answers were still being drawn (2-17 ms of main-thread work in profiles of
 *   the 1M dashboard's filter changes; too little to show in their timings, which vary more).
 */
import { MAX_STORED_ANSWERS } from '../cache/dataset-cache.js';
import type { Disposable } from '../lifecycle/disposable.js';
import { BUILTIN_KERNEL_NAMES } from '../../workers/kernels/kernel-names.js';

/** Where answers go: DatasetCache.writeAnswers for one entry and build. */
export type AnswerSink = (answers: readonly (readonly [string, unknown])[]) => Promise<void>;

/** No answer for this long: the page has drawn what it was computing (a filter change takes ~0.2 s). */
export const WRITE_AFTER_QUIET_MS = 1000;
/** Then waits for the page to be idle, at most this long. */
const WRITE_WITHIN_MS = 2000;

export interface AnswerBookOptions {
  /** Default WRITE_AFTER_QUIET_MS. */
  readonly quietMs?: number;
}

export class AnswerBook implements Disposable {
  private readonly pending = new Map<string, unknown>();
  private kept = 0;
  private quiet?: ReturnType<typeof setTimeout>;
  private waitingForIdle = false;
  private disposed = false;
  private readonly quietMs: number;

  /** `stored`: the answers the cache had for this dataset and build, by query key. */
  constructor(
    private readonly stored: Map<string, unknown>,
    private readonly sink: AnswerSink,
    options: AnswerBookOptions = {},
  ) {
    this.quietMs = options.quietMs ?? WRITE_AFTER_QUIET_MS;
  }

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
    clearTimeout(this.quiet);
    this.quiet = setTimeout(() => {
      if (this.waitingForIdle) return;
      this.waitingForIdle = true;
      if (typeof requestIdleCallback === 'function') requestIdleCallback(() => void this.flush(), { timeout: WRITE_WITHIN_MS });
      else void this.flush();
    }, this.quietMs);
  }

  private flush(): Promise<void> {
    clearTimeout(this.quiet);
    this.waitingForIdle = false;
    if (this.pending.size === 0) return Promise.resolve();
    const answers = [...this.pending];
    this.pending.clear();
    return this.sink(answers);
  }
}
