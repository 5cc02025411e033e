/**
 * A kernel and its validated spec, as every kernel stage in a worker needs them: the kernel by
 * name (plugin kernels, loaded by the 'plugin-kernels' job, never share a built-in's name) and the
 * caller's spec with its page filter split off and checked against the dataset's columns. A bad
 * spec throws the kernel's SpecError, which crosses to the page with kernel, field and problem.
 */
import type { AnyKernel } from '../kernels/kernel.js';
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';
import { getKernel } from '../kernels/index.js';
import { splitFilter } from '../kernels/filtered-rows.js';
import { pluginKernel } from '../../src/plugins/worker-kernels.js';

export interface KernelSpec {
  readonly kernel: AnyKernel;
  /** The spec the kernel's stages take: validated, defaults filled in, page filter removed. */
  readonly valid: unknown;
}

export function kernelByName(name: unknown): AnyKernel {
  if (typeof name !== 'string') throw new TypeError(`A kernel job names its kernel with a string; got ${typeof name}.`);
  return pluginKernel(name) ?? getKernel(name);
}

export function kernelSpec(name: unknown, spec: unknown, schema: readonly ColumnInfo[]): KernelSpec {
  const kernel = kernelByName(name);
  if (!Array.isArray(schema)) throw new TypeError('A kernel job needs the dataset schema as an array of columns.');
  const split = splitFilter(kernel, spec, schema);
  return { kernel, valid: kernel.validate(split.spec, schema) };
}
