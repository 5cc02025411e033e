import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bool, DateDay, Int32, Table, makeData, makeVector, tableFromArrays, vectorFromArray, type DataType } from 'apache-arrow';
import { openDuckDB, type DuckDB } from './support/duckdb.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { kpisKernel, type KpiResult } from '../../workers/kernels/kpis.js';
import { runKernelLocal, runKernelSplit, schemaOfTable, tableRows } from '../../workers/kernels/run-local.js';
import { filterRows, setFilteredViewCache, splitFilter, ungathered } from '../../workers/kernels/filtered-rows.js';

const close = (a: number | null, b: number | null) => {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
};

describe('kpis kernel', () => {
  let db: DuckDB;
  let chunks: Table[];
  beforeAll(async () => {
    db = await openDuckDB();
    chunks = generatePortfolio({ rows: 150_000 });
    db.load('c', chunks);
  });
  afterAll(() => db.close());

  /** Every KPI as DuckDB computes it over `table` WHERE `where`, next to the kernel's answer. */
  function expectKpisOfDuckDB(got: KpiResult, table: string, where = 'true'): void {
    const [r] = db.query(`SELECT count(*) AS n, sum(aum) AS aum, sum(revenue) AS rev, sum(costToServe) AS cost_,
      sum(costToServe) / sum(revenue) cti,
      avg(CASE WHEN churned THEN 1 ELSE 0 END) FILTER (WHERE churned IS NOT NULL) churn,
      count(npsScore) resp,
      100.0 * (count(*) FILTER (WHERE npsScore >= 9) - count(*) FILTER (WHERE npsScore <= 6)) / count(npsScore) nps,
      avg(CASE WHEN productsHeld >= 2 THEN 1 ELSE 0 END) FILTER (WHERE productsHeld IS NOT NULL) xsell,
      avg(CASE WHEN lastTxnDate > DATE '2026-06-30' - INTERVAL 90 DAY AND lastTxnDate <= DATE '2026-06-30' THEN 1 ELSE 0 END) FILTER (WHERE lastTxnDate IS NOT NULL) active
      FROM ${table} WHERE ${where}`);
    expect(got.clients, where).toBe(r.n);
    for (const [a, b] of [[got.aum, r.aum], [got.revenue, r.rev], [got.costToServe, r.cost_], [got.costToIncome, r.cti], [got.churnRate, r.churn], [got.nps, r.nps], [got.crossSellRate, r.xsell], [got.activeRate, r.active]] as const) {
      expect(close(a, b as number), `${where}: ${a} vs ${b}`).toBe(true);
    }
    expect(got.npsRespondents, where).toBe(r.resp);
    expect(close(got.retentionRate, 1 - (r.churn as number))).toBe(true);
  }

  it('equals the same KPIs computed by DuckDB on generated clients', async () => {
    expectKpisOfDuckDB(await runKernelLocal<KpiResult>(kpisKernel, chunks, {}), 'c');
  });

  it('under a filter equals DuckDB with WHERE: broad filters and a selective one', async () => {
    // Batches cut at odd places, so validity bits start mid-byte.
    const cut = chunks.map((t, i) => t.slice(3 * i + 1, t.numRows - i));
    db.load('cut', cut);
    for (const [filter, where] of [
      [{ all: [{ column: 'clientType', op: 'eq', value: 'retail' }] }, `clientType = 'retail'`],
      [{ all: [{ column: 'tier', op: 'eq', value: 'mass' }, { column: 'region', op: 'ne', value: '华北' }] }, `tier = 'mass' AND region <> '华北'`],
      [{ all: [{ column: 'region', op: 'eq', value: '华东' }] }, `region = '华东'`],
    ] as const) {
      const got = await runKernelLocal<KpiResult>(kpisKernel, cut, { filter });
      expectKpisOfDuckDB(got, 'cut', where);
      expect(await runKernelSplit(kpisKernel, cut, { filter }, 3)).toEqual(got);
    }
  });

  it('under a filter equals DuckDB on columns without nulls (the loops without a validity bitmap)', async () => {
    const n = 3001;
    const asOf = Date.UTC(2026, 5, 30) / 86_400_000;
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const days = Int32Array.from({ length: n }, () => asOf - Math.floor(rand() * 200));
    const t = tableFromArrays({
      aum: Float64Array.from({ length: n }, () => rand() * 1e6),
      revenue: Float64Array.from({ length: n }, () => rand() * 1e4),
      costToServe: Float64Array.from({ length: n }, () => rand() * 5e3),
      npsScore: Int32Array.from({ length: n }, () => Math.floor(rand() * 11)),
      productsHeld: Int32Array.from({ length: n }, () => Math.floor(rand() * 5)),
      score: Int32Array.from({ length: n }, () => Math.floor(rand() * 100)),
    });
    const full = new Table({
      ...Object.fromEntries(t.schema.fields.map((f) => [f.name, t.getChild(f.name as never)!])),
      lastTxnDate: makeVector(makeData({ type: new DateDay(), length: n, data: days } as never)),
      churned: vectorFromArray(Array.from({ length: n }, () => rand() < 0.2)),
    });
    expect(full.getChild('lastTxnDate')!.nullCount + full.getChild('churned')!.nullCount).toBe(0);
    db.load('dense', [full]);
    const parts = [full.slice(0, 1001), full.slice(1001, 2002), full.slice(2002)];
    for (const [value, where] of [[80, 'score < 80'], [10, 'score < 10']] as const) {
      const got = await runKernelLocal<KpiResult>(kpisKernel, parts, { filter: { all: [{ column: 'score', op: 'lt', value }] } });
      expectKpisOfDuckDB(got, 'dense', where);
    }
  });

  it('under a filter counts a column in place when no kernel has gathered it, and reads the copy when one has', async () => {
    const cut = chunks.map((t, i) => t.slice(5 * i + 3, t.numRows - 2 * i));
    db.load('cut2', cut);
    const schema = schemaOfTable(cut[0]);
    const split = splitFilter(kpisKernel, { filter: { all: [{ column: 'clientType', op: 'eq', value: 'retail' }] } }, schema);
    const spec = kpisKernel.validate(split.spec, schema);
    const counted = ['churned', 'npsScore', 'productsHeld', 'lastTxnDate'];
    const ctx = { checkpoint: async () => {}, progress: () => {} };
    // Fresh views each time (no view cache), so the second run starts from views nothing has read.
    setFilteredViewCache(false);
    try {
      const inPlace = filterRows(tableRows(cut), split.filter);
      const a = kpisKernel.reduce([await kpisKernel.map(inPlace, spec, undefined, ctx)], spec, undefined);
      expectKpisOfDuckDB(a, 'cut2', `clientType = 'retail'`);
      for (const { batch } of inPlace) {
        for (const c of counted) expect(ungathered(batch, c), c).toBeDefined();
        expect(ungathered(batch, 'aum')).toBeUndefined(); // summed from the view's copy
      }
      const copied = filterRows(tableRows(cut), split.filter);
      for (const { batch } of copied) for (const c of counted) batch.getChild(c);
      expect(copied.every(({ batch }) => counted.every((c) => ungathered(batch, c) === undefined))).toBe(true);
      expect(kpisKernel.reduce([await kpisKernel.map(copied, spec, undefined, ctx)], spec, undefined)).toEqual(a);
    } finally {
      setFilteredViewCache(true);
    }
  });

  it('gives the same answer split across workers as on one thread', async () => {
    expect(await runKernelSplit(kpisKernel, chunks, {}, 3)).toEqual(await runKernelLocal(kpisKernel, chunks, {}));
  });

  it('reports null, not zero, for KPIs whose columns are missing, and counts NaN it leaves out', async () => {
    const t = tableFromArrays({ clientId: ['a', 'b', 'c'], aum: new Float64Array([1, Number.NaN, 2]) });
    const got = await runKernelLocal<KpiResult>(kpisKernel, [t], {});
    expect(got.aum).toBe(3);
    expect(got.excluded.nan).toBe(1);
    expect(got.nps).toBeNull();
    expect(got.churnRate).toBeNull();
    expect(got.costToIncome).toBeNull();
  });

  it('counts no null row, whatever value its slot holds', async () => {
    // Arrow leaves a null row's value slot undefined; the counting loops read it (they do not branch
    // on validity), so every slot here holds a value that would count if it were read as present.
    const asOf = Date.UTC(2026, 5, 30) / 86_400_000;
    const col = <T extends DataType>(type: T, valid: number, data: Uint8Array | Int32Array) => makeVector(makeData({ type, length: 4, nullCount: 4 - popcount(valid), nullBitmap: Uint8Array.of(valid), data } as never));
    const popcount = (b: number) => [0, 1, 2, 3].filter((i) => (b >> i) & 1).length;
    const t = new Table({
      clientId: vectorFromArray(['a', 'b', 'c', 'd']),
      npsScore: col(new Int32(), 0b0011, Int32Array.of(10, 3, 10, 10)),
      productsHeld: col(new Int32(), 0b0001, Int32Array.of(1, 5, 5, 5)),
      lastTxnDate: col(new DateDay(), 0b0101, Int32Array.of(asOf - 1, asOf - 2, asOf - 200, asOf - 3)),
      churned: col(new Bool(), 0b0001, Uint8Array.of(0b1110)),
    });
    const got = await runKernelLocal<KpiResult>(kpisKernel, [t], {});
    expect(got.npsRespondents).toBe(2);
    expect(got.nps).toBe(0); // one promoter, one detractor
    expect(got.crossSellRate).toBe(0);
    expect(got.activeRate).toBe(0.5);
    expect(got.churnRate).toBe(0);
  });

  it('refuses bad settings with errors naming the field', async () => {
    await expect(runKernelLocal(kpisKernel, chunks, { asOf: '2026-02-30' })).rejects.toThrow(/asOf/);
    await expect(runKernelLocal(kpisKernel, chunks, { activeDays: -1 })).rejects.toThrow(/activeDays/);
    await expect(runKernelLocal(kpisKernel, chunks, { promoterMin: 5, detractorMax: 6 })).rejects.toThrow(/detractorMax/);
    const wrong = tableFromArrays({ clientId: ['a'], churned: ['yes'] });
    await expect(runKernelLocal(kpisKernel, [wrong], {})).rejects.toThrow(/churned/);
  });

  it('handles an empty dataset', async () => {
    const empty = chunks[0].slice(0, 0);
    const got = await runKernelLocal<KpiResult>(kpisKernel, [empty], {});
    expect(got.clients).toBe(0);
    expect(got.churnRate).toBeNull();
  });
});

describe('page filters on a kernel that does not filter by itself', () => {
  it('gives the KPIs of only the rows that pass, as DuckDB does with WHERE', async () => {
    const db = await openDuckDB();
    const chunks = generatePortfolio({ rows: 80_000 });
    db.load('c', chunks);
    const filter = { all: [{ column: 'tier', op: 'in', values: ['affluent', 'hnw'] }, { column: 'aum', op: 'gte', value: 1_000_000 }] };
    const got = await runKernelSplit<KpiResult>(kpisKernel, chunks, { filter }, 3);
    const [r] = db.query(`SELECT count(*) AS n, sum(aum) AS aum, count(npsScore) AS resp FROM c WHERE tier IN ('affluent','hnw') AND aum >= 1000000`);
    expect(got.clients).toBe(r.n);
    expect(close(got.aum, r.aum as number)).toBe(true);
    expect(got.npsRespondents).toBe(r.resp);
    await expect(runKernelLocal(kpisKernel, chunks, { filter: { all: [{ column: 'nope', op: 'eq', value: 1 }] } })).rejects.toThrow(/nope/);
    await db.close();
  });
});
