/**
 * The kernels translated after segment-rollup (churn-rules, profitability, whale-curve,
 * asset-loyalty, kpis, client-lookup, funnel, rfm) on a real two-shard ClickHouse cluster, each
 * against runKernelLocal on the same rows, with and without a page filter: the generated
 * portfolio, and a small table of edge cases (nulls, NaN, infinities, ties, repeated and null
 * ids, ids whose UTF-16 and code point orders differ).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Table } from 'apache-arrow';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { getKernel } from '../../workers/kernels/index.js';
import { runKernelLocal } from '../../workers/kernels/run-local.js';
import { connectClickHouse, type ClickHouseEngine } from '../../src/remote/clickhouse-engine.js';
import { startClickHouseCluster, READER, type ClickHouseCluster } from './support/clickhouse-cluster.js';
import { firstDifference } from './support/close-to.js';
import { edgeTable } from './support/clickhouse-edge-table.js';

const ROWS = 30_000;
let cluster: ClickHouseCluster;
let engine: ClickHouseEngine;
let tables: Table[];
let edge: ClickHouseEngine;
let edgeTables: Table[];
// The same tables with gatherMax 0: translations with a one-query path for small inputs take
// their large-input path (rank selection) here.
let engineRanked: ClickHouseEngine;
let edgeRanked: ClickHouseEngine;

beforeAll(async () => {
  cluster = await startClickHouseCluster();
  tables = generatePortfolio({ rows: ROWS });
  edgeTables = [edgeTable()];
  await cluster.loadClients('clients', tables);
  await cluster.loadClients('edge', edgeTables);
  engine = await connectClickHouse({ url: cluster.urls[0], table: 'clients', rowColumn: '_row', credentials: () => READER });
  edge = await connectClickHouse({ url: cluster.urls[1], table: 'edge', rowColumn: '_row', credentials: () => READER });
  engineRanked = await connectClickHouse({ url: cluster.urls[0], table: 'clients', rowColumn: '_row', credentials: () => READER, gatherMax: 0 });
  edgeRanked = await connectClickHouse({ url: cluster.urls[1], table: 'edge', rowColumn: '_row', credentials: () => READER, gatherMax: 0 });
}, 120_000);

afterAll(async () => {
  await engine?.dispose();
  await edge?.dispose();
  await engineRanked?.dispose();
  await edgeRanked?.dispose();
  await cluster?.stop();
});

/**
 * Ranked lists carry a row number. Under a page filter (applied by the runner, filtered-rows.ts)
 * the local kernel reports the row's position among the rows that pass in its batch, plus the
 * batch's first row, not its global row number; the engine reports the global row number (what
 * top-rows.ts documents). Those lists are compared without `row`, and the engine's rows are
 * checked to be the rows holding the listed ids.
 */
function stripRows(result: unknown, table: Table, check: boolean): unknown {
  const copy = structuredClone(result) as Record<string, unknown>;
  const lists: { clientId: string | null; row?: number }[][] = [];
  if (copy.atRisk) lists.push((copy.atRisk as { clients: { clientId: string | null; row?: number }[] }).clients);
  if (Array.isArray(copy.top)) lists.push(copy.top as { clientId: string | null; row?: number }[]);
  const ids = table.getChild('clientId')!;
  for (const list of lists) for (const item of list) {
    if (check) expect(ids.get(item.row!), `row ${item.row}`).toBe(item.clientId);
    delete item.row;
  }
  // rfm's boundary rows are position keys under a page filter (see src/remote/kernels/rfm.ts).
  const b = copy.boundaries as Record<string, { row?: number }[]> | undefined;
  if (b) for (const list of Object.values(b)) for (const x of list) delete x.row;
  return copy;
}

async function expectSame<T>(kernel: string, spec: unknown, on: 'clients' | 'edge' = 'clients', path: 'default' | 'ranked' = 'default'): Promise<T> {
  const data = on === 'edge' ? edgeTables : tables;
  const local = await runKernelLocal(getKernel(kernel), data, spec);
  const remote = await (path === 'ranked' ? (on === 'edge' ? edgeRanked : engineRanked) : on === 'edge' ? edge : engine).run(kernel, spec);
  const filtered = typeof spec === 'object' && spec !== null && 'filter' in spec && getKernel(kernel).filters !== 'native';
  const [a, b] = filtered ? [stripRows(remote, data[0], true), stripRows(local, data[0], false)] : [remote, local];
  expect(firstDifference(a, b), `${kernel} on ${on} (${path}) ${JSON.stringify(spec)}`).toBeNull();
  return remote as T;
}

