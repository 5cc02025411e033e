/**
 * What a rollup groups rows by: one "level" of a segmentation. Four kinds:
 *
 *   { column, missingLabel? }                    a category column, grouped by label
 *   { tier: { column?, thresholds?, labels?, missingLabel? } }
 *                                                wealth tiers by AUM: DEFAULT_TIER_THRESHOLDS and
 *                                                WEALTH_TIERS unless given (tierIndexOf semantics:
 *                                                thresholds are inclusive lower bounds)
 *   { bins: { column, edges, labels, missingLabel? } }
 *                                                a numeric column cut at `edges` (ascending cut
 *                                                points; labels.length === edges.length + 1; bin k
 *                                                holds edges[k-1] <= x < edges[k]); e.g. asset scale
 *                                                and risk preference (DEFAULT_ASSET_SCALE,
 *                                                DEFAULT_RISK_PREFERENCE)
 *   { tag: { rules: { label, when: FilterSpec }[], otherwise? } }
 *                                                dynamic tags: the first rule whose filter matches
 *                                                gives the label; rows matching none get `otherwise`
 *                                                (default 'other')
 *   { cluster: { plan, centroids, labels } }     behavioural clusters: each row goes to the nearest
 *                                                centre of a fitted k-means model (its feature plan
 *                                                standardises and imputes exactly as in the fit;
 *                                                centroids are k x d, row-major, standardised)
 *
 * Missing values: a null category, or a null or NaN number of a tier/bins column, goes to a
 * separate group labelled `missingLabel` (default '(missing)'). It is kept apart from real labels
 * internally (a category value that happens to read '(missing)' is not merged with it), listed
 * after the other groups, and only when it has rows. Tags have no missing group (a null simply
 * fails a rule's conditions).
 *
 * Labels and order (deterministic, independent of how rows are split over workers):
 * - tier, bins, tag have a FIXED label list, in the order the spec gives (tiers ascending); their
 *   groups are listed even with zero rows (count 0, null aggregates);
 * - category columns list only labels that have rows, in Unicode code point order of the label
 *   (DuckDB's VARCHAR order; compareCodePoints in group-keys.ts), which does not depend on each
 *   chunk's dictionary order;
 * - the missing group comes last.
 *
 * Compiled per batch (`DimensionCodes.codes`), a level is an integer code per row into the batch's
 * label list, with `labels.length` meaning "missing". The label list object is stable for as long
 * as the underlying dictionary (or fixed list) is, so a kernel can cache its label -> group lookup
 * per list and skip rebuilding it for every batch.
 */
import { Type, type RecordBatch } from 'apache-arrow';
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';
import { WEALTH_TIERS } from '../../src/schema/client-schema.js';
import { DEFAULT_TIER_THRESHOLDS } from '../../src/schema/wealth-tiers.js';
import { SpecError } from './kernel.js';
import { requireColumn } from './columns.js';
import { LabelCache } from './category-codes.js';
import { bitmapOf, columnData } from './column-data.js';
import { RowFilter, validateFilter, filterColumns } from './filter.js';
import { compareCodePoints } from './group-keys.js';
import { describe, isPlainObject, requireArray, requireAscending, requireLabels, requireObject, requireString } from './spec-checks.js';
import { validateClusterDimension, clusterColumns, ClusterAssigner } from './cluster-dimension.js';
import { binningKey, cachedBinCodes } from './bin-codes.js';

// Shapes and defaults live in their own file so the page can use them without the binning code.
export * from './dimension-specs.js';
import { DEFAULT_MISSING_LABEL, DEFAULT_TAG_OTHERWISE, type Dimension, type TagRule } from './dimension-specs.js';

function missingLabelOf(kernel: string, field: string, v: unknown): string {
  return v === undefined ? DEFAULT_MISSING_LABEL : requireString(kernel, field, v);
}

/**
 * Checks an untrusted dimension; `field` is its spec path (e.g. "by[1]"). Returns a normalised
 * copy with every default filled in, which validates again unchanged.
 */
