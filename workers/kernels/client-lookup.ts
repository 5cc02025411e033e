/**
 * Kernel 'client-lookup': every column of one client (the 360 view), or of a page of clients (a
 * list showing the rows another kernel ranked), found by client id.
 *
 * Spec, exactly one of:
 *   { clientId: string }                one client  -> ClientLookupResult
 *   { clientIds: string[] }  (<= 500)   a page      -> { clients: ClientLookupResult[] } in request order
 *   { rows: number[] }       (<= 500)   the clients at these global row numbers (the `row` another
 *                                       kernel ranked)  -> { rows: ClientRowResult[] } in request order
 * plus, optionally:
 *   id: string       the id column (default 'clientId'; a Utf8 column; not read by `rows`)
 *   columns: string[] the columns to return (default every column of the dataset)
 *
 * Values are JSON-safe (the card and the list can store, post and compare them as they are):
 * numbers as numbers, categories as their label, strings as strings, booleans as booleans, dates
 * as 'YYYY-MM-DD', 64-bit integers as numbers (as strings past 2^53), and Arrow nulls as null.
 * A NaN or infinite float becomes null too: JSON has no such numbers, and no rule ever hits them.
 *
 * Page filters do not apply (a `filter` field is an error): the client an RM opened is shown even
 * when the page's filters would hide it.
 *
 * Ids are meant to be unique. If an id occurs on several rows, the first row (lowest global row
 * number) is returned and `matches` says how many rows carry it, so a caller can flag the data.
 *
 * Partial per worker: the matches found in its rows (at most one per requested id, with a count).
 * Reduce keeps, for each id, the match with the lowest row across workers and sums the counts:
 * independent of how rows are split.
 *
 * Speed: ids are compared as UTF-8 bytes straight from the Arrow column: an FNV-1a hash of each
 * row's id bytes picks the candidate(s), then the bytes are compared. No string per row; values
 * are read (and strings made) only for the rows that match. The first lookup in a stored batch
 * builds an index of it (a hash table of its rows), kept while the batch lives: every later lookup
 * (each client card) reads a slot or two per id instead of passing over every row. A list that
 * already has its rows' numbers (the at-risk list, from churn-rules) asks by `rows`: each is read
 * where it is, no index is built (building it was ~50 ms of each worker's share of the 1M
 * dashboard's first load).
 */
import { Type, makeVector, type Data, type RecordBatch } from 'apache-arrow';
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';
import { requireColumn } from './columns.js';
import { SpecError, type KernelContext, type KernelDef, type RowBatch } from './kernel.js';
import { specObject } from './spec-fields.js';
import { describe } from './spec-checks.js';
import { idView } from './top-rows.js';

const NAME = 'client-lookup';

/** Largest page a list may ask for at once. */
export const MAX_LOOKUP_IDS = 500;
export const MAX_CLIENT_ID_LENGTH = 256;
export const DEFAULT_LOOKUP_ID_COLUMN = 'clientId';

/** One client's values by column name (JSON-safe, see the file comment). */
export type ClientValues = Record<string, string | number | boolean | null>;

export type ClientLookupResult =
  | { readonly found: false; readonly clientId: string }
  | {
      readonly found: true;
      readonly clientId: string;
      /** Global row number in the dataset (of the first row when the id repeats). */
      readonly row: number;
      readonly values: ClientValues;
      /** Rows carrying this id: 1 in a clean dataset. */
      readonly matches: number;
    };

export interface ClientLookupPage {
  readonly clients: ClientLookupResult[];
}

/** One row of a `{ rows }` lookup: found unless the row number is past the dataset's last row. */
export type ClientRowResult = { readonly found: false; readonly row: number } | { readonly found: true; readonly row: number; readonly values: ClientValues };

export interface ClientRowsPage {
  readonly rows: ClientRowResult[];
}

export interface ClientLookupSpec {
  /** Distinct ids to find (empty for a lookup by rows). */
  readonly ids: string[];
  /** Distinct global row numbers to read, for `{ rows }`; null for a lookup by id. */
  readonly rows: number[] | null;
  /** Position in `ids` (or `rows`) of each requested id (or row): request order, repeats allowed. */
  readonly order: number[];
  /** true for `{ clientId }`: the result is one ClientLookupResult. */
  readonly single: boolean;
  readonly id: string;
  /** Columns to return; null for every column. */
  readonly columns: string[] | null;
}

