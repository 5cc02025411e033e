/**
 * The remote engine's guarantees on a real two-shard ClickHouse cluster: hostile text in a spec is
 * rejected or inert (never SQL), a cancelled or timed-out query is gone from the engine, and a
 * down or refusing engine gives an error naming its URL and what happened.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Table } from 'apache-arrow';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { getKernel } from '../../workers/kernels/index.js';
import { runKernelLocal } from '../../workers/kernels/run-local.js';
import { SpecError } from '../../workers/kernels/kernel.js';
import { connectClickHouse, type ClickHouseEngine } from '../../src/remote/clickhouse-engine.js';
import { ClickHouseClient } from '../../src/remote/clickhouse-client.js';
import { RemoteEngineError } from '../../src/remote/remote-error.js';
import { quoteIdentifier, stringLiteral } from '../../src/remote/sql-builder.js';
import { startClickHouseCluster, READER, type ClickHouseCluster } from './support/clickhouse-cluster.js';
import { firstDifference } from './support/close-to.js';

const ROWS = 20_000;
let cluster: ClickHouseCluster;
let admin: ClickHouseEngine;
let tables: Table[];

beforeAll(async () => {
  cluster = await startClickHouseCluster();
  tables = generatePortfolio({ rows: ROWS });
  await cluster.loadClients('clients', tables);
  // Injection is tried as an admin on purpose: a readonly user would refuse a DROP anyway, and
  // the point is that the SQL itself never carries one.
  admin = await connectClickHouse({ url: cluster.urls[0], table: 'clients', rowColumn: '_row' });
}, 120_000);

afterAll(async () => {
  await admin?.dispose();
  await cluster?.stop();
});

const HOSTILE = [
  "x'); DROP TABLE clients_local; --",
  "\\'; DROP TABLE clients_local; --",
  "' OR 1=1 --",
  '` OR 1=1; DROP TABLE clients_local; --',
  "a\\",
  "line\nbreak\tand\rreturn",
  "nul\u0000byte",
  '") OR ("1"="1',
  "客户'; SELECT * FROM system.users; --",
  "$(rm -rf /)",
];

async function tableIntact(): Promise<void> {
  for (const s of [0, 1]) expect(Number((await cluster.exec('SELECT count() FROM clients_local FORMAT TSV', s)).trim())).toBeGreaterThan(0);
  expect(Number((await cluster.exec('SELECT count() FROM clients FORMAT TSV')).trim())).toBe(ROWS);
}

describe('SQL built from specs', () => {
  it('escapes literals and identifiers so they stay one token', () => {
    expect(stringLiteral("a'b\\c\nd")).toBe("'a\\'b\\\\c\\nd'");
    expect(quoteIdentifier('we`ird\\')).toBe('`we\\`ird\\\\`');
    expect(() => stringLiteral('lone \ud800 surrogate')).toThrow(/not valid Unicode/);
  });

  it('rejects hostile field names with the SpecError the local kernel gives', async () => {
    for (const bad of HOSTILE) {
      const specs: [string, unknown][] = [
        ['segment-rollup', { by: { column: bad } }],
        ['segment-rollup', { by: { tier: {} }, measures: [{ column: bad, agg: 'sum' }] }],
        ['segment-rollup', { by: { tier: {} }, filter: { all: [{ column: bad, op: 'eq', value: 'x' }] } }],
        ['segment-rollup', { by: { bins: { column: bad, edges: [1], labels: ['a', 'b'] } } }],
      ];
      for (const [kernel, spec] of specs) {
        const err = await admin.run(kernel, spec).catch((e: unknown) => e);
        expect(err, `${kernel} ${JSON.stringify(spec)}`).toBeInstanceOf(SpecError);
        await expect(runKernelLocal(getKernel(kernel), tables, spec)).rejects.toThrow((err as Error).message);
      }
    }
    await tableIntact();
  });

  it('keeps hostile filter values and labels inert: same rows as the local kernel, table intact', async () => {
    for (const bad of HOSTILE) {
      const spec = {
        by: [{ tag: { rules: [{ label: bad, when: { all: [{ column: 'region', op: 'ne', value: bad }] } }], otherwise: `${bad}-other` } }, { column: 'channel', missingLabel: bad }],
        measures: [{ column: 'aum', agg: 'sum', as: bad }, { agg: 'count', as: `${bad}#n` }],
        ratios: [{ as: `${bad}/`, numerator: bad, denominator: `${bad}#n` }],
        filter: { any: [{ column: 'segment', op: 'in', values: [bad, 'Personal'] }, { column: 'rm', op: 'eq', value: bad }, { column: 'tier', op: 'notIn', values: [bad] }] },
      };
      const local = await runKernelLocal(getKernel('segment-rollup'), tables, spec);
      const remote = await admin.run('segment-rollup', spec);
      expect(firstDifference(remote, local), JSON.stringify(bad)).toBeNull();
      const bins = { by: { bins: { column: 'aum', edges: [1000], labels: [bad, `${bad}2`], missingLabel: `${bad}?` } }, filter: { all: [{ column: 'clientId', op: 'notNull' }] } };
      expect(firstDifference(await admin.run('segment-rollup', bins), await runKernelLocal(getKernel('segment-rollup'), tables, bins))).toBeNull();
    }
    await tableIntact();
  });
});

describe('SQL built from the specs of every translated kernel', () => {
  /** Both paths on the same spec: the same SpecError, or results equal to 1e-9. */
  async function same(kernel: string, spec: unknown): Promise<void> {
    const local = await runKernelLocal(getKernel(kernel), tables, spec).then((r) => ({ r }), (e: unknown) => ({ e: e as Error }));
    const remote = await admin.run(kernel, spec).then((r) => ({ r }), (e: unknown) => ({ e: e as Error }));
    if ('e' in local) {
      expect('e' in remote ? remote.e : remote.r, `${kernel} ${JSON.stringify(spec)}`).toBeInstanceOf(SpecError);
      expect((remote as { e: Error }).e.message).toBe(local.e.message);
    } else {
      expect('r' in remote, `${kernel} ${JSON.stringify(spec)}: ${'e' in remote ? remote.e.message : ''}`).toBe(true);
      expect(firstDifference((remote as { r: unknown }).r, local.r), `${kernel} ${JSON.stringify(spec)}`).toBeNull();
    }
  }

  it('rejects hostile field names in every column field with the local SpecError', async () => {
    for (const bad of HOSTILE) {
      const filter = { all: [{ column: bad, op: 'eq', value: 'x' }] };
      const specs: [string, unknown][] = [
        ['churn-rules', { asOf: '2026-06-30', rules: [{ id: 'r', kind: 'asset-outflow', column: bad }] }],
        ['churn-rules', { asOf: '2026-06-30', by: bad }],
        ['churn-rules', { asOf: '2026-06-30', id: bad }],
        ['churn-rules', { asOf: '2026-06-30', orderBy: bad }],
        ['churn-rules', { asOf: '2026-06-30', filter }],
        ['profitability', { revenue: bad }],
        ['profitability', { cost: bad }],
        ['profitability', { acquisitionCost: bad }],
        ['profitability', { by: bad }],
        ['profitability', { filter }],
        ['whale-curve', { revenue: bad }],
        ['whale-curve', { cost: bad }],
        ['whale-curve', { id: bad }],
        ['whale-curve', { filter }],
        ['asset-loyalty', { assets: { column: bad } }],
        ['asset-loyalty', { loyalty: { products: { column: bad } } }],
        ['asset-loyalty', { loyalty: { transactions: { column: bad } } }],
        ['asset-loyalty', { revenueColumn: bad }],
        ['asset-loyalty', { idColumn: bad }],
        ['asset-loyalty', { filter }],
        ['kpis', { filter }],
        ['client-lookup', { clientId: 'C1', id: bad }],
        ['client-lookup', { clientId: 'C1', columns: ['aum', bad] }],
        ['funnel', { stageColumn: bad, steps: ['new'] }],
        ['funnel', { stageColumn: 'lifecycleStage', steps: ['new'], by: bad }],
        ['funnel', { stageColumn: 'lifecycleStage', steps: ['new'], cohort: 'month', cohortColumn: bad }],
        ['funnel', { steps: [{ label: 'a', column: bad }] }],
        ['funnel', { stageColumn: 'lifecycleStage', steps: ['new'], filter }],
        ['rfm', { recencyColumn: bad }],
        ['rfm', { frequencyColumn: bad }],
        ['rfm', { monetaryColumn: bad }],
        ['rfm', { by: bad }],
        ['rfm', { filter }],
      ];
      for (const [kernel, spec] of specs) {
        const err = await admin.run(kernel, spec).catch((e: unknown) => e);
        expect(err, `${kernel} ${JSON.stringify(spec)}`).toBeInstanceOf(SpecError);
        await expect(runKernelLocal(getKernel(kernel), tables, spec)).rejects.toThrow((err as Error).message);
      }
    }
    await tableIntact();
  });

  it('keeps hostile values, ids and labels inert in every kernel: same answer as locally, table intact', async () => {
    for (const bad of HOSTILE) {
      const filter = { all: [{ column: 'region', op: 'ne', value: bad }], any: [{ column: 'segment', op: 'in', values: [bad, 'Personal', 'SME'] }, { column: 'rm', op: 'notIn', values: [bad] }] };
      await same('churn-rules', { asOf: '2026-06-30', rules: [{ id: bad, kind: 'asset-outflow', label: bad }, { id: `${bad}2`, kind: 'inactivity', label: `${bad}\n` }], by: 'region', limit: 20 });
      await same('churn-rules', { asOf: '2026-06-30', by: 'segment', limit: 0, filter });
      await same('churn-rules', { asOf: bad });
      await same('funnel', { stageColumn: 'lifecycleStage', steps: ['new'], cohort: bad, cohortColumn: 'openDate' });
      await same('profitability', { by: 'region', filter });
      await same('whale-curve', { topN: 0, points: 9, filter });
      await same('asset-loyalty', { assets: { labels: [bad, `${bad}m`, `${bad}h`], missingLabel: `${bad}?` }, loyalty: { labels: [`${bad}l`, 'x', 'y'], missingLabel: bad }, topN: 5, filter });
      await same('kpis', { filter });
      await same('kpis', { asOf: bad });
      await same('client-lookup', { clientId: bad });
      await same('client-lookup', { clientIds: [bad, 'C00000001', `${bad}'`] });
      await same('funnel', { stageColumn: 'lifecycleStage', steps: [bad, 'new', 'growing'], mapping: { [`${bad}x`]: 'new', prospect: bad, dormant: null }, by: 'channel', filter });
      await same('funnel', { steps: [{ label: bad, column: 'openDate' }, { label: `${bad}!`, column: 'lastTxnDate' }], filter });
      await same('rfm', { asOf: bad });
      await same('rfm', { segments: [{ name: bad, r: [1, 3], f: [1, 5] }, { name: `${bad} `, r: [4, 5], f: [1, 5] }], by: 'tier', filter });
    }
    await tableIntact();
  }, 180_000); // A dozen kernels, each with several rank-selection passes, on a shared 2-core machine.
});

