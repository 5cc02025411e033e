/**
 * Reading KernelDefs out of a plugin's kernel module, the same way on both threads: the module
 * exports `kernels` (a list), or a default KernelDef or list. Every def is checked for the kernel
 * shape, and a plugin kernel may not take a built-in kernel's name.
 */
import type { AnyKernel } from '../../workers/kernels/kernel.js';
import { BUILTIN_KERNEL_NAMES } from '../../workers/kernels/kernel-names.js';

export function kernelsOfModule(mod: unknown, url: string): AnyKernel[] {
  const m = mod as { kernels?: unknown; default?: unknown } | null;
  const raw = m?.kernels ?? m?.default;
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  if (list.length === 0) throw new Error(`Kernel module ${url} exports no kernels; export \`kernels\` (a list of KernelDef) or a default KernelDef.`);
  return list.map((k, i) => {
    const def = k as Partial<AnyKernel>;
    const missing = (['validate', 'map', 'reduce'] as const).filter((f) => typeof def?.[f] !== 'function');
    if (!def || typeof def.name !== 'string' || missing.length) throw new Error(`Kernel ${i} of ${url} is not a KernelDef: it needs a name and validate, map and reduce functions${missing.length ? ` (missing: ${missing.join(', ')})` : ''}.`);
    if (BUILTIN_KERNEL_NAMES.has(def.name)) throw new Error(`Kernel module ${url} defines "${def.name}", which is a built-in kernel's name; plugin kernels are named "<publisher>.<name>".`);
    return def as AnyKernel;
  });
}

/** Checks that a kernel module (whose kernels are `defined`, by name) defines kernel `name`. */
export function requireKernel(defined: readonly string[], name: string, url: string): void {
  if (!defined.includes(name)) throw new Error(`Kernel module ${url} does not define kernel "${name}" (it defines: ${defined.join(', ')}).`);
}
