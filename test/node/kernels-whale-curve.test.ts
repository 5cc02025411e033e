import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Table } from 'apache-arrow';
import { openDuckDB, type DuckDB } from './support/duckdb.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { makeClientTable } from '../../src/schema/arrow-columns.js';
import { SpecError } from '../../workers/kernels/kernel.js';
import { whaleCurveKernel, type WhaleCurveResult } from '../../workers/kernels/whale-curve.js';
import { ZERO_BUCKET, bucketOf, bucketOfHighWord, bucketsOfRanksFromTop, countBuckets, mergeSparseCounts, newBucketHistogram, sparseCounts, sparseCountsAndRelease, takeBucketHistogram } from '../../workers/kernels/float-buckets.js';
import { runKernelLocal, runKernelSplit, schemaOfTable, tableRows } from '../../workers/kernels/run-local.js';

const close = (a: number | null, b: unknown) => {
  const e = b === undefined ? null : (b as number | null);
  if (a === null || e === null) return a === e;
  return Math.abs(a - e) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(e));
};

const CLIENTS_SQL = (t: string) => `
  SELECT rowid AS row, clientId AS id, revenue - costToServe AS profit FROM ${t}
  WHERE revenue IS NOT NULL AND costToServe IS NOT NULL AND isfinite(revenue) AND isfinite(costToServe) AND isfinite(revenue - costToServe)`;

/** Checks a whale-curve result against DuckDB (window sums over profit DESC) on table `t`. */
function expectMatchesDuckDB(db: DuckDB, t: string, got: WhaleCurveResult, points: number, topN: number): void {
  const [s] = db.query(`WITH p AS (${CLIENTS_SQL(t)}) SELECT count(*) AS n,
      coalesce(sum(profit), 0) AS total,
      count(*) FILTER (WHERE profit > 0) AS pos, count(*) FILTER (WHERE profit = 0) AS zero, count(*) FILTER (WHERE profit < 0) AS neg,
      coalesce(-sum(profit) FILTER (WHERE profit < 0), 0) AS loss,
      (SELECT count(*) FROM ${t} WHERE revenue IS NULL OR costToServe IS NULL) AS skipped_null,
      (SELECT count(*) FROM ${t} WHERE revenue IS NOT NULL AND costToServe IS NOT NULL AND NOT (isfinite(revenue) AND isfinite(costToServe) AND isfinite(revenue - costToServe))) AS skipped_nf
    FROM p`);
  const n = s.n as number;
  expect(got.clients).toBe(n);
  expect(got.skippedNull).toBe(s.skipped_null);
  expect(got.skippedNonFinite).toBe(s.skipped_nf);
  expect(close(got.totalProfit, s.total), `total ${got.totalProfit} vs ${String(s.total)}`).toBe(true);
  expect(got.valueDestroyers.clients).toBe(s.neg);
  expect(close(got.valueDestroyers.loss, s.loss), `loss ${got.valueDestroyers.loss} vs ${String(s.loss)}`).toBe(true);
  expect(got.zeroProfitClients).toBe(s.zero);

  const cum = new Map<number, number>();
  for (const r of db.query(`WITH p AS (${CLIENTS_SQL(t)}),
      r AS (SELECT row_number() OVER (ORDER BY profit DESC) AS k, sum(profit) OVER (ORDER BY profit DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum FROM p)
      SELECT k, cum FROM r`)) cum.set(r.k as number, r.cum as number);
  if (n === 0) {
    expect(got.points).toEqual([]);
    expect(got.peak).toBeNull();
  } else {
    expect(got.points.length).toBe(points + 1);
    for (let i = 0; i <= points; i++) {
      const k = Math.floor((i * n) / points);
      const want = k === 0 ? 0 : cum.get(k)!;
      const p = got.points[i];
      expect(p.clients).toBe(k);
      expect(p.clientShare).toBe(k / n);
      expect(close(p.cumulativeProfit, want), `point ${i} (k=${k}): ${p.cumulativeProfit} vs ${want}`).toBe(true);
      if (s.total === 0) expect(p.profitShare).toBeNull();
      else expect(close(p.profitShare, want / (s.total as number))).toBe(true);
    }
    let maxCum = 0;
    for (const v of cum.values()) if (v > maxCum) maxCum = v;
    expect(got.peak!.clients).toBe(s.pos);
    expect(close(got.peak!.cumulativeProfit, maxCum), `peak ${got.peak!.cumulativeProfit} vs ${maxCum}`).toBe(true);
  }
  const top = db.query(`WITH p AS (${CLIENTS_SQL(t)}) SELECT id, row, profit FROM p ORDER BY profit DESC, id ASC NULLS LAST, row ASC LIMIT ${topN}`);
  expect(got.top.map((r) => [r.clientId, r.row])).toEqual(top.map((r) => [r.id ?? null, r.row]));
  got.top.forEach((r, i) => expect(close(r.profit, top[i].profit)).toBe(true));
}

