// The plugin host's logic in Node: lazy activation, commands and keys, containment, services,
// settings migration and the disposal budget. Modules come from a map instead of import(), the hub
// is a stand-in, and there is no DOM (panels and kernels are covered by the browser tests).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PluginHost, type PluginHostOptions } from '../../src/plugins/plugin-host.js';
import type { PluginContext, PluginManifest, PluginModule, PluginStatus } from '../../src/plugins/plugin-api.js';
import { PluginError, ServiceError } from '../../src/plugins/plugin-errors.js';
import type { DataHub } from '../../src/dataset/data-hub.js';
import type { StorageLike } from '../../src/plugins/settings-store.js';

const BASE = 'https://portal.bank.example/plugins/';
const fakeHub = { filters: { combined: () => undefined, onChange: () => ({ dispose() {} }) }, onCurrentChange: () => ({ dispose() {} }), current: undefined } as unknown as DataHub;

function manifest(id: string, contributes: PluginManifest['contributes'] = {}, extra: Partial<PluginManifest> = {}): PluginManifest {
  return { id, version: '1.0.0', engines: { clientlens: '^0.1.0' }, main: `${BASE}${id}/main.js`, contributes, ...extra };
}

interface Harness {
  host: PluginHost;
  imports: string[];
  warnings: string[];
  statuses: PluginStatus[];
}

let live: PluginHost[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(live.map((h) => h.dispose()));
  live = [];
});

function harness(modules: Record<string, PluginModule>, options: Partial<PluginHostOptions> = {}): Harness {
  const imports: string[] = [];
  const warnings: string[] = [];
  const statuses: PluginStatus[] = [];
  const host = new PluginHost({
    allow: [BASE],
    hub: async () => fakeHub,
    importModule: async (url) => {
      imports.push(url);
      const id = url.slice(BASE.length).split('/')[0];
      const m = modules[id];
      if (!m) throw new Error(`404 ${url}`);
      return m;
    },
    storage: null,
    panelRoot: null,
    keyTarget: null,
    platform: 'other',
    warn: (m) => warnings.push(m),
    ...options,
  });
  host.onDidChangeStatus((s) => statuses.push(s));
  live.push(host);
  return { host, imports, warnings, statuses };
}

function key(combo: Partial<KeyboardEvent> & { key: string; code: string }): KeyboardEvent {
  return { ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...combo } as KeyboardEvent;
}

