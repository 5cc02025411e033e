import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Table } from 'apache-arrow';
import { openDuckDB, type DuckDB } from './support/duckdb.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { makeClientTable } from '../../src/schema/arrow-columns.js';
import { SpecError } from '../../workers/kernels/kernel.js';
import {
  DEFAULT_DISCOUNT_RATE, DEFAULT_RETENTION_RATE, cltvMultiple, cltvToCacRatio, costToIncomeRatio, customerLifetimeValue,
  profitabilityKernel, type ProfitabilityResult, type ProfitabilityStats,
} from '../../workers/kernels/profitability.js';
import { runKernelLocal, runKernelSplit, schemaOfTable } from '../../workers/kernels/run-local.js';

const close = (a: number | null, b: unknown) => {
  const e = b === undefined ? null : (b as number | null);
  if (a === null || e === null) return a === e;
  return Math.abs(a - e) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(e));
};

/** The reference: the same figures as SQL, one row per group (or one row overall). */
function referenceSql(table: string, by: string | null, r: number, d: number): string {
  const key = by === null ? 'NULL' : `"${by}"`;
  return `
    WITH t AS (
      SELECT ${key} AS key, revenue AS rv, costToServe AS co, acquisitionCost AS ac,
        (revenue IS NOT NULL AND costToServe IS NOT NULL) AS present,
        (revenue IS NOT NULL AND costToServe IS NOT NULL AND isfinite(revenue) AND isfinite(costToServe) AND isfinite(revenue - costToServe)) AS ok
      FROM ${table}),
    g AS (
      SELECT key, count(*) AS rows,
        count(*) FILTER (WHERE ok) AS clients,
        count(*) FILTER (WHERE NOT present) AS skipped_null,
        count(*) FILTER (WHERE present AND NOT ok) AS skipped_nf,
        coalesce(sum(rv) FILTER (WHERE ok), 0) AS revenue,
        coalesce(sum(co) FILTER (WHERE ok), 0) AS cost,
        coalesce(sum(rv - co) FILTER (WHERE ok), 0) AS profit,
        avg(rv - co) FILTER (WHERE ok) AS mean_profit,
        count(*) FILTER (WHERE ok AND rv - co < 0) AS destroyers,
        count(*) FILTER (WHERE ok AND ac IS NOT NULL AND isfinite(ac)) AS cac_n,
        count(*) FILTER (WHERE ok AND ac IS NOT NULL AND NOT isfinite(ac)) AS cac_nf,
        avg(ac) FILTER (WHERE ok AND isfinite(ac)) AS cac,
        avg((rv - co) * ${r} / (1 + ${d} - ${r})) FILTER (WHERE ok) AS mean_cltv
      FROM t GROUP BY ${by === null ? 'ALL' : 'key'})
    SELECT *,
      CASE WHEN clients = 0 OR revenue = 0 THEN NULL ELSE cost / revenue END AS cti,
      CASE WHEN cac > 0 THEN mean_cltv / cac ELSE NULL END AS cltv_cac
    FROM g ORDER BY key NULLS LAST`;
}

function expectStats(got: ProfitabilityStats, ref: Record<string, unknown>): void {
  const label = `group ${String(got.key)}`;
  expect(got.rows, label).toBe(ref.rows);
  expect(got.clients, label).toBe(ref.clients);
  expect(got.skippedNull, label).toBe(ref.skipped_null);
  expect(got.skippedNonFinite, label).toBe(ref.skipped_nf);
  expect(got.valueDestroyers, label).toBe(ref.destroyers);
  expect(got.cacClients, label).toBe(ref.cac_n);
  expect(got.cacSkippedNonFinite, label).toBe(ref.cac_nf);
  const pairs: [string, number | null, unknown][] = [
    ['revenue', got.revenue, ref.revenue], ['cost', got.cost, ref.cost], ['profit', got.profit, ref.profit],
    ['meanProfit', got.meanProfit, ref.mean_profit], ['costToIncome', got.costToIncome, ref.cti], ['cac', got.cac, ref.cac],
    ['meanCltv', got.meanCltv, ref.mean_cltv], ['cltvToCac', got.cltvToCac, ref.cltv_cac],
  ];
  for (const [name, a, b] of pairs) expect(close(a, b), `${label} ${name}: ${a} vs ${String(b)}`).toBe(true);
}

function expectResult(got: ProfitabilityResult, groupsRef: Record<string, unknown>[], totalRef: Record<string, unknown>): void {
  expectStats(got.total, totalRef);
  expect(got.groups.map((g) => g.key)).toEqual(groupsRef.map((r) => r.key ?? null));
  got.groups.forEach((g, i) => expectStats(g, groupsRef[i]));
}

async function specError(p: Promise<unknown>): Promise<SpecError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(SpecError);
  return e as SpecError;
}

