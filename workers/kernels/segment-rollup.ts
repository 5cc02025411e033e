/**
 * Kernel 'segment-rollup': aggregates of client segments, by one dimension or two (a matrix such
 * as tier x region or asset scale x risk preference).
 *
 * Spec:
 *   {
 *     by: Dimension | [Dimension] | [Dimension, Dimension],        (see dimension.ts)
 *     measures?: { column?, agg, q?, as? }[],
 *       agg: 'count' | 'sum' | 'mean' | 'min' | 'max' | 'median' | 'quantile'
 *       column: count -> any column, or omitted for count(*); sum/mean/median/quantile -> a float or
 *       int column; min/max -> float, int or date (dates in days since 1970-01-01)
 *       q: for 'quantile' only, in [0, 1]
 *       as: result key; default `${agg}_${column}` ("count" for count(*), `quantile_${q}_${column}`)
 *     ratios?: { as, numerator, denominator }[]   two measure aliases, computed after aggregation
 *                                                  (e.g. cost-to-income = sum_costToServe / sum_revenue)
 *     share?: boolean                              each group's share of the total of every 'sum'
 *                                                  measure, and of the row count
 *     filter?: FilterSpec                          (see filter.ts) rows outside it are ignored
 *   }
 *
 * Result (RollupResult):
 *   levels:  [{ name, labels, missing }]   per level, the labels listed, in result order; `missing`
 *                                          tells whether the last one is the missing-value group
 *   groups:  [{ keys, count, values, share?, countShare? }]
 *            keys: one label per level; count: rows (count(*)); values: measure and ratio aliases
 *            -> number | null; share: sum-measure aliases -> group / total (null when either is null
 *            or the total is 0); countShare: count / total count (null when no rows matched)
 *   total:   same shape for all matched rows (keys [])
 *   rows:    { scanned, matched }   rows read, rows that passed the filter
 *   excluded: { nan, nanByColumn }  NaN values met in measured columns among matched rows
 *
 * Semantics (each checked against DuckDB in the tests):
 * - Nulls in a measured column are skipped as in SQL: count(col) counts non-null values, sum/mean/
 *   min/max/median over no values are null, count over none is 0.
 * - NaN is not a value: it is excluded from every aggregate of its column (count(col) too, which
 *   differs from SQL's count) and counted in `excluded`, so a single NaN never turns a segment's
 *   sum into NaN unnoticed. ±Infinity are values (sum(+Inf, -Inf) = NaN, as in SQL).
 * - Sums are exact sums of per-batch sums, correctly rounded (exact-sum.ts): bit-identical for
 *   any split of the batches over workers. mean = sum / count(col).
 * - median / quantile: DuckDB's quantile_cont (quantiles.ts); exact, merged without re-sorting.
 * - A ratio is null when either side is null or the denominator is 0.
 * - Groups and their order: see dimension.ts. With one level, a category column lists the labels
 *   that have rows; tier/bins/tag list every label of their fixed list, empty ones with count 0 and
 *   null aggregates. With two levels, if either level has a fixed label list, every combination
 *   of the two levels' listed labels appears (a full matrix, empty cells included); if both are
 *   category columns, only combinations with rows appear. Order: level 1 label order, then level 2.
 * - A dataset with no rows at all is an error (SpecError on "dataset"): there is nothing to
 *   segment, and an empty chart would hide that the data did not load. A filter that matches no
 *   row is not an error (total.count 0).
 *
 * Speed (1M-10M rows): per batch, a row's group is `groupOf[code]`, an Int32Array lookup from the
 * dimension's dictionary or bin code (two levels: code1 * width + code2); lookups are built once
 * per dictionary. The filter is a byte mask. Sums of columns without nulls run fused, up to four
 * per pass, as plain additions, counting rows on the way; a batch whose sums come out NaN is
 * summed again skipping NaN (group-loops.ts). Other aggregates take one typed-array pass per
 * column. Quantile values are radix-sorted per group. No per-row allocation, Map, string or
 * closure (two category levels whose code combinations exceed 8M fall back to a Map per row).
 */
import { Type, type RecordBatch } from 'apache-arrow';
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';
import { SpecError, type KernelContext, type KernelDef, type RowBatch } from './kernel.js';
import { requireColumn, type ColumnKind } from './columns.js';
import { LabelCache } from './category-codes.js';
import { bitmapOf, columnData } from './column-data.js';
import { RowFilter, validateFilter, type FilterSpec } from './filter.js';
import { selectiveRows } from './filtered-rows.js';
import { compareLabels, dimensionName, DimensionCompiler, fixedLabels, missingLabel, validateDimension, type Dimension } from './dimension.js';
import { exactAdd, exactMerge, exactValue, newExactSum, type ExactSum } from './exact-sum.js';
import { quantileCont, segment, sortByGroup, type SortedGroups } from './quantiles.js';
import {
  anyNaN, appendValues, countRows, countRowsMasked, minMax, skippedOnly, sum1, sum1Masked, sum2, sum2Masked, sum3, sum3Masked, sum4, sum4Masked, sumChecked, type Values,
} from './group-loops.js';
import { describe, requireArray, requireObject, requireString } from './spec-checks.js';

