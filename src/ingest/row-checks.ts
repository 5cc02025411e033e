/**
 * Column buffers the three readers fill, and the checks and dirty-row policy that turn them into
 * a client table.
 *
 * Readers write each mapped cell straight into a CellColumn (typed arrays sized to the row count,
 * byte-per-row validity). A cell that cannot be stored is marked bad: it is null in the buffer and
 * its row is dirty. A reader marks a whole row as dropped when no cell of it can be trusted (wrong
 * number of fields, not an object); such rows never reach the table under any policy.
 * `finishRows` then adds the schema checks that need whole columns (ranges, ids, categories),
 * applies the policy and builds the table.
 */
import { Table, makeVector, type Data, type Utf8, type Vector } from 'apache-arrow';
import { makeClientTable, type ColumnValues } from '../schema/arrow-columns.js';
import { CLIENT_FIELDS, REQUIRED_FIELDS, fieldDef, type ClientField, type FieldDef, type FieldType } from '../schema/client-schema.js';
import type { ResolvedMapping } from '../schema/field-mapping.js';
import { ByteKeyMap, hashBytes } from './byte-keys.js';
import {
  IngestError, IssueCollector, issue, type DirtyRowPolicy, type IngestFormat, type IngestIssue, type IngestReport, type IssueCode,
} from './ingest-report.js';
import type { IngestOptions, IngestResult } from './ingest.js';
import { decodeUtf8 } from './utf8-bytes.js';
import { Utf8Cells } from './utf8-cells.js';

export const DEFAULT_MAX_ROWS = 20_000_000;

/** Numeric codes for FieldType, so hot loops switch on a small integer. */
export const K_FLOAT = 1;
export const K_INT = 2;
export const K_DATE = 3;
export const K_BOOL = 4;
export const K_CATEGORY = 5;
export const K_STRING = 6;

const KIND_CODE: Record<FieldType, number> = { float: K_FLOAT, int: K_INT, date: K_DATE, bool: K_BOOL, category: K_CATEGORY, string: K_STRING };

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const NO_F64 = new Float64Array(0);
const NO_I32 = new Int32Array(0);
const NO_U8 = new Uint8Array(0);

/** Receives a cell that could not be stored; readers decide when the issue is recorded. */
export type CellErrorSink = (col: CellColumn, row: number, code: IssueCode, value: string) => void;

/**
 * Buffers of one mapped field. Only the arrays its kind needs are allocated: `f64` for float,
 * `i32` for int, date (days) and category (dictionary index), `u8` for bool, `text` for string.
 * `valid` marks the rows that hold a value, for every kind; a string value is never empty.
 */
export class CellColumn {
  readonly def: FieldDef;
  readonly kind: number;
  /** Ids are trimmed; names and other strings are kept as written. */
  readonly trim: boolean;
  f64: Float64Array = NO_F64;
  i32: Int32Array = NO_I32;
  u8: Uint8Array = NO_U8;
  valid: Uint8Array;
  /** String values as UTF-8, row by row (see Utf8Cells for the write order); null for other kinds. */
  readonly text: Utf8Cells | null = null;
  readonly dictValues: string[] = [];
  /** Dictionary lookup by a hash of the characters, so a cell's text is compared in place, not sliced out. */
  private readonly dictHead = new Map<number, number>();
  private readonly dictNext: number[] = [];
  /** Dictionary lookup by the cell's UTF-8 bytes, for readers that have bytes rather than text. */
  private byteCodes: ByteKeyMap | null = null;
  /** 1 where the cell had an error; allocated on the first one. */
  bad: Uint8Array | null = null;
  private capacity: number;

  constructor(
    readonly field: ClientField,
    readonly column: string,
    /** Mapped by the caller or required: never silently dropped when its values do not fit. */
    readonly explicit: boolean,
    capacity: number,
  ) {
    this.def = fieldDef(field);
    this.kind = KIND_CODE[this.def.type];
    this.trim = field === 'clientId';
    this.capacity = capacity;
    this.valid = new Uint8Array(capacity);
    if (this.kind === K_FLOAT) this.f64 = new Float64Array(capacity);
    else if (this.kind === K_BOOL) this.u8 = new Uint8Array(capacity);
    else if (this.kind === K_STRING) this.text = new Utf8Cells(capacity);
    else this.i32 = new Int32Array(capacity);
  }

