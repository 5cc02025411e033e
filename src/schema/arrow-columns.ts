/**
 * Builders from typed arrays to Arrow vectors in the storage types ClientSchema fixes.
 *
 * Both the generator and the ingest fill plain typed arrays in one pass and hand them here: no
 * per-value Arrow Builder calls on hot paths. Validity is a byte-per-row mask (1 = present) that
 * is packed into Arrow's bitmap once; `null` means every row is present.
 */
import {
  Bool, DateDay, Dictionary, Float64, Int32, Table, Utf8, makeData, makeVector, type Vector,
} from 'apache-arrow';
import { CLIENT_FIELDS, fieldDef, type ClientField, type FieldType } from './client-schema.js';

export type ColumnValues =
  | { type: 'float'; values: Float64Array; valid: Uint8Array | null }
  | { type: 'int' | 'date'; values: Int32Array; valid: Uint8Array | null }
  | { type: 'bool'; values: Uint8Array; valid: Uint8Array | null }
  | { type: 'category'; indices: Int32Array; dictionary: readonly string[]; valid: Uint8Array | null }
  | { type: 'string'; values: readonly (string | null)[] };

/** Packs a byte-per-row mask into an Arrow bitmap; returns the bitmap and how many rows are null. */
export function packValidity(valid: Uint8Array | null, length: number): { bitmap: Uint8Array | undefined; nullCount: number } {
  if (!valid) return { bitmap: undefined, nullCount: 0 };
  const bitmap = new Uint8Array((length + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < length; i++) {
    if (valid[i]) bitmap[i >> 3] |= 1 << (i & 7);
    else nulls++;
  }
  return nulls === 0 ? { bitmap: undefined, nullCount: 0 } : { bitmap, nullCount: nulls };
}

/** UTF-8 encodes strings into one buffer with Arrow offsets; null entries become Arrow nulls. */
export function utf8Data(strings: readonly (string | null)[]) {
  const length = strings.length;
  const offsets = new Int32Array(length + 1);
  const encoder = new TextEncoder();
  let bytes = new Uint8Array(Math.max(64, length * 12));
  let pos = 0;
  let valid: Uint8Array | null = null;
  for (let i = 0; i < length; i++) {
    const s = strings[i];
    if (s == null) {
      (valid ??= new Uint8Array(length).fill(1))[i] = 0;
    } else if (s.length > 0) {
      // A UTF-16 code unit never needs more than 3 UTF-8 bytes.
      if (pos + s.length * 3 > bytes.length) {
        const grown = new Uint8Array(Math.max(bytes.length * 2, pos + s.length * 3));
        grown.set(bytes.subarray(0, pos));
        bytes = grown;
      }
      pos += encoder.encodeInto(s, bytes.subarray(pos)).written;
    }
    offsets[i + 1] = pos;
  }
  const { bitmap, nullCount } = packValidity(valid, length);
  return makeData({ type: new Utf8(), length, nullCount, nullBitmap: bitmap, valueOffsets: offsets, data: bytes.subarray(0, pos) });
}

/**
 * `dictionaryId` pins the Arrow dictionary id: without one, apache-arrow takes the next number of a
 * process-wide counter, so the same table would serialise to different bytes each time.
 */
export function toVector(col: ColumnValues, dictionaryId = 0): Vector {
  switch (col.type) {
    case 'float': {
      const { bitmap, nullCount } = packValidity(col.valid, col.values.length);
      return makeVector(makeData({ type: new Float64(), length: col.values.length, nullCount, nullBitmap: bitmap, data: col.values }));
    }
    case 'int': {
      const { bitmap, nullCount } = packValidity(col.valid, col.values.length);
      return makeVector(makeData({ type: new Int32(), length: col.values.length, nullCount, nullBitmap: bitmap, data: col.values }));
    }
    case 'date': {
      const { bitmap, nullCount } = packValidity(col.valid, col.values.length);
      return makeVector(makeData({ type: new DateDay(), length: col.values.length, nullCount, nullBitmap: bitmap, data: col.values }));
    }
    case 'bool': {
      const length = col.values.length;
      const packed = new Uint8Array((length + 7) >> 3);
      for (let i = 0; i < length; i++) if (col.values[i]) packed[i >> 3] |= 1 << (i & 7);
      const { bitmap, nullCount } = packValidity(col.valid, length);
      return makeVector(makeData({ type: new Bool(), length, nullCount, nullBitmap: bitmap, data: packed }));
    }
    case 'category': {
      const length = col.indices.length;
      const { bitmap, nullCount } = packValidity(col.valid, length);
      const dictionary = makeVector(utf8Data(col.dictionary));
      const type = new Dictionary(new Utf8(), new Int32(), dictionaryId);
      return makeVector(makeData({ type, length, nullCount, nullBitmap: bitmap, data: col.indices, dictionary }));
    }
    case 'string':
      return makeVector(utf8Data(col.values));
  }
}

/** Builds a client table; columns are emitted in ClientSchema order so every chunk has the same schema. */
export function makeClientTable(columns: Partial<Record<ClientField, ColumnValues>>): Table {
  const vectors: Record<string, Vector> = {};
  for (const key of CLIENT_FIELDS) {
    const col = columns[key];
    if (!col) continue;
    const expected: FieldType = fieldDef(key).type;
    if (col.type !== expected) throw new Error(`Column "${key}" must be ${expected}, got ${col.type}`);
    vectors[key] = toVector(col, CLIENT_FIELDS.indexOf(key));
  }
  return new Table(vectors);
}

/**
 * Days since 1970-01-01 (UTC) for a calendar date; the DateDay storage unit. Out-of-range months
 * and days roll over as in Date.UTC, but years 0-99 stay literal (Date.UTC reads them as 1900-1999).
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  if (year >= 100 || year < 0) return Math.floor(Date.UTC(year, month - 1, day) / 86_400_000);
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return Math.floor(d.getTime() / 86_400_000);
}
