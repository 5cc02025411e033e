/**
 * RFM: every client scored 1..5 on recency, frequency and monetary value by quintiles, counted per
 * RFM cell (111..555) and per named segment (Champions, Loyal, ... Lost), optionally per category
 * of a `by` column.
 *
 * Definitions (all exact; tests check them against DuckDB window functions):
 * - Inputs: recency = `recencyColumn` (a date, default lastTxnDate), frequency = `frequencyColumn`
 *   (an integer count, default txnCount12m), monetary = `monetaryColumn` (default `revenue`: the
 *   12-month revenue matches the 12-month window of txnCount12m and is what the bank earns; `aum`
 *   measures wealth rather than spending, choose it explicitly when that is the question).
 * - Scored rows: a row with a null in any of the three inputs, or a monetary value that is not a
 *   finite number (NaN, +-Infinity), is not scored; it is counted in `excluded` (per category too).
 * - Row number: the row's global row in the dataset (`globalRow`), also under a page filter (the
 *   runner's filtered view keeps each row's original position), so ranks, scores and ties are
 *   those of the filtered rows in dataset order.
 * - Scores, over the scored rows only, exactly as SQL
 *     F = NTILE(5) OVER (ORDER BY frequency, rowNumber)
 *     M = NTILE(5) OVER (ORDER BY monetary, rowNumber)
 *     R = NTILE(5) OVER (ORDER BY recencyDays DESC, rowNumber)   -- more recent = higher score
 *   with recencyDays = asOf - recency date. Equal values are ranked by row number, so ties can land
 *   in adjacent quintiles, deterministically. NTILE gives the first (n mod 5) quintiles one row more.
 *   Ranking by days descending is ranking by date ascending, so scores do not depend on `asOf`;
 *   `asOf` only sets the reported recency days (negative for dates after `asOf`).
 * - asOf: 'YYYY-MM-DD'; default: the latest recency date among the scored rows.
 * - A dataset without rows (also after a page filter) is a SpecError on field "dataset"; rows that
 *   are all excluded give a result with nothing scored (asOf null unless given).
 * - Named segments: from the R and F scores by `segments` (default DEFAULT_RFM_SEGMENTS, a spec may
 *   pass its own table: first matching rule wins, every (R, F) pair must be covered).
 * - Sums of the monetary column are reproducible: every value is split at fixed, data-wide binary
 *   grid points into four parts whose sums are exact in float64, so any split of the rows across
 *   workers gives bit-identical sums. Accuracy: each value keeps its bits down to 2^-83 of the
 *   largest |monetary| in the data (far finer than float64 summation error on real data).
 *
 * How global ranks are found across workers (prepare / map / reduce), without sorting:
 *   prepare.map    each worker counts its scored rows per bucket of each measure: recency and
 *                  frequency by value (v >> shift, shift 0 unless the range passes `samples`
 *                  buckets), monetary by order-preserving float bucket (float-buckets.ts) with the
 *                  zeros apart; plus row counts, the largest date, the largest |monetary| and the
 *                  worker's first row;
 *   prepare.reduce from the merged counts, the bucket of each quintile boundary (global rank s_j).
 *                  A bucket of one value (a 'tie' cut) fixes the boundary value and how many rows
 *                  of that value come before it; the partials' counts say how many of those precede
 *                  each worker's rows. Other buckets ('range' cuts) hold several values;
 *   map            scores every row by a per-bucket table; rows with a tie value are ranked among
 *                  the ties by row order (worker rows are contiguous row ranges), and the worker
 *                  holding a boundary row reports it; rows in a 'range' bucket are returned, with
 *                  each cut's rows sorted by key (float buckets are 1/256 of a power of two wide:
 *                  few rows, ~14,000 at 10M clients);
 *   reduce         picks each 'range' boundary key by merging the workers' sorted lists (its
 *                  bucket's rows are all there), scores those rows and adds them. The answer does
 *                  not depend on how rows were split.
 */
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';
import { categoryCodes, LabelCache } from './category-codes.js';
import { numericView, requireColumn, type ColumnKind } from './columns.js';
import { parseIsoDay } from './filter.js';
import { compareGroupKeys } from './group-keys.js';
import { SpecError, globalRow, type KernelContext, type KernelDef, type RowBatch } from './kernel.js';
import { describe, isPlainObject, requireArray, requireInteger, requireObject, requireString } from './spec-checks.js';
import { BLOCK_BITS, FLOAT_BUCKETS, FLOAT_BUCKET_BITS, ZERO_BUCKET, bucketOf, mergeSparseCounts, sparseCountsAndRelease, takeBucketHistogram, type SparseCounts } from './float-buckets.js';

const K = 'rfm';
/** bucketOfHighWord's shift, for the per-row loops that inline it. */
const BUCKET_SHIFT = 32 - FLOAT_BUCKET_BITS;

// ---------------------------------------------------------------------------------------------
// Spec

/** A named segment: rows whose R score is in r[0]..r[1] and F score in f[0]..f[1] (inclusive). */
export interface RfmSegmentRule {
  readonly name: string;
  readonly r: readonly [number, number];
  readonly f: readonly [number, number];
}

/**
 * The standard RFM segment map on the R x F grid (first match wins; covers all 25 pairs):
 *
 *   R\F   1               2                   3                   4                 5
 *   5     New             Potential loyalist  Potential loyalist  Champions         Champions
 *   4     Promising       Potential loyalist  Potential loyalist  Loyal             Loyal
 *   3     About to sleep  About to sleep      Need attention      Loyal             Loyal
 *   2     Hibernating     Hibernating         At risk             At risk           Cannot lose them
 *   1     Lost            Lost                At risk             At risk           Cannot lose them
 */
export const DEFAULT_RFM_SEGMENTS: readonly RfmSegmentRule[] = Object.freeze([
  { name: 'Champions', r: [5, 5], f: [4, 5] },
  { name: 'Loyal', r: [3, 4], f: [4, 5] },
  { name: 'Potential loyalist', r: [4, 5], f: [2, 3] },
  { name: 'New', r: [5, 5], f: [1, 1] },
  { name: 'Promising', r: [4, 4], f: [1, 1] },
  { name: 'Need attention', r: [3, 3], f: [3, 3] },
  { name: 'About to sleep', r: [3, 3], f: [1, 2] },
  { name: 'Cannot lose them', r: [1, 2], f: [5, 5] },
  { name: 'At risk', r: [1, 2], f: [3, 4] },
  { name: 'Hibernating', r: [2, 2], f: [1, 2] },
  { name: 'Lost', r: [1, 1], f: [1, 2] },
] as RfmSegmentRule[]);

export const DEFAULT_RFM_SAMPLES = 65_536;

