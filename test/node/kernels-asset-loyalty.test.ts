/**
 * asset-loyalty against DuckDB: the asset band x loyalty band matrix (counts, AUM and revenue
 * sums) and the "high assets, low stickiness" top list are recomputed in SQL written here, on
 * generated chunks and on hand-made tables with nulls, NaN, AUM ties and awkward client ids.
 * Documented rules spelled out in the SQL: loyalty points = thresholds met by productsHeld and
 * txnCount12m; a null input -> '(missing)' loyalty band; null/NaN AUM -> '(missing)' asset band;
 * NaN revenue left out of sums and counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Table } from 'apache-arrow';
import { openDuckDB, type DuckDB } from './support/duckdb.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { makeClientTable } from '../../src/schema/arrow-columns.js';
import { runKernelLocal, runKernelSplit, schemaOfTable } from '../../workers/kernels/run-local.js';
import { assetLoyaltyKernel, type AssetLoyaltyResult } from '../../workers/kernels/asset-loyalty.js';
import { SpecError } from '../../workers/kernels/kernel.js';
import { getKernel } from '../../workers/kernels/index.js';

const MISSING = '(missing)';

function expectClose(actual: number | null | undefined, expected: unknown, what: string): void {
  if (expected === null || expected === undefined) {
    expect(actual ?? null, what).toBeNull();
    return;
  }
  const e = Number(expected);
  expect(actual, what).not.toBeNull();
  const a = actual as number;
  if (a === e) return;
  expect(Math.abs(a - e), `${what}: ${a} vs ${e}`).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(a), Math.abs(e)));
}

interface Bands {
  assetEdges: number[];
  assetLabels: string[];
  products: number[];
  txns: number[];
  loyaltyEdges: number[];
  loyaltyLabels: string[];
}

const DEFAULTS: Bands = { assetEdges: [50_000, 500_000], assetLabels: ['low', 'mid', 'high'], products: [3], txns: [24], loyaltyEdges: [1, 2], loyaltyLabels: ['low', 'medium', 'high'] };

/** CASE expressions for the bands, written from the documented rules. */
function bandSql(b: Bands): { asset: string; loyalty: string } {
  const cut = (x: string, edges: number[], labels: string[]) =>
    `CASE ${edges.map((e, i) => ({ e, l: labels[i + 1] })).reverse().map(({ e, l }) => `WHEN ${x} >= ${e} THEN '${l}'`).join(' ')} ELSE '${labels[0]}' END`;
  const points = [...b.products.map((t) => `(CASE WHEN productsHeld >= ${t} THEN 1 ELSE 0 END)`), ...b.txns.map((t) => `(CASE WHEN txnCount12m >= ${t} THEN 1 ELSE 0 END)`), '0'].join(' + ');
  return {
    asset: `CASE WHEN aum IS NULL OR isnan(aum) THEN NULL ELSE ${cut('aum', b.assetEdges, b.assetLabels)} END`,
    loyalty: `CASE WHEN productsHeld IS NULL OR txnCount12m IS NULL THEN NULL ELSE ${cut(`(${points})`, b.loyaltyEdges, b.loyaltyLabels)} END`,
  };
}

