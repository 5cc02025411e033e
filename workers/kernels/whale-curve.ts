/**
 * Kernel 'whale-curve': the cumulative-profit ("whale") curve of DOMAIN.md: which few clients
 * make most of the profit and which destroy value.
 *
 * Profit per client = revenue - cost, with the rows of 'profitability': rows with a null revenue or
 * cost are skipped (`skippedNull`), rows whose revenue, cost or profit is NaN/+-Infinity are
 * skipped (`skippedNonFinite`). N = the remaining clients, sorted by profit descending.
 *
 * Result:
 * - points i = 0..points: k_i = floor(i x N / points) clients (clientShare = k_i / N) and
 *   cumulativeProfit = the sum of the k_i largest profits; profitShare = cumulativeProfit / total
 *   profit (null when the total is 0; over 1 before the peak when some clients lose money).
 * - peak: the largest cumulative profit, reached at k = the number of clients with profit > 0 (the
 *   first rank where it is reached; zero-profit clients leave it unchanged).
 * - valueDestroyers: clients with profit < 0, and their loss = -(sum of their profits) >= 0.
 * - top: the topN clients by profit descending, ties by client id ascending (code point order,
 *   null ids last), then row.
 * - N = 0 (empty dataset or every row skipped): points [], peak null, zero counts.
 * Ties in profit: the sum of the k largest values does not depend on which of several equal values
 * are taken, so the curve is tie-independent; only `top` needs (and has) a tie rule.
 *
 * How it runs, exactly across partitions, without sorting every profit and without a per-row
 * loop on the main thread (buckets: float-buckets.ts, order-preserving and log-spaced):
 * 1. prepare.map (workers): counts, max |profit|, zero profits, and the bucket histogram.
 * 2. prepare.reduce (main): the summation grid (below) and, from the merged histogram, the bucket
 *    holding each rank k_i = floor(i x N / points): the "boundary" buckets.
 * 3. map (workers): buckets are grouped into regions, descending: each boundary bucket is a region
 *    of its own, the runs between them are regions, and a cut falls below ZERO_BUCKET so that
 *    regions are all >= 0 or all < 0. Per region: count and exact grid sums; the non-zero values
 *    of boundary buckets are returned sorted (zeros are only counted), with the topN clients.
 * 4. reduce (main): cumulativeProfit(k_i) = the grid sums of the regions above k_i's boundary
 *    bucket + the largest m_i of that bucket's values (a boundary holds about 1/256 of a power of
 *    two of the data; each worker sends its own sorted, and reduce merges them from the top, so
 *    the main work of the old reduce, sorting ~200,000 values at 10M rows, runs in parallel),
 *    m_i = k_i - clients above. Peak, loss and total are sums of whole regions. Ties: the sum of
 *    the k largest values does not depend on which equal values are taken.
 * Exact sums: every profit x is split over three fixed grids, x ~ h1 + h2 + h3, h_l a multiple of
 * q_l, with q_1 >= N max|x| 2^-50 and q_(l+1) >= N q_l 2^-51, so that any sum of at most N of the
 * h_l (and m x h_l) is an exactly representable multiple of q_l: those sums are exact, in any order,
 * in any partition. The dropped remainder is at most q_3 / 2 per client (~ max|x| N^3 2^-155), far
 * below float rounding; a figure is (S1 + S2) + S3. So any row-range split gives bit for bit the
 * single-thread result (sums beyond ~2^1000 in magnitude, which overflow anyway, are not exact).
 */
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';
import { numericView, requireColumn } from './columns.js';
import { bitAt } from './group-keys.js';
import type { KernelContext, KernelDef, RowBatch } from './kernel.js';
import type { RecordBatch } from 'apache-arrow';
import { viewBuffer } from './filtered-rows.js';
import { BatchMemo } from './batch-memo.js';
import { float64Values, validateProfitColumns } from './profitability.js';
import { numberField, specObject } from './spec-fields.js';
import { TopRows, idView, mergeRankedRows, type RankedRow } from './top-rows.js';
import { FLOAT_BUCKETS, FLOAT_BUCKET_BITS, ZERO_BUCKET, bucketsOfRanksFromTop, countBuckets, mergeSparseCounts, releaseBucketTable, sparseCountsAndRelease, takeBucketHistogram, takeBucketTable, type SparseCounts } from './float-buckets.js';