export interface RfmSpec {
  readonly recencyColumn: string;
  readonly frequencyColumn: string;
  readonly monetaryColumn: string;
  /** 'YYYY-MM-DD', or null: the latest recency date among scored rows. */
  readonly asOf: string | null;
  /** Category column to split the result by, or null. */
  readonly by: string | null;
  readonly segments: readonly RfmSegmentRule[];
  /**
   * Most histogram buckets per integer measure (recency, frequency) in the prepare stage; a wider
   * range of values shares buckets, and rows in a shared boundary bucket go to reduce. A tuning
   * knob: results are exact for any value.
   */
  readonly samples: number;
}

const SPEC_KEYS = ['recencyColumn', 'frequencyColumn', 'monetaryColumn', 'asOf', 'by', 'segments', 'samples'];

function validateSegments(v: unknown): RfmSegmentRule[] {
  const arr = requireArray(K, 'segments', v, 1);
  const out: RfmSegmentRule[] = [];
  const names = new Set<string>();
  const covered = new Uint8Array(25);
  const range = (field: string, x: unknown): [number, number] => {
    const a = requireArray(K, field, x, 2);
    if (a.length !== 2) throw new SpecError(K, field, `must be [low, high] scores; got ${describe(x)}.`);
    const lo = requireInteger(K, `${field}[0]`, a[0], 1, 5);
    const hi = requireInteger(K, `${field}[1]`, a[1], 1, 5);
    if (hi < lo) throw new SpecError(K, field, `must have low <= high; got ${describe(x)}.`);
    return [lo, hi];
  };
  arr.forEach((x, i) => {
    const o = requireObject(K, `segments[${i}]`, x, ['name', 'r', 'f']);
    const name = requireString(K, `segments[${i}].name`, o.name);
    if (names.has(name)) throw new SpecError(K, `segments[${i}].name`, `repeats the segment name ${describe(name)}; names must be unique.`);
    const r = range(`segments[${i}].r`, o.r);
    const f = range(`segments[${i}].f`, o.f);
    for (let a = r[0]; a <= r[1]; a++) for (let b = f[0]; b <= f[1]; b++) covered[(a - 1) * 5 + b - 1] = 1;
    out.push({ name, r, f });
    names.add(name);
  });
  const gaps: string[] = [];
  for (let c = 0; c < 25; c++) if (!covered[c]) gaps.push(`R${Math.floor(c / 5) + 1}F${(c % 5) + 1}`);
  if (gaps.length) throw new SpecError(K, 'segments', `must give every R x F score pair a segment; not covered: ${gaps.join(', ')}.`);
  return out;
}

/** requireColumn, plus the exact storage the inner loops read (the client schema's: Date32<DAY>, Int32, Float64). */
function requireStored(field: string, column: unknown, schema: readonly ColumnInfo[], kinds: readonly ColumnKind[], stored: readonly string[]): string {
  const name = requireColumn(K, field, column, schema, kinds);
  const type = schema.find((c) => c.name === name)!.type;
  if (!stored.includes(type)) throw new SpecError(K, field, `names column "${name}" stored as ${type}; expected ${stored.join(' or ')} (the client schema's storage).`);
  return name;
}

function validateRfm(input: unknown, schema: readonly ColumnInfo[]): RfmSpec {
  if (input !== undefined && input !== null && !isPlainObject(input)) throw new SpecError(K, 'spec', `must be an object; got ${describe(input)}.`);
  const s = requireObject(K, '', input ?? {}, SPEC_KEYS);
  const recencyColumn = requireStored('recencyColumn', s.recencyColumn ?? 'lastTxnDate', schema, ['date'], ['Date32<DAY>']);
  const frequencyColumn = requireStored('frequencyColumn', s.frequencyColumn ?? 'txnCount12m', schema, ['int'], ['Int32']);
  const monetaryColumn = requireStored('monetaryColumn', s.monetaryColumn ?? 'revenue', schema, ['float', 'int'], ['Float64', 'Int32']);
  let asOf: string | null = null;
  if (s.asOf !== undefined && s.asOf !== null) {
    if (parseIsoDay(s.asOf) === null) throw new SpecError(K, 'asOf', `must be a date written YYYY-MM-DD, such as "2026-06-30"; got ${describe(s.asOf)}.`);
    asOf = s.asOf as string;
  }
  const by = s.by === undefined || s.by === null ? null : requireColumn(K, 'by', s.by, schema, ['category']);
  const segments = s.segments === undefined ? DEFAULT_RFM_SEGMENTS : validateSegments(s.segments);
  const samples = s.samples === undefined ? DEFAULT_RFM_SAMPLES : requireInteger(K, 'samples', s.samples, 2, 1 << 20);
  return { recencyColumn, frequencyColumn, monetaryColumn, asOf, by, segments, samples };
}

// ---------------------------------------------------------------------------------------------
// Results

export interface RfmCell {
  /** 100 R + 10 F + M, e.g. 545. */
  readonly code: number;
  readonly r: number;
  readonly f: number;
  readonly m: number;
  readonly count: number;
  /** Sum of the monetary column over the cell's rows. */
  readonly monetary: number;
}

export interface RfmGroup {
  readonly name: string;
  readonly count: number;
  /** count / scored rows (of the category), or null when nothing was scored. */
  readonly share: number | null;
  /** Sum of the monetary column. */
  readonly monetary: number;
  /** Means over the group's rows; null for an empty group. */
  readonly meanMonetary: number | null;
  readonly meanRecencyDays: number | null;
  readonly meanFrequency: number | null;
  readonly meanR: number | null;
  readonly meanF: number | null;
  readonly meanM: number | null;
}

export interface RfmBreakdown {
  readonly scored: number;
  /** Rows not scored: a null input, or a monetary value that is not finite. */
  readonly excluded: number;
  /** All 125 cells in code order (111, 112, ... 555), empty ones included. */
  readonly cells: readonly RfmCell[];
  /** One per segment rule, in the spec's order, empty ones included. */
  readonly groups: readonly RfmGroup[];
}

/** The first key of a quintile: rows at or after (value, row) in the score's order get score >= `score`. */
export interface RfmBoundary {
  readonly score: number;
  /** Recency days (asOf - date), frequency or monetary value of the boundary row. */
  readonly value: number;
  /** Global row number of the boundary row (under a page filter too). */
  readonly row: number;
}

export interface RfmResult extends RfmBreakdown {
  readonly rows: number;
  /** The asOf used; null when none was given and no row was scored. */
  readonly asOf: string | null;
  readonly columns: { readonly recency: string; readonly frequency: string; readonly monetary: string };
  /** Up to 4 per measure (a quintile is empty when fewer than 5 rows are scored). */
  readonly boundaries: { readonly recency: readonly RfmBoundary[]; readonly frequency: readonly RfmBoundary[]; readonly monetary: readonly RfmBoundary[] };
  /** Per category of `by`, in label order (Unicode code points, null last); categories without rows are left out. */
  readonly by: { readonly column: string; readonly categories: readonly (RfmBreakdown & { readonly label: string | null })[] } | null;
}

// ---------------------------------------------------------------------------------------------
// Stage data

