/**
 * `clientlens/plugin-api`: the contract a plugin author reads. Types only: this module has no
 * run-time code (a test imports it and finds no exports), the implementation lives in
 * src/plugins/plugin-host.ts and its neighbours.
 *
 * The model is VS Code's extension API, adapted:
 * - a static **manifest** (PluginManifest), read and validated before any plugin code runs;
 * - **lazy activation**: the host imports the plugin's `main` module only when one of its
 *   activation events fires (a command is run, a panel becomes visible, a data source is asked
 *   for, a service is required, or the page starts) and then calls `activate(ctx)`;
 * - **explicit lifetimes**: every `register*`, `provide*` and `on*` returns a Disposable; push them
 *   onto `ctx.subscriptions` and the host disposes them (awaited, within a time budget) when the
 *   plugin is deactivated or fails;
 * - **containment**: an error thrown by a plugin (in activate, a command, a panel or a kernel, or a
 *   kernel that runs past its time budget) marks that plugin failed, shows an error badge naming
 *   it, and leaves every other plugin and the dashboard working.
 *
 * Vocabulary: `register*` adds an implementation, `provide*` / `require*` for services,
 * `onDid*` for events, `*Contribution` for manifest entries, `*Options` for option bags.
 */
import type { DataHub, Dataset } from '../dataset/data-hub.js';
import type { DataSource } from '../dataset/data-source.js';
import type { KernelContext, KernelDef, RowBatch } from '../../workers/kernels/kernel.js';
import type { ColumnInfo } from '../cache/cache-manifest.js';
import type { Dimension } from '../../workers/kernels/dimension.js';
import type { QueryEngine } from '../remote/query-engine.js';

export type { DataHub, Dataset, DataSource, KernelContext, KernelDef, RowBatch, ColumnInfo, Dimension };

// ---------------------------------------------------------------------------------------------
// Lifetimes