const NAME = 'whale-curve';
/** bucketOfHighWord's shift, for the per-row loop that inlines it. */
const BUCKET_SHIFT = 32 - FLOAT_BUCKET_BITS;

/** Evenly spaced client shares on the curve (plus the 0 point). */
export const DEFAULT_WHALE_POINTS = 100;
/** Clients listed in `top`. */
export const DEFAULT_WHALE_TOP_N = 10;
export const DEFAULT_WHALE_ID_COLUMN = 'clientId';
export const MAX_WHALE_POINTS = 10_000;
export const MAX_WHALE_TOP_N = 10_000;

export interface WhaleCurveSpec {
  readonly revenue: string;
  readonly cost: string;
  /** Client id column (string); null only when topN is 0. */
  readonly id: string | null;
  readonly points: number;
  readonly topN: number;
}

export interface WhalePoint {
  readonly clients: number;
  readonly clientShare: number;
  readonly cumulativeProfit: number;
  readonly profitShare: number | null;
}

export interface WhaleCurveResult {
  /** N: clients on the curve. */
  readonly clients: number;
  readonly skippedNull: number;
  readonly skippedNonFinite: number;
  readonly totalProfit: number;
  readonly points: WhalePoint[];
  readonly peak: WhalePoint | null;
  readonly valueDestroyers: { readonly clients: number; readonly clientShare: number | null; readonly loss: number };
  readonly zeroProfitClients: number;
  readonly top: { readonly clientId: string | null; readonly row: number; readonly profit: number }[];
}

export interface WhalePrepPartial {
  readonly clients: number;
  readonly maxAbs: number;
  readonly skippedNull: number;
  readonly skippedNonFinite: number;
  readonly zeros: number;
  readonly hist: SparseCounts;
}

export interface WhaleParams {
  readonly clients: number;
  readonly skippedNull: number;
  readonly skippedNonFinite: number;
  /** Clients with profit 0 (or -0). */
  readonly zeros: number;
  /** Splitting constants sigma_l = 1.5 x 2^52 x q_l of the three grids. */
  readonly sigma: readonly [number, number, number];
  /** Bucket holding rank k_i, i = 1..points (rank 1 stands in for a k_i of 0; buckets descend and repeat when ranks share one). */
  readonly rankBuckets: readonly number[];
}

export interface WhalePartial {
  /** Per region (regionsOf order): clients. */
  readonly counts: Float64Array;
  /** Per region: exact grid sums (3 each). */
  readonly sums: Float64Array;
  /**
   * Non-zero profits in boundary bucket j at values[starts[j]..starts[j + 1]), ascending: each
   * worker sorts its own, so reduce merges from the top instead of sorting them all (takeLargest).
   */
  readonly values: Float64Array;
  readonly starts: Int32Array;
  readonly top: RankedRow[];
}

function validate(spec: unknown, schema: readonly ColumnInfo[]): WhaleCurveSpec {
  const o = specObject(NAME, spec, ['revenue', 'cost', 'id', 'points', 'topN']);
  const { revenue, cost } = validateProfitColumns(NAME, o, schema);
  const points = numberField(NAME, 'points', o.points, DEFAULT_WHALE_POINTS, { integer: true, min: 1, max: MAX_WHALE_POINTS });
  const topN = numberField(NAME, 'topN', o.topN, DEFAULT_WHALE_TOP_N, { integer: true, min: 0, max: MAX_WHALE_TOP_N });
  const id = topN === 0 && (o.id === undefined || o.id === null) ? null : requireColumn(NAME, 'id', o.id ?? DEFAULT_WHALE_ID_COLUMN, schema, ['string']);
  return { revenue, cost, id, points, topN };
}

/**
 * One batch's finite profits, in row order (-0 as +0), and what was skipped. Both passes read
 * them: the prepare pass computes them, the map pass of the same query finds them here (profiling
 * the 1M dashboard, computing them twice was a tenth of the workers' time after a filter change).
 */
