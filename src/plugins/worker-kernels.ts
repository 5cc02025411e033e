/**
 * Runs inside the data worker: the registry of plugin kernels, which kernel-job consults after the
 * built-ins. The 'plugin-kernels' job imports a kernel module and registers its KernelDefs.
 *
 * A worker trusts no message: it imports only same-origin http(s) module URLs (the main thread
 * has already checked the page's allow-list), never evaluates text, and refuses a module that
 * would replace a built-in kernel or a kernel another module registered.
 */
import type { AnyKernel } from '../../workers/kernels/kernel.js';
import { kernelsOfModule } from './kernel-module.js';

const registered = new Map<string, { kernel: AnyKernel; url: string }>();

/** A plugin kernel by name, if one was loaded in this worker. */
export function pluginKernel(name: string): AnyKernel | undefined {
  return registered.get(name)?.kernel;
}

export interface PluginKernelsJobArgs {
  readonly url: string;
}

export async function pluginKernelsJob(args: PluginKernelsJobArgs): Promise<string[]> {
  const here = (globalThis as { location?: { href: string; origin: string } }).location;
  if (!here) throw new Error('plugin-kernels runs only in a worker.');
  const url = new URL(String(args?.url), here.href);
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== here.origin) {
    throw new Error(`Workers import kernel modules only from their own origin (${here.origin}); refused ${url.href}.`);
  }
  const mod: unknown = await import(/* @vite-ignore */ url.href);
  const kernels = kernelsOfModule(mod, url.href);
  for (const k of kernels) {
    const taken = registered.get(k.name);
    if (taken && taken.url !== url.href) throw new Error(`Kernel "${k.name}" from ${url.href} is already registered by ${taken.url}.`);
  }
  for (const k of kernels) registered.set(k.name, { kernel: k, url: url.href });
  return kernels.map((k) => k.name);
}
