/**
 * 'kernel-reduce': merges the partials every worker's map (or prepare map) returned, on one worker,
 * with the kernel's own reduce: the result is the one a main-thread reduce gave (same code, same
 * structured-cloned partials in row order), and the page need not load the kernel. Partials are
 * small by contract (kernel.ts), so the extra trip to a worker costs a copy of a few KB.
 * The spec is validated again here: a worker trusts no message.
 */
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';
import { kernelSpec } from './kernel-spec.js';

export interface KernelReduceArgs {
  readonly kernel: string;
  readonly spec: unknown;
  readonly schema: readonly ColumnInfo[];
  /** 'prepare': prepare.reduce(partials) gives the map stage's params; 'map': reduce gives the result. */
  readonly stage: 'prepare' | 'map';
  /** Partials in row order (the order of the dataset's partitions). */
  readonly partials: readonly unknown[];
  /** For 'map': what the 'prepare' reduce returned (undefined for kernels without a prepare stage). */
  readonly params?: unknown;
}

export function kernelReduceJob(args: KernelReduceArgs): unknown {
  const { kernel, valid } = kernelSpec(args?.kernel, args?.spec, args?.schema);
  if (!Array.isArray(args.partials)) throw new TypeError(`Kernel "${kernel.name}": reduce needs the partials as an array.`);
  const partials = [...args.partials];
  if (args.stage === 'prepare') {
    if (!kernel.prepare) throw new Error(`Kernel "${kernel.name}" has no prepare stage.`);
    return kernel.prepare.reduce(partials, valid);
  }
  if (args.stage !== 'map') throw new TypeError(`Kernel "${kernel.name}": reduce stage must be "prepare" or "map"; got ${String(args.stage)}.`);
  return kernel.reduce(partials, valid, args.params);
}