interface BatchProfits {
  readonly values: Float64Array;
  /** The batch row of each value; null when no row was skipped (value i is row i). */
  readonly rows: Int32Array | null;
  readonly nulls: number;
  readonly nonFinite: number;
  readonly maxAbs: number;
  readonly zeros: number;
}

/**
 * Per batch, per "revenue\0cost". A filtered view's profits are in the view's buffers (viewBuffer),
 * reused when the view leaves the cache, as its columns are.
 */
const profitsMemo = new BatchMemo<BatchProfits>();
/** Rows of the batch being computed; copied out only when a row was skipped. */
let rowsScratch = new Int32Array(0);

function profitsOf(batch: RecordBatch, spec: WhaleCurveSpec): BatchProfits {
  return profitsMemo.get(batch, `${spec.revenue}\u0000${spec.cost}`, () => {
    const n = batch.numRows;
    const rev = numericView(batch, spec.revenue);
    const cost = numericView(batch, spec.cost);
    const values = new Float64Array(viewBuffer(batch, 8 * n), 0, n);
    if (rowsScratch.length < n) rowsScratch = new Int32Array(n);
    const stats = new Float64Array(4);
    const k = batchProfits(n, float64Values(rev), rev.bitmap, rev.offset, float64Values(cost), cost.bitmap, cost.offset, values, rowsScratch, stats);
    return { values: values.subarray(0, k), rows: k === n ? null : rowsScratch.slice(0, k), nulls: stats[0], nonFinite: stats[1], maxAbs: stats[2], zeros: stats[3] };
  });
}

/**
 * Finite profits of one batch (-0 as +0) into `out` and their batch rows into `rows`; returns how
 * many. stats: [0] null skips, [1] non-finite skips, [2] max |profit|, [3] zero profits.
 */
function batchProfits(
  n: number,
  rv: Float64Array, rbm: Uint8Array | null, roff: number,
  cv: Float64Array, cbm: Uint8Array | null, coff: number,
  out: Float64Array, rows: Int32Array, stats: Float64Array,
): number {
  let k = 0;
  let nulls = 0;
  let nonFinite = 0;
  let maxAbs = 0;
  let zeros = 0;
  for (let i = 0; i < n; i++) {
    if ((rbm !== null && !bitAt(rbm, roff + i)) || (cbm !== null && !bitAt(cbm, coff + i))) {
      nulls++;
      continue;
    }
    const x = rv[i] - cv[i];
    if (x - x !== 0) {
      nonFinite++;
      continue;
    }
    rows[k] = i;
    out[k++] = x + 0;
    const a = x < 0 ? -x : x;
    if (a > maxAbs) maxAbs = a;
    if (x === 0) zeros++;
  }
  stats[0] = nulls;
  stats[1] = nonFinite;
  stats[2] = maxAbs;
  stats[3] = zeros;
  return k;
}

/** Offers a batch's profits to the top list (by profit, then row: `top` breaks ties). */
function offerTop(p: BatchProfits, top: TopRows, batchNo: number, rowOffset: number, positions: Int32Array | undefined): void {
  const { values, rows } = p;
  let cut = top.cutoff;
  for (let k = 0; k < values.length; k++) {
    const x = values[k];
    if (x < cut) continue;
    const i = rows === null ? k : rows[k];
    if (top.offer(x, NaN, batchNo, i, rowOffset + (positions ? positions[i] : i), 0)) cut = top.cutoff;
  }
}

/**
 * Regions of the buckets, descending (see the file comment), as their lowest buckets: region r is
 * buckets [low[r], low[r - 1]) (low[-1] = FLOAT_BUCKETS); boundary[r] is its boundary index into
 * the distinct rank buckets, or -1.
 */
function regionsOf(rankBuckets: readonly number[]): { low: number[]; boundary: number[]; distinct: number[] } {
  const distinct = [...new Set(rankBuckets)].sort((x, y) => y - x);
  const lows = new Set<number>([0, ZERO_BUCKET]);
  for (const b of distinct) {
    lows.add(b);
    if (b + 1 < FLOAT_BUCKETS) lows.add(b + 1);
  }
  const low = [...lows].sort((x, y) => y - x);
  const isBoundary = new Map(distinct.map((b, j) => [b, j]));
  const boundary = low.map((lo, r) => {
    const top = r === 0 ? FLOAT_BUCKETS : low[r - 1];
    return top === lo + 1 && isBoundary.has(lo) ? isBoundary.get(lo)! : -1;
  });
  return { low, boundary, distinct };
}

