/**
 * PluginHost: installs plugins from manifests, activates them lazily on their activation events,
 * gives each a PluginContext, and contains their failures.
 *
 * Contracts:
 * - A manifest is validated (fields, versions, URLs on the allow-list) before any plugin code is
 *   fetched; an unused plugin costs no request beyond its manifest (none if passed as an object).
 * - Activation imports `main` with a dynamic `import()` (same-origin or allow-listed module URLs:
 *   fine under CSP `script-src 'self'`, no eval, no blob:), then awaits `activate(ctx)` within the
 *   activation budget.
 * - Whatever a plugin registers through its context is owned by that activation: deactivation
 *   (or failure) disposes it, with the plugin's own `subscriptions` and `deactivate()` awaited
 *   within the disposal budget. A context outlived by its activation refuses further use.
 * - A throw from plugin code (activate, a command, a panel, a data source, a kernel, or a kernel
 *   past its time budget) marks that plugin `failed` with a PluginError naming it, fires
 *   `onDidChangeStatus` and a `cl-plugin-error` window event, shows a badge in its panels, and
 *   leaves other plugins alone. `retry(id)` gives it another chance.
 */
import { Emitter, toDisposable, type Disposable } from '../lifecycle/disposable.js';
import type { DataHub, Dataset } from '../dataset/data-hub.js';
import type { QueryEngine } from '../remote/query-engine.js';
import type { DataSource } from '../dataset/data-source.js';
import { runKernel } from '../query/run-kernel.js';
import { getLocale } from '../i18n/locale.js';
import type {
  CommandHandler, ContextValue, DataSourceLoadOptions, DataSourceProvider, Dimension, KernelContribution, KernelRunOptions, PaletteCommand, PluginContext, PluginErrorPhase,
  PluginManifest, PluginModule, PluginState, PluginStatus, SegmentationProvider,
} from './plugin-api.js';
import { activationEventsOf, validateManifest } from './manifest.js';
import { ManifestError, PluginError, PluginUrlError, ServiceError, errorMessage } from './plugin-errors.js';
import { UrlAllowList } from './url-policy.js';
import { CommandRegistry } from './command-registry.js';
import { ContextKeys } from './context-keys.js';
import { detectPlatform, formatKeybinding, matchesEvent, parseKeybinding, type KeyCombo, type Platform } from './keybindings.js';
import { evaluateWhen, parseWhen, type WhenNode } from './when-clause.js';
import { SettingsStore, SETTINGS_STORAGE_PREFIX, type StorageLike } from './settings-store.js';
import { PluginKernels } from './plugin-kernels.js';
import { guardPanelClass, hasPanelError, renderPanelError, type PanelFailure } from './panel-guard.js';
import { PanelWatcher } from './panel-watcher.js';
import { isValidRange, satisfies } from './semver.js';
import { CLIENTLENS_VERSION } from './version.js';

export interface PluginHostOptions {
  /** Origins and path prefixes plugin files may come from (`'/plugins/'`, `'https://cdn.bank.example/cl/'`). Default: none. */
  readonly allow?: readonly string[];
  /** The data hub plugins get (default: the page's shared hub, created on first activation). */
  readonly hub?: () => Promise<DataHub>;
  /** Imports a module URL (default: dynamic `import()`). Tests and bundlers may replace it. */
  readonly importModule?: (url: string) => Promise<unknown>;
  /** Reads a manifest URL (default: `fetch` + JSON, at most 256 KB). */
  readonly fetchManifest?: (url: URL) => Promise<unknown>;
  /** Where user-scope settings persist (default: localStorage when available). */
  readonly storage?: StorageLike | null;
  /** Budget for `activate()`. Default 10 s. */
  readonly activationTimeoutMs?: number;
  /** Budget for `deactivate()` plus disposing a plugin's subscriptions. Default 2 s. */
  readonly disposeTimeoutMs?: number;
  /** Default kernel time budget per worker and stage. Default 30 s. */
  readonly kernelTimeoutMs?: number;
  /** The clientlens version manifests are checked against (tests). */
  readonly hostVersion?: string;
  /** Keyboard platform for `mod` and labels (default: detected). */
  readonly platform?: Platform;
  /** Where contributed panels are looked for (default: document). */
  readonly panelRoot?: (ParentNode & Node) | null;
  /** Where keybindings listen (default: window). */
  readonly keyTarget?: EventTarget | null;
  /** Non-fatal problems (default: console.warn). */
  readonly warn?: (message: string) => void;
}

export interface InstallOptions {
  /** For a manifest passed as an object: the URL its relative URLs resolve against (default: the page). */
  readonly baseUrl?: string | URL;
}

export type LoadDataSourceOptions = DataSourceLoadOptions;

interface Binding {
  readonly command: string;
  readonly combo: KeyCombo;
  readonly when?: WhenNode;
  readonly args?: readonly unknown[];
}

interface Plugin {
  readonly manifest: PluginManifest;
  readonly baseUrl: URL | undefined;
  readonly mainUrl: URL | undefined;
  readonly builtin: boolean;
  readonly inlineModule?: PluginModule;
  readonly events: ReadonlySet<string>;
  readonly settings: SettingsStore;
  readonly bindings: readonly Binding[];
  readonly commandWhen: ReadonlyMap<string, WhenNode>;
  readonly order: number;
  state: PluginState;
  error?: PluginError;
  activatedBy?: string;
  activation?: Promise<void>;
  deactivation?: Promise<void>;
  module?: PluginModule;
  /** The activation's context subscriptions (pushed by the plugin). */
  subscriptions: import('./plugin-api.js').Disposable[];
  /** What the plugin registered through its context (undone on deactivation even if not pushed). */
  owned: Disposable[];
  /** Bumped on every activation, failure and deactivation: a stale context refuses to act. */
  generation: number;
}

type Contributed<K extends keyof NonNullable<PluginManifest['contributes']>> = NonNullable<NonNullable<PluginManifest['contributes']>[K]> extends readonly (infer T)[] ? T : never;

const DEFAULT_ACTIVATION_MS = 10_000;
const DEFAULT_DISPOSE_MS = 2_000;
const DEFAULT_KERNEL_MS = 30_000;
const MAX_MANIFEST_BYTES = 256 * 1024;

export class PluginHost implements Disposable {
  readonly commands = new CommandRegistry();
  readonly contextKeys = new ContextKeys();
  readonly platform: Platform;
  readonly allowList: UrlAllowList;

