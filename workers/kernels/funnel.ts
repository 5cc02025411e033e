/**
 * Funnel: how many clients reach each step, conversion from the previous and the first step,
 * drop-off, median days between consecutive steps, split by a category column and by entry cohort.
 *
 * Two ways to define steps:
 * (a) Stage mode, `{ stageColumn, steps: string[], mapping? }`: the stage column (a category) holds
 *     where each client is now. A client at step k has passed steps 0..k. Labels that are not steps
 *     ("off-path" stages) imply a step through `mapping` (label -> step label, or null for "not in
 *     the funnel"). Default mapping, for the client schema's LIFECYCLE_STAGES: declining, dormant,
 *     churned and win-back clients opened a relationship, but how far they developed before they
 *     fell off is unknown, so they count as having reached 'new' (DEFAULT_STAGE_MAPPING; entries
 *     whose target is not one of the steps are dropped). A spec `mapping` replaces the default
 *     entirely. Rows with a null stage are `outside.missing`; labels mapped to null are
 *     `outside.offPath`; labels neither steps nor mapped are `outside.unmapped` (listed, with their
 *     counts, in `unmappedLabels`).
 * (b) Timestamp mode, `{ steps: { label, column }[] }` with DateDay columns: a client reaches step k
 *     when it has a date for every step 0..k and the dates are non-decreasing (d0 <= d1 <= ... <= dk;
 *     equal dates are fine). The first missing date, or the first date earlier than the one before
 *     (counted in that step's `outOfOrder`), ends the client's path: later dates are ignored. Rows
 *     without a first date are `outside.missing`. `medianDaysFromPrevious` of step k is the exact
 *     median (as SQL quantile_cont(x, 0.5): the mean of the two middle values for an even count) of
 *     d_k - d_(k-1) over the clients who reached step k.
 *
 * Per step: count (clients who reached it), conversionFromPrevious = count / count of the previous
 * step, conversionFromFirst = count / count of step 0 (null when dividing by zero; null and 1 for
 * step 0), dropOff = previous count - count (null for step 0).
 * `by`: the same funnel per category (label order: Unicode code points, null last; categories
 * without rows are left out). `cohort: 'month' | 'quarter'`: counts per step for the clients whose
 * cohort date (`cohortColumn`, default the first step's column; required in stage mode) falls in
 * each period; period null collects clients without a cohort date. Cohorts with nobody at step 0 are
 * left out.
 *
 * A dataset without rows (also after a page filter) is a SpecError on field "dataset".
 *
 * Partials: counts per (category, cohort, level) and, per step transition and category, the
 * worker's day gaps as a sorted run-length list; reduce selects the median's order statistics across
 * those lists by binary search on the value, without concatenating them.
 */
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';
import { categoryCodes, LabelCache } from './category-codes.js';
import { numericView, requireColumn, type ColumnKind } from './columns.js';
import { compareGroupKeys } from './group-keys.js';
import { SpecError, type KernelContext, type KernelDef, type RowBatch } from './kernel.js';
import { describe, isPlainObject, requireArray, requireObject, requireString } from './spec-checks.js';
import { DEFAULT_STAGE_MAPPING } from './funnel-stage-mapping.js';

const K = 'funnel';

/** Where off-path lifecycle stages land by default (see the file comment). */
export { DEFAULT_STAGE_MAPPING };

export type CohortPeriod = 'month' | 'quarter';

export interface FunnelStageSpec {
  readonly stageColumn: string;
  readonly steps: readonly string[];
  /** Off-path label -> step label it implies, or null (not in the funnel). */
  readonly mapping: Readonly<Record<string, string | null>>;
  readonly by: string | null;
  readonly cohort: CohortPeriod | null;
  readonly cohortColumn: string | null;
}

export interface FunnelTimestampSpec {
  readonly steps: readonly { readonly label: string; readonly column: string }[];
  readonly by: string | null;
  readonly cohort: CohortPeriod | null;
  readonly cohortColumn: string | null;
}

export type FunnelSpec = FunnelStageSpec | FunnelTimestampSpec;

const isStage = (s: FunnelSpec): s is FunnelStageSpec => 'stageColumn' in s;

/** requireColumn, plus the exact storage the inner loops read (the client schema's: Date32<DAY>, Int32, Float64). */
function requireStored(field: string, column: unknown, schema: readonly ColumnInfo[], kinds: readonly ColumnKind[], stored: readonly string[]): string {
  const name = requireColumn(K, field, column, schema, kinds);
  const type = schema.find((c) => c.name === name)!.type;
  if (!stored.includes(type)) throw new SpecError(K, field, `names column "${name}" stored as ${type}; expected ${stored.join(' or ')} (the client schema's storage).`);
  return name;
}

