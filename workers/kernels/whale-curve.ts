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
 * How it runs, exactly across partitions and without a per-row loop on the main thread:
 * 1. prepare.map (workers): count of clients and max |profit| (one cheap pass).
 * 2. prepare.reduce (main): a summation grid from N and max |profit| (below).
 * 3. map (workers): the worker's profits sorted descending (a Float64Array), their exact prefix
 *    sums at every PREFIX_BLOCK-th position (3 numbers each), and the worker's topN clients.
 * 4. reduce (main): for each rank k_i, the k_i-th largest profit t_i by selection over the sorted
 *    arrays (binary searches on values, O(P^2 log^2 n) per rank, no row loop); in partition p the
 *    j_p = #(profit > t_i) first values are in the top k_i, and m_i = k_i - sum j_p more copies of
 *    t_i (ties). cumulativeProfit(k_i) = sum_p prefix_p(j_p) + m_i x t_i, where prefix_p(j) is the
 *    block prefix below j plus at most PREFIX_BLOCK - 1 values summed on the main thread.
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
import { float64Values, validateProfitColumns } from './profitability.js';
import { numberField, specObject } from './spec-fields.js';
import { TopRows, idView, mergeRankedRows, type RankedRow } from './top-rows.js';

const NAME = 'whale-curve';

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
}

export interface WhaleParams {
  readonly clients: number;
  readonly skippedNull: number;
  readonly skippedNonFinite: number;
  /** Splitting constants sigma_l = 1.5 x 2^52 x q_l of the three grids. */
  readonly sigma: readonly [number, number, number];
}

export interface WhalePartial {
  /** The worker's profits, sorted descending. */
  readonly profits: Float64Array;
  /** Exact grid sums (3 per entry) of the first b x PREFIX_BLOCK profits, b = 0..floor(n / PREFIX_BLOCK). */
  readonly blockPrefix: Float64Array;
  readonly top: RankedRow[];
}

/** Sorted positions between stored prefix sums: reduce sums at most this many - 1 values per rank and partition. */
export const PREFIX_BLOCK = 128;

function validate(spec: unknown, schema: readonly ColumnInfo[]): WhaleCurveSpec {
  const o = specObject(NAME, spec, ['revenue', 'cost', 'id', 'points', 'topN']);
  const { revenue, cost } = validateProfitColumns(NAME, o, schema);
  const points = numberField(NAME, 'points', o.points, DEFAULT_WHALE_POINTS, { integer: true, min: 1, max: MAX_WHALE_POINTS });
  const topN = numberField(NAME, 'topN', o.topN, DEFAULT_WHALE_TOP_N, { integer: true, min: 0, max: MAX_WHALE_TOP_N });
  const id = topN === 0 && (o.id === undefined || o.id === null) ? null : requireColumn(NAME, 'id', o.id ?? DEFAULT_WHALE_ID_COLUMN, schema, ['string']);
  return { revenue, cost, id, points, topN };
}

/** prepare pass over one batch: stats[0] clients, [1] max |profit|, [2] null skips, [3] non-finite skips. */
function scanProfits(
  n: number,
  rv: Float64Array, rbm: Uint8Array | null, roff: number,
  cv: Float64Array, cbm: Uint8Array | null, coff: number,
  stats: Float64Array,
): void {
  let clients = 0;
  let maxAbs = stats[1];
  let nulls = 0;
  let nonFinite = 0;
  for (let i = 0; i < n; i++) {
    if ((rbm !== null && !bitAt(rbm, roff + i)) || (cbm !== null && !bitAt(cbm, coff + i))) {
      nulls++;
      continue;
    }
    const p = rv[i] - cv[i];
    if (p - p !== 0) {
      nonFinite++;
      continue;
    }
    clients++;
    const a = p < 0 ? -p : p;
    if (a > maxAbs) maxAbs = a;
  }
  stats[0] += clients;
  stats[1] = maxAbs;
  stats[2] += nulls;
  stats[3] += nonFinite;
}