export interface ClientLookupPartial {
  /** Per distinct id (or row): the first matching row in this worker, or null. */
  readonly first: ({ row: number; values: ClientValues } | null)[];
  readonly counts: number[];
}

function idString(field: string, v: unknown): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_CLIENT_ID_LENGTH) {
    throw new SpecError(NAME, field, `must be a client id: a non-empty string of at most ${MAX_CLIENT_ID_LENGTH} characters; got ${describe(v)}.`);
  }
  return v;
}

function validate(spec: unknown, schema: readonly ColumnInfo[]): ClientLookupSpec {
  const o = specObject(NAME, spec, ['clientId', 'clientIds', 'rows', 'id', 'columns']);
  const given = (['clientId', 'clientIds', 'rows'] as const).filter((k) => o[k] !== undefined);
  if (given.length !== 1) {
    throw new SpecError(NAME, given[1] ?? 'clientId', 'is required: give exactly one of clientId (one client), clientIds (a page of at most 500 ids) or rows (at most 500 row numbers).');
  }
  let requested: (string | number)[];
  if (given[0] === 'clientId') requested = [idString('clientId', o.clientId)];
  else {
    const field = given[0];
    const list = o[field];
    if (!Array.isArray(list) || list.length > MAX_LOOKUP_IDS) {
      throw new SpecError(NAME, field, `must be an array of at most ${MAX_LOOKUP_IDS} ${field === 'rows' ? 'row numbers' : 'client ids'}; got ${Array.isArray(list) ? `${list.length} items` : describe(list)}.`);
    }
    requested = field === 'rows' ? list.map((v, i) => rowNumber(`rows[${i}]`, v)) : list.map((v, i) => idString(`clientIds[${i}]`, v));
  }
  const byRow = given[0] === 'rows';
  // A lookup by rows reads no id: a dataset without the default id column can still be asked.
  const id = byRow && o.id === undefined ? DEFAULT_LOOKUP_ID_COLUMN : requireColumn(NAME, 'id', o.id ?? DEFAULT_LOOKUP_ID_COLUMN, schema, ['string']);
  let columns: string[] | null = null;
  if (o.columns !== undefined) {
    if (!Array.isArray(o.columns) || o.columns.length === 0) throw new SpecError(NAME, 'columns', `must be a non-empty array of column names; got ${describe(o.columns)}.`);
    columns = o.columns.map((c, i) => {
      if (typeof c !== 'string' || !schema.some((s) => s.name === c)) {
        throw new SpecError(NAME, `columns[${i}]`, `names column ${describe(c)}, which the dataset does not have (columns: ${schema.map((s) => s.name).join(', ')}).`);
      }
      return c;
    });
  }
  const distinct: (string | number)[] = [];
  const pos = new Map<string | number, number>();
  const order = requested.map((s) => {
    let k = pos.get(s);
    if (k === undefined) {
      pos.set(s, (k = distinct.length));
      distinct.push(s);
    }
    return k;
  });
  return byRow
    ? { ids: [], rows: distinct as number[], order, single: false, id, columns }
    : { ids: distinct as string[], rows: null, order, single: given[0] === 'clientId', id, columns };
}

function rowNumber(field: string, v: unknown): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw new SpecError(NAME, field, `must be a row number: an integer >= 0; got ${describe(v)}.`);
  return v as number;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnv1a(bytes: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let k = start; k < end; k++) h = Math.imul(h ^ bytes[k], FNV_PRIME);
  return h >>> 0;
}

/** The requested ids as UTF-8 bytes, with their hashes. */
class IdTargets {
  readonly bytes: Uint8Array[];
  readonly hashes: number[];

  constructor(ids: readonly string[]) {
    const enc = new TextEncoder();
    this.bytes = ids.map((s) => enc.encode(s));
    this.hashes = this.bytes.map((b) => fnv1a(b, 0, b.length));
  }
}

function sameBytes(target: Uint8Array, bytes: Uint8Array, start: number, end: number): boolean {
  const len = end - start;
  if (target.length !== len) return false;
  for (let k = 0; k < len; k++) if (target[k] !== bytes[start + k]) return false;
  return true;
}

