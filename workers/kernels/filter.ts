/**
 * Row filters for kernels: a declarative, validated spec compiled once per batch into a byte mask.
 *
 *   { all?: Condition[]; any?: Condition[] }
 *   Condition = { column, op, value?, values? }
 *
 * Meaning: a row passes when it satisfies every condition of `all` AND at least one condition of
 * `any`. An absent or empty list imposes no constraint (so `{}` and `{ any: [] }` pass every row;
 * a filter builder can always emit both lists).
 *
 * Operators, by column kind (kindOf in columns.ts):
 *   category  eq ne in notIn isNull notNull   compared by LABEL (dictionary codes differ per chunk)
 *   float/int eq ne lt lte gt gte between in notIn isNull notNull   by value
 *   date      same as float/int; values are 'YYYY-MM-DD' strings in the spec (a real calendar date)
 *   bool      eq ne (value true/false) isNull notNull
 *   string    isNull notNull (free text is not compared row by row in kernels)
 * `value` goes with eq ne lt lte gt gte; `values` with in notIn (any length; `in []` matches no
 * row) and between ([low, high], inclusive both ends as SQL BETWEEN, low <= high).
 *
 * Nulls (SQL semantics): a null never satisfies a comparison, including ne and notIn; only
 * isNull matches it. NaN in a float column is treated like a null for comparisons (it satisfies no
 * eq/ne/lt/.../in/notIn) but it is not null: isNull does not match it, notNull does. -0 equals 0.
 *
 * Speed: `RowFilter.mask(batch)` evaluates one condition at a time over the whole batch with a
 * monomorphic typed-array loop (no per-row closure or allocation) and combines byte masks.
 * Category conditions precompute a Uint8Array of allowed dictionary codes, once per dictionary.
 */
import { DateUnit, Type, type DateDay, type RecordBatch } from 'apache-arrow';
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';
import { SpecError } from './kernel.js';
import { kindOf, requireColumn, type ColumnKind } from './columns.js';
import { LabelCache } from './category-codes.js';
import { bitmapOf, columnData } from './column-data.js';
import { describe, requireArray, requireObject } from './spec-checks.js';
import { parseIsoDay } from './iso-day.js';

export { parseIsoDay };

export type FilterOp = 'eq' | 'ne' | 'in' | 'notIn' | 'lt' | 'lte' | 'gt' | 'gte' | 'between' | 'isNull' | 'notNull';
export type FilterValue = string | number | boolean;

export interface FilterCondition {
  readonly column: string;
  readonly op: FilterOp;
  readonly value?: FilterValue;
  readonly values?: readonly FilterValue[];
}

export interface FilterSpec {
  readonly all?: readonly FilterCondition[];
  readonly any?: readonly FilterCondition[];
}

export const FILTER_OPS: readonly FilterOp[] = ['eq', 'ne', 'in', 'notIn', 'lt', 'lte', 'gt', 'gte', 'between', 'isNull', 'notNull'];

const OPS_BY_KIND: Record<string, readonly FilterOp[]> = {
  category: ['eq', 'ne', 'in', 'notIn', 'isNull', 'notNull'],
  float: FILTER_OPS,
  int: FILTER_OPS,
  date: FILTER_OPS,
  bool: ['eq', 'ne', 'isNull', 'notNull'],
  string: ['isNull', 'notNull'],
};
const FILTERABLE: readonly ColumnKind[] = ['category', 'float', 'int', 'date', 'bool', 'string'];
const SCALAR_OPS: readonly FilterOp[] = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte'];
const LIST_OPS: readonly FilterOp[] = ['in', 'notIn'];

function checkValue(kernel: string, field: string, kind: ColumnKind, v: unknown): FilterValue {
  switch (kind) {
    case 'category':
      if (typeof v !== 'string') throw new SpecError(kernel, field, `must be a category label (a string); got ${describe(v)}.`);
      return v;
    case 'float':
    case 'int':
      if (typeof v !== 'number' || Number.isNaN(v)) throw new SpecError(kernel, field, `must be a number; got ${describe(v)}.`);
      return v;
    case 'date':
      if (parseIsoDay(v) === null) throw new SpecError(kernel, field, `must be a date written YYYY-MM-DD, such as "2026-06-30"; got ${describe(v)}.`);
      return v as string;
    case 'bool':
      if (typeof v !== 'boolean') throw new SpecError(kernel, field, `must be true or false; got ${describe(v)}.`);
      return v;
    default:
      throw new SpecError(kernel, field, `cannot be compared on a ${kind} column.`);
  }
}