/** Adds each profit's region count and grid sums; gathers boundary buckets' non-zero profits. */
function addToRegions(
  p: Float64Array, n: number, lut: Uint16Array, boundaryOf: Int32Array,
  counts: Float64Array, sums: Float64Array, s1: number, s2: number, s3: number,
  gather: Gathered,
): void {
  const words = new Uint32Array(p.buffer, p.byteOffset, 2 * n);
  for (let i = 0; i < n; i++) {
    const x = p[i];
    const hi = words[2 * i + 1]; // bucketOfHighWord, inlined (see rfmMap in rfm.ts)
    const r = lut[(hi & 0x80000000 ? ~hi : hi | 0x80000000) >>> BUCKET_SHIFT];
    counts[r]++;
    const h1 = x + s1 - s1;
    const r1 = x - h1;
    const h2 = r1 + s2 - s2;
    sums[3 * r] += h1;
    sums[3 * r + 1] += h2;
    sums[3 * r + 2] += r1 - h2 + s3 - s3;
    const j = boundaryOf[r];
    if (j >= 0 && x !== 0) gather.push(j, x);
  }
}

/** Boundary profits of one worker, in arrival order, with their boundary index. */
class Gathered {
  n = 0;
  values = new Float64Array(1024);
  which = new Int32Array(1024);
  push(j: number, x: number): void {
    if (this.n === this.values.length) {
      const v = new Float64Array(2 * this.n);
      v.set(this.values);
      this.values = v;
      const w = new Int32Array(2 * this.n);
      w.set(this.which);
      this.which = w;
    }
    this.values[this.n] = x;
    this.which[this.n++] = j;
  }
  /** Grouped by boundary: values[starts[j]..starts[j + 1]). */
  grouped(boundaries: number): { values: Float64Array; starts: Int32Array } {
    const starts = new Int32Array(boundaries + 1);
    for (let i = 0; i < this.n; i++) starts[this.which[i] + 1]++;
    for (let j = 0; j < boundaries; j++) starts[j + 1] += starts[j];
    const at = starts.slice(0, boundaries);
    const values = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) values[at[this.which[i]]++] = this.values[i];
    return { values, starts };
  }
}

/** Splitting constants of the three summation grids for n values of magnitude <= maxAbs. */
export function summationGrids(n: number, maxAbs: number): [number, number, number] {
  const sigma: number[] = [];
  let bound = maxAbs;
  for (let l = 0; l < 3; l++) {
    let e = bound > 0 && n > 0 ? Math.ceil(Math.log2(n) + Math.log2(bound)) - 50 : -1074;
    e = Math.max(-1074, Math.min(970, e));
    sigma.push(1.5 * 2 ** (e + 52));
    bound = 2 ** e / 2;
  }
  return sigma as [number, number, number];
}

/** Adds `times` x the grid split of x into acc[0..2] (exact: see the file comment). */
function addSplit(acc: Float64Array, x: number, times: number, s: readonly [number, number, number]): void {
  const h1 = x + s[0] - s[0];
  const r1 = x - h1;
  const h2 = r1 + s[1] - s[1];
  const h3 = r1 - h2 + s[2] - s[2];
  acc[0] += times * h1;
  acc[1] += times * h2;
  acc[2] += times * h3;
}

const value = (acc: Float64Array) => acc[0] + acc[1] + acc[2];

/**
 * Adds the next `count` largest profits of boundary j over all partials to acc: a merge from the
 * top of the partials' ascending lists, `from[p]` values of partial p taken so far. The grid sums
 * are exact, so which of several equal values is taken first does not matter. There must be
 * `count` values left.
 */
function takeLargest(partials: readonly WhalePartial[], j: number, count: number, from: Int32Array, acc: Float64Array, s: readonly [number, number, number]): void {
  const P = partials.length;
  for (let t = 0; t < count; t++) {
    let best = -Infinity, at = -1;
    for (let p = 0; p < P; p++) {
      const q = partials[p];
      const i = q.starts[j + 1] - 1 - from[p];
      if (i >= q.starts[j] && q.values[i] > best) {
        best = q.values[i];
        at = p;
      }
    }
    from[at]++;
    addSplit(acc, best, 1, s);
  }
}