export const SEGMENT_ROLLUP = 'segment-rollup';
const K = SEGMENT_ROLLUP;

export type RollupAgg = 'count' | 'sum' | 'mean' | 'min' | 'max' | 'median' | 'quantile';
export const ROLLUP_AGGS: readonly RollupAgg[] = ['count', 'sum', 'mean', 'min', 'max', 'median', 'quantile'];

export interface RollupMeasure {
  readonly column?: string;
  readonly agg: RollupAgg;
  readonly q?: number;
  readonly as?: string;
}

export interface RollupRatio {
  readonly as: string;
  readonly numerator: string;
  readonly denominator: string;
}

export interface SegmentRollupSpec {
  readonly by: Dimension | readonly Dimension[];
  readonly measures?: readonly RollupMeasure[];
  readonly ratios?: readonly RollupRatio[];
  readonly share?: boolean;
  readonly filter?: FilterSpec;
}

/** The validated spec: defaults filled in, `by` always a list, every measure has `as`. */
export interface ValidRollupSpec {
  readonly by: readonly Dimension[];
  readonly measures: readonly (RollupMeasure & { readonly as: string })[];
  readonly ratios: readonly RollupRatio[];
  readonly share: boolean;
  readonly filter?: FilterSpec;
}

export interface RollupRow {
  readonly keys: string[];
  readonly count: number;
  readonly values: Record<string, number | null>;
  readonly share?: Record<string, number | null>;
  readonly countShare?: number | null;
}

export interface RollupResult {
  readonly levels: { readonly name: string; readonly labels: string[]; readonly missing: boolean }[];
  readonly groups: RollupRow[];
  readonly total: RollupRow;
  readonly rows: { readonly scanned: number; readonly matched: number };
  readonly excluded: { readonly nan: number; readonly nanByColumn: Record<string, number> };
}

const KINDS_BY_AGG: Record<RollupAgg, readonly ColumnKind[]> = {
  count: ['category', 'float', 'int', 'date', 'bool', 'string'],
  sum: ['float', 'int'],
  mean: ['float', 'int'],
  min: ['float', 'int', 'date'],
  max: ['float', 'int', 'date'],
  median: ['float', 'int'],
  quantile: ['float', 'int'],
};

function defaultAlias(agg: RollupAgg, column: string | undefined, q: number | undefined): string {
  if (column === undefined) return 'count';
  return agg === 'quantile' ? `quantile_${q}_${column}` : `${agg}_${column}`;
}

/** A measure or ratio name: a key of every result row's `values`, where "__proto__" would vanish. */
function resultName(field: string, v: unknown): string {
  const as = requireString(K, field, v);
  if (as === '__proto__') throw new SpecError(K, field, 'cannot be "__proto__" (a reserved name in JavaScript objects); choose another name.');
  return as;
}