describe('cancellation and time limits', () => {
  // system.numbers, not numbers(): table functions are forbidden to a readonly=1 user.
  const SLOW = 'SELECT count() FROM (SELECT number FROM system.numbers LIMIT 100000000000) WHERE sipHash64(number) = 1';

  async function running(id: string): Promise<number> {
    return Number((await cluster.exec(`SELECT count() FROM system.processes WHERE query_id = '${id}' FORMAT TSV`)).trim());
  }

  it('an aborted query rejects with AbortError and is gone from system.processes', async () => {
    const client = new ClickHouseClient({ url: cluster.urls[0], credentials: () => READER });
    const id = client.newQueryId();
    const abort = new AbortController();
    const pending = client.select(SLOW, { signal: abort.signal, queryId: id });
    for (let i = 0; i < 100 && (await running(id)) === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await running(id)).toBe(1);
    abort.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(await running(id)).toBe(0);
    await client.dispose();
  });

  it('a query past its time limit fails as a timeout and is killed on the engine', async () => {
    const client = new ClickHouseClient({ url: cluster.urls[0], credentials: () => READER, timeoutMs: 400 });
    const id = client.newQueryId();
    const err = await client.select(SLOW, { queryId: id }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteEngineError);
    expect((err as RemoteEngineError).kind).toBe('timeout');
    expect((err as Error).message).toContain(cluster.urls[0]);
    expect(await running(id)).toBe(0);
    await client.dispose();
  });

  it('an engine run cancelled by its signal rejects with AbortError', async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(admin.run('segment-rollup', { by: { tier: {} } }, { signal: abort.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('errors', () => {
  it('names the URL when the engine is down', async () => {
    const client = new ClickHouseClient({ url: 'http://127.0.0.1:9', retries: 1 });
    const err = await client.select('SELECT 1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteEngineError);
    expect((err as RemoteEngineError).kind).toBe('unreachable');
    expect((err as Error).message).toMatch(/ClickHouse at http:\/\/127\.0\.0\.1:9 could not be reached/);
  });

  it('says the engine refused, with its own text, for a wrong password or a write by a readonly user', async () => {
    const wrong = new ClickHouseClient({ url: cluster.urls[0], credentials: () => ({ user: 'reader', password: 'nope' }) });
    const err = await wrong.select('SELECT 1').catch((e: unknown) => e);
    expect((err as RemoteEngineError).kind).toBe('refused');
    expect((err as Error).message).toMatch(/refused.*password/i);
    const reader = new ClickHouseClient({ url: cluster.urls[0], credentials: () => READER });
    const write = await reader.execute('DROP TABLE clients_local').catch((e: unknown) => e);
    expect((write as RemoteEngineError).kind).toBe('refused');
    expect((write as Error).message).toMatch(/readonly/i);
    await tableIntact();
  });

  it('passes ClickHouse\'s error text on for a bad query, and validates its options by name', async () => {
    const client = new ClickHouseClient({ url: cluster.urls[0] });
    const err = await client.select('SELECT no_such_column FROM clients').catch((e: unknown) => e);
    expect((err as RemoteEngineError).kind).toBe('query');
    expect((err as Error).message).toMatch(/Missing columns|no_such_column/);
    expect(() => new ClickHouseClient({ url: 'ftp://x' })).toThrow(/"url"/);
    expect(() => new ClickHouseClient({ url: 'http://u:p@x' })).toThrow(/credentials/);
    expect(() => new ClickHouseClient({ url: 'http://x', timeoutMs: 0 })).toThrow(/"timeoutMs"/);
    expect(() => new ClickHouseClient({ url: 'http://x', settings: { 'a;b': 1 } })).toThrow(/settings\.a;b/);
  });
});
