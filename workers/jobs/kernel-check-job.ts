/**
 * 'kernel-check': validates a kernel spec against a dataset's columns, on one worker, before any
 * worker reads a row. The page holds no kernel code (it would be most of the library's start-up
 * bytes), so this is how a bad spec still fails first, and fails as the kernel's own SpecError
 * (name, kernel, field and problem survive the trip: src/pool/job-errors.ts RemoteJobError).
 * Reads no rows: any worker can answer, whether or not it holds part of the dataset.
 */
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';
import { kernelSpec } from './kernel-spec.js';

export interface KernelCheckArgs {
  readonly kernel: string;
  readonly spec: unknown;
  readonly schema: readonly ColumnInfo[];
}

export interface KernelCheck {
  /** The kernel has a prepare stage (a first pass whose reduce gives the map stage's params). */
  readonly prepare: boolean;
}

export function kernelCheckJob(args: KernelCheckArgs): KernelCheck {
  const { kernel } = kernelSpec(args?.kernel, args?.spec, args?.schema);
  return { prepare: kernel.prepare !== undefined };
}