export function validateDimension(kernel: string, field: string, spec: unknown, schema: readonly ColumnInfo[]): Dimension {
  if (!isPlainObject(spec)) {
    throw new SpecError(kernel, field, `must be a dimension: { column }, { tier: {...} }, { bins: {...} }, { tag: {...} } or { cluster: {...} }; got ${describe(spec)}.`);
  }
  if ('tier' in spec) {
    requireObject(kernel, field, spec, ['tier']);
    const t = requireObject(kernel, `${field}.tier`, spec.tier ?? {}, ['column', 'thresholds', 'labels', 'missingLabel']);
    const column = requireColumn(kernel, `${field}.tier.column`, t.column ?? 'aum', schema, ['float', 'int']);
    const thresholds = t.thresholds === undefined ? [...DEFAULT_TIER_THRESHOLDS] : requireAscending(kernel, `${field}.tier.thresholds`, t.thresholds);
    let labels: string[];
    if (t.labels === undefined) {
      if (thresholds.length !== WEALTH_TIERS.length - 1) {
        throw new SpecError(kernel, `${field}.tier.thresholds`, `must have ${WEALTH_TIERS.length - 1} entries for the default tiers (${WEALTH_TIERS.join(', ')}), or give "labels" (one more than thresholds); got ${thresholds.length}.`);
      }
      labels = [...WEALTH_TIERS];
    } else {
      labels = requireLabels(kernel, `${field}.tier.labels`, t.labels, thresholds.length + 1);
    }
    return { tier: { column, thresholds, labels, missingLabel: missingLabelOf(kernel, `${field}.tier.missingLabel`, t.missingLabel) } };
  }
  if ('bins' in spec) {
    requireObject(kernel, field, spec, ['bins']);
    const b = requireObject(kernel, `${field}.bins`, spec.bins, ['column', 'edges', 'labels', 'missingLabel']);
    const column = requireColumn(kernel, `${field}.bins.column`, b.column, schema, ['float', 'int']);
    const edges = requireAscending(kernel, `${field}.bins.edges`, b.edges);
    const labels = requireLabels(kernel, `${field}.bins.labels`, b.labels, edges.length + 1);
    return { bins: { column, edges, labels, missingLabel: missingLabelOf(kernel, `${field}.bins.missingLabel`, b.missingLabel) } };
  }
  if ('tag' in spec) {
    requireObject(kernel, field, spec, ['tag']);
    const t = requireObject(kernel, `${field}.tag`, spec.tag, ['rules', 'otherwise']);
    const rulesIn = requireArray(kernel, `${field}.tag.rules`, t.rules, 1);
    const rules: TagRule[] = [];
    const seen = new Set<string>();
    rulesIn.forEach((r, i) => {
      const f = `${field}.tag.rules[${i}]`;
      const obj = requireObject(kernel, f, r, ['label', 'when']);
      const label = requireString(kernel, `${f}.label`, obj.label);
      if (seen.has(label)) throw new SpecError(kernel, `${f}.label`, `repeats the label ${describe(label)}; combine the conditions with "any" instead.`);
      seen.add(label);
      const when = validateFilter(kernel, `${f}.when`, obj.when, schema);
      if (!when) throw new SpecError(kernel, `${f}.when`, 'is required: a filter { all?, any? } that the row must match.');
      rules.push({ label, when });
    });
    const otherwise = t.otherwise === undefined ? DEFAULT_TAG_OTHERWISE : requireString(kernel, `${field}.tag.otherwise`, t.otherwise);
    if (seen.has(otherwise)) throw new SpecError(kernel, `${field}.tag.otherwise`, `is also the label of a rule (${describe(otherwise)}); it must differ.`);
    return { tag: { rules, otherwise } };
  }
  if ('cluster' in spec) {
    requireObject(kernel, field, spec, ['cluster']);
    return { cluster: validateClusterDimension(kernel, `${field}.cluster`, spec.cluster, schema) };
  }
  if ('column' in spec) {
    requireObject(kernel, field, spec, ['column', 'missingLabel']);
    const column = requireColumn(kernel, `${field}.column`, spec.column, schema, ['category']);
    return { column, missingLabel: missingLabelOf(kernel, `${field}.missingLabel`, spec.missingLabel) };
  }
  throw new SpecError(kernel, field, `must have one of the keys column, tier, bins, tag, cluster; got keys ${describe(Object.keys(spec))}.`);
}

/** The fixed label list of a tier/bins/tag level (in order), or null for a category column. */
export function fixedLabels(d: Dimension): readonly string[] | null {
  if ('tier' in d) return d.tier.labels ?? WEALTH_TIERS;
  if ('bins' in d) return d.bins.labels;
  if ('tag' in d) return [...d.tag.rules.map((r) => r.label), d.tag.otherwise ?? DEFAULT_TAG_OTHERWISE];
  if ('cluster' in d) return d.cluster.labels;
  return null;
}

/** The label shown for the missing group (tags have none; their value is unused). */
export function missingLabel(d: Dimension): string {
  if ('tier' in d) return d.tier.missingLabel ?? DEFAULT_MISSING_LABEL;
  if ('bins' in d) return d.bins.missingLabel ?? DEFAULT_MISSING_LABEL;
  if ('tag' in d || 'cluster' in d) return DEFAULT_MISSING_LABEL;
  return d.missingLabel ?? DEFAULT_MISSING_LABEL;
}

