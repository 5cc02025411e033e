/**
 * Kernel 'asset-loyalty': the practice's two-dimension layering of a client book, asset size x
 * loyalty, and its "high assets, low stickiness" corner: clients with much money at the bank and
 * little engagement, the sleeping relationships to call first (DOMAIN.md, Segmentation).
 *
 * Asset size: bands of AUM cut at `assets.edges` (lower-inclusive, as wealth tiers). Default
 * DEFAULT_ASSET_SCALE: low < 50,000 <= mid < 500,000 <= high, i.e. high = the affluent and above,
 * who get wealth-management service.
 *
 * Loyalty ("stickiness", measured by products held and transaction frequency): one point for each
 * products threshold met (productsHeld >= t) and one for each transactions threshold met
 * (txnCount12m >= t); bands cut the points at `loyalty.edges`. Defaults (DEFAULT_LOYALTY):
 * - 1 point for holding 3 or more products: a relationship beyond an account and a card (one or
 *   two products is a transactional relationship; in the generated book ~25% hold 3 or more);
 * - 1 point for 24 or more transactions in 12 months: at least twice a month on average, i.e. the
 *   bank is in the client's regular money flow (in the generated book the median is ~13);
 * - bands: 0 points 'low', 1 'medium', 2 'high'.
 * A client whose productsHeld or txnCount12m is null (or NaN) has no loyalty score: it goes to a
 * '(missing)' band rather than to 'low', so unknown data never makes a client look asleep.
 * Likewise a null or NaN AUM goes to a '(missing)' asset band (see dimension.ts).
 *
 * Spec (all optional):
 *   {
 *     assets?:  { column?: 'aum', edges?: number[], labels?: string[], missingLabel? },
 *     loyalty?: { products?: { column?: 'productsHeld', thresholds?: number[] },
 *                 transactions?: { column?: 'txnCount12m', thresholds?: number[] },
 *                 edges?: number[], labels?: string[], missingLabel? },
 *     revenueColumn?: 'revenue', idColumn?: 'clientId',
 *     topN?: 50        (0..10,000) clients listed from the corner
 *     filter?: FilterSpec
 *   }
 *   Thresholds and edges are strictly ascending; labels.length = edges.length + 1, in ascending
 *   order (the corner is the LAST asset band x the FIRST loyalty band).
 *
 * Result (AssetLoyaltyResult):
 *   assetBands, loyaltyBands: labels in order; a missing band is appended when it has rows
 *   cells: every assetBand x loyaltyBand, asset-major: { asset, loyalty, count, aum, revenue }
 *          aum / revenue: sums of the non-null, non-NaN values; null when the cell has none
 *   total: { count, aum, revenue } over matched rows
 *   highAssetsLowStickiness: { asset, loyalty, count, aum, revenue,
 *                              clients: { clientId, aum }[] }  the first topN corner clients by
 *                              AUM descending, ties by clientId ascending (Unicode code point
 *                              order, as DuckDB's VARCHAR order; a null id after every id)
 *   rows: { scanned, matched }
 *   missing: { assets, loyalty }   matched rows without an asset band / a loyalty score
 *   excluded: { nan }              NaN revenue values left out of revenue sums
 * Sums are exact and split-independent (exact-sum.ts); the top list merges exactly (each
 * partition keeps its own top N). A dataset with no rows is a SpecError on "dataset".
 */
import { Type, type RecordBatch } from 'apache-arrow';
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';
import { SpecError, type KernelContext, type KernelDef, type RowBatch } from './kernel.js';
import { requireColumn } from './columns.js';
import { LabelCache } from './category-codes.js';
import { bitmapOf, columnData } from './column-data.js';
import { RowFilter, validateFilter, type FilterSpec } from './filter.js';
import { selectiveRows, viewSource } from './filtered-rows.js';
import { DEFAULT_ASSET_SCALE, DEFAULT_MISSING_LABEL } from './dimension.js';
import { exactAdd, exactMerge, exactValue, newExactSum, type ExactSum } from './exact-sum.js';
import { compareCodePoints } from './group-keys.js';
import { requireAscending, requireInteger, requireLabels, requireObject, requireString } from './spec-checks.js';

export const ASSET_LOYALTY = 'asset-loyalty';
const K = ASSET_LOYALTY;

export interface LoyaltySpec {
  readonly products?: { readonly column?: string; readonly thresholds?: readonly number[] };
  readonly transactions?: { readonly column?: string; readonly thresholds?: readonly number[] };
  readonly edges?: readonly number[];
  readonly labels?: readonly string[];
  readonly missingLabel?: string;
}

