import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateMillisecond, Table, makeData, makeVector, type Vector } from 'apache-arrow';
import { openDuckDB, type DuckDB } from './support/duckdb.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { toVector } from '../../src/schema/arrow-columns.js';
import { DEFAULT_RFM_SEGMENTS, rfmKernel, type RfmBreakdown, type RfmResult } from '../../workers/kernels/rfm.js';
import { SpecError } from '../../workers/kernels/kernel.js';
import { runKernelLocal, runKernelSplit, schemaOfTable, tableRows } from '../../workers/kernels/run-local.js';
import { bucketOf } from '../../workers/kernels/float-buckets.js';

const close = (a: number | null, b: number | null) => {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
};

/** The same tables with a global row number `rn` (DuckDB's tie-break), for the SQL side only. */
function withRowNumbers(tables: readonly Table[]): Table[] {
  let offset = 0;
  return tables.map((t) => {
    const cols: Record<string, Vector> = {};
    for (const f of t.schema.fields) cols[f.name] = t.getChild(f.name)!;
    cols.rn = makeVector(Int32Array.from({ length: t.numRows }, (_, i) => offset + i));
    offset += t.numRows;
    return new Table(cols);
  });
}

/** The default segment map, written independently in SQL over scores r and fq. */
const SEGMENT_SQL = `CASE
  WHEN r = 5 AND fq >= 4 THEN 'Champions'
  WHEN r IN (3, 4) AND fq >= 4 THEN 'Loyal'
  WHEN r >= 4 AND fq IN (2, 3) THEN 'Potential loyalist'
  WHEN r = 5 AND fq = 1 THEN 'New'
  WHEN r = 4 AND fq = 1 THEN 'Promising'
  WHEN r = 3 AND fq = 3 THEN 'Need attention'
  WHEN r = 3 AND fq <= 2 THEN 'About to sleep'
  WHEN r <= 2 AND fq = 5 THEN 'Cannot lose them'
  WHEN r <= 2 AND fq IN (3, 4) THEN 'At risk'
  WHEN r = 2 AND fq <= 2 THEN 'Hibernating'
  WHEN r = 1 AND fq <= 2 THEN 'Lost' END`;

interface SqlOptions {
  d?: string;
  f?: string;
  m?: string;
  /** SQL date literal, or null: the latest date among scored rows. */
  asOf?: string | null;
  by?: string | null;
  where?: string;
  segmentSql?: string;
}

/** Scored rows with NTILE scores, as a SQL CTE chain ending in `sc`. */
function scoredSql(o: SqlOptions): string {
  const d = o.d ?? 'lastTxnDate', f = o.f ?? 'txnCount12m', m = o.m ?? 'revenue';
  const by = o.by ? `CAST(${o.by} AS VARCHAR)` : 'NULL::VARCHAR';
  return `WITH s AS (
      SELECT rn, ${d} AS d, ${f} AS f, ${m}::DOUBLE AS m, ${by} AS cat FROM t
      WHERE ${d} IS NOT NULL AND ${f} IS NOT NULL AND ${m} IS NOT NULL AND isfinite(${m}::DOUBLE) ${o.where ? `AND (${o.where})` : ''}
    ), a AS (${o.asOf ? `SELECT DATE '${o.asOf}' AS asof` : 'SELECT max(d) AS asof FROM s'}),
    sc AS (
      SELECT s.*, (a.asof - s.d) AS days,
        NTILE(5) OVER (ORDER BY (a.asof - s.d) DESC, rn) AS r,
        NTILE(5) OVER (ORDER BY f, rn) AS fq,
        NTILE(5) OVER (ORDER BY m, rn) AS mq
      FROM s, a
    )`;
}

interface Expected {
  scored: number;
  excluded: number;
  cells: Map<number, { n: number; money: number }>;
  groups: Map<string, Record<string, unknown>>;
}

interface Reference {
  all: Expected;
  /** Per category label of `by`. */
  byCat: Map<string | null, Expected>;
  boundaries: RfmResult['boundaries'];
}