  private readonly plugins = new Map<string, Plugin>();
  private readonly statusChanges = new Emitter<PluginStatus>();
  private readonly kernels: PluginKernels;
  private readonly panels = new Map<string, { plugin: Plugin; element: CustomElementConstructor }>();
  private readonly livePanels = new Map<string, Set<Element>>();
  /** Tags this host defined, for good: custom elements cannot be undefined. */
  private readonly definedPanels = new Map<string, { pluginId: string; element: CustomElementConstructor }>();
  private readonly dataSources = new Map<string, { plugin: Plugin; provider: DataSourceProvider }>();
  private readonly segmentationImpls = new Map<string, { plugin: Plugin; provider: SegmentationProvider }>();
  private readonly services = new Map<string, { plugin: Plugin; version: string; impl: unknown }>();
  /** consumer plugin id -> provider plugin id, while a requireService awaits an activation. */
  private readonly waitingOn = new Map<string, string>();
  private readonly watcher?: PanelWatcher;
  private readonly listeners: Disposable[] = [];
  private hubPromise?: Promise<DataHub>;
  private started = false;
  private disposed = false;
  private installs = 0;
  private readonly options: PluginHostOptions;
  private readonly importModule: (url: string) => Promise<unknown>;

  constructor(options: PluginHostOptions = {}) {
    this.options = options;
    this.platform = options.platform ?? detectPlatform();
    this.allowList = new UrlAllowList(options.allow ?? []);
    this.importModule = options.importModule ?? ((url) => import(/* @vite-ignore */ url));
    this.kernels = new PluginKernels();
    const root = options.panelRoot === undefined ? (typeof document !== 'undefined' ? document : null) : options.panelRoot;
    if (root) {
      this.watcher = new PanelWatcher(
        root,
        (tag, el) => this.handlePanelFound(tag, el),
        (tag) => void this.fire(`onPanel:${tag}`),
      );
    }
  }

  // -------------------------------------------------------------------------------------------
  // Installing

  /**
   * Installs a plugin from a manifest object or a manifest URL (fetched only if on the
   * allow-list). Validates everything, registers its contributions, and loads no code unless it
   * activates on startup. Rejects with ManifestError / PluginUrlError naming the problem.
   */
  async install(source: PluginManifest | string | URL, options: InstallOptions = {}): Promise<PluginStatus> {
    this.assertLive();
    let raw: unknown;
    let base: URL | undefined;
    let where: string;
    if (typeof source === 'string' || source instanceof URL) {
      const url = this.allowList.check(source, 'plugin manifest');
      raw = await (this.options.fetchManifest ?? fetchManifest)(url);
      base = url;
      where = url.href;
    } else {
      raw = source;
      base = options.baseUrl !== undefined ? new URL(String(options.baseUrl), pageHref()) : undefined;
      where = base ? `manifest object for ${base.href}` : 'manifest object';
    }
    const manifest = validateManifest(raw, { hostVersion: this.options.hostVersion, source: where });
    const resolveBase = base ?? new URL(pageHref());
    const mainUrl = manifest.main ? this.allowList.check(manifest.main, `main module of plugin "${manifest.id}"`, resolveBase) : undefined;
    const kernelUrls = (manifest.contributes?.kernels ?? []).map((k) => this.kernelUrl(manifest.id, k, resolveBase));
    const plugin = this.addPlugin(manifest, { baseUrl: base, mainUrl, builtin: false });
    manifest.contributes?.kernels?.forEach((k, i) => this.kernels.register({ pluginId: manifest.id, name: k.name, url: kernelUrls[i], timeoutMs: k.timeoutMs, title: k.title }));
    this.afterInstall(plugin);
    return this.statusOf(plugin);
  }

  /** Installs a plugin that ships with the page: its module is given, not imported. */
  addBuiltin(manifest: PluginManifest, module: PluginModule): PluginStatus {
    this.assertLive();
    const valid = validateManifest(manifest, { hostVersion: this.options.hostVersion, builtin: true, source: 'built-in' });
    const plugin = this.addPlugin(valid, { baseUrl: undefined, mainUrl: undefined, builtin: true, module });
    this.afterInstall(plugin);
    return this.statusOf(plugin);
  }

  private kernelUrl(pluginId: string, k: KernelContribution, base: URL): URL {
    const url = this.allowList.check(k.module, `kernel module "${k.name}" of plugin "${pluginId}"`, base);
    if (url.origin !== new URL(pageHref()).origin) throw new PluginUrlError(url.href, `Kernel module "${k.name}" of plugin "${pluginId}" must be served from this page's origin (workers import it); got ${url.href}.`);
    return url;
  }

  private addPlugin(manifest: PluginManifest, opts: { baseUrl: URL | undefined; mainUrl: URL | undefined; builtin: boolean; module?: PluginModule }): Plugin {
    const existing = this.plugins.get(manifest.id);
    if (existing) throw new Error(`Plugin "${manifest.id}" is already installed (version ${existing.manifest.version}).`);
    this.checkCollisions(manifest);
    const c = manifest.contributes ?? {};
    const bindings = (c.keybindings ?? []).map((kb) => ({
      command: kb.command,
      combo: parseKeybinding(this.platform === 'mac' && kb.mac ? kb.mac : kb.key, this.platform),
      when: kb.when ? parseWhen(kb.when) : undefined,
      args: kb.args,
    }));
    const commandWhen = new Map((c.commands ?? []).filter((x) => x.when).map((x) => [x.command, parseWhen(x.when!)]));
    const plugin: Plugin = {
      manifest,
      baseUrl: opts.baseUrl,
      mainUrl: opts.mainUrl,
      builtin: opts.builtin,
      inlineModule: opts.module,
      events: activationEventsOf(manifest),
      settings: new SettingsStore(manifest.id, c.settings, this.options.storage === undefined ? defaultStorage() : this.options.storage, this.warn),
      bindings,
      commandWhen,
      order: this.installs++,
      state: 'inactive',
      subscriptions: [],
      owned: [],
      generation: 0,
    };
    this.plugins.set(manifest.id, plugin);
    // Settings are context keys too (config.<id>.<key>): tell when-clause listeners when they change.
    this.listeners.push(plugin.settings.onDidChange((e) => this.contextKeys.touch(`config.${manifest.id}.${e.key}`)));
    return plugin;
  }

