import { expect } from 'chai';
import { sendKeys } from '@web/test-runner-commands';
import '../../components/cl-command-palette/cl-command-palette.js';
import type { ClCommandPalette } from '../../components/cl-command-palette/cl-command-palette.js';
import type { DataHub } from '../../src/dataset/data-hub.js';
import type { PluginHost } from '../../src/plugins/plugin-host.js';
import { setLocale } from '../../src/i18n/locale.js';
import { seriousViolations } from './support/axe.js';
import { FIXTURES, createHost, createHub, fixture, until } from './fixtures/plugin-support.js';

/** Presses modifiers + a key as a real keyboard would (sendKeys' `press` takes one key). */
async function chord(...keys: string[]): Promise<void> {
  const key = keys.pop()!;
  for (const m of keys) await sendKeys({ down: m });
  await sendKeys({ press: key });
  for (const m of keys.reverse()) await sendKeys({ up: m });
}

function ran(): string[] {
  return (window as unknown as { __paletteRan?: string[] }).__paletteRan ?? [];
}

describe('<cl-command-palette>', () => {
  let hub: DataHub;
  let host: PluginHost;
  let palette: ClCommandPalette;
  let before: HTMLButtonElement;

  const root = () => palette.shadowRoot!;
  const input = () => root().querySelector('input')!;
  const options = () => [...root().querySelectorAll<HTMLElement>('[role="option"]')];
  const selected = () => root().querySelector<HTMLElement>('[role="option"][aria-selected="true"]');
  const dialogOpen = () => root().querySelector('dialog')!.open;

  beforeEach(async () => {
    if (!host) {
      hub = await createHub(5_000, 1);
      host = createHost(hub);
      await host.install(
        fixture('palette.test', 'palette-commands.ts', {
          commands: [
            { command: 'palette.greet', title: 'Greet the client', category: 'Test' },
            { command: 'palette.export', title: 'Export the client list', category: 'Test' },
            { command: 'palette.hidden', title: 'Hidden until enabled', category: 'Test', when: "palette.mode == 'expert'" },
          ],
          keybindings: [{ command: 'palette.greet', key: 'alt+shift+g' }],
        }, { displayName: 'Palette test plugin' }),
        { baseUrl: FIXTURES },
      );
      await host.start();
    }
    before = document.createElement('button');
    before.textContent = 'before';
    palette = document.createElement('cl-command-palette');
    palette.pluginHost = host;
    document.body.append(before, palette);
    await palette.updateComplete;
    before.focus();
  });
  afterEach(() => {
    palette.remove();
    before.remove();
  });
  after(async () => {
    await host.dispose();
    await hub.dispose();
  });

  it('opens with Ctrl+Shift+P, focuses the search box and lists commands with their keybindings', async () => {
    await chord('Control', 'Shift', 'KeyP');
    await until(() => dialogOpen(), 'the palette to open');
    await palette.updateComplete;
    expect(root().activeElement).to.equal(input());
    const labels = options().map((o) => o.textContent!.replace(/\s+/g, ' ').trim());
    expect(labels).to.include.members(['Test: Greet the client Palette test plugin Alt+Shift+G', 'Test: Export the client list Palette test plugin', 'Theme: Dark']);
    expect(labels.join('|'), 'when clause false: not offered').to.not.contain('Hidden until enabled');
    expect(labels.join('|'), 'the palette does not list itself').to.not.contain('Show all commands');
    expect(palette.shadowRoot!.querySelector('button.open kbd')!.textContent).to.equal('Ctrl+Shift+P');
  });

  it('filters fuzzily, moves with the arrow keys, runs with Enter and gives focus back', async () => {
    await chord('Control', 'Shift', 'KeyP');
    await until(() => dialogOpen(), 'the palette to open');
    await sendKeys({ type: 'tst clnt' });
    await palette.updateComplete;
    expect(options().map((o) => o.dataset.command)).to.deep.equal(['palette.greet', 'palette.export']);
    expect(input().getAttribute('aria-activedescendant')).to.equal(selected()!.id);
    expect(selected()!.dataset.command).to.equal('palette.greet');
    expect([...selected()!.querySelectorAll('mark')].map((m) => m.textContent).join('')).to.equal('Tstclnt');
    await sendKeys({ press: 'ArrowDown' });
    await palette.updateComplete;
    expect(selected()!.dataset.command).to.equal('palette.export');
    expect(input().getAttribute('aria-activedescendant')).to.equal(selected()!.id);
    await sendKeys({ press: 'ArrowDown' });
    await palette.updateComplete;
    expect(selected()!.dataset.command, 'wraps around').to.equal('palette.greet');
    await sendKeys({ press: 'ArrowUp' });
    await palette.updateComplete;
    const executed = new Promise<CustomEvent>((resolve) => palette.addEventListener('cl-command-execute', (e) => resolve(e as CustomEvent), { once: true }));
    await sendKeys({ press: 'Enter' });
    expect((await executed).detail).to.deep.equal({ command: 'palette.export', result: 'exported' });
    expect(dialogOpen()).to.equal(false);
    expect(document.activeElement).to.equal(before);
    expect(ran()).to.include('export');
  });

  it('closes with Escape, and opens from its button', async () => {
    palette.shadowRoot!.querySelector<HTMLButtonElement>('button.open')!.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => dialogOpen(), 'the palette to open from its button');
    await sendKeys({ type: 'zzzzqqq' });
    await palette.updateComplete;
    expect(options()).to.have.length(0);
    expect(root().querySelector('.empty')!.textContent).to.equal('No matching commands');
    expect(input().getAttribute('aria-expanded')).to.equal('false');
    await sendKeys({ press: 'Escape' });
    await until(() => !dialogOpen() && !palette.open, 'the palette to close');
    expect(palette.shadowRoot!.activeElement).to.equal(palette.shadowRoot!.querySelector('button.open'));
  });

  it('offers a command once its when clause holds, and runs keybindings without the palette', async () => {
    host.contextKeys.set('palette.mode', 'expert');
    await palette.show();
    expect(options().map((o) => o.dataset.command)).to.include('palette.hidden');
    palette.hide();
    host.contextKeys.set('palette.mode', undefined);
    await chord('Alt', 'Shift', 'KeyG');
    await until(() => ran().includes('greet'), 'the keybinding to run its command');
  });

  it('has no serious or critical accessibility violations, open or closed (axe)', async () => {
    expect(await seriousViolations(palette)).to.deep.equal([]);
    await palette.show();
    await sendKeys({ type: 'theme' });
    await palette.updateComplete;
    expect(await seriousViolations(palette)).to.deep.equal([]);
    const inputEl = input();
    expect(inputEl.getAttribute('role')).to.equal('combobox');
    expect(root().getElementById(inputEl.getAttribute('aria-controls')!)!.getAttribute('role')).to.equal('listbox');
    expect(root().querySelector('dialog')!.getAttribute('aria-label')).to.equal('Command palette');
    palette.hide();
  });

  it('speaks Simplified Chinese, built-in command titles included', async () => {
    await setLocale('zh-CN');
    try {
      await palette.updateComplete;
      expect(root().querySelector('button.open span')!.textContent).to.equal('命令');
      await palette.show();
      const labels = options().map((o) => o.textContent!.replace(/\s+/g, ' ').trim());
      expect(labels).to.include.members(['主题: 深色', '数据: 生成示例客户组合']);
      expect(input().getAttribute('aria-label')).to.equal('输入命令名称');
      expect(root().querySelector('dialog')!.getAttribute('aria-label')).to.equal('命令面板');
      palette.hide();
    } finally {
      await setLocale('en');
    }
  });

  it('reports a failing command without closing the page, naming the plugin', async () => {
    await host.install(fixture('broken.palette', 'throws-on-activate.ts', { commands: [{ command: 'broken.run', title: 'Run the broken scorer' }] }, { displayName: 'Broken scorer' }), { baseUrl: FIXTURES });
    const failed = new Promise<CustomEvent>((resolve) => palette.addEventListener('cl-command-error', (e) => resolve(e as CustomEvent), { once: true }));
    await palette.show();
    await sendKeys({ type: 'broken scorer' });
    await sendKeys({ press: 'Enter' });
    const detail = (await failed).detail as { command: string; message: string };
    expect(detail.command).to.equal('broken.run');
    expect(detail.message).to.equal('Command "broken.run" is unavailable: Plugin "Broken scorer" (broken.palette) failed in activate(): the scoring service URL is not configured');
    await palette.updateComplete;
    expect(root().querySelector('[role="status"]')!.textContent).to.contain('Run the broken scorer failed');
    await palette.show();
    expect(options().map((o) => o.dataset.command), 'a failed plugin\'s commands are withdrawn').to.not.include('broken.run');
    palette.hide();
  });
});
