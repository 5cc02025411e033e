/**
 * segment-rollup against DuckDB: every figure is recomputed by SQL written here, on the same rows
 * (generated chunks and hand-made tables with nulls, NaN, ties, -0, 1e300 and subnormals). The only
 * self-comparison is split-vs-local equality. Semantics the SQL spells out (documented in
 * segment-rollup.ts): NaN is excluded from aggregates (FILTER (WHERE NOT isnan(x))) and counted,
 * a null or NaN tier/bins value and a null category go to '(missing)'.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Table } from 'apache-arrow';
import { openDuckDB, type DuckDB } from './support/duckdb.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { makeClientTable, type ColumnValues } from '../../src/schema/arrow-columns.js';
import { runKernelLocal, runKernelSplit } from '../../workers/kernels/run-local.js';
import { segmentRollup, type RollupResult, type RollupRow } from '../../workers/kernels/segment-rollup.js';
import { DEFAULT_ASSET_SCALE, DEFAULT_RISK_PREFERENCE } from '../../workers/kernels/dimension.js';
import { SpecError } from '../../workers/kernels/kernel.js';
import { getKernel } from '../../workers/kernels/index.js';

const MISSING = '(missing)';

/** |a - b| <= 1e-9 relative (exact for 0, +-Infinity); null only equals null. */
function expectClose(actual: number | null | undefined, expected: unknown, what: string): void {
  if (expected === null || expected === undefined) {
    expect(actual ?? null, what).toBeNull();
    return;
  }
  const e = Number(expected);
  expect(actual, what).not.toBeNull();
  const a = actual as number;
  if (Number.isNaN(e)) {
    expect(Number.isNaN(a), `${what}: ${a} vs NaN`).toBe(true);
    return;
  }
  if (a === e) return;
  expect(Math.abs(a - e), `${what}: ${a} vs ${e}`).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(a), Math.abs(e)));
}

/** SQL rows keyed by their level columns (NULL -> '(missing)'). */
function byKeys(rows: Record<string, unknown>[], cols: string[]): Map<string, Record<string, unknown>> {
  return new Map(rows.map((r) => [JSON.stringify(cols.map((c) => (r[c] === null ? MISSING : String(r[c])))), r]));
}

function groupMap(result: RollupResult): Map<string, RollupRow> {
  return new Map(result.groups.map((g) => [JSON.stringify(g.keys), g]));
}

const TIER_SQL = `CASE WHEN aum IS NULL OR isnan(aum) THEN NULL WHEN aum >= 50000000 THEN 'uhnw' WHEN aum >= 6000000 THEN 'hnw'
  WHEN aum >= 500000 THEN 'affluent' WHEN aum >= 50000 THEN 'mass-affluent' ELSE 'mass' END`;
const TIERS = ['mass', 'mass-affluent', 'affluent', 'hnw', 'uhnw'];

/** Opening DuckDB and loading 150k rows can take a while on a busy machine. */
const HOOK_TIMEOUT = 120_000;

let db: DuckDB;
let chunks: Table[];

beforeAll(async () => {
  db = await openDuckDB();
  chunks = generatePortfolio({ rows: 150_000 });
  expect(chunks.flatMap((c) => c.batches).length).toBeGreaterThanOrEqual(3);
  db.load('clients', chunks);
}, HOOK_TIMEOUT);

afterAll(async () => {
  await db?.close();
}, HOOK_TIMEOUT);