/**
 * A stored batch's rows by id hash: an open-addressing table (linear probing) of row + 1 (0 =
 * empty), a little over half full, and each row's id hash. Building it is one pass over the ids
 * (the sorted array of hashes it replaced spent most of its time sorting: 100-120 ms of each
 * worker's share of the first load of a 1M-client book); a lookup reads a slot or two per id.
 */
interface IdIndex {
  readonly slots: Int32Array;
  readonly hashes: Int32Array;
  /** 32 - log2(slots.length): a hash's slot is its Fibonacci product's top bits. */
  readonly shift: number;
}

const idIndexes = new WeakMap<RecordBatch, Map<string, IdIndex>>();

function slotOf(hash: number, shift: number): number {
  return Math.imul(hash, 0x9e3779b1) >>> shift;
}

function idIndex(batch: RecordBatch, column: string, ids: { offsets: ArrayLike<number>; bytes: Uint8Array }): IdIndex {
  let byColumn = idIndexes.get(batch);
  const known = byColumn?.get(column);
  if (known) return known;
  const n = batch.numRows;
  let bits = 4;
  while (1 << bits < n + (n >>> 1)) bits++;
  const slots = new Int32Array(1 << bits);
  const hashes = new Int32Array(n);
  const shift = 32 - bits;
  const mask = slots.length - 1;
  const { offsets, bytes } = ids;
  // Rows go in ascending: a later row with the same hash lands further along the same probe
  // sequence, so a lookup meets a repeated id's rows in row order.
  for (let i = 0; i < n; i++) {
    const h = fnv1a(bytes, offsets[i], offsets[i + 1]) | 0;
    hashes[i] = h;
    let s = slotOf(h, shift);
    while (slots[s] !== 0) s = (s + 1) & mask;
    slots[s] = i + 1;
  }
  const index = { slots, hashes, shift };
  if (!byColumn) idIndexes.set(batch, (byColumn = new Map()));
  byColumn.set(column, index);
  return index;
}

/** Rows of the batch whose id hash is `hash`, ascending. */
function* rowsWithHash(index: IdIndex, hash: number): Generator<number> {
  const { slots, hashes, shift } = index;
  const mask = slots.length - 1;
  const h = hash | 0;
  for (let s = slotOf(h, shift); slots[s] !== 0; s = (s + 1) & mask) {
    const row = slots[s] - 1;
    if (hashes[row] === h) yield row;
  }
}

function isoDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