/** Hand-made rows in 3 chunks: nulls, NaN, infinities, empty groups, differing dictionaries, extremes. */
function handChunks(): Table[] {
  type Row = [id: string, seg: number | null, rev: number | null, cost: number | null, cac: number | null];
  const chunk = (dictionary: string[], rows: Row[]) => makeClientTable({
    clientId: { type: 'string', values: rows.map((r) => r[0]) },
    segment: { type: 'category', dictionary, indices: Int32Array.from(rows, (r) => r[1] ?? 0), valid: Uint8Array.from(rows, (r) => (r[1] === null ? 0 : 1)) },
    revenue: { type: 'float', values: Float64Array.from(rows, (r) => r[2] ?? 0), valid: Uint8Array.from(rows, (r) => (r[2] === null ? 0 : 1)) },
    costToServe: { type: 'float', values: Float64Array.from(rows, (r) => r[3] ?? 0), valid: Uint8Array.from(rows, (r) => (r[3] === null ? 0 : 1)) },
    acquisitionCost: { type: 'float', values: Float64Array.from(rows, (r) => r[4] ?? 0), valid: Uint8Array.from(rows, (r) => (r[4] === null ? 0 : 1)) },
  });
  return [
    chunk(['A', 'B', 'Never used', 'N'], [
      ['a', 0, 100, 40, 10],
      ['b', 0, 50, 80, null], // value destroyer, no CAC
      ['c', 1, null, 10, 3], // null revenue: skipped
      ['d', 1, NaN, 5, 3], // NaN revenue: skipped, counted
      ['e', null, 1e15, 1, 7], // extreme value, null segment
      ['n', 3, 20, null, 1], // group N: only a skipped row
    ]),
    chunk(['Z', 'B', 'A'], [
      ['f', 1, Infinity, 1, 2], // infinite revenue: skipped
      ['g', 2, 0, 0, NaN], // zero profit, NaN CAC: counted
      ['h', 1, 20, 20, 5],
      ['z1', 0, 10, 3, 0],
      ['z2', 0, -10, 3, 0], // revenue sums to 0 in Z: cost-to-income null; CAC 0: CLTV/CAC null
      ['x', null, 1e-9, 3e-9, 1e-12],
    ]),
    chunk(['B', 'A'], [
      ['p', 0, 1.5e308, -1.5e308, 1], // finite revenue and cost, but the profit overflows: skipped
      ['q', 0, 2.5, 0.25, 4],
      ['r', 1, 7, 7, 2],
    ]),
  ];
}

describe('profitability formulas', () => {
  it("reproduce DOMAIN.md's worked example with the default retention and discount rate", () => {
    expect(DEFAULT_RETENTION_RATE).toBe(0.9);
    expect(cltvMultiple(DEFAULT_RETENTION_RATE, DEFAULT_DISCOUNT_RATE)).toBeCloseTo(5, 12);
    const cltv = customerLifetimeValue(100_000, DEFAULT_RETENTION_RATE, DEFAULT_DISCOUNT_RATE);
    expect(cltv).toBeCloseTo(500_000, 6);
    expect(cltvToCacRatio(cltv, 50_000)).toBeCloseTo(10, 12);
    expect(costToIncomeRatio(100_000, 200_000)).toBe(0.5);
    // Geometric model by its definition: sum of m r^t / (1 + d)^t over the years.
    let series = 0;
    for (let t = 1; t < 2000; t++) series += 100_000 * (0.8 / 1.1) ** t;
    expect(customerLifetimeValue(100_000, 0.8, 0.1)).toBeCloseTo(series, 6);
    expect(costToIncomeRatio(5, 0)).toBeNull();
    expect(cltvToCacRatio(10, 0)).toBeNull();
    expect(cltvToCacRatio(null, 5)).toBeNull();
  });

  it('the kernel reproduces the worked example on a one-client dataset', async () => {
    const t = makeClientTable({
      clientId: { type: 'string', values: ['x'] },
      revenue: { type: 'float', values: new Float64Array([200_000]), valid: null },
      costToServe: { type: 'float', values: new Float64Array([100_000]), valid: null },
      acquisitionCost: { type: 'float', values: new Float64Array([50_000]), valid: null },
    });
    const got = await runKernelLocal<ProfitabilityResult>(profitabilityKernel, [t], {});
    expect(got.total.profit).toBe(100_000);
    expect(got.total.costToIncome).toBe(0.5);
    expect(got.total.meanCltv).toBeCloseTo(500_000, 6);
    expect(got.total.cltvToCac).toBeCloseTo(10, 12);
  });
});