function validateFunnel(input: unknown, schema: readonly ColumnInfo[]): FunnelSpec {
  if (!isPlainObject(input)) throw new SpecError(K, 'spec', `must be an object; got ${describe(input)}.`);
  const stage = input.stageColumn !== undefined && input.stageColumn !== null;
  const s = requireObject(K, '', input, stage ? ['stageColumn', 'steps', 'mapping', 'by', 'cohort', 'cohortColumn'] : ['steps', 'by', 'cohort', 'cohortColumn', 'stageColumn']);
  const steps = requireArray(K, 'steps', s.steps, 1);
  const by = s.by === undefined || s.by === null ? null : requireColumn(K, 'by', s.by, schema, ['category']);
  let cohort: CohortPeriod | null = null;
  if (s.cohort !== undefined && s.cohort !== null) {
    if (s.cohort !== 'month' && s.cohort !== 'quarter') throw new SpecError(K, 'cohort', `must be "month" or "quarter"; got ${describe(s.cohort)}.`);
    cohort = s.cohort;
  }
  const cohortColumnIn = s.cohortColumn === undefined || s.cohortColumn === null ? null : requireStored('cohortColumn', s.cohortColumn, schema, ['date'], ['Date32<DAY>']);

  if (stage) {
    const stageColumn = requireColumn(K, 'stageColumn', s.stageColumn, schema, ['category']);
    const labels: string[] = [];
    const isStep = new Set<string>(); // not labels.includes: a hostile spec may list 50,000 steps
    steps.forEach((x, i) => {
      if (typeof x !== 'string' || x === '') throw new SpecError(K, `steps[${i}]`, `must be a stage label (a non-empty string) when stageColumn is set; got ${describe(x)}.`);
      if (isStep.has(x)) throw new SpecError(K, `steps[${i}]`, `repeats the step ${describe(x)}; steps must be unique.`);
      labels.push(x);
      isStep.add(x);
    });
    let mapping: Record<string, string | null>;
    if (s.mapping === undefined || s.mapping === null) {
      mapping = {};
      for (const [from, to] of Object.entries(DEFAULT_STAGE_MAPPING)) if (!isStep.has(from) && (to === null || isStep.has(to))) mapping[from] = to;
    } else {
      if (!isPlainObject(s.mapping)) throw new SpecError(K, 'mapping', `must be an object from stage label to step label (or null); got ${describe(s.mapping)}.`);
      mapping = {};
      for (const [from, to] of Object.entries(s.mapping)) {
        if (isStep.has(from)) throw new SpecError(K, `mapping.${from}`, `maps a step; a step label always implies itself.`);
        if (to !== null && (typeof to !== 'string' || !isStep.has(to))) throw new SpecError(K, `mapping.${from}`, `must be one of the steps (${describe(labels)}) or null; got ${describe(to)}.`);
        // defineProperty: an own "__proto__" key (as JSON.parse makes it) would otherwise set the
        // prototype and drop the entry silently.
        Object.defineProperty(mapping, from, { value: to, enumerable: true, writable: true, configurable: true });
      }
    }
    if (cohort !== null && cohortColumnIn === null) throw new SpecError(K, 'cohortColumn', 'is required for cohorts in stage mode (stages carry no dates); name a date column such as "openDate".');
    return { stageColumn, steps: labels, mapping, by, cohort, cohortColumn: cohortColumnIn };
  }

  if (s.mapping !== undefined) throw new SpecError(K, 'mapping', 'only applies with stageColumn.');
  const out: { label: string; column: string }[] = [];
  steps.forEach((x, i) => {
    if (typeof x === 'string') throw new SpecError(K, `steps[${i}]`, `is a stage label; name the stageColumn, or give steps as { label, column } with date columns.`);
    const o = requireObject(K, `steps[${i}]`, x, ['label', 'column']);
    const label = requireString(K, `steps[${i}].label`, o.label);
    const column = requireStored(`steps[${i}].column`, o.column, schema, ['date'], ['Date32<DAY>']);
    if (out.some((p) => p.label === label)) throw new SpecError(K, `steps[${i}].label`, `repeats the step ${describe(label)}; steps must be unique.`);
    if (out.some((p) => p.column === column)) throw new SpecError(K, `steps[${i}].column`, `repeats the column ${describe(column)}; each step needs its own date column.`);
    out.push({ label, column });
  });
  return { steps: out, by, cohort, cohortColumn: cohort === null ? cohortColumnIn : (cohortColumnIn ?? out[0].column) };
}

// ---------------------------------------------------------------------------------------------
// Results

