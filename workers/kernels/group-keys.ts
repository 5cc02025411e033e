/**
 * Group keys of a `by` category column, for kernels that aggregate per segment.
 *
 * Inner loops index per-group accumulators by the batch's dictionary code (an Int32Array, never a
 * string), with one extra slot for rows whose category is null. Codes are only meaningful within
 * one batch (two batches may carry different dictionaries), so kernels turn them into labels once
 * per batch, when they hand a batch's accumulators over, and merge across batches and workers by
 * label.
 *
 * Order of groups in results: by label in Unicode code point order (the same as UTF-8 byte order,
 * which is DuckDB's default VARCHAR order), the null group last.
 */
import type { RecordBatch } from 'apache-arrow';
import { categoryView } from './columns.js';

export interface GroupCodes {
  /** Dictionary code of each row of the batch (garbage where the row is null: check `bitmap`). */
  readonly codes: Int32Array;
  readonly bitmap: Uint8Array | null;
  readonly offset: number;
  /** Labels of the batch's dictionary; codes index into it. */
  readonly labels: readonly string[];
  /** Accumulator slot of rows whose category is null: `labels.length`. */
  readonly nullSlot: number;
}

/** The `by` column of one batch as Int32 codes (other index widths are widened once per batch). */
export function groupCodes(batch: RecordBatch, column: string): GroupCodes {
  const v = categoryView(batch, column);
  const codes = v.codes instanceof Int32Array ? v.codes : Int32Array.from(v.codes);
  return { codes, bitmap: v.bitmap, offset: v.offset, labels: v.labels, nullSlot: v.labels.length };
}

/** Label of accumulator slot `g` (null for the null slot). */
export function slotKey(groups: GroupCodes, g: number): string | null {
  return g === groups.nullSlot ? null : groups.labels[g];
}

/**
 * Compares two strings by Unicode code point (equivalently, by their UTF-8 bytes). JavaScript's
 * `<` compares UTF-16 code units, which puts U+E000..U+FFFF after supplementary characters; this
 * fixes that so that the order agrees with byte-wise comparisons of Arrow Utf8 data.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates (D800-DFFF) encode code points above FFFF: move them above E000-FFFF.
      x = x <= 0xdfff ? x + 0x2000 : x - 0x800;
      y = y <= 0xdfff ? y + 0x2000 : y - 0x800;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** Group key order: code point order, null last. */
export function compareGroupKeys(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return compareCodePoints(a, b);
}

/** A bit of an Arrow validity bitmap. */
export function bitAt(bitmap: Uint8Array, j: number): boolean {
  return ((bitmap[j >> 3] >> (j & 7)) & 1) === 1;
}
