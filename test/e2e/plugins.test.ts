// The plugin kit in the demo served by Vite, in real Chromium: lazy plugin panels, the palette
// from the keyboard, and plugins (panel code and a worker kernel) under a strict CSP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPages, waitForText, type PageSession } from './support/page-server.js';

describe('plugins in the demo (Vite dev server + Chromium)', () => {
  let pages: PageSession;
  beforeAll(async () => {
    pages = await startPages();
  }, 120_000);
  afterAll(() => pages?.close());

  it('plugins/strict-csp.html: plugin panels and a plugin worker kernel run with no CSP violation', async () => {
    const { page, errors } = await pages.open('/plugins/strict-csp.html');
    await waitForText(page, 'Not suitable', 90_000);
    await page.waitForFunction(() => !!document.querySelector('acme-wallet-share')?.shadowRoot?.querySelector('[data-clients]'), { timeout: 60_000 });
    const clients = await page.evaluate(() => Number(document.querySelector('acme-wallet-share')!.shadowRoot!.querySelector('[data-clients]')!.getAttribute('data-clients')));
    expect(clients).toBeGreaterThan(0);
    // Activation is lazy and asynchronous: wait for both plugins to settle, then nothing may have failed.
    const statuses = () => (window as unknown as { clientlensPlugins: { pluginStatuses(): { id: string; state: string }[] } }).clientlensPlugins.pluginStatuses().map((s) => `${s.id}:${s.state}`);
    await page.waitForFunction(() => {
      const states = (window as unknown as { clientlensPlugins: { pluginStatuses(): { id: string; state: string }[] } }).clientlensPlugins.pluginStatuses().map((s) => `${s.id}:${s.state}`);
      return states.includes('acme.suitability:active') && states.includes('acme.wallet-share:active');
    }, { timeout: 60_000 });
    const states = await page.evaluate(statuses);
    expect(states).toEqual(expect.arrayContaining(['acme.suitability:active', 'acme.wallet-share:active']));
    expect(states.filter((s) => s.endsWith(':failed'))).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('index.html: the palette opens with Ctrl+Shift+P and lists the plugins\' commands', async () => {
    const { page, errors } = await pages.open('/');
    await waitForText(page, 'Cross-sell rate', 90_000);
    await page.keyboard.down('Control');
    await page.keyboard.down('Shift');
    await page.keyboard.press('KeyP');
    await page.keyboard.up('Shift');
    await page.keyboard.up('Control');
    await page.waitForFunction(() => document.querySelector('cl-command-palette')?.shadowRoot?.querySelector('dialog')?.open === true, { timeout: 10_000 });
    const commands = await page.evaluate(() => [...document.querySelector('cl-command-palette')!.shadowRoot!.querySelectorAll('[role="option"]')].map((o) => (o as HTMLElement).dataset.command));
    expect(commands).toEqual(expect.arrayContaining(['acme.suitability.nextProduct', 'acme.walletShare.compute', 'acme.arrowSource.load', 'clientlens.theme.dark']));
    await page.keyboard.type('arrow file');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => (window as unknown as { clientlensPlugins: { status(id: string): { state: string } } }).clientlensPlugins.status('acme.arrow-source').state === 'active', { timeout: 30_000 });
    await waitForText(page, '5,000', 60_000);
    expect(errors).toEqual([]);
    await page.close();
  });
});
