/**
 * The K best rows of a worker's batches under a ranking key, for ranked client lists (the
 * whale curve's top clients, the churn at-risk page), selected without a JS object or string per
 * row: keys live in typed arrays of a bounded heap, ids stay UTF-8 bytes in the Arrow column until
 * the K winners are decoded at the end.
 *
 * Order (best first), a strict total order:
 *   1. `primary` descending;
 *   2. `secondary` descending, absent (passed as NaN: a null or NaN value) after every number;
 *   3. client id ascending in UTF-8 byte order (= Unicode code point order, DuckDB's VARCHAR
 *      order), a null id after every id;
 *   4. global row number ascending (only decides between rows with equal ids).
 * Because the order is total, the K best rows of each partition, merged and cut to K, are exactly
 * the K best rows overall: that is how partials from row-range splits combine.
 */
import { Type, type RecordBatch } from 'apache-arrow';
import { bitAt, compareCodePoints } from './group-keys.js';
import { viewSource } from './filtered-rows.js';

/** The id column of one batch: UTF-8 bytes and offsets (LargeUtf8 offsets as Float64). */
export interface IdView {
  readonly offsets: Int32Array | Float64Array;
  readonly bytes: Uint8Array;
  readonly bitmap: Uint8Array | null;
  readonly offset: number;
  /**
   * For a filtered view (filtered-rows.ts): row i of the view is row rows[i] of offsets, bitmap
   * and bytes, which are its stored batch's. A ranked list reads a few ids, and gathering the
   * whole string column of the filtered rows for them was the largest part of a filter change's
   * gathering. null: row i is row i.
   */
  readonly rows: Int32Array | null;
}

export function idView(batch: RecordBatch, column: string): IdView {
  const source = viewSource(batch);
  const child = (source?.batch ?? batch).getChild(column);
  if (!child) throw new Error(`Column "${column}" is not in this batch.`);
  if (child.data.length !== 1) throw new Error(`Column "${column}" has ${child.data.length} data pieces in one batch; expected 1.`);
  const data = child.data[0];
  const t = data.type.typeId;
  if (t !== Type.Utf8 && t !== Type.LargeUtf8) throw new Error(`Column "${column}" is ${String(data.type)}, not a string column.`);
  const raw = data.valueOffsets as Int32Array | BigInt64Array;
  const offsets = raw instanceof BigInt64Array ? Float64Array.from(raw, (x) => Number(x)) : raw;
  const bitmap = data.nullCount > 0 && data.nullBitmap && data.nullBitmap.length > 0 ? data.nullBitmap : null;
  return { offsets, bytes: (data.values as Uint8Array) ?? new Uint8Array(0), bitmap, offset: data.offset, rows: source?.rows ?? null };
}

/** One selected row, as partials carry it (structured-cloneable). */
export interface RankedRow {
  readonly primary: number;
  /** null when absent (null or NaN). */
  readonly secondary: number | null;
  readonly id: string | null;
  /** Global row number in the dataset. */
  readonly row: number;
  /** Kernel payload (e.g. a rule bitmask); not part of the order. */
  readonly tag: number;
}

/** The order above on decoded rows (negative: `a` ranks first). */
export function compareRankedRows(a: RankedRow, b: RankedRow): number {
  if (a.primary !== b.primary) return a.primary > b.primary ? -1 : 1;
  const sa = a.secondary;
  const sb = b.secondary;
  if (sa !== sb) {
    if (sa === null) return 1;
    if (sb === null) return -1;
    if (sa > sb) return -1;
    if (sa < sb) return 1;
  }
  if (a.id !== b.id) {
    if (a.id === null) return 1;
    if (b.id === null) return -1;
    const c = compareCodePoints(a.id, b.id);
    if (c !== 0) return c;
  }
  return a.row - b.row;
}

/** Merges sorted-or-not partial lists into the rows ranked [start, end) overall. */
export function mergeRankedRows(lists: readonly (readonly RankedRow[])[], start: number, end: number): RankedRow[] {
  const all: RankedRow[] = [];
  for (const l of lists) for (const r of l) all.push(r);
  all.sort(compareRankedRows);
  return all.slice(start, end);
}

const decoder = new TextDecoder();

export class TopRows {
  /** Number of rows held (<= capacity). */
  size = 0;
  private readonly primary: Float64Array;
  private readonly secondary: Float64Array;
  private readonly tag: Float64Array;
  private readonly batchOf: Int32Array;
  private readonly rowOf: Int32Array;
  private readonly globalRow: Float64Array;
  /** heap[0] is the slot of the worst held row; slot `capacity` is scratch for a candidate. */
  private readonly heap: Int32Array;
  private readonly ids: (IdView | null)[] = [];

  constructor(readonly capacity: number) {
    const n = capacity + 1;
    this.primary = new Float64Array(n);
    this.secondary = new Float64Array(n);
    this.tag = new Float64Array(n);
    this.batchOf = new Int32Array(n);
    this.rowOf = new Int32Array(n);
    this.globalRow = new Float64Array(n);
    this.heap = new Int32Array(Math.max(1, capacity));
  }

  /** Registers a batch's id column (null: no ids, every id null); returns its batch number. */
  addBatch(ids: IdView | null): number {
    this.ids.push(ids);
    return this.ids.length - 1;
  }