  /** Makes room for at least `rows` rows, keeping what was written. */
  ensure(rows: number): void {
    if (rows <= this.capacity) return;
    const cap = Math.max(rows, Math.ceil(this.capacity * 1.5) + 1024);
    const grow = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      if (a.length === 0) return a;
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.f64 = grow(this.f64, (n) => new Float64Array(n));
    this.i32 = grow(this.i32, (n) => new Int32Array(n));
    this.u8 = grow(this.u8, (n) => new Uint8Array(n));
    this.text?.ensureRows(cap);
    const valid = new Uint8Array(cap);
    valid.set(this.valid);
    this.valid = valid;
    if (this.bad) {
      const bad = new Uint8Array(cap);
      bad.set(this.bad);
      this.bad = bad;
    }
    this.capacity = cap;
  }

  /** Dictionary index of the category value s[a, b) (first seen, first numbered). */
  codeRange(s: string, a: number, b: number): number {
    const h = hashRange(s, a, b);
    const head = this.dictHead.get(h);
    const len = b - a;
    for (let i = head === undefined ? -1 : head; i >= 0; i = this.dictNext[i]) {
      const v = this.dictValues[i];
      if (v.length === len && s.startsWith(v, a)) return i;
    }
    const i = this.dictValues.length;
    this.dictValues.push(s.slice(a, b));
    this.dictNext.push(head === undefined ? -1 : head);
    this.dictHead.set(h, i);
    return i;
  }

  code(value: string): number {
    return this.codeRange(value, 0, value.length);
  }

  /**
   * Dictionary index of the category value whose UTF-8 bytes are src[a, b). Numbered in the same
   * dictionary as codeRange: bytes seen for the first time are decoded (ill-formed ones to U+FFFD)
   * and looked up as text, so every spelling of a value gets the one index.
   */
  codeBytes(src: Uint8Array, a: number, b: number): number {
    const h = hashBytes(src, a, b);
    const keys = (this.byteCodes ??= new ByteKeyMap());
    let i = keys.get(src, a, b, h);
    if (i < 0) {
      i = this.code(decodeUtf8(src, a, b));
      keys.set(src, a, b, h, i);
    }
    return i;
  }

  /** Stores a non-empty string value. */
  putText(row: number, s: string): void {
    this.text!.putString(row, s);
    this.valid[row] = 1;
  }

  /** Stores a non-empty string value given as well-formed UTF-8 bytes src[a, b). */
  putBytes(row: number, src: Uint8Array, a: number, b: number): void {
    this.text!.putBytes(row, src, a, b);
    this.valid[row] = 1;
  }

  setNull(row: number): void {
    this.valid[row] = 0;
    this.text?.drop(row);
  }

  /** The cell is unusable: null in the output, and its row is dirty. */
  fail(row: number): void {
    this.setNull(row);
    (this.bad ??= new Uint8Array(this.capacity))[row] = 1;
  }

  /**
   * Stores a value that arrived as a number (JSON, Arrow). Returns the issue code when it does not
   * fit the field; the caller reports it.
   */
  putNumber(row: number, v: number): IssueCode | null {
    switch (this.kind) {
      case K_FLOAT:
        if (!Number.isFinite(v)) return this.reject(row, 'unparseable-number');
        this.f64[row] = v;
        this.valid[row] = 1;
        return null;
      case K_INT:
        if (!Number.isInteger(v)) return this.reject(row, 'unparseable-number');
        if (v < INT32_MIN || v > INT32_MAX) return this.reject(row, 'out-of-range');
        this.i32[row] = v;
        this.valid[row] = 1;
        return null;
      case K_BOOL:
        if (v !== 0 && v !== 1) return this.reject(row, 'unparseable-bool');
        this.u8[row] = v;
        this.valid[row] = 1;
        return null;
      case K_CATEGORY:
        if (!Number.isFinite(v)) return this.reject(row, 'wrong-type');
        this.i32[row] = this.code(String(v));
        this.valid[row] = 1;
        return null;
      case K_STRING:
        // An id beyond 2^53 has already lost digits in the number it arrived as.
        if (this.trim && Number.isInteger(v) && !Number.isSafeInteger(v)) return this.reject(row, 'out-of-range');
        if (!Number.isFinite(v)) return this.reject(row, 'wrong-type');
        this.putText(row, String(v));
        return null;
      default:
        return this.reject(row, 'wrong-type');
    }
  }

  private reject(row: number, code: IssueCode): IssueCode {
    this.fail(row);
    return code;
  }
}