/** Short description for result headers: "region", "tier(aum)", "bins(riskLevel)", "tag". */
export function dimensionName(d: Dimension): string {
  if ('tier' in d) return `tier(${d.tier.column ?? 'aum'})`;
  if ('bins' in d) return `bins(${d.bins.column})`;
  if ('tag' in d) return 'tag';
  if ('cluster' in d) return 'cluster';
  return d.column;
}

export function dimensionColumns(d: Dimension): string[] {
  if ('tier' in d) return [d.tier.column ?? 'aum'];
  if ('bins' in d) return [d.bins.column];
  if ('tag' in d) return [...new Set(d.tag.rules.flatMap((r) => filterColumns(r.when)))];
  if ('cluster' in d) return clusterColumns(d.cluster);
  return [d.column];
}

/** One batch's level codes: `codes[i]` in [0, labels.length], labels.length = missing. */
export interface DimensionCodes {
  /** Read-only: may be the batch's own dictionary codes or a cached array (bin-codes.ts). */
  readonly codes: ArrayLike<number>;
  /** Stable object per dictionary (category) or per dimension (fixed lists): a cache key. */
  readonly labels: readonly string[];
}

/**
 * Per-batch compiler of one dimension; one instance per kernel map call. The codes array it
 * returns may be reused by the next call.
 */
export class DimensionCompiler {
  private buffer = new Int32Array(0);
  private readonly fixed: readonly string[] | null;
  private readonly cuts: Float64Array;
  private readonly rules: RowFilter[];
  private readonly assigner: ClusterAssigner | null;
  /** Tiers and bins: the column binned, and its key in the bin-code cache. */
  private readonly binColumn: string;
  private readonly binKey: string;

  constructor(readonly dim: Dimension, private readonly labelCache = new LabelCache()) {
    this.fixed = fixedLabels(dim);
    this.assigner = 'cluster' in dim ? new ClusterAssigner(dim.cluster) : null;
    this.cuts = Float64Array.from('tier' in dim ? (dim.tier.thresholds ?? DEFAULT_TIER_THRESHOLDS) : 'bins' in dim ? dim.bins.edges : []);
    this.rules = 'tag' in dim ? dim.tag.rules.map((r) => new RowFilter(r.when, labelCache)) : [];
    this.binColumn = 'tier' in dim ? (dim.tier.column ?? 'aum') : 'bins' in dim ? dim.bins.column : '';
    this.binKey = binningKey(this.binColumn, this.cuts);
  }

  private scratch(n: number): Int32Array {
    if (this.buffer.length < n) this.buffer = new Int32Array(Math.max(n, 1024));
    return this.buffer.subarray(0, n);
  }

  codes(batch: RecordBatch): DimensionCodes {
    const d = this.dim;
    const n = batch.numRows;
    if ('tag' in d) {
      const out = this.scratch(n);
      out.fill(this.rules.length);
      // Last rule first, so the first matching rule is written last and wins.
      for (let r = this.rules.length - 1; r >= 0; r--) {
        const m = this.rules[r].mask(batch);
        if (m === null) out.fill(r);
        else for (let i = 0; i < n; i++) out[i] += (r - out[i]) * m[i]; // branch-free: m[i] is 0 or 1
      }
      return { codes: out, labels: this.fixed! };
    }
    if ('cluster' in d) return { codes: this.assigner!.codes(batch, this.scratch(n)), labels: this.fixed! };
    if ('tier' in d || 'bins' in d) {
      const column = this.binColumn;
      const data = columnData(batch, column);
      const values: unknown = data.values;
      if (!(values instanceof Float64Array || values instanceof Int32Array) || (data.type.typeId !== Type.Float && data.type.typeId !== Type.Int)) {
        throw new Error(`Column "${column}" is ${String(data.type)}; tiers and bins read Float64 or Int32.`);
      }
      return { codes: cachedBinCodes(batch, this.binKey, values, bitmapOf(data), data.offset, this.cuts), labels: this.fixed! };
    }
    const data = columnData(batch, d.column);
    if (data.type.typeId !== Type.Dictionary || !data.dictionary) throw new Error(`Column "${d.column}" is ${String(data.type)}, not a dictionary-encoded category.`);
    const labels = this.labelCache.labels(data.dictionary);
    const raw = data.values as ArrayLike<number>;
    const bitmap = bitmapOf(data);
    if (bitmap === null && raw instanceof Int32Array) return { codes: raw, labels };
    const out = this.scratch(n);
    const missing = labels.length;
    const offset = data.offset;
    for (let i = 0; i < n; i++) {
      const j = offset + i;
      out[i] = bitmap === null || ((bitmap[j >> 3] >> (j & 7)) & 1) === 1 ? raw[i] : missing;
    }
    return { codes: out, labels };
  }
}

/**
 * Order of category labels in results: Unicode code point order (= UTF-8 byte order, DuckDB's
 * default VARCHAR order), as in group-keys.ts.
 */
export const compareLabels = compareCodePoints;
