/**
 * Rank selection (src/remote/kernels/rank-select.ts) on a real two-shard ClickHouse cluster,
 * against the same values sorted here: ties in long runs, -0 next to 0, infinities, subnormals,
 * values near the float limits, a null group and a group of one repeated value; with the default
 * pass sizes and with tiny ones that force a pass per few key bits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClickHouse, type ClickHouseEngine } from '../../src/remote/clickhouse-engine.js';
import type { RemoteQueryContext } from '../../src/remote/remote-kernel.js';
import { resultObjects } from '../../src/remote/tsv-result.js';
import { sql } from '../../src/remote/sql-builder.js';
import { descendingKey, floatKey, selectRanks, TOTAL, type RankSelection } from '../../src/remote/kernels/rank-select.js';
import { CLUSTER_NAME, startClickHouseCluster, type ClickHouseCluster } from './support/clickhouse-cluster.js';

const ROWS = 6000;
let cluster: ClickHouseCluster;
let engine: ClickHouseEngine;
let ctx: RemoteQueryContext;
const data: { g: string | null; x: number }[] = [];

/** Deterministic values of every awkward kind (mulberry32). */
function generate(): void {
  let s = 0x9e3779b9;
  const rand = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const special = [0, -0, Infinity, -Infinity, 5e-324, -5e-324, 1e-310, 1.7976931348623157e308, -1.7976931348623157e308, 2.2250738585072014e-308];
  const groups = ['a', 'b', null, '北京', 'same'];
  for (let i = 0; i < ROWS; i++) {
    const g = groups[Math.min(groups.length - 1, Math.floor(rand() * rand() * groups.length * 1.3))];
    const u = rand();
    let x: number;
    if (g === 'same') x = 42.5;
    else if (u < 0.3) x = Math.floor(rand() * 6);
    else if (u < 0.36) x = special[Math.floor(rand() * special.length)];
    else x = (rand() < 0.3 ? -1 : 1) * Math.exp(rand() * 20 - 5);
    data.push({ g, x });
  }
}

/** A double's bit pattern: 18.16's text parsers read subnormals as 0, so values travel as bits. */
const bitsOf = (x: number) => new BigUint64Array(Float64Array.of(x).buffer)[0].toString();

beforeAll(async () => {
  generate();
  cluster = await startClickHouseCluster();
  for (let s = 0; s < 2; s++) {
    await cluster.exec('CREATE TABLE ranked_local (_row UInt64, g Nullable(String), x Float64) ENGINE = MergeTree ORDER BY _row', s);
    await cluster.exec(`CREATE TABLE ranked AS ranked_local ENGINE = Distributed(${CLUSTER_NAME}, default, ranked_local, _row)`, s);
    await cluster.exec('CREATE TABLE ranked_bits (_row UInt64, g Nullable(String), b UInt64) ENGINE = Memory', s);
    const lines = data.flatMap((r, i) => (i % 2 === s ? [`${i}\t${r.g === null ? '\\N' : r.g}\t${bitsOf(r.x)}`] : []));
    await cluster.exec('INSERT INTO ranked_bits FORMAT TabSeparated', s, lines.join('\n') + '\n');
    await cluster.exec('INSERT INTO ranked_local SELECT _row, g, reinterpretAsFloat64(reinterpretAsString(b)) FROM ranked_bits', s);
  }
  engine = await connectClickHouse({ url: cluster.urls[0], table: 'ranked', rowColumn: '_row' });
  ctx = { table: engine.table, gatherMax: 0, select: async (q) => resultObjects(await engine.client.select(q)) };
}, 120_000);

afterAll(async () => {
  await engine?.dispose();
  await cluster?.stop();
});

it('stores every value bit for bit (-0, subnormals, infinities)', async () => {
  const rows = await ctx.select(sql`SELECT _row AS r, x FROM ranked ORDER BY _row`);
  expect(rows.length).toBe(ROWS);
  for (const row of rows) expect(Object.is(row.x, data[row.r as number].x), `row ${row.r}: ${String(row.x)} vs ${String(data[row.r as number].x)}`).toBe(true);
});

