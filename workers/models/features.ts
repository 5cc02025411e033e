/**
 * Feature engineering shared by every model: a FeatureSpec (which columns, how) is fitted on
 * training tables into a FeaturePlan (frozen statistics), and the plan turns any table with the
 * same columns into a dense design matrix. The plan is saved with the model, so scoring new data
 * later reproduces exactly the training-time encoding.
 *
 * Design matrix: row-major Float64Array, x[i * p + j], in ORIGINAL units after imputation (so
 * trees split on real values and reasons can quote them); `columns[j].mean` / `.sd` standardise
 * column j ((x - mean) / sd) for models that need it (logistic regression, k-means).
 *
 * Column kinds:
 * - numeric (Float64, Int32, Bool as 0/1, DateDay): one column. Dates become "days before asOf"
 *   (asOf = spec.asOfDay, else the latest date of the column in the training data), so
 *   lastTxnDate reads "days since the last transaction" and openDate "days as a client".
 * - categorical (dictionary-encoded or Utf8): one-hot. The most frequent level is the reference
 *   (no column: it is what "all zeros" means); the next `maxLevels` most frequent levels get a
 *   0/1 column each; rarer levels and levels first seen at scoring time share an "(other)" column
 *   (present only if the training data had such levels).
 *
 * Missing values (Arrow nulls) - documented choice: numeric nulls are replaced by the training
 * MEDIAN and a 0/1 "missing" indicator column is added when the training data had any null in that
 * column (the indicator lets a model learn that "not recorded" itself carries information, and
 * the median keeps the imputed value inside the observed range). The median is exact when the
 * column has at most 100,000 non-null values, else the median of an evenly strided sample of
 * 100,000. Categorical nulls get their own "(missing)" level column. A null at scoring time in a
 * column that had none in training is imputed by the median (categorical: reference level).
 *
 * Dropped with a warning (never silently): an all-null column, a constant column (one distinct
 * value; for a categorical, one level and no nulls). Errors (never a model on bad data): a
 * target with a single class, fewer than `minRows` rows with a target, fewer than 5 rows of either
 * class, no usable feature left, a column that does not exist or has an unusable type.
 *
 * Target: bool (positive = true), integer / float (positive = 1 unless given), category or text
 * (positive must be given unless the labels are yes/no, true/false or 1/0). Rows whose target is
 * null are left out of training and counted in a warning.
 */
import { Type, type Data, type RecordBatch, type Table } from 'apache-arrow';

export interface TargetSpec {
  readonly column: string;
  /** The label that means "positive" (churned / subscribed). See the file comment for defaults. */
  readonly positive?: string | number | boolean;
}

export interface FeatureSpec {
  readonly numeric?: readonly string[];
  readonly categorical?: readonly string[];
  readonly target?: TargetSpec;
  /** One-hot columns per categorical besides the reference level; default 12. */
  readonly maxLevels?: number;
  /** Day (days since 1970-01-01) that date columns are measured back from; default: latest date seen. */
  readonly asOfDay?: number;
  /** Fewest rows with a target to train on; default 30. */
  readonly minRows?: number;
}

export type DesignKind = 'numeric' | 'missing' | 'level' | 'other';

export interface DesignColumn {
  /** Display name: "Balance", "Balance (missing)", "Geography=Germany", "job=(other)". */
  readonly name: string;
  /** Source column in the table. */
  readonly source: string;
  readonly kind: DesignKind;
  /** For kind 'level'. */
  readonly level?: string;
  /** Mean and standard deviation over the training rows (sd > 0 by construction). */
  readonly mean: number;
  readonly sd: number;
}

export interface NumericPlan {
  readonly column: string;
  readonly storage: 'float' | 'int' | 'bool' | 'date';
  /** Imputation value (training median), in feature units (days before asOf for dates). */
  readonly median: number;
  /** Index of the value column in the design, or -1 when the value itself was dropped (constant). */
  readonly index: number;
  /** Index of the missing-indicator column, or -1. */
  readonly missingIndex: number;
  /** Median of the non-null values, for reasons ("typical"). */
  readonly typical: number;
}