/** Histogram of an integer measure: counts of buckets v >> shift = lo, lo + 1, ... (shift 0: one bucket per value). */
interface IntHist {
  readonly shift: number;
  readonly lo: number;
  readonly counts: Float64Array;
}

export interface RfmPrepPartial {
  rows: number;
  scored: number;
  maxDate: number;
  maxAbsMonetary: number;
  /** Global row number of the worker's first row, -1 without rows: map finds its tie offsets by it. */
  firstRow: number;
  /** Recency (dates) and frequency. */
  ints: [IntHist, IntHist];
  /** Monetary: non-zero values by float bucket (float-buckets.ts), and the zeros apart. */
  money: SparseCounts;
  moneyZeros: number;
}

/**
 * Where a quintile boundary (the key of global rank s) falls on one measure:
 * - 'tie': on the value `value`, held by `count` rows; the boundary is the one with `need` rows of
 *   that value before it in row order. `bases` lists, per prepare partial with rows, its first row
 *   and how many rows of that value precede its rows, so a worker ranks its ties itself.
 * - 'range': in bucket `bucket` (v >> shift for integer measures, the float bucket for monetary,
 *   zeros excluded), which holds several values; its rows go to reduce, which picks the
 *   (s - below)-th key among them (`below`: scored rows in lower buckets).
 * - 'none': the quintile is empty (s >= scored rows).
 */
export type RfmCut =
  | { readonly kind: 'tie'; readonly value: number; readonly need: number; readonly bases: readonly number[] }
  | { readonly kind: 'range'; readonly bucket: number; readonly below: number }
  | { readonly kind: 'none' };

export interface RfmParams {
  readonly rows: number;
  readonly scored: number;
  /** Days since epoch; null when the spec has no asOf and no row is scored. */
  readonly asOfDay: number | null;
  /** Global rank of the first key of quintiles 2..5 (>= scored when that quintile is empty). */
  readonly starts: readonly number[];
  /** Per measure (recency, frequency, monetary), the 4 boundaries. */
  readonly cuts: readonly (readonly RfmCut[])[];
  /** Bucketing of recency and frequency: v >> shift, lowest bucket lo, `len` buckets. */
  readonly ints: readonly { readonly shift: number; readonly lo: number; readonly len: number }[];
  /** Split constants of the reproducible monetary sums, and the power of two the values are scaled by. */
  readonly sigma: readonly number[];
  readonly scale: number;
}

/** Per category slot: 125 cells x (count, monetary level sums x4, date sum, frequency sum). */
const CELL_STRIDE = 7;
const SLOT_STRIDE = 125 * CELL_STRIDE;

export interface RfmPartial {
  labels: (string | null)[];
  /** labels.length * SLOT_STRIDE, for rows scored in map. */
  cells: Float64Array;
  excluded: Float64Array;
  /** Per measure x 4: the global row of a 'tie' boundary key when this worker holds it, else -1. */
  boundaryRows: Float64Array;
  /** Rows left for reduce (a key in a 'range' bucket); scores 3 per row, 0 where reduce decides. */
  pending: { n: number; rows: Float64Array; dates: Int32Array; freqs: Int32Array; money: Float64Array; slots: Int32Array; scores: Uint8Array };
  /**
   * Per measure x 4 ('range' cuts only), the pending rows in that cut's bucket, as indices into
   * `pending`, sorted by key (value, row): order[orderStarts[k]..orderStarts[k + 1]) for k = 4m + j.
   * Sorted here, in parallel, so reduce only merges (rangeOrders).
   */
  order: Int32Array;
  orderStarts: Int32Array;
}

// ---------------------------------------------------------------------------------------------
// Histograms and cuts

/** Smallest shift that puts min..max in at most `cap` buckets. */
function shiftFor(min: number, max: number, cap: number): number {
  let s = 0;
  while (s < 31 && (max >> s) - (min >> s) + 1 > cap) s++;
  return s;
}

function intHist(values: Int32Array, n: number, min: number, max: number, cap: number): IntHist {
  if (n === 0) return { shift: 0, lo: 0, counts: new Float64Array(0) };
  const shift = shiftFor(min, max, cap);
  const lo = min >> shift;
  const counts = new Float64Array((max >> shift) - lo + 1);
  for (let i = 0; i < n; i++) counts[(values[i] >> shift) - lo]++;
  return { shift, lo, counts };
}

/** The partials' histograms on one common bucketing (within `cap` buckets). */
function mergeIntHists(parts: readonly IntHist[], cap: number): IntHist {
  let shift = 0, min = Infinity, max = -Infinity;
  for (const p of parts) {
    if (p.counts.length === 0) continue;
    shift = Math.max(shift, p.shift);
    min = Math.min(min, p.lo * 2 ** p.shift);
    max = Math.max(max, (p.lo + p.counts.length) * 2 ** p.shift - 1);
  }
  if (min === Infinity) return { shift: 0, lo: 0, counts: new Float64Array(0) };
  shift = Math.max(shift, shiftFor(min, max, cap));
  const lo = Math.floor(min / 2 ** shift);
  const counts = new Float64Array(Math.floor(max / 2 ** shift) - lo + 1);
  for (const p of parts) for (let i = 0; i < p.counts.length; i++) counts[Math.floor((p.lo + i) / 2 ** (shift - p.shift)) - lo] += p.counts[i];
  return { shift, lo, counts };
}

/** Count of value v in a worker's histogram (shift 0). */
function countOf(h: IntHist, v: number): number {
  const i = v - h.lo;
  return i >= 0 && i < h.counts.length ? h.counts[i] : 0;
}

function intCuts(parts: readonly RfmPrepPartial[], m: 0 | 1, merged: IntHist, starts: readonly number[], scored: number): RfmCut[] {
  return starts.map((s) => {
    if (s >= scored) return { kind: 'none' };
    let below = 0, c = 0;
    while (below + merged.counts[c] <= s) below += merged.counts[c++];
    if (merged.shift > 0) return { kind: 'range', bucket: merged.lo + c, below };
    const value = merged.lo + c;
    const bases: number[] = [];
    let before = 0;
    for (const p of parts) {
      if (p.firstRow < 0) continue;
      bases.push(p.firstRow, before);
      before += countOf(p.ints[m], value);
    }
    return { kind: 'tie', value, need: s - below, bases };
  });
}