const PAGE_FILTER = { all: [{ column: 'region', op: 'in', values: ['华东', '华北', '华南'] }, { column: 'aum', op: 'gte', value: 1000 }], any: [{ column: 'channel', op: 'ne', value: 'rm' }, { column: 'npsScore', op: 'isNull' }] };
const EDGE_FILTER = { all: [{ column: 'region', op: 'ne', value: 'west' }], any: [{ column: 'aum', op: 'gt', value: 0 }, { column: 'riskLevel', op: 'notIn', values: [1, 2.5] }] };
const AS_OF = '2026-06-30';
const ALL_RULES = [
  { id: 'inactive', kind: 'inactivity', threshold: 60 },
  { id: 'outflow', kind: 'asset-outflow', threshold: 0.3 },
  { id: 'nps', kind: 'low-satisfaction', threshold: 6.5 },
  { id: 'late', kind: 'late-payments', threshold: 2 },
];

describe('churn-rules on ClickHouse', () => {
  it('matches the default rules with group sizes and the first page', async () => {
    const r = await expectSame<{ any: number; atRisk: { clients: unknown[] } }>('churn-rules', { asOf: AS_OF, by: 'region', groupSizes: true, limit: 50 });
    expect(r.any).toBeGreaterThan(100);
    expect(r.atRisk.clients).toHaveLength(50);
  });
  it('matches every rule kind, per segment, a later page ordered by revenue, with a page filter', async () => {
    await expectSame('churn-rules', { rules: ALL_RULES, asOf: AS_OF, by: 'segment', orderBy: 'revenue', offset: 30, limit: 25 });
    await expectSame('churn-rules', { rules: ALL_RULES, asOf: AS_OF, by: 'rm', offset: 200, limit: 40, filter: PAGE_FILTER });
    await expectSame('churn-rules', { rules: ALL_RULES, asOf: AS_OF, by: 'channel', groupSizes: true, filter: PAGE_FILTER });
  });
  it('breaks ties by id with an integer or no order column, and pages past the end', async () => {
    await expectSame('churn-rules', { rules: ALL_RULES, asOf: AS_OF, orderBy: 'riskLevel', offset: 5, limit: 60 });
    await expectSame('churn-rules', { rules: [{ id: 'late', kind: 'late-payments' }, { id: 'nps', kind: 'low-satisfaction', column: 'riskLevel', threshold: 2 }], orderBy: null, limit: 30 });
    await expectSame('churn-rules', { asOf: AS_OF, offset: 99_000, limit: 1000 });
    await expectSame('churn-rules', { asOf: AS_OF, limit: 0, by: 'industry' });
  });
});

describe('profitability on ClickHouse', () => {
  it('matches per segment with CLTV/CAC and cost-to-income', async () => {
    await expectSame('profitability', { by: 'segment' });
    await expectSame('profitability', {});
  });
  it('matches with other columns, rates, and a page filter', async () => {
    await expectSame('profitability', { by: 'industry', acquisitionCost: null, retention: 0.8, discountRate: 0.1, filter: PAGE_FILTER });
    await expectSame('profitability', { by: 'rm', revenue: 'deposits', cost: 'loans', acquisitionCost: 'aum', filter: { all: [{ column: 'tier', op: 'eq', value: 'no such tier' }] } });
  });
});

describe.each(['default', 'ranked'] as const)('whale-curve on ClickHouse (%s path)', (path) => {
  it('matches the default curve and top clients', async () => {
    await expectSame('whale-curve', {}, 'clients', path);
  });
  it('matches other point counts, top lists and a page filter', async () => {
    await expectSame('whale-curve', { points: 7, topN: 25, filter: PAGE_FILTER }, 'clients', path);
    await expectSame('whale-curve', { points: 1000, topN: 0 }, 'clients', path);
    await expectSame('whale-curve', { revenue: 'deposits', cost: 'loans', topN: 3 }, 'clients', path);
    await expectSame('whale-curve', { filter: { all: [{ column: 'tier', op: 'eq', value: 'no such tier' }] } }, 'clients', path);
  });
});

describe('asset-loyalty on ClickHouse', () => {
  it('matches the default matrix and corner list', async () => {
    await expectSame('asset-loyalty', {});
  });
  it('matches other bands, columns, a category id and a page filter', async () => {
    await expectSame('asset-loyalty', {
      assets: { edges: [10_000, 100_000, 1_000_000], labels: ['s', 'm', 'l', 'xl'], missingLabel: '?' },
      loyalty: { products: { thresholds: [2, 4] }, transactions: { column: 'txnCount12m', thresholds: [] }, edges: [1], labels: ['loose', 'tight'] },
      revenueColumn: 'costToServe', topN: 7, filter: PAGE_FILTER,
    });
    await expectSame('asset-loyalty', { idColumn: 'rm', topN: 300, filter: { all: [{ column: 'segment', op: 'in', values: ['Personal', 'SME'] }] } });
    await expectSame('asset-loyalty', { topN: 0, filter: { all: [{ column: 'aum', op: 'lt', value: 0 }] } });
  });
});