function numberOf(v: FilterValue): number {
  return typeof v === 'string' ? (parseIsoDay(v) as number) : (v as number);
}

/**
 * Checks an untrusted filter spec against the dataset's columns. `field` is the spec path of the
 * filter (e.g. "filter" or "by.tag.rules[0].when"); errors name the exact entry, such as
 * "filter.all[2].value". Returns a normalised copy (undefined when `spec` is undefined), which
 * validates again unchanged (workers re-validate what the main thread sends).
 */
export function validateFilter(kernel: string, field: string, spec: unknown, schema: readonly ColumnInfo[]): FilterSpec | undefined {
  if (spec === undefined) return undefined;
  const obj = requireObject(kernel, field, spec, ['all', 'any']);
  const out: { all?: FilterCondition[]; any?: FilterCondition[] } = {};
  for (const list of ['all', 'any'] as const) {
    if (obj[list] === undefined) continue;
    const arr = requireArray(kernel, `${field}.${list}`, obj[list]);
    out[list] = arr.map((c, i) => validateCondition(kernel, `${field}.${list}[${i}]`, c, schema));
  }
  return out;
}

function validateCondition(kernel: string, field: string, c: unknown, schema: readonly ColumnInfo[]): FilterCondition {
  const obj = requireObject(kernel, field, c, ['column', 'op', 'value', 'values']);
  const column = requireColumn(kernel, `${field}.column`, obj.column, schema, FILTERABLE);
  const kind = kindOf(schema.find((s) => s.name === column)!.type);
  const op = obj.op as FilterOp;
  if (typeof op !== 'string' || !FILTER_OPS.includes(op)) {
    throw new SpecError(kernel, `${field}.op`, `must be one of ${FILTER_OPS.join(', ')}; got ${describe(obj.op)}.`);
  }
  if (!OPS_BY_KIND[kind].includes(op)) {
    throw new SpecError(kernel, `${field}.op`, `"${op}" does not apply to column "${column}" (${kind}); use one of ${OPS_BY_KIND[kind].join(', ')}.`);
  }
  const hasValue = obj.value !== undefined, hasValues = obj.values !== undefined;
  if (SCALAR_OPS.includes(op)) {
    if (hasValues) throw new SpecError(kernel, `${field}.values`, `is not used by "${op}"; give a single "value".`);
    if (!hasValue) throw new SpecError(kernel, `${field}.value`, `is required by "${op}".`);
    return { column, op, value: checkValue(kernel, `${field}.value`, kind, obj.value) };
  }
  if (LIST_OPS.includes(op) || op === 'between') {
    if (hasValue) throw new SpecError(kernel, `${field}.value`, `is not used by "${op}"; give a list "values".`);
    if (!hasValues) throw new SpecError(kernel, `${field}.values`, `is required by "${op}".`);
    const arr = requireArray(kernel, `${field}.values`, obj.values);
    const values = arr.map((v, i) => checkValue(kernel, `${field}.values[${i}]`, kind, v));
    if (op === 'between') {
      if (values.length !== 2) throw new SpecError(kernel, `${field}.values`, `must be [low, high] for "between"; got ${values.length} values.`);
      if (!(numberOf(values[0]) <= numberOf(values[1]))) {
        throw new SpecError(kernel, `${field}.values`, `must be [low, high] with low <= high; got ${describe(values)}.`);
      }
    }
    return { column, op, values };
  }
  if (hasValue) throw new SpecError(kernel, `${field}.value`, `is not used by "${op}".`);
  if (hasValues) throw new SpecError(kernel, `${field}.values`, `is not used by "${op}".`);
  return { column, op };
}

/** Columns a filter reads. */
export function filterColumns(spec: FilterSpec | undefined): string[] {
  const cols = new Set<string>();
  for (const c of spec?.all ?? []) cols.add(c.column);
  for (const c of spec?.any ?? []) cols.add(c.column);
  return [...cols];
}

// ---------------------------------------------------------------------------------------------
// Compiled form

