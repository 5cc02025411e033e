/**
 * 'kernel-check': validates a kernel spec against a dataset's columns on one worker, and says
 * whether the kernel has a prepare stage. Used for a dataset no worker holds rows of, where no map
 * job runs to validate it (src/query/run-kernel.ts); the page holds no kernel code, so a bad spec
 * still fails as the kernel's own SpecError (name, kernel, field and problem survive the trip:
 * src/pool/job-errors.ts RemoteJobError). Reads no rows: any worker can answer.
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
