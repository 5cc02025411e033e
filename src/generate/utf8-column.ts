/**
 * Builds an Arrow Utf8 column from pre-encoded byte pieces, without creating a JS string per row.
 *
 * Why: the generator makes one name and one id per client. Building them as JS strings and then
 * UTF-8 encoding them (utf8Data) cost about half of the generator's time in string allocation,
 * garbage collection and per-row encodeInto calls. Names are assembled from a few hundred fixed
 * parts, so the parts are encoded once (`encodePieces`) and rows copy their bytes.
 * Contract: call `append*` for the pieces of row i, then `endRow()`; exactly `length` rows.
 */
import { Utf8, makeData, makeVector, type Vector } from 'apache-arrow';

const encoder = new TextEncoder();

/** UTF-8 bytes of each string, for `Utf8ColumnBuilder.append`. */
export function encodePieces(strings: readonly string[]): Uint8Array[] {
  return strings.map((s) => encoder.encode(s));
}

export class Utf8ColumnBuilder {
  private bytes: Uint8Array;
  private readonly offsets: Int32Array;
  private pos = 0;
  private row = 0;

  constructor(
    readonly length: number,
    bytesPerRowHint: number,
  ) {
    this.offsets = new Int32Array(length + 1);
    this.bytes = new Uint8Array(Math.max(64, length * bytesPerRowHint));
  }

  private reserve(extra: number): void {
    if (this.pos + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.pos + extra));
    grown.set(this.bytes.subarray(0, this.pos));
    this.bytes = grown;
  }

  /** Appends encoded bytes to the current row. */
  append(piece: Uint8Array): void {
    const n = piece.length;
    this.reserve(n);
    const bytes = this.bytes;
    let p = this.pos;
    // Pieces are a few bytes long: a loop beats TypedArray.set's call overhead.
    for (let i = 0; i < n; i++) bytes[p++] = piece[i];
    this.pos = p;
  }

  /** Appends one ASCII byte (a character code < 128). */
  appendAscii(code: number): void {
    this.reserve(1);
    this.bytes[this.pos++] = code;
  }

  /** Appends `value` (an integer >= 0) in decimal, left-padded with '0' to `width` digits. */
  appendPaddedInt(value: number, width: number): void {
    let digits = 1;
    for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++;
    const w = Math.max(width, digits);
    this.reserve(w);
    const bytes = this.bytes;
    let v = value;
    for (let p = this.pos + w - 1; p >= this.pos; p--) {
      bytes[p] = 48 + (v % 10);
      v = Math.floor(v / 10);
    }
    this.pos += w;
  }

  endRow(): void {
    if (this.row >= this.length) throw new Error(`Utf8ColumnBuilder: more than ${this.length} rows.`);
    this.offsets[++this.row] = this.pos;
  }

  /** The finished column (no nulls). */
  finish(): Vector<Utf8> {
    if (this.row !== this.length) throw new Error(`Utf8ColumnBuilder: ${this.row} rows ended, ${this.length} expected.`);
    const data = makeData({ type: new Utf8(), length: this.length, nullCount: 0, valueOffsets: this.offsets, data: this.bytes.slice(0, this.pos) });
    return makeVector(data);
  }
}
