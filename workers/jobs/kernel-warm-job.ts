/**
 * 'kernel-warm': runs the page's kernel queries on this worker's rows, a few times with filters of
 * the worker's choosing, and throws the answers away. The first filter change of a session
 * otherwise pays for compiling every code path a filter takes (row masks, filtered views, each
 * kernel's loops over them, the reduces): measured on the 1M dashboard, a first filter took
 * 385-426 ms and one after a throwaway filter 271-290. The page sends this once, at the lowest
 * priority, when its panels have answered and the workers are idle (src/query/query-warmer.ts).
 *
 * Contracts: a full pass, not a sample (a pass over one batch gained 30-50 ms of the 120: the hot
 * loops are tiered up by running long, not by running once); leaves nothing in the per-batch
 * caches of masks and views (a user's filter that happens to be one of its own must not come
 * precomputed); a query that fails (a spec this data does not fit) is
 * counted, not thrown; stops at the job's checkpoints like any other job.
 */
import type { DatasetStore } from '../dataset-store.js';
import type { JobContext } from '../job-host.js';
import type { AnyKernel, KernelContext, RowBatch } from '../kernels/kernel.js';
import type { FilterSpec } from '../kernels/filter.js';
import { kernelByName } from './kernel-spec.js';
import { filterRows, forgetFilter, splitFilter, useViews } from '../kernels/filtered-rows.js';
import { PRIME_CONTEXT, primeKey, primeOnce, shapeOf } from './kernel-priming.js';

export interface KernelWarmArgs {
  readonly datasetId: string;
  /** The queries to warm, as the page runs them (no page filter). */
  readonly queries: readonly { readonly kernel: string; readonly spec: unknown }[];
}

export interface KernelWarmResult {
  /** Queries run in every round. */
  readonly warmed: number;
  /** Queries that failed (a spec this data does not fit), dropped after their first round. */
  readonly failed: number;
  /** The filters used, one per round ("column = label", then "column != label": see warmFilters); [] when no category column fits. */
  readonly filters: readonly FilterSpec[];
}

export function kernelWarmJob(store: DatasetStore) {
  return async (args: KernelWarmArgs, ctx: JobContext): Promise<KernelWarmResult> => {
    if (!Array.isArray(args?.queries)) throw new TypeError('kernel-warm needs its queries as an array.');
    const rows = store.rows(args.datasetId);
    const filters = rows.length ? warmFilters(rows[0].batch, WARM_ROUNDS) : [];
    if (!filters.length) return { warmed: 0, failed: 0, filters };
    const schema = store.schema(args.datasetId);
    const kctx = { signal: ctx.signal, checkpoint: () => ctx.checkpoint(), progress: () => {} };
    let live = [...args.queries];
    let failed = 0;
    for (const filter of filters) {
      // A round's views stay intact while its queries run; forgotten, their buffers join the pool
      // (a task after the release), where the next round's gathers and then the user's find them.
      const release = useViews(filter);
      const next: typeof live = [];
      try {
        for (const q of live) {
          ctx.signal.throwIfAborted();
          try {
            const kernel = kernelByName(q.kernel);
            const given = q.spec !== null && typeof q.spec === 'object' ? (q.spec as Record<string, unknown>) : {};
            const split = splitFilter(kernel, { ...given, filter }, schema);
            const spec = kernel.validate(split.spec, schema);
            await primeOnce(primeKey(kernel.name, 'warm', shapeOf(kernel, spec, split.spec), split.filter !== undefined), rows, (few) => runQuery(kernel, spec, filterRows(few, split.filter), PRIME_CONTEXT));
            await runQuery(kernel, spec, filterRows(rows, split.filter), kctx);
            next.push(q);
          } catch (err) {
            if (ctx.signal.aborted) throw err;
            failed++;
          }
          await ctx.checkpoint();
        }
      } finally {
        forgetFilter(rows, filter);
        release();
      }
      live = next;
      await new Promise((r) => setTimeout(r, 0));
    }
    return { warmed: live.length, failed, filters };
  };
}

/**
 * Every stage of a query over `selected`, as the pool runs it, answer dropped: the rows in two
 * parts, each stage's partials and params passed through a structured clone, as they reach a
 * reduce or map job from the page. With one part and the partials as made, the reduces' merges of
 * two parts never ran here, and the first filter change paid for them unoptimised (the whale
 * curve's bucket merge: 12 ms in the first filter change, 0.4-0.6 ms later).
 */
async function runQuery(kernel: AnyKernel, spec: unknown, selected: RowBatch[], kctx: KernelContext): Promise<void> {
  const mid = Math.ceil(selected.length / 2);
  const parts = selected.length > 1 ? [selected.slice(0, mid), selected.slice(mid)] : [selected];
  const partials = async (run: (part: RowBatch[]) => Promise<unknown>) => {
    const out: unknown[] = [];
    for (const part of parts) out.push(structuredClone(await run(part)));
    return out;
  };
  const prepare = kernel.prepare;
  const params = prepare ? structuredClone(prepare.reduce(await partials((part) => prepare.map(part, spec, kctx)), spec)) : undefined;
  kernel.reduce(await partials((part) => kernel.map(part, spec, params, kctx)), spec, params);
}

/**
 * Rounds of the warm-up, each with another filter. One round left the hot loops in V8's middle
 * tier, and the first filter changes then paid the optimising compiler on the two cores the
 * answers needed (1M dashboard: first filter 272 ms with one round, 146-186 ms with six; a later
 * new filter 206 -> 142-165 ms; twelve rounds measured no better than six). Six take about 1 s
 * per worker (three of them broad; 0.7 s when all six were "column = label"), once, while the
 * page is idle; the user's first filter stops them.
 */
const WARM_ROUNDS = 6;

/**
 * Up to n filters over the labels of the first rows (two per category column, schema order):
 * "column = label" first, then "column != label" for the same labels. The narrow ones (a part of
 * the rows) and the broad ones (most of them) take different paths: the native kernels switch to
 * masked loops over every row (SELECTIVE_SHARE), and a broad view's buffers are sized for the
 * whole batch. The broad rounds go last, so that the buffers they leave in the pool when forgotten
 * are the ones a user's broad filter needs: without them the first broad filters of a session
 * gathered into fresh memory (1M dashboard: 46 ns a row against 5 into a pooled buffer).
 */
function warmFilters(batch: RowBatch['batch'], n: number): FilterSpec[] {
  const labels: { column: string; value: string }[] = [];
  for (const field of batch.schema.fields) {
    if (labels.length >= n) break;
    if (!String(field.type).startsWith('Dictionary<')) continue;
    const column = batch.getChild(field.name);
    const seen = new Set<string>();
    for (let i = 0; i < Math.min(256, batch.numRows) && seen.size < 2; i++) {
      const value = column?.get(i);
      if (typeof value === 'string') seen.add(value);
    }
    for (const value of seen) if (labels.length < n) labels.push({ column: field.name, value });
  }
  const narrow = Math.min(labels.length, Math.ceil(n / 2));
  const broad = Math.min(labels.length, n - narrow);
  return [
    ...labels.slice(0, narrow).map(({ column, value }): FilterSpec => ({ all: [{ column, op: 'eq', value }] })),
    ...labels.slice(0, broad).map(({ column, value }): FilterSpec => ({ all: [{ column, op: 'ne', value }] })),
  ];
}