/** Scores the rows once in DuckDB (table sc), then reads cells, segments and boundaries from it. */
function reference(db: DuckDB, o: SqlOptions): Reference {
  const d = o.d ?? 'lastTxnDate', f = o.f ?? 'txnCount12m', m = o.m ?? 'revenue';
  db.query(`CREATE OR REPLACE TABLE sc AS ${scoredSql(o)} SELECT * FROM sc`);
  const empty = (): Expected => ({ scored: 0, excluded: 0, cells: new Map(), groups: new Map() });
  const all = empty();
  const byCat = new Map<string | null, Expected>();
  const of = (cat: unknown) => {
    const key = (cat ?? null) as string | null;
    if (!byCat.has(key)) byCat.set(key, empty());
    return byCat.get(key)!;
  };
  for (const r of db.query(`SELECT cat, r * 100 + fq * 10 + mq AS code, count(*) AS n, fsum(m) AS money FROM sc GROUP BY ALL`)) {
    of(r.cat).cells.set(r.code as number, { n: r.n as number, money: r.money as number });
  }
  for (const r of db.query(`SELECT r * 100 + fq * 10 + mq AS code, count(*) AS n, fsum(m) AS money FROM sc GROUP BY ALL`)) {
    all.cells.set(r.code as number, { n: r.n as number, money: r.money as number });
  }
  const segStats = `${o.segmentSql ?? SEGMENT_SQL} AS seg, count(*) AS n, fsum(m) AS money, avg(m) AS mm, avg(days) AS md, avg(f) AS mf, avg(r) AS mr, avg(fq) AS mfq, avg(mq) AS mmq`;
  for (const r of db.query(`SELECT cat, ${segStats} FROM sc GROUP BY ALL`)) of(r.cat).groups.set(r.seg as string, r);
  for (const r of db.query(`SELECT ${segStats} FROM sc GROUP BY ALL`)) all.groups.set(r.seg as string, r);
  const by = o.by ? `CAST(${o.by} AS VARCHAR)` : 'NULL::VARCHAR';
  const counts = db.query(`SELECT ${by} AS cat, count(*) AS rows_,
      count(*) FILTER (WHERE ${d} IS NULL OR ${f} IS NULL OR ${m} IS NULL OR NOT isfinite(${m}::DOUBLE)) AS excluded
      FROM t ${o.where ? `WHERE ${o.where}` : ''} GROUP BY ALL`);
  for (const c of counts) {
    const e = of(c.cat);
    e.excluded = c.excluded as number;
    e.scored = (c.rows_ as number) - e.excluded;
    all.excluded += e.excluded;
    all.scored += e.scored;
  }
  const one = (score: string, value: string, order: string) =>
    db.query(`SELECT ${score} AS score, ${value} AS value, rn AS row FROM sc WHERE ${score} > 1
      QUALIFY row_number() OVER (PARTITION BY ${score} ORDER BY ${order}) = 1 ORDER BY score`).map((r) => ({ score: r.score as number, value: r.value as number, row: r.row as number }));
  const boundaries = { recency: one('r', 'days', 'days DESC, rn'), frequency: one('fq', 'f', 'f, rn'), monetary: one('mq', 'm', 'm, rn') };
  return { all, byCat, boundaries };
}

function expectMatches(got: RfmBreakdown, exp: Expected, segmentNames: readonly string[] = DEFAULT_RFM_SEGMENTS.map((s) => s.name)) {
  expect(got.scored).toBe(exp.scored);
  expect(got.excluded).toBe(exp.excluded);
  expect(got.cells).toHaveLength(125);
  for (const c of got.cells) {
    const e = exp.cells.get(c.code) ?? { n: 0, money: 0 };
    expect(c.count, `cell ${c.code}`).toBe(e.n);
    expect(close(c.monetary, e.money), `cell ${c.code} monetary ${c.monetary} vs ${e.money}`).toBe(true);
  }
  expect(got.groups.map((g) => g.name)).toEqual(segmentNames);
  for (const g of got.groups) {
    const e = exp.groups.get(g.name);
    if (!e) {
      expect(g.count, g.name).toBe(0);
      expect(g.monetary).toBe(0);
      expect([g.meanMonetary, g.meanRecencyDays, g.meanFrequency, g.meanR, g.meanF, g.meanM]).toEqual([null, null, null, null, null, null]);
      continue;
    }
    expect(g.count, g.name).toBe(e.n);
    expect(close(g.share, exp.scored ? (e.n as number) / exp.scored : null)).toBe(true);
    for (const [a, b] of [[g.monetary, e.money], [g.meanMonetary, e.mm], [g.meanRecencyDays, e.md], [g.meanFrequency, e.mf], [g.meanR, e.mr], [g.meanF, e.mfq], [g.meanM, e.mmq]] as const) {
      expect(close(a, b as number | null), `${g.name}: ${a} vs ${b}`).toBe(true);
    }
  }
}