/** Appends one batch's profits to `out` from `at` (returns the new length) and offers them to `top`. */
function collectProfits(
  out: Float64Array, at: number, n: number,
  rv: Float64Array, rbm: Uint8Array | null, roff: number,
  cv: Float64Array, cbm: Uint8Array | null, coff: number,
  top: TopRows, batchNo: number, rowOffset: number, positions: Int32Array | undefined,
): number {
  let k = at;
  let cut = top.capacity === 0 ? Infinity : top.cutoff;
  for (let i = 0; i < n; i++) {
    if ((rbm !== null && !bitAt(rbm, roff + i)) || (cbm !== null && !bitAt(cbm, coff + i))) continue;
    const x = rv[i] - cv[i];
    if (x - x !== 0) continue;
    out[k++] = x;
    if (x >= cut && top.offer(x, NaN, batchNo, i, rowOffset + (positions ? positions[i] : i), 0)) cut = top.cutoff;
  }
  return k;
}

/** Exact grid prefix sums of a sorted array at every PREFIX_BLOCK-th position. */
function blockPrefixSums(a: Float64Array, s1: number, s2: number, s3: number): Float64Array {
  const blocks = Math.floor(a.length / PREFIX_BLOCK);
  const out = new Float64Array(3 * (blocks + 1));
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  for (let b = 1, i = 0; b <= blocks; b++) {
    for (const end = b * PREFIX_BLOCK; i < end; i++) {
      const x = a[i];
      const h1 = x + s1 - s1;
      const r1 = x - h1;
      const h2 = r1 + s2 - s2;
      a1 += h1;
      a2 += h2;
      a3 += r1 - h2 + s3 - s3;
    }
    out[3 * b] = a1;
    out[3 * b + 1] = a2;
    out[3 * b + 2] = a3;
  }
  return out;
}

/** Number of values > v in a descending array. */
function countAbove(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] > v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of values >= v in a descending array. */
function countAtLeast(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] >= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function totalAbove(arrays: readonly Float64Array[], v: number): number {
  let s = 0;
  for (const a of arrays) s += countAbove(a, v);
  return s;
}

function totalAtLeast(arrays: readonly Float64Array[], v: number): number {
  let s = 0;
  for (const a of arrays) s += countAtLeast(a, v);
  return s;
}

/**
 * The k-th largest value (1 <= k <= total length) of descending arrays. In the array holding it,
 * it is the first element v with #(>= v) >= k, found by binary search (monotone in the index);
 * it is the answer exactly when #(> v) < k.
 */
export function kthLargest(arrays: readonly Float64Array[], k: number): number {
  for (const a of arrays) {
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (totalAtLeast(arrays, a[mid]) >= k) hi = mid;
      else lo = mid + 1;
    }
    if (lo < a.length && totalAbove(arrays, a[lo]) < k) return a[lo];
  }
  throw new RangeError(`kthLargest: k = ${k} is out of range.`);
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

/** Adds the exact grid sums of the first j values of partial p into acc. */
function addPrefix(acc: Float64Array, p: WhalePartial, j: number, s: readonly [number, number, number]): void {
  const b = Math.floor(j / PREFIX_BLOCK);
  acc[0] += p.blockPrefix[3 * b];
  acc[1] += p.blockPrefix[3 * b + 1];
  acc[2] += p.blockPrefix[3 * b + 2];
  for (let i = b * PREFIX_BLOCK; i < j; i++) addSplit(acc, p.profits[i], 1, s);
}

const value = (acc: Float64Array) => acc[0] + acc[1] + acc[2];

