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
 * How global ranks are found across workers (prepare / map / reduce):
 *   prepare.map    each worker sorts its scored keys (value, row) per measure (stable LSD radix)
 *                  and returns every m-th key with its local rank (about `samples` keys), plus
 *                  row counts, the largest date and the largest |monetary|;
 *   prepare.reduce from the samples, brackets [L, U) of keys that surely contain each of the 4
 *                  quintile boundaries per measure (boundary = the key at global rank s_j);
 *   map            scores every row whose keys fall outside all brackets into cells; rows inside a
 *                  bracket (about 3n / samples per boundary) are returned as they are;
 *   reduce         counts the keys below each bracket exactly, picks the exact boundary key among
 *                  the returned rows, scores those rows and adds them. The answer does not depend on
 *                  how rows were split; the brackets only decide how much travels.
 */
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';
import { categoryCodes, LabelCache } from './category-codes.js';
import { numericView, requireColumn, type ColumnKind } from './columns.js';
import { parseIsoDay } from './filter.js';
import { compareGroupKeys } from './group-keys.js';
import { SpecError, globalRow, type KernelContext, type KernelDef, type RowBatch } from './kernel.js';
import { describe, isPlainObject, requireArray, requireInteger, requireObject, requireString } from './spec-checks.js';

const K = 'rfm';

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

export const DEFAULT_RFM_SAMPLES = 4096;

