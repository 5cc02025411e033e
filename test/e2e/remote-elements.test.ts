/**
 * Real elements in real Chromium, once on the local workers and once with `query-source` set to a
 * ClickHouse engine (two shards, reached through a same-origin proxy) holding the same generated
 * clients: both must show the same numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { startClickHouseCluster, READER, type ClickHouseCluster } from '../node/support/clickhouse-cluster.js';
import { firstDifference } from '../node/support/close-to.js';
import { waitForText } from './support/page-server.js';
import { startProxiedPages, type ProxiedPages } from './support/proxied-pages.js';

// plain.html generates this many clients in the page (cl-dataset-loader rows="50000", default seed).
const ROWS = 50_000;
const ROOT = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');

let cluster: ClickHouseCluster;
let pages: ProxiedPages;

beforeAll(async () => {
  cluster = await startClickHouseCluster();
  await cluster.loadClients('clients', generatePortfolio({ rows: ROWS }));
  pages = await startProxiedPages(cluster.urls[0]);
}, 180_000);

afterAll(async () => {
  await pages?.close();
  await cluster?.stop();
});

/** Opens plain.html, waits for its local dataset, and registers the engine as "warehouse". */
async function openWithWarehouse(): Promise<{ page: Page; errors: string[] }> {
  const opened = await pages.open('/embed/plain.html');
  await waitForText(opened.page, 'Cross-sell rate');
  // As source text: vitest would rewrite a dynamic import() written in this file.
  await opened.page.evaluate(`(async () => {
    const core = await import('/@fs${ROOT}/src/core.ts');
    const engine = await core.connectClickHouse({ url: location.origin + '/clickhouse', table: 'clients', rowColumn: '_row', credentials: () => (${JSON.stringify(READER)}) });
    (await core.getDefaultHub()).registerQuerySource('warehouse', engine);
  })()`);
  return opened;
}

/** Adds a local and a remote copy of one element, waits for both results and their text. */
async function twins(page: Page, tag: string, attrs: Record<string, string>): Promise<{ local: unknown; remote: unknown; localText: string; remoteText: string }> {
  return page.evaluate(async (t: string, a: Record<string, string>) => {
    type WithValue = HTMLElement & { value?: unknown; updateComplete?: Promise<unknown> };
    const make = (remote: boolean) => {
      const el = document.createElement(t) as WithValue;
      for (const [k, v] of Object.entries(a)) el.setAttribute(k, v);
      if (remote) el.setAttribute('query-source', 'warehouse');
      document.body.append(el);
      return el;
    };
    const local = make(false);
    const remote = make(true);
    const until = Date.now() + 60_000;
    while ((local.value === undefined || remote.value === undefined) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    // Let both render what they have (and fetch what their lists look up), then settle.
    await new Promise((r) => setTimeout(r, 1500));
    await Promise.all([local.updateComplete, remote.updateComplete]);
    const text = (el: WithValue) => (el.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ').trim();
    return { local: JSON.parse(JSON.stringify(local.value ?? null)), remote: JSON.parse(JSON.stringify(remote.value ?? null)), localText: text(local), remoteText: text(remote) };
  }, tag, attrs);
}

describe('elements with query-source on ClickHouse', () => {
  it('cl-segments shows the same rollup as on the local workers', async () => {
    const { page, errors } = await openWithWarehouse();
    for (const attrs of [{ by: 'tier', measure: 'aum' }, { by: 'segment', measure: 'revenue', agg: 'median' }] as Record<string, string>[]) {
      const before = pages.forwarded;
      const r = await twins(page, 'cl-segments', attrs);
      expect(pages.forwarded, 'queries sent to ClickHouse').toBeGreaterThan(before);
      expect(r.local, JSON.stringify(attrs)).not.toBeNull();
      expect(firstDifference(r.remote, r.local), JSON.stringify(attrs)).toBeNull();
      expect(r.remoteText).toBe(r.localText);
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('cl-churn-watch shows the same rule counts and at-risk clients as on the local workers', async () => {
    const { page, errors } = await openWithWarehouse();
    const before = pages.forwarded;
    const r = await twins(page, 'cl-churn-watch', { 'as-of': '2026-06-30', by: 'region' });
    // Counts, the at-risk page and the client lookups of its rows.
    expect(pages.forwarded - before).toBeGreaterThanOrEqual(3);
    expect(r.local).not.toBeNull();
    expect(firstDifference(r.remote, r.local)).toBeNull();
    expect((r.remote as { any: number }).any).toBeGreaterThan(0);
    expect(r.remoteText).toBe(r.localText);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('cl-kpi, cl-profitability, cl-funnel, the asset x loyalty matrix and cl-client-card show the same numbers', async () => {
    const { page, errors } = await openWithWarehouse();
    const cases: [string, Record<string, string>][] = [
      ['cl-kpi', { currency: 'CNY' }],
      ['cl-profitability', { by: 'segment' }],
      ['cl-funnel', { 'split-by': 'segment' }],
      ['cl-segments', { view: 'matrix' }],
      ['cl-client-card', { 'client-id': 'C00000007', 'as-of': '2026-06-30' }],
    ];
    for (const [tag, attrs] of cases) {
      const before = pages.forwarded;
      const r = await twins(page, tag, attrs);
      expect(pages.forwarded, `${tag}: queries sent to ClickHouse`).toBeGreaterThan(before);
      expect(r.local, tag).not.toBeNull();
      expect(firstDifference(r.remote, r.local), tag).toBeNull();
      expect(r.remoteText, tag).toBe(r.localText);
    }
    expect(errors).toEqual([]);
    await page.close();
  });
});
