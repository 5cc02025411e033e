/**
 * Plugin kernels on the main thread: which module defines which kernel, loaded on first use.
 * The module runs only in the workers (the 'plugin-kernels' job imports it on every worker of the
 * pool; validate, map and reduce all run there, see src/query/run-kernel.ts), never on this
 * thread; a pool initializer loads it again in a worker that replaces a crashed or stopped one
 * before that worker takes jobs.
 */
import { toDisposable, type Disposable } from '../lifecycle/disposable.js';
import type { WorkerPool } from '../pool/worker-pool.js';
import { BUILTIN_KERNEL_NAMES } from '../../workers/kernels/kernel-names.js';
import { requireKernel } from './kernel-module.js';

export interface KernelRegistration {
  readonly pluginId: string;
  readonly name: string;
  readonly url: URL;
  readonly timeoutMs?: number;
  readonly title?: string;
}

export class PluginKernels implements Disposable {
  private readonly entries = new Map<string, KernelRegistration>();
  /** Per pool and module URL: the names of the kernels the module defines, once every worker loaded it. */
  private readonly workerLoads = new WeakMap<WorkerPool, Map<string, Promise<string[]>>>();
  private readonly initializers: Disposable[] = [];

  /** Adds a kernel; throws if the name is built in or taken. */
  register(reg: KernelRegistration): Disposable {
    if (BUILTIN_KERNEL_NAMES.has(reg.name)) throw new Error(`Kernel "${reg.name}" is a built-in kernel; plugin kernels are named "<publisher>.<name>".`);
    const taken = this.entries.get(reg.name);
    if (taken) throw new Error(`Kernel "${reg.name}" is already registered by plugin "${taken.pluginId}".`);
    this.entries.set(reg.name, reg);
    return toDisposable(() => {
      if (this.entries.get(reg.name) === reg) this.entries.delete(reg.name);
    });
  }

  get(name: string): KernelRegistration | undefined {
    return this.entries.get(name);
  }

  list(): KernelRegistration[] {
    return [...this.entries.values()];
  }

  /** Loads the kernel's module on every worker of `pool`; throws if it does not define the kernel. */
  async prepare(reg: KernelRegistration, pool: WorkerPool): Promise<void> {
    const url = reg.url.href;
    requireKernel(await this.loadInWorkers(pool, url), reg.name, url);
  }

  private loadInWorkers(pool: WorkerPool, url: string): Promise<string[]> {
    let loads = this.workerLoads.get(pool);
    if (!loads) this.workerLoads.set(pool, (loads = new Map()));
    let load = loads.get(url);
    if (!load) {
      const init = pool.addInitializer(async (_worker, run) => {
        await run('plugin-kernels', { url });
      });
      load = pool.runOnEach<string[]>('plugin-kernels', () => ({ url })).then(
        (names) => {
          this.initializers.push(init);
          // Every worker imported the same module: the same names.
          return names[0] ?? [];
        },
        (err) => {
          // Not loaded: forget it so the next run tries again.
          init.dispose();
          loads!.delete(url);
          throw err;
        },
      );
      loads.set(url, load);
    }
    return load;
  }

  dispose(): void {
    for (const d of this.initializers.splice(0)) void d.dispose();
    this.entries.clear();
  }
}
