/**
 * Page filters for kernels that do not filter by themselves: a filtered view of a worker's rows in
 * which each record batch only holds the rows that pass. Columns are gathered lazily, the first
 * time a kernel asks for them, so a filter costs one pass over the filter's own columns plus one
 * gather per column the kernel reads. Row order is kept, so tie-breaks by position still hold.
 */
import { RecordBatch, Type, makeData, type Data } from 'apache-arrow';
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';
import type { AnyKernel, RowBatch } from './kernel.js';
import { RowFilter, validateFilter, type FilterSpec } from './filter.js';

/** Separates `filter` from a spec for kernels that leave filtering to the runner. */
export function splitFilter(kernel: AnyKernel, spec: unknown, schema: readonly ColumnInfo[]): { spec: unknown; filter?: FilterSpec } {
  if (kernel.filters === 'native' || spec === null || typeof spec !== 'object' || !('filter' in spec)) return { spec };
  const { filter, ...rest } = spec as Record<string, unknown>;
  return { spec: rest, filter: validateFilter(kernel.name, 'filter', filter, schema) };
}

/**
 * The filtered views of a stored batch, per normalised filter: the panels of a dashboard run a
 * dozen kernels with one filter after each change, and most read the same columns (aum, revenue,
 * cost...). Sharing the view shares its mask and its gathered columns, which profiling showed to
 * be the largest worker cost of a filter change. Weakly keyed by the batch (entries go with the
 * dataset). A view of a broad filter holds copies of the columns read, so a batch keeps at most
 * VIEWS_PER_BATCH, oldest out. A burst of jobs (one filter change: every panel's queries, sent
 * back to back, under one filter or several when panels cross-filter) keeps the views it uses;
 * a new burst's first new view drops the views of earlier bursts that no job holds, so that their
 * buffers serve its gathers. Kept until evicted, the previous filter's view held a broad view's
 * worth of buffers out of the pool, and a broad filter after a broad one gathered into fresh
 * memory (1M dashboard: 46 ns a row against 5 into a pooled buffer).
 */
const VIEWS_PER_BATCH = 2;
const viewCache = new WeakMap<RecordBatch, Map<string, RecordBatch>>();
let viewCacheEnabled = true;
/** Views built (misses) and reused (hits), for tests and profiling. */
export const filteredViewStats = { hits: 0, misses: 0 };

/** For tests: turns the view cache on or off; results must not depend on it. */
export function setFilteredViewCache(enabled: boolean): void {
  viewCacheEnabled = enabled;
}

export function filterRows(rows: readonly RowBatch[], filter: FilterSpec | undefined): RowBatch[] {
  if (!filter) return [...rows];
  const rf = new RowFilter(filter);
  if (rf.empty) return [...rows];
  // validateFilter's output is normalised (fixed key order), so equal filters give equal keys.
  const key = JSON.stringify(filter);
  return rows.map(({ batch, rowOffset }) => {
    const cacheable = viewCacheEnabled && batch instanceof RecordBatch;
    let views = cacheable ? viewCache.get(batch) : undefined;
    const hit = views?.get(key);
    if (hit) {
      filteredViewStats.hits++;
      burstOfView.set(hit, burst);
      return { batch: hit, rowOffset, positions: positionsOfView.get(hit) };
    }
    filteredViewStats.misses++;
    if (views) makeRoom(views);
    const view = filterBatch(batch, rf);
    if (view !== batch) keyOfView.set(view, key);
    burstOfView.set(view, burst);
    if (cacheable) {
      if (!views) viewCache.set(batch, (views = new Map()));
      views.set(key, view);
    }
    return { batch: view, rowOffset, positions: positionsOfView.get(view) };
  });
}

/**
 * Jobs come in bursts, one per filter change: a job that starts after no job held views for
 * BURST_GAP_MS starts a new one. Between changes there is at least the page's drawing (43-87 ms
 * when the benchmark's script changes filters back to back). Within one change a worker may also
 * wait that long, for the page to merge partials or send a query's next stage (2-46 ms measured on
 * the 1M dashboard), but views are dropped only when a view is made, and a change makes its views
 * with its first stages, which the page queues all at once when the filter changes: a worker has
 * run them before it can run out of work and wait.
 */