/** Whole result (and each category of `by`) against the reference. */
function expectResult(got: RfmResult, ref: Reference, segmentNames?: readonly string[]) {
  expectMatches(got, ref.all, segmentNames);
  expect(got.boundaries).toEqual(ref.boundaries);
  if (got.by) {
    expect(got.by.categories.map((c) => c.label).sort()).toEqual([...ref.byCat.keys()].sort());
    for (const c of got.by.categories) expectMatches(c, ref.byCat.get(c.label)!, segmentNames);
  }
}

describe('rfm kernel on generated clients', () => {
  let db: DuckDB;
  let chunks: Table[];
  beforeAll(async () => {
    db = await openDuckDB();
    chunks = generatePortfolio({ rows: 150_000 });
    db.load('t', withRowNumbers(chunks));
  }, 60_000);
  afterAll(() => db.close(), 60_000);

  it('equals NTILE(5) window scores in DuckDB: cells, segments, boundaries (defaults: revenue, asOf = latest date)', async () => {
    const got = await runKernelLocal<RfmResult>(rfmKernel, chunks, {});
    expect(got.rows).toBe(150_000);
    expect(got.columns).toEqual({ recency: 'lastTxnDate', frequency: 'txnCount12m', monetary: 'revenue' });
    const [{ asof }] = db.query(`SELECT strftime(max(lastTxnDate), '%Y-%m-%d') AS asof FROM t WHERE txnCount12m IS NOT NULL AND revenue IS NOT NULL`);
    expect(got.asOf).toBe(asof);
    expectResult(got, reference(db, {}));
    expect(got.by).toBeNull();
  });

  it('equals DuckDB with an explicit asOf, AUM as monetary, split by segment', async () => {
    const spec = { asOf: '2026-12-31', monetaryColumn: 'aum', by: 'segment' };
    const o: SqlOptions = { asOf: '2026-12-31', m: 'aum', by: 'segment' };
    const got = await runKernelLocal<RfmResult>(rfmKernel, chunks, spec);
    expect(got.asOf).toBe('2026-12-31');
    expect(got.by!.column).toBe('segment');
    expectResult(got, reference(db, o));
    // Categories are in label order.
    const labels = got.by!.categories.map((c) => c.label as string);
    expect(labels).toEqual([...labels].sort());
  });

  it('scores an integer monetary column with heavy ties (productsHeld) like DuckDB', async () => {
    const got = await runKernelLocal<RfmResult>(rfmKernel, chunks, { monetaryColumn: 'productsHeld', asOf: '2026-06-30' });
    expectResult(got, reference(db, { m: 'productsHeld', asOf: '2026-06-30' }));
  });

  it('gives exactly the single-thread answer split across workers, whatever the sample size', async () => {
    const local = await runKernelLocal<RfmResult>(rfmKernel, chunks, { by: 'tier' });
    expect(await runKernelSplit(rfmKernel, chunks, { by: 'tier' }, 3)).toEqual(local);
    // Tiny samples: recency and frequency share buckets, whose rows reduce resolves; still the same answer.
    expect(await runKernelSplit(rfmKernel, chunks, { by: 'tier', samples: 2 }, 3)).toEqual(local);
    // More parts than batches: some workers have no rows.
    expect(await runKernelSplit(rfmKernel, chunks, { by: 'tier', samples: 64 }, 5)).toEqual(local);
  });

  it('has each worker send the rows of every range cut sorted by key, which reduce only merges', async () => {
    const schema = schemaOfTable(chunks[0]);
    const ctx = { checkpoint: async () => {}, progress: () => {} };
    const rows = tableRows(chunks);
    const groups = [rows.slice(0, 1), rows.slice(1, 2), rows.slice(2)];
    // Default: money cuts are ranges; samples 2: recency and frequency cuts too.
    for (const input of [{}, { by: 'tier', samples: 2 }]) {
      const spec = rfmKernel.validate(input, schema);
      const prep = await Promise.all(groups.map((g) => rfmKernel.prepare!.map(g, spec, ctx)));
      const params = rfmKernel.prepare!.reduce(prep, spec);
      const partials = await Promise.all(groups.map((g) => rfmKernel.map(g, spec, params, ctx)));
      let ranges = 0, listed = 0;
      for (const p of partials) {
        const vals = [p.pending.dates, p.pending.freqs, p.pending.money];
        for (let m = 0; m < 3; m++) {
          for (let j = 0; j < 4; j++) {
            const c = params.cuts[m][j];
            const list = [...p.order.subarray(p.orderStarts[4 * m + j], p.orderStarts[4 * m + j + 1])];
            if (c.kind !== 'range') {
              expect(list).toEqual([]);
              continue;
            }
            ranges++;
            listed += list.length;
            // Exactly the pending rows undecided on m in the cut's bucket ...
            const inBucket = (i: number) => p.pending.scores[3 * i + m] === 0 && (m < 2 ? vals[m][i] >> params.ints[m].shift : bucketOf(vals[m][i])) === c.bucket;
            const want = Array.from({ length: p.pending.n }, (_, i) => i).filter(inBucket);
            expect(String([...list].sort((a, b) => a - b))).toBe(String(want));
            // ... ascending by (value, row).
            let unsorted = 0;
            for (let k = 1; k < list.length; k++) {
              const a = list[k - 1], b = list[k];
              if (!(vals[m][a] < vals[m][b] || (vals[m][a] === vals[m][b] && p.pending.rows[a] < p.pending.rows[b]))) unsorted++;
            }
            expect(unsorted).toBe(0);
          }
        }
      }
      expect(ranges).toBeGreaterThan(0);
      expect(listed).toBeGreaterThan(0);
      expect(rfmKernel.reduce(partials, spec, params)).toEqual(await runKernelLocal(rfmKernel, chunks, input));
      // Reduce trusts the order: reversed lists pick other boundary keys.
      const reversed = partials.map((p) => {
        const order = p.order.slice();
        for (let k = 0; k < 12; k++) order.subarray(p.orderStarts[k], p.orderStarts[k + 1]).reverse();
        return { ...p, order };
      });
      expect(rfmKernel.reduce(reversed, spec, params).boundaries).not.toEqual(rfmKernel.reduce(partials, spec, params).boundaries);
    }
  });

  it('applies a segment table given in the spec', async () => {
    const segments = [
      { name: 'Active best', r: [4, 5], f: [4, 5] },
      { name: 'Active', r: [3, 5], f: [1, 5] },
      { name: 'Lapsing', r: [1, 2], f: [1, 5] },
    ];
    const got = await runKernelSplit<RfmResult>(rfmKernel, chunks, { segments }, 3);
    const segmentSql = `CASE WHEN r >= 4 AND fq >= 4 THEN 'Active best' WHEN r >= 3 THEN 'Active' ELSE 'Lapsing' END`;
    expectResult(got, reference(db, { segmentSql }), ['Active best', 'Active', 'Lapsing']);
  });

  it('ranks only the rows that pass a page filter, keeping their original row order', async () => {
    const filter = { all: [{ column: 'tier', op: 'in', values: ['affluent', 'hnw', 'uhnw'] }] };
    const got = await runKernelSplit<RfmResult>(rfmKernel, chunks, { filter }, 3);
    const ref = reference(db, { where: `tier IN ('affluent', 'hnw', 'uhnw')` });
    expectMatches(got, ref.all);
    // Under a page filter `row` is the kernel's position key, not the dataset row: compare the rest.
    const strip = (b: RfmResult['boundaries']) => Object.values(b).map((list) => list.map(({ score, value }) => ({ score, value })));
    expect(strip(got.boundaries)).toEqual(strip(ref.boundaries));
  });

  it('validates its own output spec unchanged (workers validate again)', () => {
    const schema = schemaOfTable(chunks[0]);
    const once = rfmKernel.validate({ by: 'segment', asOf: '2026-06-30', segments: DEFAULT_RFM_SEGMENTS.slice(0).reverse() }, schema);
    expect(rfmKernel.validate(once, schema)).toEqual(once);
  });
});

