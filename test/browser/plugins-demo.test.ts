// The three example plugins of demo/plugins/, each checked against an independent computation.
import { expect } from 'chai';
import { tableToIPC } from 'apache-arrow';
import '../../components/cl-dashboard/cl-dashboard.js';
import type { DataHub } from '../../src/dataset/data-hub.js';
import type { PluginHost } from '../../src/plugins/plugin-host.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { runKernelSplit } from '../../workers/kernels/run-local.js';
import { walletShareKernel, type WalletShareResult } from '../../demo/plugins/wallet-share/wallet-share.kernel.js';
import type { SuitabilitySummary } from '../../demo/plugins/suitability/suitability-panel.js';
import { DEMO, createHost, createHub, shadowText, until } from './fixtures/plugin-support.js';

const ROWS = 20_000;

/** Clients by risk level 1..5 (index 0..4) and unknown, counted row by row (test code may loop). */
function riskLevels(rows: number): { byLevel: number[]; unknown: number } {
  const byLevel = [0, 0, 0, 0, 0];
  let unknown = 0;
  for (const t of generatePortfolio({ rows })) {
    const col = t.getChild('riskLevel')!;
    for (let i = 0; i < t.numRows; i++) {
      const v = col.get(i) as number | null;
      if (v === null) unknown++;
      else byLevel[v - 1]++;
    }
  }
  return { byLevel, unknown };
}