  /** Two plugins may not contribute the same command, panel, kernel, data source, segmentation or service. */
  private checkCollisions(manifest: PluginManifest): void {
    const c = manifest.contributes ?? {};
    const mine: [string, string[]][] = [
      ['command', (c.commands ?? []).map((x) => x.command)],
      ['panel', (c.panels ?? []).map((x) => x.tag)],
      ['kernel', (c.kernels ?? []).map((x) => x.name)],
      ['data source', (c.dataSources ?? []).map((x) => x.id)],
      ['segmentation', (c.segmentations ?? []).map((x) => x.id)],
      ['service', (c.services ?? []).map((x) => x.name)],
    ];
    const issues: { field: string; problem: string }[] = [];
    for (const other of this.plugins.values()) {
      const oc = other.manifest.contributes ?? {};
      const theirs: Record<string, string[]> = {
        command: (oc.commands ?? []).map((x) => x.command),
        panel: (oc.panels ?? []).map((x) => x.tag),
        kernel: (oc.kernels ?? []).map((x) => x.name),
        'data source': (oc.dataSources ?? []).map((x) => x.id),
        segmentation: (oc.segmentations ?? []).map((x) => x.id),
        service: (oc.services ?? []).map((x) => x.name),
      };
      for (const [kind, names] of mine) for (const n of names) if (theirs[kind].includes(n)) issues.push({ field: 'contributes', problem: `${kind} "${n}" is already contributed by plugin "${other.manifest.id}"` });
    }
    if (issues.length) throw new ManifestError(manifest.id, issues);
  }

  private afterInstall(plugin: Plugin): void {
    const tags = (plugin.manifest.contributes?.panels ?? []).map((p) => p.tag);
    this.watcher?.watch(tags);
    this.emitStatus(plugin);
    if (this.started && plugin.events.has('onStartup')) void this.activate(plugin.manifest.id, 'onStartup').catch(() => {});
  }

  /**
   * Starts the host: keybindings, panel visibility, cross-tab settings, built-in context keys,
   * then activates `onStartup` plugins. Safe to call twice.
   */
  async start(): Promise<void> {
    this.assertLive();
    if (this.started) return;
    this.started = true;
    const keyTarget = this.options.keyTarget === undefined ? (typeof window !== 'undefined' ? window : null) : this.options.keyTarget;
    if (keyTarget) {
      const onKey = (e: Event) => this.handleKey(e as KeyboardEvent);
      keyTarget.addEventListener('keydown', onKey);
      this.listeners.push(toDisposable(() => keyTarget.removeEventListener('keydown', onKey)));
    }
    if (typeof window !== 'undefined') {
      const onStorage = (e: StorageEvent) => {
        if (!e.key?.startsWith(SETTINGS_STORAGE_PREFIX)) return;
        this.plugins.get(e.key.slice(SETTINGS_STORAGE_PREFIX.length))?.settings.handleExternalChange();
      };
      const onLocale = (e: Event) => {
        if ((e as CustomEvent<{ status: string }>).detail?.status === 'ready') this.contextKeys.set('clientlens.locale', getLocale());
      };
      window.addEventListener('storage', onStorage);
      window.addEventListener('lit-localize-status', onLocale);
      this.listeners.push(toDisposable(() => window.removeEventListener('storage', onStorage)), toDisposable(() => window.removeEventListener('lit-localize-status', onLocale)));
    }
    this.contextKeys.set('clientlens.locale', getLocale());
    this.watcher?.start();
    void this.hub().then(
      (hub) => {
        if (this.disposed) return;
        const update = () => {
          const d = hub.current;
          this.contextKeys.set('clientlens.datasetLoaded', d !== undefined);
          this.contextKeys.set('clientlens.datasetRows', d?.rows ?? 0);
          this.contextKeys.set('clientlens.filtersActive', hub.filters.combined() !== undefined);
        };
        update();
        this.listeners.push(hub.onCurrentChange(update), hub.filters.onChange(update));
      },
      (err) => this.warn(`the data hub could not start: ${errorMessage(err)}`),
    );
    await this.fire('onStartup');
  }

  // -------------------------------------------------------------------------------------------
  // Activation

  /**
   * Fires an activation event: activates every installed plugin that listens for it and waits for
   * them. Failures are recorded on the plugins (see `plugins()`), not thrown.
   */
  async fire(event: string): Promise<void> {
    const targets = [...this.plugins.values()].filter((p) => p.events.has(event) && (p.state === 'inactive' || p.state === 'activating' || p.state === 'deactivating'));
    await Promise.all(targets.map((p) => this.activate(p.manifest.id, event).catch(() => {})));
  }

  /** Activates a plugin now (if it is not already); rejects with its PluginError if it fails. */
  activate(id: string, reason = 'api'): Promise<void> {
    const plugin = this.get(id);
    if (plugin.state === 'active') return Promise.resolve();
    if (plugin.state === 'failed') return Promise.reject(plugin.error);
    if (plugin.activation) return plugin.activation;
    const tracked: Promise<void> = (async () => {
      if (plugin.deactivation) await plugin.deactivation;
      await this.doActivate(plugin, reason);
    })().finally(() => {
      if (plugin.activation === tracked) plugin.activation = undefined;
    });
    plugin.activation = tracked;
    return tracked;
  }

  private async doActivate(plugin: Plugin, reason: string): Promise<void> {
    const generation = ++plugin.generation;
    plugin.state = 'activating';
    plugin.activatedBy = reason;
    plugin.subscriptions = [];
    plugin.owned = [];
    this.emitStatus(plugin);
    let phase: PluginErrorPhase = 'load';
    try {
      const module = plugin.inlineModule ?? asModule(await this.importModule(plugin.mainUrl!.href), plugin);
      plugin.module = module;
      phase = 'settings';
      await plugin.settings.migrate(module.migrateSettings?.bind(module));
      const hub = await this.hub();
      phase = 'activate';
      const ctx = this.createContext(plugin, hub, generation);
      await withTimeout(Promise.resolve().then(() => module.activate(ctx)), this.options.activationTimeoutMs ?? DEFAULT_ACTIVATION_MS, () => `activate() did not finish within ${this.options.activationTimeoutMs ?? DEFAULT_ACTIVATION_MS} ms`);
      if (plugin.generation !== generation) throw plugin.error ?? new Error('the plugin was deactivated while activating');
      plugin.state = 'active';
      this.emitStatus(plugin);
    } catch (err) {
      if (plugin.generation !== generation && (plugin.state as PluginState) === 'failed') throw plugin.error;
      throw this.fail(plugin, phase, err);
    }
  }

