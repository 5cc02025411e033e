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