/** Cuts of the monetary measure: classes ascending are the float buckets, with the zeros between ZERO_BUCKET - 1 and ZERO_BUCKET. */
function moneyCuts(parts: readonly RfmPrepPartial[], starts: readonly number[], scored: number): RfmCut[] {
  const h = mergeSparseCounts(parts.map((p) => p.money));
  let zeros = 0; // all partials
  for (const p of parts) zeros += p.moneyZeros;
  return starts.map((s) => {
    if (s >= scored) return { kind: 'none' };
    let below = 0;
    let zerosLeft = zeros;
    for (let c = 0; c <= h.buckets.length; c++) {
      if (c === h.buckets.length || (h.buckets[c] >= ZERO_BUCKET && (c === 0 || h.buckets[c - 1] < ZERO_BUCKET))) {
        // The zeros' place in the order.
        if (below + zerosLeft > s) {
          const bases: number[] = [];
          let before = 0;
          for (const p of parts) {
            if (p.firstRow < 0) continue;
            bases.push(p.firstRow, before);
            before += p.moneyZeros;
          }
          return { kind: 'tie', value: 0, need: s - below, bases };
        }
        below += zerosLeft;
        zerosLeft = 0; // counted once
      }
      if (c === h.buckets.length) break;
      if (below + h.counts[c] > s) return { kind: 'range', bucket: h.buckets[c], below };
      below += h.counts[c];
    }
    throw new Error(`rfm: internal error: rank ${s} is beyond the monetary histogram.`);
  });
}

function quintileStarts(n: number): number[] {
  const q = Math.floor(n / 5), r = n % 5;
  return [1, 2, 3, 4].map((b) => b * q + Math.min(b, r));
}

// ---------------------------------------------------------------------------------------------
// Reproducible sums: x = q1 + q2 + q3 + q4 + tiny, each q_l a multiple of a fixed grid unit whose
// sums over up to 2^32 rows are exact in float64.

function sumSplit(maxAbs: number): { sigma: number[]; scale: number } {
  let scale = 1;
  let e = 0;
  if (maxAbs > 0) {
    e = Math.ceil(Math.log2(maxAbs));
    if (2 ** e <= maxAbs) e++;
    while (e > 1 && 2 ** (e - 1) > maxAbs) e--;
    if (e + 34 > 1023) {
      scale = 2 ** (1023 - 34 - e);
      e = 1023 - 34;
    }
    e = Math.max(e, -900);
  }
  const sigma = [0, 1, 2, 3].map((l) => 1.5 * 2 ** (e + 32 - 21 * l));
  return { sigma, scale };
}

// ---------------------------------------------------------------------------------------------
// Row access

interface MeasureViews {
  n: number;
  dates: Int32Array;
  dBits: Uint8Array | null; dOff: number;
  freqs: Int32Array;
  fBits: Uint8Array | null; fOff: number;
  money: Float64Array | Int32Array;
  mBits: Uint8Array | null; mOff: number;
}

function viewsOf(batch: RowBatch['batch'], spec: RfmSpec): MeasureViews {
  const d = numericView(batch, spec.recencyColumn), f = numericView(batch, spec.frequencyColumn), m = numericView(batch, spec.monetaryColumn);
  if (!(d.values instanceof Int32Array)) throw new Error(`Column "${spec.recencyColumn}" must be stored as Int32 days.`);
  if (!(f.values instanceof Int32Array)) throw new Error(`Column "${spec.frequencyColumn}" must be stored as Int32.`);
  return { n: batch.numRows, dates: d.values, dBits: d.bitmap, dOff: d.offset, freqs: f.values, fBits: f.bitmap, fOff: f.offset, money: m.values, mBits: m.bitmap, mOff: m.offset };
}

/** Per-batch category slot of each dictionary code (null rows -> slot 0), growing `labels`. */
class Slots {
  readonly labels: (string | null)[] = [null];
  private readonly index = new Map<string, number>();
  private readonly cache = new LabelCache();
  private readonly remaps = new WeakMap<object, Int32Array>();

  remap(dictionary: object): Int32Array {
    let r = this.remaps.get(dictionary);
    if (!r) {
      const labels = this.cache.labels(dictionary);
      r = new Int32Array(labels.length);
      for (let c = 0; c < labels.length; c++) {
        let s = this.index.get(labels[c]);
        if (s === undefined) {
          s = this.labels.length;
          this.labels.push(labels[c]);
          this.index.set(labels[c], s);
        }
        r[c] = s;
      }
      this.remaps.set(dictionary, r);
    }
    return r;
  }
}

interface SlotCodes {
  codes: ArrayLike<number> | null;
  bits: Uint8Array | null;
  off: number;
  remap: Int32Array;
}

function slotCodes(batch: RowBatch['batch'], by: string | null, slots: Slots): SlotCodes {
  if (by === null) return { codes: null, bits: null, off: 0, remap: new Int32Array(0) };
  const c = categoryCodes(batch, by);
  return { codes: c.codes, bits: c.bitmap, off: c.offset, remap: slots.remap(c.dictionary) };
}

function grow<T extends Float64Array | Int32Array>(a: T, min: number): T {
  if (a.length >= min) return a;
  const b = new (a.constructor as { new (n: number): T })(Math.max(min, a.length * 2, 16));
  b.set(a);
  return b;
}

// ---------------------------------------------------------------------------------------------
// Stages

/** Monetary values of a batch as float64 (Int32 columns converted) with their 32-bit words. */
function moneyWords(mv: Float64Array | Int32Array): { values: Float64Array; words: Uint32Array } {
  const values = mv instanceof Float64Array ? mv : Float64Array.from(mv);
  return { values, words: new Uint32Array(values.buffer, values.byteOffset, 2 * values.length) };
}

function firstRowOf(rows: readonly RowBatch[]): number {
  for (const r of rows) if (r.batch.numRows > 0) return globalRow(r, 0);
  return -1;
}

/**
 * The prepare pass's row-sized scratch, kept for the next query: two fresh arrays of the rows'
 * size per query (40 MB a worker at 10M rows) cost page faults that two workers take in turn.
 * Only one prepare at a time may hold it (another may run while this one waits at a checkpoint).
 */
let prepScratch: { dates: Int32Array; freqs: Int32Array } | null = null;

function takeScratch(total: number): { dates: Int32Array; freqs: Int32Array } {
  const s = prepScratch;
  prepScratch = null;
  if (s && s.dates.length >= total) return s;
  return { dates: new Int32Array(total), freqs: new Int32Array(total) };
}

async function prepareMap(rows: readonly RowBatch[], spec: RfmSpec, ctx: KernelContext): Promise<RfmPrepPartial> {
  let total = 0;
  for (const { batch } of rows) total += batch.numRows;
  const scratch = takeScratch(total);
  try {
    return await prepareInto(rows, spec, ctx, total, scratch.dates, scratch.freqs);
  } finally {
    prepScratch = scratch;
  }
}