async function specError(p: Promise<unknown>): Promise<SpecError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(SpecError);
  return e as SpecError;
}

type Row = [id: string | null, rev: number | null, cost: number | null];
function chunkOf(rows: Row[]): Table {
  return makeClientTable({
    clientId: { type: 'string', values: rows.map((r) => r[0]) },
    revenue: { type: 'float', values: Float64Array.from(rows, (r) => r[1] ?? 0), valid: Uint8Array.from(rows, (r) => (r[1] === null ? 0 : 1)) },
    costToServe: { type: 'float', values: Float64Array.from(rows, (r) => r[2] ?? 0), valid: Uint8Array.from(rows, (r) => (r[2] === null ? 0 : 1)) },
  });
}

/** Ties (also across chunks and at the topN cut), duplicate and null ids, zeros, -0, nulls, NaN, infinities, extremes. */
function handChunks(): Table[] {
  return [
    chunkOf([['m', 10, 0], [null, 12, 2], ['b', 5, 0], ['a', 6, 1], ['nul', null, 1], ['z', 0, 0]]),
    chunkOf([['a', 5, 0], ['c', NaN, 1], ['d', 0, 2], ['e', 3, 0], ['f', -0, 0], ['big', 4e15, 1]]),
    chunkOf([['g', -1, 1], ['h', 1e-9, 0], ['i', 1, Infinity], ['j', 10, 0], ['k', -1e15, 3], ['l', 10, 0]]),
  ];
}

describe('float buckets', () => {
  const highWord = (x: number) => new Uint32Array(Float64Array.of(x).buffer)[1];
  it('are monotone in the value, with both zeros in ZERO_BUCKET', () => {
    const xs = [-Infinity, -1.7e308, -3e5, -1, -0.5, -Number.MIN_VALUE, -0, 0, Number.MIN_VALUE, 1e-300, 0.5, 1, 1 + 2 ** -52, 3e5, 1.7e308, Infinity];
    for (let i = 1; i < xs.length; i++) expect(bucketOfHighWord(highWord(xs[i])) >= bucketOfHighWord(highWord(xs[i - 1]))).toBe(true);
    expect(bucketOfHighWord(highWord(0))).toBe(ZERO_BUCKET);
    expect(bucketOfHighWord(highWord(-0 + 0))).toBe(ZERO_BUCKET);
    expect(bucketOfHighWord(highWord(-Number.MIN_VALUE))).toBe(ZERO_BUCKET - 1);
  });

  it('bucketOf(x) is the bucket of the high word of x, call after call', () => {
    const xs = [-1.7e308, -3e5, -1, -Number.MIN_VALUE, 0, Number.MIN_VALUE, 1e-300, 0.5, 1, 1 + 2 ** -52, 3e5, 1.7e308];
    expect(xs.map((x) => bucketOf(x))).toEqual(xs.map((x) => bucketOfHighWord(highWord(x))));
  });

  it('find the bucket of each rank from merged sparse histograms', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 20; trial++) {
      const parts = Array.from({ length: 1 + (trial % 4) }, () => Float64Array.from({ length: Math.floor(rnd() * 40) }, () => (Math.floor(rnd() * 12) - 4) * 10 ** Math.floor(rnd() * 6) + 0));
      const hists = parts.map((p) => {
        const h = newBucketHistogram();
        countBuckets(p, p.length, h);
        return sparseCounts(h);
      });
      const all = parts.flatMap((a) => [...a]).sort((x, y) => y - x);
      const ranks = all.map((_, i) => i + 1);
      const got = bucketsOfRanksFromTop(mergeSparseCounts(hists), ranks);
      expect(got).toEqual(all.map((x) => bucketOfHighWord(highWord(x))));
      if (all.length) expect(() => bucketsOfRanksFromTop(mergeSparseCounts(hists), [all.length + 1])).toThrow(RangeError);
    }
  });
});