export interface CategoricalPlan {
  readonly column: string;
  readonly reference: string;
  /** Levels with their own column, most frequent first, and their design indices. */
  readonly levels: readonly string[];
  readonly indices: readonly number[];
  readonly otherIndex: number;
  readonly missingIndex: number;
}

export interface TargetPlan {
  readonly column: string;
  readonly positive: string | number | boolean;
}

export interface FeaturePlan {
  readonly version: 1;
  readonly numeric: readonly NumericPlan[];
  readonly categorical: readonly CategoricalPlan[];
  readonly columns: readonly DesignColumn[];
  readonly target: TargetPlan | null;
  readonly asOfDay: number | null;
  /** Training rows used (with a target, when there is one) and positives among them. */
  readonly rows: number;
  readonly positives: number;
  readonly warnings: readonly string[];
}

export interface Design {
  readonly n: number;
  readonly p: number;
  /** Row-major n x p, original units after imputation. */
  readonly x: Float64Array;
  /** 0/1 target per row, when requested. */
  readonly y: Uint8Array | null;
  /** Row number (over all input rows, in order) of each design row; null when every row is kept. */
  readonly rowIndex: Int32Array | null;
}

/** A problem with the data or the spec that stops training; the message names it. */
export class FeatureError extends Error {
  override readonly name = 'FeatureError';
}

const MEDIAN_SAMPLE = 100_000;

function dataOf(batch: RecordBatch, name: string): Data {
  const child = batch.getChild(name);
  if (!child) throw new FeatureError(`Column "${name}" is not in the data (columns: ${batch.schema.fields.map((f) => f.name).join(', ')}).`);
  return child.data[0];
}

function columnType(tables: readonly Table[], name: string): Type {
  for (const t of tables) {
    const f = t.schema.fields.find((x) => x.name === name);
    if (f) return f.type.typeId;
    throw new FeatureError(`Column "${name}" is not in the data (columns: ${t.schema.fields.map((x) => x.name).join(', ')}).`);
  }
  throw new FeatureError('No table given.');
}

const validAt = (d: Data, i: number) => d.nullCount === 0 || d.getValid(i);

/** Reads a numeric-like value (number, bool as 0/1, date as day number) of row i; NaN when null. */
function numberAt(d: Data, i: number): number {
  if (!validAt(d, i)) return NaN;
  const t = d.type.typeId;
  if (t === Type.Bool) {
    const j = d.offset + i;
    return ((d.values as Uint8Array)[j >> 3] >> (j & 7)) & 1;
  }
  return (d.values as Float64Array | Int32Array)[i];
}

function storageOf(t: Type, name: string): NumericPlan['storage'] {
  if (t === Type.Float) return 'float';
  if (t === Type.Int) return 'int';
  if (t === Type.Bool) return 'bool';
  if (t === Type.Date) return 'date';
  throw new FeatureError(`Numeric feature "${name}" has type ${Type[t]}; use it as a categorical feature or convert it to numbers.`);
}

/**
 * Labels of a category-like column for one batch. Dictionary-encoded columns (the client schema's
 * storage for categories) look labels up by code, no allocation per row; plain Utf8 text decodes
 * one string per row, which is slower but only meant for small external extracts.
 */
function categoryReader(d: Data, name: string): (i: number) => string | null {
  const t = d.type.typeId;
  if (t === Type.Dictionary) {
    const dict = d.dictionary!;
    const labels: string[] = new Array(dict.length);
    for (let k = 0; k < dict.length; k++) labels[k] = String(dict.get(k));
    const codes = d.values as Int32Array;
    return (i) => (validAt(d, i) ? labels[codes[i]] : null);
  }
  if (t === Type.Utf8) {
    const offsets = d.valueOffsets as Int32Array;
    const bytes = d.values as Uint8Array;
    const decoder = new TextDecoder();
    const cache = new Map<string, string>();
    return (i) => {
      if (!validAt(d, i)) return null;
      const s = decoder.decode(bytes.subarray(offsets[i], offsets[i + 1]));
      let c = cache.get(s);
      if (c === undefined) cache.set(s, (c = s));
      return c;
    };
  }
  if (t === Type.Bool || t === Type.Int) {
    return (i) => (validAt(d, i) ? String(numberAt(d, i)) : null);
  }
  throw new FeatureError(`Categorical feature "${name}" has type ${String(d.type)}; expected a category, text, integer or boolean column.`);
}

