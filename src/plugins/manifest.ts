/**
 * Manifest validation: every field checked before any plugin code is fetched, every problem
 * reported at once with its field path (`contributes.commands[1].when: ...`). A plugin whose
 * `engines.clientlens` range does not include the page's clientlens is refused with both versions.
 *
 * Naming rules keep plugins apart: a plugin `acme.suitability` (publisher `acme`) names its
 * commands, kernels, data sources, segmentations and services `acme.*` and its panel tags `acme-*`.
 * The publisher `clientlens` and the `cl-` tag prefix are reserved for the built-in plugin.
 */
import type { PluginManifest } from './plugin-api.js';
import { ManifestError, type ManifestIssue } from './plugin-errors.js';
import { isValidRange, parseVersion, satisfies } from './semver.js';
import { parseWhen } from './when-clause.js';
import { parseKeybinding } from './keybindings.js';
import { checkSchema } from './settings-schema.js';
import { CLIENTLENS_VERSION } from './version.js';

export interface ValidateOptions {
  /** The host's version (default: this clientlens). */
  readonly hostVersion?: string;
  /** Built-in plugins may use the reserved `clientlens` publisher, `cl-` tags and unprefixed kernels. */
  readonly builtin?: boolean;
  /** Where the manifest came from, for messages. */
  readonly source?: string;
}

