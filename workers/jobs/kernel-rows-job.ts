/**
 * 'kernel-rows': runs a built-in kernel over a few rows the page sends as plain columns (the
 * typed arrays toVector takes), not over a stored dataset. E.g. the client card asks the
 * churn-rules kernel which rules one client hits, from the values it looked up: the kernel itself
 * decides (the card and the churn watch cannot disagree), and its code stays out of the page.
 * For a handful of rows only: the columns are copied in the message.
 */
import { Table, type Vector } from 'apache-arrow';
import { toVector, type ColumnValues } from '../../src/schema/arrow-columns.js';
import { getKernel } from '../kernels/index.js';
import { runKernelLocal } from '../kernels/run-local.js';

export interface KernelRowsArgs {
  readonly kernel: string;
  /** Columns by name, all of one length. */
  readonly columns: Readonly<Record<string, ColumnValues>>;
  readonly spec: unknown;
}

export function kernelRowsJob(args: KernelRowsArgs): Promise<unknown> {
  const kernel = getKernel(String(args?.kernel));
  const vectors: Record<string, Vector> = {};
  for (const [name, col] of Object.entries(args.columns ?? {})) vectors[name] = toVector(col);
  return runKernelLocal(kernel, [new Table(vectors)], args.spec);
}
