/**
 * Runs a kernel on a dataset in the worker pool: validate on one worker, map on every worker that
 * owns rows, reduce the small partials on one worker. Cancellable; progress is over all rows.
 *
 * The page holds no kernel code (it is most of the library's bytes): a spec is checked by the
 * 'kernel-check' job first, so a bad spec fails, as the kernel's SpecError with its kernel, field
 * and problem, before any worker reads a row; 'kernel-reduce' merges the partials with the
 * kernel's own reduce, giving the same result as a reduce on this thread would.
 */
import type { Dataset } from '../dataset/data-hub.js';
import type { AnyKernel } from '../../workers/kernels/kernel.js';
import type { KernelJobArgs } from '../../workers/jobs/kernel-job.js';
import type { KernelCheck, KernelCheckArgs } from '../../workers/jobs/kernel-check-job.js';
import type { KernelReduceArgs } from '../../workers/jobs/kernel-reduce-job.js';

export interface RunKernelOptions {
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
  const schema = dataset.schema;
  const check = await dataset.runOnAnyWorker<KernelCheck>('kernel-check', { kernel: name, spec, schema } satisfies KernelCheckArgs, { signal, timeoutMs });
  // Workers get the caller's spec as given (validate need not accept its own output).
  const base = { datasetId: dataset.key, kernel: name, spec };
  const reduce = <T>(stage: 'prepare' | 'map', partials: unknown[], params?: unknown) =>
    dataset.runOnAnyWorker<T>('kernel-reduce', { kernel: name, spec, schema, stage, partials, params } satisfies KernelReduceArgs, { signal, timeoutMs });
  let params: unknown;
  if (check.prepare) {
    const prep = await dataset.runOnPartitions<unknown>('kernel', () => ({ ...base, stage: 'prepare' }) satisfies KernelJobArgs, { signal, timeoutMs });
    params = await reduce('prepare', prep);
  }
  const partials = await dataset.runOnPartitions<unknown>('kernel', () => ({ ...base, stage: 'map', params }) satisfies KernelJobArgs, {
    signal,
    timeoutMs,
    onProgress: options.onProgress,
  });
  return reduce<R>('map', partials, params);
}