export interface RfmSpec {
  readonly recencyColumn: string;
  readonly frequencyColumn: string;
  readonly monetaryColumn: string;
  /** 'YYYY-MM-DD', or null: the latest recency date among scored rows. */
  readonly asOf: string | null;
  /** Category column to split the result by, or null. */
  readonly by: string | null;
  readonly segments: readonly RfmSegmentRule[];
  /** Keys per measure each worker sends in the prepare stage (a tuning knob; results are exact for any value). */
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

/** Every m-th key of a worker's sorted keys, and its last one. */
interface MeasureSamples {
  readonly n: number;
  readonly step: number;
  readonly values: Float64Array;
  readonly rows: Float64Array;
}

export interface RfmPrepPartial {
  rows: number;
  scored: number;
  maxDate: number;
  maxAbsMonetary: number;
  /** Recency (dates), frequency, monetary. */
  samples: MeasureSamples[];
}

export interface RfmParams {
  readonly rows: number;
  readonly scored: number;
  /** Days since epoch; null when the spec has no asOf and no row is scored. */
  readonly asOfDay: number | null;
  /** Global rank of the first key of quintiles 2..5 (>= scored when that quintile is empty). */
  readonly starts: readonly number[];
  /** Per measure, 16 numbers: lower value[4], lower row[4], upper value[4], upper row[4]; bracket j = [lower j, upper j). */
  readonly brackets: readonly (readonly number[])[];
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
  /** Rows left for reduce (a key inside a bracket). */
  pending: { n: number; rows: Float64Array; dates: Int32Array; freqs: Int32Array; money: Float64Array; slots: Int32Array };
}

// ---------------------------------------------------------------------------------------------
// Stable LSD radix sort (11-bit digits), returning positions in key order, ties in position order.

function offsets(hist: Int32Array): void {
  let sum = 0;
  for (let d = 0; d < hist.length; d++) {
    const c = hist[d];
    hist[d] = sum;
    sum += c;
  }
}

function pass32(n: number, at: Int32Array, shift: number, mask: number, kIn: Uint32Array, kOut: Uint32Array, pIn: Uint32Array, pOut: Uint32Array): void {
  for (let i = 0; i < n; i++) {
    const k = kIn[i];
    const p = at[(k >>> shift) & mask]++;
    kOut[p] = k;
    pOut[p] = pIn[i];
  }
}

/** A pass on the low word that also carries the high word along. */
function pass64(n: number, at: Int32Array, shift: number, mask: number, kIn: Uint32Array, kOut: Uint32Array, pIn: Uint32Array, pOut: Uint32Array, hIn: Uint32Array, hOut: Uint32Array): void {
  for (let i = 0; i < n; i++) {
    const k = kIn[i];
    const p = at[(k >>> shift) & mask]++;
    kOut[p] = k;
    pOut[p] = pIn[i];
    hOut[p] = hIn[i];
  }
}

/** Digit histograms of one 32-bit word: bits 0-10, 11-21, 22-31. */
function histograms(key: Uint32Array, n: number): Int32Array[] {
  const h0 = new Int32Array(2048), h1 = new Int32Array(2048), h2 = new Int32Array(1024);
  for (let i = 0; i < n; i++) {
    const k = key[i];
    h0[k & 2047]++;
    h1[(k >>> 11) & 2047]++;
    h2[k >>> 22]++;
  }
  return [h0, h1, h2];
}

const SHIFTS = [0, 11, 22];
const MASKS = [2047, 2047, 1023];

/** Order of 64-bit keys (lo, hi words; pass hi = null for 32-bit keys). Clobbers the key arrays. */
function radixOrder(n: number, lo: Uint32Array, hi: Uint32Array | null): Uint32Array {
  let pos: Uint32Array = new Uint32Array(n);
  for (let i = 0; i < n; i++) pos[i] = i;
  let posB: Uint32Array = new Uint32Array(n);
  let kA: Uint32Array = lo, kB: Uint32Array = new Uint32Array(n);
  let hA: Uint32Array | null = hi, hB: Uint32Array | null = hi === null ? null : new Uint32Array(n);
  for (let w = 0; w < (hi === null ? 1 : 2); w++) {
    if (w === 1) {
      // Continue on the high word; the low word is done.
      kA = hA!;
      kB = hB!;
      hA = null;
      hB = null;
    }
    const hs = histograms(kA, n);
    for (let d = 0; d < 3; d++) {
      const h = hs[d];
      if (n === 0 || h[(kA[0] >>> SHIFTS[d]) & MASKS[d]] === n) continue; // one digit value: order unchanged
      offsets(h);
      if (hA === null) pass32(n, h, SHIFTS[d], MASKS[d], kA, kB, pos, posB);
      else {
        pass64(n, h, SHIFTS[d], MASKS[d], kA, kB, pos, posB, hA, hB!);
        const u = hA;
        hA = hB;
        hB = u;
      }
      const t = kA;
      kA = kB;
      kB = t;
      const p = pos;
      pos = posB;
      posB = p;
    }
  }
  return pos;
}

/** Sortable 64-bit words of finite float64 values (-0 must already be +0). */
function floatKeys(values: Float64Array, n: number): { lo: Uint32Array; hi: Uint32Array } {
  const bits = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  const lo = new Uint32Array(n), hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const h = bits[2 * i + 1], l = bits[2 * i];
    if (h & 0x80000000) {
      hi[i] = ~h >>> 0;
      lo[i] = ~l >>> 0;
    } else {
      hi[i] = (h | 0x80000000) >>> 0;
      lo[i] = l;
    }
  }
  return { lo, hi };
}

function intKeys(values: Int32Array | Float64Array, n: number, min: number): Uint32Array {
  const key = new Uint32Array(n);
  for (let i = 0; i < n; i++) key[i] = values[i] - min;
  return key;
}

function sampleSorted(order: Uint32Array, values: ArrayLike<number>, rows: Float64Array, n: number, want: number): MeasureSamples {
  const step = Math.max(1, Math.ceil(n / want));
  const count = n === 0 ? 0 : Math.floor((n - 1) / step) + 1 + ((n - 1) % step === 0 ? 0 : 1);
  const sv = new Float64Array(count), sr = new Float64Array(count);
  let k = 0;
  for (let r = 0; r < n; r += step, k++) {
    sv[k] = values[order[r]];
    sr[k] = rows[order[r]];
  }
  if (k < count) {
    sv[k] = values[order[n - 1]];
    sr[k] = rows[order[n - 1]];
  }
  return { n, step, values: sv, rows: sr };
}

/** Local rank of sample k: k * step, the last one n - 1. */
function sampleRank(s: MeasureSamples, k: number): number {
  return Math.min(k * s.step, s.n - 1);
}

// ---------------------------------------------------------------------------------------------
// Brackets

