import { describe, expect, it } from 'vitest';
import { activationEventsOf, validateManifest } from '../../src/plugins/manifest.js';
import { ManifestError, PluginUrlError } from '../../src/plugins/plugin-errors.js';
import { UrlAllowList } from '../../src/plugins/url-policy.js';
import { BUILTIN_MANIFEST } from '../../src/plugins/builtin-plugin.js';
import * as api from '../../src/plugins/plugin-api.js';

const good = {
  id: 'acme.suitability',
  version: '1.0.0',
  displayName: 'Suitability check',
  engines: { clientlens: '^0.1.0' },
  main: './main.js',
  activationEvents: ['onStartup'],
  contributes: {
    commands: [{ command: 'acme.check', title: 'Check', when: "clientlens.datasetLoaded && acme.mode != 'x'" }],
    keybindings: [{ command: 'acme.check', key: 'mod+alt+k', mac: 'cmd+alt+k' }],
    panels: [{ tag: 'acme-suitability', title: 'Suitability' }],
    kernels: [{ name: 'acme.walletShare', module: './kernel.js', timeoutMs: 5000 }],
    dataSources: [{ id: 'acme.branches', title: 'Branches' }],
    segmentations: [{ id: 'acme.byRisk', title: 'By risk' }],
    services: [{ name: 'acme.catalogue', version: '1.2.0' }],
    settings: { version: 2, properties: { productRisk: { type: 'integer', minimum: 1, maximum: 5, default: 3 } } },
    locales: { 'zh-CN': { title: '适当性' } },
    themes: [{ id: 'plum', label: 'Plum', tokens: { '--cl-color-accent': '#7a1f5c' } }],
  },
};

function issues(input: unknown, options = {}): string[] {
  try {
    validateManifest(input, options);
  } catch (err) {
    expect(err).toBeInstanceOf(ManifestError);
    return (err as ManifestError).issues.map((i) => `${i.field}: ${i.problem}`);
  }
  throw new Error('expected the manifest to be refused');
}

describe('plugin manifests', () => {
  it('accepts a complete manifest and returns a frozen copy', () => {
    const m = validateManifest(good);
    expect(m).toEqual(good);
    expect(m).not.toBe(good);
    expect(Object.isFrozen(m.contributes!.commands)).toBe(true);
    expect([...activationEventsOf(m)].sort()).toEqual(['onCommand:acme.check', 'onDataSource:acme.branches', 'onPanel:acme-suitability', 'onService:acme.catalogue', 'onStartup']);
  });

  it('refuses a version mismatch, naming both versions', () => {
    const list = issues({ ...good, engines: { clientlens: '^2.0.0' } });
    expect(list).toEqual(['engines.clientlens: asks for clientlens ^2.0.0, but this page runs clientlens 0.1.0; install a version of the plugin made for 0.1.0']);
    expect(() => validateManifest(good, { hostVersion: '1.0.0' })).toThrow(/Plugin "acme.suitability" .*asks for clientlens \^0.1.0, but this page runs clientlens 1.0.0/);
  });

  it('lists every problem at once, each naming its field', () => {
    const list = issues({
      id: 'Acme Suitability',
      version: 'one',
      engines: { clientlens: 'latest' },
      activationEvents: ['onLoad', 'onCommand:x'],
      contributes: {
        commands: [{ command: 'other.check', title: '' }, { command: 'acme.x', title: 'X', when: 'a = b' }],
        keybindings: [{ command: 'acme.x', key: 'hyper+k' }],
        panels: [{ tag: 'nodash', title: 'P' }, { tag: 'cl-kpi', title: 'K' }],
        kernels: [{ name: 'acme.k', module: './k.js', timeoutMs: -1 }],
        settings: { properties: { n: { type: 'integer', minimum: 5, maximum: 1, default: 'x' }, e: { type: 'text' } } },
        themes: [{ id: 't', label: 'T', tokens: { color: 'red', '--cl-x': 'red; background: url(x)' } }],
        menus: [],
      },
    });
    const fields = list.map((l) => l.split(':')[0]);
    expect(fields).toEqual(expect.arrayContaining([
      'id', 'version', 'engines.clientlens', 'activationEvents[0]', 'contributes.commands[0].command', 'contributes.commands[0].title',
      'contributes.commands[1].when', 'contributes.keybindings[0].key', 'contributes.panels[0].tag', 'contributes.panels[1].tag',
      'contributes.kernels[0].timeoutMs', 'contributes.settings.properties.n.minimum', 'contributes.settings.properties.e.type',
      'contributes.themes[0].tokens.color', 'contributes.themes[0].tokens.--cl-x', 'contributes.menus', 'main',
    ]));
    expect(list.find((l) => l.startsWith('contributes.commands[1].when'))).toMatch(/compare with ==/);
    expect(list.find((l) => l.startsWith('contributes.panels[1].tag'))).toMatch(/"cl-" is reserved/);
    expect(list.find((l) => l.startsWith('main'))).toMatch(/is required: the plugin contributes commands, panels/);
  });

  it('says plainly what is wrong with a non-object, a duplicate and the reserved publisher', () => {
    expect(issues('{"id": 1}')).toEqual(['manifest: must be a JSON object; got string']);
    expect(issues({ ...good, id: 'clientlens.fake' })[0]).toMatch(/^id: uses the publisher "clientlens"/);
    const dup = issues({ ...good, contributes: { commands: [{ command: 'acme.a', title: 'A' }, { command: 'acme.a', title: 'B' }] } });
    expect(dup).toEqual(['contributes.commands[1].command: repeats command "acme.a"']);
  });

  it('validates the built-in manifest under the built-in rules, and refuses it as a third-party one', () => {
    expect(validateManifest(BUILTIN_MANIFEST, { builtin: true }).id).toBe('clientlens.builtin');
    expect(() => validateManifest(BUILTIN_MANIFEST)).toThrow(ManifestError);
  });

  it('keeps the plugin API module types-only (no run-time exports)', () => {
    expect(Object.keys(api)).toEqual([]);
  });
});