/** Reads the 0/1 target of row i, or -1 when null. */
function targetReader(d: Data, plan: TargetPlan): (i: number) => number {
  const t = d.type.typeId;
  if (t === Type.Bool || t === Type.Int || t === Type.Float) {
    const pos = typeof plan.positive === 'boolean' ? (plan.positive ? 1 : 0) : Number(plan.positive);
    return (i) => {
      const v = numberAt(d, i);
      return Number.isNaN(v) ? -1 : v === pos ? 1 : 0;
    };
  }
  const read = categoryReader(d, plan.column);
  const pos = String(plan.positive);
  return (i) => {
    const v = read(i);
    return v === null ? -1 : v === pos ? 1 : 0;
  };
}

function resolveTarget(tables: readonly Table[], spec: TargetSpec): TargetPlan {
  const t = columnType(tables, spec.column);
  if (spec.positive !== undefined) return { column: spec.column, positive: spec.positive };
  if (t === Type.Bool) return { column: spec.column, positive: true };
  if (t === Type.Int || t === Type.Float) return { column: spec.column, positive: 1 };
  // Category or text: look at the labels present.
  const seen = new Set<string>();
  for (const table of tables) {
    for (const batch of table.batches) {
      const read = categoryReader(dataOf(batch, spec.column), spec.column);
      for (let i = 0; i < batch.numRows && seen.size < 50; i++) {
        const v = read(i);
        if (v !== null) seen.add(v);
      }
    }
  }
  const lower = [...seen].map((s) => s.toLowerCase());
  for (const pos of ['yes', 'true', '1']) {
    const k = lower.indexOf(pos);
    if (k >= 0) return { column: spec.column, positive: [...seen][k] };
  }
  throw new FeatureError(
    `Target "${spec.column}" holds labels ${[...seen].slice(0, 8).map((s) => JSON.stringify(s)).join(', ')}; say which one is the positive outcome (target.positive).`,
  );
}

interface NumericStats {
  count: number;
  nulls: number;
  min: number;
  max: number;
  sample: Float64Array;
  sampleLen: number;
}

/**
 * Fits the plan on training tables: levels, medians, dropped columns, target coding, and the mean
 * and standard deviation of every design column. Throws FeatureError on unusable data.
 */
