/**
 * Model-based customer lifetime value per segment (BG/NBD + Gamma-Gamma on the transaction log),
 * off the main thread: every worker summarises its own clients, one worker fits and aggregates.
 * Part of the on-demand model code (model-code.ts); the page's shared fit is shared-clv.ts.
 */
import type { DataHub, Dataset } from '../dataset/data-hub.js';
import type { ClvFitArgs, ClvFitResult, ClvSummaries, ClvSummariesArgs } from '../../workers/jobs/clv-jobs.js';
import type { ClvOptions } from '../../workers/models/gamma-gamma.js';

export interface ClvBySegmentOptions {
  /** Category column to group by; default 'segment'. */
  readonly by?: string;
  readonly clv?: ClvOptions;
  readonly signal?: AbortSignal;
}

export async function clvBySegment(hub: DataHub, dataset: Dataset, options: ClvBySegmentOptions = {}): Promise<ClvFitResult> {
  const by = options.by ?? 'segment';
  if (!dataset.columns.includes(by)) throw new Error(`Lifetime value by "${by}": the dataset "${dataset.id}" has no such column.`);
  const parts = await dataset.runOnPartitions<ClvSummaries>('clv-summaries', () => ({ datasetId: dataset.key, by }) satisfies ClvSummariesArgs, { signal: options.signal });
  // One label list for all workers: each worker numbered the labels it met.
  const labels: string[] = [];
  const index = new Map<string, number>();
  const n = parts.reduce((s, p) => s + p.x.length, 0);
  const merged = { x: new Float64Array(n), tx: new Float64Array(n), T: new Float64Array(n), monetary: new Float64Array(n), group: new Int32Array(n) };
  let o = 0;
  for (const p of parts) {
    const remap = p.labels.map((l) => {
      let g = index.get(l);
      if (g === undefined) index.set(l, (g = labels.push(l) - 1));
      return g;
    });
    merged.x.set(p.x, o);
    merged.tx.set(p.tx, o);
    merged.T.set(p.T, o);
    merged.monetary.set(p.monetary, o);
    for (let i = 0; i < p.group.length; i++) merged.group[o + i] = p.group[i] < 0 ? -1 : remap[p.group[i]];
    o += p.x.length;
  }
  const args: ClvFitArgs = { ...merged, labels, clv: options.clv };
  return hub.pool.run<ClvFitResult>('clv-fit-groups', args, {
    signal: options.signal,
    transfer: [merged.x.buffer, merged.tx.buffer, merged.T.buffer, merged.monetary.buffer, merged.group.buffer],
  });
}
