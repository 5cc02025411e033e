/**
 * One plugin's settings in three scopes, read in this order: the element's own value, the page's,
 * the user's (persisted in localStorage, so it survives reloads), then the schema's default.
 * Every write is checked against the manifest's schema; every stored value is checked again when
 * read, so a hand-edited or outdated store can never hand a plugin a value of the wrong shape.
 *
 * Migration: user values are stored with the settings version they were written under. When the
 * manifest's `settings.version` differs, `migrate` (run by the host before `activate`) hands them
 * to the module's `migrateSettings` hook, keeps what fits the new schema and records the version.
 */
import { Emitter, type Disposable } from '../lifecycle/disposable.js';
import type { PluginModule, PluginSettings, SettingInspection, SettingsChangeEvent, SettingsContribution, SettingsReadOptions, SettingsWriteOptions, SettingSchema } from './plugin-api.js';
import { checkValue } from './settings-schema.js';
import { SettingsError } from './plugin-errors.js';

/** The part of the Web Storage API the store uses (localStorage, or a stand-in in tests). */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

interface Stored {
  readonly version: number;
  readonly values: Record<string, unknown>;
}

export const SETTINGS_STORAGE_PREFIX = 'clientlens.settings.';

export class SettingsStore implements PluginSettings {
  private readonly page = new Map<string, unknown>();
  private readonly elements = new WeakMap<Element, Map<string, unknown>>();
  private readonly changes = new Emitter<SettingsChangeEvent>();
  private cache?: Stored | null;

  constructor(
    readonly pluginId: string,
    private readonly contribution: SettingsContribution | undefined,
    private readonly storage: StorageLike | null,
    private readonly warn: (message: string) => void = (m) => console.warn(`clientlens: ${m}`),
  ) {}

  /** The manifest's settings version (1 when not given). */
  get version(): number {
    return this.contribution?.version ?? 1;
  }

  get storageKey(): string {
    return `${SETTINGS_STORAGE_PREFIX}${this.pluginId}`;
  }

  private schema(key: string): SettingSchema {
    const schema = typeof key === 'string' && Object.prototype.hasOwnProperty.call(this.contribution?.properties ?? {}, key) ? this.contribution!.properties[key] : undefined;
    if (!schema) throw new SettingsError(this.pluginId, String(key), [`is not declared in the manifest's contributes.settings (declared: ${Object.keys(this.contribution?.properties ?? {}).join(', ') || 'none'})`]);
    return schema;
  }

  /** The stored user record, as written (not yet filtered). */
  private readStored(): Stored | null {
    if (this.cache !== undefined) return this.cache;
    let parsed: Stored | null = null;
    try {
      const text = this.storage?.getItem(this.storageKey);
      if (text) {
        const raw = JSON.parse(text) as Partial<Stored>;
        if (raw && typeof raw === 'object' && Number.isInteger(raw.version) && raw.values && typeof raw.values === 'object' && !Array.isArray(raw.values)) parsed = { version: raw.version!, values: raw.values };
        else this.warn(`stored settings of plugin "${this.pluginId}" have an unknown shape and are ignored.`);
      }
    } catch (err) {
      this.warn(`stored settings of plugin "${this.pluginId}" could not be read (${(err as Error).message}); defaults apply.`);
    }
    return (this.cache = parsed);
  }

  private writeStored(stored: Stored): void {
    this.cache = stored;
    try {
      this.storage?.setItem(this.storageKey, JSON.stringify(stored));
    } catch (err) {
      // Quota or a storage-less context: the value still holds for this page.
      this.warn(`settings of plugin "${this.pluginId}" could not be saved (${(err as Error).message}); they last until the page closes.`);
    }
  }

  /** A user value only if it was stored under the current version and still fits the schema. */
  private userValue(key: string, schema: SettingSchema): unknown {
    const stored = this.readStored();
    if (!stored || stored.version !== this.version || !Object.prototype.hasOwnProperty.call(stored.values, key)) return undefined;
    const value = stored.values[key];
    return checkValue(value, schema).length ? undefined : value;
  }

  get<T = unknown>(key: string, options: SettingsReadOptions = {}): T {
    return this.inspect<T>(key, options).value as T;
  }