  /**
   * Deactivates a plugin: `deactivate()`, then its subscriptions, then what it registered, last
   * first, all within the disposal budget. Resolves `{ timedOut: true }` when the budget ran out
   * (the host moves on; the plugin's late disposals finish in the background).
   */
  async deactivate(id: string): Promise<{ timedOut: boolean }> {
    const plugin = this.get(id);
    if (plugin.activation) await plugin.activation.catch(() => {});
    if (plugin.state !== 'active') return { timedOut: false };
    plugin.state = 'deactivating';
    plugin.generation++;
    this.emitStatus(plugin);
    let result = { timedOut: false };
    plugin.deactivation = this.teardown(plugin, true).then((r) => void (result = r));
    await plugin.deactivation;
    plugin.deactivation = undefined;
    if (plugin.state === 'deactivating') {
      plugin.state = 'inactive';
      plugin.activatedBy = undefined;
      this.emitStatus(plugin);
    }
    return result;
  }

  private async teardown(plugin: Plugin, callDeactivate: boolean): Promise<{ timedOut: boolean }> {
    const subs = plugin.subscriptions.splice(0).reverse();
    const owned = plugin.owned.splice(0).reverse();
    const module = plugin.module;
    const budget = this.options.disposeTimeoutMs ?? DEFAULT_DISPOSE_MS;
    const errors: unknown[] = [];
    const work = (async () => {
      if (callDeactivate && module?.deactivate) {
        try {
          await module.deactivate();
        } catch (err) {
          errors.push(err);
        }
      }
      for (const d of subs) {
        try {
          await d?.dispose();
        } catch (err) {
          errors.push(err);
        }
      }
    })();
    let timedOut = false;
    try {
      await withTimeout(work, budget, () => 'timeout');
    } catch {
      timedOut = true;
      this.warn(`plugin "${this.nameOf(plugin)}" did not finish deactivating within ${budget} ms; the rest of its clean-up continues in the background.`);
    }
    // The host's own registrations are undone synchronously, whatever the plugin's code did.
    for (const d of owned) {
      try {
        void d.dispose();
      } catch (err) {
        errors.push(err);
      }
    }
    for (const err of errors) this.warn(`plugin "${this.nameOf(plugin)}" failed while deactivating: ${errorMessage(err)}`);
    return { timedOut };
  }

  /**
   * Marks a plugin failed (idempotent), tears it down, badges its panels, and returns the
   * PluginError for the caller to throw.
   */
  private fail(plugin: Plugin, phase: PluginErrorPhase, err: unknown, prefix = ''): PluginError {
    if (plugin.state === 'failed' && plugin.error) return plugin.error;
    const error = err instanceof PluginError && err.pluginId === plugin.manifest.id ? err : new PluginError(plugin.manifest.id, this.nameOf(plugin), phase, `${prefix}${errorMessage(err)}`, { cause: err });
    plugin.state = 'failed';
    plugin.error = error;
    plugin.generation++;
    this.warn(error.message);
    this.emitStatus(plugin);
    if (typeof window !== 'undefined' && typeof CustomEvent !== 'undefined') {
      window.dispatchEvent(new CustomEvent('cl-plugin-error', { detail: { pluginId: error.pluginId, pluginName: error.pluginName, phase, message: error.message } }));
    }
    this.badgePanels(plugin);
    void this.teardown(plugin, true);
    return error;
  }

  /** Gives a failed plugin another chance: it goes back to inactive; panels on the page are re-created. */
  async retry(id: string): Promise<void> {
    const plugin = this.get(id);
    if (plugin.state !== 'failed') return;
    plugin.state = 'inactive';
    plugin.error = undefined;
    this.emitStatus(plugin);
    const tags = (plugin.manifest.contributes?.panels ?? []).map((p) => p.tag);
    const onPage = tags.flatMap((t) => this.watcher?.elements(t) ?? []);
    if (onPage.length || plugin.events.has('onStartup')) await this.activate(id, 'retry').catch(() => {});
    if ((plugin.state as PluginState) !== 'active') return;
    // Badged elements cannot be revived in place: fresh copies upgrade with the plugin's class.
    for (const el of onPage) if (hasPanelError(el)) el.replaceWith(el.cloneNode(true));
  }

  // -------------------------------------------------------------------------------------------
  // The context