export const BURST_GAP_MS = 10;
let burst = 0;
let idleSince = -Infinity;
/** The burst that last used each view. */
const burstOfView = new WeakMap<RecordBatch, number>();

/** Before a batch's new view: drops its views of earlier bursts no job holds, then the oldest beyond VIEWS_PER_BATCH - 1. */
function makeRoom(views: Map<string, RecordBatch>): void {
  for (const [key, view] of views) {
    if (allHolders > 0 || holders.has(key) || burstOfView.get(view) === burst) continue;
    retireView(view);
    views.delete(key);
  }
  while (views.size >= VIEWS_PER_BATCH) {
    const oldest = views.keys().next().value!;
    retireView(views.get(oldest)!);
    views.delete(oldest);
  }
}

/**
 * Kernels that filter natively (segment rollup, asset x loyalty) run branch-free masked loops over
 * every row, which wins while a filter keeps much of the data. Under a selective one they read
 * the filtered views instead when the filter keeps at most this share of the rows: a dashboard's
 * region filter keeps about a seventh, and the masked loops then did seven times the work. The
 * views' masks and gathered columns are shared with the page's other kernels (the view cache).
 */
export const SELECTIVE_SHARE = 0.25;

/** The filtered views of `rows` when `filter` keeps at most `share` of them, else null (see SELECTIVE_SHARE). */
export function selectiveRows(rows: readonly RowBatch[], filter: FilterSpec | undefined, share = SELECTIVE_SHARE): RowBatch[] | null {
  if (!filter) return null;
  // An empty filter gives the rows themselves: every row kept, so null below.
  const views = filterRows(rows, filter);
  let total = 0, kept = 0;
  for (let b = 0; b < rows.length; b++) {
    total += rows[b].batch.numRows;
    kept += views[b].batch.numRows;
  }
  return kept <= share * total ? views : null;
}

/**
 * Drops what `filter` left in the per-batch caches of `rows` (its masks and filtered views), for
 * work whose filter the user did not ask for (the idle warm-up): a user's later filter must not
 * find it computed by chance.
 */
export function forgetFilter(rows: readonly RowBatch[], filter: FilterSpec): void {
  const rf = new RowFilter(filter);
  const key = JSON.stringify(filter);
  for (const { batch } of rows) {
    rf.forget(batch);
    const view = viewCache.get(batch)?.get(key);
    if (view) retireView(view);
    viewCache.get(batch)?.delete(key);
  }
}

/**
 * The buffers of gathered columns are used again once their view has left the cache. In Chromium's
 * workers about half of a gather's time was the first touch of a fresh buffer (page faults and
 * zeroing). On the 1M dashboard, both workers' gather time per filter change with buffers reused
 * against fresh ones: clientType = retail (85% of the rows) 68 against 112 ms, tier = mass 39
 * against 68, a region 33 against 63.
 *
 * Lifetime contract: a job that reads filtered views holds `useViews(filter)` until it ends (or
 * `useViews()`, which holds the views of every filter). A view evicted while a job holds its
 * filter's views is retired: its buffers join the pool one task after the last such holder lets go
 * (by then that job's answer has been cloned into its message, even if it pointed into a view's
 * column). A view no job of its filter holds joins the pool as it is evicted (a task later if its
 * filter's last job let go in this task), while the jobs of the new filter still run: when that
 * waited for every job to end, a filter change gathered into fresh buffers only (on our CI VM a
 * first touch of fresh memory cost 30-55 ns a row against 2-7 for a reused buffer: up to 170 ms of
 * a worker's broad filter change). Evicted while no job runs (Node
 * tests, run-local), a view is left to the garbage collector as before. The pool keeps at most
 * POOL_LIMIT_BYTES.
 */