describe('kpis on ClickHouse', () => {
  it('matches the headline figures with and without a page filter', async () => {
    await expectSame('kpis', {});
    await expectSame('kpis', { asOf: '2026-03-31', activeDays: 30, crossSellMinProducts: 3, promoterMin: 8, detractorMax: 5, filter: PAGE_FILTER });
    await expectSame('kpis', { filter: { all: [{ column: 'tier', op: 'eq', value: 'no such tier' }] } });
  });
});

describe('client-lookup on ClickHouse', () => {
  it('matches one client, a page in request order with repeats and unknown ids, and chosen columns', async () => {
    const ids = tables[0].getChild('clientId')!;
    const some = [ids.get(0), ids.get(ROWS - 1), ids.get(12_345)] as string[];
    await expectSame('client-lookup', { clientId: some[2] });
    await expectSame('client-lookup', { clientId: 'no such client' });
    await expectSame('client-lookup', { clientIds: [some[1], 'nope', some[0], some[1], "x'); DROP TABLE clients_local; --"] });
    await expectSame('client-lookup', { clientIds: some, columns: ['lastTxnDate', 'churned', 'region', 'aum', 'age', 'aum'] });
    await expectSame('client-lookup', { clientIds: [] });
    // By row numbers (the at-risk list's way), with a repeat and a row past the end.
    await expectSame('client-lookup', { rows: [12_345, 0, ROWS - 1, ROWS, 12_345], columns: ['clientId', 'lastTxnDate', 'churned', 'aum'] });
    await expectSame('client-lookup', { rows: [] });
  });
});

const STAGES = ['prospect', 'new', 'growing', 'mature'];
describe('funnel on ClickHouse', () => {
  it('matches stage mode with the default mapping, by a category, with cohorts', async () => {
    await expectSame('funnel', { stageColumn: 'lifecycleStage', steps: STAGES });
    await expectSame('funnel', { stageColumn: 'lifecycleStage', steps: STAGES, by: 'segment', cohort: 'quarter', cohortColumn: 'openDate', filter: PAGE_FILTER });
    await expectSame('funnel', { stageColumn: 'lifecycleStage', steps: ['new', 'growing'], mapping: { prospect: null, mature: 'growing' }, by: 'region', cohort: 'month', cohortColumn: 'lastTxnDate' });
  });
  it('matches timestamp mode with medians, out-of-order counts and cohorts', async () => {
    const steps = [{ label: 'opened', column: 'openDate' }, { label: 'transacted', column: 'lastTxnDate' }];
    await expectSame('funnel', { steps });
    await expectSame('funnel', { steps, by: 'tier', cohort: 'month', filter: PAGE_FILTER });
    await expectSame('funnel', { steps: [steps[0]], cohort: 'quarter', by: 'channel' });
  });
});

describe('rfm on ClickHouse', () => {
  it('matches the default scores, segments and boundaries', async () => {
    await expectSame('rfm', {});
    await expectSame('rfm', { asOf: '2026-07-15', by: 'segment' });
  });
  it('matches other columns, custom segments and a page filter', async () => {
    await expectSame('rfm', { monetaryColumn: 'aum', frequencyColumn: 'productsHeld', by: 'region', filter: PAGE_FILTER });
    await expectSame('rfm', { segments: [{ name: 'top', r: [4, 5], f: [1, 5] }, { name: 'rest', r: [1, 5], f: [1, 5] }], monetaryColumn: 'deposits', filter: { all: [{ column: 'age', op: 'lt', value: 30 }] } });
  });
});