const OP_EQ = 0, OP_NE = 1, OP_IN = 2, OP_NOT_IN = 3, OP_LT = 4, OP_LTE = 5, OP_GT = 6, OP_GTE = 7, OP_BETWEEN = 8, OP_IS_NULL = 9, OP_NOT_NULL = 10;
const OP_CODE: Record<FilterOp, number> = {
  eq: OP_EQ, ne: OP_NE, in: OP_IN, notIn: OP_NOT_IN, lt: OP_LT, lte: OP_LTE, gt: OP_GT, gte: OP_GTE, between: OP_BETWEEN, isNull: OP_IS_NULL, notNull: OP_NOT_NULL,
};

class CompiledCondition {
  readonly op: number;
  /** Numeric operands (dates as days): value, or [low, high], or the `in` list. */
  readonly nums: Float64Array;
  /** Category labels of eq/ne/in/notIn. */
  readonly labelSet: ReadonlySet<string>;
  readonly bool: boolean;
  /** Allowed dictionary codes, per dictionary object (a category's `allowed[code]` is 0 or 1). */
  private readonly allowedByDict = new WeakMap<object, Uint8Array>();

  constructor(readonly c: FilterCondition, private readonly labelCache: LabelCache) {
    this.op = OP_CODE[c.op];
    const operands = c.values ?? (c.value !== undefined ? [c.value] : []);
    this.nums = Float64Array.from(operands.map((v) => (typeof v === 'boolean' ? Number(v) : typeof v === 'string' ? (parseIsoDay(v) ?? NaN) : v)));
    this.labelSet = new Set(operands.filter((v): v is string => typeof v === 'string'));
    this.bool = c.value === true;
  }

  allowed(dictionary: object): Uint8Array {
    let allowed = this.allowedByDict.get(dictionary);
    if (!allowed) {
      const labels = this.labelCache.labels(dictionary);
      allowed = new Uint8Array(labels.length);
      const negate = this.op === OP_NE || this.op === OP_NOT_IN;
      for (let k = 0; k < labels.length; k++) allowed[k] = this.labelSet.has(labels[k]) !== negate ? 1 : 0;
      this.allowedByDict.set(dictionary, allowed);
    }
    return allowed;
  }
}

/**
 * A filter compiled for repeated use over batches (one instance per kernel map call). `mask`
 * returns one byte per row, 1 when the row passes, or null when the filter has no conditions.
 * The returned array is reused by the next call on the same instance.
 */
/**
 * Masks already computed, per batch and filter: after a filter change every panel's kernel asks
 * each batch for the same mask (and tag rules ask for theirs at every query), so each is evaluated
 * once. Weakly keyed by the batch (or filtered view), so masks go with the data; at most
 * MASKS_PER_BATCH per batch, oldest out (the page filter, the previous one, a few tag rules).
 */
const MASKS_PER_BATCH = 8;
const maskCache = new WeakMap<object, Map<string, Uint8Array>>();
let maskCacheEnabled = true;
/** Masks evaluated (misses) and served again (hits), for tests and profiling. */
export const rowMaskStats = { hits: 0, misses: 0 };

/** For tests: turns the mask cache on or off; results must not depend on it. */
export function setRowMaskCache(enabled: boolean): void {
  maskCacheEnabled = enabled;
}

export class RowFilter {
  private readonly all: CompiledCondition[];
  private readonly any: CompiledCondition[];
  /** Identifies the filter in the mask cache: equal specs give equal masks on a batch. */
  private readonly key: string;
  private out = new Uint8Array(0);

  constructor(spec: FilterSpec | undefined, labelCache = new LabelCache()) {
    this.all = (spec?.all ?? []).map((c) => new CompiledCondition(c, labelCache));
    this.any = (spec?.any ?? []).map((c) => new CompiledCondition(c, labelCache));
    this.key = JSON.stringify([spec?.all ?? [], spec?.any ?? []]);
  }

  get empty(): boolean {
    return this.all.length === 0 && this.any.length === 0;
  }

  /** Drops this filter's cached mask of `batch`, if any. */
  forget(batch: RecordBatch): void {
    maskCache.get(batch)?.delete(this.key);
  }