describe('segment-rollup on generated data (150k rows, 3 batches) vs DuckDB', () => {
  it('is registered', () => {
    expect(getKernel('segment-rollup')).toBe(segmentRollup);
  });

  it('groups by a category column: count, count(col), sum, mean, min, max, median, quantile, date max', async () => {
    const spec = {
      by: { column: 'region' },
      measures: [
        { agg: 'count' },
        { column: 'npsScore', agg: 'count' },
        { column: 'aum', agg: 'sum' },
        { column: 'aum', agg: 'mean' },
        { column: 'aum', agg: 'min' },
        { column: 'aum', agg: 'max' },
        { column: 'revenue', agg: 'median' },
        { column: 'costToServe', agg: 'quantile', q: 0.9, as: 'p90_cost' },
        { column: 'lastTxnDate', agg: 'max' },
        { column: 'npsScore', agg: 'mean' },
        { column: 'riskLevel', agg: 'median' },
        { column: 'assetOutflow3m', agg: 'quantile', q: 0.25 },
      ],
    };
    const r = await runKernelLocal<RollupResult>(segmentRollup, chunks, spec);
    const sql = db.query(`SELECT region, count(*) AS n, count(npsScore) AS nps_n, sum(aum) AS s, avg(aum) AS m, min(aum) AS lo, max(aum) AS hi,
      median(revenue) AS med, quantile_cont(costToServe, 0.9) AS p90, max(lastTxnDate) AS last, avg(npsScore) AS nps, median(riskLevel) AS risk,
      quantile_cont(assetOutflow3m, 0.25) AS out25
      FROM clients GROUP BY region ORDER BY region`);
    expect(r.groups.map((g) => g.keys[0])).toEqual(sql.map((s) => s.region));
    expect(r.levels).toEqual([{ name: 'region', labels: sql.map((s) => s.region), missing: false }]);
    sql.forEach((s, i) => {
      const g = r.groups[i];
      const w = `region ${s.region}`;
      expect(g.count, w).toBe(s.n);
      expect(g.values.count, w).toBe(s.n);
      expect(g.values.count_npsScore, w).toBe(s.nps_n);
      expectClose(g.values.sum_aum, s.s, `${w} sum`);
      expectClose(g.values.mean_aum, s.m, `${w} mean`);
      expectClose(g.values.min_aum, s.lo, `${w} min`);
      expectClose(g.values.max_aum, s.hi, `${w} max`);
      expectClose(g.values.median_revenue, s.med, `${w} median`);
      expectClose(g.values.p90_cost, s.p90, `${w} p90`);
      expect(g.values.max_lastTxnDate, w).toBe(s.last);
      expectClose(g.values.mean_npsScore, s.nps, `${w} nps`);
      expectClose(g.values.median_riskLevel, s.risk, `${w} risk`);
      expectClose(g.values['quantile_0.25_assetOutflow3m'], s.out25, `${w} outflow`);
    });
    const [t] = db.query(`SELECT count(*) AS n, sum(aum) AS s, median(revenue) AS med, quantile_cont(costToServe, 0.9) AS p90, min(aum) AS lo FROM clients`);
    expect(r.total.count).toBe(t.n);
    expectClose(r.total.values.sum_aum, t.s, 'total sum');
    expectClose(r.total.values.median_revenue, t.med, 'total median');
    expectClose(r.total.values.p90_cost, t.p90, 'total p90');
    expectClose(r.total.values.min_aum, t.lo, 'total min');
    expect(r.rows).toEqual({ scanned: 150_000, matched: 150_000 });
    expect(r.excluded.nan).toBe(0);
    expect(await runKernelSplit(segmentRollup, chunks, spec, 3)).toEqual(r);
  });

  it('tier x region with a filter, ratios (cost-to-income) and shares; the full matrix lists empty cells', async () => {
    const spec = {
      by: [{ tier: {} }, { column: 'region' }],
      measures: [
        { column: 'aum', agg: 'sum' },
        { column: 'revenue', agg: 'sum' },
        { column: 'costToServe', agg: 'sum' },
        { column: 'revenue', agg: 'mean' },
        { agg: 'count' },
      ],
      ratios: [{ as: 'costToIncome', numerator: 'sum_costToServe', denominator: 'sum_revenue' }],
      share: true,
      filter: {
        all: [
          { column: 'clientType', op: 'eq', value: 'retail' },
          { column: 'lifecycleStage', op: 'notIn', values: ['prospect', 'churned'] },
          { column: 'aum', op: 'lt', value: 6_000_000 },
        ],
      },
    };
    const r = await runKernelLocal<RollupResult>(segmentRollup, chunks, spec);
    const where = `clientType = 'retail' AND lifecycleStage NOT IN ('prospect', 'churned') AND aum < 6000000`;
    const sql = db.query(`SELECT ${TIER_SQL} AS tier, region, count(*) AS n, sum(aum) AS aum, sum(revenue) AS rev, sum(costToServe) AS cost, avg(revenue) AS mrev,
      sum(aum) / sum(sum(aum)) OVER () AS aum_share, sum(revenue) / sum(sum(revenue)) OVER () AS rev_share, count(*) / sum(count(*)) OVER () AS n_share
      FROM clients WHERE ${where} GROUP BY ALL`);
    const regions = db.query(`SELECT DISTINCT region FROM clients WHERE ${where} ORDER BY region`).map((x) => x.region as string);
    expect(r.levels[0]).toEqual({ name: 'tier(aum)', labels: TIERS, missing: false });
    expect(r.levels[1].labels).toEqual(regions);
    // Every tier x region combination, in level order, including empty ones.
    expect(r.groups.map((g) => g.keys)).toEqual(TIERS.flatMap((t) => regions.map((g) => [t, g])));
    const expected = byKeys(sql, ['tier', 'region']);
    let empty = 0;
    for (const g of r.groups) {
      const s = expected.get(JSON.stringify(g.keys));
      const w = g.keys.join('/');
      if (!s) {
        empty++;
        expect(g.count, w).toBe(0);
        expect(g.values).toEqual({ sum_aum: null, sum_revenue: null, sum_costToServe: null, mean_revenue: null, count: 0, costToIncome: null });
        expect(g.share).toEqual({ sum_aum: null, sum_revenue: null, sum_costToServe: null });
        expect(g.countShare).toBe(0);
        continue;
      }
      expect(g.count, w).toBe(s.n);
      expectClose(g.values.sum_aum, s.aum, `${w} aum`);
      expectClose(g.values.sum_revenue, s.rev, `${w} rev`);
      expectClose(g.values.sum_costToServe, s.cost, `${w} cost`);
      expectClose(g.values.mean_revenue, s.mrev, `${w} mean rev`);
      expectClose(g.values.costToIncome, Number(s.cost) / Number(s.rev), `${w} cti`);
      expectClose(g.share!.sum_aum, s.aum_share, `${w} aum share`);
      expectClose(g.share!.sum_revenue, s.rev_share, `${w} rev share`);
      expectClose(g.countShare!, s.n_share, `${w} count share`);
    }
    expect(empty).toBe(2 * regions.length); // hnw and uhnw start at 6,000,000: filtered out
    const [t] = db.query(`SELECT count(*) AS n, sum(costToServe) / sum(revenue) AS cti, (SELECT count(*) FROM clients) AS all_n FROM clients WHERE ${where}`);
    expect(r.total.count).toBe(t.n);
    expect(r.rows).toEqual({ scanned: t.all_n, matched: t.n });
    expectClose(r.total.values.costToIncome, t.cti, 'total cti');
    expect(r.total.share).toEqual({ sum_aum: 1, sum_revenue: 1, sum_costToServe: 1 });
    expect(await runKernelSplit(segmentRollup, chunks, spec, 3)).toEqual(r);
  });

  // A filter keeping most rows: the masked loops over every row (count alone, and one to four fused
  // sums, rows paired), on batches of odd lengths with non-zero offsets, so the unpaired last row counts.
  it('a broad filter (retail) with one to four sums and a count, on batches of odd lengths', async () => {
    const odd = chunks.map((t, i) => t.slice(i + 1, t.numRows - i - 2 - (t.numRows % 2)));
    expect(odd.every((t) => t.numRows % 2 === 1)).toBe(true);
    db.load('odd_batches', odd);
    const columns = ['aum', 'revenue', 'costToServe', 'deposits'];
    const where = `clientType = 'retail'`;
    for (let m = 0; m <= 4; m++) {
      const measures = [{ agg: 'count' }, ...columns.slice(0, m).map((column) => ({ column, agg: 'sum' }))];
      const r = await runKernelLocal<RollupResult>(segmentRollup, odd, { by: { column: 'region' }, measures, filter: { all: [{ column: 'clientType', op: 'eq', value: 'retail' }] } });
      const sql = db.query(`SELECT region, count(*) AS n, ${columns.map((c) => `sum("${c}") AS "${c}"`).join(', ')} FROM odd_batches WHERE ${where} GROUP BY region`);
      const expected = byKeys(sql, ['region']);
      expect(r.groups.length, `${m} sums`).toBe(expected.size);
      for (const g of r.groups) {
        const e = expected.get(JSON.stringify(g.keys))!;
        expect(g.count, `${g.keys[0]}, ${m} sums`).toBe(e.n);
        expect(g.values.count).toBe(e.n);
        for (const c of columns.slice(0, m)) expectClose(g.values[`sum_${c}`], e[c], `${g.keys[0]} ${c}, ${m} sums`);
      }
    }
  });

  // A filter keeping under SELECTIVE_SHARE of the rows: the kernel reads the filtered views instead
  // of its masked loops over every row; the answer must not change (and must equal SQL's).
  it('a selective filter (one region): sums, min, max, median and a quantile per segment x tier', async () => {
    const [{ region }] = db.query(`SELECT region FROM clients WHERE region IS NOT NULL GROUP BY region ORDER BY count(*), region LIMIT 1`);
    const spec = {
      by: [{ column: 'segment' }, { tier: {} }],
      measures: [
        { column: 'aum', agg: 'sum' },
        { column: 'aum', agg: 'min' },
        { column: 'aum', agg: 'max' },
        { column: 'revenue', agg: 'median' },
        { column: 'costToServe', agg: 'quantile', q: 0.9, as: 'p90_cost' },
        { agg: 'count' },
      ],
      filter: { all: [{ column: 'region', op: 'eq', value: region }] },
    };
    const r = await runKernelLocal<RollupResult>(segmentRollup, chunks, spec);
    const [{ n, all_n }] = db.query(`SELECT count(*) AS n, (SELECT count(*) FROM clients) AS all_n FROM clients WHERE region = '${region}'`);
    expect(Number(n)).toBeLessThan(0.25 * Number(all_n));
    expect(r.rows).toEqual({ scanned: all_n, matched: n });
    const sql = db.query(`SELECT segment, ${TIER_SQL} AS tier, count(*) AS n, sum(aum) AS aum, min(aum) AS lo, max(aum) AS hi, median(revenue) AS med,
      quantile_cont(costToServe, 0.9) AS p90 FROM clients WHERE region = '${region}' GROUP BY ALL`);
    const expected = byKeys(sql, ['segment', 'tier']);
    let seen = 0;
    for (const g of r.groups) {
      const s = expected.get(JSON.stringify(g.keys));
      const w = g.keys.join('/');
      if (!s) {
        expect(g.count, w).toBe(0);
        continue;
      }
      seen++;
      expect(g.count, w).toBe(s.n);
      expectClose(g.values.sum_aum, s.aum, `${w} aum`);
      expectClose(g.values.min_aum, s.lo, `${w} min`);
      expectClose(g.values.max_aum, s.hi, `${w} max`);
      expectClose(g.values.median_revenue, s.med, `${w} median`);
      expectClose(g.values.p90_cost, s.p90, `${w} p90`);
    }
    expect(seen).toBe(expected.size);
    expect(await runKernelSplit(segmentRollup, chunks, spec, 3)).toEqual(r);
  });

  it('asset scale x risk preference bins; null risk levels form a (missing) group', async () => {
    const spec = {
      by: [{ bins: DEFAULT_ASSET_SCALE }, { bins: DEFAULT_RISK_PREFERENCE }],
      measures: [{ column: 'aum', agg: 'median' }, { column: 'revenue', agg: 'quantile', q: 0.25, as: 'q1' }, { column: 'productsHeld', agg: 'mean' }],
    };
    const r = await runKernelLocal<RollupResult>(segmentRollup, chunks, spec);
    const sql = db.query(`SELECT CASE WHEN aum >= 500000 THEN 'high' WHEN aum >= 50000 THEN 'mid' ELSE 'low' END AS scale,
      CASE WHEN riskLevel IS NULL THEN NULL WHEN riskLevel >= 4 THEN 'aggressive' WHEN riskLevel >= 3 THEN 'balanced' ELSE 'conservative' END AS risk,
      count(*) AS n, median(aum) AS med, quantile_cont(revenue, 0.25) AS q1, avg(productsHeld) AS prod
      FROM clients GROUP BY ALL`);
    expect(r.levels).toEqual([
      { name: 'bins(aum)', labels: ['low', 'mid', 'high'], missing: false },
      { name: 'bins(riskLevel)', labels: ['conservative', 'balanced', 'aggressive', MISSING], missing: true },
    ]);
    expect(r.groups).toHaveLength(12);
    const expected = byKeys(sql, ['scale', 'risk']);
    for (const g of r.groups) {
      const s = expected.get(JSON.stringify(g.keys));
      const w = g.keys.join('/');
      expect(g.count, w).toBe(s?.n ?? 0);
      expectClose(g.values.median_aum, s?.med ?? null, `${w} median`);
      expectClose(g.values.q1, s?.q1 ?? null, `${w} q1`);
      expectClose(g.values.mean_productsHeld, s?.prod ?? null, `${w} products`);
    }
    expect(r.groups.filter((g) => g.keys[1] === MISSING && g.count > 0).length).toBeGreaterThan(0);
    expect(await runKernelSplit(segmentRollup, chunks, spec, 3)).toEqual(r);
  });

  it('dynamic tags: the first matching rule wins; tag x category', async () => {
    const spec = {
      by: [
        {
          tag: {
            rules: [
              { label: 'sleeping-rich', when: { all: [{ column: 'aum', op: 'gte', value: 500_000 }, { column: 'lastTxnDate', op: 'lt', value: '2026-03-01' }] } },
              { label: 'young', when: { all: [{ column: 'age', op: 'lt', value: 30 }] } },
              { label: 'business', when: { any: [{ column: 'clientType', op: 'eq', value: 'corporate' }, { column: 'industry', op: 'notNull' }] } },
            ],
            otherwise: 'rest',
          },
        },
        { column: 'channel' },
      ],
      measures: [{ column: 'aum', agg: 'sum' }, { column: 'txnCount12m', agg: 'max' }],
    };
    const r = await runKernelLocal<RollupResult>(segmentRollup, chunks, spec);
    const sql = db.query(`SELECT CASE WHEN aum >= 500000 AND lastTxnDate < DATE '2026-03-01' THEN 'sleeping-rich' WHEN age < 30 THEN 'young'
        WHEN clientType = 'corporate' OR industry IS NOT NULL THEN 'business' ELSE 'rest' END AS tag,
      channel, count(*) AS n, sum(aum) AS aum, max(txnCount12m) AS tx FROM clients GROUP BY ALL`);
    const channels = db.query(`SELECT DISTINCT channel FROM clients WHERE channel IS NOT NULL ORDER BY channel`).map((x) => x.channel as string);
    expect(r.levels[0].labels).toEqual(['sleeping-rich', 'young', 'business', 'rest']);
    expect(r.levels[1]).toEqual({ name: 'channel', labels: [...channels, MISSING], missing: true });
    const expected = byKeys(sql, ['tag', 'channel']);
    expect(r.groups).toHaveLength(4 * (channels.length + 1));
    for (const g of r.groups) {
      const s = expected.get(JSON.stringify(g.keys));
      expect(g.count, g.keys.join('/')).toBe(s?.n ?? 0);
      expectClose(g.values.sum_aum, s?.aum ?? null, `${g.keys} aum`);
      expectClose(g.values.max_txnCount12m, s?.tx ?? null, `${g.keys} tx`);
    }
    expect(await runKernelSplit(segmentRollup, chunks, spec, 3)).toEqual(r);
  });

  it('two wide category columns (branch x rm, combinations registered on first use)', async () => {
    const spec = { by: [{ column: 'branch' }, { column: 'rm' }], measures: [{ column: 'aum', agg: 'sum' }, { column: 'revenue', agg: 'median' }] };
    const r = await runKernelLocal<RollupResult>(segmentRollup, chunks, spec);
    const sql = db.query(`SELECT branch, rm, count(*) AS n, sum(aum) AS s, median(revenue) AS med FROM clients GROUP BY ALL ORDER BY branch, rm NULLS LAST`);
    expect(r.groups.map((g) => g.keys)).toEqual(sql.map((x) => [x.branch, x.rm ?? MISSING]));
    sql.forEach((x, i) => {
      expect(r.groups[i].count).toBe(x.n);
      expectClose(r.groups[i].values.sum_aum, x.s, `${x.branch}/${x.rm} sum`);
      expectClose(r.groups[i].values.median_revenue, x.med, `${x.branch}/${x.rm} median`);
    });
    expect(await runKernelSplit(segmentRollup, chunks, spec, 3)).toEqual(r);
  });

  it('two category columns list only the combinations that have rows; a filter matching nothing gives an empty result', async () => {
    const spec = { by: [{ column: 'region' }, { column: 'segment' }], measures: [{ column: 'deposits', agg: 'sum' }] };
    const r = await runKernelLocal<RollupResult>(segmentRollup, chunks, spec);
    const sql = db.query(`SELECT region, segment, count(*) AS n, sum(deposits) AS d FROM clients GROUP BY ALL ORDER BY region, segment`);
    expect(r.groups.map((g) => g.keys)).toEqual(sql.map((s) => [s.region, s.segment]));
    sql.forEach((s, i) => {
      expect(r.groups[i].count).toBe(s.n);
      expectClose(r.groups[i].values.sum_deposits, s.d, `${s.region}/${s.segment}`);
    });
    expect(await runKernelSplit(segmentRollup, chunks, spec, 3)).toEqual(r);

    const none = await runKernelLocal<RollupResult>(segmentRollup, chunks, { ...spec, filter: { all: [{ column: 'aum', op: 'lt', value: -1 }] } });
    expect(none.groups).toEqual([]);
    expect(none.total).toEqual({ keys: [], count: 0, values: { sum_deposits: null } });
    expect(none.rows).toEqual({ scanned: 150_000, matched: 0 });
  });
});