export interface AssetLoyaltySpec {
  readonly assets?: { readonly column?: string; readonly edges?: readonly number[]; readonly labels?: readonly string[]; readonly missingLabel?: string };
  readonly loyalty?: LoyaltySpec;
  readonly revenueColumn?: string;
  readonly idColumn?: string;
  readonly topN?: number;
  readonly filter?: FilterSpec;
}

export interface ValidAssetLoyaltySpec {
  readonly assets: { readonly column: string; readonly edges: readonly number[]; readonly labels: readonly string[]; readonly missingLabel: string };
  readonly loyalty: {
    readonly products: { readonly column: string; readonly thresholds: readonly number[] };
    readonly transactions: { readonly column: string; readonly thresholds: readonly number[] };
    readonly edges: readonly number[];
    readonly labels: readonly string[];
    readonly missingLabel: string;
  };
  readonly revenueColumn: string;
  readonly idColumn: string;
  readonly topN: number;
  readonly filter?: FilterSpec;
}

export const DEFAULT_LOYALTY = Object.freeze({
  products: Object.freeze({ column: 'productsHeld', thresholds: Object.freeze([3]) }),
  transactions: Object.freeze({ column: 'txnCount12m', thresholds: Object.freeze([24]) }),
  edges: Object.freeze([1, 2]),
  labels: Object.freeze(['low', 'medium', 'high']),
});

export const DEFAULT_TOP_N = 50;
export const MAX_TOP_N = 10_000;

export interface AssetLoyaltyCell {
  readonly asset: string;
  readonly loyalty: string;
  readonly count: number;
  readonly aum: number | null;
  readonly revenue: number | null;
}

export interface AssetLoyaltyResult {
  readonly assetBands: string[];
  readonly loyaltyBands: string[];
  readonly cells: AssetLoyaltyCell[];
  readonly total: { readonly count: number; readonly aum: number | null; readonly revenue: number | null };
  readonly highAssetsLowStickiness: AssetLoyaltyCell & { readonly clients: { readonly clientId: string | null; readonly aum: number }[] };
  readonly rows: { readonly scanned: number; readonly matched: number };
  readonly missing: { readonly assets: number; readonly loyalty: number };
  readonly excluded: { readonly nan: number };
}

/** Band labels: given, or the defaults when the number of cut points is the default one. */
function bandLabels(field: string, labels: unknown, cuts: number, defaults: readonly string[]): string[] {
  if (labels !== undefined) return requireLabels(K, `${field}.labels`, labels, cuts + 1);
  if (cuts + 1 === defaults.length) return [...defaults];
  throw new SpecError(K, `${field}.labels`, `is required when ${field}.edges has ${cuts} cut points: give ${cuts + 1} labels (the defaults ${defaults.join(', ')} fit ${defaults.length - 1} cut points).`);
}

