// The palette without a `pluginHost` (issue 5): the plugin kit is not part of the page's start; a
// palette loads it when it connects, and one removed before the load resolves leaves nothing behind.
// Order matters: the first test needs a page where nothing has loaded the kit yet.
import { expect } from 'chai';
import { sendKeys } from '@web/test-runner-commands';
import type { ClCommandPalette } from './cl-command-palette.js';
import { loadPlugins } from '../../src/plugins-on-demand.js';

/** Module URLs of the kit's code fetched by this page so far (the dev server serves sources). */
function kitRequests(): string[] {
  return performance.getEntriesByType('resource').map((e) => e.name).filter((n) => /\/src\/plugins(\.(ts|js)|\/(plugin-host|default-plugin-host|builtin-plugin)\.(ts|js))(\?|$)/.test(n));
}

/** Window listeners added and not removed while `body` runs, by event type (only `types`). */
async function netWindowListeners(types: readonly string[], body: () => Promise<void>): Promise<Map<string, number>> {
  const net = new Map<string, number>();
  const add = window.addEventListener;
  const remove = window.removeEventListener;
  const count = (type: string, delta: number) => types.includes(type) && net.set(type, (net.get(type) ?? 0) + delta);
  window.addEventListener = function (this: Window, type: string, ...rest: unknown[]) {
    count(type, 1);
    return (add as (...a: unknown[]) => void).call(this, type, ...rest);
  } as typeof window.addEventListener;
  window.removeEventListener = function (this: Window, type: string, ...rest: unknown[]) {
    count(type, -1);
    return (remove as (...a: unknown[]) => void).call(this, type, ...rest);
  } as typeof window.removeEventListener;
  try {
    await body();
  } finally {
    window.addEventListener = add;
    window.removeEventListener = remove;
  }
  return net;
}

async function chord(...keys: string[]): Promise<void> {
  const key = keys.pop()!;
  for (const m of keys) await sendKeys({ down: m });
  await sendKeys({ press: key });
  for (const m of keys.reverse()) await sendKeys({ up: m });
}

// Not the one in test/browser/fixtures/plugin-support.ts: that module imports the kit itself.
async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const t0 = performance.now();
  while (!check()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const settle = () => new Promise((r) => setTimeout(r, 100));

// Room for every module the page fetches (the default buffer holds 250 entries, fewer than the
// sources of `clientlens`): a full buffer would drop the very entries these tests look for.
performance.setResourceTimingBufferSize(100_000);

describe('<cl-command-palette> without a pluginHost: the plugin kit on demand', () => {
  // What `import 'clientlens'` does, after the buffer is large enough to record it.
  before(() => import('../../src/index.js'));

  it('importing clientlens fetches none of the plugin kit', async () => {
    await settle();
    expect(customElements.get('cl-command-palette'), 'the elements are registered').to.not.equal(undefined);
    expect(kitRequests()).to.deep.equal([]);
  });

  it('a palette removed before the kit loads leaves no listener, subscription or host behind', async () => {
    let palette!: ClCommandPalette;
    const net = await netWindowListeners(['keydown', 'cl-command-palette-open', 'storage', 'lit-localize-status'], async () => {
      palette = document.createElement('cl-command-palette');
      document.body.append(palette);
      palette.remove();
      // The same load the palette started: once it resolves, the palette's continuation has run.
      await loadPlugins();
      await settle();
    });
    expect(kitRequests().length, 'the kit was requested by the palette').to.be.greaterThan(0);
    // No palette listener, and no shared host created for it (a host listens for keydown,
    // storage and locale changes on window when it starts).
    expect(Object.fromEntries(net)).to.deep.equal(Object.fromEntries([...net.keys()].map((k) => [k, 0])));
    expect(palette.pluginHost, 'no host taken while disconnected').to.equal(undefined);
    // The open request the built-in command sends reaches no removed palette.
    window.dispatchEvent(new CustomEvent('cl-command-palette-open'));
    await settle();
    expect(palette.open).to.equal(false);
  });

  it('loadPlugins(options) called after a palette began loading: the palette gets the configured host', async () => {
    const palette = document.createElement('cl-command-palette');
    document.body.append(palette);
    try {
      // The palette's load is in flight; the page configures in the same turn, as the bundle's users do.
      const kit = await loadPlugins({ allow: ['/demo/plugins/'] });
      await until(() => palette.pluginHost !== undefined, 'the palette to take the shared host');
      const host = kit.getDefaultPluginHost();
      expect(palette.pluginHost).to.equal(host);
      expect(host.allowList.check('/demo/plugins/suitability/main.js', 'main').pathname).to.equal('/demo/plugins/suitability/main.js');
      let again: unknown;
      await loadPlugins({ allow: ['/elsewhere/'] }).catch((err: unknown) => (again = err));
      expect(String(again)).to.match(/already configured or created/);
      expect(() => kit.configureDefaultPluginHost({ allow: ['/elsewhere/'] })).to.throw(/already exists/);
    } finally {
      palette.remove();
    }
  });

  it('connected, it takes the shared host: the shortcut shows, Ctrl+Shift+P opens it and commands run', async () => {
    const palette = document.createElement('cl-command-palette');
    document.body.append(palette);
    try {
      await until(() => palette.pluginHost !== undefined, 'the palette to load the plugin kit');
      const { getDefaultPluginHost } = await loadPlugins();
      expect(palette.pluginHost).to.equal(getDefaultPluginHost());
      await until(() => palette.shadowRoot!.querySelector('button.open kbd')?.textContent === 'Ctrl+Shift+P', 'the shortcut to show');
      await chord('Control', 'Shift', 'KeyP');
      await until(() => palette.shadowRoot!.querySelector('dialog')!.open, 'the palette to open from the keyboard');
      await palette.updateComplete;
      const commands = [...palette.shadowRoot!.querySelectorAll<HTMLElement>('[role="option"]')].map((o) => o.dataset.command);
      expect(commands).to.include('clientlens.theme.highContrast');
      const executed = new Promise<CustomEvent>((resolve) => palette.addEventListener('cl-command-execute', (e) => resolve(e as CustomEvent), { once: true }));
      palette.shadowRoot!.querySelector<HTMLElement>('[data-command="clientlens.theme.highContrast"]')!.click();
      expect((await executed).detail.command).to.equal('clientlens.theme.highContrast');
    } finally {
      palette.remove();
    }
  });

  it('show() called right after connecting waits for the kit; a reconnect while loading attaches once', async () => {
    const palette = document.createElement('cl-command-palette');
    document.body.append(palette);
    palette.remove();
    document.body.append(palette);
    try {
      await palette.show();
      expect(palette.shadowRoot!.querySelector('dialog')!.open).to.equal(true);
      palette.hide();
      // Disconnected, the palette stops listening: an open request no longer opens it.
      palette.remove();
      window.dispatchEvent(new CustomEvent('cl-command-palette-open'));
      await settle();
      expect(palette.open).to.equal(false);
    } finally {
      palette.remove();
    }
  });
});