/** FNV-1a over UTF-16 code units, with a final mix so that the low bits alone spread well. */
export function hashRange(s: string, a: number, b: number): number {
  let h = 0x811c9dc5;
  for (let i = a; i < b; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}

/**
 * Marks rows whose id repeats an earlier row's. An open-addressing table of row numbers keyed by
 * a hash of the id's bytes, compared in place: no JS string per id. Rows with skip[r] = 1 and null
 * ids are not entered.
 */
function findDuplicateIds(col: CellColumn, n: number, skip: Uint8Array, onDuplicate: (row: number, id: string) => void): void {
  const ids = col.text!;
  const valid = col.valid;
  let size = 1024;
  while (size < n * 2) size *= 2;
  const mask = size - 1;
  // Slot i is [row + 1 (0 = free), hash] at 2i: one cache line read per probe.
  const slots = new Int32Array(size * 2);
  for (let r = 0; r < n; r++) {
    if (skip[r] || !valid[r]) continue;
    const h = ids.hash(r);
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const other = slots[2 * i] - 1;
      if (other < 0) {
        slots[2 * i] = r + 1;
        slots[2 * i + 1] = h;
        break;
      }
      if (slots[2 * i + 1] === h && ids.same(other, r)) {
        onDuplicate(r, ids.text(r));
        break;
      }
    }
  }
}

/** What a field's cells must look like, for issue messages. */
export function expectedText(col: CellColumn, decimalComma = false): string {
  switch (col.kind) {
    case K_FLOAT: return decimalComma ? 'a number like 1234,56' : 'a number like 1234.56';
    case K_INT: return `a whole number from ${INT32_MIN} to ${INT32_MAX}`;
    case K_DATE: return 'a date like 2024-01-31 (YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD)';
    case K_BOOL: return 'true/false, yes/no, y/n or 1/0';
    case K_STRING: return col.trim ? 'text, or a whole number below 2^53' : 'text';
    default: return 'text';
  }
}

/** One CellColumn per mapped field; `explicit` marks fields the caller mapped or requires. */
export function makeColumns(mapping: ResolvedMapping, header: readonly string[], options: IngestOptions, capacity: number): CellColumn[] {
  const named = options.mapping && typeof options.mapping === 'object' ? options.mapping : {};
  const required = new Set<ClientField>([...REQUIRED_FIELDS, ...(options.required ?? [])]);
  const cols: CellColumn[] = [];
  for (const [field, index] of mapping.fields) {
    const explicit = Object.prototype.hasOwnProperty.call(named, field) || required.has(field);
    cols.push(new CellColumn(field, header[index], explicit, capacity));
  }
  return cols;
}

/** Throws when the mapping cannot produce a table, with every problem found. */
export function assertMapping(mapping: ResolvedMapping, more: readonly IngestIssue[] = []): void {
  const all = [...mapping.issues, ...more];
  if (all.some((i) => i.severity === 'error')) throw new IngestError(all);
}

export function emptyInput(message: string): IngestError {
  return new IngestError([issue('error', 'empty-input', message, {})]);
}

export function rowLimit(options: IngestOptions): number {
  return options.maxRows ?? DEFAULT_MAX_ROWS;
}

export function rowLimitExceeded(limit: number, actual: string): IngestError {
  return new IngestError([
    issue('error', 'limit-exceeded', `The data has ${actual} rows, over the limit maxRows = ${limit.toLocaleString('en-US')}. Split the file or raise maxRows.`, { expected: `at most ${limit} rows` }),
  ]);
}

/** The output of a reader, before checks and policy. */
export interface ParsedRows {
  readonly format: IngestFormat;
  /** Data rows read, including ones that will be dropped. Buffers hold at least this many rows. */
  readonly rowCount: number;
  readonly mapping: ResolvedMapping;
  readonly header: readonly string[];
  readonly columns: readonly CellColumn[];
  /** Cell and row issues found while reading. */
  readonly collector: IssueCollector;
  /** 1 = the row is unusable whatever the policy (wrong number of fields, not a row object). */
  readonly dropped: Uint8Array | null;
  /** Whole-input notes (warnings) from the reader, shown first. */
  readonly notes: readonly IngestIssue[];
}

function countOnes(a: Uint8Array, n: number): number {
  let c = 0;
  for (let i = 0; i < n; i++) c += a[i];
  return c;
}

function rangeText(def: FieldDef): string {
  if (def.min !== undefined && def.max !== undefined) return `a value from ${def.min} to ${def.max}`;
  if (def.min !== undefined) return `a value of at least ${def.min}`;
  return `a value of at most ${def.max}`;
}

/**
 * Runs the whole-column checks, applies the dirty-row policy and builds the table.
 *
 * Order matters: an auto-mapped column none of whose values fit its field is a wrong guess of the
 * auto-mapping, so it is dropped with one warning before its cells can make every row dirty. Ids
 * are checked on rows that are not already unusable; the first occurrence of an id wins.
 */