export const whaleCurveKernel: KernelDef<WhaleCurveSpec, WhalePartial, WhaleCurveResult, WhalePrepPartial, WhaleParams> = {
  name: NAME,
  validate,
  prepare: {
    async map(rows: readonly RowBatch[], spec: WhaleCurveSpec, ctx: KernelContext): Promise<WhalePrepPartial> {
      const stats = new Float64Array(4);
      for (let b = 0; b < rows.length; b++) {
        const batch = rows[b].batch;
        const rev = numericView(batch, spec.revenue);
        const cost = numericView(batch, spec.cost);
        scanProfits(batch.numRows, float64Values(rev), rev.bitmap, rev.offset, float64Values(cost), cost.bitmap, cost.offset, stats);
        ctx.progress((b + 1) / rows.length);
        await ctx.checkpoint();
      }
      return { clients: stats[0], maxAbs: stats[1], skippedNull: stats[2], skippedNonFinite: stats[3] };
    },
    reduce(partials: WhalePrepPartial[]): WhaleParams {
      let clients = 0;
      let maxAbs = 0;
      let skippedNull = 0;
      let skippedNonFinite = 0;
      for (const p of partials) {
        clients += p.clients;
        maxAbs = Math.max(maxAbs, p.maxAbs);
        skippedNull += p.skippedNull;
        skippedNonFinite += p.skippedNonFinite;
      }
      return { clients, skippedNull, skippedNonFinite, sigma: summationGrids(clients, maxAbs) };
    },
  },
  async map(rows: readonly RowBatch[], spec: WhaleCurveSpec, params: WhaleParams, ctx: KernelContext): Promise<WhalePartial> {
    let total = 0;
    for (const r of rows) total += r.batch.numRows;
    let profits = new Float64Array(total);
    let k = 0;
    const top = new TopRows(spec.topN);
    for (let b = 0; b < rows.length; b++) {
      const { batch, rowOffset } = rows[b];
      const rev = numericView(batch, spec.revenue);
      const cost = numericView(batch, spec.cost);
      const batchNo = top.addBatch(spec.id === null ? null : idView(batch, spec.id));
      k = collectProfits(profits, k, batch.numRows, float64Values(rev), rev.bitmap, rev.offset, float64Values(cost), cost.bitmap, cost.offset, top, batchNo, rowOffset, rows[b].positions);
      ctx.progress((0.5 * (b + 1)) / rows.length);
      await ctx.checkpoint();
    }
    if (k < total) profits = profits.slice(0, k);
    profits.sort();
    profits.reverse();
    const [s1, s2, s3] = params.sigma;
    const blockPrefix = blockPrefixSums(profits, s1, s2, s3);
    ctx.progress(1);
    return { profits, blockPrefix, top: top.rows() };
  },
  reduce(partials: WhalePartial[], spec: WhaleCurveSpec, params: WhaleParams): WhaleCurveResult {
    const parts = partials.filter((p) => p.profits.length > 0);
    const arrays = parts.map((p) => p.profits);
    const s = params.sigma;
    let n = 0;
    for (const a of arrays) n += a.length;
    // Exact grid sums of the j_p(v) first values of every partition, j_p given by `count`.
    const sumOfFirst = (count: (a: Float64Array) => number): Float64Array => {
      const acc = new Float64Array(3);
      for (const p of parts) addPrefix(acc, p, count(p.profits), s);
      return acc;
    };
    const totalAcc = sumOfFirst((a) => a.length);
    const total = value(totalAcc);
    const share = (v: number) => (total === 0 ? null : v / total);
    const point = (k: number, cum: number): WhalePoint => ({ clients: k, clientShare: n === 0 ? 0 : k / n, cumulativeProfit: cum, profitShare: share(cum) });

    const points: WhalePoint[] = [];
    if (n > 0) {
      for (let i = 0; i <= spec.points; i++) {
        const k = Math.floor((i * n) / spec.points);
        if (k === 0) {
          points.push(point(0, 0));
          continue;
        }
        const t = kthLargest(arrays, k);
        const acc = sumOfFirst((a) => countAbove(a, t));
        addSplit(acc, t, k - totalAbove(arrays, t), s);
        points.push(point(k, value(acc)));
      }
    }
    const positives = totalAbove(arrays, 0);
    const nonNegative = totalAtLeast(arrays, 0);
    const peakAcc = sumOfFirst((a) => countAbove(a, 0));
    const nonNegAcc = sumOfFirst((a) => countAtLeast(a, 0));
    // Differences of exact grid sums are exact: the sum of the negative profits.
    const negativeSum = totalAcc[0] - nonNegAcc[0] + (totalAcc[1] - nonNegAcc[1]) + (totalAcc[2] - nonNegAcc[2]);
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