const POOL_LIMIT_BYTES = 96 << 20;
/**
 * Fresh buffers are sized in steps of this, so that gathers of similar lengths can share them.
 * Power-of-two sizes were tried (paired runs, five each, first and broad filters): no better, and
 * more page faults in the workers.
 */
const BUFFER_STEP = 64 << 10;
/** Free buffers, by byteLength ascending. */
const freeBuffers: ArrayBuffer[] = [];
let pooledBytes = 0;
/** Jobs holding one filter's views, by filter key; and jobs holding every view. */
const holders = new Map<string, number>();
let allHolders = 0;
/** Buffers of evicted views, by their filter's key, until no job holds that filter's views. */
const retired = new Map<string, ArrayBuffer[]>();
let recycleScheduled = false;
/** Filters whose last holder let go in this task: their answers may not be cloned yet. */
const releasedThisTask = new Set<string>();
const keyOfView = new WeakMap<RecordBatch, string>();
const buffersOfView = new WeakMap<RecordBatch, ArrayBuffer[]>();
/** Buffers taken from the pool and freshly allocated, for tests and profiling. */
export const viewBufferStats = { reused: 0, allocated: 0 };

/** For tests: empties the pool, so a test sees only the buffers it retires. */
export function clearViewBufferPool(): void {
  freeBuffers.length = 0;
  pooledBytes = 0;
}

/**
 * Marks the filtered views of `filter` (of every filter when none is given) as in use until the
 * returned function is called (see the contract above).
 */
export function useViews(filter?: FilterSpec): () => void {
  const key = filter === undefined ? null : JSON.stringify(filter);
  if (allHolders === 0 && holders.size === 0 && performance.now() - idleSince >= BURST_GAP_MS) burst++;
  if (key === null) allHolders++;
  else holders.set(key, (holders.get(key) ?? 0) + 1);
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    if (key === null) allHolders--;
    else if (holders.get(key) === 1) {
      holders.delete(key);
      releasedThisTask.add(key);
    } else holders.set(key, holders.get(key)! - 1);
    if (allHolders === 0 && holders.size === 0) idleSince = performance.now();
    scheduleRecycle();
  };
}

function scheduleRecycle(): void {
  if (recycleScheduled || (retired.size === 0 && releasedThisTask.size === 0)) return;
  recycleScheduled = true;
  setTimeout(recycleRetired, 0);
}

function recycleRetired(): void {
  recycleScheduled = false;
  releasedThisTask.clear();
  // Views still held wait: their holder's release schedules this again.
  if (allHolders > 0) return;
  for (const [key, buffers] of retired) {
    if (holders.has(key)) continue;
    retired.delete(key);
    pool(buffers);
  }
}

function pool(buffers: readonly ArrayBuffer[]): void {
  for (const buffer of buffers) {
    if (pooledBytes + buffer.byteLength > POOL_LIMIT_BYTES) break;
    freeBuffers.splice(firstAtLeast(buffer.byteLength), 0, buffer);
    pooledBytes += buffer.byteLength;
  }
}

function retireView(view: RecordBatch): void {
  const owned = buffersOfView.get(view);
  if (!owned) return;
  buffersOfView.delete(view);
  if (allHolders > 0 || holders.size > 0) {
    const key = keyOfView.get(view)!;
    if (allHolders === 0 && !holders.has(key) && !releasedThisTask.has(key)) {
      // No job reads it, and none let go of it in this task: its buffers serve this very gather.
      pool(owned);
    } else {
      const list = retired.get(key);
      if (list) list.push(...owned);
      else retired.set(key, [...owned]);
      scheduleRecycle();
    }
  }
  // Columns the holder still gathers on this view go to the garbage collector.
  owned.length = 0;
}

/**
 * Rows to size a view's buffer for: a view keeping over half of its batch gets room for all of it.
 * Sized to their own row count, the buffers of one broad filter (a region left out: 86% of the
 * rows) were a little too small for the next (another region: 88%), and every gather of it went
 * to fresh memory: on the 1M dashboard a gather into fresh memory cost 46 ns a row against 5 ns
 * into a pooled buffer, and a broad filter change gathers ~90 column batches per worker. At most
 * twice a view's need; a narrow view keeps the exact size.
 */