const ID = /^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/;
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;
const TAG = /^[a-z][a-z0-9]*(-[a-z0-9]+)+$/;
const RESERVED_TAGS = new Set(['annotation-xml', 'color-profile', 'font-face', 'font-face-src', 'font-face-uri', 'font-face-format', 'font-face-name', 'missing-glyph']);
const LOCALE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const ACTIVATION = /^(onStartup|(onCommand|onPanel|onDataSource|onService):(.+))$/;
const CONTRIBUTION_KEYS = ['commands', 'keybindings', 'panels', 'kernels', 'segmentations', 'dataSources', 'settings', 'services', 'locales', 'themes'] as const;
const MAX_LIST = 200;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Checks an untrusted manifest; returns a frozen copy or throws ManifestError listing every problem. */
export function validateManifest(input: unknown, options: ValidateOptions = {}): PluginManifest {
  const issues: ManifestIssue[] = [];
  const add = (field: string, problem: string) => issues.push({ field, problem });
  const builtin = options.builtin === true;
  const m = input as Obj;
  const rawId = isObj(m) && typeof m.id === 'string' ? m.id : undefined;
  if (!isObj(m)) throw new ManifestError(undefined, [{ field: 'manifest', problem: `must be a JSON object; got ${Array.isArray(input) ? 'a list' : typeof input}` }], options.source);

  const text = (field: string, v: unknown, required: boolean, max = 200): v is string => {
    if (v === undefined && !required) return false;
    if (typeof v !== 'string' || v.trim() === '') return add(field, 'must be a non-empty string'), false;
    if (v.length > max) return add(field, `must be at most ${max} characters`), false;
    return true;
  };

  if (text('id', m.id, true, 100) && !ID.test(m.id as string)) add('id', `must be "publisher.name" in lower case (letters, digits, dashes), e.g. "acme.suitability"; got ${JSON.stringify(m.id)}`);
  const publisher = rawId?.split('.')[0] ?? '';
  if (!builtin && publisher === 'clientlens') add('id', 'uses the publisher "clientlens", which is reserved for the built-in plugin');
  if (text('version', m.version, true, 64) && !parseVersion(m.version as string)) add('version', `must be a semver version like "1.0.0"; got ${JSON.stringify(m.version)}`);
  text('displayName', m.displayName, false, 100);
  text('description', m.description, false, 500);

  const hostVersion = options.hostVersion ?? CLIENTLENS_VERSION;
  const engines = m.engines as Obj | undefined;
  if (!isObj(engines)) add('engines', 'must be an object with a "clientlens" version range, e.g. { "clientlens": "^0.1.0" }');
  else if (text('engines.clientlens', engines.clientlens, true, 100)) {
    if (!isValidRange(engines.clientlens as string)) add('engines.clientlens', `is not a version range (e.g. "^0.1.0", ">=0.1 <1"); got ${JSON.stringify(engines.clientlens)}`);
    else if (!satisfies(hostVersion, engines.clientlens as string)) add('engines.clientlens', `asks for clientlens ${engines.clientlens}, but this page runs clientlens ${hostVersion}; install a version of the plugin made for ${hostVersion}`);
  }

  if (m.main !== undefined) text('main', m.main, true, 2000);

  const prefixOk = (value: string) => builtin || value.startsWith(`${publisher}.`);
  const uniq = new Map<string, Set<string>>();
  const unique = (kind: string, field: string, value: string) => {
    const seen = uniq.get(kind) ?? uniq.set(kind, new Set()).get(kind)!;
    if (seen.has(value)) add(field, `repeats ${kind} "${value}"`);
    seen.add(value);
  };
  const when = (field: string, v: unknown) => {
    if (v === undefined) return;
    if (!text(field, v, true, 1024)) return;
    try {
      parseWhen(v as string);
    } catch (err) {
      add(field, (err as Error).message);
    }
  };
  const list = (field: string, v: unknown): Obj[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v)) return add(field, 'must be a list'), [];
    if (v.length > MAX_LIST) return add(field, `has more than ${MAX_LIST} entries`), [];
    return v.map((item, i) => (isObj(item) ? item : (add(`${field}[${i}]`, 'must be an object'), {})));
  };
  const prefixed = (field: string, v: unknown, kind: string) => {
    if (!text(field, v, true, 200)) return;
    const s = v as string;
    if (!NAME.test(s)) add(field, `must be a name of letters, digits and . _ : - ; got ${JSON.stringify(s)}`);
    else if (!prefixOk(s)) add(field, `must start with the plugin's publisher, "${publisher}." (got "${s}"), so ${kind}s of different plugins never collide`);
    unique(kind, field, s);
  };

  const c = m.contributes;
  const contributes = c === undefined ? {} : isObj(c) ? c : (add('contributes', 'must be an object'), {});
  for (const key of Object.keys(contributes)) if (!(CONTRIBUTION_KEYS as readonly string[]).includes(key)) add(`contributes.${key}`, `is not a known contribution (known: ${CONTRIBUTION_KEYS.join(', ')})`);

  const commands = new Set<string>();
  list('contributes.commands', contributes.commands).forEach((cmd, i) => {
    const f = `contributes.commands[${i}]`;
    prefixed(`${f}.command`, cmd.command, 'command');
    if (typeof cmd.command === 'string') commands.add(cmd.command);
    text(`${f}.title`, cmd.title, true);
    text(`${f}.category`, cmd.category, false, 100);
    when(`${f}.when`, cmd.when);
  });
  list('contributes.keybindings', contributes.keybindings).forEach((kb, i) => {
    const f = `contributes.keybindings[${i}]`;
    if (text(`${f}.command`, kb.command, true) && !NAME.test(kb.command as string)) add(`${f}.command`, 'is not a command id');
    for (const [key, platform] of [['key', 'other'], ['mac', 'mac']] as const) {
      if (key === 'mac' && kb.mac === undefined) continue;
      if (!text(`${f}.${key}`, kb[key], true, 64)) continue;
      try {
        parseKeybinding(kb[key] as string, platform);
      } catch (err) {
        add(`${f}.${key}`, (err as Error).message);
      }
    }
    when(`${f}.when`, kb.when);
    if (kb.args !== undefined && !Array.isArray(kb.args)) add(`${f}.args`, 'must be a list of arguments');
  });
  list('contributes.panels', contributes.panels).forEach((p, i) => {
    const f = `contributes.panels[${i}]`;
    if (text(`${f}.tag`, p.tag, true, 100)) {
      const tag = p.tag as string;
      if (!TAG.test(tag) || RESERVED_TAGS.has(tag)) add(`${f}.tag`, `must be a valid custom element name (lower case, with a dash); got ${JSON.stringify(tag)}`);
      else if (!builtin && (tag.startsWith('cl-') || !tag.startsWith(`${publisher}-`))) add(`${f}.tag`, `must start with "${publisher}-" (the plugin's publisher; "cl-" is reserved); got "${tag}"`);
      unique('panel', `${f}.tag`, tag);
    }
    text(`${f}.title`, p.title, true);
    text(`${f}.description`, p.description, false, 500);
  });
  list('contributes.kernels', contributes.kernels).forEach((k, i) => {
    const f = `contributes.kernels[${i}]`;
    prefixed(`${f}.name`, k.name, 'kernel');
    if (!builtin || k.module !== undefined) text(`${f}.module`, k.module, true, 2000);
    if (k.timeoutMs !== undefined && !(typeof k.timeoutMs === 'number' && Number.isFinite(k.timeoutMs) && k.timeoutMs > 0 && k.timeoutMs <= 600_000)) add(`${f}.timeoutMs`, 'must be a number of milliseconds from 1 to 600000');
    text(`${f}.title`, k.title, false);
  });
  for (const kind of ['segmentations', 'dataSources'] as const) {
    list(`contributes.${kind}`, contributes[kind]).forEach((s, i) => {
      prefixed(`contributes.${kind}[${i}].id`, s.id, kind === 'dataSources' ? 'data source' : 'segmentation');
      text(`contributes.${kind}[${i}].title`, s.title, true);
    });
  }
  list('contributes.services', contributes.services).forEach((s, i) => {
    prefixed(`contributes.services[${i}].name`, s.name, 'service');
    if (text(`contributes.services[${i}].version`, s.version, true, 64) && !parseVersion(s.version as string)) add(`contributes.services[${i}].version`, `must be a semver version; got ${JSON.stringify(s.version)}`);
  });
  if (contributes.settings !== undefined) {
    const s = contributes.settings;
    if (!isObj(s)) add('contributes.settings', 'must be an object with "properties" (and optionally "version")');
    else {
      for (const key of Object.keys(s)) if (key !== 'version' && key !== 'properties') add(`contributes.settings.${key}`, 'is not supported (use "version" and "properties")');
      if (s.version !== undefined && !(Number.isInteger(s.version) && (s.version as number) >= 1)) add('contributes.settings.version', `must be a whole number of at least 1; got ${JSON.stringify(s.version)}`);
      if (!isObj(s.properties)) add('contributes.settings.properties', 'must be an object of setting schemas');
      else for (const [key, schema] of Object.entries(s.properties)) {
        if (!/^[A-Za-z][A-Za-z0-9_.-]*$/.test(key)) add(`contributes.settings.properties.${key}`, 'has a key that is not a plain name');
        for (const problem of checkSchema(schema, `contributes.settings.properties.${key}`)) issues.push({ field: problem.split(' ')[0], problem: problem.slice(problem.indexOf(' ') + 1) });
      }
    }
  }
  if (contributes.locales !== undefined) {
    if (!isObj(contributes.locales)) add('contributes.locales', 'must map locales to string tables, e.g. { "zh-CN": { "title": "..." } }');
    else for (const [locale, table] of Object.entries(contributes.locales)) {
      if (!LOCALE.test(locale)) add(`contributes.locales.${locale}`, 'is not a locale tag like "en" or "zh-CN"');
      if (!isObj(table) || Object.values(table).some((v) => typeof v !== 'string' || v.length > 2000)) add(`contributes.locales.${locale}`, 'must be an object of strings');
    }
  }
  list('contributes.themes', contributes.themes).forEach((t, i) => {
    const f = `contributes.themes[${i}]`;
    if (text(`${f}.id`, t.id, true, 100)) unique('theme', `${f}.id`, t.id as string);
    text(`${f}.label`, t.label, true);
    if (!isObj(t.tokens) || Object.keys(t.tokens).length === 0) add(`${f}.tokens`, 'must map --cl-* custom properties to values');
    else for (const [name, value] of Object.entries(t.tokens)) {
      if (!/^--cl-[a-z0-9-]+$/.test(name)) add(`${f}.tokens.${name}`, 'is not a clientlens custom property (--cl-...)');
      // A plain value: no declarations, blocks, comments, url() or markup smuggled in.
      else if (typeof value !== 'string' || value.length > 200 || /[;{}<>\\]|\/\*|url\s*\(|expression\s*\(/i.test(value)) add(`${f}.tokens.${name}`, 'must be a plain CSS value (no ; { } < > \\ comments or url())');
    }
  });

  const events = m.activationEvents;
  if (events !== undefined) {
    if (!Array.isArray(events)) add('activationEvents', 'must be a list');
    else events.forEach((e, i) => {
      if (typeof e !== 'string' || !ACTIVATION.test(e)) add(`activationEvents[${i}]`, `must be onStartup, onCommand:<id>, onPanel:<tag>, onDataSource:<id> or onService:<name>; got ${JSON.stringify(e)}`);
    });
  }

  const needsCode = ['commands', 'panels', 'dataSources', 'segmentations', 'services'].filter((k) => Array.isArray(contributes[k]) && (contributes[k] as unknown[]).length > 0);
  if (m.main === undefined && (needsCode.length || (Array.isArray(events) && events.length))) add('main', `is required: the plugin contributes ${needsCode.length ? needsCode.join(', ') : 'activation events'}, whose code lives in its main module`);
  if (issues.length) throw new ManifestError(rawId, issues, options.source);
  return deepFreeze(JSON.parse(JSON.stringify(m))) as PluginManifest;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Activation events a manifest implies: its contributions' own, plus those it lists. */
export function activationEventsOf(manifest: PluginManifest): Set<string> {
  const c = manifest.contributes ?? {};
  return new Set<string>([
    ...(manifest.activationEvents ?? []),
    ...(c.commands ?? []).map((x) => `onCommand:${x.command}`),
    ...(c.panels ?? []).map((x) => `onPanel:${x.tag}`),
    ...(c.dataSources ?? []).map((x) => `onDataSource:${x.id}`),
    ...(c.services ?? []).map((x) => `onService:${x.name}`),
  ]);
}