async function prepareInto(rows: readonly RowBatch[], spec: RfmSpec, ctx: KernelContext, total: number, dates: Int32Array, freqs: Int32Array): Promise<RfmPrepPartial> {
  const moneyHist = takeBucketHistogram();
  const { counts: moneyCounts, blocks: moneyBlocks } = moneyHist;
  let n = 0, zeros = 0;
  let minD = 2147483647, maxD = -2147483648, minF = 2147483647, maxF = -2147483648, maxAbs = 0;
  for (let b = 0; b < rows.length; b++) {
    const { batch } = rows[b];
    const v = viewsOf(batch, spec);
    const { dates: dv, freqs: fv, dBits, fBits, mBits, dOff, fOff, mOff } = v;
    const { values: mv, words } = moneyWords(v.money);
    for (let i = 0; i < v.n; i++) {
      if (dBits !== null && ((dBits[(dOff + i) >> 3] >> ((dOff + i) & 7)) & 1) === 0) continue;
      if (fBits !== null && ((fBits[(fOff + i) >> 3] >> ((fOff + i) & 7)) & 1) === 0) continue;
      if (mBits !== null && ((mBits[(mOff + i) >> 3] >> ((mOff + i) & 7)) & 1) === 0) continue;
      const m = mv[i];
      if (m - m !== 0) continue; // NaN or +-Infinity
      const d = dv[i], f = fv[i];
      dates[n] = d;
      freqs[n] = f;
      n++;
      if (d < minD) minD = d;
      if (d > maxD) maxD = d;
      if (f < minF) minF = f;
      if (f > maxF) maxF = f;
      if (m === 0) zeros++; // -0 too: equal values share a class
      else {
        const hi = words[2 * i + 1]; // bucketOfHighWord, inlined (see rfmMap)
        const bucket = (hi & 0x80000000 ? ~hi : hi | 0x80000000) >>> BUCKET_SHIFT;
        moneyCounts[bucket]++;
        moneyBlocks[bucket >>> BLOCK_BITS] = 1;
        const a = m < 0 ? -m : m;
        if (a > maxAbs) maxAbs = a;
      }
    }
    await ctx.checkpoint();
    ctx.progress((0.5 * (b + 1)) / rows.length);
  }
  const cap = spec.samples;
  const ints: [IntHist, IntHist] = [intHist(dates, n, minD, maxD, cap), intHist(freqs, n, minF, maxF, cap)];
  ctx.progress(1);
  return { rows: total, scored: n, maxDate: n > 0 ? maxD : -Infinity, maxAbsMonetary: maxAbs, firstRow: firstRowOf(rows), ints, money: sparseCountsAndRelease(moneyHist), moneyZeros: zeros };
}

function prepareReduce(partials: RfmPrepPartial[], spec: RfmSpec): RfmParams {
  let rows = 0, scored = 0, maxDate = -Infinity, maxAbs = 0;
  for (const p of partials) {
    rows += p.rows;
    scored += p.scored;
    if (p.maxDate > maxDate) maxDate = p.maxDate;
    if (p.maxAbsMonetary > maxAbs) maxAbs = p.maxAbsMonetary;
  }
  if (rows === 0) throw new SpecError(K, 'dataset', 'has no rows (after any page filter); RFM scores need at least one client.');
  const starts = quintileStarts(scored);
  const asOfDay = spec.asOf !== null ? (parseIsoDay(spec.asOf) as number) : scored > 0 ? maxDate : null;
  const { sigma, scale } = sumSplit(maxAbs);
  const merged = [0, 1].map((m) => mergeIntHists(partials.map((p) => p.ints[m]), spec.samples));
  return {
    rows,
    scored,
    asOfDay,
    starts,
    cuts: [intCuts(partials, 0, merged[0], starts, scored), intCuts(partials, 1, merged[1], starts, scored), moneyCuts(partials, starts, scored)],
    ints: merged.map((h) => ({ shift: h.shift, lo: h.lo, len: h.counts.length })),
    sigma,
    scale,
  };
}

/** MeasureScorer's cut kinds. */
const NONE = 0, TIE = 1, RANGE = 2;

/**
 * Scores one worker's rows on one measure: a table gives the score of every bucket that holds no
 * boundary; rows in a boundary bucket take `slow`, which ranks ties by row order (a worker's rows
 * are a contiguous row range, and `bases` says how many ties precede it) or returns 0 (reduce
 * decides: a 'range' bucket).
 *
 * The cuts are copied into typed arrays: in a worker the cut objects come out of structured clone,
 * and reading their fields per row (a sixth of the rows of a generated book sit on a boundary
 * value) made the map measurably slower there than on one thread.
 */
class MeasureScorer {
  /** Score per bucket, 0 for a boundary bucket. */
  readonly table: Uint8Array;
  /**
   * Per bucket of an integer measure (shift 0), the one 'tie' cut on it (0..3), else -1: the map
   * ranks such a row inline (`tie`) instead of calling `slow`.
   */
  readonly tieCut: Int8Array;
  /** Score of value 0 on the monetary measure (0: a boundary is at 0). */
  readonly zeroScore: number;
  private readonly kinds = new Uint8Array(4);
  private readonly values = new Float64Array(4);
  private readonly needs = new Float64Array(4);
  /** Score of a tie-cut row ranked before its boundary (one more from the boundary on). */
  private readonly lowScore = new Uint8Array(4);
  private readonly base = new Float64Array(4);
  private readonly seen = new Float64Array(4);
  readonly boundaryRows = new Float64Array(4).fill(-1);

  constructor(
    cuts: readonly RfmCut[],
    private readonly float: boolean,
    private readonly shift: number,
    lo: number,
    len: number,
    firstRow: number,
  ) {
    const bucketOfCut = (c: RfmCut) => (c.kind === 'range' ? c.bucket : c.kind === 'tie' ? (float ? -1 : c.value >> shift) : Infinity);
    // Monetary zeros sit between ZERO_BUCKET - 1 and ZERO_BUCKET: compare at half steps.
    const place = (c: RfmCut) => (c.kind === 'tie' && float ? ZERO_BUCKET - 0.5 : bucketOfCut(c));
    const size = float ? FLOAT_BUCKETS : len;
    const offset = float ? 0 : lo;
    this.table = new Uint8Array(size);
    this.tieCut = new Int8Array(float ? 0 : size).fill(-1);
    const places = cuts.map(place);
    const sorted = [...places].sort((a, b) => a - b);
    let k = 0, score = 1;
    for (let b = 0; b < size; b++) {
      const at = b + offset;
      while (k < 4 && sorted[k] < at) {
        k++;
        score++;
      }
      this.table[b] = k < 4 && sorted[k] === at ? 0 : score;
    }
    this.zeroScore = float ? (places.includes(ZERO_BUCKET - 0.5) ? 0 : 1 + places.filter((p) => p < ZERO_BUCKET - 0.5).length) : 0;
    cuts.forEach((c, j) => {
      if (c.kind === 'none') return;
      if (c.kind === 'range') {
        this.kinds[j] = RANGE;
        this.values[j] = c.bucket;
        return;
      }
      this.kinds[j] = TIE;
      this.values[j] = c.value;
      this.needs[j] = c.need;
      const i = c.bases.findIndex((r, q) => q % 2 === 0 && r === firstRow);
      this.base[j] = i < 0 ? NaN : c.bases[i + 1];
      this.lowScore[j] = 1 + places.filter((p) => p < places[j]).length;
      if (!float && places.filter((p) => p === places[j]).length === 1) this.tieCut[places[j] - offset] = j;
    });
  }

