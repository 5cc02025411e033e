/**
 * Every kernel the remote engine translates, on a real two-shard ClickHouse cluster (Distributed
 * table over two servers), against the local kernel (runKernelLocal) on the same generated rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Table } from 'apache-arrow';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { getKernel } from '../../workers/kernels/index.js';
import { runKernelLocal } from '../../workers/kernels/run-local.js';
import { connectClickHouse, type ClickHouseEngine } from '../../src/remote/clickhouse-engine.js';
import { startClickHouseCluster, READER, type ClickHouseCluster } from './support/clickhouse-cluster.js';
import { firstDifference } from './support/close-to.js';

const ROWS = 40_000;
let cluster: ClickHouseCluster;
let engine: ClickHouseEngine;
let tables: Table[];

beforeAll(async () => {
  cluster = await startClickHouseCluster();
  tables = generatePortfolio({ rows: ROWS });
  await cluster.loadClients('clients', tables);
  engine = await connectClickHouse({ url: cluster.urls[0], table: 'clients', rowColumn: '_row', credentials: () => READER });
}, 120_000);

afterAll(async () => {
  await engine?.dispose();
  await cluster?.stop();
});

async function expectSame(kernel: string, spec: unknown): Promise<unknown> {
  const local = await runKernelLocal(getKernel(kernel), tables, spec);
  const remote = await engine.run(kernel, spec);
  const diff = firstDifference(remote, local);
  expect(diff, `${kernel} ${JSON.stringify(spec)}`).toBeNull();
  return remote;
}

const PAGE_FILTER = { all: [{ column: 'region', op: 'in', values: ['华东', '华北', '华南'] }, { column: 'aum', op: 'gte', value: 1000 }], any: [{ column: 'channel', op: 'ne', value: 'rm' }, { column: 'npsScore', op: 'isNull' }] };

describe('the ClickHouse engine', () => {
  it('has the rows and the schema of the generated portfolio', () => {
    expect(engine.rows).toBe(ROWS);
    expect(engine.schema.map((c) => c.name)).toEqual(tables[0].schema.fields.map((f) => f.name));
    expect(engine.schema.map((c) => c.type)).toEqual(tables[0].schema.fields.map((f) => String(f.type)));
  });
});

describe('segment-rollup on ClickHouse', () => {
  it('matches the local kernel by tier with every aggregate', async () => {
    await expectSame('segment-rollup', {
      by: { tier: {} },
      measures: [
        { agg: 'count' }, { column: 'aum', agg: 'sum' }, { column: 'aum', agg: 'mean' }, { column: 'revenue', agg: 'median' },
        { column: 'revenue', agg: 'quantile', q: 0.9 }, { column: 'lastTxnDate', agg: 'min' }, { column: 'npsScore', agg: 'max' },
        { column: 'costToServe', agg: 'sum' }, { column: 'revenue', agg: 'sum' }, { column: 'rm', agg: 'count' },
      ],
      ratios: [{ as: 'cti', numerator: 'sum_costToServe', denominator: 'sum_revenue' }],
      share: true,
    });
  });
  it('matches by a category column, two levels, with a filter', async () => {
    await expectSame('segment-rollup', { by: [{ column: 'region' }, { column: 'segment' }], measures: [{ column: 'aum', agg: 'sum' }, { column: 'age', agg: 'median' }], filter: PAGE_FILTER });
    await expectSame('segment-rollup', { by: [{ column: 'rm' }], measures: [{ column: 'loans', agg: 'quantile', q: 0.25 }] });
  });
  it('matches bins x tags and a tier x category matrix', async () => {
    await expectSame('segment-rollup', {
      by: [{ bins: { column: 'riskLevel', edges: [3, 4], labels: ['conservative', 'balanced', 'aggressive'] } },
        { tag: { rules: [{ label: 'sleepy', when: { all: [{ column: 'lastTxnDate', op: 'lt', value: '2026-01-01' }] } }, { label: 'digital', when: { all: [{ column: 'channel', op: 'eq', value: 'app' }] } }] } }],
      measures: [{ column: 'revenue', agg: 'mean' }, { column: 'assetOutflow3m', agg: 'max' }],
      share: true,
    });
    await expectSame('segment-rollup', { by: [{ tier: {} }, { column: 'channel' }], measures: [{ column: 'deposits', agg: 'sum' }], filter: { all: [{ column: 'churned', op: 'eq', value: false }] } });
  });
});

describe('a hub dataset backed by the engine', () => {
  it('runs through runKernel and the hub registry like a loaded dataset', async () => {
    // data-hub.ts imports the pool, whose TrustedWorker extends the browser's Worker at load time.
    (globalThis as { Worker?: unknown }).Worker ??= class {};
    const { DataHub } = await import('../../src/dataset/data-hub.js');
    const { runKernel } = await import('../../src/query/run-kernel.js');
    // No workers are needed: the rows are in ClickHouse.
    const hub = await DataHub.create({ pool: {} as never, cache: false });
    const registration = hub.registerQuerySource('warehouse', engine);
    expect(hub.querySource('warehouse')).toBe(engine);
    const dataset = hub.connect(hub.querySource('warehouse')!);
    expect(dataset.rows).toBe(ROWS);
    expect(dataset.origin).toBe('remote');
    const spec = { by: { column: 'segment' }, measures: [{ column: 'revenue', agg: 'median' }], filter: PAGE_FILTER };
    expect(firstDifference(await runKernel(dataset, 'segment-rollup', spec), await runKernelLocal(getKernel('segment-rollup'), tables, spec))).toBeNull();
    await registration.dispose();
    expect(hub.querySource('warehouse')).toBeUndefined();
    await dataset.release();
  });
});