// ---------------------------------------------------------------------------------------------

interface HandRow {
  id: string;
  region: string | null;
  type?: 'retail' | 'corporate';
  aum: number | null;
  revenue: number | null;
  cost: number | null;
  risk: number | null;
}

function handTable(rows: HandRow[], regions: string[]): Table {
  const n = rows.length;
  const floats = (pick: (r: HandRow) => number | null): ColumnValues => {
    const values = new Float64Array(n);
    const valid = new Uint8Array(n);
    rows.forEach((r, i) => {
      const v = pick(r);
      if (v !== null) {
        values[i] = v;
        valid[i] = 1;
      }
    });
    return { type: 'float', values, valid };
  };
  const region = new Int32Array(n);
  const regionValid = new Uint8Array(n);
  rows.forEach((r, i) => {
    if (r.region !== null) {
      region[i] = regions.indexOf(r.region);
      regionValid[i] = 1;
    }
  });
  const risk = new Int32Array(n);
  const riskValid = new Uint8Array(n);
  rows.forEach((r, i) => {
    if (r.risk !== null) {
      risk[i] = r.risk;
      riskValid[i] = 1;
    }
  });
  return makeClientTable({
    clientId: { type: 'string', values: rows.map((r) => r.id) },
    clientType: { type: 'category', indices: Int32Array.from(rows, (r) => (r.type === 'corporate' ? 1 : 0)), dictionary: ['retail', 'corporate'], valid: null },
    region: { type: 'category', indices: region, dictionary: regions, valid: regionValid },
    aum: floats((r) => r.aum),
    revenue: floats((r) => r.revenue),
    costToServe: floats((r) => r.cost),
    riskLevel: { type: 'int', values: risk, valid: riskValid },
  });
}