export function fitFeaturePlan(tables: readonly Table[], spec: FeatureSpec): FeaturePlan {
  if (tables.length === 0) throw new FeatureError('No data: fitFeaturePlan needs at least one table.');
  const numericCols = [...(spec.numeric ?? [])];
  const catCols = [...(spec.categorical ?? [])];
  const maxLevels = spec.maxLevels ?? 12;
  if (!(Number.isInteger(maxLevels) && maxLevels >= 1)) throw new FeatureError(`maxLevels must be a whole number >= 1; got ${maxLevels}.`);
  const all = [...numericCols, ...catCols];
  if (all.length === 0) throw new FeatureError('The feature spec names no columns (numeric and categorical are both empty).');
  const dup = all.find((c, i) => all.indexOf(c) !== i);
  if (dup) throw new FeatureError(`Column "${dup}" is listed twice in the feature spec.`);
  if (spec.target && all.includes(spec.target.column)) throw new FeatureError(`The target "${spec.target.column}" cannot also be a feature.`);
  const warnings: string[] = [];
  const target = spec.target ? resolveTarget(tables, spec.target) : null;
  const storages = numericCols.map((c) => storageOf(columnType(tables, c), c));
  for (const c of catCols) columnType(tables, c);

  // Pass 1: which rows train (target present), target counts, per-column statistics.
  let totalRows = 0;
  for (const t of tables) totalRows += t.numRows;
  let rows = 0, positives = 0, nullTargets = 0;
  let asOf = spec.asOfDay ?? null;
  if (asOf === null && storages.includes('date')) {
    let latest = -Infinity;
    for (const t of tables) for (const b of t.batches) {
      numericCols.forEach((c, k) => {
        if (storages[k] !== 'date') return;
        const d = dataOf(b, c);
        for (let i = 0; i < b.numRows; i++) {
          const v = numberAt(d, i);
          if (v > latest) latest = v;
        }
      });
    }
    asOf = Number.isFinite(latest) ? latest : 0;
  }
  const stride = Math.max(1, Math.ceil(totalRows / MEDIAN_SAMPLE));
  const nStats: NumericStats[] = numericCols.map(() => ({ count: 0, nulls: 0, min: Infinity, max: -Infinity, sample: new Float64Array(Math.min(totalRows, MEDIAN_SAMPLE) + 1), sampleLen: 0 }));
  const cCounts: Map<string | null, number>[] = catCols.map(() => new Map());
  for (const t of tables) {
    for (const batch of t.batches) {
      const tRead = target ? targetReader(dataOf(batch, target.column), target) : null;
      const keep = new Uint8Array(batch.numRows);
      for (let i = 0; i < batch.numRows; i++) {
        const y = tRead ? tRead(i) : 0;
        if (y < 0) {
          nullTargets++;
          continue;
        }
        keep[i] = 1;
        rows++;
        positives += y;
      }
      numericCols.forEach((c, k) => {
        const d = dataOf(batch, c);
        const s = nStats[k];
        const date = storages[k] === 'date';
        for (let i = 0; i < batch.numRows; i++) {
          if (!keep[i]) continue;
          let v = numberAt(d, i);
          if (Number.isNaN(v)) {
            s.nulls++;
            continue;
          }
          if (date) v = asOf! - v;
          s.count++;
          if (v < s.min) s.min = v;
          if (v > s.max) s.max = v;
          if ((s.count - 1) % stride === 0 && s.sampleLen < s.sample.length) s.sample[s.sampleLen++] = v;
        }
      });
      catCols.forEach((c, k) => {
        const read = categoryReader(dataOf(batch, c), c);
        const counts = cCounts[k];
        for (let i = 0; i < batch.numRows; i++) {
          if (!keep[i]) continue;
          const v = read(i);
          counts.set(v, (counts.get(v) ?? 0) + 1);
        }
      });
    }
  }

  const minRows = spec.minRows ?? 30;
  if (target) {
    if (nullTargets > 0) warnings.push(`${nullTargets} rows have no value in target "${target.column}" and were left out of training.`);
    if (rows < minRows) throw new FeatureError(`Too few rows to train on: ${rows} rows have a value in target "${target.column}"; at least ${minRows} are needed.`);
    if (positives === 0 || positives === rows) {
      throw new FeatureError(
        `Target "${target.column}" has a single class: all ${rows} rows are ${positives === 0 ? 'negative' : 'positive'} (positive label ${JSON.stringify(target.positive)}). ` +
          'A model needs examples of both outcomes.',
      );
    }
    const minority = Math.min(positives, rows - positives);
    if (minority < 5) throw new FeatureError(`Too few examples of one class in target "${target.column}": ${positives} positive and ${rows - positives} negative rows; at least 5 of each are needed.`);
  } else if (rows < minRows) {
    throw new FeatureError(`Too few rows: ${rows}; at least ${minRows} are needed.`);
  }

  // Plan columns.
  const columns: { name: string; source: string; kind: DesignKind; level?: string }[] = [];
  const numeric: NumericPlan[] = [];
  numericCols.forEach((c, k) => {
    const s = nStats[k];
    if (s.count === 0) {
      warnings.push(`Feature "${c}" was dropped: every value is missing.`);
      return;
    }
    const sample = s.sample.subarray(0, s.sampleLen).sort();
    const mid = sample.length >> 1;
    const median = sample.length % 2 ? sample[mid] : 0.5 * (sample[mid - 1] + sample[mid]);
    let index = -1;
    if (s.min === s.max) {
      warnings.push(`Feature "${c}" was dropped: it is constant (every ${s.nulls ? 'recorded ' : ''}value is ${s.min}).`);
    } else {
      index = columns.length;
      columns.push({ name: c, source: c, kind: 'numeric' });
    }
    let missingIndex = -1;
    if (s.nulls > 0) {
      missingIndex = columns.length;
      columns.push({ name: `${c} (missing)`, source: c, kind: 'missing' });
    }
    if (index >= 0 || missingIndex >= 0) numeric.push({ column: c, storage: storages[k], median, index, missingIndex, typical: median });
  });
  const categorical: CategoricalPlan[] = [];
  catCols.forEach((c, k) => {
    const counts = cCounts[k];
    const nulls = counts.get(null) ?? 0;
    const levels = [...counts.entries()].filter(([l]) => l !== null).sort((a, b) => b[1] - a[1] || (a[0]! < b[0]! ? -1 : 1)) as [string, number][];
    if (levels.length === 0) {
      warnings.push(`Feature "${c}" was dropped: every value is missing.`);
      return;
    }
    if (levels.length === 1 && nulls === 0) {
      warnings.push(`Feature "${c}" was dropped: it is constant (every value is ${JSON.stringify(levels[0][0])}).`);
      return;
    }
    const reference = levels[0][0];
    const kept = levels.slice(1, 1 + maxLevels).map(([l]) => l);
    const indices = kept.map((l) => {
      columns.push({ name: `${c}=${l}`, source: c, kind: 'level', level: l });
      return columns.length - 1;
    });
    let otherIndex = -1;
    if (levels.length > 1 + maxLevels) {
      otherIndex = columns.length;
      columns.push({ name: `${c}=(other)`, source: c, kind: 'other' });
      warnings.push(`Feature "${c}" has ${levels.length} levels; the ${levels.length - 1 - maxLevels} least frequent share one "(other)" column (maxLevels = ${maxLevels}).`);
    }
    let missingIndex = -1;
    if (nulls > 0) {
      missingIndex = columns.length;
      columns.push({ name: `${c}=(missing)`, source: c, kind: 'missing' });
    }
    categorical.push({ column: c, reference, levels: kept, indices, otherIndex, missingIndex });
  });
  if (columns.length === 0) throw new FeatureError('No usable feature is left: every listed column is constant or empty.');

  // Means and standard deviations of the design columns, from the encoded training rows.
  const provisional: FeaturePlan = {
    version: 1, numeric, categorical, target, asOfDay: asOf, rows, positives, warnings,
    columns: columns.map((c) => ({ ...c, mean: 0, sd: 1 })),
  };
  const p = columns.length;
  const sum = new Float64Array(p), sumSq = new Float64Array(p);
  forEachDesignBlock(tables, provisional, target !== null, (x, _y, n) => {
    for (let i = 0; i < n; i++) {
      const base = i * p;
      for (let j = 0; j < p; j++) {
        const v = x[base + j];
        sum[j] += v;
        sumSq[j] += v * v;
      }
    }
  });
  const finalColumns: DesignColumn[] = columns.map((c, j) => {
    const mean = sum[j] / rows;
    const variance = Math.max(0, sumSq[j] / rows - mean * mean);
    // sd > 0: constant columns were dropped above; a level present in every row is impossible
    // (the reference is more frequent), but guard anyway so standardisation never divides by 0.
    return { ...c, mean, sd: Math.sqrt(variance) > 1e-12 ? Math.sqrt(variance) : 1 };
  });
  return { ...provisional, columns: finalColumns };
}

