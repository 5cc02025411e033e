/**
 * The built-in kernels by name. The worker dispatches jobs through this table and the main thread
 * validates specs and reduces partials with the same definitions.
 */
import type { AnyKernel } from './kernel.js';
import { kpisKernel } from './kpis.js';

const kernels: AnyKernel[] = [
  kpisKernel,
];

export const KERNELS: ReadonlyMap<string, AnyKernel> = new Map(kernels.map((k) => [k.name, k]));

export function getKernel(name: string): AnyKernel {
  const k = KERNELS.get(name);
  if (!k) throw new Error(`No kernel named "${name}"; known kernels: ${[...KERNELS.keys()].join(', ') || 'none'}.`);
  return k;
}