export interface FunnelStep {
  readonly label: string;
  readonly count: number;
  readonly conversionFromPrevious: number | null;
  readonly conversionFromFirst: number | null;
  readonly dropOff: number | null;
  /** Timestamp mode, steps after the first: median of (this date - previous step's date); else null. */
  readonly medianDaysFromPrevious: number | null;
  /** Timestamp mode, steps after the first: clients who reached the previous step and have this step's date, but earlier. */
  readonly outOfOrder: number | null;
}

export interface FunnelCohort {
  /** 'YYYY-MM' or 'YYYY-Qn'; null for clients without a cohort date. */
  readonly period: string | null;
  readonly steps: readonly FunnelStep[];
}

export interface FunnelBreakdown {
  readonly rows: number;
  /** Rows that did not reach step 0. */
  readonly outside: { readonly missing: number; readonly offPath: number; readonly unmapped: number };
  readonly steps: readonly FunnelStep[];
  /** Only with `cohort`; in period order. */
  readonly cohorts: readonly FunnelCohort[] | null;
}

export interface FunnelResult extends FunnelBreakdown {
  readonly mode: 'stage' | 'timestamp';
  /** Stage mode: labels that are neither steps nor mapped, with their row counts (label order). */
  readonly unmappedLabels: readonly { readonly label: string; readonly count: number }[];
  readonly by: { readonly column: string; readonly categories: readonly (FunnelBreakdown & { readonly label: string | null })[] } | null;
}

// ---------------------------------------------------------------------------------------------
// Partials

/** Slots of one (category, cohort) cell: missing, offPath, unmapped, then reached-level 0..K-1. */
const MISSING = -3, OFF_PATH = -2, UNMAPPED = -1;

/** A worker's day gaps of one step transition: per category slot, sorted distinct values and counts. */
interface GapRuns {
  /** Gaps are >= 0 (dates are non-decreasing along a path) and below 2^32. */
  values: Uint32Array;
  counts: Int32Array;
  /** Start of each slot's run in values/counts; length slots + 1. */
  starts: Int32Array;
}

export interface FunnelPartial {
  labels: (string | null)[];
  /** Period keys (month or quarter index) present, ascending; period slot p + 1 is periods[p], slot 0 = no cohort date. */
  periods: number[];
  /** (periods.length + 1) x labels.length x (K + 3), only periods with rows. */
  hist: Float64Array;
  /** labels.length x K. */
  outOfOrder: Float64Array;
  /** Per transition k = 1..K-1 (index k - 1). */
  gaps: GapRuns[];
  unmapped: [string, number][];
}

// ---------------------------------------------------------------------------------------------
// Dates

/** Month index y * 12 + (m - 1) of a day count (proleptic Gregorian, as DuckDB). */
function monthIndex(day: number): number {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const m = mp < 10 ? mp + 2 : mp - 10; // 0-based month
  const y = yoe + era * 400 + (m <= 1 ? 1 : 0);
  return y * 12 + m;
}

function periodLabel(key: number, cohort: CohortPeriod): string {
  if (cohort === 'month') {
    const y = Math.floor(key / 12), m = key - y * 12 + 1;
    return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
  }
  const y = Math.floor(key / 4);
  return `${String(y).padStart(4, '0')}-Q${key - y * 4 + 1}`;
}

// ---------------------------------------------------------------------------------------------
// Map

class Slots {
  readonly labels: (string | null)[] = [null];
  private readonly index = new Map<string, number>();
  private readonly remaps = new WeakMap<object, Int32Array>();

  constructor(private readonly cache: LabelCache) {}

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

function bitOf(bits: Uint8Array | null, j: number): number {
  return bits === null ? 1 : (bits[j >> 3] >> (j & 7)) & 1;
}

/** Cohort periods of a batch with a small key range are numbered densely; wider ones via their sorted distinct keys. */
const DENSE_PERIODS = 1024;
const NO_PERIOD = -2147483648;

/**
 * Counts per (period, category, slot) for one worker: each batch counts into a small dense array
 * indexed by batch-local period ids, then folds it here per period (never per row), so a stray date
 * far from the others costs one more period, not a dense range of thousands.
 */
class PeriodCounts {
  /** Period key (NO_PERIOD for none) -> counts, G x W, grown as categories appear. */
  readonly byPeriod = new Map<number, Float64Array>();
  constructor(readonly W: number) {}