function checkAgainstSql(db: DuckDB, table: string, r: AssetLoyaltyResult, b: Bands, where: string, topN: number): void {
  const { asset, loyalty } = bandSql(b);
  const rows = db.query(`SELECT ${asset} AS asset, ${loyalty} AS loyalty, count(*) AS n, sum(aum) FILTER (WHERE NOT isnan(aum)) AS aum,
    sum(revenue) FILTER (WHERE NOT isnan(revenue)) AS rev FROM ${table} WHERE ${where} GROUP BY ALL`);
  const key = (a: unknown, l: unknown) => JSON.stringify([a ?? MISSING, l ?? MISSING]);
  const expected = new Map(rows.map((x) => [key(x.asset, x.loyalty), x]));
  const hasMissingAsset = rows.some((x) => x.asset === null);
  const hasMissingLoyalty = rows.some((x) => x.loyalty === null);
  expect(r.assetBands).toEqual([...b.assetLabels, ...(hasMissingAsset ? [MISSING] : [])]);
  expect(r.loyaltyBands).toEqual([...b.loyaltyLabels, ...(hasMissingLoyalty ? [MISSING] : [])]);
  expect(r.cells.map((c) => [c.asset, c.loyalty])).toEqual(r.assetBands.flatMap((a) => r.loyaltyBands.map((l) => [a, l])));
  for (const c of r.cells) {
    const s = expected.get(key(c.asset, c.loyalty));
    const w = `${c.asset}/${c.loyalty}`;
    expect(c.count, w).toBe(s?.n ?? 0);
    expectClose(c.aum, s?.aum ?? null, `${w} aum`);
    expectClose(c.revenue, s?.rev ?? null, `${w} revenue`);
  }
  const [t] = db.query(`SELECT count(*) AS n, sum(aum) FILTER (WHERE NOT isnan(aum)) AS aum, sum(revenue) FILTER (WHERE NOT isnan(revenue)) AS rev,
    count(*) FILTER (WHERE isnan(revenue)) AS nan, (SELECT count(*) FROM ${table}) AS scanned,
    count(*) FILTER (WHERE (${asset}) IS NULL) AS no_asset, count(*) FILTER (WHERE (${loyalty}) IS NULL) AS no_loyalty FROM ${table} WHERE ${where}`);
  expect(r.total.count).toBe(t.n);
  expectClose(r.total.aum, t.aum, 'total aum');
  expectClose(r.total.revenue, t.rev, 'total revenue');
  expect(r.rows).toEqual({ scanned: t.scanned, matched: t.n });
  expect(r.excluded).toEqual({ nan: t.nan });
  expect(r.missing).toEqual({ assets: t.no_asset, loyalty: t.no_loyalty });

  const high = b.assetLabels[b.assetLabels.length - 1], low = b.loyaltyLabels[0];
  const cornerWhere = `(${where}) AND (${asset}) = '${high}' AND (${loyalty}) = '${low}'`;
  const [corner] = db.query(`SELECT count(*) AS n, sum(aum) AS aum, sum(revenue) FILTER (WHERE NOT isnan(revenue)) AS rev FROM ${table} WHERE ${cornerWhere}`);
  const hl = r.highAssetsLowStickiness;
  expect([hl.asset, hl.loyalty]).toEqual([high, low]);
  expect(hl.count).toBe(corner.n);
  expectClose(hl.aum, corner.aum, 'corner aum');
  expectClose(hl.revenue, corner.rev, 'corner revenue');
  const top = db.query(`SELECT clientId, aum FROM ${table} WHERE ${cornerWhere} ORDER BY aum DESC, clientId ASC NULLS LAST LIMIT ${topN}`);
  expect(hl.clients).toEqual(top.map((x) => ({ clientId: x.clientId, aum: x.aum })));
}

/** Opening DuckDB and loading 150k rows can take a while on a busy machine. */
const HOOK_TIMEOUT = 120_000;

let db: DuckDB;
let chunks: Table[];

beforeAll(async () => {
  db = await openDuckDB();
  chunks = generatePortfolio({ rows: 150_000 });
  db.load('clients', chunks);
}, HOOK_TIMEOUT);

afterAll(async () => {
  await db?.close();
}, HOOK_TIMEOUT);