/** Something that can be undone. Disposing twice is harmless; async disposal is awaited. */
export interface Disposable {
  /** Undoes the registration or subscription; may return a promise the host awaits (within a budget). */
  dispose(): void | Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// The manifest

/**
 * The static description of a plugin: a JSON file (or object) the host validates before any of
 * the plugin's code is fetched. Relative URLs in it resolve against the manifest's own URL.
 */
export interface PluginManifest {
  /**
   * `publisher.name`, lower case: letters, digits and dashes, dot-separated (e.g. `acme.suitability`).
   * The publisher (first part) prefixes the plugin's command ids, kernel names, context keys
   * (`acme.`) and panel tags (`acme-`), so two plugins never collide.
   */
  readonly id: string;
  /** The plugin's own version, semver (`1.2.0`). */
  readonly version: string;
  /** Name shown to users (error badges, the palette). Default: the id. May be a `%key%` (see locales). */
  readonly displayName?: string;
  /** One sentence on what the plugin adds. */
  readonly description?: string;
  /** Host versions the plugin works with. A plugin whose range the page's clientlens does not satisfy is refused. */
  readonly engines: {
    /** A semver range: `^0.1.0`, `~1.2`, `>=0.1.0 <2`, `1.x`, `*`. */
    readonly clientlens: string;
  };
  /**
   * URL of the ES module exporting `activate` (a PluginModule), relative to the manifest. Required
   * when the plugin contributes anything that needs code (commands, panels, data sources,
   * segmentations, services); a plugin of kernels, themes and locales only may omit it.
   */
  readonly main?: string;
  /**
   * When to load and activate the plugin. Contributions imply their own events (a contributed
   * command implies `onCommand:<id>`, a panel `onPanel:<tag>`, a data source `onDataSource:<id>`,
   * a service `onService:<name>`), so this list is needed only for `onStartup` or extra triggers.
   */
  readonly activationEvents?: readonly ActivationEvent[];
  /** What the plugin adds to the host, declared up front so nothing loads until it is needed. */
  readonly contributes?: PluginContributions;
}

/**
 * When a plugin is activated:
 * - `onStartup`: when the host starts (use sparingly: it costs every page load);
 * - `onCommand:<id>`: before the command runs (palette, keybinding, executeCommand);
 * - `onPanel:<tag>`: when an element with that tag becomes visible (IntersectionObserver);
 * - `onDataSource:<id>`: when the data source is asked to load;
 * - `onService:<name>`: when another plugin requires the service.
 */
export type ActivationEvent = 'onStartup' | `onCommand:${string}` | `onPanel:${string}` | `onDataSource:${string}` | `onService:${string}`;

/** Everything a manifest can contribute. Every list is optional. */
export interface PluginContributions {
  /** Commands shown in the palette (and runnable by keybindings and `executeCommand`). */
  readonly commands?: readonly CommandContribution[];
  /** Keys that run commands. */
  readonly keybindings?: readonly KeybindingContribution[];
  /** Custom elements the plugin defines; place them in `cl-dashboard` like built-in panels. */
  readonly panels?: readonly PanelContribution[];
  /** Scoring kernels in worker modules: run in the worker pool, no activation needed. */
  readonly kernels?: readonly KernelContribution[];
  /** Named ways to segment clients (a Dimension of the segment-rollup kernel). */
  readonly segmentations?: readonly SegmentationContribution[];
  /** Named places data can come from (a URL, an API, a file format). */
  readonly dataSources?: readonly DataSourceContribution[];
  /** The plugin's settings: a JSON Schema subset with defaults, and a version for migrations. */
  readonly settings?: SettingsContribution;
  /** Services this plugin provides to other plugins (see PluginContext.provideService). */
  readonly services?: readonly ServiceContribution[];
  /**
   * UI strings by locale (`en`, `zh-CN`): manifest texts written `%key%` are looked up here for the
   * page's locale, then `en`. Plugin code reads them with `ctx.localize(key)`.
   */
  readonly locales?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Colour themes: values for clientlens' `--cl-*` custom properties. */
  readonly themes?: readonly ThemeContribution[];
}

/** A command as the palette shows it. The code is registered in activate with `ctx.registerCommand`. */
export interface CommandContribution {
  /** Unique id, prefixed by the publisher: `acme.checkSuitability`. */
  readonly command: string;
  /** What the palette shows (`%key%` for a localized string). */
  readonly title: string;
  /** Group shown before the title: `Suitability: Check product`. */
  readonly category?: string;
  /** A when clause: the command is offered (palette, keybindings) only while it holds. */
  readonly when?: string;
}

/** A key combination that runs a command. */
export interface KeybindingContribution {
  /** The command to run. */
  readonly command: string;
  /**
   * Modifiers and a key joined with `+`: `ctrl+shift+p`, `alt+k`, `f2`. `mod` is Cmd on macOS and
   * Ctrl elsewhere, so `mod+shift+p` is the usual choice.
   */
  readonly key: string;
  /** A different key on macOS. */
  readonly mac?: string;
  /** A when clause: the binding is active only while it holds. */
  readonly when?: string;
  /** Arguments passed to the command (JSON). */
  readonly args?: readonly unknown[];
}

/** A custom element the plugin defines in activate with `ctx.registerPanel`. */
export interface PanelContribution {
  /** The tag: a valid custom element name starting with `<publisher>-` (e.g. `acme-suitability`). */
  readonly tag: string;
  /** Heading or name of the panel, used in lists and error badges. */
  readonly title: string;
  /** One sentence on what it shows. */
  readonly description?: string;
}

/**
 * A kernel in a worker module. The module (same origin as the page, on the allow-list) exports
 * `kernels: KernelDef[]` (or a default KernelDef or list). Each worker imports it and registers
 * the kernels by name; the main thread imports it too, to validate specs and reduce partials.
 */
export interface KernelContribution {
  /** The kernel's `name`, prefixed by the publisher (`acme.walletShare`); must match the module's KernelDef. */
  readonly name: string;
  /** URL of the module, relative to the manifest. */
  readonly module: string;
  /** Time budget per worker and stage; past it the job is stopped and its worker replaced. Default: the host's (30 s). */
  readonly timeoutMs?: number;
  /** What the kernel computes. */
  readonly title?: string;
}

/** A named segmentation, implemented in activate with `ctx.registerSegmentation`. */
export interface SegmentationContribution {
  /** Unique id, prefixed by the publisher. */
  readonly id: string;
  /** Name in lists (`%key%` allowed). */
  readonly title: string;
}

/** A named data source, implemented in activate with `ctx.registerDataSource`. */
export interface DataSourceContribution {
  /** Unique id, prefixed by the publisher. */
  readonly id: string;
  /** Name in lists (`%key%` allowed). */
  readonly title: string;
}

/** A service the plugin provides (so `requireService` can activate it lazily). */
export interface ServiceContribution {
  /** The service's name, prefixed by the publisher (`acme.productCatalogue`). */
  readonly name: string;
  /** Its version (semver); consumers ask for a range. */
  readonly version: string;
}

/** A colour theme: `--cl-*` custom properties and their values. */
export interface ThemeContribution {
  /** Unique id within the plugin. */
  readonly id: string;
  /** Name shown to users (`%key%` allowed). */
  readonly label: string;
  /** e.g. `{ "--cl-color-accent": "#7a1f5c" }`. Keys must start with `--cl-`; values are plain CSS values. */
  readonly tokens: Readonly<Record<string, string>>;
}

// ---------------------------------------------------------------------------------------------
// Settings

/** Where a setting's value applies: the user (persisted in this browser), this page, or one element. */
export type SettingScope = 'user' | 'page' | 'element';

/** A plugin's settings: an object schema whose properties are the settings. */
export interface SettingsContribution {
  /**
   * Version of the settings' shape (a positive integer, default 1). When it grows, the host calls
   * the module's `migrateSettings` with the stored user values before activation.
   */
  readonly version?: number;
  /** The settings by key. */
  readonly properties: Readonly<Record<string, SettingSchema>>;
}

/**
 * The JSON Schema subset settings use: `type`, `enum`, `minimum`, `maximum`, `default`,
 * `properties` and `required` (objects), `items` (arrays), `description`.
 */
export interface SettingSchema {
  /** The JSON type. `integer` is a whole number. */
  readonly type: 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';
  /** Shown to users next to the setting. */
  readonly description?: string;
  /** The value when no scope sets one; must itself be valid. */
  readonly default?: unknown;
  /** The only values allowed. */
  readonly enum?: readonly (string | number | boolean)[];
  /** Inclusive lower bound of a number. */
  readonly minimum?: number;
  /** Inclusive upper bound of a number. */
  readonly maximum?: number;
  /** For `object`: the schema of each known property. */
  readonly properties?: Readonly<Record<string, SettingSchema>>;
  /** For `object`: properties that must be present. */
  readonly required?: readonly string[];
  /** For `array`: the schema of every item. */
  readonly items?: SettingSchema;
  /** Scopes allowed to set it. Default: all three. */
  readonly scopes?: readonly SettingScope[];
}

/** A plugin's view of its settings. Values are validated against the manifest's schema on write. */
export interface PluginSettings {
  /**
   * The effective value: the element's own, else the page's, else the user's, else the default.
   * Throws for a key the manifest does not declare.
   */
  get<T = unknown>(key: string, options?: SettingsReadOptions): T;
  /** Every layer of one setting, for a settings UI. */
  inspect<T = unknown>(key: string, options?: SettingsReadOptions): SettingInspection<T>;
  /**
   * Sets (or with `undefined`, clears) a value in one scope. Rejects with a message naming the
   * plugin, the key and the problem when the value does not fit the schema.
   */
  update(key: string, value: unknown, options: SettingsWriteOptions): Promise<void>;
  /** Fires after any value of this plugin changed, in any scope (including other tabs for `user`). */
  onDidChange(listener: (e: SettingsChangeEvent) => void): Disposable;
}

/** Which element's values to include when reading. */
export interface SettingsReadOptions {
  /** Include this element's own (element-scope) values. */
  readonly element?: Element;
}

/** Where to write a value. */
export interface SettingsWriteOptions {
  /** The scope to write. */
  readonly scope: SettingScope;
  /** The element, for the `element` scope. */
  readonly element?: Element;
}

/** One setting, layer by layer. */
export interface SettingInspection<T> {
  /** The key inspected. */
  readonly key: string;
  /** The schema's default. */
  readonly defaultValue: T | undefined;
  /** The user's value (persisted), if set. */
  readonly user?: T;
  /** This page's value, if set. */
  readonly page?: T;
  /** The element's value, if set and an element was given. */
  readonly element?: T;
  /** What `get` returns. */
  readonly value: T | undefined;
}

/** What changed. */
export interface SettingsChangeEvent {
  /** The setting's key. */
  readonly key: string;
  /** The scope written. */
  readonly scope: SettingScope;
  /** The element, for element-scope changes. */
  readonly element?: Element;
}

// ---------------------------------------------------------------------------------------------
// The plugin module and its context

/** What a plugin's `main` module exports. */
export interface PluginModule {
  /**
   * Called once when the plugin is activated. Register everything here, pushing the returned
   * Disposables onto `ctx.subscriptions`. May be async; it must finish within the host's activation
   * budget (10 s by default). A throw marks the plugin failed.
   */
  activate(ctx: PluginContext): void | Promise<void>;
  /** Called when the plugin is deactivated (or the page tears the host down); awaited within the disposal budget. */
  deactivate?(): void | Promise<void>;
  /**
   * Converts stored user settings written under an older `settings.version`. Called before
   * `activate` when the stored version differs; return the new values (invalid ones are dropped).
   */
  migrateSettings?(stored: Readonly<Record<string, unknown>>, fromVersion: number, toVersion: number): Record<string, unknown> | Promise<Record<string, unknown>>;
}

/** A value a when clause can compare. */
export type ContextValue = string | number | boolean | undefined;

/** A command's implementation: gets the arguments of `executeCommand`, returns its result. */
export type CommandHandler = (...args: any[]) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A named way to segment clients. */
export interface SegmentationProvider {
  /** The Dimension of the segment-rollup kernel (a category column, tiers, bins or tag rules). */
  dimension(): Dimension;
}

/** What a data source is asked. */
export interface DataSourceRequest {
  /** Whatever the caller of `loadDataSource` passed (e.g. a URL). */
  readonly params?: unknown;
  /** Aborted when the caller gives up. */
  readonly signal: AbortSignal;
}

/** Turns a request into something the DataHub can load (a URL, bytes, a file). */
export interface DataSourceProvider {
  /** Returns the source to load; the host loads it through the hub (cache, workers, ingest checks). */
  load(request: DataSourceRequest): DataSource | Promise<DataSource>;
}

/** Options of `ctx.loadDataSource`. */
export interface DataSourceLoadOptions {
  /** Passed to the provider as `request.params` (e.g. `{ url }`). */
  readonly params?: unknown;
  /** Cancels the load. */
  readonly signal?: AbortSignal;
  /** Make the dataset the hub's current one (what elements show). Default true. */
  readonly setCurrent?: boolean;
}

/** Options of `ctx.runKernel`. */
export interface KernelRunOptions {
  /** The dataset to run on. Default: the hub's current dataset. */
  readonly dataset?: Dataset;
  /** Cancels the run (the promise rejects with an AbortError). */
  readonly signal?: AbortSignal;
  /** Called with 0..1 over all rows. */
  readonly onProgress?: (fraction: number) => void;
  /** Budget per worker and stage; default the kernel contribution's, else the host's. */
  readonly timeoutMs?: number;
}

/**
 * What `activate` receives: the plugin's handle on the host. Everything it registers is undone when
 * the plugin is deactivated or fails.
 */
export interface PluginContext {
  /** The plugin's id. */
  readonly id: string;
  /** The validated manifest. */
  readonly manifest: PluginManifest;
  /** The URL the manifest's relative URLs resolve against (undefined for built-in plugins). */
  readonly baseUrl: string | undefined;
  /** Disposables the host disposes, last first, when the plugin is deactivated or fails. Push onto it. */
  readonly subscriptions: Disposable[];

