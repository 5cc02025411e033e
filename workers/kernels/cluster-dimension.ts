/**
 * A segmentation by behavioural cluster: a fitted k-means model (its feature plan and centres)
 * carried in a kernel spec, so every worker puts each of its rows in the nearest cluster and the
 * kernels group by it like any other dimension. The plan comes from a message, so it is checked
 * field by field before a worker builds a design from it.
 */
import { RecordBatch, Table } from 'apache-arrow';
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';
import type { CategoricalPlan, DesignColumn, FeaturePlan, NumericPlan } from '../models/features.js';
import { assignClusters, type ClusterModel } from '../models/kmeans.js';
import { SpecError } from './kernel.js';
import { requireColumn } from './columns.js';
import { describe, isPlainObject, requireArray, requireFinite, requireInteger, requireLabels, requireObject, requireString } from './spec-checks.js';
import { viewSource } from './filtered-rows.js';

export interface ClusterDimension {
  /** The fit's feature plan (standardisation and imputation); no target. */
  readonly plan: FeaturePlan;
  /** k x d standardised centres, row-major (d = plan.columns.length). */
  readonly centroids: readonly number[];
  /** One label per cluster, in cluster order. */
  readonly labels: readonly string[];
}

/** Largest k and design width accepted: far above any useful segmentation, small enough to stay cheap. */
const MAX_CLUSTERS = 64;
const MAX_DESIGN_COLUMNS = 512;
const STORAGES = ['float', 'int', 'bool', 'date'];

export function clusterColumns(c: ClusterDimension): string[] {
  return [...c.plan.numeric.map((n) => n.column), ...c.plan.categorical.map((k) => k.column)];
}

export function validateClusterDimension(kernel: string, field: string, spec: unknown, schema: readonly ColumnInfo[]): ClusterDimension {
  const c = requireObject(kernel, field, spec, ['plan', 'centroids', 'labels']);
  const labels = requireLabels(kernel, `${field}.labels`, c.labels);
  const k = labels.length;
  if (k < 1 || k > MAX_CLUSTERS) throw new SpecError(kernel, `${field}.labels`, `must name 1 to ${MAX_CLUSTERS} clusters; got ${k}.`);
  const plan = validatePlan(kernel, `${field}.plan`, c.plan, schema);
  const d = plan.columns.length;
  const centroids = requireArray(kernel, `${field}.centroids`, c.centroids).map((v, i) => requireFinite(kernel, `${field}.centroids[${i}]`, v));
  if (centroids.length !== k * d) throw new SpecError(kernel, `${field}.centroids`, `must hold ${k} x ${d} = ${k * d} numbers (one centre per label, one value per design column); got ${centroids.length}.`);
  return { plan, centroids, labels };
}

function validatePlan(kernel: string, field: string, v: unknown, schema: readonly ColumnInfo[]): FeaturePlan {
  if (!isPlainObject(v)) throw new SpecError(kernel, field, `must be the feature plan of a fitted cluster model; got ${describe(v)}.`);
  if (v.version !== 1) throw new SpecError(kernel, `${field}.version`, `must be 1; got ${describe(v.version)}.`);
  if (v.target !== null && v.target !== undefined) throw new SpecError(kernel, `${field}.target`, 'must be null: clusters have no target.');
  const columnsIn = requireArray(kernel, `${field}.columns`, v.columns, 1);
  if (columnsIn.length > MAX_DESIGN_COLUMNS) throw new SpecError(kernel, `${field}.columns`, `has ${columnsIn.length} design columns; at most ${MAX_DESIGN_COLUMNS}.`);
  const d = columnsIn.length;
  const index = (f: string, x: unknown) => requireInteger(kernel, f, x, -1, d - 1);
  const columns: DesignColumn[] = columnsIn.map((col, j) => {
    const f = `${field}.columns[${j}]`;
    if (!isPlainObject(col)) throw new SpecError(kernel, f, `must be a design column; got ${describe(col)}.`);
    const sd = requireFinite(kernel, `${f}.sd`, col.sd);
    if (!(sd > 0)) throw new SpecError(kernel, `${f}.sd`, `must be above 0; got ${sd}.`);
    return { ...(col as unknown as DesignColumn), mean: requireFinite(kernel, `${f}.mean`, col.mean), sd };
  });
  const numeric: NumericPlan[] = requireArray(kernel, `${field}.numeric`, v.numeric).map((n, i) => {
    const f = `${field}.numeric[${i}]`;
    if (!isPlainObject(n)) throw new SpecError(kernel, f, `must be a numeric feature; got ${describe(n)}.`);
    const storage = requireString(kernel, `${f}.storage`, n.storage);
    if (!STORAGES.includes(storage)) throw new SpecError(kernel, `${f}.storage`, `must be one of ${STORAGES.join(', ')}; got ${describe(storage)}.`);
    return {
      column: requireColumn(kernel, `${f}.column`, n.column, schema, ['float', 'int', 'date', 'bool']),
      storage: storage as NumericPlan['storage'],
      median: requireFinite(kernel, `${f}.median`, n.median),
      index: index(`${f}.index`, n.index),
      missingIndex: index(`${f}.missingIndex`, n.missingIndex),
      typical: requireFinite(kernel, `${f}.typical`, n.typical),
    };
  });
  const categorical: CategoricalPlan[] = requireArray(kernel, `${field}.categorical`, v.categorical).map((cp, i) => {
    const f = `${field}.categorical[${i}]`;
    if (!isPlainObject(cp)) throw new SpecError(kernel, f, `must be a categorical feature; got ${describe(cp)}.`);
    const levels = requireLabels(kernel, `${f}.levels`, cp.levels);
    const indices = requireArray(kernel, `${f}.indices`, cp.indices).map((x, j) => requireInteger(kernel, `${f}.indices[${j}]`, x, 0, d - 1));
    if (indices.length !== levels.length) throw new SpecError(kernel, `${f}.indices`, `must have one index per level (${levels.length}); got ${indices.length}.`);
    return {
      column: requireColumn(kernel, `${f}.column`, cp.column, schema, ['category', 'string']),
      reference: requireString(kernel, `${f}.reference`, cp.reference),
      levels,
      indices,
      otherIndex: index(`${f}.otherIndex`, cp.otherIndex),
      missingIndex: index(`${f}.missingIndex`, cp.missingIndex),
    };
  });
  const asOfDay = v.asOfDay === null || v.asOfDay === undefined ? null : requireFinite(kernel, `${field}.asOfDay`, v.asOfDay);
  return { version: 1, numeric, categorical, columns, target: null, asOfDay, rows: 0, positives: 0, warnings: [] };
}