// Three chunks with different dictionaries (label order differs), one of them empty.
const handA: HandRow[] = [
  { id: 'a1', region: 'north', aum: 1e300, revenue: 10, cost: 5, risk: 1 },
  { id: 'a2', region: 'north', aum: 2e300, revenue: -4, cost: 0, risk: 5 },
  { id: 'a3', region: 'south', aum: -0, revenue: 0, cost: 0, risk: null },
  { id: 'a4', region: 'south', aum: 5e-324, revenue: null, cost: 0, risk: 3 },
  { id: 'a5', region: null, aum: NaN, revenue: NaN, cost: 1, risk: 2 },
  { id: 'a6', region: 'south', aum: 50_000, revenue: 7.5, cost: 2.5, risk: 4 },
  { id: 'a7', region: 'south', aum: 50_000, revenue: 7.5, cost: 2.5, risk: 4 },
  { id: 'a8', region: '(missing)', aum: 120, revenue: 1, cost: 1, risk: 2 },
  { id: 'a9', region: 'north', aum: null, revenue: 3, cost: null, risk: 2, type: 'corporate' },
];
const handB: HandRow[] = [
  { id: 'b1', region: 'east', aum: 499_999.99, revenue: 1e-300, cost: 0, risk: 2 },
  { id: 'b2', region: 'north', aum: 500_000, revenue: 2, cost: 4, risk: 3, type: 'corporate' },
  { id: 'b3', region: 'north', aum: -0, revenue: -0, cost: 0, risk: 1 },
  { id: 'b4', region: null, aum: 6_000_000, revenue: 5, cost: 10, risk: null },
  { id: 'b5', region: 'east', aum: NaN, revenue: 1, cost: 1, risk: 5 },
  { id: 'b6', region: 'east', aum: 50_000, revenue: 7.5, cost: 2.5, risk: 4 },
  { id: 'b7', region: 'east', aum: -Infinity, revenue: Infinity, cost: 0, risk: 1 },
];
const handChunks = (): Table[] => [
  handTable(handA, ['north', 'south', '(missing)']),
  handTable([], ['zzz']),
  handTable(handB, ['east', 'north']),
];

