/**
 * Dictionary codes of a category column, with the dictionary's identity, so per-batch lookup
 * tables (label -> group, label -> allowed) are built once per dictionary rather than once per
 * batch: generated and cached chunks share one dictionary vector per column, so a 10M-row dataset
 * typically decodes each dictionary once per worker.
 *
 * Differs from columns.ts `categoryView` only in not decoding the labels on every call.
 */
import { Type, type RecordBatch } from 'apache-arrow';
import { bitmapOf, columnData } from './column-data.js';

export interface CategoryCodes {
  readonly length: number;
  /** Codes into the dictionary; index 0 is the batch's first row. */
  readonly codes: Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;
  /** Arrow validity bitmap read at `offset + i`, or null when the batch has no nulls. */
  readonly bitmap: Uint8Array | null;
  readonly offset: number;
  /** The dictionary (an Arrow Vector): same object across batches that share it. Cache key. */
  readonly dictionary: object;
}

export function categoryCodes(batch: RecordBatch, name: string): CategoryCodes {
  const data = columnData(batch, name);
  if (data.type.typeId !== Type.Dictionary || !data.dictionary) throw new Error(`Column "${name}" is ${String(data.type)}, not a dictionary-encoded category.`);
  return { length: data.length, codes: data.values as CategoryCodes['codes'], bitmap: bitmapOf(data), offset: data.offset, dictionary: data.dictionary };
}

/** Decoded labels per dictionary object; one instance per kernel map call (no global state). */
export class LabelCache {
  private readonly cache = new WeakMap<object, readonly string[]>();

  labels(dictionary: object): readonly string[] {
    let labels = this.cache.get(dictionary);
    if (!labels) {
      const dict = dictionary as { length: number; get(i: number): unknown };
      const out: string[] = new Array(dict.length);
      for (let i = 0; i < dict.length; i++) out[i] = String(dict.get(i));
      labels = out;
      this.cache.set(dictionary, labels);
    }
    return labels;
  }
}
