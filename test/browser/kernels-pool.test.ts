import { expect } from 'chai';
import { DataHub } from '../../src/dataset/data-hub.js';
import { runKernel } from '../../src/query/run-kernel.js';
import { LatestQuery } from '../../src/query/latest-query.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { runKernelLocal } from '../../workers/kernels/run-local.js';
import { KERNELS } from '../../workers/kernels/index.js';
import type { KpiResult } from '../../workers/kernels/kpis.js';

const cacheName = () => `kernels-${Date.now()}-${Math.random().toString(36).slice(2)}`;

describe('kernels in the worker pool (real workers)', () => {
  let hub: DataHub;
  afterEach(() => hub?.dispose());

  it('gives exactly the single-thread answer for every built-in kernel with its default spec', async () => {
    hub = await DataHub.create({ workers: 2, cache: { name: cacheName() } });
    const rows = 200_000;
    const dataset = await hub.load({ kind: 'generate', options: { rows } });
    const tables = generatePortfolio({ rows });
    const kpis = await runKernel<KpiResult>(dataset, 'kpis', {});
    expect(kpis).to.deep.equal(await runKernelLocal(KERNELS.get('kpis')!, tables, {}));
    expect(kpis.clients).to.equal(rows);
  });

  it('applies page filters in the workers', async () => {
    hub = await DataHub.create({ workers: 2, cache: { name: cacheName() } });
    const dataset = await hub.load({ kind: 'generate', options: { rows: 100_000 } });
    const filter = { all: [{ column: 'clientType', op: 'eq', value: 'corporate' }] };
    const pooled = await runKernel<KpiResult>(dataset, 'kpis', { filter });
    const local = await runKernelLocal<KpiResult>(KERNELS.get('kpis')!, generatePortfolio({ rows: 100_000 }), { filter });
    expect(pooled).to.deep.equal(local);
    expect(pooled.clients).to.be.lessThan(100_000).and.greaterThan(0);
  });

  it('rejects a bad spec on the main thread before any worker is busy', async () => {
    hub = await DataHub.create({ workers: 1, cache: { name: cacheName() } });
    const dataset = await hub.load({ kind: 'generate', options: { rows: 1000 } });
    let err: Error | undefined;
    try {
      await runKernel(dataset, 'kpis', { activeDays: 'soon' });
    } catch (e) {
      err = e as Error;
    }
    expect(err?.name).to.equal('SpecError');
    expect(err?.message).to.contain('activeDays');
    expect(hub.pool.stats()[0].completed, 'no kernel job ran').to.equal(1 /* the load */);
  });

  it('cancels the stale query when a newer one starts', async () => {
    hub = await DataHub.create({ workers: 2, cache: { name: cacheName() } });
    const dataset = await hub.load({ kind: 'generate', options: { rows: 300_000 } });
    const latest = new LatestQuery();
    const first = latest.run((signal) => runKernel(dataset, 'kpis', {}, { signal }));
    const second = latest.run((signal) => runKernel<KpiResult>(dataset, 'kpis', { activeDays: 30 }, { signal }));
    let firstError: Error | undefined;
    try {
      await first;
    } catch (e) {
      firstError = e as Error;
    }
    expect(firstError?.name).to.equal('AbortError');
    expect((await second).clients).to.equal(300_000);
  });
});