  /** Score of the row `row` holding the value of 'tie' cut j, the only cut on its bucket. */
  tie(j: number, row: number): number {
    const t = this.base[j] + this.seen[j]++;
    const need = this.needs[j];
    if (t === need) this.boundaryRows[j] = row;
    else if (t !== t) throw new Error('rfm: the rows of a worker changed between the prepare and map stages.');
    return t >= need ? this.lowScore[j] + 1 : this.lowScore[j];
  }

  /** Score of a row whose bucket holds a boundary (value x, global row `row`), or 0. */
  slow(x: number, row: number): number {
    let s = 1;
    let undecided = false;
    for (let j = 0; j < 4; j++) {
      const kind = this.kinds[j];
      if (kind === TIE) {
        const v = this.values[j];
        if (x > v) s++;
        else if (x === v) {
          const t = this.base[j] + this.seen[j]++;
          if (t !== t) throw new Error('rfm: the rows of a worker changed between the prepare and map stages.');
          if (t >= this.needs[j]) s++;
          if (t === this.needs[j]) this.boundaryRows[j] = row;
        }
      } else if (kind === RANGE) {
        const b = this.bucketOf(x);
        if (b > this.values[j]) s++;
        else if (b === this.values[j]) undecided = true;
      }
    }
    return undecided ? 0 : s;
  }

  bucketOf(x: number): number {
    return this.float ? moneyBucket(x) : x >> this.shift;
  }
}

/** Monetary class of x: its float bucket, or ZERO_BUCKET - 0.5 for 0 and -0 (see moneyCuts). */
function moneyBucket(x: number): number {
  if (x === 0) return ZERO_BUCKET - 0.5;
  return bucketOf(x);
}

async function rfmMap(rows: readonly RowBatch[], spec: RfmSpec, params: RfmParams, ctx: KernelContext): Promise<RfmPartial> {
  const slots = new Slots();
  let cells = new Float64Array(SLOT_STRIDE * 4);
  let excluded = new Float64Array(4);
  const first = firstRowOf(rows);
  const [ri, fi] = params.ints;
  const sR = new MeasureScorer(params.cuts[0], false, ri.shift, ri.lo, ri.len, first);
  const sF = new MeasureScorer(params.cuts[1], false, fi.shift, fi.lo, fi.len, first);
  const sM = new MeasureScorer(params.cuts[2], true, 0, 0, 0, first);
  const tR = sR.table, tF = sF.table, tM = sM.table, zeroM = sM.zeroScore, cR = sR.tieCut, cF = sF.tieCut;
  const shR = ri.shift, loR = ri.lo, shF = fi.shift, loF = fi.lo;
  const [s1, s2, s3, s4] = params.sigma;
  const scale = params.scale;
  let pn = 0;
  let pRows = new Float64Array(64), pDates = new Int32Array(64), pFreqs = new Int32Array(64), pMoney = new Float64Array(64), pSlots = new Int32Array(64);
  let pScores = new Uint8Array(3 * 64);
  for (let b = 0; b < rows.length; b++) {
    const { batch } = rows[b];
    const v = viewsOf(batch, spec);
    const { dates: dv, freqs: fv, dBits, fBits, mBits, dOff, fOff, mOff } = v;
    const { values: mv, words } = moneyWords(v.money);
    const sc = slotCodes(batch, spec.by, slots);
    const { codes, bits: cBits, off: cOff, remap } = sc;
    if (slots.labels.length * SLOT_STRIDE > cells.length) {
      cells = grow(cells, slots.labels.length * SLOT_STRIDE);
      excluded = grow(excluded, slots.labels.length);
    }
    for (let i = 0; i < v.n; i++) {
      const g = codes === null || (cBits !== null && ((cBits[(cOff + i) >> 3] >> ((cOff + i) & 7)) & 1) === 0) ? 0 : remap[codes[i]];
      const m = mv[i];
      if (
        (dBits !== null && ((dBits[(dOff + i) >> 3] >> ((dOff + i) & 7)) & 1) === 0) ||
        (fBits !== null && ((fBits[(fOff + i) >> 3] >> ((fOff + i) & 7)) & 1) === 0) ||
        (mBits !== null && ((mBits[(mOff + i) >> 3] >> ((mOff + i) & 7)) & 1) === 0) ||
        m - m !== 0
      ) {
        excluded[g]++;
        continue;
      }
      const d = dv[i], f = fv[i];
      const ir = (d >> shR) - loR, jf = (f >> shF) - loF;
      let sr = tR[ir], sf = tF[jf];
      // bucketOfHighWord, inlined: V8 did not inline the call across modules (under Vite's SSR
      // loader at least), and the call per row made this loop a third slower.
      const hi = words[2 * i + 1];
      let sm = m === 0 ? zeroM : tM[(hi & 0x80000000 ? ~hi : hi | 0x80000000) >>> BUCKET_SHIFT];
      if (sr === 0 || sf === 0 || sm === 0) {
        const row = globalRow(rows[b], i);
        if (sr === 0) sr = cR[ir] >= 0 ? sR.tie(cR[ir], row) : sR.slow(d, row);
        if (sf === 0) sf = cF[jf] >= 0 ? sF.tie(cF[jf], row) : sF.slow(f, row);
        if (sm === 0) sm = sM.slow(m, row);
        if (sr === 0 || sf === 0 || sm === 0) {
          if (pn === pRows.length) {
            pRows = grow(pRows, pn + 1); pDates = grow(pDates, pn + 1); pFreqs = grow(pFreqs, pn + 1); pMoney = grow(pMoney, pn + 1); pSlots = grow(pSlots, pn + 1);
            const s = new Uint8Array(3 * pRows.length);
            s.set(pScores);
            pScores = s;
          }
          pRows[pn] = row; pDates[pn] = d; pFreqs[pn] = f; pMoney[pn] = m + 0; pSlots[pn] = g;
          pScores[3 * pn] = sr; pScores[3 * pn + 1] = sf; pScores[3 * pn + 2] = sm;
          pn++;
          continue;
        }
      }
      const c = g * SLOT_STRIDE + ((sr - 1) * 25 + (sf - 1) * 5 + sm - 1) * CELL_STRIDE;
      cells[c]++;
      const x = m * scale;
      const q1 = s1 + x - s1;
      const r1 = x - q1;
      const q2 = s2 + r1 - s2;
      const r2 = r1 - q2;
      const q3 = s3 + r2 - s3;
      const r3 = r2 - q3;
      cells[c + 1] += q1;
      cells[c + 2] += q2;
      cells[c + 3] += q3;
      cells[c + 4] += s4 + r3 - s4;
      cells[c + 5] += d;
      cells[c + 6] += f;
    }
    await ctx.checkpoint();
    ctx.progress((b + 1) / rows.length);
  }
  const G = slots.labels.length;
  const boundaryRows = new Float64Array(12);
  boundaryRows.set(sR.boundaryRows, 0);
  boundaryRows.set(sF.boundaryRows, 4);
  boundaryRows.set(sM.boundaryRows, 8);
  const pending = { n: pn, rows: pRows.slice(0, pn), dates: pDates.slice(0, pn), freqs: pFreqs.slice(0, pn), money: pMoney.slice(0, pn), slots: pSlots.slice(0, pn), scores: pScores.slice(0, 3 * pn) };
  const { order, orderStarts } = rangeOrders(params, pending);
  return { labels: slots.labels, cells: cells.slice(0, G * SLOT_STRIDE), excluded: excluded.slice(0, G), boundaryRows, pending, order, orderStarts };
}

