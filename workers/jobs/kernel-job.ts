/**
 * Runs one stage of a kernel on this worker's rows of a dataset. The spec is validated here, before
 * any row is read: a bad spec fails as the kernel's SpecError (src/query/run-kernel.ts).
 */
import type { DatasetStore } from '../dataset-store.js';
import type { JobContext } from '../job-host.js';
import { getKernel } from '../kernels/index.js';
import { pluginKernel } from '../../src/plugins/worker-kernels.js';
import { filterRows, splitFilter, useViews } from '../kernels/filtered-rows.js';
import { PRIME_CONTEXT, primeKey, primeOnce, shapeOf } from './kernel-priming.js';
import type { AnyKernel, KernelContext, RowBatch } from '../kernels/kernel.js';
import type { FilterSpec } from '../kernels/filter.js';

export interface KernelJobArgs {
  readonly datasetId: string;
  readonly kernel: string;
  readonly spec: unknown;
  /** 'first': the prepare stage if the kernel has one, else the map (the page holds no kernel code). */
  readonly stage: 'prepare' | 'map' | 'first';
  readonly params?: unknown;
}

/** What a 'first' stage returns: which stage ran, and its partial. */
export interface FirstStagePartial {
  readonly stage: 'prepare' | 'map';
  readonly partial: unknown;
}

export function kernelJob(store: DatasetStore) {
  return async (args: KernelJobArgs, ctx: JobContext): Promise<unknown> => {
    // Plugin kernels (loaded by the 'plugin-kernels' job) never share a built-in's name.
    const kernel = pluginKernel(args.kernel) ?? getKernel(args.kernel);
    const rows = store.rows(args.datasetId);
    const schema = store.schema(args.datasetId);
    const split = splitFilter(kernel, args.spec, schema);
    const spec = kernel.validate(split.spec, schema);
    // Filtered views (ours, and those a native kernel reads) stay intact until the job ends; views
    // of other filters may go back to the buffer pool meanwhile.
    const release = useViews(split.filter ?? nativeFilter(kernel, spec));
    try {
      await primeOnce(primeKey(kernel.name, args.stage, shapeOf(kernel, spec, split.spec), split.filter !== undefined), rows, (few) => runStage(kernel, args, spec, filterRows(few, split.filter), PRIME_CONTEXT));
      const kctx = { signal: ctx.signal, checkpoint: () => ctx.checkpoint(), progress: (f: number) => ctx.progress(f) };
      return await runStage(kernel, args, spec, filterRows(rows, split.filter), kctx);
    } finally {
      release();
    }
  };
}

/** The page filter a native-filter kernel found in its spec (validated, so keyed as its views are). */
function nativeFilter(kernel: AnyKernel, spec: unknown): FilterSpec | undefined {
  if (kernel.filters !== 'native' || spec === null || typeof spec !== 'object') return undefined;
  return (spec as { filter?: FilterSpec }).filter;
}

async function runStage(kernel: AnyKernel, args: KernelJobArgs, spec: unknown, selected: RowBatch[], kctx: KernelContext): Promise<unknown> {
  if (args.stage === 'first') {
    // A prepare pass reports no progress: the map's progress is the query's.
    if (kernel.prepare) return { stage: 'prepare', partial: await kernel.prepare.map(selected, spec, { ...kctx, progress: () => {} }) } satisfies FirstStagePartial;
    return { stage: 'map', partial: await kernel.map(selected, spec, undefined, kctx) } satisfies FirstStagePartial;
  }
  if (args.stage === 'prepare') {
    if (!kernel.prepare) throw new Error(`Kernel "${kernel.name}" has no prepare stage.`);
    return kernel.prepare.map(selected, spec, kctx);
  }
  return kernel.map(selected, spec, args.params, kctx);
}