  private createContext(plugin: Plugin, hub: DataHub, generation: number): PluginContext {
    const id = plugin.manifest.id;
    const publisher = id.split('.')[0];
    const live = () => {
      if (plugin.generation !== generation) throw new Error(`Plugin "${this.nameOf(plugin)}" is no longer active; its context was disposed.`);
    };
    const own = <T extends Disposable>(d: T): T => {
      plugin.owned.push(d);
      return d;
    };
    const prefixed = (kind: string, name: string) => {
      if (!plugin.builtin && !String(name).startsWith(`${publisher}.`)) throw new Error(`Plugin "${id}": ${kind} "${name}" must start with "${publisher}.".`);
    };
    const contributed = <T>(kind: string, list: readonly T[] | undefined, match: (x: T) => boolean, name: string) => {
      if (!(list ?? []).some(match)) throw new Error(`Plugin "${id}" registers ${kind} "${name}" but its manifest does not contribute it (contributes.${kind === 'data source' ? 'dataSources' : `${kind}s`}).`);
    };
    const c = plugin.manifest.contributes ?? {};
    const ctx: PluginContext = {
      id,
      manifest: plugin.manifest,
      baseUrl: plugin.baseUrl?.href,
      subscriptions: plugin.subscriptions,
      registerCommand: (command: string, handler: CommandHandler) => {
        live();
        prefixed('command', command);
        const guarded: CommandHandler = async (...args: unknown[]) => {
          try {
            return await handler(...args);
          } catch (err) {
            if ((err as Error)?.name === 'AbortError') throw err;
            throw this.fail(plugin, 'command', err, `command "${command}": `);
          }
        };
        return own(this.commands.register(command, id, guarded));
      },
      executeCommand: <R>(command: string, ...args: unknown[]) => this.executeCommand<R>(command, ...args),
      setContext: (key: string, value: ContextValue) => {
        live();
        prefixed('context key', key);
        return own(this.contextKeys.set(key, value));
      },
      registerPanel: (tag: string, element: CustomElementConstructor) => {
        live();
        contributed('panel', c.panels, (p) => p.tag === tag, tag);
        return own(this.registerPanel(plugin, tag, element));
      },
      registerDataSource: (sourceId: string, provider: DataSourceProvider) => {
        live();
        contributed('data source', c.dataSources, (d) => d.id === sourceId, sourceId);
        if (typeof provider?.load !== 'function') throw new TypeError(`Plugin "${id}": data source "${sourceId}" needs a provider with a load() function.`);
        const entry = { plugin, provider };
        this.dataSources.set(sourceId, entry);
        return own(toDisposable(() => void (this.dataSources.get(sourceId) === entry && this.dataSources.delete(sourceId))));
      },
      registerQuerySource: (sourceId: string, engine: QueryEngine) => {
        live();
        contributed('data source', c.dataSources, (d) => d.id === sourceId, sourceId);
        if (typeof engine?.run !== 'function') throw new TypeError(`Plugin "${id}": query source "${sourceId}" needs a QueryEngine (with run()).`);
        // The hub may still be starting: register when it is there, unless disposed before.
        let registration: Disposable | undefined;
        let disposed = false;
        void this.hub().then(
          (hub) => {
            if (!disposed) registration = hub.registerQuerySource(sourceId, engine);
          },
          (err) => this.warn(`query source "${sourceId}" of plugin "${id}" could not be registered: ${errorMessage(err)}`),
        );
        return own(toDisposable(() => {
          disposed = true;
          return registration?.dispose();
        }));
      },
      registerSegmentation: (segId: string, provider: SegmentationProvider) => {
        live();
        contributed('segmentation', c.segmentations, (s) => s.id === segId, segId);
        if (typeof provider?.dimension !== 'function') throw new TypeError(`Plugin "${id}": segmentation "${segId}" needs a provider with a dimension() function.`);
        const entry = { plugin, provider };
        this.segmentationImpls.set(segId, entry);
        return own(toDisposable(() => void (this.segmentationImpls.get(segId) === entry && this.segmentationImpls.delete(segId))));
      },
      registerKernel: (k: KernelContribution) => {
        live();
        prefixed('kernel', k?.name);
        const url = this.kernelUrl(id, k, plugin.baseUrl ?? new URL(pageHref()));
        return own(this.kernels.register({ pluginId: id, name: k.name, url, timeoutMs: k.timeoutMs, title: k.title }));
      },
      runKernel: <R>(name: string, spec: unknown, options?: KernelRunOptions) => {
        live();
        return this.runKernel<R>(name, spec, options);
      },
      loadDataSource: (sourceId: string, options?: LoadDataSourceOptions) => {
        live();
        return this.loadDataSource(sourceId, options);
      },
      settings: plugin.settings,
      provideService: <T>(name: string, version: string, impl: T) => {
        live();
        return own(this.provideService(plugin, name, version, impl));
      },
      requireService: <T>(name: string, range: string) => {
        live();
        return this.requireService<T>(plugin, name, range);
      },
      hub,
      get locale() {
        return getLocale();
      },
      localize: (key: string, fallback?: string) => this.lookup(plugin, key) ?? fallback ?? key,
      onDidChangeLocale: (listener: (locale: string) => void) => {
        live();
        if (typeof window === 'undefined') return toDisposable(() => {});
        const handler = (e: Event) => {
          if ((e as CustomEvent<{ status: string }>).detail?.status === 'ready') listener(getLocale());
        };
        window.addEventListener('lit-localize-status', handler);
        return own(toDisposable(() => window.removeEventListener('lit-localize-status', handler)));
      },
    };
    return ctx;
  }

  // -------------------------------------------------------------------------------------------
  // Commands and keys

  /**
   * Runs a command, first activating the plugin that contributes it (onCommand). Rejects with a
   * clear error when no plugin registers it, or with the PluginError of a plugin whose handler threw.
   */
  async executeCommand<R = unknown>(command: string, ...args: unknown[]): Promise<R> {
    this.assertLive();
    if (!this.commands.has(command)) await this.fire(`onCommand:${command}`);
    if (!this.commands.has(command)) {
      const contributor = [...this.plugins.values()].find((p) => p.manifest.contributes?.commands?.some((c) => c.command === command));
      if (contributor?.state === 'failed') throw new Error(`Command "${command}" is unavailable: ${contributor.error!.message}`);
      if (contributor) throw new Error(`Plugin "${this.nameOf(contributor)}" contributes command "${command}" but did not register it in activate().`);
      throw new Error(`No command "${command}": no installed plugin contributes or registers it.`);
    }
    return (await this.commands.execute(command, args)) as R;
  }

  private commandAvailable(plugin: Plugin, command: string): boolean {
    const when = plugin.commandWhen.get(command);
    return !when || evaluateWhen(when, this.lookupKey);
  }

  /** The binding a key event triggers, if any: later-installed plugins win, `when` must hold. */
  resolveKey(e: KeyboardEvent): Binding | undefined {
    const plugins = [...this.plugins.values()].filter((p) => p.state !== 'failed').sort((a, b) => b.order - a.order);
    for (const p of plugins) {
      for (const b of p.bindings) {
        if (!matchesEvent(b.combo, e)) continue;
        if (b.when && !evaluateWhen(b.when, this.lookupKey)) continue;
        const contributor = this.contributorOf(b.command);
        if (contributor && !this.commandAvailable(contributor, b.command)) continue;
        return b;
      }
    }
    return undefined;
  }

  private handleKey(e: KeyboardEvent): void {
    if (e.defaultPrevented || e.isComposing) return;
    const binding = this.resolveKey(e);
    if (!binding) return;
    // Plain keys stay with text fields; a binding with Ctrl, Cmd or Alt works everywhere.
    const target = (e.composedPath?.()[0] ?? e.target) as HTMLElement | null;
    const editable = !!target && (target.isContentEditable || /^(input|textarea|select)$/i.test(target.localName ?? ''));
    if (editable && !binding.combo.ctrl && !binding.combo.meta && !binding.combo.alt) return;
    e.preventDefault();
    void this.executeCommand(binding.command, ...(binding.args ?? [])).catch((err) => this.warn(errorMessage(err)));
  }

  /**
   * Context keys for when clauses: those set by the host and plugins, plus every plugin setting as
   * `config.<pluginId>.<key>` (objects and lists read as true), so a command can depend on a
   * setting before its plugin is loaded.
   */
  readonly lookupKey = (key: string): ContextValue => {
    const value = this.contextKeys.get(key);
    if (value !== undefined || !key.startsWith('config.')) return value;
    const rest = key.slice('config.'.length);
    for (const p of this.plugins.values()) {
      if (!rest.startsWith(`${p.manifest.id}.`)) continue;
      const name = rest.slice(p.manifest.id.length + 1);
      if (!Object.prototype.hasOwnProperty.call(p.manifest.contributes?.settings?.properties ?? {}, name)) return undefined;
      const v = p.settings.get(name);
      return v === null || v === undefined ? undefined : typeof v === 'object' ? true : (v as ContextValue);
    }
    return undefined;
  };