/** Ranks worth asking for among n: both ends, the middle pair, a run, and a spread. */
function ranksFor(n: number): number[] {
  if (n === 0) return [];
  const r = new Set([0, n - 1, Math.floor((n - 1) / 2), Math.ceil((n - 1) / 2), 1, n - 2]);
  for (let i = 0; i < 40; i++) r.add(Math.floor((i * n) / 40));
  return [...r].filter((k) => k >= 0 && k < n);
}

function expectAnswers(got: Map<string, { n: number; at: ReadonlyMap<number, { value: number; below: number; sumThrough: number }> }>, key: string, values: number[], descending: boolean, sums: boolean): void {
  const sorted = Float64Array.from(values).sort();
  if (descending) sorted.reverse();
  const g = got.get(key);
  expect(g?.n ?? 0, key).toBe(values.length);
  for (const r of ranksFor(values.length)) {
    const a = g!.at.get(r)!;
    expect(a, `${key} rank ${r}`).toBeDefined();
    // -0 and 0 are one key: either may come back, both equal 0.
    expect(a.value === sorted[r] || (Number.isNaN(a.value) && Number.isNaN(sorted[r])), `${key} rank ${r}: ${a.value} vs ${sorted[r]}`).toBe(true);
    const before = values.filter((v) => (descending ? v > sorted[r] : v < sorted[r])).length;
    expect(a.below, `${key} rank ${r} below`).toBe(before);
    if (sums) {
      let s = 0, mag = 0;
      for (let i = 0; i <= r; i++) { s += sorted[i]; mag += Math.abs(sorted[i]); }
      if (Number.isFinite(s) && Number.isFinite(mag)) expect(Math.abs(a.sumThrough - s), `${key} rank ${r} sum ${a.sumThrough} vs ${s}`).toBeLessThanOrEqual(1e-9 * mag);
      else expect(a.sumThrough, `${key} rank ${r} sum`).toBe(s);
    }
  }
}

const TUNINGS = [{ name: 'default pass sizes' }, { name: 'tiny passes', firstBits: 2, rowBudget: 8, inListMax: 3 }];

describe.each(TUNINGS)('selectRanks with $name', (tuning) => {
  const base = { firstBits: tuning.firstBits, rowBudget: tuning.rowBudget, inListMax: tuning.inListMax };
  it('answers per group and in total, ascending', async () => {
    const sel: RankSelection = { ...base, key: floatKey(sql`x`), keyBits: 64, value: sql`x`, where: sql`1`, groups: [sql`g`], total: true };
    const got = await selectRanks(ctx, sel, (n) => ranksFor(n));
    for (const g of ['a', 'b', null, '北京', 'same']) expectAnswers(got, JSON.stringify([g]), data.filter((r) => r.g === g).map((r) => r.x), false, false);
    expectAnswers(got, TOTAL, data.map((r) => r.x), false, false);
  });
  it('answers descending with running sums over finite values, and under a filter', async () => {
    const finite = data.filter((r) => Number.isFinite(r.x) && Math.abs(r.x) < 1e300);
    const where = sql`isFinite(x) AND abs(x) < toFloat64(1e300)`;
    const got = await selectRanks(ctx, { ...base, key: descendingKey(floatKey(sql`x`)), keyBits: 64, value: sql`x`, where, groups: [], sums: true }, ranksFor);
    expectAnswers(got, '[]', finite.map((r) => r.x), true, true);
    const none = await selectRanks(ctx, { ...base, key: floatKey(sql`x`), keyBits: 64, value: sql`x`, where: sql`x > toFloat64(1e300) AND x < toFloat64(1e301)`, groups: [] }, ranksFor);
    expect(none.get('[]')!.n).toBe(0);
  });
  it('ranks rows tied on a value by the row column', async () => {
    const got = await selectRanks(ctx, { ...base, key: sql`_row`, keyBits: 13, value: sql`toFloat64(_row)`, where: sql`x = toFloat64(2)`, groups: [] }, ranksFor);
    expectAnswers(got, '[]', data.flatMap((r, i) => (r.x === 2 ? [i] : [])), false, false);
  });
});

it('refuses a rank outside the group', async () => {
  await expect(selectRanks(ctx, { key: floatKey(sql`x`), keyBits: 64, value: sql`x`, where: sql`1`, groups: [] }, (n) => [n])).rejects.toThrow(/outside 0\.\./);
});