/**
 * Nearest-centre codes of a stored record batch, per cluster model: a filter change re-runs the
 * cluster panel's kernel over the same rows with the same model, and the assignment (a distance to
 * every centre for every row) dominates that kernel. Keyed weakly by the batch object, so entries
 * go when the worker drops the dataset; at most MODELS_PER_BATCH models per batch (oldest out).
 * Only real RecordBatch objects are cached: the runner's filtered views are new on every job.
 */
const MODELS_PER_BATCH = 4;
const codeCache = new WeakMap<RecordBatch, Map<string, Int32Array>>();
let cacheEnabled = true;
/** Batches assigned (misses) and served from the cache (hits), for tests and profiling. */
export const clusterCodeCacheStats = { hits: 0, misses: 0 };

/** For tests: turns the code cache on or off; results must not depend on it. */
export function setClusterCodeCache(enabled: boolean): void {
  cacheEnabled = enabled;
}

/** Codes by the model: the plan and centres decide the assignment, the labels do not. */
function modelKey(c: ClusterDimension): string {
  return JSON.stringify([c.plan, c.centroids]);
}

/** Nearest-centre codes per batch, for DimensionCompiler. */
export class ClusterAssigner {
  private readonly model: ClusterModel;
  private readonly key: string;

  constructor(c: ClusterDimension) {
    this.model = { plan: c.plan, k: c.labels.length, centroids: Float64Array.from(c.centroids), profiles: [], inertia: 0, silhouette: 0, iterations: 0, converged: true };
    this.key = modelKey(c);
  }

  codes(batch: RecordBatch, out: Int32Array): Int32Array {
    // A filtered view (a selective filter in the segment rollup): the stored batch's codes, picked.
    // A row's nearest centre depends on that row alone, and the stored batch's codes are cached.
    const source = viewSource(batch);
    if (source) {
      const all = this.batchCodes(source.batch);
      const rows = source.rows;
      for (let k = 0; k < rows.length; k++) out[k] = all[rows[k]];
      return out;
    }
    // A copy: callers may write into `out`, and the cached codes must stay as computed.
    out.set(this.batchCodes(batch));
    return out;
  }

  private batchCodes(batch: RecordBatch): Int32Array {
    const cacheable = cacheEnabled && batch instanceof RecordBatch;
    let byModel = cacheable ? codeCache.get(batch) : undefined;
    let codes = byModel?.get(this.key);
    if (codes) clusterCodeCacheStats.hits++;
    else {
      clusterCodeCacheStats.misses++;
      codes = assignClusters(this.model, [new Table(batch)]);
      if (cacheable) {
        if (!byModel) codeCache.set(batch, (byModel = new Map()));
        if (byModel.size >= MODELS_PER_BATCH) byModel.delete(byModel.keys().next().value!);
        byModel.set(this.key, codes);
      }
    }
    return codes;
  }
}
