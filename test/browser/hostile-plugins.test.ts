/**
 * Plugin-provided strings are shown as text: a plugin whose display name, command titles and
 * categories, panel title and description, segmentation title and setting descriptions carry XSS
 * payloads is listed in cl-command-palette (including the fuzzy-match highlighting, which cuts
 * titles into pieces), fails a command (the status line quotes its title), and fails a panel (the
 * error badge names the plugin). Figure: payloads tried x places, scripts executed (must be 0).
 */
import { expect } from 'chai';
import '../../components/cl-command-palette/cl-command-palette.js';
import '../../components/cl-dashboard/cl-dashboard.js';
import type { ClCommandPalette } from '../../components/cl-command-palette/cl-command-palette.js';
import type { DataHub } from '../../src/dataset/data-hub.js';
import type { PluginHost } from '../../src/plugins/plugin-host.js';
import { FIXTURES, createHost, createHub, fixture, until } from './fixtures/plugin-support.js';

const BUMP = 'window.__xss=(window.__xss||0)+1';
const PAYLOADS = [
  `<img src=x onerror="${BUMP}">`,
  `<svg onload="${BUMP}"></svg>`,
  `"><script>${BUMP}</script>`,
  `'><iframe src="javascript:window.parent.__xss=(window.parent.__xss||0)+1"></iframe>`,
  `<a href="javascript:${BUMP}">x</a>`,
  '\u202Egnp.exe\u202C',
  `{{constructor.constructor("${BUMP}")()}}`,
  `<math><mtext><table><mglyph><style><img src=x onerror="${BUMP}">`,
  `<details open ontoggle="${BUMP}">`,
  `\${${BUMP}}`,
];

const executed = () => (window as { __xss?: number }).__xss ?? 0;
const injected = (root: ParentNode) => root.querySelectorAll('img, iframe, script, math, svg[onload], details, a[href^="javascript"]').length;

describe('hostile plugin strings', () => {
  let hub: DataHub;
  let host: PluginHost;

  before(async () => {
    hub = await createHub(2000, 1);
    host = createHost(hub);
    await host.start();
  });
  after(async () => {
    await host.dispose();
    await hub.dispose();
  });

  it(`shows ${PAYLOADS.length} payloads in titles, labels and names as text; no script runs`, async () => {
    const pageBaseline = injected(document.body); // the test runner's own scripts
    // One plugin per payload: its display name, every contributed title and description is the payload.
    for (const [i, p] of PAYLOADS.entries()) {
      await host.install(fixture(`hostile.p${i}`, 'throwing-command.ts', {
        // Declared but never registered by the fixture: running it fails and the status quotes its title.
        commands: [{ command: `hostile.p${i}.run`, title: p, category: p }],
        panels: [{ tag: `hostile-panel-${i}`, title: p, description: p }],
        segmentations: [{ id: `hostile.p${i}.seg`, title: p }],
        settings: { properties: { [`hostile.p${i}.mode`]: { type: 'string', default: p, description: p } } },
      }, { displayName: p, description: p }), { baseUrl: FIXTURES });
    }
    // A panel that fails, from a plugin named by a payload: the badge names it.
    await host.install(fixture('fragile.hostile', 'throwing-panel.ts', { panels: [{ tag: 'fragile-panel', title: PAYLOADS[0] }] }, { displayName: PAYLOADS[1] }), { baseUrl: FIXTURES });
    const dashboard = document.createElement('cl-dashboard');
    const fragile = document.createElement('fragile-panel');
    dashboard.append(fragile);
    document.body.append(dashboard);
    await until(() => host.status('fragile.hostile').state === 'failed' && !!fragile.shadowRoot?.querySelector('[role="alert"]'), 'the failing panel badge');

    const palette = document.createElement('cl-command-palette') as ClCommandPalette;
    palette.pluginHost = host;
    document.body.append(palette);
    await palette.updateComplete;
    await palette.show();
    await until(() => palette.shadowRoot!.querySelectorAll('[role="option"]').length >= PAYLOADS.length, 'every hostile command listed');
    const root = palette.shadowRoot!;
    const listed = root.querySelector('[role="listbox"]')!.textContent!;
    let places = 0;
    for (const p of PAYLOADS) {
      expect(listed, 'each title is listed as text').to.contain(p.trim());
      places += 2; // title and category
    }
    // Fuzzy search splits titles into highlighted pieces: a second path into the DOM.
    const input = root.querySelector('input')!;
    for (const q of ['img', 'script', 'onerror', 'gnp']) {
      input.value = q;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await palette.updateComplete;
      expect(injected(root), `no element made from a title while searching "${q}"`).to.equal(0);
      places++;
    }
    // A command that throws: the status line quotes the hostile title.
    input.value = '';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await palette.updateComplete;
    const first = root.querySelector<HTMLElement>('[role="option"]')!;
    first.click();
    await new Promise((r) => setTimeout(r, 300));
    places++;

    await new Promise((r) => setTimeout(r, 300));
    const badge = fragile.shadowRoot!.querySelector('[role="alert"]')!;
    expect(badge.textContent).to.contain(PAYLOADS[1]);
    places++;
    expect(injected(root), 'no element from a plugin string in the palette').to.equal(0);
    expect(injected(fragile.shadowRoot!), 'no element from a plugin string in the badge').to.equal(0);
    expect(injected(document.body), 'none in the page either').to.equal(pageBaseline);
    console.log(`hostile plugins: ${PAYLOADS.length} payloads through ${places} places (palette titles, categories, search highlighting, failure status, error badge), ${executed()} scripts executed`);
    expect(executed(), 'scripts executed').to.equal(0);
    palette.remove();
    dashboard.remove();
  });
});