  /** Implements a command (ideally one the manifest contributes). Throws if the id is taken. */
  registerCommand(command: string, handler: CommandHandler): Disposable;
  /** Runs any command (activating its plugin if needed) and resolves with its result. */
  executeCommand<R = unknown>(command: string, ...args: unknown[]): Promise<R>;
  /**
   * Sets a context key for when clauses; the key must start with the publisher (`acme.`).
   * Disposing clears it.
   */
  setContext(key: string, value: ContextValue): Disposable;

  /**
   * Defines a contributed panel's custom element. The host defines the tag with a guarded subclass
   * of `element`, so a throw in its lifecycle or render shows an error badge naming the plugin.
   * Custom elements cannot be undefined: disposing stops the host from tracking the tag.
   */
  registerPanel(tag: string, element: CustomElementConstructor): Disposable;
  /** Implements a contributed data source. */
  registerDataSource(id: string, provider: DataSourceProvider): Disposable;
  /**
   * Implements a contributed data source as a query source: the rows stay in a query engine (e.g.
   * `connectClickHouse(...)` from `clientlens/core`) and elements with `query-source="<id>"` send
   * their kernel specs there. The plugin owns the engine: dispose it in `deactivate` or push it to
   * `subscriptions`. Disposing the returned Disposable unregisters the source.
   */
  registerQuerySource(id: string, engine: QueryEngine): Disposable;
  /** Implements a contributed segmentation. */
  registerSegmentation(id: string, provider: SegmentationProvider): Disposable;
  /**
   * Adds a kernel at run time (the manifest's `contributes.kernels` does the same statically): a
   * same-origin, allow-listed worker module (URL relative to the manifest) exporting the KernelDef.
   */
  registerKernel(contribution: KernelContribution): Disposable;
  /**
   * Runs a kernel (a built-in one by name, or any plugin's) on the current dataset in the worker
   * pool, with a time budget and cancellation. A plugin kernel that throws or runs past its
   * budget marks its plugin failed.
   */
  runKernel<R = unknown>(name: string, spec: unknown, options?: KernelRunOptions): Promise<R>;