export function finishRows(parsed: ParsedRows, options: IngestOptions): IngestResult {
  const n = parsed.rowCount;
  const policy: DirtyRowPolicy = options.onDirtyRow ?? 'exclude';
  if (policy !== 'exclude' && policy !== 'keep' && policy !== 'fail') {
    throw new TypeError(`onDirtyRow must be "exclude", "keep" or "fail"; got ${JSON.stringify(policy)}.`);
  }
  const notes: IngestIssue[] = [...parsed.notes];
  const dropped = parsed.dropped ? parsed.dropped : new Uint8Array(n);
  for (const col of parsed.columns) col.text?.seal(n);

  const droppedFields = new Set<ClientField>();
  const columns: CellColumn[] = [];
  for (const col of parsed.columns) {
    if (!col.explicit && col.bad) {
      let bad = 0;
      let good = 0;
      for (let r = 0; r < n; r++) {
        if (dropped[r]) continue;
        bad += col.bad[r];
        good += col.valid[r];
      }
      if (good === 0 && bad > 0) {
        droppedFields.add(col.field);
        notes.push(issue('warning', 'wrong-type',
          `Column "${col.column}" was matched to field "${col.field}" (${col.def.label}) by its name, but none of its ${bad} values is ${expectedText(col, options.decimal === ',')}; the column was ignored. Map it explicitly if it is meant to feed "${col.field}".`,
          { field: col.field, column: col.column, count: bad, expected: expectedText(col, options.decimal === ',') }));
        continue;
      }
    }
    columns.push(col);
  }

  const checks = new IssueCollector();

  // Ranges from the schema. The value is nulled at once: every policy either drops the row or keeps it with the cell null.
  for (const col of columns) {
    const { min, max } = col.def;
    if ((min === undefined && max === undefined) || (col.kind !== K_FLOAT && col.kind !== K_INT)) continue;
    const lo = min ?? -Infinity;
    const hi = max ?? Infinity;
    const values = col.kind === K_FLOAT ? col.f64 : col.i32;
    const valid = col.valid;
    const expected = rangeText(col.def);
    for (let r = 0; r < n; r++) {
      if (!valid[r] || dropped[r]) continue;
      const v = values[r];
      if (v < lo || v > hi) {
        col.fail(r);
        checks.add('error', 'out-of-range', r + 1, { field: col.field, column: col.column, value: String(v), expected });
      }
    }
  }

  // Ids: present and unique; a row without its own id cannot be kept under any policy.
  const idCol = columns.find((c) => c.field === 'clientId');
  if (idCol) {
    const missing: number[] = [];
    for (let r = 0; r < n; r++) if (!dropped[r] && !idCol.valid[r]) missing.push(r);
    const duplicates: number[] = [];
    findDuplicateIds(idCol, n, dropped, (r, id) => {
      duplicates.push(r);
      checks.add('error', 'duplicate-id', r + 1, { field: 'clientId', column: idCol.column, value: id, expected: 'each client id once (the first occurrence is kept)' });
    });
    for (const r of missing) {
      dropped[r] = 1;
      if (!idCol.bad?.[r]) checks.add('error', 'missing-id', r + 1, { field: 'clientId', column: idCol.column, expected: 'a client id in every row' });
    }
    for (const r of duplicates) dropped[r] = 1;
  }

  const dirty = new Uint8Array(n);
  for (let r = 0; r < n; r++) dirty[r] = dropped[r];
  for (const col of columns) {
    const bad = col.bad;
    if (bad) for (let r = 0; r < n; r++) dirty[r] |= bad[r];
  }
  const dirtyRows = countOnes(dirty, n);
  const out = policy === 'keep' ? dropped : dirty; // 1 = the row is left out of the table
  const rowsKept = n - countOnes(out, n);

  // Unknown category values are reported for the rows that reach the table only.
  for (const col of columns) {
    if (col.kind !== K_CATEGORY || !col.def.values) continue;
    const known = new Set(col.def.values);
    const unknown = col.dictValues.map((v) => !known.has(v));
    if (!unknown.includes(true)) continue;
    const expected = `one of ${col.def.values.join(', ')}`;
    for (let r = 0; r < n; r++) {
      if (out[r] || !col.valid[r]) continue;
      const i = col.i32[r];
      if (unknown[i]) checks.add('warning', 'unknown-category', r + 1, { field: col.field, column: col.column, value: col.dictValues[i], expected });
    }
  }

  const readIssues = parsed.collector.issues().filter((i) => !i.field || !droppedFields.has(i.field));
  const issues = [...parsed.mapping.issues.filter((i) => i.severity !== 'error'), ...notes, ...readIssues, ...checks.issues()];
  const mapping: Partial<Record<ClientField, string>> = {};
  for (const col of columns) mapping[col.field] = col.column;
  const readIndex = new Set<number>();
  for (const col of columns) readIndex.add(parsed.mapping.fields.get(col.field)!);
  const report: IngestReport = {
    format: parsed.format,
    rowsRead: n,
    rowsKept: policy === 'fail' && dirtyRows > 0 ? 0 : rowsKept,
    dirtyRows,
    policy,
    mapping,
    unmappedColumns: parsed.header.filter((_, i) => !readIndex.has(i)),
    issues,
  };
  if (policy === 'fail' && dirtyRows > 0) throw new IngestError(issues, report);

  const values: Partial<Record<ClientField, ColumnValues>> = {};
  const texts: Partial<Record<ClientField, Data<Utf8>>> = {};
  for (const col of columns) {
    if (col.text) texts[col.field] = col.text.toArrow(n, out, rowsKept, compactValidity(col.valid, out, n, rowsKept));
    else values[col.field] = compactColumn(col, out, n, rowsKept);
  }
  return { table: clientTable(values, texts), report };
}

