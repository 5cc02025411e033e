/**
 * The values of a string column as UTF-8 bytes with Arrow offsets, filled row by row. Readers copy
 * a cell's bytes in (the CSV reader straight from the input) rather than make a JS string per
 * cell, and the Arrow Utf8 data is then these buffers, with no encoding pass.
 *
 * Contract: rows are written in increasing order, each at most once, and only the last row written
 * can be taken back (`drop`). A row never written holds no bytes; which rows hold a value (as
 * opposed to being null) is the owner's to record.
 */
import { Utf8, makeData, type Data } from 'apache-arrow';
import { packValidity } from '../schema/arrow-columns.js';
import { hashBytes } from './byte-keys.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
/** Arrow Utf8 offsets are int32. */
const MAX_BYTES = 0x7fffffff;

export class Utf8Cells {
  /** Row r is data[offsets[r], offsets[r + 1]), for r < rows. */
  private data: Uint8Array;
  private offsets: Int32Array;
  /** Rows whose end offset is set. */
  private rows = 0;

  constructor(capacity: number) {
    this.offsets = new Int32Array(capacity + 1);
    this.data = new Uint8Array(Math.max(1024, capacity * 8));
  }

  /** Makes room for the offsets of at least `capacity` rows. */
  ensureRows(capacity: number): void {
    if (capacity + 1 <= this.offsets.length) return;
    const grown = new Int32Array(capacity + 1);
    grown.set(this.offsets.subarray(0, this.rows + 1));
    this.offsets = grown;
  }

  /** Opens `row` for `n` bytes: rows skipped since the last one written stay empty. Returns where to write. */
  private open(row: number, n: number): number {
    const offsets = this.offsets;
    const end = offsets[this.rows];
    for (let r = this.rows + 1; r <= row; r++) offsets[r] = end;
    if (end + n > this.data.length) this.growData(end + n);
    return end;
  }

  private close(row: number, end: number): void {
    this.offsets[row + 1] = end;
    this.rows = row + 1;
  }

  private growData(need: number): void {
    if (need > MAX_BYTES) throw new RangeError(`A text column holds more than ${MAX_BYTES} bytes, the most an Arrow Utf8 column can.`);
    const grown = new Uint8Array(Math.min(MAX_BYTES, Math.max(need, this.data.length * 2)));
    grown.set(this.data.subarray(0, this.offsets[this.rows]));
    this.data = grown;
  }

  /** Stores src[a, b), which must be well-formed UTF-8, as the value of `row`. */
  putBytes(row: number, src: Uint8Array, a: number, b: number): void {
    const n = b - a;
    let p = this.open(row, n);
    const data = this.data;
    if (n <= 32) {
      // Cells are mostly short: a loop beats the call and the view TypedArray.set needs.
      for (let i = a; i < b; i++) data[p++] = src[i];
    } else {
      data.set(src.subarray(a, b), p);
      p += n;
    }
    this.close(row, p);
  }

  putString(row: number, s: string): void {
    // A UTF-16 code unit never needs more than 3 UTF-8 bytes.
    const p = this.open(row, s.length * 3);
    this.close(row, p + encoder.encodeInto(s, this.data.subarray(p)).written);
  }

  /** Takes back the bytes of `row` if it was written; it must be the last row written. */
  drop(row: number): void {
    if (row >= this.rows) return;
    if (row !== this.rows - 1) throw new Error(`Utf8Cells: row ${row} cannot be dropped after row ${this.rows - 1} was written.`);
    this.rows = row;
  }

  /** Sets the offsets of rows [rows, n) that were never written; call before reading rows. */
  seal(n: number): void {
    this.ensureRows(n);
    const end = this.offsets[this.rows];
    for (let r = this.rows + 1; r <= n; r++) this.offsets[r] = end;
    this.rows = Math.max(this.rows, n);
  }

  hash(row: number): number {
    return hashBytes(this.data, this.offsets[row], this.offsets[row + 1]);
  }

  /** Whether rows r and s hold the same bytes. */
  same(r: number, s: number): boolean {
    const offsets = this.offsets;
    const a = offsets[r];
    const b = offsets[s];
    const n = offsets[r + 1] - a;
    if (offsets[s + 1] - b !== n) return false;
    const data = this.data;
    for (let i = 0; i < n; i++) if (data[a + i] !== data[b + i]) return false;
    return true;
  }

  text(row: number): string {
    return decoder.decode(this.data.subarray(this.offsets[row], this.offsets[row + 1]));
  }

  /**
   * Arrow Utf8 data of rows [0, n) (sealed) without those where out[r] is 1; `valid` is the
   * validity of the rows kept. The buffers are shared when every row is kept and they are not much
   * larger than needed.
   */
  toArrow(n: number, out: Uint8Array, kept: number, valid: Uint8Array): Data<Utf8> {
    const src = this.data;
    const from = this.offsets;
    let offsets: Int32Array;
    let data: Uint8Array;
    if (kept === n) {
      const size = from[n];
      offsets = from.length <= (n + 1) * 1.25 + 1024 ? from.subarray(0, n + 1) : from.slice(0, n + 1);
      data = src.length <= size * 1.25 + 1024 ? src.subarray(0, size) : src.slice(0, size);
    } else {
      offsets = new Int32Array(kept + 1);
      let size = 0;
      for (let r = 0; r < n; r++) if (!out[r]) size += from[r + 1] - from[r];
      data = new Uint8Array(size);
      // Copied run by run: a run of kept rows is contiguous in both buffers.
      for (let r = 0, j = 0; r < n;) {
        if (out[r]) {
          r++;
          continue;
        }
        const first = r;
        for (; r < n && !out[r]; r++, j++) offsets[j + 1] = offsets[j] + (from[r + 1] - from[r]);
        data.set(src.subarray(from[first], from[r]), offsets[j] - (from[r] - from[first]));
      }
    }
    const { bitmap, nullCount } = packValidity(valid, kept);
    return makeData({ type: new Utf8(), length: kept, nullCount, nullBitmap: bitmap, valueOffsets: offsets, data });
  }
}