function roomyRows(kept: number, full: number): number {
  return kept > full / 2 ? full : kept;
}

function firstAtLeast(bytes: number): number {
  let lo = 0, hi = freeBuffers.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (freeBuffers[mid].byteLength < bytes) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A buffer of at least `bytes` for a view's column, recorded as the view's (`owned`). */
function takeBuffer(bytes: number, owned: ArrayBuffer[]): ArrayBuffer {
  const i = firstAtLeast(bytes);
  let buffer: ArrayBuffer;
  // Best fit, but not a buffer over twice the need: it would be kept from a later broad filter.
  if (i < freeBuffers.length && freeBuffers[i].byteLength <= 2 * bytes + BUFFER_STEP) {
    buffer = freeBuffers.splice(i, 1)[0];
    pooledBytes -= buffer.byteLength;
    viewBufferStats.reused++;
  } else {
    buffer = new ArrayBuffer(Math.max(1, Math.ceil(bytes / BUFFER_STEP)) * BUFFER_STEP);
    viewBufferStats.allocated++;
  }
  owned.push(buffer);
  return buffer;
}

/**
 * Memory for something a kernel derives from a batch and keeps with it (e.g. its profits, in a
 * WeakMap keyed by the batch): for a filtered view, a buffer of the view's, which goes back to the
 * pool with its columns when the view leaves the cache (same contract as above); for a stored
 * batch, a new buffer. Zeroed only when new.
 */
export function viewBuffer(batch: RecordBatch, bytes: number): ArrayBuffer {
  const owned = buffersOfView.get(batch);
  if (!owned) return new ArrayBuffer(bytes);
  const kept = batch.numRows;
  return takeBuffer(kept ? (bytes / kept) * roomyRows(kept, sourceOfView.get(batch)!.numRows) : bytes, owned);
}

/** The original in-batch positions of a filtered view's rows (absent: the view is the batch itself). */
const positionsOfView = new WeakMap<RecordBatch, Int32Array>();
const sourceOfView = new WeakMap<RecordBatch, RecordBatch>();

/**
 * The stored batch a filtered view was cut from, and the batch row of each view row; undefined for
 * a batch that is not a view. For columns a kernel reads at a few rows only (the ids of a top-100
 * list), which would cost more to gather than to read in place.
 */
export function viewSource(view: RecordBatch): { readonly batch: RecordBatch; readonly rows: Int32Array } | undefined {
  const batch = sourceOfView.get(view);
  return batch && { batch, rows: positionsOfView.get(view)! };
}

function filterBatch(batch: RecordBatch, rf: RowFilter): RecordBatch {
  const mask = rf.mask(batch)!;
  const n = keptRows(mask);
  if (n === batch.numRows) return batch;
  const owned: ArrayBuffer[] = [];
  const picked = keptPositions(mask, n, new Int32Array(takeBuffer(4 * (roomyRows(n, mask.length) + 1), owned), 0, n + 1));
  const view = filteredBatch(batch, picked, packMask(mask), owned);
  positionsOfView.set(view, picked);
  sourceOfView.set(view, batch);
  return view;
}

// The loops of this file are leaf functions that end at their loop: V8 compiles a long loop while
// it runs, and code after it without type feedback then sent every later call back to the
// interpreter (profiled on the 1M dashboard: filterBatch and the gathers took 20-30 ms per worker
// per filter change instead of a few). See workers/jobs/kernel-priming.ts.

function keptRows(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  return n;
}

/**
 * Branch-free: every position is written and the cursor moves on by the mask (a filter's kept rows
 * are scattered, and a branch on each mispredicted often). One slot past the end takes the last
 * write; the returned array excludes it.
 */
function keptPositions(mask: Uint8Array, n: number, slots: Int32Array): Int32Array {
  const m = mask.length - (mask.length & 3);
  keptTail(mask, m, slots, keptSteps(mask, m, slots));
  return slots.subarray(0, n);
}

/**
 * Rows [0, m) (m a multiple of 4), four a step: the loop's overhead once per four rows
 * (micro-benchmark, 85% of 65,536 rows kept: 6.4 -> 2.7 ns a row). Returns the kept count so far.
 */
function keptSteps(mask: Uint8Array, m: number, slots: Int32Array): number {
  let k = 0;
  for (let i = 0; i < m; i += 4) {
    const a = mask[i], b = mask[i + 1], c = mask[i + 2], d = mask[i + 3];
    slots[k] = i;
    k += a;
    slots[k] = i + 1;
    k += b;
    slots[k] = i + 2;
    k += c;
    slots[k] = i + 3;
    k += d;
  }
  return k;
}

/** The last rows, from m on (a loop of its own: see the note above keptRows). */
function keptTail(mask: Uint8Array, m: number, slots: Int32Array, k: number): void {
  for (let i = m; i < mask.length; i++) {
    slots[k] = i;
    k += mask[i];
  }
}

/** The columns gathered so far into each filtered view, by name. */
const columnsOfView = new WeakMap<RecordBatch, Map<string, { data: Data[] }>>();

/**
 * For a filtered view whose column `name` has not been gathered: its source batch and the batch row
 * of each view row, for a kernel that reads the column once and only to count (kpis: churned, NPS,
 * products held, last transaction), which costs less read in place through the rows than copied
 * first and read again (a broad filter gathers each such column over most of the rows). Undefined
 * for a stored batch, or once another kernel has gathered the column: its copy is then there to
 * read. A kernel that gathers the column later still does (the churn rules gather the last
 * transaction after kpis has counted it in place): the in-place pass then costs a little more than
 * reading the copy would have, which the columns no other panel reads more than make up for.
 */
export function ungathered(view: RecordBatch, name: string): { readonly batch: RecordBatch; readonly rows: Int32Array } | undefined {
  const columns = columnsOfView.get(view);
  if (!columns || columns.has(name)) return undefined;
  return viewSource(view);
}

/** A stand-in for a RecordBatch exposing what kernels read: numRows, schema, getChild(name).data. */
function filteredBatch(batch: RecordBatch, picked: Int32Array, keptBits: Uint8Array, owned: ArrayBuffer[]): RecordBatch {
  const columns = new Map<string, { data: Data[] }>();
  const view = {
    numRows: picked.length,
    schema: batch.schema,
    getChild(name: string) {
      let col = columns.get(name);
      if (!col) {
        const child = batch.getChild(name);
        if (!child) return null;
        col = { data: [gather(child.data[0], picked, keptBits, owned)] };
        columns.set(name, col);
      }
      return col;
    },
  } as unknown as RecordBatch;
  buffersOfView.set(view, owned);
  columnsOfView.set(view, columns);
  return view;
}

/**
 * The mask as bits, bit i of byte i >> 3 = mask[i] (bits past the last row 0), so that bitmaps
 * (validity, booleans) are gathered a byte at a time. The partial last byte is written first: the
 * loop ends the function (see above).
 */
function packMask(mask: Uint8Array): Uint8Array {
  const n = mask.length;
  const full = n >> 3;
  const out = new Uint8Array((n + 7) >> 3);
  for (let i = full << 3; i < n; i++) out[full] |= mask[i] << (i & 7);
  for (let b = 0, i = 0; b < full; b++, i += 8) {
    out[b] = mask[i] | (mask[i + 1] << 1) | (mask[i + 2] << 2) | (mask[i + 3] << 3) | (mask[i + 4] << 4) | (mask[i + 5] << 5) | (mask[i + 6] << 6) | (mask[i + 7] << 7);
  }
  return out;
}

/**
 * COMPACT[(m << 8) | s]: the bits of byte s where byte m has a 1, packed to the low end (what the
 * PEXT instruction does); ONES[m]: the 1 bits of m. Built on first use (64 KiB), each row from a
 * smaller selector's: m's lowest 1 bit gives the result's bit 0, and the rest of m packs the other
 * bits one place up. (Built bit by bit in a loop nested in two others, Chromium's V8 left the
 * OSR'd inner loop and deoptimised over a hundred times per worker on the first filter change: 498
 * of the 666 deoptimisations traced over two 1M dashboard page loads and their filters.)
 */
let COMPACT: Uint8Array | undefined;
const ONES = new Uint8Array(256);
for (let m = 1; m < 256; m++) ONES[m] = ONES[m >> 1] + (m & 1);

function compactTable(): Uint8Array {
  const table = new Uint8Array(1 << 16);
  for (let m = 1; m < 256; m++) compactRow(table, m);
  return table;
}

function compactRow(table: Uint8Array, m: number): void {
  const low = m & -m;
  const bit = 31 - Math.clz32(low);
  const row = m << 8, rest = (m ^ low) << 8;
  for (let s = 0; s < 256; s++) table[row | s] = ((s >> bit) & 1) | (table[rest | s] << 1);
}

function gatherValidity(data: Data, keptBits: Uint8Array, kept: number): { nullBitmap?: Uint8Array; nullCount: number } {
  if (!data.nullCount) return { nullCount: 0 };
  const out = new Uint8Array((kept + 7) >> 3);
  const valid = gatherBits(data.nullBitmap!, data.offset, keptBits, COMPACT ??= compactTable(), out);
  return valid < kept ? { nullBitmap: out, nullCount: kept - valid } : { nullCount: 0 };
}

/**
 * Bit `offset + i` of `bits` for every kept row i (bit i of `keptBits`), packed into `out`; returns
 * the number of 1 bits. A byte at a time: the eight source bits of rows 8b..8b+7 are compacted by
 * the table with the kept byte as the selector, and appended to a bit accumulator (a bit at a time,
 * with a read of the row's position, this was most of a broad filter's gather time). The source
 * byte may straddle two bytes of `bits` (offset not a multiple of 8); the byte after the last one
 * is read only when it exists.
 */
function gatherBits(bits: Uint8Array, offset: number, keptBits: Uint8Array, compact: Uint8Array, out: Uint8Array): number {
  const base = offset >> 3;
  const shift = offset & 7;
  const end = bits.length;
  let acc = 0, have = 0, w = 0, ones = 0;
  for (let b = 0; b < keptBits.length; b++) {
    const m = keptBits[b];
    const next = base + b + 1 < end ? bits[base + b + 1] : 0;
    const v = compact[(m << 8) | (((bits[base + b] | (next << 8)) >>> shift) & 255)];
    acc |= v << have;
    have += ONES[m];
    ones += ONES[v];
    if (have >= 8) {
      out[w++] = acc & 255;
      acc >>>= 8;
      have -= 8;
    }
  }
  if (have > 0) out[w] = acc;
  return ones;
}

// One loop per array type: a loop shared by Float64Array and Int32Array sources goes polymorphic
// and runs several times slower, on the path every filter change takes. Four rows a step: the
// positions are loaded ahead of the reads they address, and the loop's overhead is paid once per
// four (micro-benchmark, 85% of 65,536 rows kept: 3.0-3.3 -> 1.9 ns a source row). The last
// n mod 4 rows go first, so that the function ends at its main loop (see above).
function gatherF64(src: Float64Array, picked: Int32Array, out: Float64Array): Float64Array {
  const n = picked.length, m = n - (n & 3);
  for (let k = m; k < n; k++) out[k] = src[picked[k]];
  for (let k = 0; k < m; k += 4) {
    const a = picked[k], b = picked[k + 1], c = picked[k + 2], d = picked[k + 3];
    out[k] = src[a];
    out[k + 1] = src[b];
    out[k + 2] = src[c];
    out[k + 3] = src[d];
  }
  return out;
}

function gatherI32(src: Int32Array, picked: Int32Array, out: Int32Array): Int32Array {
  const n = picked.length, m = n - (n & 3);
  for (let k = m; k < n; k++) out[k] = src[picked[k]];
  for (let k = 0; k < m; k += 4) {
    const a = picked[k], b = picked[k + 1], c = picked[k + 2], d = picked[k + 3];
    out[k] = src[a];
    out[k + 1] = src[b];
    out[k + 2] = src[c];
    out[k + 3] = src[d];
  }
  return out;
}

function gatherAny<T extends ArrayLike<number> & { [k: number]: number }>(src: T, picked: Int32Array, out: T): T {
  const n = picked.length, m = n - (n & 3);
  for (let k = m; k < n; k++) out[k] = src[picked[k]];
  for (let k = 0; k < m; k += 4) {
    const a = picked[k], b = picked[k + 1], c = picked[k + 2], d = picked[k + 3];
    out[k] = src[a];
    out[k + 1] = src[b];
    out[k + 2] = src[c];
    out[k + 3] = src[d];
  }
  return out;
}

type NumberArrayType = new (buffer: ArrayBuffer, byteOffset: number, length: number) => Int8Array;

function gatherValues(src: ArrayLike<number>, picked: Int32Array, full: number, owned: ArrayBuffer[]): ArrayLike<number> {
  const n = picked.length;
  const rows = roomyRows(n, full);
  if (src instanceof Float64Array) return gatherF64(src, picked, new Float64Array(takeBuffer(8 * rows, owned), 0, n));
  if (src instanceof Int32Array) return gatherI32(src, picked, new Int32Array(takeBuffer(4 * rows, owned), 0, n));
  const Type = src.constructor as NumberArrayType;
  const bytes = (src as Int8Array).BYTES_PER_ELEMENT;
  return gatherAny(src as Int8Array, picked, new Type(takeBuffer(bytes * rows, owned), 0, n));
}

/** Strings are short (ids, names): a byte loop beats a subarray + set per row several times over. */
function gatherUtf8(offsets: Int32Array, bytes: Uint8Array, picked: Int32Array): { valueOffsets: Int32Array; data: Uint8Array } {
  const outOffsets = new Int32Array(picked.length + 1);
  const out = new Uint8Array(gatherUtf8Offsets(offsets, picked, outOffsets));
  gatherUtf8Bytes(offsets, bytes, picked, out);
  return { valueOffsets: outOffsets, data: out };
}

/** The picked strings' end offsets into `outOffsets` (outOffsets[0] stays 0); returns their bytes. */
function gatherUtf8Offsets(offsets: Int32Array, picked: Int32Array, outOffsets: Int32Array): number {
  let size = 0;
  for (let k = 0; k < picked.length; k++) {
    const r = picked[k];
    size += offsets[r + 1] - offsets[r];
    outOffsets[k + 1] = size;
  }
  return size;
}

function gatherUtf8Bytes(offsets: Int32Array, bytes: Uint8Array, picked: Int32Array, out: Uint8Array): void {
  for (let k = 0, pos = 0; k < picked.length; k++) {
    const r = picked[k];
    for (let b = offsets[r], end = offsets[r + 1]; b < end; b++) out[pos++] = bytes[b];
  }
}

function gather(data: Data, picked: Int32Array, keptBits: Uint8Array, owned: ArrayBuffer[]): Data {
  const n = picked.length;
  const validity = gatherValidity(data, keptBits, n);
  switch (data.type.typeId) {
    case Type.Float:
    case Type.Int:
    case Type.Date:
    case Type.Dictionary:
      return makeData({ type: data.type, length: n, ...validity, data: gatherValues(data.values as ArrayLike<number>, picked, data.length, owned), dictionary: data.dictionary } as never);
    case Type.Bool: {
      const out = new Uint8Array((n + 7) >> 3);
      gatherBits(data.values as Uint8Array, data.offset, keptBits, COMPACT ??= compactTable(), out);
      return makeData({ type: data.type, length: n, ...validity, data: out } as never);
    }
    case Type.Utf8:
      return makeData({ type: data.type, length: n, ...validity, ...gatherUtf8(data.valueOffsets as Int32Array, data.values as Uint8Array, picked) } as never);
    default:
      throw new Error(`Filtering a column of type ${String(data.type)} is not supported.`);
  }
}