// ---------------------------------------------------------------------------------------------

interface HandRow {
  d: number | null;
  f: number | null;
  m: number | null;
  seg: string | null;
}

/** A client-shaped table (lastTxnDate, txnCount12m, revenue, segment) from hand-made rows. */
function handTable(rows: readonly HandRow[], dictionary: readonly string[]): Table {
  const n = rows.length;
  const d = new Int32Array(n), dv = new Uint8Array(n), f = new Int32Array(n), fv = new Uint8Array(n), m = new Float64Array(n), mv = new Uint8Array(n);
  const s = new Int32Array(n), sv = new Uint8Array(n);
  rows.forEach((r, i) => {
    if (r.d !== null) { d[i] = r.d; dv[i] = 1; }
    if (r.f !== null) { f[i] = r.f; fv[i] = 1; }
    if (r.m !== null) { m[i] = r.m; mv[i] = 1; }
    if (r.seg !== null) { s[i] = dictionary.indexOf(r.seg); sv[i] = 1; }
  });
  return new Table({
    lastTxnDate: toVector({ type: 'date', values: d, valid: dv }),
    txnCount12m: toVector({ type: 'int', values: f, valid: fv }),
    revenue: toVector({ type: 'float', values: m, valid: mv }),
    segment: toVector({ type: 'category', indices: s, dictionary, valid: sv }),
  });
}

