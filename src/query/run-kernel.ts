/**
 * Runs a kernel on a dataset in the worker pool: validate on the main thread, map on every worker
 * that owns rows, reduce the small partials here. Cancellable; progress is over all rows.
 */
import type { Dataset } from '../dataset/data-hub.js';
import type { AnyKernel } from '../../workers/kernels/kernel.js';
import { getKernel } from '../../workers/kernels/index.js';
import { splitFilter } from '../../workers/kernels/filtered-rows.js';
import type { KernelJobArgs } from '../../workers/jobs/kernel-job.js';

export interface RunKernelOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (fraction: number) => void;
  /** Budget per stage per worker. */
  readonly timeoutMs?: number;
}

export async function runKernel<R>(dataset: Dataset, kernel: AnyKernel | string, spec: unknown, options: RunKernelOptions = {}): Promise<R> {
  const k = typeof kernel === 'string' ? getKernel(kernel) : kernel;
  // Rows in a query engine: the engine validates the same way and returns the same result shape.
  if (dataset.engine) return dataset.engine.run<R>(k.name, spec, { signal: options.signal, onProgress: options.onProgress, timeoutMs: options.timeoutMs });
  // Validated here so a bad spec fails before any worker is busy; workers validate again.
  const split = splitFilter(k, spec, dataset.schema);
  const valid = k.validate(split.spec, dataset.schema);
  // Workers get the caller's spec as given (validate need not accept its own output).
  const base = { datasetId: dataset.key, kernel: k.name, spec };
  let params: unknown;
  if (k.prepare) {
    const prep = await dataset.runOnPartitions<unknown>('kernel', () => ({ ...base, stage: 'prepare' }) satisfies KernelJobArgs, { signal: options.signal, timeoutMs: options.timeoutMs });
    params = k.prepare.reduce(prep, valid);
  }
  const partials = await dataset.runOnPartitions<unknown>('kernel', () => ({ ...base, stage: 'map', params }) satisfies KernelJobArgs, {
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    onProgress: options.onProgress,
  });
  return k.reduce(partials, valid, params) as R;
}