describe('asset-loyalty on generated data (150k rows, 3 batches) vs DuckDB', () => {
  it('is registered', () => {
    expect(getKernel('asset-loyalty')).toBe(assetLoyaltyKernel);
  });

  it('default bands: matrix, totals, corner figures and its top 50 clients', async () => {
    const r = await runKernelLocal<AssetLoyaltyResult>(assetLoyaltyKernel, chunks, {});
    checkAgainstSql(db, 'clients', r, DEFAULTS, 'true', 50);
    expect(r.highAssetsLowStickiness.clients).toHaveLength(50);
    expect(r.highAssetsLowStickiness.count).toBeGreaterThan(100);
    expect(await runKernelSplit(assetLoyaltyKernel, chunks, {}, 3)).toEqual(r);
    expect(await runKernelSplit(assetLoyaltyKernel, chunks, {}, 2)).toEqual(r);
  });

  it('custom bands (more than four cut points), thresholds, a filter and topN', async () => {
    const b: Bands = {
      assetEdges: [1_000, 10_000, 100_000, 1_000_000, 10_000_000],
      assetLabels: ['xs', 's', 'm', 'l', 'xl', 'xxl'],
      products: [2, 4],
      txns: [12, 36, 60],
      loyaltyEdges: [1, 3],
      loyaltyLabels: ['sleepy', 'casual', 'loyal'],
    };
    const spec = {
      assets: { edges: b.assetEdges, labels: b.assetLabels },
      loyalty: { products: { thresholds: b.products }, transactions: { thresholds: b.txns }, edges: b.loyaltyEdges, labels: b.loyaltyLabels },
      topN: 7,
      filter: { all: [{ column: 'clientType', op: 'eq', value: 'corporate' }] },
    };
    const r = await runKernelLocal<AssetLoyaltyResult>(assetLoyaltyKernel, chunks, spec);
    checkAgainstSql(db, 'clients', r, b, `clientType = 'corporate'`, 7);
    expect(await runKernelSplit(assetLoyaltyKernel, chunks, spec, 3)).toEqual(r);
  });

  it('three or four cut points per list (the four-cut loop)', async () => {
    const b: Bands = {
      assetEdges: [10_000, 100_000, 1_000_000, 5_000_000],
      assetLabels: ['a', 'b', 'c', 'd', 'e'],
      products: [2, 3, 5],
      txns: [6, 12, 24, 48],
      loyaltyEdges: [2, 4, 6],
      loyaltyLabels: ['l0', 'l1', 'l2', 'l3'],
    };
    const spec = {
      assets: { edges: b.assetEdges, labels: b.assetLabels },
      loyalty: { products: { thresholds: b.products }, transactions: { thresholds: b.txns }, edges: b.loyaltyEdges, labels: b.loyaltyLabels },
      topN: 20,
    };
    const r = await runKernelLocal<AssetLoyaltyResult>(assetLoyaltyKernel, chunks, spec);
    checkAgainstSql(db, 'clients', r, b, 'true', 20);
    expect(await runKernelSplit(assetLoyaltyKernel, chunks, spec, 3)).toEqual(r);
  });

  // A filter that keeps every row hands the kernel a byte mask, which takes the careful loop (it
  // tests each value for NaN); without one, batches without nulls take the optimistic loop (it
  // adds first and checks the sums). Both must give the same bits, not just close figures.
  const KEEP_ALL = { any: [{ column: 'aum', op: 'isNull' }, { column: 'aum', op: 'notNull' }] };

  it('the optimistic loop and the careful loop agree bit for bit (default bands)', async () => {
    const plain = await runKernelLocal<AssetLoyaltyResult>(assetLoyaltyKernel, chunks, {});
    const careful = await runKernelLocal<AssetLoyaltyResult>(assetLoyaltyKernel, chunks, { filter: KEEP_ALL });
    expect(careful).toEqual(plain);
  });

  for (const [what, b] of [
    ['one asset cut, no product threshold', { assetEdges: [100_000], assetLabels: ['small', 'big'], products: [], txns: [12], loyaltyEdges: [1], loyaltyLabels: ['low', 'high'] }],
    ['two point totals in one band (not the optimistic shape)', { assetEdges: [50_000, 500_000], assetLabels: ['low', 'mid', 'high'], products: [3], txns: [24], loyaltyEdges: [2], loyaltyLabels: ['low', 'high'] }],
    ['no point total in the first band (empty corner)', { assetEdges: [50_000, 500_000], assetLabels: ['low', 'mid', 'high'], products: [3], txns: [24], loyaltyEdges: [0, 1, 2], loyaltyLabels: ['none', 'low', 'medium', 'high'] }],
  ] as [string, Bands][]) {
    it(`other band shapes: ${what}`, async () => {
      const spec = {
        assets: { edges: b.assetEdges, labels: b.assetLabels },
        loyalty: { products: { thresholds: b.products }, transactions: { thresholds: b.txns }, edges: b.loyaltyEdges, labels: b.loyaltyLabels },
        topN: 5,
      };
      const r = await runKernelLocal<AssetLoyaltyResult>(assetLoyaltyKernel, chunks, spec);
      checkAgainstSql(db, 'clients', r, b, 'true', 5);
      expect(await runKernelSplit(assetLoyaltyKernel, chunks, spec, 3)).toEqual(r);
      expect(await runKernelLocal(assetLoyaltyKernel, chunks, { ...spec, filter: KEEP_ALL })).toEqual(r);
    });
  }

  it('topN 0 lists no clients but still gives the corner figures', async () => {
    const r = await runKernelLocal<AssetLoyaltyResult>(assetLoyaltyKernel, chunks, { topN: 0 });
    expect(r.highAssetsLowStickiness.clients).toEqual([]);
    expect(r.highAssetsLowStickiness.count).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------

interface Client {
  id: string | null;
  aum: number | null;
  revenue: number | null;
  products: number | null;
  txns: number | null;
  type?: 'retail' | 'corporate';
}

function clientTable(rows: Client[]): Table {
  const valid = (xs: unknown[]) => Uint8Array.from(xs, (x) => (x === null ? 0 : 1));
  const aum = rows.map((r) => r.aum), revenue = rows.map((r) => r.revenue), products = rows.map((r) => r.products), txns = rows.map((r) => r.txns);
  return makeClientTable({
    clientId: { type: 'string', values: rows.map((r) => r.id) },
    clientType: { type: 'category', indices: Int32Array.from(rows, (r) => (r.type === 'corporate' ? 0 : 1)), dictionary: ['corporate', 'retail'], valid: null },
    aum: { type: 'float', values: Float64Array.from(aum, (x) => x ?? 0), valid: valid(aum) },
    revenue: { type: 'float', values: Float64Array.from(revenue, (x) => x ?? 0), valid: valid(revenue) },
    productsHeld: { type: 'int', values: Int32Array.from(products, (x) => x ?? 0), valid: valid(products) },
    txnCount12m: { type: 'int', values: Int32Array.from(txns, (x) => x ?? 0), valid: valid(txns) },
  });
}

// Corner (high assets, 0 loyalty points) clients with tied AUM and ids that sort differently by
// UTF-16 code unit, by code point, and as numbers; a null id; plus nulls and NaN everywhere else.
const partA: Client[] = [
  { id: 't3', aum: 5e6, revenue: 10, products: 1, txns: 2 },
  { id: 't1', aum: 5e6, revenue: NaN, products: 2, txns: 23 },
  { id: null, aum: 5e6, revenue: 1, products: 0, txns: 0 },
  { id: 'T2', aum: 5e6, revenue: null, products: 1, txns: 1 },
  { id: 'x-rich', aum: 1e300, revenue: 2, products: 0, txns: 0 },
  { id: 'loyal', aum: 9e6, revenue: 3, products: 5, txns: 40 },
  { id: 'nanAum', aum: NaN, revenue: 4, products: 1, txns: 1 },
  { id: 'nullAum', aum: null, revenue: 4, products: 1, txns: 1 },
  { id: 'noProducts', aum: 7e5, revenue: 5, products: null, txns: 30 },
  { id: 'mid', aum: 50_000, revenue: -3, products: 3, txns: 1, type: 'corporate' },
  { id: 'zero', aum: -0, revenue: -0, products: 0, txns: 0 },
];
const partB: Client[] = [
  { id: '\u{1F600}', aum: 5e6, revenue: 1, products: 1, txns: 1 },
  { id: '\uFF21', aum: 5e6, revenue: 1, products: 1, txns: 1 },
  { id: '10', aum: 499_999.99, revenue: 1, products: 1, txns: 1 },
  { id: '9', aum: 500_000, revenue: 1, products: 2, txns: 23, type: 'corporate' },
  { id: 'noTxn', aum: 8e6, revenue: 6, products: 4, txns: null },
  { id: 'tiny', aum: 5e-324, revenue: 1e300, products: 3, txns: 24 },
];
// No nulls in this part (no validity bitmaps: the fast loops), but a NaN revenue.
const partC: Client[] = [
  { id: 't0', aum: 5e6, revenue: NaN, products: 2, txns: 0 },
  { id: 'é', aum: 5e6, revenue: 2, products: 0, txns: 5 },
];
// No nulls and no NaN revenue (the optimistic loop keeps this part), but NaN AUM in two cells.
const partD: Client[] = [
  { id: 'd1', aum: NaN, revenue: 3, products: 0, txns: 0 },
  { id: 'd2', aum: 6e6, revenue: 1.5, products: 1, txns: 3 },
  { id: 'd3', aum: NaN, revenue: -2, products: 4, txns: 30 },
];

describe('asset-loyalty on hand-made tables (ties, nulls, NaN, awkward ids) vs DuckDB', () => {
  let hand: Table[];
  beforeAll(() => {
    hand = [clientTable(partA), clientTable(partB), clientTable(partC), clientTable(partD)];
    db.load('hand', hand);
  }, HOOK_TIMEOUT);

  for (const topN of [1, 4, 9, 50]) {
    it(`top ${topN}: ties on AUM broken by client id (code point order, null last); missing bands listed`, async () => {
      const r = await runKernelLocal<AssetLoyaltyResult>(assetLoyaltyKernel, hand, { topN });
      checkAgainstSql(db, 'hand', r, DEFAULTS, 'true', topN);
      expect(r.assetBands).toContain(MISSING);
      expect(r.loyaltyBands).toContain(MISSING);
      for (const parts of [2, 3, 4]) expect(await runKernelSplit(assetLoyaltyKernel, hand, { topN }, parts)).toEqual(r);
    });
  }

  it('with a filter; a band missing nowhere is not listed', async () => {
    const spec = { filter: { all: [{ column: 'clientType', op: 'eq', value: 'retail' }, { column: 'aum', op: 'notNull' }, { column: 'txnCount12m', op: 'notNull' }] } };
    const r = await runKernelLocal<AssetLoyaltyResult>(assetLoyaltyKernel, hand, spec);
    checkAgainstSql(db, 'hand', r, DEFAULTS, `clientType = 'retail' AND aum IS NOT NULL AND txnCount12m IS NOT NULL`, 50);
    expect(await runKernelSplit(assetLoyaltyKernel, hand, spec, 3)).toEqual(r);
  });

  it('a zero-row dataset is a SpecError naming "dataset"', async () => {
    const err = await runKernelLocal(assetLoyaltyKernel, [clientTable([])], {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).field).toBe('dataset');
  });
});

describe('asset-loyalty spec validation', () => {
  const schema = () => schemaOfTable(generatePortfolio({ rows: 10 })[0]);
  const bad: [string, unknown, string, ((s: ReturnType<typeof schema>) => ReturnType<typeof schema>)?][] = [
    ['a missing revenue column', {}, 'revenueColumn', (s) => s.filter((c) => c.name !== 'revenue')],
    ['a missing products column', { loyalty: { products: { column: 'products' } } }, 'loyalty.products.column'],
    ['a non-numeric asset column', { assets: { column: 'region' } }, 'assets.column'],
    ['asset edges out of order', { assets: { edges: [500_000, 50_000] } }, 'assets.edges[1]'],
    ['product thresholds out of order', { loyalty: { products: { thresholds: [3, 2] } } }, 'loyalty.products.thresholds[1]'],
    ['loyalty edges without labels', { loyalty: { edges: [1] } }, 'loyalty.labels'],
    ['labels not matching edges', { assets: { edges: [1, 2, 3], labels: ['a', 'b'] } }, 'assets.labels'],
    ['a negative topN', { topN: -1 }, 'topN'],
    ['a fractional topN', { topN: 2.5 }, 'topN'],
    ['a bad filter', { filter: { all: [{ column: 'aum', op: 'between', values: [2, 1] }] } }, 'filter.all[0].values'],
    ['an unknown option', { assets: { colum: 'aum' } }, 'assets.colum'],
    ['a numeric id column', { idColumn: 'aum' }, 'idColumn'],
  ];
  for (const [what, spec, field, edit] of bad) {
    it(`rejects ${what} naming ${field}`, () => {
      let err: unknown;
      try {
        assetLoyaltyKernel.validate(spec, edit ? edit(schema()) : schema());
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SpecError);
      expect((err as SpecError).field).toBe(field);
      expect((err as Error).message).toContain(`asset-loyalty: ${field} `);
    });
  }

  it('fills documented defaults; a validated spec validates again unchanged', () => {
    const s = schema();
    const v = assetLoyaltyKernel.validate({}, s);
    expect(v).toEqual({
      assets: { column: 'aum', edges: [50_000, 500_000], labels: ['low', 'mid', 'high'], missingLabel: MISSING },
      loyalty: {
        products: { column: 'productsHeld', thresholds: [3] },
        transactions: { column: 'txnCount12m', thresholds: [24] },
        edges: [1, 2],
        labels: ['low', 'medium', 'high'],
        missingLabel: MISSING,
      },
      revenueColumn: 'revenue',
      idColumn: 'clientId',
      topN: 50,
    });
    expect(assetLoyaltyKernel.validate(structuredClone(v), s)).toEqual(v);
  });
});