describe('rfm kernel on hand-made tables', () => {
  let db: DuckDB;
  beforeAll(async () => {
    db = await openDuckDB();
  }, 60_000);
  afterAll(() => db.close(), 60_000);

  async function check(tables: Table[], spec: Record<string, unknown>, o: SqlOptions) {
    db.load('t', withRowNumbers(tables));
    const got = await runKernelLocal<RfmResult>(rfmKernel, tables, spec);
    expectResult(got, reference(db, o));
    for (const parts of [2, 3, tables.length + 2]) expect(await runKernelSplit(rfmKernel, tables, spec, parts)).toEqual(got);
    return got;
  }

  it('breaks ties by row order, excludes nulls and non-finite money, handles extreme values', async () => {
    const rows: HandRow[] = [];
    const segs = ['Personal', 'SME', 'Premier'];
    for (let i = 0; i < 97; i++) {
      rows.push({
        d: i % 11 === 0 ? null : i % 3 === 0 ? -25_000 : i % 5 === 0 ? 2_000_000 : 20_600 + (i % 4),
        f: i % 13 === 0 ? null : i % 2 === 0 ? 0 : i % 7,
        m: i % 17 === 0 ? null : i === 20 ? Number.NaN : i === 40 ? Number.POSITIVE_INFINITY : i === 60 ? Number.NEGATIVE_INFINITY
          : i % 9 === 0 ? 1e12 : i % 10 === 0 ? -3e9 : i % 4 === 0 ? 0.001 : i % 6 === 0 ? -0 : 50 + (i % 3),
        seg: i % 8 === 0 ? null : segs[i % 3],
      });
    }
    // Three chunks with different dictionaries; 'Unused' labels no row (an empty category).
    const tables = [
      handTable(rows.slice(0, 30), ['Personal', 'SME', 'Premier', 'Unused']),
      handTable(rows.slice(30, 31), ['Premier', 'Personal', 'SME']),
      handTable(rows.slice(31), ['SME', 'Unused', 'Premier', 'Personal']),
    ];
    const got = await check(tables, { by: 'segment', asOf: '2026-06-30' }, { by: 'segment', asOf: '2026-06-30' });
    expect(got.excluded).toBeGreaterThan(10);
    expect(got.by!.categories.map((c) => c.label)).toEqual(['Personal', 'Premier', 'SME', null]);
  });

  it('ranks boundaries that fall on zeros (-0 and 0), on shared buckets and on ties spread over workers', async () => {
    // Quintile boundaries land inside runs of equal values: frequency 0 and 7, monetary 0 / -0
    // (one class), monetary values a cent apart (one float bucket), dates far apart (shared
    // buckets with small `samples`). Many chunks, so ties are spread over every split.
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const rows: HandRow[] = Array.from({ length: 400 }, (_, i) => ({
      d: i % 37 === 0 ? null : 20_000 + Math.floor(rnd() * 4) * (i % 2 ? 1 : 5000),
      f: rnd() < 0.45 ? 0 : rnd() < 0.5 ? 7 : Math.floor(rnd() * 30),
      m: i % 41 === 0 ? Number.NaN : rnd() < 0.3 ? (i % 2 ? -0 : 0) : rnd() < 0.4 ? 1000 + Math.floor(rnd() * 3) / 100 : Math.round((rnd() - 0.2) * 1e6) / 100,
      seg: i % 3 === 0 ? 'A' : 'B',
    }));
    const tables = Array.from({ length: 8 }, (_, k) => handTable(rows.slice(k * 50, (k + 1) * 50), k % 2 ? ['A', 'B'] : ['B', 'A']));
    for (const samples of [undefined, 3]) {
      const spec = samples === undefined ? { by: 'segment' } : { by: 'segment', samples };
      await check(tables, spec, { by: 'segment' });
    }
  });

  it('ranks identical rows purely by row number', async () => {
    const rows: HandRow[] = Array.from({ length: 23 }, () => ({ d: 20_000, f: 3, m: 10, seg: 'A' }));
    const got = await check([handTable(rows.slice(0, 7), ['A']), handTable(rows.slice(7), ['A'])], {}, {});
    // 23 rows: quintiles of 5, 5, 5, 4, 4 -> rows 0-4 score 1 ... ; every row is in cell (s, s, s).
    expect(got.cells.filter((c) => c.count > 0).map((c) => [c.code, c.count])).toEqual([[111, 5], [222, 5], [333, 5], [444, 4], [555, 4]]);
    expect(got.boundaries.frequency.map((b) => b.row)).toEqual([5, 10, 15, 19]);
    // Only the diagonal segments have rows; the empty ones stay listed with null means (expectMatches).
    expect(got.groups.filter((g) => g.count > 0).map((g) => g.name)).toEqual(['Champions', 'Loyal', 'Need attention', 'Hibernating', 'Lost']);
  });

  it('leaves quintiles empty when fewer than five rows are scored', async () => {
    const rows: HandRow[] = [
      { d: 100, f: 5, m: 3, seg: 'A' },
      { d: null, f: 1, m: 1, seg: 'A' },
      { d: 90, f: 1, m: 2, seg: 'A' },
      { d: 95, f: 9, m: 1, seg: 'A' },
    ];
    const got = await check([handTable(rows, ['A'])], {}, {});
    expect(got.scored).toBe(3);
    expect(got.boundaries.recency).toHaveLength(2);
    expect(got.asOf).toBe('1970-04-11');
  });

  it('scores nothing, without failing, when every row has a null input', async () => {
    const rows: HandRow[] = [
      { d: null, f: 1, m: 1, seg: 'A' },
      { d: 5, f: null, m: 1, seg: 'A' },
      { d: 5, f: 1, m: null, seg: null },
    ];
    const got = await check([handTable(rows, ['A'])], { by: 'segment' }, { by: 'segment' });
    expect(got.scored).toBe(0);
    expect(got.excluded).toBe(3);
    expect(got.asOf).toBeNull();
    expect(got.boundaries).toEqual({ recency: [], frequency: [], monetary: [] });
    expect(got.groups.every((g) => g.count === 0 && g.share === null && g.meanR === null)).toBe(true);
    expect(got.by!.categories.map((c) => [c.label, c.excluded])).toEqual([['A', 2], [null, 1]]);
  });
});