/**
 * Encodes tables with a plan, block by block (one block per record batch, reusing one buffer),
 * so statistics and scoring never hold the whole design. `withTarget`: rows with a null target
 * are skipped and y is filled. `visit(x, y, n, rowOffset)` gets the block's first global row.
 */
export function forEachDesignBlock(
  tables: readonly Table[],
  plan: FeaturePlan,
  withTarget: boolean,
  visit: (x: Float64Array, y: Uint8Array | null, n: number, firstRow: number, rowIndex: Int32Array) => void,
): void {
  const p = plan.columns.length;
  let buf = new Float64Array(0);
  let ybuf = new Uint8Array(0);
  let ibuf = new Int32Array(0);
  let offset = 0;
  for (const t of tables) {
    for (const batch of t.batches) {
      const m = batch.numRows;
      if (buf.length < m * p) {
        buf = new Float64Array(m * p);
        ybuf = new Uint8Array(m);
        ibuf = new Int32Array(m);
      }
      const n = encodeBatch(batch, plan, withTarget, buf, ybuf, ibuf, offset);
      visit(buf, withTarget ? ybuf : null, n, offset, ibuf);
      offset += m;
    }
  }
}

/** Encodes one batch into x (row-major) and y; returns rows written. */
function encodeBatch(batch: RecordBatch, plan: FeaturePlan, withTarget: boolean, x: Float64Array, y: Uint8Array, rowIndex: Int32Array, rowOffset: number): number {
  const p = plan.columns.length;
  const m = batch.numRows;
  // Which rows: all, or those with a target.
  let n = 0;
  if (withTarget) {
    if (!plan.target) throw new FeatureError('This feature plan has no target.');
    const read = targetReader(dataOf(batch, plan.target.column), plan.target);
    for (let i = 0; i < m; i++) {
      const v = read(i);
      if (v < 0) continue;
      y[n] = v;
      rowIndex[n++] = rowOffset + i;
    }
  } else {
    for (let i = 0; i < m; i++) rowIndex[n++] = rowOffset + i;
  }
  x.fill(0, 0, n * p);
  const asOf = plan.asOfDay ?? 0;
  for (const np of plan.numeric) {
    const d = dataOf(batch, np.column);
    const date = np.storage === 'date';
    for (let r = 0; r < n; r++) {
      const i = rowIndex[r] - rowOffset;
      let v = numberAt(d, i);
      const missing = Number.isNaN(v);
      if (missing) v = np.median;
      else if (date) v = asOf - v;
      if (np.index >= 0) x[r * p + np.index] = v;
      if (np.missingIndex >= 0 && missing) x[r * p + np.missingIndex] = 1;
    }
  }
  for (const cp of plan.categorical) {
    const read = categoryReader(dataOf(batch, cp.column), cp.column);
    const col = new Map<string, number>();
    cp.levels.forEach((l, k) => col.set(l, cp.indices[k]));
    for (let r = 0; r < n; r++) {
      const v = read(rowIndex[r] - rowOffset);
      let j: number;
      if (v === null) j = cp.missingIndex;
      else if (v === cp.reference) j = -1;
      else j = col.get(v) ?? cp.otherIndex;
      if (j >= 0) x[r * p + j] = 1;
    }
  }
  return n;
}