describe('URL allow-list', () => {
  const allow = new UrlAllowList(['/plugins/', 'https://cdn.bank.example/cl'], 'https://portal.bank.example/app/index.html');

  it('allows listed origins and path prefixes, resolving relative URLs against the manifest', () => {
    expect(allow.check('/plugins/acme/main.js', 'main').href).toBe('https://portal.bank.example/plugins/acme/main.js');
    expect(allow.check('./main.js', 'main', 'https://portal.bank.example/plugins/acme/manifest.json').href).toBe('https://portal.bank.example/plugins/acme/main.js');
    expect(allow.check('https://cdn.bank.example/cl/x/y.js', 'main').origin).toBe('https://cdn.bank.example');
  });

  it('refuses everything else with a message naming the URL and the list', () => {
    const refused = ['/app/evil.js', '/pluginsX/a.js', '../x.js', 'https://evil.example/plugins/a.js', 'https://cdn.bank.example/clx/a.js', 'http://portal.bank.example/plugins/a.js'];
    for (const url of refused) expect(() => allow.check(url, 'main module of plugin "x"'), url).toThrow(/is not on this page's plugin allow-list; allowed: \/plugins\/, https:\/\/cdn.bank.example\/cl/);
    expect(() => allow.check('data:text/javascript,alert(1)', 'main')).toThrow(/data: which is never allowed/);
    expect(() => allow.check('blob:https://portal.bank.example/1', 'main')).toThrow(/blob: which is never allowed/);
    expect(() => allow.check('javascript:alert(1)', 'main')).toThrow(PluginUrlError);
    expect(() => allow.check('/plugins/..%2fapp/evil.js', 'main')).toThrow(/encoded slash/);
    expect(() => allow.check('/plugins/%2e%2e/app/evil.js', 'main')).toThrow(/not on this page's plugin allow-list/);
    expect(() => allow.check('https://user:pw@portal.bank.example/plugins/a.js', 'main')).toThrow(/credentials/);
    expect(() => new UrlAllowList([]).check('/plugins/a.js', 'main')).toThrow(/allowed: nowhere/);
  });
});