describe('whale-curve kernel', () => {
  let db: DuckDB;
  let chunks: Table[];
  beforeAll(async () => {
    db = await openDuckDB();
    chunks = generatePortfolio({ rows: 150_000 });
    db.load('c', chunks);
    db.load('h', handChunks());
  }, 120_000); // generating and loading 150k rows takes a few seconds, more on a busy machine
  afterAll(() => db.close());

  it('equals DuckDB window sums on generated clients', async () => {
    const got = await runKernelLocal<WhaleCurveResult>(whaleCurveKernel, chunks, {});
    expectMatchesDuckDB(db, 'c', got, 100, 10);
    // The generated book has value destroyers, and the curve peaks above the total.
    expect(got.valueDestroyers.clients).toBeGreaterThan(0);
    expect(got.peak!.profitShare!).toBeGreaterThan(1);
    const other = await runKernelLocal<WhaleCurveResult>(whaleCurveKernel, chunks, { points: 7, topN: 25 });
    expectMatchesDuckDB(db, 'c', other, 7, 25);
  });

  it('equals DuckDB on hand-made rows with ties, nulls, NaN, zeros and extremes', async () => {
    const hand = handChunks();
    for (const [points, topN] of [[100, 10], [4, 3], [1, 0], [13, 13]]) {
      const got = await runKernelLocal<WhaleCurveResult>(whaleCurveKernel, hand, { points, topN });
      expectMatchesDuckDB(db, 'h', got, points, topN);
    }
    const got = await runKernelLocal<WhaleCurveResult>(whaleCurveKernel, hand, { topN: 5 });
    // Ties at 10 are ordered by id ('j' < 'l' < 'm'), duplicate ids by row; a null id sorts last among equals.
    expect(got.top.map((r) => r.clientId)).toEqual(['big', 'j', 'l', 'm', null]);
    expect(got).toMatchObject({ clients: 15, skippedNull: 1, skippedNonFinite: 2, zeroProfitClients: 2 });
  });

  it('handles all-negative, all-zero and empty data', async () => {
    const neg = [chunkOf([['a', 0, 5], ['b', 1, 2]]), chunkOf([['c', 0, 1]])];
    db.load('neg', neg);
    const n = await runKernelLocal<WhaleCurveResult>(whaleCurveKernel, neg, { points: 3 });
    expectMatchesDuckDB(db, 'neg', n, 3, 10);
    expect(n.peak).toMatchObject({ clients: 0, cumulativeProfit: 0 });
    const zero = [chunkOf([['a', 1, 1], ['b', 0, 0]])];
    db.load('zero', zero);
    const z = await runKernelLocal<WhaleCurveResult>(whaleCurveKernel, zero, { points: 2 });
    expectMatchesDuckDB(db, 'zero', z, 2, 10);
    expect(z.points.every((p) => p.profitShare === null)).toBe(true);
    const e = await runKernelLocal<WhaleCurveResult>(whaleCurveKernel, [chunks[0].slice(0, 0)], {});
    expect(e).toMatchObject({ clients: 0, totalProfit: 0, points: [], peak: null, top: [] });
    const allSkipped = [chunkOf([['a', null, 1], ['b', NaN, 1]])];
    expect(await runKernelLocal(whaleCurveKernel, allSkipped, {})).toMatchObject({ clients: 0, skippedNull: 1, skippedNonFinite: 1, points: [] });
  });

  it('equals DuckDB when rank points fall inside runs of equal profits and of zeros', async () => {
    // 40% zero profits (some -0), a run of equal profits, and values a cent apart (one bucket):
    // boundary buckets with many rows, on both sides of zero; split over every partition too.
    let seed = 5;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const rows: Row[] = Array.from({ length: 600 }, (_, i) => {
      const u = rnd();
      const rev = u < 0.4 ? (i % 2 ? -0 : 0) : u < 0.6 ? 250 : u < 0.8 ? 100 + Math.floor(rnd() * 3) / 100 : Math.round((rnd() - 0.4) * 1e5) / 100;
      return [`c${i % 97}`, i % 53 === 0 ? null : rev, 0];
    });
    const tables = Array.from({ length: 6 }, (_, k) => chunkOf(rows.slice(k * 100, (k + 1) * 100)));
    db.load('runs', tables);
    for (const [points, topN] of [[100, 10], [7, 3], [600, 0]]) {
      const got = await runKernelLocal<WhaleCurveResult>(whaleCurveKernel, tables, { points, topN });
      expectMatchesDuckDB(db, 'runs', got, points, topN);
      for (const parts of [2, 4, 8]) expect(await runKernelSplit(whaleCurveKernel, tables, { points, topN }, parts)).toEqual(got);
    }
  });

  it('accepts its own validated spec again (workers re-validate what the main thread sends)', () => {
    const schema = schemaOfTable(chunks[0]);
    for (const spec of [{}, { points: 20, topN: 0 }]) {
      const valid = whaleCurveKernel.validate(spec, schema);
      expect(whaleCurveKernel.validate(structuredClone(valid), schema)).toEqual(valid);
    }
  });

  it('sends the profits of each boundary bucket sorted ascending, which reduce merges from the top', async () => {
    const schema = schemaOfTable(chunks[0]);
    const spec = whaleCurveKernel.validate({ points: 37 }, schema);
    const ctx = { checkpoint: async () => {}, progress: () => {} };
    const rows = tableRows(chunks);
    const groups = [rows.slice(0, 1), rows.slice(1)];
    const prep = await Promise.all(groups.map((g) => whaleCurveKernel.prepare!.map(g, spec, ctx)));
    const params = whaleCurveKernel.prepare!.reduce(prep, spec);
    const partials = await Promise.all(groups.map((g) => whaleCurveKernel.map(g, spec, params, ctx)));
    let values = 0, unsorted = 0;
    for (const p of partials) {
      for (let j = 0; j + 1 < p.starts.length; j++) {
        for (let i = p.starts[j]; i < p.starts[j + 1]; i++, values++) if (i > p.starts[j] && !(p.values[i] >= p.values[i - 1])) unsorted++;
      }
    }
    expect(values).toBeGreaterThan(100);
    expect(unsorted).toBe(0);
    // Reduce reads the lists from the top: the same lists unsorted would give other sums.
    const result = whaleCurveKernel.reduce(partials, spec, params);
    expect(result).toEqual(await runKernelLocal(whaleCurveKernel, chunks, { points: 37 }));
    const shuffled = partials.map((p) => ({ ...p, values: p.values.slice().reverse() }));
    expect(whaleCurveKernel.reduce(shuffled, spec, params).points).not.toEqual(result.points);
  });

  it('gives the same answer split across workers as on one thread', async () => {
    for (const spec of [{}, { points: 37, topN: 50 }]) {
      expect(await runKernelSplit(whaleCurveKernel, chunks, spec, 3)).toEqual(await runKernelLocal(whaleCurveKernel, chunks, spec));
    }
    const hand = handChunks();
    for (const parts of [2, 3]) {
      expect(await runKernelSplit(whaleCurveKernel, hand, { points: 13, topN: 20 }, parts)).toEqual(await runKernelLocal(whaleCurveKernel, hand, { points: 13, topN: 20 }));
    }
  });

  it('refuses bad specs with a SpecError naming the field', async () => {
    const noRevenue = makeClientTable({ clientId: { type: 'string', values: ['a'] }, costToServe: { type: 'float', values: new Float64Array([1]), valid: null } });
    expect((await specError(runKernelLocal(whaleCurveKernel, [noRevenue], {}))).field).toBe('revenue');
    expect((await specError(runKernelLocal(whaleCurveKernel, chunks, { cost: 'tier' }))).field).toBe('cost');
    expect((await specError(runKernelLocal(whaleCurveKernel, chunks, { points: 0 }))).field).toBe('points');
    expect((await specError(runKernelLocal(whaleCurveKernel, chunks, { points: 2.5 }))).field).toBe('points');
    expect((await specError(runKernelLocal(whaleCurveKernel, chunks, { points: 1e6 }))).field).toBe('points');
    expect((await specError(runKernelLocal(whaleCurveKernel, chunks, { topN: -1 }))).field).toBe('topN');
    expect((await specError(runKernelLocal(whaleCurveKernel, chunks, { id: 'segment' }))).field).toBe('id');
    expect((await specError(runKernelLocal(whaleCurveKernel, chunks, { top: 5 }))).field).toBe('top');
    const noId = makeClientTable({ revenue: { type: 'float', values: new Float64Array([1]), valid: null }, costToServe: { type: 'float', values: new Float64Array([1]), valid: null } });
    expect((await specError(runKernelLocal(whaleCurveKernel, [noId], {}))).field).toBe('id');
    expect(await runKernelLocal(whaleCurveKernel, [noId], { topN: 0 })).toMatchObject({ clients: 1, top: [] });
  });

  // The prepare pass's histogram and the map's region table are kept for the next query
  // (float-buckets.ts): the histogram must come back zeroed, and two queries whose passes
  // interleave at checkpoints (as two panels' jobs do) must not share either.
  it('gives queries after and beside other queries the answers they give alone', async () => {
    const a = generatePortfolio({ rows: 30_000, seed: 3 });
    const b = generatePortfolio({ rows: 20_000, seed: 4 });
    const spec = { points: 40, topN: 3 };
    const first = await runKernelLocal<WhaleCurveResult>(whaleCurveKernel, b, spec);
    const afterA = [await runKernelLocal<WhaleCurveResult>(whaleCurveKernel, a, spec), await runKernelLocal<WhaleCurveResult>(whaleCurveKernel, b, spec)];
    expect(afterA[1]).toEqual(first);
    const together = await Promise.all([runKernelLocal<WhaleCurveResult>(whaleCurveKernel, a, spec), runKernelLocal<WhaleCurveResult>(whaleCurveKernel, b, spec)]);
    expect(together).toEqual(afterA);
  });

  it('gives a histogram back zeroed', () => {
    const h = takeBucketHistogram();
    countBuckets(new Float64Array([1, 2.5, -7, 1e300]), 4, h);
    expect(sparseCountsAndRelease(h).buckets.length).toBe(4);
    const again = takeBucketHistogram();
    const reused = again === h;
    let nonZero = 0;
    for (let b = 0; b < again.counts.length; b++) if (again.counts[b] !== 0) nonZero++;
    for (let b = 0; b < again.blocks.length; b++) if (again.blocks[b] !== 0) nonZero++;
    // Taken and not given back: the next taker gets a fresh one, never one in use.
    const fresh = takeBucketHistogram() !== again;
    expect({ reused, nonZero, fresh }).toEqual({ reused: true, nonZero: 0, fresh: true });
  });
});