  fold(batchCounts: Float64Array, ids: number, G: number, keyOf: (id: number) => number): void {
    const W = this.W;
    for (let id = 0; id < ids; id++) {
      let any = false;
      for (let j = id * G * W, e = j + G * W; j < e; j++) if (batchCounts[j] !== 0) { any = true; break; }
      if (!any) continue;
      const key = keyOf(id);
      let acc = this.byPeriod.get(key);
      if (!acc || acc.length < G * W) {
        const grown = new Float64Array(G * W);
        if (acc) grown.set(acc);
        this.byPeriod.set(key, (acc = grown));
      }
      for (let j = 0; j < G * W; j++) acc[j] += batchCounts[id * G * W + j];
    }
  }
}

function growU32(a: Uint32Array, n: number): Uint32Array {
  const b = new Uint32Array(Math.max(16, a.length * 2, n));
  b.set(a);
  return b;
}

function growI32(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(Math.max(16, a.length * 2, n));
  b.set(a);
  return b;
}

/** Sorts gaps by (slot, value) and run-length encodes them per slot. */
function gapRuns(vals: Uint32Array, slots: Int32Array | null, n: number, G: number): GapRuns {
  let sorted: Uint32Array;
  const starts = new Int32Array(G + 1);
  if (slots === null || G === 1) {
    sorted = vals.slice(0, n).sort();
    starts.fill(n, 1);
  } else {
    for (let i = 0; i < n; i++) starts[slots[i] + 1]++;
    for (let g = 0; g < G; g++) starts[g + 1] += starts[g];
    const at = starts.slice(0, G);
    sorted = new Uint32Array(n);
    for (let i = 0; i < n; i++) sorted[at[slots[i]]++] = vals[i];
    for (let g = 0; g < G; g++) sorted.subarray(starts[g], starts[g + 1]).sort();
  }
  const values = new Uint32Array(n), counts = new Int32Array(n), runStarts = new Int32Array(G + 1);
  let r = 0;
  for (let g = 0; g < G; g++) {
    runStarts[g] = r;
    for (let i = starts[g]; i < starts[g + 1]; i++) {
      if (i > starts[g] && sorted[i] === values[r - 1]) counts[r - 1]++;
      else {
        values[r] = sorted[i];
        counts[r] = 1;
        r++;
      }
    }
  }
  runStarts[G] = r;
  return { values: values.slice(0, r), counts: counts.slice(0, r), starts: runStarts };
}

/** Index of `key` in ascending `keys` (present by construction). */
function indexOf(keys: Int32Array, n: number, key: number): number {
  let lo = 0, hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

type Codes = ArrayLike<number>;

// The per-row loops live in small functions of their own: V8 optimizes a function after an amount
// of work that grows with its size, and inside funnelMap a loop stayed unoptimized for many calls
// (a worker that runs each kernel a few times never saw it fast).

/**
 * cc[code] += rows with that code. Four sub-histograms (cc is 4 * D long, summed into cc[0..D)):
 * consecutive rows of one stage would otherwise each wait for the previous increment of the same
 * counter to be stored.
 */
function countCodes(n: number, sCodes: Codes, D: number, cc: Int32Array): void {
  const D2 = 2 * D, D3 = 3 * D;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    cc[sCodes[i]]++;
    cc[D + sCodes[i + 1]]++;
    cc[D2 + sCodes[i + 2]]++;
    cc[D3 + sCodes[i + 3]]++;
  }
  for (; i < n; i++) cc[sCodes[i]]++;
  for (let c = 0; c < D; c++) cc[c] += cc[D + c] + cc[D2 + c] + cc[D3 + c];
}

/**
 * countCodes for dictionaries of at most 8 codes: one increment per four rows, into joint counts
 * of four consecutive codes (3 bits each: 4096 counters, 16 KB, in L1), folded into cc[0..8) once
 * per batch (4096 reads against 16,384 increments). The four rows' increments become one: a
 * quarter less time than the four sub-histograms on generated lifecycle stages (5M rows: 9.6 ms
 * against 12.6; a plain sum of the codes takes 5.7). cc must hold 8 zeros; `quads` is scratch of
 * QUAD_COUNTERS.
 */
const QUAD_COUNTERS = 4096;
function countCodes8(n: number, sCodes: Codes, quads: Int32Array, cc: Int32Array): void {
  quads.fill(0);
  let i = 0;
  for (; i + 3 < n; i += 4) quads[(sCodes[i] << 9) | (sCodes[i + 1] << 6) | (sCodes[i + 2] << 3) | sCodes[i + 3]]++;
  for (; i < n; i++) cc[sCodes[i]]++;
  for (let q = 0; q < QUAD_COUNTERS; q++) {
    const x = quads[q];
    if (x === 0) continue;
    cc[q >> 9] += x;
    cc[(q >> 6) & 7] += x;
    cc[(q >> 3) & 7] += x;
    cc[q & 7] += x;
  }
}

/**
 * h[(period * G + slot) * W + level + 3]++ per row (level MISSING for a null stage); returns the
 * rows per unmapped stage code, or null when there were none.
 */
function countLevels(
  n: number, sCodes: Codes, sBits: Uint8Array | null, sOff: number, lut: Int32Array,
  codes: Codes | null, cBits: Uint8Array | null, cOff: number, remap: Int32Array, periodIds: Int32Array | null, G: number, W: number, h: Float64Array,
): Int32Array | null {
  let unk: Int32Array | null = null;
  for (let i = 0; i < n; i++) {
    const g = codes === null || (cBits !== null && ((cBits[(cOff + i) >> 3] >> ((cOff + i) & 7)) & 1) === 0) ? 0 : remap[codes[i]];
    const p = periodIds === null ? 0 : periodIds[i];
    let lvl: number;
    if (sBits !== null && ((sBits[(sOff + i) >> 3] >> ((sOff + i) & 7)) & 1) === 0) lvl = MISSING;
    else {
      lvl = lut[sCodes[i]];
      if (lvl === UNMAPPED) (unk ??= new Int32Array(lut.length))[sCodes[i]]++;
    }
    h[(p * G + g) * W + lvl + 3]++;
  }
  return unk;
}

async function funnelMap(rows: readonly RowBatch[], spec: FunnelSpec, _params: undefined, ctx: KernelContext): Promise<FunnelPartial> {
  const stage = isStage(spec);
  const Ks = spec.steps.length;
  const W = Ks + 3;
  const cache = new LabelCache();
  const slots = new Slots(cache);
  const counts = new PeriodCounts(W);
  let batchCounts = new Float64Array(W);
  let codeCounts = new Int32Array(0);
  let quads: Int32Array | undefined;
  let ooo = new Float64Array(Ks);
  const quarter = spec.cohort === 'quarter';
  // Stage mode: level of each dictionary code.
  const luts = new WeakMap<object, Int32Array>();
  const stepIndex = new Map<string, number>();
  const unmapped = new Map<string, number>();
  if (stage) {
    spec.steps.forEach((l, i) => stepIndex.set(l, i));
    for (const [from, to] of Object.entries(spec.mapping)) stepIndex.set(from, to === null ? OFF_PATH : spec.steps.indexOf(to));
  }
  // Timestamp mode: day gaps per transition.
  const gapN = new Int32Array(Ks);
  const gapVals: Uint32Array[] = [], gapSlots: Int32Array[] = [];
  for (let k = 0; k < Ks; k++) {
    gapVals.push(new Uint32Array(k === 0 ? 0 : 1024));
    gapSlots.push(new Int32Array(k === 0 || spec.by === null ? 0 : 1024));
  }
  let periodIds = new Int32Array(0), distinct = new Int32Array(0);
  const stepVals: Int32Array[] = new Array(Ks), stepBits: (Uint8Array | null)[] = new Array(Ks), stepOffs = new Int32Array(Ks);

  for (let b = 0; b < rows.length; b++) {
    const { batch } = rows[b];
    const n = batch.numRows;
    // Category slot per row is read through the per-dictionary remap.
    let codes: ArrayLike<number> | null = null, cBits: Uint8Array | null = null, cOff = 0, remap: Int32Array = new Int32Array(0);
    if (spec.by !== null) {
      const c = categoryCodes(batch, spec.by);
      codes = c.codes; cBits = c.bitmap; cOff = c.offset; remap = slots.remap(c.dictionary);
    }
    // Batch-local period id per row: 0 = no cohort date, 1.. = periods of this batch.
    let ids = 1;
    let keyOf: (id: number) => number = () => NO_PERIOD;
    if (spec.cohort !== null) {
      const v = numericView(batch, spec.cohortColumn!);
      const dv = v.values, bits = v.bitmap, off = v.offset;
      if (periodIds.length < n) periodIds = new Int32Array(n);
      let lo = 2147483647, hi = -2147483648;
      let last = NaN, lastKey = 0;
      for (let i = 0; i < n; i++) {
        if (bits !== null && ((bits[(off + i) >> 3] >> ((off + i) & 7)) & 1) === 0) {
          periodIds[i] = NO_PERIOD;
          continue;
        }
        const d = dv[i];
        if (d !== last) {
          last = d;
          const mi = monthIndex(d);
          lastKey = quarter ? Math.floor(mi / 3) : mi;
        }
        periodIds[i] = lastKey;
        if (lastKey < lo) lo = lastKey;
        if (lastKey > hi) hi = lastKey;
      }
      if (hi < lo) {
        periodIds.fill(0, 0, n);
      } else if (hi - lo < DENSE_PERIODS) {
        const base = lo - 1;
        for (let i = 0; i < n; i++) periodIds[i] = periodIds[i] === NO_PERIOD ? 0 : periodIds[i] - base;
        ids = hi - lo + 2;
        keyOf = (id) => (id === 0 ? NO_PERIOD : base + id);
      } else {
        // Wide range (stray dates): number the distinct periods.
        if (distinct.length < n) distinct = new Int32Array(n);
        let m = 0;
        for (let i = 0; i < n; i++) if (periodIds[i] !== NO_PERIOD) distinct[m++] = periodIds[i];
        const sorted = distinct.subarray(0, m).sort();
        let u = 0;
        for (let i = 0; i < m; i++) if (i === 0 || sorted[i] !== sorted[u - 1]) sorted[u++] = sorted[i];
        let prevKey = NaN, prevId = 0;
        for (let i = 0; i < n; i++) {
          const key = periodIds[i];
          if (key === NO_PERIOD) periodIds[i] = 0;
          else {
            if (key !== prevKey) {
              prevKey = key;
              prevId = indexOf(sorted, u, key) + 1;
            }
            periodIds[i] = prevId;
          }
        }
        const keys = Array.from(sorted.subarray(0, u));
        ids = u + 1;
        keyOf = (id) => (id === 0 ? NO_PERIOD : keys[id - 1]);
      }
    }
    const G = slots.labels.length;
    if (batchCounts.length < ids * G * W) batchCounts = new Float64Array(ids * G * W * 2);
    else batchCounts.fill(0, 0, ids * G * W);
    if (ooo.length < G * Ks) {
      const o = new Float64Array(G * Ks * 2);
      o.set(ooo);
      ooo = o;
    }
    const h = batchCounts;
    const withCohort = spec.cohort !== null;

    if (stage) {
      const sc = categoryCodes(batch, spec.stageColumn);
      let lut = luts.get(sc.dictionary);
      if (!lut) {
        const labels = cache.labels(sc.dictionary);
        lut = new Int32Array(labels.length);
        for (let c = 0; c < labels.length; c++) lut[c] = stepIndex.get(labels[c]) ?? UNMAPPED;
        luts.set(sc.dictionary, lut);
      }
      let unk: Int32Array | null = null;
      const D = lut.length;
      if (codes === null && !withCohort && sc.bitmap === null && D <= n) {
        // Rows are counted per stage code and the codes folded into levels once per batch: the
        // per-row work is one increment, as in a plain histogram loop (a quarter of one for up to
        // 8 stages: countCodes8). Only without by or cohort (one cell) and for dictionaries no
        // longer than the batch, so the fold stays small.
        if (codeCounts.length < Math.max(4 * D, 8)) codeCounts = new Int32Array(Math.max(4 * D, 8));
        else codeCounts.fill(0);
        if (D <= 8) countCodes8(n, sc.codes, quads ??= new Int32Array(QUAD_COUNTERS), codeCounts);
        else countCodes(n, sc.codes, D, codeCounts);
        for (let code = 0; code < D; code++) {
          const x = codeCounts[code];
          if (x === 0) continue;
          h[lut[code] + 3] += x;
          if (lut[code] === UNMAPPED) (unk ??= new Int32Array(D))[code] += x;
        }
      } else {
        unk = countLevels(n, sc.codes, sc.bitmap, sc.offset, lut, codes, cBits, cOff, remap, withCohort ? periodIds : null, G, W, h);
      }
      if (unk !== null) {
        const labels = cache.labels(sc.dictionary);
        for (let c = 0; c < unk.length; c++) if (unk[c] > 0) unmapped.set(labels[c], (unmapped.get(labels[c]) ?? 0) + unk[c]);
      }
    } else {
      const st = spec as FunnelTimestampSpec;
      for (let k = 0; k < Ks; k++) {
        const v = numericView(batch, st.steps[k].column);
        stepVals[k] = v.values as Int32Array;
        stepBits[k] = v.bitmap;
        stepOffs[k] = v.offset;
      }
      const d0 = stepVals[0], b0 = stepBits[0], o0 = stepOffs[0];
      const bySlots = spec.by !== null;
      for (let i = 0; i < n; i++) {
        const g = codes === null || (cBits !== null && ((cBits[(cOff + i) >> 3] >> ((cOff + i) & 7)) & 1) === 0) ? 0 : remap[codes[i]];
        const cell = ((withCohort ? periodIds[i] : 0) * G + g) * W;
        if (b0 !== null && ((b0[(o0 + i) >> 3] >> ((o0 + i) & 7)) & 1) === 0) {
          h[cell]++;
          continue;
        }
        let prev = d0[i];
        let lvl = 0;
        for (let k = 1; k < Ks; k++) {
          const bk = stepBits[k];
          const j = stepOffs[k] + i;
          if (bk !== null && ((bk[j >> 3] >> (j & 7)) & 1) === 0) break;
          const d = stepVals[k][i];
          if (d < prev) {
            ooo[g * Ks + k]++;
            break;
          }
          let gn = gapN[k];
          if (gn === gapVals[k].length) {
            gapVals[k] = growU32(gapVals[k], gn + 1);
            if (bySlots) gapSlots[k] = growI32(gapSlots[k], gn + 1);
          }
          gapVals[k][gn] = d - prev;
          if (bySlots) gapSlots[k][gn] = g;
          gapN[k] = ++gn;
          prev = d;
          lvl = k;
        }
        h[cell + 3 + lvl]++;
      }
    }
    counts.fold(batchCounts, ids, G, keyOf);
    await ctx.checkpoint();
    ctx.progress((b + 1) / rows.length);
  }
  const G = slots.labels.length;
  const gaps: GapRuns[] = [];
  for (let k = 1; k < Ks; k++) gaps.push(gapRuns(gapVals[k], spec.by === null ? null : gapSlots[k], gapN[k], G));
  const o = new Float64Array(G * Ks);
  o.set(ooo.subarray(0, Math.min(ooo.length, G * Ks)));
  const periods = [...counts.byPeriod.keys()].filter((k) => k !== NO_PERIOD).sort((a, b) => a - b);
  const hist = new Float64Array((periods.length + 1) * G * W);
  [NO_PERIOD, ...periods].forEach((key, p) => {
    const acc = counts.byPeriod.get(key);
    if (acc) hist.set(acc, p * G * W);
  });
  return { labels: slots.labels, periods, hist, outOfOrder: o, gaps, unmapped: [...unmapped] };
}

// ---------------------------------------------------------------------------------------------
// Reduce

interface Run {
  values: Uint32Array<ArrayBufferLike>;
  /** Cumulative counts: cum[i] = rows with value <= values[i] in this run list. */
  cum: Float64Array;
}

function runOf(g: GapRuns, slot: number): Run | null {
  const a = g.starts[slot], b = g.starts[slot + 1];
  if (a === b) return null;
  const values = g.values.subarray(a, b);
  const cum = new Float64Array(b - a);
  let s = 0;
  for (let i = a; i < b; i++) cum[i - a] = s += g.counts[i];
  return { values, cum };
}

/** Rows with value <= v in a run. */
function countLE(r: Run, v: number): number {
  let lo = 0, hi = r.values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (r.values[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? 0 : r.cum[lo - 1];
}

/** The k-th smallest (0-based) value over sorted runs, by binary search on the value. */
function kth(runs: readonly Run[], k: number): number {
  let lo = Infinity, hi = -Infinity;
  for (const r of runs) {
    if (r.values[0] < lo) lo = r.values[0];
    if (r.values[r.values.length - 1] > hi) hi = r.values[r.values.length - 1];
  }
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    let c = 0;
    for (const r of runs) c += countLE(r, mid);
    if (c > k) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** quantile_cont(x, 0.5) over the runs, or null when they are empty. */
function median(runs: readonly Run[]): number | null {
  let n = 0;
  for (const r of runs) n += r.cum[r.cum.length - 1];
  if (n === 0) return null;
  const pos = (n - 1) / 2;
  const a = kth(runs, Math.floor(pos));
  if (pos === Math.floor(pos)) return a;
  const b = kth(runs, Math.ceil(pos));
  return a + (b - a) * 0.5;
}

/** Steps from clients reached per step: conversions, drop-off, median days, out-of-order counts (shared with the remote engine). */
export function stepsOf(labels: readonly string[], reached: ArrayLike<number>, medians: (number | null)[] | null, ooo: ArrayLike<number> | null): FunnelStep[] {
  return labels.map((label, k) => {
    const count = reached[k];
    const prev = k === 0 ? null : reached[k - 1];
    return {
      label,
      count,
      conversionFromPrevious: prev === null || prev === 0 ? null : count / prev,
      conversionFromFirst: reached[0] === 0 ? null : count / reached[0],
      dropOff: prev === null ? null : prev - count,
      medianDaysFromPrevious: medians === null || k === 0 ? null : medians[k - 1],
      outOfOrder: ooo === null || k === 0 ? null : ooo[k],
    };
  });
}

function funnelReduce(partials: FunnelPartial[], spec: FunnelSpec): FunnelResult {
  const stage = isStage(spec);
  const Ks = spec.steps.length;
  const W = Ks + 3;
  const stepLabels = stage ? (spec.steps as readonly string[]) : (spec as FunnelTimestampSpec).steps.map((s) => s.label);
  const labelIndex = new Map<string | null, number>();
  const periodIndex = new Map<number, number>();
  for (const p of partials) {
    for (const l of p.labels) labelIndex.set(l, 0);
    for (const k of p.periods) periodIndex.set(k, 0);
  }
  const labels = [...labelIndex.keys()].sort(compareGroupKeys);
  labels.forEach((l, i) => labelIndex.set(l, i));
  const periods = [...periodIndex.keys()].sort((a, b) => a - b);
  periods.forEach((k, i) => periodIndex.set(k, i + 1));
  const G = labels.length;
  const C = periods.length + 1;
  const hist = new Float64Array(G * C * W);
  const ooo = new Float64Array(G * Ks);
  const runs: Run[][][] = labels.map(() => Array.from({ length: Math.max(0, Ks - 1) }, () => []));
  let rows = 0;
  const unmapped = new Map<string, number>();
  for (const p of partials) {
    const pG = p.labels.length;
    p.labels.forEach((l, s) => {
      const g = labelIndex.get(l)!;
      for (let c = 0; c <= p.periods.length; c++) {
        const to = c === 0 ? 0 : periodIndex.get(p.periods[c - 1])!;
        const src = (c * pG + s) * W, dst = (g * C + to) * W;
        for (let w = 0; w < W; w++) {
          hist[dst + w] += p.hist[src + w];
          rows += p.hist[src + w];
        }
      }
      for (let k = 0; k < Ks; k++) ooo[g * Ks + k] += p.outOfOrder[s * Ks + k];
      p.gaps.forEach((gr, t) => {
        const r = runOf(gr, s);
        if (r) runs[g][t].push(r);
      });
    });
    for (const [l, n] of p.unmapped) unmapped.set(l, (unmapped.get(l) ?? 0) + n);
  }
  if (rows === 0) throw new SpecError(K, 'dataset', 'has no rows (after any page filter); a funnel needs at least one client.');

  const breakdown = (gs: number[]): FunnelBreakdown => {
    const total = new Float64Array(W);
    const perCohort = new Float64Array(C * W);
    const o = new Float64Array(Ks);
    for (const g of gs) {
      for (let c = 0; c < C; c++) {
        for (let w = 0; w < W; w++) {
          const x = hist[(g * C + c) * W + w];
          total[w] += x;
          perCohort[c * W + w] += x;
        }
      }
      for (let k = 0; k < Ks; k++) o[k] += ooo[g * Ks + k];
    }
    const reachedOf = (cell: Float64Array, at: number) => {
      const reached = new Float64Array(Ks);
      let acc = 0;
      for (let k = Ks - 1; k >= 0; k--) reached[k] = acc += cell[at + 3 + k];
      return reached;
    };
    let nRows = 0;
    for (let w = 0; w < W; w++) nRows += total[w];
    const medians = stage ? null : Array.from({ length: Ks - 1 }, (_, t) => median(gs.flatMap((g) => runs[g][t])));
    let cohorts: FunnelCohort[] | null = null;
    if (spec.cohort !== null) {
      cohorts = [];
      for (let c = 1; c <= C; c++) {
        const slot = c === C ? 0 : c; // null period last
        const reached = reachedOf(perCohort, slot * W);
        if (reached[0] > 0) cohorts.push({ period: slot === 0 ? null : periodLabel(periods[slot - 1], spec.cohort), steps: stepsOf(stepLabels, reached, null, null) });
      }
    }
    return {
      rows: nRows,
      outside: { missing: total[0], offPath: total[1], unmapped: total[2] },
      steps: stepsOf(stepLabels, reachedOf(total, 0), medians, stage ? null : o),
      cohorts,
    };
  };

  const all = breakdown(labels.map((_, g) => g));
  let by: FunnelResult['by'] = null;
  if (spec.by !== null) {
    const categories = [];
    for (let g = 0; g < G; g++) {
      const b = breakdown([g]);
      if (b.rows > 0) categories.push({ label: labels[g], ...b });
    }
    by = { column: spec.by, categories };
  }
  return {
    mode: stage ? 'stage' : 'timestamp',
    ...all,
    unmappedLabels: [...unmapped].sort((a, b) => compareGroupKeys(a[0], b[0])).map(([label, count]) => ({ label, count })),
    by,
  };
}

export const funnelKernel: KernelDef<FunnelSpec, FunnelPartial, FunnelResult> = {
  name: K,
  validate: validateFunnel,
  map: funnelMap,
  reduce: funnelReduce,
};

// Exported for tests of the calendar arithmetic and of the code counting loops.
export { monthIndex as _monthIndex, countCodes as _countCodes, countCodes8 as _countCodes8 };