export function validateAssetLoyaltySpec(spec: unknown, schema: readonly ColumnInfo[]): ValidAssetLoyaltySpec {
  const obj = requireObject(K, '', spec ?? {}, ['assets', 'loyalty', 'revenueColumn', 'idColumn', 'topN', 'filter']);
  const a = requireObject(K, 'assets', obj.assets ?? {}, ['column', 'edges', 'labels', 'missingLabel']);
  const assetColumn = requireColumn(K, 'assets.column', a.column ?? DEFAULT_ASSET_SCALE.column, schema, ['float', 'int']);
  const assetEdges = a.edges === undefined ? [...DEFAULT_ASSET_SCALE.edges] : requireAscending(K, 'assets.edges', a.edges);
  const assetLabels = bandLabels('assets', a.labels, assetEdges.length, DEFAULT_ASSET_SCALE.labels);
  const assetMissing = a.missingLabel === undefined ? DEFAULT_MISSING_LABEL : requireString(K, 'assets.missingLabel', a.missingLabel);

  const l = requireObject(K, 'loyalty', obj.loyalty ?? {}, ['products', 'transactions', 'edges', 'labels', 'missingLabel']);
  const part = (key: 'products' | 'transactions') => {
    const d = DEFAULT_LOYALTY[key];
    const p = requireObject(K, `loyalty.${key}`, l[key] ?? {}, ['column', 'thresholds']);
    const column = requireColumn(K, `loyalty.${key}.column`, p.column ?? d.column, schema, ['int', 'float']);
    const thresholds = p.thresholds === undefined ? [...d.thresholds] : requireAscending(K, `loyalty.${key}.thresholds`, p.thresholds, 0);
    return { column, thresholds };
  };
  const products = part('products');
  const transactions = part('transactions');
  const loyaltyEdges = l.edges === undefined ? [...DEFAULT_LOYALTY.edges] : requireAscending(K, 'loyalty.edges', l.edges);
  const loyaltyLabels = bandLabels('loyalty', l.labels, loyaltyEdges.length, DEFAULT_LOYALTY.labels);
  const loyaltyMissing = l.missingLabel === undefined ? DEFAULT_MISSING_LABEL : requireString(K, 'loyalty.missingLabel', l.missingLabel);

  const revenueColumn = requireColumn(K, 'revenueColumn', obj.revenueColumn ?? 'revenue', schema, ['float', 'int']);
  const idColumn = requireColumn(K, 'idColumn', obj.idColumn ?? 'clientId', schema, ['string', 'category']);
  const topN = obj.topN === undefined ? DEFAULT_TOP_N : requireInteger(K, 'topN', obj.topN, 0, MAX_TOP_N);
  const filter = validateFilter(K, 'filter', obj.filter, schema);
  return {
    assets: { column: assetColumn, edges: assetEdges, labels: assetLabels, missingLabel: assetMissing },
    loyalty: { products, transactions, edges: loyaltyEdges, labels: loyaltyLabels, missingLabel: loyaltyMissing },
    revenueColumn,
    idColumn,
    topN,
    ...(filter ? { filter } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Partial

export interface AssetLoyaltyPartial {
  readonly scanned: number;
  /** Per cell (asset-major, (assetLabels+1) x (loyaltyLabels+1), last of each = missing). */
  readonly counts: Float64Array;
  readonly aumCounts: Float64Array;
  readonly aumSums: ExactSum[];
  readonly revenueCounts: Float64Array;
  readonly revenueSums: ExactSum[];
  readonly nanRevenue: number;
  /** The partition's top corner clients, best first. */
  readonly topAum: number[];
  readonly topId: (string | null)[];
}

/** (aum desc, id asc with null last): negative when (a, ia) ranks before (b, ib). */
function compareTop(a: number, ia: string | null, b: number, ib: string | null): number {
  if (a !== b) return a > b ? -1 : 1;
  if (ia === ib) return 0;
  if (ia === null) return 1;
  if (ib === null) return -1;
  return compareCodePoints(ia, ib);
}

/** A bounded best-first list; ids are decoded only for rows that can enter it. */
class TopList {
  readonly aum: number[] = [];
  readonly id: (string | null)[] = [];
  constructor(readonly n: number) {}

  /** The AUM a row needs to possibly enter: -Infinity until the list is full. */
  threshold(): number {
    return this.aum.length < this.n ? -Infinity : this.aum[this.aum.length - 1];
  }

  /** Would a row with this AUM possibly enter (before looking at its id)? */
  mayEnter(aum: number): boolean {
    const len = this.aum.length;
    return this.n > 0 && (len < this.n || aum >= this.aum[len - 1]);
  }

  offer(aum: number, id: string | null): void {
    const len = this.aum.length;
    if (len === this.n && compareTop(aum, id, this.aum[len - 1], this.id[len - 1]) >= 0) return;
    let lo = 0, hi = len;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareTop(this.aum[mid], this.id[mid], aum, id) <= 0) lo = mid + 1;
      else hi = mid;
    }
    this.aum.splice(lo, 0, aum);
    this.id.splice(lo, 0, id);
    if (this.aum.length > this.n) {
      this.aum.pop();
      this.id.pop();
    }
  }
}

type Values = Float64Array | Int32Array;

interface NumCol {
  readonly v: Values;
  readonly bitmap: Uint8Array | null;
  readonly offset: number;
}

function numCol(batch: RecordBatch, name: string): NumCol {
  const data = columnData(batch, name);
  const v: unknown = data.values;
  if ((data.type.typeId !== Type.Float && data.type.typeId !== Type.Int) || !(v instanceof Float64Array || v instanceof Int32Array)) {
    throw new Error(`Column "${name}" is ${String(data.type)}; asset-loyalty reads Float64 or Int32.`);
  }
  return { v, bitmap: bitmapOf(data), offset: data.offset };
}

/** Reads ids of single rows of a string or category column (only for top-list candidates). */
class IdReader {
  private readonly decoder = new TextDecoder();
  private readonly kind: 'utf8' | 'dict';
  private readonly offsets: Int32Array | null = null;
  private readonly bytes: Uint8Array | null = null;
  private readonly codes: ArrayLike<number> | null = null;
  private readonly labels: readonly string[] | null = null;
  private readonly bitmap: Uint8Array | null;
  private readonly offset: number;

  /** For a filtered view: the stored batch's row of each view row (ids are read in place, not gathered). */
  private readonly rows: Int32Array | null;

  constructor(batch: RecordBatch, name: string, labelCache: LabelCache) {
    const source = viewSource(batch);
    this.rows = source?.rows ?? null;
    const data = columnData(source?.batch ?? batch, name);
    this.bitmap = bitmapOf(data);
    this.offset = data.offset;
    if (data.type.typeId === Type.Utf8) {
      this.kind = 'utf8';
      this.offsets = data.valueOffsets as Int32Array;
      this.bytes = data.values as Uint8Array;
    } else if (data.type.typeId === Type.Dictionary && data.dictionary) {
      this.kind = 'dict';
      this.codes = data.values as ArrayLike<number>;
      this.labels = labelCache.labels(data.dictionary);
    } else {
      throw new Error(`Column "${name}" is ${String(data.type)}; client ids are read from Utf8 or dictionary columns.`);
    }
  }

  at(row: number): string | null {
    const i = this.rows === null ? row : this.rows[row];
    if (this.bitmap !== null) {
      const j = this.offset + i;
      if (((this.bitmap[j >> 3] >> (j & 7)) & 1) === 0) return null;
    }
    if (this.kind === 'dict') return this.labels![this.codes![i]];
    return this.decoder.decode(this.bytes!.subarray(this.offsets![i], this.offsets![i + 1]));
  }
}

function isNullAt(bitmap: Uint8Array, offset: number, i: number): boolean {
  const j = offset + i;
  return ((bitmap[j >> 3] >> (j & 7)) & 1) === 0;
}

/** Cut points padded to four with NaN (no value is >= NaN), for the branch-free band count. */
function pad4(cuts: readonly number[]): Float64Array | null {
  if (cuts.length > 4) return null;
  const out = new Float64Array([NaN, NaN, NaN, NaN]);
  out.set(cuts);
  return out;
}

/** Number of cut points <= x (cuts ascending). */
function countAtMost(x: number, cuts: Float64Array): number {
  let k = 0;
  while (k < cuts.length && x >= cuts[k]) k++;
  return k;
}

interface CellWork {
  readonly L: number;
  readonly missingAsset: number;
  readonly missingLoyalty: number;
  readonly assetCuts: Float64Array;
  readonly productCuts: Float64Array;
  readonly txnCuts: Float64Array;
  /** The same lists padded to 4 with NaN, or null when one is longer (then loops are used). */
  readonly assetCuts4: Float64Array | null;
  readonly productCuts4: Float64Array | null;
  readonly txnCuts4: Float64Array | null;
  readonly pointBand: Int32Array;
  readonly counts: Float64Array;
  readonly bAum: Float64Array;
  readonly bRev: Float64Array;
  readonly revSkipped: Float64Array;
  /** The corner cell, and the AUM a corner row needs to be a top-list candidate (-Inf: any). */
  readonly corner: number;
  threshold: number;
  /** Rows of this batch that may enter the top list: candidates[0..nCandidates). */
  candidates: Int32Array;
  nCandidates: number;
  /** The optimistic loop's scratch, or null when the bands are not of its shape. */
  readonly strided: Strided | null;
}

/**
 * The whole per-row work in one pass: asset band, loyalty points and band, cell, row count, AUM
 * and revenue sums (a null or NaN revenue is skipped and counted), and the corner rows whose AUM
 * reaches the top list's threshold (w.candidates). Returns the number of NaN revenues.
 */
function accumulateCells(
  n: number, mask: Uint8Array | null, aum: NumCol, prod: NumCol, txn: NumCol, rev: NumCol, w: CellWork,
): number {
  if (w.candidates.length < n) w.candidates = new Int32Array(n);
  w.nCandidates = 0;
  const noNulls = !aum.bitmap && !prod.bitmap && !txn.bitmap && !rev.bitmap;
  if (noNulls && mask === null && w.strided !== null && prod.v instanceof Int32Array && txn.v instanceof Int32Array && stridedBatch(n, aum.v, prod.v, txn.v, rev.v, w, w.strided)) {
    return 0;
  }
  if (noNulls && w.assetCuts4 && w.productCuts4 && w.txnCuts4) {
    return accumulateCellsFast(n, mask, aum.v, prod.v, txn.v, rev.v, w, w.assetCuts4, w.productCuts4, w.txnCuts4);
  }
  const corner = w.corner, threshold = w.threshold, candidates = w.candidates;
  let nc = 0;
  const av = aum.v, pv = prod.v, tv = txn.v, rv = rev.v;
  const aBm = aum.bitmap, pBm = prod.bitmap, tBm = txn.bitmap, rBm = rev.bitmap;
  const L = w.L, missingA = w.missingAsset, missingL = w.missingLoyalty;
  const counts = w.counts, bAum = w.bAum, bRev = w.bRev, revSkipped = w.revSkipped, pointBand = w.pointBand;
  let nan = 0;
  for (let i = 0; i < n; i++) {
    if (mask !== null && mask[i] === 0) continue;
    const a = av[i], x = pv[i], y = tv[i];
    const aumOk = a === a && (aBm === null || !isNullAt(aBm, aum.offset, i));
    const ab = aumOk ? countAtMost(a, w.assetCuts) : missingA;
    const lb = x !== x || y !== y || (pBm !== null && isNullAt(pBm, prod.offset, i)) || (tBm !== null && isNullAt(tBm, txn.offset, i))
      ? missingL
      : pointBand[countAtMost(x, w.productCuts) + countAtMost(y, w.txnCuts)];
    const c = ab * L + lb;
    counts[c]++;
    if (aumOk) bAum[c] += a;
    if (c === corner && a >= threshold) candidates[nc++] = i;
    const r = rv[i];
    if (rBm !== null && isNullAt(rBm, rev.offset, i)) revSkipped[c]++;
    else if (r === r) bRev[c] += r;
    else {
      revSkipped[c]++;
      nan++;
    }
  }
  w.nCandidates = nc;
  return nan;
}

/**
 * Scratch of the optimistic loop (stridedBatch), for the default shape of bands: at most two asset
 * cut points, at most one threshold per loyalty list, and loyalty bands that keep point totals
 * apart (each band holds at most one total, as the defaults do). Cells are indexed by asset band
 * and loyalty points, not band: the point-to-band lookup is left to the per-batch fold, since as a
 * per-row load in the loop's dependency chain it cost about a sixth of the loop. A cell's sums then
 * see exactly the additions of its band's sums. The layout has a power-of-two stride (cell =
 * assetBand << shift + points): a shift needs no overflow check, where V8 guards an int multiply.
 */
interface Strided {
  readonly shift: number;
  readonly a0: number;
  readonly a1: number;
  readonly p0: number;
  readonly t0: number;
  readonly points: number;
  readonly corner: number;
  readonly count: Float64Array;
  readonly aum: Float64Array;
  readonly rev: Float64Array;
}

function stridedWork(spec: ValidAssetLoyaltySpec, A: number, pointBand: Int32Array, cornerWanted: boolean): Strided | null {
  const a = spec.assets.edges, p = spec.loyalty.products.thresholds, t = spec.loyalty.transactions.thresholds;
  if (a.length > 2 || p.length > 1 || t.length > 1) return null;
  for (let pts = 1; pts < pointBand.length; pts++) if (pointBand[pts] === pointBand[pts - 1]) return null;
  let shift = 0;
  while (1 << shift < pointBand.length) shift++;
  const size = A << shift;
  return {
    shift,
    a0: a[0] ?? NaN,
    a1: a[1] ?? NaN,
    p0: p[0] ?? NaN,
    t0: t[0] ?? NaN,
    points: pointBand.length,
    // The corner's loyalty band 0 holds only 0 points (bands are distinct and ascending), if any.
    corner: cornerWanted && pointBand[0] === 0 ? (A - 2) << shift : -1,
    count: new Float64Array(size),
    aum: new Float64Array(size),
    rev: new Float64Array(size),
  };
}

/**
 * One batch without nulls, mask or float loyalty inputs, on the optimistic assumption that no
 * revenue is NaN: the loop adds every AUM and revenue without testing it. A NaN AUM lands in the
 * missing asset band, whose AUM sum is dropped below (that band has no AUM values). A NaN revenue
 * makes its cell's sum NaN: the batch is then refused (false, nothing folded) and the caller runs
 * the careful loop on it. Otherwise each cell saw the same additions in the same order as in the
 * careful loop, so the sums are bit-identical. Folds into w (counts; bAum and bRev, which hold the
 * current batch only) and sets w.nCandidates.
 */
function stridedBatch(n: number, av: Values, pv: Int32Array, tv: Int32Array, rv: Values, w: CellWork, s: Strided): boolean {
  s.count.fill(0);
  s.aum.fill(0);
  s.rev.fill(0);
  const nc = stridedLoop(n, av, pv, tv, rv, s.count, s.aum, s.rev, s.shift, s.a0, s.a1, s.p0, s.t0, w.missingAsset, s.corner, w.threshold, w.candidates);
  for (let j = 0; j < s.rev.length; j++) if (Number.isNaN(s.rev[j])) return false;
  const A = w.missingAsset + 1, L = w.L;
  for (let ab = 0; ab < A; ab++) {
    for (let pts = 0; pts < s.points; pts++) {
      const j = (ab << s.shift) + pts, c = ab * L + w.pointBand[pts];
      w.counts[c] += s.count[j];
      if (ab !== w.missingAsset) w.bAum[c] = s.aum[j];
      w.bRev[c] = s.rev[j];
    }
  }
  w.nCandidates = nc;
  return true;
}

/** The inner loop of stridedBatch; returns the number of top-list candidates written. */
function stridedLoop(
  n: number, av: Values, pv: Int32Array, tv: Int32Array, rv: Values,
  count: Float64Array, sAum: Float64Array, sRev: Float64Array, shift: number,
  a0: number, a1: number, p0: number, t0: number, missingA: number, corner: number, threshold: number, candidates: Int32Array,
): number {
  let nc = 0;
  for (let i = 0; i < n; i++) {
    const a = av[i];
    const c = ((a === a ? +(a >= a0) + +(a >= a1) : missingA) << shift) + +(pv[i] >= p0) + +(tv[i] >= t0);
    count[c]++;
    sAum[c] += a;
    sRev[c] += rv[i];
    if (c === corner && a >= threshold) candidates[nc++] = i;
  }
  return nc;
}

/** accumulateCells for the common case: no nulls in the batch, at most 4 cut points per list. */
function accumulateCellsFast(
  n: number, mask: Uint8Array | null, av: Values, pv: Values, tv: Values, rv: Values, w: CellWork,
  A4: Float64Array, P4: Float64Array, T4: Float64Array,
): number {
  const skippedBefore = sumOf(w.revSkipped);
  if (Number.isNaN(A4[2]) && Number.isNaN(P4[2]) && Number.isNaN(T4[2])) {
    w.nCandidates = cellsUpTo2(n, mask, av, pv, tv, rv, w, A4[0], A4[1], P4[0], P4[1], T4[0], T4[1]);
  } else {
    w.nCandidates = cellsUpTo4(n, mask, av, pv, tv, rv, w, A4, P4, T4);
  }
  // Only NaN revenues are skipped here (the batch has no nulls).
  return sumOf(w.revSkipped) - skippedBefore;
}

function sumOf(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/**
 * The loop for at most two cut points per list (the defaults have 2, 1 and 1): few live values,
 * so TurboFan keeps them all in registers. Absent cuts are NaN (no value is >= NaN). Unary plus
 * on a comparison compiles without a branch (a ternary would mispredict on mixed data). Returns
 * the number of top-list candidates written.
 */
function cellsUpTo2(
  n: number, mask: Uint8Array | null, av: Values, pv: Values, tv: Values, rv: Values, w: CellWork,
  a0: number, a1: number, p0: number, p1: number, t0: number, t1: number,
): number {
  const L = w.L, missingA = w.missingAsset, missingL = w.missingLoyalty;
  const counts = w.counts, bAum = w.bAum, bRev = w.bRev, revSkipped = w.revSkipped, pointBand = w.pointBand;
  const corner = w.corner, threshold = w.threshold, candidates = w.candidates;
  let nc = 0;
  for (let i = 0; i < n; i++) {
    if (mask !== null && mask[i] === 0) continue;
    const a = av[i], x = pv[i], y = tv[i];
    const ab = a === a ? +(a >= a0) + +(a >= a1) : missingA;
    const lb = x === x && y === y ? pointBand[+(x >= p0) + +(x >= p1) + +(y >= t0) + +(y >= t1)] : missingL;
    const c = ab * L + lb;
    counts[c]++;
    if (a === a) bAum[c] += a;
    if (c === corner && a >= threshold) candidates[nc++] = i;
    const r = rv[i];
    if (r === r) bRev[c] += r;
    else revSkipped[c]++;
  }
  return nc;
}

/** The same for up to four cut points per list. */
function cellsUpTo4(
  n: number, mask: Uint8Array | null, av: Values, pv: Values, tv: Values, rv: Values, w: CellWork,
  A4: Float64Array, P4: Float64Array, T4: Float64Array,
): number {
  const L = w.L, missingA = w.missingAsset, missingL = w.missingLoyalty;
  const counts = w.counts, bAum = w.bAum, bRev = w.bRev, revSkipped = w.revSkipped, pointBand = w.pointBand;
  const a0 = A4[0], a1 = A4[1], a2 = A4[2], a3 = A4[3];
  const p0 = P4[0], p1 = P4[1], p2 = P4[2], p3 = P4[3];
  const t0 = T4[0], t1 = T4[1], t2 = T4[2], t3 = T4[3];
  const corner = w.corner, threshold = w.threshold, candidates = w.candidates;
  let nc = 0;
  for (let i = 0; i < n; i++) {
    if (mask !== null && mask[i] === 0) continue;
    const a = av[i], x = pv[i], y = tv[i];
    const ab = a === a ? +(a >= a0) + +(a >= a1) + +(a >= a2) + +(a >= a3) : missingA;
    const pts = +(x >= p0) + +(x >= p1) + +(x >= p2) + +(x >= p3) + +(y >= t0) + +(y >= t1) + +(y >= t2) + +(y >= t3);
    const lb = x === x && y === y ? pointBand[pts] : missingL;
    const c = ab * L + lb;
    counts[c]++;
    if (a === a) bAum[c] += a;
    if (c === corner && a >= threshold) candidates[nc++] = i;
    const r = rv[i];
    if (r === r) bRev[c] += r;
    else revSkipped[c]++;
  }
  return nc;
}

async function mapAssetLoyalty(stored: readonly RowBatch[], spec: ValidAssetLoyaltySpec, ctx: KernelContext): Promise<AssetLoyaltyPartial> {
  const labelCache = new LabelCache();
  // A selective filter: only the rows that pass, through the filtered views (SELECTIVE_SHARE).
  const views = selectiveRows(stored, spec.filter);
  const rows = views ?? stored;
  const filter = new RowFilter(views ? undefined : spec.filter, labelCache);
  const A = spec.assets.labels.length + 1;
  const L = spec.loyalty.labels.length + 1;
  const cellsN = A * L;
  const corner = (A - 2) * L + 0;
  const pointsMax = spec.loyalty.products.thresholds.length + spec.loyalty.transactions.thresholds.length;
  const pointBand = new Int32Array(pointsMax + 1);
  for (let pts = 0; pts <= pointsMax; pts++) pointBand[pts] = countAtMost(pts, Float64Array.from(spec.loyalty.edges));
  const work: CellWork = {
    L,
    missingAsset: A - 1,
    missingLoyalty: L - 1,
    assetCuts: Float64Array.from(spec.assets.edges),
    productCuts: Float64Array.from(spec.loyalty.products.thresholds),
    txnCuts: Float64Array.from(spec.loyalty.transactions.thresholds),
    assetCuts4: pad4(spec.assets.edges),
    productCuts4: pad4(spec.loyalty.products.thresholds),
    txnCuts4: pad4(spec.loyalty.transactions.thresholds),
    pointBand,
    counts: new Float64Array(cellsN),
    bAum: new Float64Array(cellsN),
    bRev: new Float64Array(cellsN),
    revSkipped: new Float64Array(cellsN),
    corner: spec.topN > 0 ? corner : -1,
    threshold: -Infinity,
    candidates: new Int32Array(0),
    nCandidates: 0,
    strided: stridedWork(spec, A, pointBand, spec.topN > 0),
  };
  const aumSums = Array.from({ length: cellsN }, newExactSum);
  const revenueSums = Array.from({ length: cellsN }, newExactSum);
  const top = new TopList(spec.topN);
  let nanRevenue = 0;
  let scanned = 0;
  const totalRows = stored.reduce((s, r) => s + r.batch.numRows, 0);

  for (let b = 0; b < rows.length; b++) {
    const { batch } = rows[b];
    await ctx.checkpoint();
    const n = batch.numRows;
    scanned += stored[b].batch.numRows;
    if (n === 0) continue;
    const mask = filter.mask(batch);
    const aum = numCol(batch, spec.assets.column);
    nanRevenue += accumulateCells(
      n, mask, aum, numCol(batch, spec.loyalty.products.column), numCol(batch, spec.loyalty.transactions.column), numCol(batch, spec.revenueColumn), work,
    );
    // Fold this batch's plain sums into the exact accumulators (split-independent results).
    for (let c = 0; c < cellsN; c++) {
      if (work.bAum[c] !== 0) exactAdd(aumSums[c], work.bAum[c]);
      if (work.bRev[c] !== 0) exactAdd(revenueSums[c], work.bRev[c]);
    }
    work.bAum.fill(0);
    work.bRev.fill(0);
    if (work.nCandidates > 0) {
      // Corner rows have a valid, non-NaN AUM (else they would be in the missing asset band).
      const ids = new IdReader(batch, spec.idColumn, labelCache);
      const v = aum.v;
      for (let k = 0; k < work.nCandidates; k++) {
        const i = work.candidates[k];
        if (top.mayEnter(v[i])) top.offer(v[i], ids.at(i));
      }
      work.threshold = top.threshold();
    }
    ctx.progress(totalRows > 0 ? scanned / totalRows : 1);
  }
  // AUM values per cell: every row of a cell outside the missing asset band has one.
  const aumCounts = new Float64Array(cellsN);
  const revenueCounts = new Float64Array(cellsN);
  for (let c = 0; c < cellsN; c++) {
    aumCounts[c] = Math.floor(c / L) === A - 1 ? 0 : work.counts[c];
    revenueCounts[c] = work.counts[c] - work.revSkipped[c];
  }
  return { scanned, counts: work.counts, aumCounts, aumSums, revenueCounts, revenueSums, nanRevenue, topAum: top.aum, topId: top.id };
}

// ---------------------------------------------------------------------------------------------
// Reduce

function reduceAssetLoyalty(partials: AssetLoyaltyPartial[], spec: ValidAssetLoyaltySpec): AssetLoyaltyResult {
  const scanned = partials.reduce((s, p) => s + p.scanned, 0);
  if (scanned === 0) throw new SpecError(K, 'dataset', 'has no rows (a zero-row table): there is nothing to segment. Load data with at least one row.');
  const A = spec.assets.labels.length + 1;
  const L = spec.loyalty.labels.length + 1;
  const cellsN = A * L;
  const counts = new Float64Array(cellsN);
  const aumCounts = new Float64Array(cellsN);
  const revenueCounts = new Float64Array(cellsN);
  const aumSums = Array.from({ length: cellsN }, newExactSum);
  const revenueSums = Array.from({ length: cellsN }, newExactSum);
  const top = new TopList(spec.topN);
  let nan = 0;
  for (const p of partials) {
    for (let c = 0; c < cellsN; c++) {
      counts[c] += p.counts[c];
      aumCounts[c] += p.aumCounts[c];
      revenueCounts[c] += p.revenueCounts[c];
      exactMerge(aumSums[c], p.aumSums[c]);
      exactMerge(revenueSums[c], p.revenueSums[c]);
    }
    nan += p.nanRevenue;
    for (let k = 0; k < p.topAum.length; k++) top.offer(p.topAum[k], p.topId[k]);
  }
  // A missing band is listed only when it has rows.
  let missingAssets = 0;
  for (let l = 0; l < L; l++) missingAssets += counts[(A - 1) * L + l];
  let missingLoyalty = 0;
  for (let a = 0; a < A; a++) missingLoyalty += counts[a * L + L - 1];
  const assetIdx = [...spec.assets.labels.keys(), ...(missingAssets > 0 ? [A - 1] : [])];
  const loyaltyIdx = [...spec.loyalty.labels.keys(), ...(missingLoyalty > 0 ? [L - 1] : [])];
  const assetLabel = (a: number) => (a === A - 1 ? spec.assets.missingLabel : spec.assets.labels[a]);
  const loyaltyLabel = (l: number) => (l === L - 1 ? spec.loyalty.missingLabel : spec.loyalty.labels[l]);
  const cellOf = (a: number, l: number): AssetLoyaltyCell => {
    const c = a * L + l;
    return {
      asset: assetLabel(a),
      loyalty: loyaltyLabel(l),
      count: counts[c],
      aum: aumCounts[c] > 0 ? exactValue(aumSums[c]) : null,
      revenue: revenueCounts[c] > 0 ? exactValue(revenueSums[c]) : null,
    };
  };
  const totalAum = newExactSum();
  const totalRevenue = newExactSum();
  let count = 0, aumN = 0, revN = 0;
  for (let c = 0; c < cellsN; c++) {
    count += counts[c];
    aumN += aumCounts[c];
    revN += revenueCounts[c];
    exactMerge(totalAum, aumSums[c]);
    exactMerge(totalRevenue, revenueSums[c]);
  }
  return {
    assetBands: assetIdx.map(assetLabel),
    loyaltyBands: loyaltyIdx.map(loyaltyLabel),
    cells: assetIdx.flatMap((a) => loyaltyIdx.map((l) => cellOf(a, l))),
    total: { count, aum: aumN > 0 ? exactValue(totalAum) : null, revenue: revN > 0 ? exactValue(totalRevenue) : null },
    highAssetsLowStickiness: { ...cellOf(A - 2, 0), clients: top.aum.map((aum, k) => ({ clientId: top.id[k], aum: aum + 0 })) },
    rows: { scanned, matched: count },
    missing: { assets: missingAssets, loyalty: missingLoyalty },
    excluded: { nan },
  };
}

export const assetLoyaltyKernel: KernelDef<ValidAssetLoyaltySpec, AssetLoyaltyPartial, AssetLoyaltyResult> = {
  name: ASSET_LOYALTY,
  // Reads spec.filter itself (a byte mask per batch), rather than the runner gathering rows.
  filters: 'native',
  validate: validateAssetLoyaltySpec,
  map: (rows, spec, _params, ctx) => mapAssetLoyalty(rows, spec, ctx),
  reduce: (partials, spec) => reduceAssetLoyalty(partials, spec),
};