/** Compares keys (v, r) and (w, s) by value, then row. */
function keyCmp(v: number, r: number, w: number, s: number): number {
  return v < w ? -1 : v > w ? 1 : r - s;
}

/**
 * RfmPartial.order: for each 'range' cut k = 4m + j, the pending rows undecided on measure m whose
 * value lies in the cut's bucket, sorted by key. Two cuts in one bucket list the same rows twice.
 */
function rangeOrders(params: RfmParams, pending: RfmPartial['pending']): { order: Int32Array; orderStarts: Int32Array } {
  const { n, rows, scores } = pending;
  const vals = [pending.dates, pending.freqs, pending.money];
  const lists: Int32Array[] = [];
  const orderStarts = new Int32Array(13);
  const scratch = new Int32Array(n);
  for (let m = 0; m < 3; m++) {
    const v = vals[m];
    const shift = m < 2 ? params.ints[m].shift : 0;
    for (let j = 0; j < 4; j++) {
      const c = params.cuts[m][j];
      let k = 0;
      if (c.kind === 'range') {
        for (let i = 0; i < n; i++) if (scores[3 * i + m] === 0 && (m < 2 ? v[i] >> shift : moneyBucket(v[i])) === c.bucket) scratch[k++] = i;
      }
      lists.push(scratch.slice(0, k).sort((a, b) => keyCmp(v[a], rows[a], v[b], rows[b])));
      orderStarts[4 * m + j + 1] = orderStarts[4 * m + j] + k;
    }
  }
  const order = new Int32Array(orderStarts[12]);
  lists.forEach((l, k) => order.set(l, orderStarts[k]));
  return { order, orderStarts };
}

/**
 * The pending row (index into the gathered rows) holding the `at`-th key (0-based) of range cut k,
 * merging the partials' sorted lists (RfmPartial.order); -1 when `at` is outside them.
 */
function selectPending(partials: readonly RfmPartial[], base: Int32Array, k: number, at: number, vals: Float64Array, rows: Float64Array): number {
  const P = partials.length;
  const pos = new Int32Array(P), end = new Int32Array(P);
  let total = 0;
  for (let p = 0; p < P; p++) {
    pos[p] = partials[p].orderStarts[k];
    end[p] = partials[p].orderStarts[k + 1];
    total += end[p] - pos[p];
  }
  if (at < 0 || at >= total) return -1;
  for (let step = 0; ; step++) {
    let best = -1, from = 0;
    for (let p = 0; p < P; p++) {
      if (pos[p] === end[p]) continue;
      const i = base[p] + partials[p].order[pos[p]];
      if (best < 0 || keyCmp(vals[i], rows[i], vals[best], rows[best]) < 0) {
        best = i;
        from = p;
      }
    }
    if (step === at) return best;
    pos[from]++;
  }
}

/**
 * Scores the rows left for reduce (measures they are undecided on, score 0, against the boundary
 * keys) and adds them to their cells. A small function of its own, as the map's loops: reduce
 * runs a few times per session, and inside rfmReduce this loop stayed in the interpreter
 * (about 5 us a row, 50 ms for the 14,000 rows of 10M clients).
 */
function addPending(
  n: number, rows: Float64Array, dates: Float64Array, freqs: Float64Array, money: Float64Array, slots: Int32Array, scores: Uint8Array,
  boundV: Float64Array, boundR: Float64Array, sigma: readonly number[], scale: number, cells: Float64Array,
): void {
  const s1 = sigma[0], s2 = sigma[1], s3 = sigma[2], s4 = sigma[3];
  for (let i = 0; i < n; i++) {
    const row = rows[i], d = dates[i], f = freqs[i], m = money[i];
    let sr = scores[3 * i], sf = scores[3 * i + 1], sm = scores[3 * i + 2];
    if (sr === 0) sr = 1 + (keyCmp(d, row, boundV[0], boundR[0]) >= 0 ? 1 : 0) + (keyCmp(d, row, boundV[1], boundR[1]) >= 0 ? 1 : 0) + (keyCmp(d, row, boundV[2], boundR[2]) >= 0 ? 1 : 0) + (keyCmp(d, row, boundV[3], boundR[3]) >= 0 ? 1 : 0);
    if (sf === 0) sf = 1 + (keyCmp(f, row, boundV[4], boundR[4]) >= 0 ? 1 : 0) + (keyCmp(f, row, boundV[5], boundR[5]) >= 0 ? 1 : 0) + (keyCmp(f, row, boundV[6], boundR[6]) >= 0 ? 1 : 0) + (keyCmp(f, row, boundV[7], boundR[7]) >= 0 ? 1 : 0);
    if (sm === 0) sm = 1 + (keyCmp(m, row, boundV[8], boundR[8]) >= 0 ? 1 : 0) + (keyCmp(m, row, boundV[9], boundR[9]) >= 0 ? 1 : 0) + (keyCmp(m, row, boundV[10], boundR[10]) >= 0 ? 1 : 0) + (keyCmp(m, row, boundV[11], boundR[11]) >= 0 ? 1 : 0);
    const c = slots[i] * SLOT_STRIDE + ((sr - 1) * 25 + (sf - 1) * 5 + sm - 1) * CELL_STRIDE;
    const x = m * scale;
    const q1 = s1 + x - s1;
    const r1 = x - q1;
    const q2 = s2 + r1 - s2;
    const r2 = r1 - q2;
    const q3 = s3 + r2 - s3;
    const r3 = r2 - q3;
    cells[c]++;
    cells[c + 1] += q1;
    cells[c + 2] += q2;
    cells[c + 3] += q3;
    cells[c + 4] += s4 + r3 - s4;
    cells[c + 5] += d;
    cells[c + 6] += f;
  }
}

