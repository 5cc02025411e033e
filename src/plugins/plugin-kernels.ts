/**
 * Plugin kernels on the main thread: which module defines which kernel, loaded on first use.
 * Running one imports the module here (validate and reduce run on this thread) and on every
 * worker of the pool (the 'plugin-kernels' job), and registers a pool initializer so a worker
 * that replaces a crashed or stopped one loads it again before taking jobs.
 */
import { toDisposable, type Disposable } from '../lifecycle/disposable.js';
import type { WorkerPool } from '../pool/worker-pool.js';
import type { AnyKernel } from '../../workers/kernels/kernel.js';
import { KERNELS } from '../../workers/kernels/index.js';
import { kernelsOfModule, pickKernel } from './kernel-module.js';

export interface KernelRegistration {
  readonly pluginId: string;
  readonly name: string;
  readonly url: URL;
  readonly timeoutMs?: number;
  readonly title?: string;
}

export class PluginKernels implements Disposable {
  private readonly entries = new Map<string, KernelRegistration>();
  private readonly modules = new Map<string, Promise<AnyKernel[]>>();
  private readonly workerLoads = new WeakMap<WorkerPool, Map<string, Promise<void>>>();
  private readonly initializers: Disposable[] = [];

  constructor(private readonly importModule: (url: string) => Promise<unknown>) {}

  /** Adds a kernel; throws if the name is built in or taken. */
  register(reg: KernelRegistration): Disposable {
    if (KERNELS.has(reg.name)) throw new Error(`Kernel "${reg.name}" is a built-in kernel; plugin kernels are named "<publisher>.<name>".`);
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

  /** The kernel's definition on this thread, with its module loaded on every worker of `pool`. */
  async prepare(reg: KernelRegistration, pool: WorkerPool): Promise<AnyKernel> {
    const url = reg.url.href;
    let mod = this.modules.get(url);
    if (!mod) {
      mod = this.importModule(url).then((m) => kernelsOfModule(m, url));
      this.modules.set(url, mod);
      mod.catch(() => this.modules.get(url) === mod && this.modules.delete(url));
    }
    const def = pickKernel(await mod, reg.name, url);
    await this.loadInWorkers(pool, url);
    return def;
  }

  private loadInWorkers(pool: WorkerPool, url: string): Promise<void> {
    let loads = this.workerLoads.get(pool);
    if (!loads) this.workerLoads.set(pool, (loads = new Map()));
    let load = loads.get(url);
    if (!load) {
      const init = pool.addInitializer(async (_worker, run) => {
        await run('plugin-kernels', { url });
      });
      load = pool.runOnEach('plugin-kernels', () => ({ url })).then(
        () => void this.initializers.push(init),
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