describe('the translated kernels on nulls, NaN, infinities, ties and odd ids', () => {
  const rules = [
    { id: 'inactive', kind: 'inactivity', threshold: 30 },
    { id: 'outflow', kind: 'asset-outflow', threshold: 0.5 },
    { id: 'risk', kind: 'low-satisfaction', column: 'riskLevel', threshold: 2.5 },
    { id: 'late', kind: 'late-payments', threshold: 1 },
    { id: 'txn', kind: 'late-payments', column: 'txnCount12m', threshold: 40 },
  ];
  for (const filter of [undefined, EDGE_FILTER]) {
    const f = filter ? { filter } : {};
    it(`churn-rules${filter ? ' with a page filter' : ''}`, async () => {
      await expectSame('churn-rules', { rules, asOf: AS_OF, by: 'region', groupSizes: true, limit: 400, ...f }, 'edge');
      await expectSame('churn-rules', { rules, asOf: AS_OF, orderBy: 'aum', offset: 17, limit: 200, ...f }, 'edge');
      await expectSame('churn-rules', { rules, asOf: AS_OF, orderBy: 'npsScore', limit: 300, ...f }, 'edge');
    });
    it(`profitability and whale-curve${filter ? ' with a page filter' : ''}`, async () => {
      await expectSame('profitability', { by: 'region', ...f }, 'edge');
      await expectSame('profitability', { revenue: 'aum', cost: 'riskLevel', acquisitionCost: 'assetOutflow3m', ...f }, 'edge');
      for (const path of ['default', 'ranked'] as const) {
        await expectSame('whale-curve', { points: 13, topN: 500, ...f }, 'edge', path);
        await expectSame('whale-curve', { revenue: 'aum', cost: 'acquisitionCost', points: 5000, topN: 60, ...f }, 'edge', path);
      }
    });
    it(`asset-loyalty and kpis${filter ? ' with a page filter' : ''}`, async () => {
      await expectSame('asset-loyalty', { topN: 400, ...f }, 'edge');
      if (!filter) {
        const ids = edgeTables[0].getChild('clientId')!;
        // Ids repeat in the edge table: the first row wins and `matches` counts them all.
        const seen = new Map<string, number>();
        for (let i = 0; i < edgeTables[0].numRows; i++) { const id = ids.get(i) as string | null; if (id !== null) seen.set(id, (seen.get(id) ?? 0) + 1); }
        const repeated = [...seen].filter(([, n]) => n > 1).map(([id]) => id).slice(0, 20);
        expect(repeated.length).toBeGreaterThan(0);
        const page = await expectSame<{ clients: { matches?: number }[] }>('client-lookup', { clientIds: [...repeated, ids.get(3), ids.get(2999), 'E0001😀'].filter((x) => x !== null) }, 'edge');
        expect(page.clients[0].matches).toBeGreaterThan(1);
      }
      await expectSame('asset-loyalty', { assets: { edges: [0, 1000] , labels: ['neg', 'small', 'big'] }, loyalty: { transactions: { thresholds: [10, 20, 30, 40, 45] }, edges: [1, 3], labels: ['a', 'b', 'c'] }, idColumn: 'region', ...f }, 'edge');
      await expectSame('kpis', { ...f }, 'edge');
      await expectSame('kpis', { asOf: '2026-06-01', activeDays: 10, ...f }, 'edge');
    });
    it(`rfm${filter ? ' with a page filter' : ''}`, async () => {
      await expectSame('rfm', { frequencyColumn: 'npsScore', monetaryColumn: 'costToServe', by: 'region', filter: { all: [{ column: 'costToServe', op: 'gt', value: -1e300 }, ...(filter ? filter.all : [])], any: filter?.any } }, 'edge');
      await expectSame('rfm', { frequencyColumn: 'latePayments12m', monetaryColumn: 'aum', asOf: '2026-01-01', ...f }, 'edge');
      await expectSame('rfm', { frequencyColumn: 'productsHeld', monetaryColumn: 'acquisitionCost', recencyColumn: 'openDate', filter: { all: [{ column: 'aum', op: 'eq', value: 1000 }, ...(filter ? filter.all : [])] } }, 'edge');
    });
    it(`funnel${filter ? ' with a page filter' : ''}`, async () => {
      await expectSame('funnel', { stageColumn: 'lifecycleStage', steps: STAGES, by: 'region', cohort: 'month', cohortColumn: 'openDate', ...f }, 'edge');
      await expectSame('funnel', { steps: [{ label: 'o', column: 'openDate' }, { label: 't', column: 'lastTxnDate' }], by: 'region', cohort: 'quarter', ...f }, 'edge');
      await expectSame('funnel', { steps: [{ label: 't', column: 'lastTxnDate' }, { label: 'o', column: 'openDate' }], ...f }, 'edge');
    });
  }
});

describe('a table without a row column', () => {
  it('refuses what numbers or ranks rows by position, and answers the rest', async () => {
    const plain = await connectClickHouse({ url: cluster.urls[0], table: 'clients', credentials: () => READER });
    try {
      for (const [kernel, spec] of [
        ['rfm', {}],
        ['churn-rules', { asOf: AS_OF }],
        ['whale-curve', {}],
        ['client-lookup', { clientId: 'C00000001' }],
      ] as const) {
        await expect(plain.run(kernel, spec), kernel).rejects.toThrow(/needs the table's row column/);
      }
      for (const [kernel, spec] of [['churn-rules', { asOf: AS_OF, limit: 0, by: 'region' }], ['whale-curve', { topN: 0 }], ['asset-loyalty', {}], ['profitability', { by: 'tier' }]] as const) {
        expect(firstDifference(await plain.run(kernel, spec), await runKernelLocal(getKernel(kernel), tables, spec)), kernel).toBeNull();
      }
    } finally {
      await plain.dispose();
    }
  });
});
