/**
 * Runs a kernel on a dataset in the worker pool: map on every worker that owns rows, reduce the
 * small partials on one worker. Cancellable; progress is over all rows.
 *
 * The page holds no kernel code (it is most of the library's bytes). Each worker validates the
 * spec before it reads a row, so a bad spec fails as the kernel's SpecError with its kernel, field
 * and problem; the first stage sent is the kernel's prepare pass if it has one, else its map, so no
 * separate trip asks which. 'kernel-reduce' merges the partials with the kernel's own reduce,
 * giving the result a reduce on this thread would. (A dataset with no rows in any worker has its
 * spec checked by 'kernel-check' instead.)
 */
import type { Dataset } from '../dataset/data-hub.js';
import type { AnyKernel } from '../../workers/kernels/kernel.js';
import type { FirstStagePartial, KernelJobArgs } from '../../workers/jobs/kernel-job.js';
import type { KernelCheck, KernelCheckArgs } from '../../workers/jobs/kernel-check-job.js';
import type { KernelReduceArgs } from '../../workers/jobs/kernel-reduce-job.js';
import { noteQuery } from './query-warmer.js';
import { BUILTIN_TWO_STAGE_KERNELS } from '../../workers/kernels/kernel-names.js';

/**
 * Priority of a query's map after its prepare pass: above first stages ('kernel', 2), below quick
 * jobs (QUICK_JOB_PRIORITY, 3). A page's answer already waits on it, and at first-stage priority it
 * queued behind every other panel's first stage (after a filter change on the 1M dashboard, the
 * whale curve's map was the last job to start).
 */
export const LATER_STAGE_PRIORITY = 2.5;

/**
 * Priority of the first stage of a query with more to come: a kernel seen to need a prepare pass,
 * or a query whose answer its caller turns into another query (the churn list's page, then its
 * clients). Above other first stages ('kernel', 2), below later stages: run early, its later work
 * overlaps the other panels' first stages instead of trailing them (after a filter change on the
 * 1M dashboard, the whale curve's prepare and the churn page were dispatched last and their later
 * stages ran alone for the last 40 ms).
 */
export const LEADING_PRIORITY = 2.25;

/**
 * Kernels with a prepare pass: the built-ins known by name (on a page's first load the whale curve's
 * second stage otherwise ran alone after every other panel's query, ~120 ms of the 1M dashboard's
 * load), and any other whose first stage has answered with a prepare partial (the page holds no
 * kernel code to ask).
 */
const twoStage = new Set<string>(BUILTIN_TWO_STAGE_KERNELS);

export interface RunKernelOptions {
  /** Priority of the first stage; default LEADING_PRIORITY for a kernel seen to have a prepare pass, else the pool's 'kernel' priority. */
  readonly priority?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (fraction: number) => void;
  /** Budget per stage per worker. */
  readonly timeoutMs?: number;
}

/**
 * `kernel`: a built-in kernel's name, or a plugin kernel already loaded in the pool's workers
 * (PluginHost.runKernel loads it). A definition object is accepted for its name only: the
 * workers run their own copy.
 */
export async function runKernel<R>(dataset: Dataset, kernel: Pick<AnyKernel, 'name'> | string, spec: unknown, options: RunKernelOptions = {}): Promise<R> {
  const name = typeof kernel === 'string' ? kernel : kernel.name;
  const { signal, timeoutMs } = options;
  // Rows in a query engine: the engine validates the same way and returns the same result shape.
  if (dataset.engine) return dataset.engine.run<R>(name, spec, { signal, onProgress: options.onProgress, timeoutMs });
  noteQuery(dataset, name, spec);
  const schema = dataset.schema;
  // Workers get the caller's spec as given (validate need not accept its own output).
  const base = { datasetId: dataset.key, kernel: name, spec };
  const reduce = <T>(stage: 'prepare' | 'map', partials: unknown[], params?: unknown) =>
    dataset.runOnAnyWorker<T>('kernel-reduce', { kernel: name, spec, schema, stage, partials, params } satisfies KernelReduceArgs, { signal, timeoutMs });
  const runMap = (params: unknown) =>
    dataset.runOnPartitions<unknown>('kernel', () => ({ ...base, stage: 'map', params }) satisfies KernelJobArgs, {
      signal,
      timeoutMs,
      onProgress: options.onProgress,
      priority: LATER_STAGE_PRIORITY,
    });
  if (!dataset.partitions.some((p) => p.chunkCount > 0)) {
    const check = await dataset.runOnAnyWorker<KernelCheck>('kernel-check', { kernel: name, spec, schema } satisfies KernelCheckArgs, { signal, timeoutMs });
    const params = check.prepare ? await reduce('prepare', []) : undefined;
    return reduce<R>('map', [], params);
  }
  const priority = options.priority ?? (twoStage.has(name) ? LEADING_PRIORITY : undefined);
  const first = await dataset.runOnPartitions<FirstStagePartial>('kernel', () => ({ ...base, stage: 'first' }) satisfies KernelJobArgs, {
    signal,
    timeoutMs,
    onProgress: options.onProgress,
    ...(priority === undefined ? {} : { priority }),
  });
  let params: unknown;
  let partials = first.map((f) => f.partial);
  if (first[0].stage === 'prepare') {
    twoStage.add(name);
    params = await reduce('prepare', partials);
    partials = await runMap(params);
  }
  return reduce<R>('map', partials, params);
}