export function validateRollupSpec(spec: unknown, schema: readonly ColumnInfo[]): ValidRollupSpec {
  const obj = requireObject(K, '', spec, ['by', 'measures', 'ratios', 'share', 'filter']);
  if (obj.by === undefined) throw new SpecError(K, 'by', 'is required: a dimension or a list of one or two dimensions.');
  let by: Dimension[];
  if (Array.isArray(obj.by)) {
    if (obj.by.length < 1 || obj.by.length > 2) throw new SpecError(K, 'by', `must list one or two dimensions; got ${obj.by.length}.`);
    by = obj.by.map((d, i) => validateDimension(K, `by[${i}]`, d, schema));
  } else {
    by = [validateDimension(K, 'by', obj.by, schema)];
  }
  const aliases = new Set<string>();
  const measures = requireArray(K, 'measures', obj.measures ?? []).map((m, i) => {
    const f = `measures[${i}]`;
    const mo = requireObject(K, f, m, ['column', 'agg', 'q', 'as']);
    const agg = mo.agg as RollupAgg;
    if (typeof agg !== 'string' || !ROLLUP_AGGS.includes(agg)) throw new SpecError(K, `${f}.agg`, `must be one of ${ROLLUP_AGGS.join(', ')}; got ${describe(mo.agg)}.`);
    const column = agg === 'count' && mo.column === undefined ? undefined : requireColumn(K, `${f}.column`, mo.column, schema, KINDS_BY_AGG[agg]);
    let q: number | undefined;
    if (agg === 'quantile') {
      if (typeof mo.q !== 'number' || !(mo.q >= 0 && mo.q <= 1)) throw new SpecError(K, `${f}.q`, `must be a number from 0 to 1 for a quantile; got ${describe(mo.q)}.`);
      q = mo.q;
    } else if (mo.q !== undefined) {
      throw new SpecError(K, `${f}.q`, `applies only to agg "quantile" (agg is "${agg}").`);
    }
    const as = mo.as === undefined ? defaultAlias(agg, column, q) : resultName(`${f}.as`, mo.as);
    if (aliases.has(as)) throw new SpecError(K, `${f}.as`, `repeats the result name ${describe(as)}; give each measure a distinct "as".`);
    aliases.add(as);
    return { ...(column !== undefined ? { column } : {}), agg, ...(q !== undefined ? { q } : {}), as };
  });
  const measureAliases = new Set(aliases);
  const ratios = requireArray(K, 'ratios', obj.ratios ?? []).map((r, i) => {
    const f = `ratios[${i}]`;
    const ro = requireObject(K, f, r, ['as', 'numerator', 'denominator']);
    const as = resultName(`${f}.as`, ro.as);
    if (aliases.has(as)) throw new SpecError(K, `${f}.as`, `repeats the result name ${describe(as)}.`);
    aliases.add(as);
    const side = (key: 'numerator' | 'denominator') => {
      const v = requireString(K, `${f}.${key}`, ro[key]);
      if (!measureAliases.has(v)) throw new SpecError(K, `${f}.${key}`, `must name a measure ("as" of one of: ${[...measureAliases].join(', ') || 'none'}); got ${describe(v)}.`);
      return v;
    };
    return { as, numerator: side('numerator'), denominator: side('denominator') };
  });
  if (obj.share !== undefined && typeof obj.share !== 'boolean') throw new SpecError(K, 'share', `must be true or false; got ${describe(obj.share)}.`);
  const filter = validateFilter(K, 'filter', obj.filter, schema);
  return { by, measures, ratios, share: obj.share === true, ...(filter ? { filter } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Partial

interface ColumnPlan {
  readonly column: string;
  readonly sum: boolean;
  readonly minMax: boolean;
  readonly values: boolean;
}

export interface ColumnPartial {
  readonly column: string;
  readonly nan: number;
  /** Non-null, non-NaN values per group. */
  readonly count: Float64Array;
  readonly sums: ExactSum[] | null;
  readonly min: Float64Array | null;
  readonly max: Float64Array | null;
  readonly sorted: SortedGroups | null;
}

export interface RollupPartial {
  readonly scanned: number;
  /** Per level, the label of each level slot; null is the missing group. */
  readonly levels: (string | null)[][];
  /** groups x levels level slots, row-major. */
  readonly groupLevels: Int32Array;
  /** Matched rows per group (0 for labels registered but not met). */
  readonly rows: Float64Array;
  readonly columns: ColumnPartial[];
}

/** Measured columns in order of first use, with the state each needs (count is always kept). */
function columnPlans(spec: ValidRollupSpec): ColumnPlan[] {
  const plans = new Map<string, { sum: boolean; minMax: boolean; values: boolean }>();
  for (const m of spec.measures) {
    if (m.column === undefined) continue;
    const p = plans.get(m.column) ?? { sum: false, minMax: false, values: false };
    if (m.agg === 'sum' || m.agg === 'mean') p.sum = true;
    if (m.agg === 'min' || m.agg === 'max') p.minMax = true;
    if (m.agg === 'median' || m.agg === 'quantile') p.values = true;
    plans.set(m.column, p);
  }
  return [...plans].map(([column, p]) => ({ column, ...p }));
}

/** Level slot registry: label -> slot, with the missing group kept apart from every label. */
class LevelRegistry {
  readonly labels: (string | null)[] = [];
  private readonly byLabel = new Map<string, number>();
  private missingSlot = -1;
  private readonly remaps = new WeakMap<readonly string[], Int32Array>();

  /** Batch code -> level slot for a label list (index labels.length = missing). */
  remap(labels: readonly string[]): Int32Array {
    let r = this.remaps.get(labels);
    if (!r) {
      r = new Int32Array(labels.length + 1);
      for (let k = 0; k < labels.length; k++) {
        let s = this.byLabel.get(labels[k]);
        if (s === undefined) {
          s = this.labels.push(labels[k]) - 1;
          this.byLabel.set(labels[k], s);
        }
        r[k] = s;
      }
      if (this.missingSlot < 0) this.missingSlot = this.labels.push(null) - 1;
      r[labels.length] = this.missingSlot;
      this.remaps.set(labels, r);
    }
    return r;
  }
}

/** Two levels with at most this many code combinations register them all up front. */
const EAGER_COMBOS = 4096;
/** Largest batch-code combination table (entries) before falling back to a Map per row. */
const MAX_COMBO_TABLE = 1 << 23;

interface ColumnRead {
  /** Values of a float/int/date column; null for a column that is only counted (category...). */
  readonly v: Values | null;
  readonly bitmap: Uint8Array | null;
  readonly offset: number;
}

class ColumnAcc {
  nan = 0;
  /**
   * Rows per group whose value is null or NaN. count(col) = rows - skipped: counting the rare
   * skipped rows instead of every value keeps one increment per row out of the hot loops.
   */
  skipped: Float64Array = new Float64Array(0);
  /** This batch's plain sums per group, folded into `sums` (exact) after every batch. */
  bsum: Float64Array | null = null;
  sums: ExactSum[] | null = null;
  min: Float64Array | null = null;
  max: Float64Array | null = null;
  valSlots: Int32Array | null = null;
  vals: Float64Array | null = null;
  nVals = 0;

  constructor(readonly plan: ColumnPlan) {
    if (plan.sum) {
      this.bsum = new Float64Array(0);
      this.sums = [];
    }
    if (plan.minMax) {
      this.min = new Float64Array(0);
      this.max = new Float64Array(0);
    }
    if (plan.values) {
      this.valSlots = new Int32Array(1024);
      this.vals = new Float64Array(1024);
    }
  }

  grow(cap: number, n: number): void {
    this.skipped = growF64(this.skipped, cap, n, 0);
    if (this.bsum) this.bsum = growF64(this.bsum, cap, n, 0);
    if (this.min) this.min = growF64(this.min, cap, n, Infinity);
    if (this.max) this.max = growF64(this.max, cap, n, -Infinity);
  }

  addGroup(): void {
    this.sums?.push(newExactSum());
  }

  read(batch: RecordBatch): ColumnRead {
    const data = columnData(batch, this.plan.column);
    const bitmap = bitmapOf(data);
    const t = data.type.typeId;
    const numeric = t === Type.Float || t === Type.Int || t === Type.Date;
    // count(col) of a category, string or bool column: non-null values.
    if (!numeric && !this.bsum && !this.min && !this.vals) return { v: null, bitmap, offset: data.offset };
    const v: unknown = data.values;
    if (!numeric || !(v instanceof Float64Array || v instanceof Int32Array)) {
      throw new Error(`Column "${this.plan.column}" is ${String(data.type)}; kernels read Float64, Int32 and DateDay.`);
    }
    return { v, bitmap, offset: data.offset };
  }

  ensureValues(extra: number): void {
    const need = this.nVals + extra;
    if (need <= this.vals!.length) return;
    const cap = Math.max(need, this.vals!.length * 2);
    const vs = new Float64Array(cap);
    vs.set(this.vals!.subarray(0, this.nVals));
    const ss = new Int32Array(cap);
    ss.set(this.valSlots!.subarray(0, this.nVals));
    this.vals = vs;
    this.valSlots = ss;
  }

  /**
   * Folds this batch's sums into the exact accumulators and clears them. With more groups than
   * rows (two wide dimensions) it visits the batch's rows instead of every group.
   */
  fold(groups: number, n: number, keys: ArrayLike<number>, remap: Int32Array): void {
    if (!this.bsum) return;
    const bsum = this.bsum;
    const sums = this.sums!;
    if (groups <= n) {
      for (let g = 0; g < groups; g++) {
        const x = bsum[g];
        if (x !== 0) {
          exactAdd(sums[g], x);
          bsum[g] = 0;
        }
      }
      return;
    }
    for (let i = 0; i < n; i++) {
      const g = remap[keys[i]];
      if (g < 0) continue;
      const x = bsum[g];
      if (x !== 0) {
        exactAdd(sums[g], x);
        bsum[g] = 0;
      }
    }
  }

  finish(groups: number, rows: Float64Array): ColumnPartial {
    const count = new Float64Array(groups);
    for (let g = 0; g < groups; g++) count[g] = rows[g] - this.skipped[g];
    return {
      column: this.plan.column,
      nan: this.nan,
      count,
      sums: this.sums,
      min: this.min ? this.min.slice(0, groups) : null,
      max: this.max ? this.max.slice(0, groups) : null,
      sorted: this.vals ? sortByGroup(this.valSlots!, this.vals, this.nVals, groups) : null,
    };
  }
}

function growF64(a: Float64Array, cap: number, n: number, fill: number): Float64Array {
  if (a.length >= cap) return a;
  const b = new Float64Array(cap);
  b.set(a.subarray(0, n));
  if (fill !== 0) b.fill(fill, n);
  return b;
}

/**
 * Every column's work for one batch. Row i belongs to group remap[keys[i]] (skipped when negative
 * or masked out). Sums of columns without nulls run fused, four columns per pass, and count the
 * group rows on the way when `rows` is given; a column whose batch sums come out NaN is redone
 * with the NaN-skipping loop.
 */
function accumulateBatch(
  batch: RecordBatch, n: number, keys: ArrayLike<number>, remap: Int32Array, mask: Uint8Array | null, rows: Float64Array | null,
  accs: readonly ColumnAcc[], groups: number,
): void {
  const reads = accs.map((a) => a.read(batch));
  // The branch-free masked loops need every key to map to a group (see group-loops.ts).
  let maskMayDrop = false;
  if (mask !== null) for (let k = 0; k < remap.length; k++) if (remap[k] < 0) maskMayDrop = true;
  // Fused plain sums when the groups are few enough to check their sums for NaN afterwards.
  const fused: number[] = [];
  for (let k = 0; k < accs.length; k++) {
    const a = accs[k], r = reads[k];
    if (!a.bsum) continue;
    if (r.bitmap === null && groups <= n) fused.push(k);
    else a.nan += sumChecked(n, keys, remap, mask, r.v!, r.bitmap, r.offset, a.bsum, a.skipped);
  }
  let countInto = rows;
  for (let f = 0; f < fused.length; f += 4) {
    const m = Math.min(4, fused.length - f);
    const A = fused.slice(f, f + m).map((k) => accs[k]);
    const V = fused.slice(f, f + m).map((k) => reads[k].v!);
    if (mask !== null && !maskMayDrop) {
      if (m === 1) sum1Masked(n, keys, remap, mask, countInto, V[0], A[0].bsum!);
      else if (m === 2) sum2Masked(n, keys, remap, mask, countInto, V[0], A[0].bsum!, V[1], A[1].bsum!);
      else if (m === 3) sum3Masked(n, keys, remap, mask, countInto, V[0], A[0].bsum!, V[1], A[1].bsum!, V[2], A[2].bsum!);
      else sum4Masked(n, keys, remap, mask, countInto, V[0], A[0].bsum!, V[1], A[1].bsum!, V[2], A[2].bsum!, V[3], A[3].bsum!);
    } else if (m === 1) sum1(n, keys, remap, mask, countInto, V[0], A[0].bsum!);
    else if (m === 2) sum2(n, keys, remap, mask, countInto, V[0], A[0].bsum!, V[1], A[1].bsum!);
    else if (m === 3) sum3(n, keys, remap, mask, countInto, V[0], A[0].bsum!, V[1], A[1].bsum!, V[2], A[2].bsum!);
    else sum4(n, keys, remap, mask, countInto, V[0], A[0].bsum!, V[1], A[1].bsum!, V[2], A[2].bsum!, V[3], A[3].bsum!);
    countInto = null;
    for (let j = 0; j < m; j++) {
      // A NaN value (or +Inf + -Inf) in this batch: redo the column, skipping and counting NaN.
      const a = A[j];
      if (!anyNaN(a.bsum!, groups)) continue;
      a.bsum!.fill(0, 0, groups);
      a.nan += sumChecked(n, keys, remap, mask, V[j], null, 0, a.bsum!, a.skipped);
    }
  }
  if (countInto !== null) {
    if (mask !== null && !maskMayDrop) countRowsMasked(n, keys, remap, mask, countInto);
    else countRows(n, keys, remap, mask, countInto);
  }
  for (let k = 0; k < accs.length; k++) {
    const a = accs[k], r = reads[k];
    // Columns without a sum loop count their skipped rows (and NaN) here, exactly once.
    if (a.min) a.nan += minMax(n, keys, remap, mask, r.v!, r.bitmap, r.offset, a.min, a.max!, a.bsum ? null : a.skipped);
    else if (!a.bsum) a.nan += skippedOnly(n, keys, remap, mask, r.v, r.bitmap, r.offset, a.skipped);
    if (a.vals) {
      a.ensureValues(n);
      a.nVals = appendValues(n, keys, remap, mask, r.v!, r.bitmap, r.offset, a.valSlots!, a.vals!, a.nVals);
    }
    a.fold(groups, n, keys, remap);
  }
}

/** Groups of one map call: level slots per group, matched rows, and every column's state. */
class GroupTable {
  n = 0;
  cap = 0;
  rows: Float64Array = new Float64Array(0);
  levelSlots: Int32Array = new Int32Array(0);
  private readonly byLevels = new Map<number, number>();

  constructor(readonly nLevels: number, readonly accs: ColumnAcc[]) {}

  /** The group of level slots (s1, s2), created on first use. Called once per new combination per batch table. */
  group(s1: number, s2: number): number {
    const key = s1 * 0x4000000 + s2;
    let g = this.byLevels.get(key);
    if (g === undefined) {
      g = this.n;
      if (g === this.cap) {
        const cap = Math.max(16, this.cap * 2);
        this.rows = growF64(this.rows, cap, this.n, 0);
        const ls = new Int32Array(cap * this.nLevels);
        ls.set(this.levelSlots);
        this.levelSlots = ls;
        for (const a of this.accs) a.grow(cap, this.n);
        this.cap = cap;
      }
      this.levelSlots[g * this.nLevels] = s1;
      if (this.nLevels > 1) this.levelSlots[g * this.nLevels + 1] = s2;
      for (const a of this.accs) a.addGroup();
      this.n++;
      this.byLevels.set(key, g);
    }
    return g;
  }
}

async function mapRollup(stored: readonly RowBatch[], spec: ValidRollupSpec, ctx: KernelContext): Promise<RollupPartial> {
  const labelCache = new LabelCache();
  // A selective filter: only the rows that pass, through the filtered views (SELECTIVE_SHARE).
  const views = selectiveRows(stored, spec.filter);
  const rows = views ?? stored;
  const filter = new RowFilter(views ? undefined : spec.filter, labelCache);
  const dims = spec.by.map((d) => new DimensionCompiler(d, labelCache));
  const registries = spec.by.map(() => new LevelRegistry());
  const accs = columnPlans(spec).map((p) => new ColumnAcc(p));
  const table = new GroupTable(spec.by.length, accs);
  const two = spec.by.length === 2;
  // One level: batch code -> group, every code registered up front (per label list).
  const codeGroups = new WeakMap<readonly string[], Int32Array>();
  // Two levels, few combinations: every combination registered up front (per label lists).
  const pairGroups = new WeakMap<readonly string[], WeakMap<readonly string[], Int32Array>>();
  // Two levels, many combinations: batch-code combination -> group on first use; -1 = not yet.
  let combo: Int32Array | null = null;
  let comboKey1: readonly string[] | null = null;
  let comboKey2: readonly string[] | null = null;
  let comboMap: Map<number, number> | null = null;
  // Two levels: slots[i] = group + 1 (0 = filtered out), read through `shifted` (k -> k - 1).
  let slots = new Int32Array(0);
  let shifted = new Int32Array([-1]);
  let scanned = 0;
  const totalRows = stored.reduce((s, r) => s + r.batch.numRows, 0);

  for (let b = 0; b < rows.length; b++) {
    const { batch } = rows[b];
    await ctx.checkpoint();
    const n = batch.numRows;
    scanned += stored[b].batch.numRows;
    if (n === 0) continue;
    const mask = filter.mask(batch);
    const d1 = dims[0].codes(batch);
    const r1 = registries[0].remap(d1.labels);
    if (!two) {
      let groupOf = codeGroups.get(d1.labels);
      if (!groupOf) {
        groupOf = new Int32Array(r1.length);
        for (let k = 0; k < r1.length; k++) groupOf[k] = table.group(r1[k], 0);
        codeGroups.set(d1.labels, groupOf);
      }
      accumulateBatch(batch, n, d1.codes, groupOf, mask, table.rows, accs, table.n);
    } else {
      const d2 = dims[1].codes(batch);
      const r2 = registries[1].remap(d2.labels);
      const w2 = d2.labels.length + 1;
      const size = (d1.labels.length + 1) * w2;
      const c1 = d1.codes, c2 = d2.codes;
      if (slots.length < n) slots = new Int32Array(n);
      const s = slots.subarray(0, n);
      if (size <= EAGER_COMBOS) {
        // Few combinations (e.g. tier x region): register them all, key = code1 * w2 + code2.
        let byLabels2 = pairGroups.get(d1.labels);
        if (!byLabels2) pairGroups.set(d1.labels, (byLabels2 = new WeakMap()));
        let groupOf = byLabels2.get(d2.labels);
        if (!groupOf) {
          groupOf = new Int32Array(size);
          for (let a = 0; a < r1.length; a++) for (let b = 0; b < r2.length; b++) groupOf[a * w2 + b] = table.group(r1[a], r2[b]);
          byLabels2.set(d2.labels, groupOf);
        }
        for (let i = 0; i < n; i++) s[i] = c1[i] * w2 + c2[i];
        accumulateBatch(batch, n, s, groupOf, mask, table.rows, accs, table.n);
        ctx.progress(totalRows > 0 ? scanned / totalRows : 1);
        continue;
      }
      if ((combo === null && comboMap === null) || comboKey1 !== d1.labels || comboKey2 !== d2.labels) {
        comboKey1 = d1.labels;
        comboKey2 = d2.labels;
        combo = size <= MAX_COMBO_TABLE ? new Int32Array(size).fill(-1) : null;
        comboMap = combo === null ? new Map() : null;
      }
      let counts = table.rows;
      for (let i = 0; i < n; i++) {
        if (mask !== null && mask[i] === 0) {
          s[i] = 0;
          continue;
        }
        const a = c1[i], b = c2[i];
        const cc = a * w2 + b;
        let g: number;
        if (combo !== null) {
          g = combo[cc];
          if (g < 0) {
            g = combo[cc] = table.group(r1[a], r2[b]);
            counts = table.rows;
          }
        } else {
          const known = comboMap!.get(cc);
          if (known === undefined) {
            g = table.group(r1[a], r2[b]);
            comboMap!.set(cc, g);
            counts = table.rows;
          } else g = known;
        }
        s[i] = g + 1;
        counts[g]++;
      }
      if (shifted.length < table.n + 1) {
        shifted = new Int32Array(Math.max(table.n + 1, shifted.length * 2));
        for (let k = 0; k < shifted.length; k++) shifted[k] = k - 1;
      }
      accumulateBatch(batch, n, s, shifted, null, null, accs, table.n);
    }
    ctx.progress(totalRows > 0 ? scanned / totalRows : 1);
  }
  const groups = table.n;
  return {
    scanned,
    levels: registries.map((r) => r.labels),
    groupLevels: table.levelSlots.slice(0, groups * spec.by.length),
    rows: table.rows.slice(0, groups),
    columns: accs.map((a) => a.finish(groups, table.rows)),
  };
}

// ---------------------------------------------------------------------------------------------
// Reduce

interface MergedColumn {
  count: number;
  sum: ExactSum;
  min: number;
  max: number;
  arrays: Float64Array[];
}

interface MergedGroup {
  readonly labels: (string | null)[];
  rows: number;
  readonly cols: MergedColumn[];
}

function emptyMerged(labels: (string | null)[], nCols: number): MergedGroup {
  return { labels, rows: 0, cols: Array.from({ length: nCols }, () => ({ count: 0, sum: newExactSum(), min: Infinity, max: -Infinity, arrays: [] })) };
}

function mergeGroupInto(target: MergedGroup, source: MergedGroup): void {
  target.rows += source.rows;
  source.cols.forEach((c, k) => {
    const t = target.cols[k];
    t.count += c.count;
    exactMerge(t.sum, c.sum);
    if (c.min < t.min) t.min = c.min;
    if (c.max > t.max) t.max = c.max;
    for (const a of c.arrays) t.arrays.push(a);
  });
}

function reduceRollup(partials: RollupPartial[], spec: ValidRollupSpec): RollupResult {
  const scanned = partials.reduce((s, p) => s + p.scanned, 0);
  if (scanned === 0) throw new SpecError(K, 'dataset', 'has no rows (a zero-row table): there is nothing to segment. Load data with at least one row.');
  const nLevels = spec.by.length;
  const plans = partials[0].columns.map((c) => c.column);
  const nCols = plans.length;
  const nanByColumn: Record<string, number> = {};
  for (const c of plans) nanByColumn[c] = 0;

  const merged = new Map<string, MergedGroup>();
  for (const p of partials) {
    p.columns.forEach((c) => (nanByColumn[c.column] += c.nan));
    for (let g = 0; g < p.rows.length; g++) {
      // One-level partials register every dictionary label up front; only groups with rows count.
      if (p.rows[g] === 0) continue;
      const labels: (string | null)[] = [];
      for (let l = 0; l < nLevels; l++) labels.push(p.levels[l][p.groupLevels[g * nLevels + l]]);
      const key = JSON.stringify(labels);
      let m = merged.get(key);
      if (!m) merged.set(key, (m = emptyMerged(labels, nCols)));
      m.rows += p.rows[g];
      p.columns.forEach((c, k) => {
        const t = m!.cols[k];
        t.count += c.count[g];
        if (c.sums) exactMerge(t.sum, c.sums[g]);
        if (c.min && c.min[g] < t.min) t.min = c.min[g];
        if (c.max && c.max[g] > t.max) t.max = c.max[g];
        if (c.sorted) {
          const seg = segment(c.sorted, g);
          if (seg.length > 0) t.arrays.push(seg);
        }
      });
    }
  }

  // Listed labels per level (null = missing group), in result order.
  const anyFixed = spec.by.some((d) => fixedLabels(d) !== null);
  const levelLists = levelLabelLists(spec.by, merged.values());
  const rank = levelLists.map((list) => new Map(list.map((lab, i) => [lab === null ? '\u0000missing' : `=${lab}`, i])));
  const rankOf = (l: number, lab: string | null) => rank[l].get(lab === null ? '\u0000missing' : `=${lab}`)!;

  let listed: MergedGroup[];
  if (anyFixed) {
    listed = [];
    const combos: (string | null)[][] = nLevels === 1 ? levelLists[0].map((a) => [a]) : levelLists[0].flatMap((a) => levelLists[1].map((b) => [a, b]));
    for (const labels of combos) listed.push(merged.get(JSON.stringify(labels)) ?? emptyMerged(labels, nCols));
  } else {
    listed = [...merged.values()].sort((a, b) => {
      for (let l = 0; l < nLevels; l++) {
        const d = rankOf(l, a.labels[l]) - rankOf(l, b.labels[l]);
        if (d !== 0) return d;
      }
      return 0;
    });
  }

  const total = emptyMerged([], nCols);
  for (const m of merged.values()) mergeGroupInto(total, m);

  const colIndex = new Map(plans.map((c, k) => [c, k]));
  const sumAliases = spec.measures.filter((m) => m.agg === 'sum').map((m) => ({ as: m.as, k: colIndex.get(m.column!)! }));
  const totalSums = new Map(sumAliases.map(({ as, k }) => [as, total.cols[k].count > 0 ? exactValue(total.cols[k].sum) : null]));

  const rowOf = (m: MergedGroup, keys: string[]): RollupRow => {
    const values: Record<string, number | null> = {};
    for (const ms of spec.measures) {
      const c = ms.column === undefined ? null : m.cols[colIndex.get(ms.column)!];
      let v: number | null;
      switch (ms.agg) {
        case 'count':
          v = c === null ? m.rows : c.count;
          break;
        case 'sum':
          v = c!.count > 0 ? exactValue(c!.sum) : null;
          break;
        case 'mean':
          v = c!.count > 0 ? exactValue(c!.sum) / c!.count : null;
          break;
        case 'min':
          v = c!.count > 0 ? c!.min + 0 : null;
          break;
        case 'max':
          v = c!.count > 0 ? c!.max + 0 : null;
          break;
        case 'median':
          v = quantileCont(c!.arrays, 0.5);
          break;
        case 'quantile':
          v = quantileCont(c!.arrays, ms.q!);
          break;
      }
      values[ms.as] = v;
    }
    for (const r of spec.ratios) {
      const a = values[r.numerator], b = values[r.denominator];
      values[r.as] = a === null || b === null || b === 0 ? null : a / b;
    }
    if (!spec.share) return { keys, count: m.rows, values };
    const share: Record<string, number | null> = {};
    for (const { as } of sumAliases) {
      const v = values[as], t = totalSums.get(as)!;
      share[as] = v === null || t === null || t === 0 ? null : v / t;
    }
    return { keys, count: m.rows, values, share, countShare: total.rows > 0 ? m.rows / total.rows : null };
  };

  const names = spec.by.map((d) => missingLabel(d));
  return {
    levels: spec.by.map((d, l) => ({ name: dimensionName(d), labels: levelLists[l].map((lab) => lab ?? names[l]), missing: levelLists[l].includes(null) })),
    groups: listed.map((m) => rowOf(m, m.labels.map((lab, l) => lab ?? names[l]))),
    total: rowOf(total, []),
    rows: { scanned, matched: total.rows },
    excluded: { nan: Object.values(nanByColumn).reduce((s, x) => s + x, 0), nanByColumn },
  };
}

/**
 * The labels listed per level (null = the missing group, last), in result order: a fixed list
 * (tiers, bins, tags, clusters) as given, else the labels that have rows in code point order.
 * Shared with the remote engine, so both list groups the same way.
 */
export function levelLabelLists(by: readonly Dimension[], groups: Iterable<{ readonly labels: readonly (string | null)[] }>): (string | null)[][] {
  const all = [...groups];
  return by.map((d, l) => {
    const seen = new Set<string>();
    let missing = false;
    for (const g of all) {
      const lab = g.labels[l];
      if (lab === null) missing = true;
      else seen.add(lab);
    }
    const fixed = fixedLabels(d);
    const list: (string | null)[] = fixed ? [...fixed] : [...seen].sort(compareLabels);
    if (missing) list.push(null);
    return list;
  });
}

export const segmentRollup: KernelDef<ValidRollupSpec, RollupPartial, RollupResult> = {
  name: SEGMENT_ROLLUP,
  // Reads spec.filter itself (a byte mask per batch), rather than the runner gathering rows.
  filters: 'native',
  validate: validateRollupSpec,
  map: (rows, spec, _params, ctx) => mapRollup(rows, spec, ctx),
  reduce: (partials, spec) => reduceRollup(partials, spec),
};