/** The whole design in one matrix (training, cross-validation, k-means). */
export function buildDesign(tables: readonly Table[], plan: FeaturePlan, withTarget: boolean): Design {
  let total = 0;
  for (const t of tables) total += t.numRows;
  const p = plan.columns.length;
  const x = new Float64Array(total * p);
  const y = withTarget ? new Uint8Array(total) : null;
  const rowIndex = new Int32Array(total);
  let n = 0;
  forEachDesignBlock(tables, plan, withTarget, (bx, by, m, _first, bidx) => {
    x.set(bx.subarray(0, m * p), n * p);
    if (y && by) y.set(by.subarray(0, m), n);
    rowIndex.set(bidx.subarray(0, m), n);
    n += m;
  });
  return { n, p, x: n === total ? x : x.slice(0, n * p), y: y ? (n === total ? y : y.slice(0, n)) : null, rowIndex: n === total ? null : rowIndex.slice(0, n) };
}

/** A standardised copy of a design: (x - mean) / sd per column. */
export function standardize(design: Design, plan: FeaturePlan): Float64Array {
  const { n, p, x } = design;
  const z = new Float64Array(n * p);
  const mean = Float64Array.from(plan.columns, (c) => c.mean);
  const inv = Float64Array.from(plan.columns, (c) => 1 / c.sd);
  for (let i = 0; i < n; i++) {
    const base = i * p;
    for (let j = 0; j < p; j++) z[base + j] = (x[base + j] - mean[j]) * inv[j];
  }
  return z;
}

/** The columns a plan reads (features and target), e.g. to gather them from workers. */
export function planColumns(spec: FeatureSpec): string[] {
  return [...(spec.numeric ?? []), ...(spec.categorical ?? []), ...(spec.target ? [spec.target.column] : [])];
}