function rfmReduce(partials: RfmPartial[], spec: RfmSpec, params: RfmParams): RfmResult {
  // Category slots of all partials -> global slots, ordered by label.
  const labelSet = new Map<string | null, number>();
  for (const p of partials) for (const l of p.labels) if (!labelSet.has(l)) labelSet.set(l, 0);
  const labels = [...labelSet.keys()].sort(compareGroupKeys);
  labels.forEach((l, i) => labelSet.set(l, i));
  const G = labels.length;
  const cells = new Float64Array(G * SLOT_STRIDE);
  const excluded = new Float64Array(G);
  let pendingN = 0;
  for (const p of partials) {
    pendingN += p.pending.n;
    p.labels.forEach((l, s) => {
      const g = labelSet.get(l)!;
      excluded[g] += p.excluded[s];
      const src = s * SLOT_STRIDE, dst = g * SLOT_STRIDE;
      for (let k = 0; k < SLOT_STRIDE; k++) cells[dst + k] += p.cells[src + k];
    });
  }
  // Rows left for reduce, gathered (the rows of the 'range' boundary buckets): partial p's pending
  // row i is row base[p] + i here.
  const pRow = new Float64Array(pendingN), pVal = [new Float64Array(pendingN), new Float64Array(pendingN), new Float64Array(pendingN)], pSlot = new Int32Array(pendingN);
  const pScore = new Uint8Array(3 * pendingN);
  const base = new Int32Array(partials.length);
  let t = 0;
  partials.forEach((p, q) => {
    base[q] = t;
    const slotOf = Int32Array.from(p.labels, (l) => labelSet.get(l)!);
    const { n, rows, dates, freqs, money, slots, scores } = p.pending;
    pScore.set(scores, 3 * t);
    pRow.set(rows, t);
    pVal[0].set(dates, t);
    pVal[1].set(freqs, t);
    pVal[2].set(money, t);
    for (let i = 0; i < n; i++) pSlot[t + i] = slotOf[slots[i]];
    t += n;
  });
  // Exact boundary keys: (value, row) at boundV/boundR[4m + j].
  const boundV = new Float64Array(12), boundR = new Float64Array(12);
  for (let m = 0; m < 3; m++) {
    for (let j = 0; j < 4; j++) {
      const c = params.cuts[m][j];
      const k = 4 * m + j;
      if (c.kind === 'none') {
        boundV[k] = boundR[k] = Infinity;
      } else if (c.kind === 'tie') {
        const held = partials.map((p) => p.boundaryRows[k]).filter((r) => r >= 0);
        if (held.length !== 1) throw new Error(`rfm: internal error: quintile boundary ${j + 1} of measure ${m} was found ${held.length} times.`);
        boundV[k] = c.value;
        boundR[k] = held[0];
      } else {
        const at = selectPending(partials, base, k, params.starts[j] - c.below, pVal[m], pRow);
        if (at < 0) throw new Error(`rfm: internal error: quintile boundary ${j + 1} of measure ${m} is outside its bucket (${params.starts[j] - c.below}).`);
        boundV[k] = pVal[m][at];
        boundR[k] = pRow[at];
      }
    }
  }
  // Score and add the pending rows.
  addPending(pendingN, pRow, pVal[0], pVal[1], pVal[2], pSlot, pScore, boundV, boundR, params.sigma, params.scale, cells);

  const asOfDay = params.asOfDay ?? 0; // only read when rows were scored, and then it is set
  const unscale = 1 / params.scale;
  const segOf = new Int32Array(25);
  for (let c = 0; c < 25; c++) {
    const r = Math.floor(c / 5) + 1, f = (c % 5) + 1;
    segOf[c] = spec.segments.findIndex((s) => r >= s.r[0] && r <= s.r[1] && f >= s.f[0] && f <= s.f[1]);
  }
  const breakdown = (slotList: number[]): RfmBreakdown => {
    const acc = new Float64Array(SLOT_STRIDE);
    let excl = 0;
    for (const g of slotList) {
      excl += excluded[g];
      for (let k = 0; k < SLOT_STRIDE; k++) acc[k] += cells[g * SLOT_STRIDE + k];
    }
    const money = (lv: Float64Array | number[], o: number) => (((lv[o] + lv[o + 1]) + lv[o + 2]) + lv[o + 3]) * unscale;
    const outCells: RfmCell[] = [];
    const S = spec.segments.length;
    const seg = new Float64Array(S * 10); // count, levels x4, dates, freqs, r, f, m
    let scored = 0;
    for (let c = 0; c < 125; c++) {
      const o = c * CELL_STRIDE;
      const r = Math.floor(c / 25) + 1, f = (Math.floor(c / 5) % 5) + 1, m = (c % 5) + 1;
      const n = acc[o];
      scored += n;
      outCells.push({ code: 100 * r + 10 * f + m, r, f, m, count: n, monetary: money(acc, o + 1) });
      const so = segOf[(r - 1) * 5 + f - 1] * 10;
      for (let k = 0; k < 7; k++) seg[so + k] += acc[o + k];
      seg[so + 7] += n * r;
      seg[so + 8] += n * f;
      seg[so + 9] += n * m;
    }
    const groups: RfmGroup[] = spec.segments.map((s, i) => {
      const o = i * 10;
      const n = seg[o];
      const sum = money(seg, o + 1);
      const mean = (x: number) => (n > 0 ? x / n : null);
      return {
        name: s.name,
        count: n,
        share: scored > 0 ? n / scored : null,
        monetary: sum,
        meanMonetary: mean(sum),
        meanRecencyDays: n > 0 ? asOfDay - seg[o + 5] / n : null,
        meanFrequency: mean(seg[o + 6]),
        meanR: mean(seg[o + 7]),
        meanF: mean(seg[o + 8]),
        meanM: mean(seg[o + 9]),
      };
    });
    return { scored, excluded: excl, cells: outCells, groups };
  };
  const all = breakdown(labels.map((_, g) => g));
  const boundaries = (m: number, toValue: (v: number) => number): RfmBoundary[] => {
    const out: RfmBoundary[] = [];
    for (let j = 0; j < 4; j++) if (boundV[4 * m + j] !== Infinity) out.push({ score: j + 2, value: toValue(boundV[4 * m + j]), row: boundR[4 * m + j] });
    return out;
  };
  let by: RfmResult['by'] = null;
  if (spec.by !== null) {
    const categories = [];
    for (let g = 0; g < G; g++) {
      const b = breakdown([g]);
      if (b.scored + b.excluded > 0) categories.push({ label: labels[g], ...b });
    }
    by = { column: spec.by, categories };
  }
  return {
    rows: params.rows,
    asOf: params.asOfDay === null ? null : isoDay(params.asOfDay),
    columns: { recency: spec.recencyColumn, frequency: spec.frequencyColumn, monetary: spec.monetaryColumn },
    ...all,
    boundaries: { recency: boundaries(0, (d) => asOfDay - d), frequency: boundaries(1, (f) => f), monetary: boundaries(2, (x) => x) },
    by,
  };
}

function isoDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

export const rfmKernel: KernelDef<RfmSpec, RfmPartial, RfmResult, RfmPrepPartial, RfmParams> = {
  name: K,
  validate: validateRfm,
  prepare: { map: prepareMap, reduce: prepareReduce },
  map: rfmMap,
  reduce: rfmReduce,
};