  /**
   * Loads a dataset from any plugin's data source (activating that plugin if needed) through the
   * hub, and by default makes it the current dataset. A missing or malformed file rejects with the
   * hub's DataLoadError; a throw in the source's own code marks its plugin failed.
   */
  loadDataSource(id: string, options?: DataSourceLoadOptions): Promise<Dataset>;

  /** The plugin's settings (see PluginSettings). */
  readonly settings: PluginSettings;

  /**
   * Provides a service declared in `contributes.services`, at that version. Other plugins get
   * `impl` from `requireService`. Disposing withdraws it.
   */
  provideService<T>(name: string, version: string, impl: T): Disposable;
  /**
   * Gets another plugin's service whose version satisfies `range`, activating the provider first.
   * Rejects with a message naming both plugins when nobody provides it or the version does not fit.
   */
  requireService<T>(name: string, range: string): Promise<T>;

  /** The page's data hub: datasets, the worker pool, the shared filters (`hub.filters`). */
  readonly hub: DataHub;

  /** The page's UI locale (`en` or `zh-CN`). */
  readonly locale: string;
  /** A string from the manifest's `contributes.locales` for the current locale (then `en`, then `fallback`, then the key). */
  localize(key: string, fallback?: string): string;
  /** Fires after the page switched language. */
  onDidChangeLocale(listener: (locale: string) => void): Disposable;
}

// ---------------------------------------------------------------------------------------------
// Host state, as pages and tests see it

/**
 * A plugin's lifecycle: `inactive` (installed, no code loaded), `activating`, `active`,
 * `deactivating`, or `failed` (an error naming the plugin is in `error`).
 */
export type PluginState = 'inactive' | 'activating' | 'active' | 'deactivating' | 'failed';

/** Where a plugin failed. */
export type PluginErrorPhase = 'load' | 'activate' | 'command' | 'panel' | 'kernel' | 'data-source' | 'service' | 'settings' | 'deactivate';

/** One plugin as the host reports it. */
export interface PluginStatus {
  /** The plugin's id. */
  readonly id: string;
  /** The plugin's version. */
  readonly version: string;
  /** Its localized display name. */
  readonly displayName: string;
  /** Where it is in its lifecycle. */
  readonly state: PluginState;
  /** Whether it ships with clientlens. */
  readonly builtin: boolean;
  /** The activation event that activated it, while active. */
  readonly activatedBy?: string;
  /** Why it failed, when `state` is `failed`. */
  readonly error?: { readonly phase: PluginErrorPhase; readonly message: string };
}

/** A command as the palette lists it. */
export interface PaletteCommand {
  /** The command id. */
  readonly command: string;
  /** Localized title. */
  readonly title: string;
  /** Localized category, if any. */
  readonly category?: string;
  /** The contributing plugin. */
  readonly pluginId: string;
  /** The contributing plugin's display name. */
  readonly pluginName: string;
  /** The key that runs it on this platform, formatted (`Ctrl+Shift+P`, `⌘⇧P`), if any. */
  readonly keybinding?: string;
}