/**
 * For each target rank s (an index into the global key order), a half-open key range [L, U) that
 * surely holds the key of rank s, from per-worker samples with exact local ranks.
 */
function brackets(parts: readonly MeasureSamples[], targets: readonly number[], total: number): number[] {
  const out = new Array<number>(16);
  for (let j = 0; j < 4; j++) {
    out[j] = -Infinity; out[4 + j] = -Infinity; // L
    out[8 + j] = Infinity; out[12 + j] = Infinity; // U
  }
  let T = 0;
  for (const p of parts) T += p.values.length;
  const worker = new Int32Array(T), index = new Int32Array(T), vals = new Float64Array(T), rows = new Float64Array(T);
  let t = 0;
  parts.forEach((p, w) => {
    for (let k = 0; k < p.values.length; k++, t++) {
      worker[t] = w; index[t] = k; vals[t] = p.values[k]; rows[t] = p.rows[k];
    }
  });
  const order = Array.from({ length: T }, (_, i) => i).sort((a, b) => vals[a] - vals[b] || rows[a] - rows[b]);
  // For key x not yet passed: worker w has i_w samples < x; its count of keys < x lies in
  // [rank(i_w - 1) + 1, rank(i_w)] (0 when i_w = 0; n_w when every sample is below x).
  const seen = new Int32Array(parts.length);
  const lo = (w: number) => (seen[w] === 0 ? 0 : sampleRank(parts[w], seen[w] - 1) + 1);
  const hi = (w: number) => (seen[w] === parts[w].values.length ? parts[w].n : sampleRank(parts[w], seen[w]));
  let loSum = 0, hiSum = 0;
  const foundU = [false, false, false, false];
  for (let q = 0; q < T; q++) {
    const c = order[q];
    const w = worker[c];
    // Keys below this sample: its own worker's count is exact.
    const exact = sampleRank(parts[w], index[c]);
    const below = loSum - lo(w) + exact;
    const above = hiSum - hi(w) + exact;
    for (let j = 0; j < 4; j++) {
      const s = targets[j];
      if (s >= total) continue;
      if (above <= s) {
        out[j] = vals[c];
        out[4 + j] = rows[c];
      }
      if (!foundU[j] && below >= s + 1) {
        foundU[j] = true;
        out[8 + j] = vals[c];
        out[12 + j] = rows[c];
      }
    }
    loSum -= lo(w); hiSum -= hi(w);
    seen[w]++;
    loSum += lo(w); hiSum += hi(w);
  }
  for (let j = 0; j < 4; j++) {
    if (targets[j] >= total) {
      // Empty quintile: no key reaches it.
      out[j] = Infinity; out[4 + j] = Infinity;
    }
  }
  return out;
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

async function prepareMap(rows: readonly RowBatch[], spec: RfmSpec, ctx: KernelContext): Promise<RfmPrepPartial> {
  let total = 0;
  for (const { batch } of rows) total += batch.numRows;
  const rowNo = new Float64Array(total), dates = new Int32Array(total), freqs = new Int32Array(total), money = new Float64Array(total);
  let n = 0;
  let minD = 2147483647, maxD = -2147483648, minF = 2147483647, maxF = -2147483648, maxAbs = 0;
  let moneyIsInt = true;
  for (let b = 0; b < rows.length; b++) {
    const { batch } = rows[b];
    const v = viewsOf(batch, spec);
    const { dates: dv, freqs: fv, money: mv, dBits, fBits, mBits, dOff, fOff, mOff } = v;
    if (!(mv instanceof Int32Array)) moneyIsInt = false;
    for (let i = 0; i < v.n; i++) {
      if (dBits !== null && ((dBits[(dOff + i) >> 3] >> ((dOff + i) & 7)) & 1) === 0) continue;
      if (fBits !== null && ((fBits[(fOff + i) >> 3] >> ((fOff + i) & 7)) & 1) === 0) continue;
      if (mBits !== null && ((mBits[(mOff + i) >> 3] >> ((mOff + i) & 7)) & 1) === 0) continue;
      const m = mv[i];
      if (m - m !== 0) continue; // NaN or +-Infinity
      const d = dv[i], f = fv[i];
      rowNo[n] = globalRow(rows[b], i);
      dates[n] = d;
      freqs[n] = f;
      money[n] = m + 0; // -0 -> +0: equal values must have equal keys
      n++;
      if (d < minD) minD = d;
      if (d > maxD) maxD = d;
      if (f < minF) minF = f;
      if (f > maxF) maxF = f;
      const a = m < 0 ? -m : m;
      if (a > maxAbs) maxAbs = a;
    }
    await ctx.checkpoint();
    ctx.progress((0.5 * (b + 1)) / rows.length);
  }
  const want = spec.samples;
  const dOrder = radixOrder(n, intKeys(dates, n, minD), null);
  const fOrder = radixOrder(n, intKeys(freqs, n, minF), null);
  let mOrder: Uint32Array;
  if (moneyIsInt) {
    let minM = Infinity;
    for (let i = 0; i < n; i++) if (money[i] < minM) minM = money[i];
    mOrder = radixOrder(n, intKeys(money, n, minM), null);
  } else {
    const { lo, hi } = floatKeys(money, n);
    mOrder = radixOrder(n, lo, hi);
  }
  ctx.progress(1);
  return {
    rows: total,
    scored: n,
    maxDate: n > 0 ? maxD : -Infinity,
    maxAbsMonetary: maxAbs,
    samples: [sampleSorted(dOrder, dates, rowNo, n, want), sampleSorted(fOrder, freqs, rowNo, n, want), sampleSorted(mOrder, money, rowNo, n, want)],
  };
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
  return {
    rows,
    scored,
    asOfDay,
    starts,
    brackets: [0, 1, 2].map((m) => brackets(partials.map((p) => p.samples[m]), starts, scored)),
    sigma,
    scale,
  };
}

/** Score of key (x, row) on one measure: 1..5, or 0 when the key is inside a bracket. */
function scoreOf(x: number, row: number, b: Float64Array): number {
  let s = 1;
  for (let j = 0; j < 4; j++) {
    const uv = b[8 + j];
    if (x > uv || (x === uv && row >= b[12 + j])) {
      s++;
      continue;
    }
    const lv = b[j];
    if (x > lv || (x === lv && row >= b[4 + j])) return 0;
    return s;
  }
  return s;
}

async function rfmMap(rows: readonly RowBatch[], spec: RfmSpec, params: RfmParams, ctx: KernelContext): Promise<RfmPartial> {
  const slots = new Slots();
  let cells = new Float64Array(SLOT_STRIDE * 4);
  let excluded = new Float64Array(4);
  const bd = Float64Array.from(params.brackets[0]), bf = Float64Array.from(params.brackets[1]), bm = Float64Array.from(params.brackets[2]);
  const [s1, s2, s3, s4] = params.sigma;
  const scale = params.scale;
  let pn = 0;
  let pRows = new Float64Array(64), pDates = new Int32Array(64), pFreqs = new Int32Array(64), pMoney = new Float64Array(64), pSlots = new Int32Array(64);
  for (let b = 0; b < rows.length; b++) {
    const { batch } = rows[b];
    const v = viewsOf(batch, spec);
    const { dates: dv, freqs: fv, money: mv, dBits, fBits, mBits, dOff, fOff, mOff } = v;
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
      const row = globalRow(rows[b], i);
      const d = dv[i], f = fv[i];
      const sr = scoreOf(d, row, bd), sf = scoreOf(f, row, bf), sm = scoreOf(m, row, bm);
      if (sr === 0 || sf === 0 || sm === 0) {
        if (pn === pRows.length) {
          pRows = grow(pRows, pn + 1); pDates = grow(pDates, pn + 1); pFreqs = grow(pFreqs, pn + 1); pMoney = grow(pMoney, pn + 1); pSlots = grow(pSlots, pn + 1);
        }
        pRows[pn] = row; pDates[pn] = d; pFreqs[pn] = f; pMoney[pn] = m + 0; pSlots[pn] = g;
        pn++;
        continue;
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
  return {
    labels: slots.labels,
    cells: cells.slice(0, G * SLOT_STRIDE),
    excluded: excluded.slice(0, G),
    pending: { n: pn, rows: pRows.slice(0, pn), dates: pDates.slice(0, pn), freqs: pFreqs.slice(0, pn), money: pMoney.slice(0, pn), slots: pSlots.slice(0, pn) },
  };
}

/** Compares keys (v, r) and (w, s) by value, then row. */
function keyCmp(v: number, r: number, w: number, s: number): number {
  return v < w ? -1 : v > w ? 1 : r - s;
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
  // Rows left for reduce, gathered (small: about 12 * 3n / samples).
  const pRow = new Float64Array(pendingN), pVal = [new Float64Array(pendingN), new Float64Array(pendingN), new Float64Array(pendingN)], pSlot = new Int32Array(pendingN);
  let t = 0;
  for (const p of partials) {
    for (let i = 0; i < p.pending.n; i++, t++) {
      pRow[t] = p.pending.rows[i];
      pVal[0][t] = p.pending.dates[i];
      pVal[1][t] = p.pending.freqs[i];
      pVal[2][t] = p.pending.money[i];
      pSlot[t] = labelSet.get(p.labels[p.pending.slots[i]])!;
    }
  }
  // Marginal score counts per measure over rows scored in map.
  const marginal = [new Float64Array(6), new Float64Array(6), new Float64Array(6)];
  for (let g = 0; g < G; g++) {
    for (let c = 0; c < 125; c++) {
      const n = cells[g * SLOT_STRIDE + c * CELL_STRIDE];
      marginal[0][Math.floor(c / 25) + 1] += n;
      marginal[1][(Math.floor(c / 5) % 5) + 1] += n;
      marginal[2][(c % 5) + 1] += n;
    }
  }
  // Exact boundary keys.
  const bound: { v: number; r: number }[][] = [[], [], []];
  for (let m = 0; m < 3; m++) {
    const b = params.brackets[m];
    const vals = pVal[m];
    for (let j = 0; j < 4; j++) {
      const s = params.starts[j];
      if (s >= params.scored) {
        bound[m].push({ v: Infinity, r: Infinity });
        continue;
      }
      let below = 0;
      for (let k = 1; k <= j + 1; k++) below += marginal[m][k];
      const inside: number[] = [];
      for (let i = 0; i < pendingN; i++) {
        if (keyCmp(vals[i], pRow[i], b[j], b[4 + j]) < 0) below++;
        else if (keyCmp(vals[i], pRow[i], b[8 + j], b[12 + j]) < 0) inside.push(i);
      }
      const at = s - below;
      if (at < 0 || at >= inside.length) throw new Error(`rfm: internal error: quintile boundary ${j + 1} of measure ${m} is outside its bracket (${at} of ${inside.length}).`);
      inside.sort((x, y) => keyCmp(vals[x], pRow[x], vals[y], pRow[y]));
      bound[m].push({ v: vals[inside[at]], r: pRow[inside[at]] });
    }
  }
  // Score and add the pending rows.
  const [s1, s2, s3, s4] = params.sigma;
  const scale = params.scale;
  for (let i = 0; i < pendingN; i++) {
    const sc = [1, 1, 1];
    for (let m = 0; m < 3; m++) for (let j = 0; j < 4; j++) if (keyCmp(pVal[m][i], pRow[i], bound[m][j].v, bound[m][j].r) >= 0) sc[m]++;
    const c = pSlot[i] * SLOT_STRIDE + ((sc[0] - 1) * 25 + (sc[1] - 1) * 5 + sc[2] - 1) * CELL_STRIDE;
    const x = pVal[2][i] * scale;
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
    cells[c + 5] += pVal[0][i];
    cells[c + 6] += pVal[1][i];
  }

  const asOfDay = params.asOfDay ?? 0; // only read when rows were scored, and then it is set
  const unscale = 1 / scale;
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
  const boundaries = (m: number, toValue: (v: number) => number): RfmBoundary[] =>
    bound[m].flatMap((k, j) => (k.v === Infinity ? [] : [{ score: j + 2, value: toValue(k.v), row: k.r }]));
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