  /**
   * 1 for each row of `batch` that passes, 0 otherwise; null when the filter is empty. The mask may
   * be shared with other kernels (see maskCache): callers only read it.
   */
  mask(batch: RecordBatch): Uint8Array | null {
    if (this.empty) return null;
    if (!maskCacheEnabled) return this.evaluateInto(batch, false);
    let masks = maskCache.get(batch);
    const hit = masks?.get(this.key);
    if (hit) {
      rowMaskStats.hits++;
      return hit;
    }
    rowMaskStats.misses++;
    const mask = this.evaluateInto(batch, true);
    if (!masks) maskCache.set(batch, (masks = new Map()));
    // The evicted mask's array is left to the collector, not reused: a caller may still hold it
    // (the rollup keeps the page filter's mask while its tag rules evaluate theirs on the batch).
    if (masks.size >= MASKS_PER_BATCH) masks.delete(masks.keys().next().value!);
    masks.set(this.key, mask);
    return mask;
  }

  /** Evaluates the mask into a new array (`own`, for the cache) or this filter's scratch buffer. */
  private evaluateInto(batch: RecordBatch, own: boolean): Uint8Array {
    const n = batch.numRows;
    const tmp = scratch(n, 0);
    if (!own && this.out.length < n) this.out = new Uint8Array(n);
    const out = own ? new Uint8Array(n) : this.out.subarray(0, n);
    if (this.all.length === 0) out.fill(1);
    for (let k = 0; k < this.all.length; k++) {
      if (k === 0) evaluate(this.all[k], batch, out);
      else {
        evaluate(this.all[k], batch, tmp);
        for (let i = 0; i < n; i++) out[i] &= tmp[i];
      }
    }
    if (this.any.length > 0) {
      const a = scratch(n, 1);
      evaluate(this.any[0], batch, a);
      for (let k = 1; k < this.any.length; k++) {
        evaluate(this.any[k], batch, tmp);
        for (let i = 0; i < n; i++) a[i] |= tmp[i];
      }
      for (let i = 0; i < n; i++) out[i] &= a[i];
    }
    return out;
  }
}

/**
 * Scratch rows for evaluating one mask, shared by every filter (used within one synchronous call,
 * never across an await): a filter change built a RowFilter per panel, and each allocated its own.
 */
const scratchRows: Uint8Array[] = [new Uint8Array(0), new Uint8Array(0)];

function scratch(n: number, which: 0 | 1): Uint8Array {
  if (scratchRows[which].length < n) scratchRows[which] = new Uint8Array(n);
  return scratchRows[which].subarray(0, n);
}

/** Writes 0/1 for every row of `batch` into `c` (length = batch rows). */
function evaluate(cond: CompiledCondition, batch: RecordBatch, c: Uint8Array): void {
  const data = columnData(batch, cond.c.column);
  const bitmap = bitmapOf(data);
  const offset = data.offset;
  const op = cond.op;
  if (op === OP_IS_NULL || op === OP_NOT_NULL) {
    const flip = op === OP_NOT_NULL ? 0 : 1;
    if (bitmap === null) {
      c.fill(1 - flip);
      return;
    }
    bitsInto(bitmap, offset, flip, c);
    return;
  }
  const t = data.type.typeId;
  if (t === Type.Dictionary) {
    const allowed = cond.allowed(data.dictionary!);
    const codes: unknown = data.values;
    if (codes instanceof Int32Array) allowedInto(codes, allowed, c);
    else allowedInto(codes as ArrayLike<number>, allowed, c);
  } else if (t === Type.Bool) {
    // The row passes when its bit equals `want`: bit XOR (1 - want).
    bitsInto(data.values as Uint8Array, offset, (op === OP_EQ) === cond.bool ? 0 : 1, c);
  } else if (t === Type.Float || t === Type.Int || t === Type.Date) {
    if (t === Type.Date && (data.type as DateDay).unit !== DateUnit.DAY) throw new Error(`Column "${cond.c.column}" is ${String(data.type)}; kernels read dates as DateDay.`);
    const values: unknown = data.values;
    if (values instanceof Float64Array) compareNumbers(values, op, cond.nums, c);
    else if (values instanceof Int32Array) compareNumbers(values, op, cond.nums, c);
    else throw new Error(`Column "${cond.c.column}" is ${String(data.type)}; kernels read Float64, Int32 and DateDay.`);
  } else {
    throw new Error(`Column "${cond.c.column}" is ${String(data.type)}; the filter cannot compare it.`);
  }
  if (bitmap !== null) clearNulls(c, bitmap, offset);
}