describe('PluginHost: activation', () => {
  it('loads no plugin code until an activation event fires, then activates only the plugins that listen for it', async () => {
    const activated: string[] = [];
    const mod = (id: string, command: string): PluginModule => ({
      activate(ctx) {
        activated.push(id);
        ctx.subscriptions.push(ctx.registerCommand(command, (a: number, b: number) => ({ sum: a + b, by: id })));
      },
    });
    const { host, imports } = harness({ 'acme.a': mod('acme.a', 'acme.add'), 'acme.b': mod('acme.b', 'acme.other'), 'acme.c': { activate: () => void activated.push('acme.c') } });
    await host.install(manifest('acme.a', { commands: [{ command: 'acme.add', title: 'Add' }] }));
    await host.install(manifest('acme.b', { commands: [{ command: 'acme.other', title: 'Other' }] }));
    await host.install(manifest('acme.c', {}, { activationEvents: ['onStartup'] }));
    expect(imports).toEqual([]);
    expect(host.status('acme.a').state).toBe('inactive');

    await host.start();
    expect(imports).toEqual([`${BASE}acme.c/main.js`]);
    expect(host.status('acme.c')).toMatchObject({ state: 'active', activatedBy: 'onStartup' });

    expect(await host.executeCommand('acme.add', 2, 3)).toEqual({ sum: 5, by: 'acme.a' });
    expect(imports).toEqual([`${BASE}acme.c/main.js`, `${BASE}acme.a/main.js`]);
    expect(host.status('acme.a')).toMatchObject({ state: 'active', activatedBy: 'onCommand:acme.add' });
    expect(host.status('acme.b').state, 'a plugin nobody used stays unloaded').toBe('inactive');
    expect(activated).toEqual(['acme.c', 'acme.a']);
  });

  it('activates a plugin once even when several events race', async () => {
    let calls = 0;
    const { host } = harness({
      'acme.a': {
        async activate(ctx) {
          calls++;
          await new Promise((r) => setTimeout(r, 20));
          ctx.registerCommand('acme.x', () => 'x');
          ctx.registerCommand('acme.y', () => 'y');
        },
      },
    });
    await host.install(manifest('acme.a', { commands: [{ command: 'acme.x', title: 'X' }, { command: 'acme.y', title: 'Y' }] }));
    expect(await Promise.all([host.executeCommand('acme.x'), host.executeCommand('acme.y'), host.activate('acme.a')])).toEqual(['x', 'y', undefined]);
    expect(calls).toBe(1);
  });

  it('refuses a manifest URL off the allow-list before fetching anything', async () => {
    const fetchManifest = vi.fn(async () => manifest('acme.a'));
    const { host } = harness({}, { fetchManifest });
    await expect(host.install('https://evil.example/plugins/acme.a/manifest.json')).rejects.toThrow(/not on this page's plugin allow-list; allowed: https:\/\/portal.bank.example\/plugins\//);
    await expect(host.install(manifest('acme.a', {}, { main: 'https://evil.example/x.js' }))).rejects.toThrow(/main module of plugin "acme.a" URL https:\/\/evil.example\/x.js is not on this page's plugin allow-list/);
    expect(fetchManifest).not.toHaveBeenCalled();
    const fetched = await host.install(`${BASE}acme.a/manifest.json`);
    expect(fetched.id).toBe('acme.a');
    expect(fetchManifest).toHaveBeenCalledTimes(1);
  });

  it('refuses a second plugin contributing what another already contributes, and a version mismatch', async () => {
    const { host } = harness({});
    await host.install(manifest('acme.a', { commands: [{ command: 'acme.x', title: 'X' }] }));
    await expect(host.install(manifest('acme.b', { commands: [{ command: 'acme.x', title: 'X' }] }))).rejects.toThrow(/Plugin "acme.b" was refused: contributes command "acme.x" is already contributed by plugin "acme.a"/);
    await expect(host.install(manifest('acme.a'))).rejects.toThrow(/already installed/);
    await expect(host.install(manifest('acme.c', {}, { engines: { clientlens: '>=2' } }))).rejects.toThrow(/asks for clientlens >=2, but this page runs clientlens 0.1.0/);
  });
});

describe('PluginHost: commands, keybindings, when clauses', () => {
  it('runs commands with arguments and results, and explains a missing one', async () => {
    const { host } = harness({ 'acme.a': { activate: () => {} } });
    await host.install(manifest('acme.a', { commands: [{ command: 'acme.forgotten', title: 'Forgotten' }] }));
    await expect(host.executeCommand('acme.forgotten')).rejects.toThrow('Plugin "acme.a" contributes command "acme.forgotten" but did not register it in activate().');
    await expect(host.executeCommand('nobody.cmd')).rejects.toThrow('No command "nobody.cmd": no installed plugin contributes or registers it.');
  });

  it('refuses registrations that break the naming rules or collide', async () => {
    let ctx!: PluginContext;
    const { host } = harness({ 'acme.a': { activate: (c) => void (ctx = c) } });
    await host.install(manifest('acme.a', { panels: [] }, { activationEvents: ['onStartup'] }));
    await host.start();
    expect(() => ctx.registerCommand('other.x', () => 1)).toThrow('Plugin "acme.a": command "other.x" must start with "acme.".');
    ctx.registerCommand('acme.x', () => 1);
    expect(() => ctx.registerCommand('acme.x', () => 2)).toThrow('Command "acme.x" is already registered by "acme.a".');
    expect(() => ctx.registerDataSource('acme.src', { load: () => ({ kind: 'url', url: '/x.csv' }) })).toThrow(/registers data source "acme.src" but its manifest does not contribute it/);
    expect(() => ctx.setContext('clientlens.datasetLoaded', true)).toThrow(/context key "clientlens.datasetLoaded" must start with "acme."/);
  });

  it('resolves keybindings for the platform, honouring when clauses of bindings and commands', async () => {
    const { host } = harness({ 'acme.a': { activate: (ctx) => void ctx.registerCommand('acme.open', () => 'opened') } });
    await host.install(
      manifest('acme.a', {
        commands: [{ command: 'acme.open', title: 'Open', category: 'Acme', when: 'clientlens.datasetLoaded' }, { command: 'acme.advisor', title: 'Advisor only', when: "acme.mode == 'advisor'" }],
        keybindings: [{ command: 'acme.open', key: 'mod+shift+o' }],
      }),
    );
    const ctrlShiftO = key({ key: 'O', code: 'KeyO', ctrlKey: true, shiftKey: true });
    expect(host.resolveKey(ctrlShiftO), 'command when clause false').toBeUndefined();
    expect(host.paletteCommands()).toEqual([]);
    host.contextKeys.set('clientlens.datasetLoaded', true);
    expect(host.resolveKey(ctrlShiftO)?.command).toBe('acme.open');
    expect(host.resolveKey(key({ key: 'o', code: 'KeyO', ctrlKey: true })), 'shift is part of the combo').toBeUndefined();
    expect(host.paletteCommands()).toEqual([{ command: 'acme.open', title: 'Open', category: 'Acme', pluginId: 'acme.a', pluginName: 'acme.a', keybinding: 'Ctrl+Shift+O' }]);
    host.contextKeys.set('acme.mode', 'advisor');
    expect(host.paletteCommands().map((c) => c.command)).toEqual(['acme.open', 'acme.advisor']);

    const mac = harness({}, { platform: 'mac' }).host;
    await mac.install(manifest('acme.a', { commands: [{ command: 'acme.open', title: 'Open' }], keybindings: [{ command: 'acme.open', key: 'mod+shift+o' }] }));
    expect(mac.resolveKey(key({ key: 'O', code: 'KeyO', metaKey: true, shiftKey: true }))?.command).toBe('acme.open');
    expect(mac.resolveKey(ctrlShiftO)).toBeUndefined();
    expect(mac.keybindingLabel('acme.open')).toBe('⇧⌘O');
  });

  it('reads plugin settings as config.<id>.<key> context keys, before the plugin loads', async () => {
    const { host, imports } = harness({});
    await host.install(manifest('acme.src', { commands: [{ command: 'acme.src.load', title: 'Load', when: 'config.acme.src.url && !config.acme.src.offline' }], settings: { properties: { url: { type: 'string', default: '' }, offline: { type: 'boolean', default: false } } } }));
    const changed: string[] = [];
    host.contextKeys.onDidChange((k) => changed.push(k));
    expect(host.paletteCommands()).toEqual([]);
    await host.settingsOf('acme.src').update('url', 'https://data.bank.example/clients.arrow', { scope: 'page' });
    expect(host.paletteCommands().map((c) => c.command)).toEqual(['acme.src.load']);
    expect(changed).toEqual(['config.acme.src.url']);
    await host.settingsOf('acme.src').update('offline', true, { scope: 'page' });
    expect(host.paletteCommands()).toEqual([]);
    expect(host.lookupKey('config.acme.src.nope')).toBeUndefined();
    expect(host.lookupKey('config.other.url')).toBeUndefined();
    expect(imports).toEqual([]);
  });

  it('localizes titles from the manifest locale tables', async () => {
    const { host } = harness({});
    await host.install(manifest('acme.a', { commands: [{ command: 'acme.x', title: '%x%' }], locales: { en: { x: 'Check suitability' }, 'zh-CN': { x: '适当性检查' } } }, { displayName: 'Acme' }));
    expect(host.paletteCommands()[0]).toMatchObject({ title: 'Check suitability', pluginName: 'Acme' });
  });
});

describe('PluginHost: containment', () => {
  it('marks a plugin that throws in activate failed, names it, and keeps the others working', async () => {
    const { host, statuses } = harness({
      'acme.bad': { activate: () => { throw new TypeError('cannot read properties of undefined'); } },
      'acme.good': { activate: (ctx) => void ctx.registerCommand('acme.ping', () => 'pong') },
    });
    await host.install(manifest('acme.bad', { commands: [{ command: 'acme.boom', title: 'Boom' }] }, { displayName: 'Bad plugin' }));
    await host.install(manifest('acme.good', { commands: [{ command: 'acme.ping', title: 'Ping' }] }));
    const err = await host.executeCommand('acme.boom').catch((e: Error) => e);
    expect((err as Error).message).toBe('Command "acme.boom" is unavailable: Plugin "Bad plugin" (acme.bad) failed in activate(): cannot read properties of undefined');
    expect(host.status('acme.bad')).toMatchObject({ state: 'failed', error: { phase: 'activate', message: 'Plugin "Bad plugin" (acme.bad) failed in activate(): cannot read properties of undefined' } });
    expect(statuses.map((s) => `${s.id}:${s.state}`)).toContain('acme.bad:failed');
    await expect(host.activate('acme.bad')).rejects.toBeInstanceOf(PluginError);
    expect(await host.executeCommand('acme.ping')).toBe('pong');
    expect(host.paletteCommands().map((c) => c.command), 'a failed plugin offers nothing').toEqual(['acme.ping']);
  });

  it('charges a throwing command to its plugin: failed, its registrations undone, the others unaffected', async () => {
    const { host } = harness({
      'acme.a': {
        activate(ctx) {
          ctx.registerCommand('acme.explode', () => { throw new Error('division by zero in scoring'); });
          ctx.registerCommand('acme.other', () => 'still here?');
        },
      },
      'acme.b': { activate: (ctx) => void ctx.registerCommand('acme.fine', async (x: number) => x * 2) },
    });
    await host.install(manifest('acme.a', { commands: [{ command: 'acme.explode', title: 'Explode' }, { command: 'acme.other', title: 'Other' }] }));
    await host.install(manifest('acme.b', { commands: [{ command: 'acme.fine', title: 'Fine' }] }));
    await expect(host.executeCommand('acme.explode')).rejects.toThrow('Plugin "acme.a" (acme.a) failed in a command: command "acme.explode": division by zero in scoring');
    expect(host.status('acme.a').state).toBe('failed');
    expect(host.commands.has('acme.other'), 'the failed plugin\'s commands are unregistered').toBe(false);
    await expect(host.executeCommand('acme.other')).rejects.toThrow(/is unavailable: Plugin "acme.a"/);
    expect(await host.executeCommand('acme.fine', 21)).toBe(42);
  });

  it('fails an activation that runs past its budget, and its late registrations are refused', async () => {
    let lateError: unknown;
    const { host } = harness(
      {
        'acme.slow': {
          async activate(ctx) {
            await new Promise((r) => setTimeout(r, 120));
            try {
              ctx.registerCommand('acme.late', () => 1);
            } catch (err) {
              lateError = err;
            }
          },
        },
      },
      { activationTimeoutMs: 40 },
    );
    await host.install(manifest('acme.slow', {}, { activationEvents: ['onStartup'] }));
    await host.start();
    expect(host.status('acme.slow').error?.message).toMatch(/acme.slow.*activate\(\) did not finish within 40 ms/);
    await new Promise((r) => setTimeout(r, 150));
    expect((lateError as Error)?.message).toMatch(/is no longer active; its context was disposed/);
    expect(host.commands.has('acme.late')).toBe(false);
  });

  it('gives a failed plugin another chance with retry()', async () => {
    let attempts = 0;
    const { host } = harness({
      'acme.flaky': {
        activate(ctx) {
          if (++attempts === 1) throw new Error('service not ready');
          ctx.registerCommand('acme.flaky.run', () => 'ok');
        },
      },
    });
    await host.install(manifest('acme.flaky', { commands: [{ command: 'acme.flaky.run', title: 'Run' }] }));
    await expect(host.executeCommand('acme.flaky.run')).rejects.toThrow(/service not ready/);
    await host.retry('acme.flaky');
    expect(host.status('acme.flaky').state).toBe('inactive');
    expect(await host.executeCommand('acme.flaky.run')).toBe('ok');
  });
});

describe('PluginHost: services between plugins', () => {
  const catalogue = { productRisk: (name: string) => (name === 'Equity fund' ? 4 : 2) };

  it('activates the provider lazily and hands over the implementation', async () => {
    const order: string[] = [];
    let got: typeof catalogue | undefined;
    const { host } = harness({
      'acme.catalogue': {
        activate(ctx) {
          order.push('catalogue');
          ctx.provideService('acme.catalogue', '1.4.0', catalogue);
        },
      },
      'acme.panel': {
        async activate(ctx) {
          order.push('panel');
          got = await ctx.requireService<typeof catalogue>('acme.catalogue', '^1.2.0');
        },
      },
    });
    await host.install(manifest('acme.catalogue', { services: [{ name: 'acme.catalogue', version: '1.4.0' }] }));
    await host.install(manifest('acme.panel', {}, { activationEvents: ['onStartup'] }));
    await host.start();
    expect(order).toEqual(['panel', 'catalogue']);
    expect(got?.productRisk('Equity fund')).toBe(4);
    expect(host.status('acme.catalogue').activatedBy).toBe('onService:acme.catalogue');
  });

  it('names both plugins when the service is missing, at the wrong version, or its provider failed', async () => {
    const errors: Record<string, string> = {};
    const consumer = (range: string, tag: string): PluginModule => ({
      async activate(ctx) {
        try {
          await ctx.requireService('acme.catalogue', range);
        } catch (err) {
          expect(err).toBeInstanceOf(ServiceError);
          errors[tag] = (err as Error).message;
        }
      },
    });
    const lonely = harness({ 'acme.panel': consumer('^1', 'missing') });
    await lonely.host.install(manifest('acme.panel', {}, { displayName: 'Suitability', activationEvents: ['onStartup'] }));
    await lonely.host.start();
    expect(errors.missing).toBe('Plugin "Suitability" (acme.panel) requires service "acme.catalogue" ^1, but no installed plugin provides it.');

    const { host } = harness({
      'acme.catalogue': { activate: () => { throw new Error('catalogue endpoint is down'); } },
      'acme.old': consumer('^2.0.0', 'version'),
      'acme.panel': consumer('^1', 'failed'),
    });
    await host.install(manifest('acme.catalogue', { services: [{ name: 'acme.catalogue', version: '1.4.0' }] }, { displayName: 'Catalogue' }));
    await host.install(manifest('acme.old', {}, { activationEvents: ['onStartup'] }));
    await host.start();
    expect(errors.version).toBe('Plugin "acme.old" (acme.old) requires service "acme.catalogue" ^2.0.0, but plugin "Catalogue" (acme.catalogue) provides version 1.4.0.');
    await host.install(manifest('acme.panel', {}, { activationEvents: ['onStartup'] }));
    await host.activate('acme.panel');
    expect(errors.failed).toMatch(/^Plugin "acme.panel" \(acme.panel\) requires service "acme.catalogue" \^1 from plugin "Catalogue" \(acme.catalogue\), which failed: .*catalogue endpoint is down/);
  });

  it('refuses a cycle of plugins requiring each other while activating instead of hanging', async () => {
    const errors: string[] = [];
    const needs = (other: string): PluginModule => ({
      async activate(ctx) {
        try {
          await ctx.requireService(other, '*');
        } catch (err) {
          errors.push((err as Error).message);
        }
        ctx.provideService(`${ctx.id}.svc`.replace(/^acme\.(\w+)\.svc$/, 'acme.$1'), '1.0.0', {});
      },
    });
    const { host } = harness({ 'acme.x': needs('acme.y'), 'acme.y': needs('acme.x') });
    await host.install(manifest('acme.x', { services: [{ name: 'acme.x', version: '1.0.0' }] }));
    await host.install(manifest('acme.y', { services: [{ name: 'acme.y', version: '1.0.0' }] }));
    await host.activate('acme.x');
    expect(errors.join('\n')).toMatch(/require each other's services while activating \(a cycle\)/);
  });
});

describe('PluginHost: settings and disposal', () => {
  it('runs the migration hook before activate when the settings version changed', async () => {
    const storage: StorageLike & { data: Map<string, string> } = { data: new Map(), getItem(k) { return this.data.get(k) ?? null; }, setItem(k, v) { this.data.set(k, v); }, removeItem(k) { this.data.delete(k); } };
    storage.setItem('clientlens.settings.acme.s', JSON.stringify({ version: 1, values: { threshold: '70%' } }));
    let seen: unknown;
    const { host } = harness(
      {
        'acme.s': {
          migrateSettings: (old) => ({ threshold: parseInt(String(old.threshold), 10) / 100 }),
          activate: (ctx) => void (seen = ctx.settings.get('threshold')),
        },
      },
      { storage },
    );
    await host.install(manifest('acme.s', { settings: { version: 2, properties: { threshold: { type: 'number', minimum: 0, maximum: 1, default: 0.5 } } } }, { activationEvents: ['onStartup'] }));
    expect(host.settingsOf('acme.s').get('threshold'), 'not migrated before activation').toBe(0.5);
    await host.start();
    expect(seen).toBe(0.7);
    expect(JSON.parse(storage.getItem('clientlens.settings.acme.s')!)).toEqual({ version: 2, values: { threshold: 0.7 } });
  });

  it('awaits deactivate() and async disposables, last registered first, within the budget', async () => {
    const log: string[] = [];
    let ctx!: PluginContext;
    const { host } = harness(
      {
        'acme.d': {
          activate(c) {
            ctx = c;
            c.subscriptions.push({ dispose: async () => void (await new Promise((r) => setTimeout(r, 20)), log.push('first')) });
            c.subscriptions.push({ dispose: () => void log.push('second') });
            c.registerCommand('acme.d.run', () => 1);
          },
          deactivate: async () => void (await new Promise((r) => setTimeout(r, 10)), log.push('deactivate')),
        },
      },
      { disposeTimeoutMs: 500 },
    );
    await host.install(manifest('acme.d', {}, { activationEvents: ['onStartup'] }));
    await host.start();
    expect(await host.deactivate('acme.d')).toEqual({ timedOut: false });
    expect(log).toEqual(['deactivate', 'second', 'first']);
    expect(host.status('acme.d').state).toBe('inactive');
    expect(host.commands.has('acme.d.run'), 'registrations the plugin did not push are undone too').toBe(false);
    expect(() => ctx.registerCommand('acme.d.again', () => 1)).toThrow(/no longer active/);
  });

  it('moves on when a plugin\'s clean-up hangs past the budget, still undoing what the host registered', async () => {
    const { host, warnings } = harness(
      {
        'acme.h': {
          activate(c) {
            c.subscriptions.push({ dispose: () => new Promise<void>(() => {}) });
            c.registerCommand('acme.h.run', () => 1);
          },
        },
      },
      { disposeTimeoutMs: 50 },
    );
    await host.install(manifest('acme.h', {}, { activationEvents: ['onStartup'] }));
    await host.start();
    const t0 = Date.now();
    expect(await host.deactivate('acme.h')).toEqual({ timedOut: true });
    expect(Date.now() - t0).toBeLessThan(400);
    expect(host.commands.has('acme.h.run')).toBe(false);
    expect(warnings.join()).toMatch(/"acme.h" did not finish deactivating within 50 ms/);
    // It can be activated again afterwards.
    await host.activate('acme.h');
    expect(host.status('acme.h').state).toBe('active');
  });
});

describe('CommandRegistry and key strings', async () => {
  const { CommandRegistry } = await import('../../src/plugins/command-registry.js');
  const { parseKeybinding, formatKeybinding } = await import('../../src/plugins/keybindings.js');

  it('keeps handlers apart from where commands show, and undoes a registration once', async () => {
    const registry = new CommandRegistry();
    const changes: string[] = [];
    registry.onDidChange((c) => changes.push(c));
    const d = registry.register('acme.sum', 'acme.a', (...xs: number[]) => xs.reduce((a, b) => a + b, 0));
    expect(await registry.execute('acme.sum', [1, 2, 3])).toBe(6);
    expect(registry.owner('acme.sum')).toBe('acme.a');
    expect(() => registry.register('acme.sum', 'acme.b', () => 0)).toThrow('Command "acme.sum" is already registered by "acme.a".');
    expect(() => registry.register('has space', 'acme.a', () => 0)).toThrow(/command id/);
    void d.dispose();
    void d.dispose();
    expect(registry.has('acme.sum')).toBe(false);
    expect(changes).toEqual(['acme.sum', 'acme.sum']);
    await expect(registry.execute('acme.sum', [])).rejects.toThrow('No command "acme.sum" is registered.');
    registry.register('acme.throws', 'acme.a', () => {
      throw new Error('sync throw');
    });
    await expect(registry.execute('acme.throws', []), 'a sync throw becomes a rejection').rejects.toThrow('sync throw');
  });

  it('parses key strings per platform and refuses what it cannot press', () => {
    expect(parseKeybinding('mod+shift+p', 'other')).toEqual({ ctrl: true, meta: false, alt: false, shift: true, key: 'p' });
    expect(parseKeybinding('Mod+Shift+P', 'mac')).toEqual({ ctrl: false, meta: true, alt: false, shift: true, key: 'p' });
    expect(formatKeybinding(parseKeybinding('ctrl+alt+esc', 'other'), 'other')).toBe('Ctrl+Alt+Esc');
    expect(formatKeybinding(parseKeybinding('ctrl++', 'other'), 'other')).toBe('Ctrl++');
    expect(() => parseKeybinding('hyper+k', 'other')).toThrow(/"hyper" is not a modifier/);
    expect(() => parseKeybinding('ctrl+ctrl+k', 'other')).toThrow(/repeats a modifier/);
    expect(() => parseKeybinding('ctrl+enterr', 'other')).toThrow(/"enterr" is not a key/);
    expect(() => parseKeybinding('', 'other')).toThrow(/must be text/);
  });
});