export const whaleCurveKernel: KernelDef<WhaleCurveSpec, WhalePartial, WhaleCurveResult, WhalePrepPartial, WhaleParams> = {
  name: NAME,
  validate,
  prepare: {
    async map(rows: readonly RowBatch[], spec: WhaleCurveSpec, ctx: KernelContext): Promise<WhalePrepPartial> {
      const hist = takeBucketHistogram();
      let clients = 0, maxAbs = 0, skippedNull = 0, skippedNonFinite = 0, zeros = 0;
      for (let b = 0; b < rows.length; b++) {
        const p = profitsOf(rows[b].batch, spec);
        countBuckets(p.values, p.values.length, hist);
        clients += p.values.length;
        maxAbs = Math.max(maxAbs, p.maxAbs);
        skippedNull += p.nulls;
        skippedNonFinite += p.nonFinite;
        zeros += p.zeros;
        ctx.progress((b + 1) / rows.length);
        await ctx.checkpoint();
      }
      return { clients, maxAbs, skippedNull, skippedNonFinite, zeros, hist: sparseCountsAndRelease(hist) };
    },
    reduce(partials: WhalePrepPartial[], spec: WhaleCurveSpec): WhaleParams {
      let clients = 0;
      let maxAbs = 0;
      let skippedNull = 0;
      let skippedNonFinite = 0;
      let zeros = 0;
      for (const p of partials) {
        clients += p.clients;
        maxAbs = Math.max(maxAbs, p.maxAbs);
        skippedNull += p.skippedNull;
        skippedNonFinite += p.skippedNonFinite;
        zeros += p.zeros;
      }
      const ranks: number[] = [];
      for (let i = 1; i <= spec.points && clients > 0; i++) ranks.push(Math.floor((i * clients) / spec.points));
      const rankBuckets = bucketsOfRanksFromTop(mergeSparseCounts(partials.map((p) => p.hist)), ranks.map((k) => Math.max(k, 1)));
      return { clients, skippedNull, skippedNonFinite, zeros, sigma: summationGrids(clients, maxAbs), rankBuckets };
    },
  },
  async map(rows: readonly RowBatch[], spec: WhaleCurveSpec, params: WhaleParams, ctx: KernelContext): Promise<WhalePartial> {
    const { low, boundary, distinct } = regionsOf(params.rankBuckets);
    const R = low.length;
    // Regions <= 2 x MAX_WHALE_POINTS + 3 < 2^16; they cover every bucket (low ends at 0), so every
    // entry is written here.
    const lut = takeBucketTable();
    for (let r = 0; r < R; r++) lut.fill(r, low[r], r === 0 ? FLOAT_BUCKETS : low[r - 1]);
    const boundaryOf = Int32Array.from(boundary);
    const counts = new Float64Array(R);
    const sums = new Float64Array(3 * R);
    const [s1, s2, s3] = params.sigma;
    const gather = new Gathered();
    const top = new TopRows(spec.topN);
    for (let b = 0; b < rows.length; b++) {
      const { batch, rowOffset, positions } = rows[b];
      const p = profitsOf(batch, spec);
      const batchNo = top.addBatch(spec.id === null ? null : idView(batch, spec.id));
      if (top.capacity > 0) offerTop(p, top, batchNo, rowOffset, positions);
      addToRegions(p.values, p.values.length, lut, boundaryOf, counts, sums, s1, s2, s3, gather);
      ctx.progress((b + 1) / rows.length);
      await ctx.checkpoint();
    }
    releaseBucketTable(lut);
    const { values, starts } = gather.grouped(distinct.length);
    for (let j = 0; j < distinct.length; j++) values.subarray(starts[j], starts[j + 1]).sort();
    return { counts, sums, values, starts, top: top.rows() };
  },
  reduce(partials: WhalePartial[], spec: WhaleCurveSpec, params: WhaleParams): WhaleCurveResult {
    const { low, boundary, distinct } = regionsOf(params.rankBuckets);
    const R = low.length;
    const s = params.sigma;
    const counts = new Float64Array(R);
    const sums = new Float64Array(3 * R);
    for (const p of partials) {
      for (let r = 0; r < R; r++) counts[r] += p.counts[r];
      for (let r = 0; r < 3 * R; r++) sums[r] += p.sums[r];
    }
    let n = 0;
    for (let r = 0; r < R; r++) n += counts[r];
    if (n !== params.clients) throw new Error(`whale-curve: the rows changed between stages (${params.clients} clients, then ${n}).`);
    // Grid sums and counts of the regions above region r: above[3r..3r+2], countAbove[r].
    const above = new Float64Array(3 * (R + 1));
    const countAbove = new Float64Array(R + 1);
    for (let r = 0; r < R; r++) {
      for (let l = 0; l < 3; l++) above[3 * (r + 1) + l] = above[3 * r + l] + sums[3 * r + l];
      countAbove[r + 1] = countAbove[r] + counts[r];
    }
    const sumAbove = (r: number) => above.slice(3 * r, 3 * r + 3);
    const totalAcc = sumAbove(R);
    const total = value(totalAcc);
    const share = (v: number) => (total === 0 ? null : v / total);
    const point = (k: number, cum: number): WhalePoint => ({ clients: k, clientShare: n === 0 ? 0 : k / n, cumulativeProfit: cum, profitShare: share(cum) });

    const points: WhalePoint[] = [];
    if (n > 0) {
      // Each boundary bucket's non-zero profits over all partials (its zeros, if any, rank below them).
      const gathered = distinct.map((_, j) => {
        let len = 0;
        for (const p of partials) len += p.starts[j + 1] - p.starts[j];
        return len;
      });
      const regionOfBoundary = new Int32Array(distinct.length);
      boundary.forEach((j, r) => {
        if (j >= 0) regionOfBoundary[j] = r;
      });
      // Ranks ascend, so each boundary's prefix only grows: one running grid sum per boundary, and
      // per boundary and partial how many of its values were taken (from the top).
      const taken = new Int32Array(distinct.length);
      const running = distinct.map(() => new Float64Array(3));
      const from = distinct.map(() => new Int32Array(partials.length));
      for (let i = 0; i <= spec.points; i++) {
        const k = Math.floor((i * n) / spec.points);
        if (k === 0) {
          points.push(point(0, 0));
          continue;
        }
        const j = distinct.indexOf(params.rankBuckets[i - 1]);
        const r = j < 0 ? -1 : regionOfBoundary[j];
        const m = r < 0 ? 0 : k - countAbove[r];
        if (m < 1 || m > counts[r]) throw new Error(`whale-curve: internal error: rank ${k} is not in its boundary bucket.`);
        const acc = running[j];
        const end = Math.min(m, gathered[j]);
        if (end > taken[j]) {
          takeLargest(partials, j, end - taken[j], from[j], acc, s);
          taken[j] = end;
        }
        const cum = sumAbove(r);
        for (let l = 0; l < 3; l++) cum[l] += acc[l];
        points.push(point(k, value(cum)));
      }
    }
    // Regions at or above ZERO_BUCKET hold the profits >= 0.
    let rz = 0;
    while (rz < R && low[rz] >= ZERO_BUCKET) rz++;
    const nonNegative = countAbove[rz];
    const positives = nonNegative - params.zeros;
    const peakAcc = sumAbove(rz);
    const negAcc = new Float64Array(3);
    for (let l = 0; l < 3; l++) negAcc[l] = totalAcc[l] - peakAcc[l]; // differences of exact grid sums are exact
    const negativeSum = value(negAcc);
    const negatives = n - nonNegative;
    const top = mergeRankedRows(partials.map((p) => p.top), 0, spec.topN).map((r) => ({ clientId: r.id, row: r.row, profit: r.primary }));
    return {
      clients: n,
      skippedNull: params.skippedNull,
      skippedNonFinite: params.skippedNonFinite,
      totalProfit: total,
      points,
      peak: n > 0 ? point(positives, value(peakAcc)) : null,
      valueDestroyers: { clients: negatives, clientShare: n === 0 ? null : negatives / n, loss: negativeSum === 0 ? 0 : -negativeSum },
      zeroProfitClients: nonNegative - positives,
      top,
    };
  },
};