  private contributorOf(command: string): Plugin | undefined {
    return [...this.plugins.values()].find((p) => p.manifest.contributes?.commands?.some((c) => c.command === command));
  }

  /** Commands to offer now: contributed by plugins that have not failed, whose `when` holds. */
  paletteCommands(): PaletteCommand[] {
    const out: PaletteCommand[] = [];
    for (const p of [...this.plugins.values()].sort((a, b) => a.order - b.order)) {
      if (p.state === 'failed') continue;
      for (const c of p.manifest.contributes?.commands ?? []) {
        if (!this.commandAvailable(p, c.command)) continue;
        out.push({
          command: c.command,
          title: this.localizeText(p, c.title),
          category: c.category ? this.localizeText(p, c.category) : undefined,
          pluginId: p.manifest.id,
          pluginName: this.nameOf(p),
          keybinding: this.keybindingLabel(c.command),
        });
      }
    }
    return out;
  }

  /** The label of the first active binding of a command (`Ctrl+Shift+P`, `⌘⇧P`). */
  keybindingLabel(command: string): string | undefined {
    for (const p of [...this.plugins.values()].sort((a, b) => b.order - a.order)) {
      if (p.state === 'failed') continue;
      const b = p.bindings.find((x) => x.command === command && (!x.when || evaluateWhen(x.when, this.lookupKey)));
      if (b) return formatKeybinding(b.combo, this.platform);
    }
    return undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Panels

  private registerPanel(plugin: Plugin, tag: string, element: CustomElementConstructor): Disposable {
    if (typeof customElements === 'undefined') throw new Error('Panels need a browser (customElements).');
    if (typeof element !== 'function') throw new TypeError(`Plugin "${plugin.manifest.id}": panel "${tag}" needs a custom element class.`);
    const existing = customElements.get(tag);
    const defined = this.definedPanels.get(tag);
    const entry = { plugin, element };
    if (existing) {
      // Built-in elements are defined by the page's script; a plugin re-activated (retry) finds the tag it defined.
      const same = (defined?.pluginId === plugin.manifest.id && defined.element === element) || (plugin.builtin && (existing === element || existing.prototype instanceof element));
      if (!same) throw new Error(`Plugin "${this.nameOf(plugin)}" cannot define <${tag}>: the tag is already defined by other code.`);
    } else {
      customElements.define(tag, plugin.builtin ? element : guardPanelClass(element, this.panelHooks(tag)));
      this.definedPanels.set(tag, { pluginId: plugin.manifest.id, element });
    }
    this.panels.set(tag, entry);
    return toDisposable(() => void (this.panels.get(tag) === entry && this.panels.delete(tag)));
  }

  private panelHooks(tag: string) {
    const owner = () => this.panelOwner(tag);
    return {
      failure: (): PanelFailure | undefined => {
        const p = owner();
        return p?.state === 'failed' && p.error ? { pluginId: p.manifest.id, pluginName: this.nameOf(p), message: p.error.message } : undefined;
      },
      report: (_el: Element | null, err: unknown) => {
        const p = owner();
        if (p) this.fail(p, 'panel', err, `<${tag}>: `);
      },
      connected: (el: Element) => {
        let set = this.livePanels.get(tag);
        if (!set) this.livePanels.set(tag, (set = new Set()));
        set.add(el);
        const p = owner();
        if (p?.state === 'inactive') void this.fire(`onPanel:${tag}`);
      },
      disconnected: (el: Element) => void this.livePanels.get(tag)?.delete(el),
    };
  }

  private panelOwner(tag: string): Plugin | undefined {
    return [...this.plugins.values()].find((p) => p.manifest.contributes?.panels?.some((x) => x.tag === tag));
  }

  private handlePanelFound(tag: string, el: Element): void {
    const p = this.panelOwner(tag);
    if (p?.state === 'failed' && p.error && typeof customElements !== 'undefined' && !customElements.get(tag)) renderPanelError(el, { pluginId: p.manifest.id, pluginName: this.nameOf(p), message: p.error.message });
  }

  private badgePanels(plugin: Plugin): void {
    const failure = { pluginId: plugin.manifest.id, pluginName: this.nameOf(plugin), message: plugin.error!.message };
    for (const { tag } of plugin.manifest.contributes?.panels ?? []) {
      const els = new Set([...(this.livePanels.get(tag) ?? []), ...(this.watcher?.elements(tag) ?? [])]);
      for (const el of els) {
        // Built-in elements are not guarded; a failed built-in plugin leaves them as they are.
        if (plugin.builtin) continue;
        renderPanelError(el, failure);
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Kernels, data sources, segmentations, services

  /**
   * Runs a kernel on a dataset (default: the hub's current one) in the worker pool: a built-in by
   * name, or a plugin kernel (its module loaded on first use). A plugin kernel that throws, crashes
   * its worker or runs past its budget marks its plugin failed; a bad spec (SpecError) or a
   * cancellation is the caller's and is simply rethrown.
   */
  async runKernel<R = unknown>(name: string, spec: unknown, options: KernelRunOptions = {}): Promise<R> {
    const hub = await this.hub();
    const dataset: Dataset | undefined = options.dataset ?? hub.current;
    if (!dataset) throw new Error(`Kernel "${name}" needs a dataset: load one first.`);
    const reg = this.kernels.get(name);
    // Plugin kernels always run on a budget; built-ins only when the caller sets one.
    const run = { signal: options.signal, onProgress: options.onProgress, timeoutMs: options.timeoutMs ?? (reg ? (reg.timeoutMs ?? this.options.kernelTimeoutMs ?? DEFAULT_KERNEL_MS) : undefined) };
    if (!reg) return runKernel<R>(dataset, name, spec, run);
    const plugin = this.get(reg.pluginId);
    if (plugin.state === 'failed') throw new Error(`Kernel "${name}" is unavailable: ${plugin.error!.message}`);
    try {
      await this.kernels.prepare(reg, hub.pool);
    } catch (err) {
      throw this.fail(plugin, 'kernel', err, `kernel "${name}" could not load: `);
    }
    try {
      return await runKernel<R>(dataset, name, spec, run);
    } catch (err) {
      const kind = (err as Error)?.name;
      if (kind === 'AbortError' || kind === 'SpecError' || kind === 'MissingFieldsError') throw err;
      throw this.fail(plugin, 'kernel', err, `kernel "${name}": `);
    }
  }

  /** Kernels plugins contributed or registered. */
  pluginKernels(): { name: string; pluginId: string; title?: string }[] {
    return this.kernels.list().map((k) => ({ name: k.name, pluginId: k.pluginId, title: k.title }));
  }

  /**
   * Loads a dataset from a plugin's data source (activating the plugin: onDataSource), through the
   * hub (cache, ingest checks, workers), and by default makes it the current dataset.
   */
  async loadDataSource(id: string, options: LoadDataSourceOptions = {}): Promise<Dataset> {
    if (!this.dataSources.has(id)) await this.fire(`onDataSource:${id}`);
    const entry = this.dataSources.get(id);
    if (!entry) {
      const contributor = [...this.plugins.values()].find((p) => p.manifest.contributes?.dataSources?.some((d) => d.id === id));
      if (contributor?.state === 'failed') throw new Error(`Data source "${id}" is unavailable: ${contributor.error!.message}`);
      throw new Error(contributor ? `Plugin "${this.nameOf(contributor)}" contributes data source "${id}" but did not register it in activate().` : `No data source "${id}": no installed plugin contributes it.`);
    }
    const signal = options.signal ?? new AbortController().signal;
    let source: DataSource;
    try {
      source = await entry.provider.load({ params: options.params, signal });
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') throw err;
      throw this.fail(entry.plugin, 'data-source', err, `data source "${id}": `);
    }
    const hub = await this.hub();
    // A file that is missing or malformed is a data problem (DataLoadError lists it), not the plugin's fault.
    const dataset = await hub.load(source, { signal });
    if (options.setCurrent !== false) hub.setCurrent(dataset);
    return dataset;
  }

  /** Data sources plugins contribute, with localized titles. */
  dataSourceList(): { id: string; title: string; pluginId: string }[] {
    return this.contributions('dataSources', (p, d) => ({ id: d.id, title: this.localizeText(p, d.title), pluginId: p.manifest.id }));
  }

  /** Segmentations plugins contribute, with localized titles. */
  segmentations(): { id: string; title: string; pluginId: string }[] {
    return this.contributions('segmentations', (p, s) => ({ id: s.id, title: this.localizeText(p, s.title), pluginId: p.manifest.id }));
  }

  /** The Dimension of a segmentation (activating its plugin if needed). */
  async segmentation(id: string): Promise<Dimension> {
    if (!this.segmentationImpls.has(id)) {
      const owner = [...this.plugins.values()].find((p) => p.manifest.contributes?.segmentations?.some((s) => s.id === id));
      if (!owner) throw new Error(`No segmentation "${id}": no installed plugin contributes it.`);
      await this.activate(owner.manifest.id, `segmentation:${id}`);
    }
    const entry = this.segmentationImpls.get(id);
    if (!entry) throw new Error(`Segmentation "${id}" was not registered by the plugin that contributes it.`);
    try {
      return entry.provider.dimension();
    } catch (err) {
      throw this.fail(entry.plugin, 'activate', err, `segmentation "${id}": `);
    }
  }

  /** Panels plugins contribute, with localized titles. */
  panelList(): { tag: string; title: string; pluginId: string }[] {
    return this.contributions('panels', (p, x) => ({ tag: x.tag, title: this.localizeText(p, x.title), pluginId: p.manifest.id }));
  }

  /** Themes plugins contribute. */
  themes(): { id: string; label: string; pluginId: string }[] {
    return this.contributions('themes', (p, t) => ({ id: `${p.manifest.id}/${t.id}`, label: this.localizeText(p, t.label), pluginId: p.manifest.id }));
  }

  /** Applies a contributed theme's tokens to an element (default: the page root); disposing removes them. */
  applyTheme(themeId: string, target?: HTMLElement): Disposable {
    const [pluginId, id] = [themeId.slice(0, themeId.lastIndexOf('/')), themeId.slice(themeId.lastIndexOf('/') + 1)];
    const theme = this.plugins.get(pluginId)?.manifest.contributes?.themes?.find((t) => t.id === id);
    if (!theme) throw new Error(`No theme "${themeId}" (themes: ${this.themes().map((t) => t.id).join(', ') || 'none'}).`);
    const el = target ?? document.documentElement;
    // CSSOM writes are allowed under a strict CSP (style attributes in markup are not).
    for (const [name, value] of Object.entries(theme.tokens)) el.style.setProperty(name, value);
    return toDisposable(() => {
      for (const name of Object.keys(theme.tokens)) el.style.removeProperty(name);
    });
  }

  private contributions<K extends 'dataSources' | 'segmentations' | 'panels' | 'themes', T>(key: K, map: (p: Plugin, item: Contributed<K>) => T): T[] {
    return [...this.plugins.values()].sort((a, b) => a.order - b.order).flatMap((p) => ((p.manifest.contributes?.[key] ?? []) as readonly Contributed<K>[]).map((item) => map(p, item)));
  }

  private provideService(plugin: Plugin, name: string, version: string, impl: unknown): Disposable {
    const decl = plugin.manifest.contributes?.services?.find((s) => s.name === name);
    if (!decl) throw new Error(`Plugin "${this.nameOf(plugin)}" provides service "${name}" without declaring it in contributes.services.`);
    if (decl.version !== version) throw new Error(`Plugin "${this.nameOf(plugin)}" provides service "${name}" at version ${version}, but its manifest declares ${decl.version}.`);
    const taken = this.services.get(name);
    if (taken) throw new Error(`Service "${name}" is already provided by plugin "${this.nameOf(taken.plugin)}".`);
    const entry = { plugin, version, impl };
    this.services.set(name, entry);
    return toDisposable(() => void (this.services.get(name) === entry && this.services.delete(name)));
  }

  private async requireService<T>(consumer: Plugin, name: string, range: string): Promise<T> {
    const who = `Plugin "${this.nameOf(consumer)}" (${consumer.manifest.id})`;
    if (!isValidRange(range)) throw new ServiceError(name, consumer.manifest.id, undefined, `${who} requires service "${name}" with an invalid version range ${JSON.stringify(range)}.`);
    const provider = [...this.plugins.values()].find((p) => p.manifest.contributes?.services?.some((s) => s.name === name));
    if (!provider) throw new ServiceError(name, consumer.manifest.id, undefined, `${who} requires service "${name}" ${range}, but no installed plugin provides it.`);
    const pname = `plugin "${this.nameOf(provider)}" (${provider.manifest.id})`;
    const declared = provider.manifest.contributes!.services!.find((s) => s.name === name)!.version;
    if (!satisfies(declared, range)) throw new ServiceError(name, consumer.manifest.id, provider.manifest.id, `${who} requires service "${name}" ${range}, but ${pname} provides version ${declared}.`);
    if (!this.services.has(name) && provider !== consumer) {
      // Two plugins each waiting for the other's activation would wait forever: refuse the cycle.
      for (let at: string | undefined = provider.manifest.id; at; at = this.waitingOn.get(at)) {
        if (at === consumer.manifest.id) throw new ServiceError(name, consumer.manifest.id, provider.manifest.id, `${who} and ${pname} require each other's services while activating (a cycle); one of them must require the other lazily.`);
      }
      this.waitingOn.set(consumer.manifest.id, provider.manifest.id);
      try {
        await this.activate(provider.manifest.id, `onService:${name}`);
      } catch (err) {
        throw new ServiceError(name, consumer.manifest.id, provider.manifest.id, `${who} requires service "${name}" ${range} from ${pname}, which failed: ${errorMessage(err)}`);
      } finally {
        this.waitingOn.delete(consumer.manifest.id);
      }
    }
    const entry = this.services.get(name);
    if (!entry) throw new ServiceError(name, consumer.manifest.id, provider.manifest.id, `${who} requires service "${name}" ${range}, which ${pname} declares but did not provide in activate().`);
    if (!satisfies(entry.version, range)) throw new ServiceError(name, consumer.manifest.id, provider.manifest.id, `${who} requires service "${name}" ${range}, but ${pname} provides version ${entry.version}.`);
    return entry.impl as T;
  }

  // -------------------------------------------------------------------------------------------
  // State

  /** Every installed plugin's status. */
  pluginStatuses(): PluginStatus[] {
    return [...this.plugins.values()].sort((a, b) => a.order - b.order).map((p) => this.statusOf(p));
  }

  status(id: string): PluginStatus {
    return this.statusOf(this.get(id));
  }

  /** Fires whenever a plugin's state changes (installed, activating, active, failed...). */
  onDidChangeStatus(listener: (status: PluginStatus) => void): Disposable {
    return this.statusChanges.on(listener);
  }

  /** A plugin's settings (for a settings UI or the page), whether or not it is active. */
  settingsOf(id: string): SettingsStore {
    return this.get(id).settings;
  }

  /** The manifest's `%key%` strings for the page's locale. */
  private lookup(plugin: Plugin, key: string): string | undefined {
    const tables = plugin.manifest.contributes?.locales ?? {};
    const locale = getLocale();
    return tables[locale]?.[key] ?? tables[locale.split('-')[0]]?.[key] ?? tables.en?.[key];
  }

  private localizeText(plugin: Plugin, text: string): string {
    const m = /^%([^%]+)%$/.exec(text);
    return m ? (this.lookup(plugin, m[1]) ?? m[1]) : text;
  }

  private nameOf(plugin: Plugin): string {
    return plugin.manifest.displayName ? this.localizeText(plugin, plugin.manifest.displayName) : plugin.manifest.id;
  }

  private statusOf(p: Plugin): PluginStatus {
    return {
      id: p.manifest.id,
      version: p.manifest.version,
      displayName: this.nameOf(p),
      state: p.state,
      builtin: p.builtin,
      activatedBy: p.state === 'active' || p.state === 'activating' ? p.activatedBy : undefined,
      error: p.state === 'failed' && p.error ? { phase: p.error.phase, message: p.error.message } : undefined,
    };
  }

  private emitStatus(plugin: Plugin): void {
    this.statusChanges.emit(this.statusOf(plugin));
  }

  private get(id: string): Plugin {
    const p = this.plugins.get(id);
    if (!p) throw new Error(`No plugin "${id}" is installed (installed: ${[...this.plugins.keys()].join(', ') || 'none'}).`);
    return p;
  }

  private hub(): Promise<DataHub> {
    // Imported lazily: a host used without data (or in Node) never creates the worker pool.
    return (this.hubPromise ??= this.options.hub ? this.options.hub() : import('../dataset/default-hub.js').then((m) => m.getDefaultHub()));
  }

  private readonly warn = (message: string) => (this.options.warn ?? ((m: string) => console.warn(`clientlens: ${m}`)))(message);

  private assertLive(): void {
    if (this.disposed) throw new Error('This PluginHost was disposed.');
  }

  /** Deactivates every plugin (each within the disposal budget) and stops listening. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    await Promise.all([...this.plugins.values()].map((p) => this.deactivate(p.manifest.id).catch(() => {})));
    this.disposed = true;
    for (const d of this.listeners.splice(0)) void d.dispose();
    this.watcher?.dispose();
    this.kernels.dispose();
  }
}

function asModule(mod: unknown, plugin: Plugin): PluginModule {
  const m = mod as Partial<PluginModule> | null;
  if (!m || typeof m.activate !== 'function') throw new Error(`its main module ${plugin.mainUrl?.href} does not export an activate(ctx) function.`);
  return m as PluginModule;
}

function withTimeout<T>(work: Promise<T>, ms: number, message: () => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message())), ms);
    work.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

async function fetchManifest(url: URL): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'same-origin' });
  } catch (err) {
    throw new Error(`Could not fetch the plugin manifest ${url.href}: ${errorMessage(err)}.`);
  }
  if (!response.ok) throw new Error(`Fetching the plugin manifest ${url.href} failed: HTTP ${response.status}.`);
  const text = await response.text();
  if (text.length > MAX_MANIFEST_BYTES) throw new Error(`The plugin manifest ${url.href} is larger than ${MAX_MANIFEST_BYTES / 1024} KB.`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ManifestError(undefined, [{ field: 'manifest', problem: `is not valid JSON (${errorMessage(err)})` }], url.href);
  }
}

function defaultStorage(): StorageLike | null {
  try {
    return typeof localStorage !== 'undefined' ? localStorage : null;
  } catch {
    // Sandboxed frames throw on access: settings then last for the page only.
    return null;
  }
}

function pageHref(): string {
  return typeof location !== 'undefined' ? location.href : 'http://localhost/';
}

export { CLIENTLENS_VERSION };