  get full(): boolean {
    return this.size === this.capacity;
  }

  /** Primary key of the worst held row (-Infinity while not full): rows below it never enter. */
  get cutoff(): number {
    return this.size === this.capacity && this.capacity > 0 ? this.primary[this.heap[0]] : -Infinity;
  }

  /** Offers a row; `secondary` NaN means absent. Returns true when it was kept. */
  offer(primary: number, secondary: number, batch: number, row: number, globalRow: number, tag: number): boolean {
    const cap = this.capacity;
    if (cap === 0) return false;
    let slot: number;
    if (this.size < cap) {
      slot = this.size;
    } else {
      // Quick rejections on the numeric keys before the full comparison.
      const root = this.heap[0];
      const rp = this.primary[root];
      if (primary < rp) return false;
      if (primary === rp) {
        const rs = this.secondary[root];
        const absent = secondary !== secondary;
        if (absent && rs === rs) return false;
        if (!absent && rs === rs && secondary < rs) return false;
      }
      slot = cap;
    }
    this.primary[slot] = primary;
    this.secondary[slot] = secondary;
    this.tag[slot] = tag;
    this.batchOf[slot] = batch;
    this.rowOf[slot] = row;
    this.globalRow[slot] = globalRow;
    if (this.size < cap) {
      this.heap[this.size] = slot;
      this.size++;
      this.siftUp(this.size - 1);
      return true;
    }
    const root = this.heap[0];
    if (this.compare(cap, root) >= 0) return false; // not better than the worst held row
    this.primary[root] = primary;
    this.secondary[root] = secondary;
    this.tag[root] = tag;
    this.batchOf[root] = batch;
    this.rowOf[root] = row;
    this.globalRow[root] = globalRow;
    this.siftDown(0);
    return true;
  }

  /** The held rows, best first, ids decoded. */
  rows(): RankedRow[] {
    const out: RankedRow[] = [];
    for (let h = 0; h < this.size; h++) {
      const s = this.heap[h];
      const sec = this.secondary[s];
      out.push({ primary: this.primary[s], secondary: sec === sec ? sec : null, id: this.idString(s), row: this.globalRow[s], tag: this.tag[s] });
    }
    return out.sort(compareRankedRows);
  }

  private idString(slot: number): string | null {
    const v = this.ids[this.batchOf[slot]];
    const i = v === null || v.rows === null ? this.rowOf[slot] : v.rows[this.rowOf[slot]];
    if (v === null || (v.bitmap !== null && !bitAt(v.bitmap, v.offset + i))) return null;
    return decoder.decode(v.bytes.subarray(v.offsets[i], v.offsets[i + 1]));
  }

  /** Negative when slot a ranks before slot b. */
  private compare(a: number, b: number): number {
    const pa = this.primary[a];
    const pb = this.primary[b];
    if (pa !== pb) return pa > pb ? -1 : 1;
    const sa = this.secondary[a];
    const sb = this.secondary[b];
    const na = sa !== sa;
    const nb = sb !== sb;
    if (na !== nb) return na ? 1 : -1;
    if (!na && sa !== sb) return sa > sb ? -1 : 1;
    const c = this.compareIds(a, b);
    if (c !== 0) return c;
    return this.globalRow[a] - this.globalRow[b];
  }

  private compareIds(a: number, b: number): number {
    const va = this.ids[this.batchOf[a]];
    const vb = this.ids[this.batchOf[b]];
    const ia = va === null || va.rows === null ? this.rowOf[a] : va.rows[this.rowOf[a]];
    const ib = vb === null || vb.rows === null ? this.rowOf[b] : vb.rows[this.rowOf[b]];
    const nullA = va === null || (va.bitmap !== null && !bitAt(va.bitmap, va.offset + ia));
    const nullB = vb === null || (vb.bitmap !== null && !bitAt(vb.bitmap, vb.offset + ib));
    if (nullA || nullB) return nullA === nullB ? 0 : nullA ? 1 : -1;
    let pa = va!.offsets[ia];
    const ea = va!.offsets[ia + 1];
    let pb = vb!.offsets[ib];
    const eb = vb!.offsets[ib + 1];
    const ba = va!.bytes;
    const bb = vb!.bytes;
    for (; pa < ea && pb < eb; pa++, pb++) {
      const d = ba[pa] - bb[pb];
      if (d !== 0) return d;
    }
    return ea - pa - (eb - pb);
  }

  // Heap with the worst row at the root: parent is worse than (ranks after) its children.
  private siftUp(pos: number): void {
    const heap = this.heap;
    const slot = heap[pos];
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      if (this.compare(slot, heap[parent]) <= 0) break; // slot is better than parent: stays below
      heap[pos] = heap[parent];
      pos = parent;
    }
    heap[pos] = slot;
  }

  private siftDown(pos: number): void {
    const heap = this.heap;
    const n = this.size;
    const slot = heap[pos];
    for (;;) {
      const l = 2 * pos + 1;
      if (l >= n) break;
      const r = l + 1;
      const worse = r < n && this.compare(heap[r], heap[l]) > 0 ? r : l;
      if (this.compare(heap[worse], slot) <= 0) break;
      heap[pos] = heap[worse];
      pos = worse;
    }
    heap[pos] = slot;
  }
}