describe('profitability kernel', () => {
  let db: DuckDB;
  let chunks: Table[];
  beforeAll(async () => {
    db = await openDuckDB();
    chunks = generatePortfolio({ rows: 150_000 });
    db.load('c', chunks);
    db.load('h', handChunks());
  }, 120_000); // generating and loading 150k rows takes a few seconds, more on a busy machine
  afterAll(() => db.close());

  it('equals DuckDB per segment and overall on generated clients', async () => {
    for (const by of ['segment', 'tier', 'rm'] as const) {
      const got = await runKernelLocal<ProfitabilityResult>(profitabilityKernel, chunks, { by });
      expectResult(got, db.query(referenceSql('c', by, 0.9, 0.08)), db.query(referenceSql('c', null, 0.9, 0.08))[0]);
      expect(got.by).toBe(by);
    }
    const plain = await runKernelLocal<ProfitabilityResult>(profitabilityKernel, chunks, { retention: 0.75, discountRate: 0.12 });
    expect(plain.groups).toEqual([]);
    expectStats(plain.total, db.query(referenceSql('c', null, 0.75, 0.12))[0]);
    expect(plain.total.clients).toBe(150_000);
  });

  it('equals DuckDB on hand-made rows with nulls, NaN, infinities, empty groups and extremes', async () => {
    const hand = handChunks();
    const got = await runKernelLocal<ProfitabilityResult>(profitabilityKernel, hand, { by: 'segment' });
    expectResult(got, db.query(referenceSql('h', 'segment', 0.9, 0.08)), db.query(referenceSql('h', null, 0.9, 0.08))[0]);
    // Spot checks of the documented treatment, independent of DuckDB.
    const byKey = new Map(got.groups.map((g) => [g.key, g]));
    expect([...byKey.keys()]).toEqual(['A', 'B', 'N', 'Z', null]); // 'Never used' left out; null group last
    expect(byKey.get('N')).toMatchObject({ rows: 1, clients: 0, skippedNull: 1, meanProfit: null, costToIncome: null, cac: null });
    expect(byKey.get('B')).toMatchObject({ rows: 6, clients: 2, skippedNull: 1, skippedNonFinite: 3 });
    expect(byKey.get('Z')).toMatchObject({ revenue: 0, costToIncome: null, cac: 0, cltvToCac: null });
    expect(got.total).toMatchObject({ rows: 15, skippedNull: 2, skippedNonFinite: 3, cacSkippedNonFinite: 1 });
  });

  it('accepts its own validated spec again (workers re-validate what the main thread sends)', () => {
    const schema = schemaOfTable(chunks[0]);
    for (const spec of [{}, { by: 'segment', retention: 0.8, acquisitionCost: null }]) {
      const valid = profitabilityKernel.validate(spec, schema);
      expect(profitabilityKernel.validate(structuredClone(valid), schema)).toEqual(valid);
    }
  });

  it('gives the same answer split across workers as on one thread', async () => {
    for (const spec of [{ by: 'segment' }, {}, { by: 'rm', retention: 0.5 }]) {
      expect(await runKernelSplit(profitabilityKernel, chunks, spec, 3)).toEqual(await runKernelLocal(profitabilityKernel, chunks, spec));
    }
    const hand = handChunks();
    expect(await runKernelSplit(profitabilityKernel, hand, { by: 'segment' }, 3)).toEqual(await runKernelLocal(profitabilityKernel, hand, { by: 'segment' }));
    expect(await runKernelSplit(profitabilityKernel, hand, { by: 'segment' }, 2)).toEqual(await runKernelLocal(profitabilityKernel, hand, { by: 'segment' }));
  });

  it('handles an empty dataset', async () => {
    const got = await runKernelLocal<ProfitabilityResult>(profitabilityKernel, [chunks[0].slice(0, 0)], { by: 'segment' });
    expect(got.groups).toEqual([]);
    expect(got.total).toMatchObject({ rows: 0, clients: 0, revenue: 0, meanProfit: null, costToIncome: null, cac: null, meanCltv: null, cltvToCac: null });
  });

  it('can leave out CAC', async () => {
    const got = await runKernelLocal<ProfitabilityResult>(profitabilityKernel, chunks, { acquisitionCost: null });
    expect(got.total.cac).toBeNull();
    expect(got.total.cacClients).toBe(0);
    expect(got.total.cltvToCac).toBeNull();
  });

  it('refuses bad specs with a SpecError naming the field', async () => {
    const noCost = makeClientTable({
      clientId: { type: 'string', values: ['a'] },
      revenue: { type: 'float', values: new Float64Array([1]), valid: null },
    });
    expect((await specError(runKernelLocal(profitabilityKernel, [noCost], {}))).field).toBe('cost');
    expect((await specError(runKernelLocal(profitabilityKernel, chunks, { revenue: 'segment' }))).field).toBe('revenue');
    expect((await specError(runKernelLocal(profitabilityKernel, chunks, { acquisitionCost: 'nope' }))).field).toBe('acquisitionCost');
    expect((await specError(runKernelLocal(profitabilityKernel, chunks, { by: 'aum' }))).field).toBe('by');
    expect((await specError(runKernelLocal(profitabilityKernel, chunks, { retention: 1.5 }))).field).toBe('retention');
    expect((await specError(runKernelLocal(profitabilityKernel, chunks, { retention: NaN }))).field).toBe('retention');
    expect((await specError(runKernelLocal(profitabilityKernel, chunks, { discountRate: -0.1 }))).field).toBe('discountRate');
    expect((await specError(runKernelLocal(profitabilityKernel, chunks, { retention: 1, discountRate: 0 }))).field).toBe('discountRate');
    expect((await specError(runKernelLocal(profitabilityKernel, chunks, { retension: 0.8 }))).field).toBe('retension');
    expect((await specError(runKernelLocal(profitabilityKernel, chunks, 'segment'))).field).toBe('spec');
  });
});
