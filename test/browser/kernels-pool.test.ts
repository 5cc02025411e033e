import { expect } from 'chai';
import { DataHub } from '../../src/dataset/data-hub.js';
import { runKernel } from '../../src/query/run-kernel.js';
import { LatestQuery } from '../../src/query/latest-query.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { runKernelLocal } from '../../workers/kernels/run-local.js';
import { KERNELS } from '../../workers/kernels/index.js';
import type { KpiResult } from '../../workers/kernels/kpis.js';
import type { KernelWarmResult } from '../../workers/jobs/kernel-warm-job.js';

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

  // src/query/query-warmer.ts: once the queries have quietened, each worker holding rows runs them
  // with filters of its own (workers/jobs/kernel-warm-job.ts) and the answers stay as they were.
  it('warms the workers\' filtered code paths once the queries quieten, changing no answer', async () => {
    hub = await DataHub.create({ workers: 2, cache: { name: cacheName() } });
    const rows = 200_000;
    const dataset = await hub.load({ kind: 'generate', options: { rows } });
    const warms: { worker: number | undefined; result?: KernelWarmResult }[] = [];
    const run = hub.pool.run.bind(hub.pool);
    hub.pool.run = (<R>(name: string, args?: unknown, options?: { worker?: number }) => {
      const p = run<R>(name, args, options);
      if (name === 'kernel-warm') {
        const rec: (typeof warms)[number] = { worker: options?.worker };
        warms.push(rec);
        void p.then((r) => (rec.result = r as never));
      }
      return p;
    }) as typeof hub.pool.run;
    const before = await runKernel<KpiResult>(dataset, 'kpis', {});
    await runKernel(dataset, 'segment-rollup', { by: { column: 'region' }, measures: [{ column: 'aum', agg: 'sum' }] });
    await new Promise((r) => setTimeout(r, 1500));
    while (warms.some((w) => !w.result)) await new Promise((r) => setTimeout(r, 50));
    expect(warms.map((w) => w.worker).sort()).to.deep.equal(dataset.partitions.filter((p) => p.chunkCount > 0).map((p) => p.worker).sort());
    expect(warms.map((w) => ({ warmed: w.result!.warmed, failed: w.result!.failed, filtered: w.result!.filters.length > 0 }))).to.deep.equal(warms.map(() => ({ warmed: 2, failed: 0, filtered: true })));
    expect(await runKernel<KpiResult>(dataset, 'kpis', { filter: { all: [] } })).to.deep.equal(before);
    const filter = { all: [{ column: 'clientType', op: 'eq', value: 'corporate' }] };
    expect(await runKernel<KpiResult>(dataset, 'kpis', { filter })).to.deep.equal(await runKernelLocal(KERNELS.get('kpis')!, generatePortfolio({ rows }), { filter }));
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

  it('rejects a bad spec before any worker reads a row, as the kernel\'s SpecError', async () => {
    hub = await DataHub.create({ workers: 1, cache: { name: cacheName() } });
    const dataset = await hub.load({ kind: 'generate', options: { rows: 1000 } });
    let err: (Error & { kernel?: string; field?: string; problem?: string }) | undefined;
    try {
      await runKernel(dataset, 'kpis', { activeDays: 'soon' });
    } catch (e) {
      err = e as Error;
    }
    expect(err?.name).to.equal('SpecError');
    expect(err?.message).to.contain('activeDays');
    // The page holds no kernel code: one worker checks the spec (the 'kernel-check' job) and no
    // map or reduce follows.
    expect([err?.kernel, err?.field]).to.deep.equal(['kpis', 'activeDays']);
    expect(err?.problem).to.be.a('string').and.not.equal('');
    expect(hub.pool.stats()[0].completed, 'no kernel job ran').to.equal(1 /* the load; a refused check does not complete */);
  });

  it('names the field of a bad page filter, and refuses an unknown kernel', async () => {
    hub = await DataHub.create({ workers: 2, cache: { name: cacheName() } });
    const dataset = await hub.load({ kind: 'generate', options: { rows: 1000 } });
    const rejection = (p: Promise<unknown>) => p.then(() => undefined, (e: Error & { field?: string }) => e);
    const bad = await rejection(runKernel(dataset, 'kpis', { filter: { all: [{ column: 'nope', op: 'eq', value: 1 }] } }));
    expect(bad?.name).to.equal('SpecError');
    expect(bad?.field).to.equal('filter.all[0].column');
    const unknown = await rejection(runKernel(dataset, 'no-such-kernel', {}));
    expect(unknown?.message).to.contain('No kernel named "no-such-kernel"');
  });

  it('gives the single-thread answer for a kernel with a prepare stage (rfm), reduced in a worker', async () => {
    hub = await DataHub.create({ workers: 2, cache: { name: cacheName() } });
    const dataset = await hub.load({ kind: 'generate', options: { rows: 50_000 } });
    const spec = { by: 'region', asOf: '2026-06-30' };
    const pooled = await runKernel(dataset, 'rfm', spec);
    expect(pooled).to.deep.equal(await runKernelLocal(KERNELS.get('rfm')!, generatePortfolio({ rows: 50_000 }), spec));
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
