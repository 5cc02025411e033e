/**
 * Typed views of one column of one record batch, for kernels' inner loops. Values arrays are
 * already cut to the batch (index 0 is the batch's first row); validity is Arrow's bitmap, read at
 * `offset + i`. `null` bitmap means no nulls.
 */
import { Type, type RecordBatch } from 'apache-arrow';
import { bitmapOf, columnData } from './column-data.js';
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';
import { SpecError } from './kernel.js';
import { describe } from './spec-checks.js';
import { kindOf, type ColumnKind } from './column-kind.js';

export interface NumericView {
  readonly length: number;
  /** Float64 (money, ratios), Int32 (counts), or Int32 days since epoch (dates). */
  readonly values: Float64Array | Int32Array;
  readonly bitmap: Uint8Array | null;
  readonly offset: number;
}

export interface CategoryView {
  readonly length: number;
  /** Dictionary codes into `labels`. */
  readonly codes: Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;
  readonly labels: readonly string[];
  readonly bitmap: Uint8Array | null;
  readonly offset: number;
}

export interface BoolView {
  readonly length: number;
  readonly bits: Uint8Array;
  readonly bitmap: Uint8Array | null;
  readonly offset: number;
}

/** True when row i of a view is present. Inline-friendly: no allocation, no closure. */
export function isValid(view: { bitmap: Uint8Array | null; offset: number }, i: number): boolean {
  if (view.bitmap === null) return true;
  const j = view.offset + i;
  return ((view.bitmap[j >> 3] >> (j & 7)) & 1) === 1;
}

export function numericView(batch: RecordBatch, name: string): NumericView {
  const data = columnData(batch, name);
  const t = data.type.typeId;
  if (t !== Type.Float && t !== Type.Int && t !== Type.Date) throw new Error(`Column "${name}" is ${String(data.type)}, not numeric.`);
  const values = data.values as Float64Array | Int32Array;
  if (!(values instanceof Float64Array || values instanceof Int32Array)) throw new Error(`Column "${name}" is ${String(data.type)}; kernels read Float64, Int32 and DateDay.`);
  return { length: data.length, values, bitmap: bitmapOf(data), offset: data.offset };
}

export function categoryView(batch: RecordBatch, name: string): CategoryView {
  const data = columnData(batch, name);
  if (data.type.typeId !== Type.Dictionary) throw new Error(`Column "${name}" is ${String(data.type)}, not a dictionary-encoded category.`);
  const dict = data.dictionary!;
  const labels: string[] = new Array(dict.length);
  for (let i = 0; i < dict.length; i++) labels[i] = String(dict.get(i));
  return { length: data.length, codes: data.values as CategoryView['codes'], labels, bitmap: bitmapOf(data), offset: data.offset };
}

export function boolView(batch: RecordBatch, name: string): BoolView {
  const data = columnData(batch, name);
  if (data.type.typeId !== Type.Bool) throw new Error(`Column "${name}" is ${String(data.type)}, not a boolean.`);
  return { length: data.length, bits: data.values as Uint8Array, bitmap: bitmapOf(data), offset: data.offset };
}

export function boolAt(view: BoolView, i: number): boolean {
  const j = view.offset + i;
  return ((view.bits[j >> 3] >> (j & 7)) & 1) === 1;
}

// In a file of its own so the page can read a column's kind without the column views.
export { kindOf, type ColumnKind } from './column-kind.js';

/** Checks that `column` exists in `schema` with one of `kinds`; throws SpecError naming `field`. */
export function requireColumn(kernel: string, field: string, column: unknown, schema: readonly ColumnInfo[], kinds: readonly ColumnKind[]): string {
  if (typeof column !== 'string' || column === '') throw new SpecError(kernel, field, `must be a column name; got ${describe(column)}.`);
  const info = schema.find((c) => c.name === column);
  if (!info) throw new SpecError(kernel, field, `names column ${describe(column)}, which the dataset does not have (columns: ${schema.map((c) => c.name).join(', ')}).`);
  const kind = kindOf(info.type);
  if (!kinds.includes(kind)) throw new SpecError(kernel, field, `names column "${column}" of type ${info.type}; expected ${kinds.join(' or ')}.`);
  return column;
}