// The row loops are leaf functions that end at their loop (see filtered-rows.ts: a loop compiled
// while it runs sent every later call back to the interpreter when code after it had no feedback).

/** c[i] = allowed[codes[i]]. */
function allowedInto(codes: ArrayLike<number>, allowed: Uint8Array, c: Uint8Array): void {
  // Four rows a step, the last n mod 4 first (the function ends at its loop), as the gathers of
  // filtered-rows.ts: the loop's overhead was most of its time.
  const n = c.length, m = n - (n & 3);
  for (let i = m; i < n; i++) c[i] = allowed[codes[i]];
  for (let i = 0; i < m; i += 4) {
    const a = codes[i], b = codes[i + 1], d = codes[i + 2], e = codes[i + 3];
    c[i] = allowed[a];
    c[i + 1] = allowed[b];
    c[i + 2] = allowed[d];
    c[i + 3] = allowed[e];
  }
}

/** c[i] = bit (offset + i) of `bits`, XOR flip. */
function bitsInto(bits: Uint8Array, offset: number, flip: number, c: Uint8Array): void {
  for (let i = 0; i < c.length; i++) {
    const j = offset + i;
    c[i] = ((bits[j >> 3] >> (j & 7)) & 1) ^ flip;
  }
}

function clearNulls(c: Uint8Array, bitmap: Uint8Array, offset: number): void {
  const n = c.length;
  let i = 0;
  if ((offset & 7) === 0) {
    // Byte at a time: most bytes of a validity bitmap are 0xff (eight present rows).
    const base = offset >> 3;
    for (; i + 8 <= n; i += 8) {
      const byte = bitmap[base + (i >> 3)];
      if (byte === 0xff) continue;
      for (let k = 0; k < 8; k++) if (((byte >> k) & 1) === 0) c[i + k] = 0;
    }
  }
  for (; i < n; i++) {
    const j = offset + i;
    if (((bitmap[j >> 3] >> (j & 7)) & 1) === 0) c[i] = 0;
  }
}

/**
 * One loop per operator, each a tight pass. `+(comparison)` compiles to a flag set, not a branch,
 * so data where half the rows pass costs no mispredictions. NaN fails every test.
 */
function compareNumbers(v: Float64Array | Int32Array, op: number, nums: Float64Array, c: Uint8Array): void {
  const n = c.length;
  const a = nums.length > 0 ? nums[0] : NaN;
  const b = nums.length > 1 ? nums[1] : NaN;
  switch (op) {
    case OP_EQ:
      for (let i = 0; i < n; i++) c[i] = +(v[i] === a);
      return;
    case OP_NE:
      for (let i = 0; i < n; i++) {
        const x = v[i];
        c[i] = +(x !== a) & +(x === x);
      }
      return;
    case OP_LT:
      for (let i = 0; i < n; i++) c[i] = +(v[i] < a);
      return;
    case OP_LTE:
      for (let i = 0; i < n; i++) c[i] = +(v[i] <= a);
      return;
    case OP_GT:
      for (let i = 0; i < n; i++) c[i] = +(v[i] > a);
      return;
    case OP_GTE:
      for (let i = 0; i < n; i++) c[i] = +(v[i] >= a);
      return;
    case OP_BETWEEN:
      for (let i = 0; i < n; i++) {
        const x = v[i];
        c[i] = +(x >= a) & +(x <= b);
      }
      return;
    case OP_IN:
    case OP_NOT_IN: {
      const hit = op === OP_IN ? 1 : 0;
      const m = nums.length;
      for (let i = 0; i < n; i++) {
        const x = v[i];
        let found = 0;
        for (let k = 0; k < m; k++) {
          if (x === nums[k]) {
            found = 1;
            break;
          }
        }
        // NaN equals nothing, and must not pass notIn either.
        c[i] = x === x ? (found === hit ? 1 : 0) : 0;
      }
      return;
    }
    default:
      throw new Error(`filter: operator code ${op} has no numeric comparison.`);
  }
}