  inspect<T = unknown>(key: string, options: SettingsReadOptions = {}): SettingInspection<T> {
    const schema = this.schema(key);
    const element = options.element ? this.elements.get(options.element)?.get(key) : undefined;
    const page = this.page.get(key);
    const user = this.userValue(key, schema);
    const defaultValue = schema.default;
    const value = element ?? page ?? user ?? defaultValue;
    return { key, defaultValue: defaultValue as T, user: user as T, page: page as T, element: element as T, value: clone(value) as T };
  }

  async update(key: string, value: unknown, options: SettingsWriteOptions): Promise<void> {
    const schema = this.schema(key);
    const scope = options?.scope;
    if (scope !== 'user' && scope !== 'page' && scope !== 'element') throw new SettingsError(this.pluginId, key, [`scope must be user, page or element; got ${JSON.stringify(scope)}`]);
    if (schema.scopes && !schema.scopes.includes(scope)) throw new SettingsError(this.pluginId, key, [`cannot be set per ${scope} (allowed: ${schema.scopes.join(', ')})`]);
    if (value !== undefined) {
      const problems = checkValue(value, schema, key);
      if (problems.length) throw new SettingsError(this.pluginId, key, problems);
    }
    const copy = clone(value);
    if (scope === 'element') {
      if (!options.element) throw new SettingsError(this.pluginId, key, ['an element-scope value needs the element']);
      let map = this.elements.get(options.element);
      if (!map) this.elements.set(options.element, (map = new Map()));
      if (copy === undefined) map.delete(key);
      else map.set(key, copy);
    } else if (scope === 'page') {
      if (copy === undefined) this.page.delete(key);
      else this.page.set(key, copy);
    } else {
      const stored = this.readStored();
      const values = stored && stored.version === this.version ? { ...stored.values } : {};
      if (copy === undefined) delete values[key];
      else values[key] = copy;
      this.writeStored({ version: this.version, values });
    }
    this.changes.emit({ key, scope, element: scope === 'element' ? options.element : undefined });
  }

  onDidChange(listener: (e: SettingsChangeEvent) => void): Disposable {
    return this.changes.on(listener);
  }

  /** The version the user's values were stored under, if any are stored. */
  storedVersion(): number | undefined {
    return this.readStored()?.version;
  }

  /**
   * Brings stored user values to the manifest's version: through the module's hook when it has
   * one, else by keeping the values that still fit. Values that do not fit are dropped with a
   * warning naming them. A throwing hook propagates (the host charges it to the plugin).
   */
  async migrate(hook: PluginModule['migrateSettings']): Promise<{ from: number; to: number; dropped: string[] } | null> {
    const stored = this.readStored();
    if (!stored || stored.version === this.version) return null;
    const migrated = hook ? await hook(Object.freeze({ ...stored.values }), stored.version, this.version) : stored.values;
    if (!migrated || typeof migrated !== 'object' || Array.isArray(migrated)) throw new Error(`migrateSettings must return an object of settings; got ${JSON.stringify(migrated)}.`);
    const values: Record<string, unknown> = {};
    const dropped: string[] = [];
    for (const [key, value] of Object.entries(migrated)) {
      const schema = this.contribution?.properties[key];
      if (schema && Object.prototype.hasOwnProperty.call(this.contribution!.properties, key) && checkValue(value, schema, key).length === 0) values[key] = value;
      else dropped.push(key);
    }
    if (dropped.length) this.warn(`plugin "${this.pluginId}": settings ${dropped.join(', ')} did not fit settings version ${this.version} and were reset to their defaults.`);
    this.writeStored({ version: this.version, values });
    return { from: stored.version, to: this.version, dropped };
  }

  /** Another tab changed the stored values (a `storage` event for our key). */
  handleExternalChange(): void {
    const before = this.cache?.values ?? {};
    this.cache = undefined;
    const after = this.readStored()?.values ?? {};
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) this.changes.emit({ key, scope: 'user' });
    }
  }
}

/** Values are JSON-shaped: a copy keeps callers from mutating what the store holds. */
function clone<T>(value: T): T {
  return value === undefined || value === null || typeof value !== 'object' ? value : (JSON.parse(JSON.stringify(value)) as T);
}