describe('demo plugins', () => {
  let hub: DataHub;
  let host: PluginHost;
  let dashboard: HTMLElement;

  before(async () => {
    hub = await createHub(ROWS);
    host = createHost(hub);
    await host.start();
    for (const p of ['suitability', 'wallet-share', 'arrow-source']) await host.install(`${DEMO}${p}/manifest.json`);
    dashboard = document.createElement('cl-dashboard');
    document.body.append(dashboard);
  });
  after(async () => {
    dashboard.remove();
    await host.dispose();
    await hub.dispose();
  });

  it('suitability-check panel: counts clients whose risk level allows the product, per panel, in a dashboard', async () => {
    dashboard.innerHTML = '<acme-suitability id="a"></acme-suitability><acme-suitability id="b"></acme-suitability>';
    const [a, b] = ['a', 'b'].map((id) => document.getElementById(id) as HTMLElement & { summary?: SuitabilitySummary });
    await until(() => a.summary !== undefined && b.summary !== undefined, 'both panels to compute');
    const expected = riskLevels(ROWS);
    expect(a.summary!.byLevel).to.deep.equal(expected.byLevel);
    expect(a.summary!.unknown).to.equal(expected.unknown);
    // Default product: Balanced fund, R3 -> levels 3..5 are suitable.
    expect(a.summary).to.deep.include({ product: 'Balanced fund', productRisk: 3, suitable: expected.byLevel[2] + expected.byLevel[3] + expected.byLevel[4], unsuitable: expected.byLevel[0] + expected.byLevel[1] });
    expect(shadowText(a)).to.contain('Suitability check').and.contain('Suitable').and.contain('Not suitable');

    // Element scope: panel b checks another product without touching a.
    const settings = host.settingsOf('acme.suitability');
    await settings.update('product', 'Structured note', { scope: 'element', element: b });
    await until(() => b.summary?.product === 'Structured note', 'panel b to switch product');
    expect(b.summary!.suitable).to.equal(expected.byLevel[4]);
    expect(a.summary!.product).to.equal('Balanced fund');
    // The command cycles every panel to its next product.
    expect(await host.executeCommand('acme.suitability.nextProduct')).to.equal(2);
    await until(() => a.summary?.product === 'Equity fund' && b.summary?.product === 'Money market fund', 'the products to advance');
    expect(b.summary!.suitable, 'R1: everyone with a known level').to.equal(ROWS - expected.unknown);
    // Page filters apply: only corporate clients.
    hub.filters.set('test', [{ column: 'clientType', op: 'eq', value: 'corporate' }]);
    await until(() => (b.summary?.suitable ?? ROWS) < ROWS - expected.unknown, 'the filter to apply');
    hub.filters.set('test', []);
  });

  it('wallet-share kernel: the worker pool gives exactly the single-thread answer, filters included', async () => {
    const tables = generatePortfolio({ rows: ROWS });
    const pooled = await host.runKernel<WalletShareResult>('acme.walletShare', {});
    const local = await runKernelSplit<WalletShareResult>(walletShareKernel, tables, {}, 3);
    expect(pooled.buckets).to.deep.equal(local.buckets);
    expect(pooled.clients).to.equal(local.clients);
    expect(pooled.skipped).to.equal(local.skipped);
    expect(pooled.mean!).to.be.closeTo(local.mean!, 1e-12);
    expect(pooled.clients + pooled.skipped).to.equal(ROWS);
    const filter = { all: [{ column: 'tier', op: 'in', values: ['hnw', 'uhnw'] }] };
    const rich = await host.runKernel<WalletShareResult>('acme.walletShare', { filter, edges: [0.5] });
    const richLocal = await runKernelSplit<WalletShareResult>(walletShareKernel, tables, { filter, edges: [0.5] }, 2);
    expect(rich.buckets.map((x) => x.count)).to.deep.equal(richLocal.buckets.map((x) => x.count));
    expect(rich.buckets.map((x) => x.label)).to.deep.equal(['0%–50%', '50%–100%']);

    // Its panel renders the same figures.
    dashboard.innerHTML = '<acme-wallet-share></acme-wallet-share>';
    const panel = dashboard.querySelector('acme-wallet-share')!;
    await until(() => !!panel.shadowRoot?.querySelector('[data-clients]'), 'the wallet share panel');
    expect(panel.shadowRoot!.querySelector('[data-clients]')!.getAttribute('data-clients')).to.equal(String(local.clients));
    expect(panel.shadowRoot!.querySelectorAll('rect')).to.have.length(5);
  });

  it('data-source plugin: loads an Arrow file from a URL into the hub, and every panel follows', async () => {
    // The fixture is made here, at test time: a 3,000-client portfolio as an Arrow IPC file.
    const bytes = tableToIPC(generatePortfolio({ rows: 3_000 })[0], 'file');
    const url = URL.createObjectURL(new Blob([new Uint8Array(bytes)], { type: 'application/vnd.apache.arrow.file' }));
    try {
      expect(host.paletteCommands().map((c) => c.command), 'no URL configured: command not offered').to.not.include('acme.arrowSource.load');
      await host.settingsOf('acme.arrow-source').update('url', url, { scope: 'page' });
      await until(() => host.paletteCommands().some((c) => c.command === 'acme.arrowSource.load'), 'the load command to be offered');
      dashboard.innerHTML = '<acme-suitability></acme-suitability>';
      const result = await host.executeCommand<{ rows: number; columns: number }>('acme.arrowSource.load');
      expect(result.rows).to.equal(3_000);
      expect(hub.current!.rows).to.equal(3_000);
      expect(hub.current!.id).to.equal(`bytes:arrow:${url}`);
      const panel = dashboard.querySelector('acme-suitability') as HTMLElement & { summary?: SuitabilitySummary };
      await until(() => panel.summary !== undefined && panel.summary.suitable + panel.summary.unsuitable + panel.summary.unknown === 3_000, 'the panel to follow the new dataset');
    } finally {
      URL.revokeObjectURL(url);
    }
  });

  it('data-source plugin: refuses a file that is not Arrow with a message naming the plugin', async () => {
    const url = URL.createObjectURL(new Blob(['clientId,aum\n1,2\n']));
    let message = '';
    try {
      await host.loadDataSource('acme.arrowFile', { params: { url } });
    } catch (err) {
      message = (err as Error).message;
    } finally {
      URL.revokeObjectURL(url);
    }
    expect(message).to.equal(`Plugin "Arrow file" (acme.arrow-source) failed in a data source: data source "acme.arrowFile": ${url} is not an Apache Arrow IPC file (no ARROW1 magic or stream marker).`);
    expect(hub.current!.rows, 'the current dataset is untouched').to.equal(3_000);
  });
});