/**
 * makeClientTable's table with the string columns, whose Arrow data the CellColumns build
 * themselves, put in: every column in ClientSchema order.
 */
function clientTable(values: Partial<Record<ClientField, ColumnValues>>, texts: Partial<Record<ClientField, Data<Utf8>>>): Table {
  const built = makeClientTable(values);
  if (Object.keys(texts).length === 0) return built;
  const vectors: Record<string, Vector> = {};
  for (const key of CLIENT_FIELDS) {
    const text = texts[key];
    const vector = text ? makeVector(text) : values[key] ? built.getChild(key) : null;
    if (vector) vectors[key] = vector;
  }
  return new Table(vectors);
}

function compactValidity(valid: Uint8Array, out: Uint8Array, n: number, kept: number): Uint8Array {
  if (kept === n) return valid.subarray(0, n);
  const b = new Uint8Array(kept);
  for (let r = 0, j = 0; r < n; r++) if (!out[r]) b[j++] = valid[r];
  return b;
}

/**
 * The kept rows (out[r] = 0) as exactly-sized arrays: views of the buffers when every row is kept,
 * copies otherwise. Dictionary entries no kept row uses are pruned.
 */
function compactColumn(col: CellColumn, out: Uint8Array, n: number, kept: number): ColumnValues {
  const all = kept === n;
  const pick = <T extends Float64Array | Int32Array | Uint8Array>(a: T): T => {
    // A view is enough when the buffer is not much larger than the data (buffers are sized by estimate).
    if (all) return (a.length <= n * 1.25 + 1024 ? a.subarray(0, n) : a.slice(0, n)) as T;
    const b = new (a.constructor as new (len: number) => T)(kept);
    for (let r = 0, j = 0; r < n; r++) if (!out[r]) b[j++] = a[r];
    return b;
  };
  switch (col.kind) {
    case K_FLOAT: return { type: 'float', values: pick(col.f64), valid: pick(col.valid) };
    case K_INT: return { type: 'int', values: pick(col.i32), valid: pick(col.valid) };
    case K_DATE: return { type: 'date', values: pick(col.i32), valid: pick(col.valid) };
    case K_BOOL: return { type: 'bool', values: pick(col.u8), valid: pick(col.valid) };
    case K_CATEGORY: {
      const indices = pick(col.i32);
      const valid = pick(col.valid);
      return { type: 'category', ...pruneDictionary(indices, valid, col.dictValues), valid };
    }
    default:
      throw new Error(`compactColumn: string column "${col.field}" is built from its Utf8Cells.`);
  }
}

/** Drops dictionary entries no kept row uses (values only seen in left-out rows), renumbering in place. */
function pruneDictionary(indices: Int32Array, valid: Uint8Array, dictionary: readonly string[]): { indices: Int32Array; dictionary: readonly string[] } {
  const used = new Uint8Array(dictionary.length);
  for (let r = 0; r < indices.length; r++) if (valid[r]) used[indices[r]] = 1;
  if (!used.includes(0)) return { indices, dictionary };
  const remap = new Int32Array(dictionary.length);
  const kept: string[] = [];
  for (let i = 0; i < dictionary.length; i++) if (used[i]) { remap[i] = kept.length; kept.push(dictionary[i]); }
  for (let r = 0; r < indices.length; r++) indices[r] = valid[r] ? remap[indices[r]] : 0;
  return { indices, dictionary: kept };
}