function jsonSafe(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : String(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString().slice(0, 10);
  return String(v);
}

const decoder = new TextDecoder();

/**
 * Row i of one column piece, JSON-safe. The schema's types (client-schema.ts) are read from their
 * buffers directly; any other Arrow type goes through apache-arrow's own accessor.
 */
function valueAt(data: Data, i: number): string | number | boolean | null {
  const j = data.offset + i;
  if (data.nullCount > 0 && data.nullBitmap && data.nullBitmap.length > 0 && ((data.nullBitmap[j >> 3] >> (j & 7)) & 1) === 0) return null;
  switch (data.type.typeId) {
    case Type.Float:
    case Type.Int: {
      const values = data.values as ArrayLike<number | bigint>;
      if (values instanceof Float64Array || values instanceof Float32Array || values instanceof Int32Array || values instanceof Int16Array || values instanceof Int8Array || values instanceof Uint32Array || values instanceof Uint16Array || values instanceof Uint8Array) return jsonSafe(values[i]);
      break;
    }
    case Type.Date:
      if (data.values instanceof Int32Array) return isoDay(data.values[i]); // DateDay: days since epoch
      break;
    case Type.Bool:
      return ((data.values[j >> 3] >> (j & 7)) & 1) === 1;
    case Type.Dictionary: {
      const code = (data.values as ArrayLike<number>)[i];
      return jsonSafe(data.dictionary!.get(code));
    }
    case Type.Utf8: {
      const offsets = data.valueOffsets as Int32Array;
      return decoder.decode((data.values as Uint8Array).subarray(offsets[i], offsets[i + 1]));
    }
  }
  return jsonSafe(makeVector(data).get(i));
}

function rowValues(batch: RecordBatch, i: number, columns: readonly string[]): ClientValues {
  const out: ClientValues = {};
  for (const name of columns) {
    const child = batch.getChild(name);
    out[name] = child ? valueAt(child.data[0], i) : null;
  }
  return out;
}

/** The values of the requested global rows that lie in these (stored, row-ordered) batches. */
function readRows(rows: readonly RowBatch[], wanted: readonly number[], columns: readonly string[] | null): ClientLookupPartial {
  const first: ClientLookupPartial['first'] = new Array(wanted.length).fill(null);
  const counts = new Array<number>(wanted.length).fill(0);
  for (const { batch, rowOffset } of rows) {
    const names = columns ?? batch.schema.fields.map((f) => f.name);
    wanted.forEach((row, t) => {
      const i = row - rowOffset;
      if (i < 0 || i >= batch.numRows) return;
      first[t] = { row, values: rowValues(batch, i, names) };
      counts[t] = 1;
    });
  }
  return { first, counts };
}

export const clientLookupKernel: KernelDef<ClientLookupSpec, ClientLookupPartial, ClientLookupResult | ClientLookupPage | ClientRowsPage> = {
  name: NAME,
  // 'native' so that the runner hands the spec over whole, and a `filter` is refused by validate:
  // a lookup by id finds the client whatever the page's filters are (an RM opened that client).
  filters: 'native',
  validate,
  // The churn list looks up a new page of ids at every filter change: the same code each time.
  shape: (spec) => ({ single: spec.single, byRow: spec.rows !== null, id: spec.id, columns: spec.columns }),
  async map(rows: readonly RowBatch[], spec: ClientLookupSpec, _params: undefined, ctx: KernelContext): Promise<ClientLookupPartial> {
    if (spec.rows !== null) return readRows(rows, spec.rows, spec.columns);
    const T = spec.ids.length;
    const first: ClientLookupPartial['first'] = new Array(T).fill(null);
    const counts = new Array<number>(T).fill(0);
    if (T === 0) return { first, counts };
    const targets = new IdTargets(spec.ids);
    for (let b = 0; b < rows.length; b++) {
      const { batch, rowOffset } = rows[b];
      const ids = idView(batch, spec.id);
      // Filters natively: its batches are stored ones, never filtered views (IdView.rows).
      if (ids.rows !== null) throw new Error('client-lookup: internal error: it was given a filtered view.');
      const { offsets, bytes, bitmap, offset } = ids;
      const columns = spec.columns ?? batch.schema.fields.map((f) => f.name);
      const index = idIndex(batch, spec.id, ids);
      const match = (t: number, i: number) => {
        if (bitmap !== null && ((bitmap[(offset + i) >> 3] >> ((offset + i) & 7)) & 1) === 0) return;
        counts[t]++;
        // Rows come in global order, so the first match seen is this worker's lowest row.
        if (first[t] === null) first[t] = { row: rowOffset + i, values: rowValues(batch, i, columns) };
      };
      for (let t = 0; t < T; t++) {
        const target = targets.bytes[t];
        for (const i of rowsWithHash(index, targets.hashes[t])) if (sameBytes(target, bytes, offsets[i], offsets[i + 1])) match(t, i);
      }
      ctx.progress((b + 1) / rows.length);
      await ctx.checkpoint();
    }
    return { first, counts };
  },
  reduce(partials: ClientLookupPartial[], spec: ClientLookupSpec): ClientLookupResult | ClientLookupPage | ClientRowsPage {
    if (spec.rows !== null) {
      const read: ClientRowResult[] = spec.rows.map((row, t) => {
        const f = partials.find((p) => p.first[t] !== null)?.first[t];
        return f ? { found: true, row, values: f.values } : { found: false, row };
      });
      return { rows: spec.order.map((k) => read[k]) };
    }
    const found: ClientLookupResult[] = spec.ids.map((clientId, t) => {
      let best: { row: number; values: ClientValues } | null = null;
      let matches = 0;
      for (const p of partials) {
        matches += p.counts[t];
        const f = p.first[t];
        if (f && (best === null || f.row < best.row)) best = f;
      }
      return best === null ? { found: false, clientId } : { found: true, clientId, row: best.row, values: best.values, matches };
    });
    if (spec.single) return found[0];
    return { clients: spec.order.map((k) => found[k]) };
  },
};
