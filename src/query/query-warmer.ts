/**
 * Warms the workers' filtered code paths once per dataset (workers/jobs/kernel-warm-job.ts): the
 * panels' first queries are noted as they run, and when none has started for QUIET_MS the distinct
 * ones go to every worker that holds rows, at the lowest priority, so the user's first filter does
 * not pay for compiling them.
 *
 * Contracts:
 * - At most once per dataset, and never after a query with a page filter was noted (the user has
 *   filtered: the paths are compiled by then).
 * - Best effort: a failed or cancelled warm-up is dropped silently; it changes no answer.
 * - `dispose` cancels a pending or running warm-up.
 */
import type { Disposable } from '../lifecycle/disposable.js';
import type { Dataset } from '../dataset/data-hub.js';
import type { KernelWarmArgs } from '../../workers/jobs/kernel-warm-job.js';

/** No query started for this long: the panels have answered and the page is idle. */
export const QUIET_MS = 1000;
/** Distinct queries sent at most (a dashboard runs about a dozen). */
export const MAX_WARM_QUERIES = 32;
/** Smaller datasets answer a first filter quickly enough without it. */
export const MIN_WARM_ROWS = 200_000;

export interface WarmQuery {
  readonly kernel: string;
  readonly spec: unknown;
}

export class QueryWarmer implements Disposable {
  private readonly queries = new Map<string, WarmQuery>();
  private timer?: ReturnType<typeof setTimeout>;
  private done = false;
  private readonly abort = new AbortController();

  /** `send`: the queries to the workers; whether it resolves or rejects makes no difference. */
  constructor(private readonly send: (queries: readonly WarmQuery[], signal: AbortSignal) => Promise<unknown>) {}

  /** A query is starting; the warm-up waits until QUIET_MS after the last one. */
  note(kernel: string, spec: unknown): void {
    // The user has filtered: a warm-up still running only takes CPU from the answers.
    if (hasPageFilter(spec)) return this.dispose();
    if (this.done) return;
    let key: string;
    try {
      key = `${kernel}\u0000${JSON.stringify(spec)}`;
    } catch {
      return; // a spec that cannot be sent as JSON is not warmed
    }
    if (this.queries.size < MAX_WARM_QUERIES) this.queries.set(key, { kernel, spec });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fire(), QUIET_MS);
  }

  dispose(): void {
    this.done = true;
    clearTimeout(this.timer);
    this.abort.abort();
  }

  private fire(): void {
    if (this.done) return;
    this.done = true;
    this.send([...this.queries.values()], this.abort.signal).catch(() => {});
  }
}

function hasPageFilter(spec: unknown): boolean {
  if (spec === null || typeof spec !== 'object' || !('filter' in spec)) return false;
  const f = (spec as { filter?: { all?: unknown[]; any?: unknown[] } | null }).filter;
  return !!f && ((f.all?.length ?? 0) > 0 || (f.any?.length ?? 0) > 0);
}

const warmers = new WeakMap<Dataset, QueryWarmer>();

/** Notes a kernel query about to run on a dataset held in the workers (src/query/run-kernel.ts). */
export function noteQuery(dataset: Dataset, kernel: string, spec: unknown): void {
  if (dataset.rows < MIN_WARM_ROWS) return;
  let warmer = warmers.get(dataset);
  if (!warmer) {
    const created = new QueryWarmer((queries, signal) =>
      dataset.runOnPartitions('kernel-warm', () => ({ datasetId: dataset.key, queries }) satisfies KernelWarmArgs, { priority: 0, signal }),
    );
    warmers.set(dataset, (warmer = created));
    dataset.onDispose(() => created.dispose());
  }
  warmer.note(kernel, spec);
}