describe('rfm kernel refuses bad input with a SpecError naming the field', () => {
  const chunks = generatePortfolio({ rows: 2_000 });
  const field = async (spec: unknown, tables: Table[] = chunks) => {
    try {
      await runKernelLocal(rfmKernel, tables, spec);
    } catch (e) {
      expect(e).toBeInstanceOf(SpecError);
      return (e as SpecError).field;
    }
    throw new Error('no error');
  };

  it('names the field', async () => {
    expect(await field({ monetaryColumn: 'nope' })).toBe('monetaryColumn');
    expect(await field({ monetaryColumn: 'segment' })).toBe('monetaryColumn');
    expect(await field({ frequencyColumn: 'aum' })).toBe('frequencyColumn');
    expect(await field({ recencyColumn: 'txnCount12m' })).toBe('recencyColumn');
    expect(await field({ by: 'aum' })).toBe('by');
    expect(await field({ asOf: '2026-02-30' })).toBe('asOf');
    expect(await field({ asOf: 'yesterday' })).toBe('asOf');
    expect(await field({ asOf: 20260630 })).toBe('asOf');
    expect(await field({ monetary: 'aum' })).toBe('monetary');
    expect(await field({ samples: 1 })).toBe('samples');
    expect(await field({ segments: [] })).toBe('segments');
    expect(await field({ segments: [{ name: 'All', r: [1, 5], f: [2, 5] }] })).toBe('segments');
    expect(await field({ segments: [{ name: 'All', r: [1, 6], f: [1, 5] }] })).toBe('segments[0].r[1]');
    expect(await field({ segments: [{ name: 'A', r: [1, 5], f: [1, 5] }, { name: 'A', r: [1, 1], f: [1, 1] }] })).toBe('segments[1].name');
    expect(await field('rfm')).toBe('spec');
    const noDates = new Table({ txnCount12m: chunks[0].getChild('txnCount12m')!, revenue: chunks[0].getChild('revenue')! });
    expect(await field({}, [noDates])).toBe('recencyColumn');
    // Right kind, other storage than the client schema's (Date64, Int64): refused up front.
    const n = 3;
    const odd = new Table({
      lastTxnDate: makeVector(makeData({ type: new DateMillisecond(), length: n, data: new BigInt64Array(n) as never })),
      txnCount12m: makeVector(BigInt64Array.from([1n, 2n, 3n])),
      revenue: makeVector(new Float64Array(n)),
    });
    expect(await field({}, [odd])).toBe('recencyColumn');
    expect(await field({ recencyColumn: 'revenue' }, [odd])).toBe('recencyColumn');
    const odd2 = new Table({ lastTxnDate: toVector({ type: 'date', values: new Int32Array(n), valid: null }), txnCount12m: makeVector(BigInt64Array.from([1n, 2n, 3n])), revenue: makeVector(new Float64Array(n)) });
    expect(await field({}, [odd2])).toBe('frequencyColumn');
  });

  it('refuses an empty dataset', async () => {
    expect(await field({}, [chunks[0].slice(0, 0)])).toBe('dataset');
  });
});

describe('rfm prepare scratch', () => {
  // The prepare pass keeps its row-sized scratch for the next query: two queries whose prepare
  // passes interleave (as two panels' jobs do at checkpoints) must not share it.
  it('gives two interleaved queries the answers they give one at a time', async () => {
    const a = generatePortfolio({ rows: 30_000, seed: 3 });
    const b = generatePortfolio({ rows: 20_000, seed: 4 });
    const alone = [await runKernelLocal<RfmResult>(rfmKernel, a, {}), await runKernelLocal<RfmResult>(rfmKernel, b, {})];
    const together = await Promise.all([runKernelLocal<RfmResult>(rfmKernel, a, {}), runKernelLocal<RfmResult>(rfmKernel, b, {})]);
    expect(together).toEqual(alone);
  });
});