describe('segment-rollup on hand-made tables (nulls, NaN, ties, -0, extremes, empty chunk) vs DuckDB', () => {
  let hand: Table[];
  beforeAll(() => {
    hand = handChunks();
    // DuckDB's IPC reader wants the dictionaries of a stream with no batches; the empty chunk has no rows anyway.
    db.load('hand', hand.filter((t) => t.numRows > 0));
  }, HOOK_TIMEOUT);

  it('per region: null region is (missing), a real "(missing)" label stays separate, NaN excluded and counted', async () => {
    const spec = {
      by: { column: 'region' },
      measures: [
        { agg: 'count' },
        { column: 'aum', agg: 'count' },
        { column: 'aum', agg: 'sum' },
        { column: 'aum', agg: 'mean' },
        { column: 'aum', agg: 'min' },
        { column: 'aum', agg: 'max' },
        { column: 'aum', agg: 'median' },
        { column: 'aum', agg: 'quantile', q: 0.3, as: 'q30' },
        { column: 'revenue', agg: 'sum' },
        { column: 'costToServe', agg: 'sum' },
        { column: 'region', agg: 'count' },
      ],
      ratios: [{ as: 'cti', numerator: 'sum_costToServe', denominator: 'sum_revenue' }, { as: 'revPerAum', numerator: 'sum_revenue', denominator: 'sum_aum' }],
      share: true,
    };
    const r = await runKernelLocal<RollupResult>(segmentRollup, hand, spec);
    const nn = (c: string) => `FILTER (WHERE NOT isnan(${c}))`;
    const sql = db.query(`SELECT region, count(*) AS n, count(aum) ${nn('aum')} AS aum_n, sum(aum) ${nn('aum')} AS s, avg(aum) ${nn('aum')} AS m,
      min(aum) ${nn('aum')} AS lo, max(aum) ${nn('aum')} AS hi, median(aum) ${nn('aum')} AS med, quantile_cont(aum, 0.3) ${nn('aum')} AS q30,
      sum(revenue) ${nn('revenue')} AS rev, sum(costToServe) AS cost, count(region) AS reg_n
      FROM hand GROUP BY region ORDER BY region NULLS LAST`);
    // '(missing)' (a real label) sorts first by code point; the null group is last.
    expect(r.groups.map((g) => g.keys[0])).toEqual(['(missing)', 'east', 'north', 'south', MISSING]);
    expect(r.levels[0].missing).toBe(true);
    expect(sql.map((s) => s.region)).toEqual(['(missing)', 'east', 'north', 'south', null]);
    const [t] = db.query(`SELECT sum(revenue) ${nn('revenue')} AS rev, sum(aum) ${nn('aum')} AS aum, count(*) AS n FROM hand`);
    sql.forEach((s, i) => {
      const g = r.groups[i];
      const w = `region ${s.region}`;
      expect(g.count, w).toBe(s.n);
      expect(g.values.count_aum, w).toBe(s.aum_n);
      expect(g.values.count_region, w).toBe(s.reg_n);
      expectClose(g.values.sum_aum, s.s, `${w} sum`);
      expectClose(g.values.mean_aum, s.m, `${w} mean`);
      expectClose(g.values.min_aum, s.lo, `${w} min`);
      expectClose(g.values.max_aum, s.hi, `${w} max`);
      expectClose(g.values.median_aum, s.med, `${w} median`);
      expectClose(g.values.q30, s.q30, `${w} q30`);
      expectClose(g.values.sum_revenue, s.rev, `${w} revenue`);
      expectClose(g.values.sum_costToServe, s.cost, `${w} cost`);
      const cti = s.rev === null || s.cost === null || Number(s.rev) === 0 ? null : Number(s.cost) / Number(s.rev);
      expectClose(g.values.cti, cti, `${w} cti`);
      const rpa = s.rev === null || s.s === null || Number(s.s) === 0 ? null : Number(s.rev) / Number(s.s);
      expectClose(g.values.revPerAum, rpa, `${w} revenue per aum`);
      expectClose(g.share!.sum_revenue, s.rev === null ? null : Number(s.rev) / Number(t.rev), `${w} revenue share`);
      expectClose(g.countShare!, Number(s.n) / Number(t.n), `${w} count share`);
    });
    // min of {-0, 5e-324, 50000, 50000} is a zero, returned as +0; a -0-only sum is 0.
    expect(Object.is(r.groups[3].values.min_aum, 0)).toBe(true);
    expect(r.excluded).toEqual({ nan: 3, nanByColumn: { aum: 2, revenue: 1, costToServe: 0, region: 0 } });
    const [nan] = db.query(`SELECT count(*) FILTER (WHERE isnan(aum)) AS a, count(*) FILTER (WHERE isnan(revenue)) AS r FROM hand`);
    expect(r.excluded.nanByColumn.aum).toBe(nan.a);
    expect(r.excluded.nanByColumn.revenue).toBe(nan.r);
    // The total's sum of aum is 3e300 + 7e6...: dominated by the extremes, exact to the last digit.
    expectClose(r.total.values.sum_aum, t.aum, 'total aum');
    expect(await runKernelSplit(segmentRollup, hand, spec, 3)).toEqual(r);
    expect(await runKernelSplit(segmentRollup, hand, spec, 2)).toEqual(r);
  });

  it('wealth tiers: empty tiers listed with count 0 and null aggregates; NaN and null AUM are (missing)', async () => {
    // uhnw from 1e301: no client is that rich (1e300 and 2e300 are hnw here).
    const spec = {
      by: { tier: { thresholds: [50_000, 500_000, 6_000_000, 1e301] } },
      measures: [{ agg: 'count' }, { column: 'aum', agg: 'sum' }, { column: 'revenue', agg: 'median' }, { column: 'riskLevel', agg: 'count' }],
    };
    const r = await runKernelLocal<RollupResult>(segmentRollup, hand, spec);
    const sql = db.query(`SELECT ${TIER_SQL.replace('50000000', '1e301')} AS tier, count(*) AS n, sum(aum) FILTER (WHERE NOT isnan(aum)) AS s,
      median(revenue) FILTER (WHERE NOT isnan(revenue)) AS med, count(riskLevel) AS risk_n FROM hand GROUP BY ALL`);
    expect(r.groups.map((g) => g.keys[0])).toEqual([...TIERS, MISSING]);
    const expected = byKeys(sql, ['tier']);
    for (const g of r.groups) {
      const s = expected.get(JSON.stringify(g.keys));
      expect(g.count, g.keys[0]).toBe(s?.n ?? 0);
      expect(g.values.count, g.keys[0]).toBe(s?.n ?? 0);
      expect(g.values.count_riskLevel, g.keys[0]).toBe(s?.risk_n ?? 0);
      expectClose(g.values.sum_aum, s?.s ?? null, `${g.keys} sum`);
      expectClose(g.values.median_revenue, s?.med ?? null, `${g.keys} median`);
    }
    const uhnw = r.groups[4];
    expect(uhnw).toEqual({ keys: ['uhnw'], count: 0, values: { count: 0, sum_aum: null, median_revenue: null, count_riskLevel: 0 } });
    expect(r.groups[5].count).toBe(3); // a5 NaN, a9 null, b5 NaN
    expect(await runKernelSplit(segmentRollup, hand, spec, 3)).toEqual(r);
  });

  it('custom tier thresholds and labels on another column, and a filter with any/all', async () => {
    const spec = {
      by: { tier: { column: 'revenue', thresholds: [0, 5], labels: ['loss', 'small', 'large'] } },
      // Rows the filter drops hold NaN and infinities: they must not leak into the sums.
      measures: [{ column: 'costToServe', agg: 'sum' }, { column: 'costToServe', agg: 'max' }, { column: 'aum', agg: 'sum' }, { column: 'revenue', agg: 'sum' }],
      filter: { all: [{ column: 'riskLevel', op: 'between', values: [2, 5] }], any: [{ column: 'region', op: 'in', values: ['north', 'east'] }, { column: 'region', op: 'isNull' }] },
    };
    const r = await runKernelLocal<RollupResult>(segmentRollup, hand, spec);
    const sql = db.query(`SELECT CASE WHEN revenue IS NULL OR isnan(revenue) THEN NULL WHEN revenue >= 5 THEN 'large' WHEN revenue >= 0 THEN 'small' ELSE 'loss' END AS band,
      count(*) AS n, sum(costToServe) AS s, max(costToServe) AS hi, sum(aum) FILTER (WHERE NOT isnan(aum)) AS aum,
      sum(revenue) FILTER (WHERE NOT isnan(revenue)) AS rev FROM hand
      WHERE riskLevel BETWEEN 2 AND 5 AND (region IN ('north', 'east') OR region IS NULL) GROUP BY ALL`);
    const expected = byKeys(sql, ['band']);
    const labels = ['loss', 'small', 'large', ...(expected.has(JSON.stringify([MISSING])) ? [MISSING] : [])];
    expect(r.groups.map((g) => g.keys[0])).toEqual(labels);
    for (const g of r.groups) {
      const s = expected.get(JSON.stringify(g.keys));
      expect(g.count, g.keys[0]).toBe(s?.n ?? 0);
      expectClose(g.values.sum_costToServe, s?.s ?? null, `${g.keys} sum`);
      expectClose(g.values.max_costToServe, s?.hi ?? null, `${g.keys} max`);
      expectClose(g.values.sum_aum, s?.aum ?? null, `${g.keys} aum`);
      expectClose(g.values.sum_revenue, s?.rev ?? null, `${g.keys} revenue`);
    }
    expect(await runKernelSplit(segmentRollup, hand, spec, 3)).toEqual(r);
  });

  it('two category columns with huge dictionaries (more combinations than a lookup table holds)', async () => {
    const labels = Array.from({ length: 3000 }, (_, i) => `L${i}`);
    const make = (rows: [number, number | null, number][]) =>
      makeClientTable({
        clientId: { type: 'string', values: rows.map((_, i) => `h${i}`) },
        branch: { type: 'category', indices: Int32Array.from(rows, (r) => r[0]), dictionary: labels, valid: null },
        rm: { type: 'category', indices: Int32Array.from(rows, (r) => r[1] ?? 0), dictionary: [...labels].reverse(), valid: Uint8Array.from(rows, (r) => (r[1] === null ? 0 : 1)) },
        aum: { type: 'float', values: Float64Array.from(rows, (r) => r[2]), valid: null },
      });
    const wide = [
      make([[0, 0, 1], [2999, 2999, 2], [0, 0, 3], [17, null, 4], [5, 7, 0.5]]),
      make([[0, 0, 10], [2999, 1, 20], [17, null, 40], [1234, 2999, 8]]),
    ];
    db.load('wide', wide);
    const spec = { by: [{ column: 'branch' }, { column: 'rm' }], measures: [{ column: 'aum', agg: 'sum' }] };
    const r = await runKernelLocal<RollupResult>(segmentRollup, wide, spec);
    const sql = db.query(`SELECT branch, rm, count(*) AS n, sum(aum) AS s FROM wide GROUP BY ALL ORDER BY branch, rm NULLS LAST`);
    expect(r.groups.map((g) => [...g.keys, g.count, g.values.sum_aum])).toEqual(sql.map((x) => [x.branch, x.rm ?? MISSING, x.n, x.s]));
    expect(await runKernelSplit(segmentRollup, wide, spec, 2)).toEqual(r);
  });

  it('a zero-row dataset is a SpecError naming "dataset"', async () => {
    const empty = [handTable([], ['north'])];
    const err = await runKernelLocal(segmentRollup, empty, { by: { column: 'region' }, measures: [{ column: 'aum', agg: 'sum' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).field).toBe('dataset');
    expect((err as Error).message).toMatch(/segment-rollup: dataset has no rows/);
  });
});

describe('segment-rollup spec validation', () => {
  const schema = () => generatePortfolio({ rows: 10 })[0].schema.fields.map((f) => ({ name: f.name, type: String(f.type) }));
  const bad: [string, unknown, string][] = [
    ['a missing column', { by: { column: 'region' }, measures: [{ column: 'wealth', agg: 'sum' }] }, 'measures[0].column'],
    ['a non-numeric measure', { by: { column: 'region' }, measures: [{ agg: 'count' }, { column: 'segment', agg: 'sum' }] }, 'measures[1].column'],
    ['a category dimension on a number', { by: { column: 'aum' } }, 'by.column'],
    ['thresholds out of order', { by: [{ column: 'region' }, { tier: { thresholds: [50_000, 6_000_000, 500_000, 50_000_000] } }] }, 'by[1].tier.thresholds[2]'],
    ['bins labels not matching edges', { by: { bins: { column: 'aum', edges: [1, 2], labels: ['a', 'b'] } } }, 'by.bins.labels'],
    ['an unknown agg', { by: { column: 'region' }, measures: [{ column: 'aum', agg: 'avg' }] }, 'measures[0].agg'],
    ['q above 1', { by: { column: 'region' }, measures: [{ column: 'aum', agg: 'quantile', q: 1.5 }] }, 'measures[0].q'],
    ['q below 0', { by: { column: 'region' }, measures: [{ column: 'aum', agg: 'quantile', q: -0.1 }] }, 'measures[0].q'],
    ['q missing', { by: { column: 'region' }, measures: [{ column: 'aum', agg: 'quantile' }] }, 'measures[0].q'],
    ['q on another agg', { by: { column: 'region' }, measures: [{ column: 'aum', agg: 'median', q: 0.5 }] }, 'measures[0].q'],
    ['a duplicate alias', { by: { column: 'region' }, measures: [{ column: 'aum', agg: 'sum' }, { column: 'aum', agg: 'sum' }] }, 'measures[1].as'],
    ['a ratio of an unknown measure', { by: { column: 'region' }, measures: [{ column: 'aum', agg: 'sum' }], ratios: [{ as: 'r', numerator: 'sum_aum', denominator: 'sum_x' }] }, 'ratios[0].denominator'],
    ['three levels', { by: [{ column: 'region' }, { column: 'segment' }, { column: 'tier' }] }, 'by'],
    ['no by', { measures: [] }, 'by'],
    ['a bad filter value', { by: { column: 'region' }, filter: { all: [{ column: 'aum', op: 'gt', value: 1 }, { column: 'region', op: 'eq', value: 'x' }, { column: 'aum', op: 'lt', value: 'big' }] } }, 'filter.all[2].value'],
    ['share not boolean', { by: { column: 'region' }, share: 'yes' }, 'share'],
    ['an unknown option', { by: { column: 'region' }, measure: [] }, 'measure'],
  ];
  for (const [what, spec, field] of bad) {
    it(`rejects ${what} naming ${field}`, () => {
      let err: unknown;
      try {
        segmentRollup.validate(spec, schema());
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SpecError);
      expect((err as SpecError).field).toBe(field);
      expect((err as Error).message).toContain(`segment-rollup: ${field} `);
    });
  }

  it('fills defaults, and a validated spec validates again unchanged (workers re-validate)', () => {
    const s = schema();
    const v = segmentRollup.validate({ by: { tier: {} }, measures: [{ column: 'aum', agg: 'quantile', q: 0.9 }, { agg: 'count' }] }, s);
    expect(v).toEqual({
      by: [{ tier: { column: 'aum', thresholds: [50_000, 500_000, 6_000_000, 50_000_000], labels: TIERS, missingLabel: MISSING } }],
      measures: [{ column: 'aum', agg: 'quantile', q: 0.9, as: 'quantile_0.9_aum' }, { agg: 'count', as: 'count' }],
      ratios: [],
      share: false,
    });
    expect(segmentRollup.validate(structuredClone(v), s)).toEqual(v);
  });
});
