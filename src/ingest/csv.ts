/**
 * Type-directed CSV reader, and the text-cell parsers the JSON and Arrow readers share.
 *
 * The header is read first and resolved against the schema, so the single pass over the rows
 * knows each column's target type: mapped cells are parsed in place from the decoded text into
 * typed arrays, unmapped ones are stepped over without creating substrings.
 *
 * Input is decoded in 32 MiB slices, because one JS string cannot hold much more than 512 M
 * characters while inputs may be up to 2 GiB. A record cut by the end of a slice is parsed again
 * from its start once the next slice arrives; until a record is complete its cell issues are held
 * back, and a cell cut by the slice end is never stored.
 *
 * Syntax: RFC 4180 quoting ("" inside quotes is a quote, line breaks inside quotes belong to the
 * field), CRLF, LF or CR line ends. A quote only opens a quoted field at the start of a field;
 * elsewhere it is a plain character, and text between a closing quote and the next delimiter is
 * appended to the field, as spreadsheets do. Empty lines are not rows, wherever they are.
 */
import { resolveMapping } from '../schema/field-mapping.js';
import { IngestError, IssueCollector, issue, type IngestIssue, type IssueCode } from './ingest-report.js';
import type { IngestOptions, IngestResult } from './ingest.js';
import {
  K_BOOL, K_CATEGORY, K_DATE, K_FLOAT, K_INT, K_STRING, assertMapping, emptyInput, expectedText, finishRows, makeColumns, rowLimit,
  rowLimitExceeded, type CellColumn, type CellErrorSink,
} from './row-checks.js';

const QUOTE = 34;
const LF = 10;
const CR = 13;
const COMMA = 44;
const DOT = 46;
const SEMICOLON = 59;
const TAB = 9;
const CHUNK_BYTES = 32 << 20;
const PROGRESS_ROWS = 0x10000;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

// ---------------------------------------------------------------------------------------------
// Text cells

/** How numbers are written in text cells. */
export interface NumberFormat {
  /** Char code of the decimal mark: '.' or ','. */
  readonly decimal: number;
  /** Matches one grouping separator, or null when grouped numbers are refused. */
  readonly thousands: RegExp | null;
}

/** Reads and checks decimal/thousands options; a bad combination is a caller's mistake. */
export function numberFormat(options: Pick<IngestOptions, 'decimal' | 'thousands'>): NumberFormat {
  const decimal = options.decimal ?? '.';
  if (decimal !== '.' && decimal !== ',') throw new TypeError(`decimal must be "." or ","; got ${JSON.stringify(decimal)}.`);
  const thousands = options.thousands ?? null;
  if (thousands !== null && thousands !== ',' && thousands !== '.' && thousands !== ' ') {
    throw new TypeError(`thousands must be ",", ".", " " or null; got ${JSON.stringify(thousands)}.`);
  }
  if (thousands === decimal) throw new TypeError(`thousands and decimal cannot both be "${decimal}".`);
  // A space separator also accepts the no-break spaces that locale-formatted numbers use.
  const sep = thousands === null ? null : thousands === ' ' ? /[ \u00a0\u202f]/ : new RegExp(`\\${thousands}`);
  return { decimal: decimal === ',' ? COMMA : DOT, thousands: sep };
}

/** Exact powers of ten: an integer below 2^53 divided by one of them is correctly rounded. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
const TWO_53 = 2 ** 53;
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses a trimmed, non-empty number; NaN when the text is not one. Plain [-+]digits[.digits] is
 * parsed inline; other forms go through Number() after a syntax check that refuses what Number()
 * would wrongly accept (hex, "Infinity") and infinite results such as 1e309.
 */
export function parseNumberText(s: string, a: number, b: number, fmt: NumberFormat): number {
  let i = a;
  let c = s.charCodeAt(i);
  const neg = c === 45;
  if (neg || c === 43) i++;
  const dec = fmt.decimal;
  let mant = 0;
  let digits = 0;
  let frac = -1;
  for (; i < b; i++) {
    c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mant = mant * 10 + (c - 48);
      digits++;
      if (frac >= 0) frac++;
    } else if (c === dec && frac < 0) {
      frac = 0;
    } else {
      break;
    }
  }
  // mant below 2^53 means every step above was exact.
  if (i === b && digits > 0 && mant < TWO_53 && frac <= 22) {
    const v = frac > 0 ? mant / POW10[frac] : mant;
    return neg ? -v : v;
  }
  return parseNumberSlow(s.slice(a, b), fmt);
}

function parseNumberSlow(t: string, fmt: NumberFormat): number {
  if (fmt.thousands) {
    const plain = stripGrouping(t, fmt.thousands, fmt.decimal === COMMA ? ',' : '.');
    if (plain === null) return NaN;
    t = plain;
  }
  if (fmt.decimal === COMMA) {
    if (t.includes('.')) return NaN;
    t = t.replace(',', '.');
  }
  if (!PLAIN_NUMBER.test(t)) return NaN;
  const v = Number(t);
  return Number.isFinite(v) ? v : NaN;
}

/** Removes grouping separators from the integer part; null unless groups are 1-3 digits then threes. */
function stripGrouping(t: string, sep: RegExp, decimal: string): string | null {
  const start = t[0] === '-' || t[0] === '+' ? 1 : 0;
  let end = start;
  while (end < t.length && t[end] !== decimal && t[end] !== 'e' && t[end] !== 'E') end++;
  const whole = t.slice(start, end);
  if (!sep.test(whole)) return t;
  const groups = whole.split(new RegExp(sep.source));
  if (!/^\d{1,3}$/.test(groups[0])) return null;
  for (let g = 1; g < groups.length; g++) if (!/^\d{3}$/.test(groups[g])) return null;
  return t.slice(0, start) + groups.join('') + t.slice(end);
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/**
 * Days since 1970-01-01 of a valid proleptic Gregorian date (year >= 0), by arithmetic on 400-year
 * cycles counted from March 1st (so the leap day ends a year). Same result as daysFromCivil for
 * valid dates, without a Date call per cell.
 */
export function civilDays(y: number, m: number, d: number): number {
  if (m <= 2) y--;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Parses a trimmed date to days since 1970-01-01; NaN when it is not a real calendar date.
 * Accepts YYYY-MM-DD and YYYY/MM/DD (month and day may have one digit), optionally followed by
 * 'T' or ' ' and a time that is ignored, and YYYYMMDD.
 */
export function parseDateText(s: string, a: number, b: number): number {
  if (b - a < 8) return NaN;
  let y = 0;
  for (let i = a; i < a + 4; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    y = y * 10 + d;
  }
  const sep = s.charCodeAt(a + 4);
  let m = 0;
  let d = 0;
  let p: number;
  if (sep >= 48 && sep <= 57) {
    if (b - a !== 8) return NaN;
    for (let i = a + 4; i < a + 8; i++) {
      const x = s.charCodeAt(i) - 48;
      if (x < 0 || x > 9) return NaN;
      if (i < a + 6) m = m * 10 + x;
      else d = d * 10 + x;
    }
    p = b;
  } else if (sep === 45 || sep === 47) {
    p = a + 5;
    let k = 0;
    for (let x: number; k < 2 && p < b && (x = s.charCodeAt(p) - 48) >= 0 && x <= 9; k++, p++) m = m * 10 + x;
    if (k === 0 || p >= b || s.charCodeAt(p) !== sep) return NaN;
    p++;
    k = 0;
    for (let x: number; k < 2 && p < b && (x = s.charCodeAt(p) - 48) >= 0 && x <= 9; k++, p++) d = d * 10 + x;
    if (k === 0) return NaN;
  } else {
    return NaN;
  }
  if (p < b) {
    const t = s.charCodeAt(p);
    const next = p + 1 < b ? s.charCodeAt(p + 1) : 0;
    if (!((t === 84 || t === 116 || t === 32) && next >= 48 && next <= 57)) return NaN;
  }
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return NaN;
  return civilDays(y, m, d);
}

/** 1 for true/yes/y/1, 0 for false/no/n/0 (any case), -1 otherwise. Text is trimmed. */
export function parseBoolText(s: string, a: number, b: number): number {
  if (b - a === 1) {
    const c = s.charCodeAt(a);
    if (c === 49 || c === 121 || c === 89) return 1;
    if (c === 48 || c === 110 || c === 78) return 0;
    return -1;
  }
  if (b - a > 5) return -1;
  switch (s.slice(a, b).toLowerCase()) {
    case 'true': case 'yes': return 1;
    case 'false': case 'no': return 0;
    default: return -1;
  }
}

/** Whitespace trimmed from cells: ASCII controls and space, and the Unicode spaces (incl. the ideographic one). */
function isSpace(c: number): boolean {
  return c <= 32 || (c >= 0x80 && (c === 0xa0 || c === 0x3000 || c === 0xfeff || c === 0x85 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f));
}

/**
 * Stores the text s[a, b) in a column cell, parsed for the column's type. Blank is null; a value
 * that does not parse is null, marks the cell bad and goes to `sink`.
 */
export function writeTextCell(col: CellColumn, row: number, s: string, a: number, b: number, fmt: NumberFormat, sink: CellErrorSink): void {
  const kind = col.kind;
  if (kind === K_STRING && !col.trim) {
    col.strings[row] = a === b ? null : s.slice(a, b);
    return;
  }
  while (a < b && isSpace(s.charCodeAt(a))) a++;
  while (b > a && isSpace(s.charCodeAt(b - 1))) b--;
  if (a === b) {
    col.setNull(row);
    return;
  }
  switch (kind) {
    case K_FLOAT: {
      const v = parseNumberText(s, a, b, fmt);
      if (v === v) {
        col.f64[row] = v;
        col.valid[row] = 1;
      } else {
        col.fail(row);
        sink(col, row, 'unparseable-number', s.slice(a, b));
      }
      return;
    }
    case K_INT: {
      const v = parseNumberText(s, a, b, fmt);
      let code: IssueCode | null = null;
      if (v !== v || !Number.isInteger(v)) code = 'unparseable-number';
      else if (v < INT32_MIN || v > INT32_MAX) code = 'out-of-range';
      if (code === null) {
        col.i32[row] = v;
        col.valid[row] = 1;
      } else {
        col.fail(row);
        sink(col, row, code, s.slice(a, b));
      }
      return;
    }
    case K_DATE: {
      const v = parseDateText(s, a, b);
      if (v === v) {
        col.i32[row] = v;
        col.valid[row] = 1;
      } else {
        col.fail(row);
        sink(col, row, 'unparseable-date', s.slice(a, b));
      }
      return;
    }
    case K_BOOL: {
      const v = parseBoolText(s, a, b);
      if (v >= 0) {
        col.u8[row] = v;
        col.valid[row] = 1;
      } else {
        col.fail(row);
        sink(col, row, 'unparseable-bool', s.slice(a, b));
      }
      return;
    }
    case K_CATEGORY:
      col.i32[row] = col.codeRange(s, a, b);
      col.valid[row] = 1;
      return;
    default:
      col.strings[row] = s.slice(a, b);
  }
}

// ---------------------------------------------------------------------------------------------
// CSV

type Delimiter = ',' | ';' | '\t';

/** Picks the delimiter that splits the header line most often, outside quotes; ties go to ',' then ';'. */
export function detectDelimiter(text: string, start = 0): Delimiter {
  let comma = 0;
  let semi = 0;
  let tab = 0;
  let quoted = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) quoted = !quoted;
    else if (!quoted) {
      if (c === LF || c === CR) break;
      if (c === COMMA) comma++;
      else if (c === SEMICOLON) semi++;
      else if (c === TAB) tab++;
    }
  }
  if (semi > comma && semi >= tab) return ';';
  if (tab > comma && tab > semi) return '\t';
  return ',';
}

/** Reads one record as strings (the header). null: the text ends inside it and more is coming. */
function readRecord(text: string, pos: number, delim: number, final: boolean): { fields: string[]; next: number } | null {
  const fields: string[] = [];
  const len = text.length;
  for (;;) {
    let value: string;
    if (pos < len && text.charCodeAt(pos) === QUOTE) {
      let q = pos + 1;
      let close: number;
      for (;;) {
        close = text.indexOf('"', q);
        if (close < 0) {
          if (!final) return null;
          throw new IngestError([issue('error', 'malformed-input', 'The header row opens a quoted column name that is never closed: a closing " is missing.', {})]);
        }
        if (text.charCodeAt(close + 1) === QUOTE) q = close + 2;
        else break;
      }
      value = text.slice(pos + 1, close).replaceAll('""', '"');
      pos = close + 1;
    } else {
      value = '';
    }
    let j = pos;
    let c = 0;
    while (j < len && (c = text.charCodeAt(j)) !== delim && c !== LF && c !== CR) j++;
    if (j >= len && !final) return null;
    fields.push(value + text.slice(pos, j));
    pos = j + 1;
    if (j >= len || c !== delim) {
      if (c === CR && pos < len && text.charCodeAt(pos) === LF) pos++;
      return { fields, next: Math.min(pos, len) };
    }
  }
}

interface PendingIssue {
  col: CellColumn;
  row: number;
  code: IssueCode;
  value: string;
}

/** The row scanner; state survives from one decoded slice to the next. */
class CsvScanner {
  row = 0;
  dropped: Uint8Array | null = null;
  readonly collector = new IssueCollector();
  /** Cell issues of the record being read; recorded only once the record is complete. */
  private readonly pending: PendingIssue[] = [];
  private readonly sink: CellErrorSink = (col, row, code, value) => { this.pending.push({ col, row, code, value }); };
  /** Progress is reported against input bytes: the slice being scanned covers [byteStart, byteEnd). */
  byteStart = 0;
  byteEnd = 0;

  constructor(
    private readonly delim: number,
    /** Per source column: the column buffer it feeds, or null if unmapped. */
    private readonly slots: readonly (CellColumn | null)[],
    readonly columns: readonly CellColumn[],
    private capacity: number,
    private readonly maxRows: number,
    private readonly fmt: NumberFormat,
    private readonly decimalComma: boolean,
    private readonly bytes: Uint8Array,
    private readonly onProgress: ((fraction: number) => void) | undefined,
  ) {}

  /**
   * Scans complete records from `pos`; returns where the unread rest starts (a record the text
   * cuts off, when more text is coming).
   */
  scan(text: string, pos: number, final: boolean): number {
    const len = text.length;
    const delim = this.delim;
    const slots = this.slots;
    const ncols = slots.length;
    const fmt = this.fmt;
    const dec = fmt.decimal;
    const sink = this.sink;
    let row = this.row;
    while (pos < len) {
      let c = text.charCodeAt(pos);
      if (c === LF || c === CR) {
        pos++;
        continue;
      }
      if (row >= this.maxRows) {
        throw rowLimitExceeded(this.maxRows, `more than ${this.maxRows.toLocaleString('en-US')} (the file has ${(countLineFeeds(this.bytes) + 1).toLocaleString('en-US')} lines)`);
      }
      if (row >= this.capacity) this.grow(row + 1);
      const recordStart = pos;
      let col = 0;
      for (;;) {
        const slot = col < ncols ? slots[col] : null;
        const kind = slot === null ? 0 : slot.kind;
        c = pos < len ? text.charCodeAt(pos) : -1;
        if (c === QUOTE) {
          let a = pos + 1;
          let b = a;
          let q = a;
          let escaped = false;
          for (;;) {
            const close = text.indexOf('"', q);
            if (close < 0 || (close + 1 >= len && !final)) {
              // Unclosed so far, or closed at the very end where a "" could be split.
              if (!final) return this.rollback(row, recordStart);
              throw this.unterminated(row, text, recordStart);
            }
            if (text.charCodeAt(close + 1) === QUOTE) {
              escaped = true;
              q = close + 2;
              continue;
            }
            b = close;
            pos = close + 1;
            break;
          }
          let unquoted: string | null = escaped ? text.slice(a, b).replaceAll('""', '"') : null;
          c = pos < len ? text.charCodeAt(pos) : LF;
          if (c !== delim && c !== LF && c !== CR) {
            let j = pos;
            while (j < len && (c = text.charCodeAt(j)) !== delim && c !== LF && c !== CR) j++;
            if (j >= len && !final) return this.rollback(row, recordStart);
            unquoted = (unquoted ?? text.slice(a, b)) + text.slice(pos, j);
            pos = j;
          }
          if (slot !== null) {
            if (unquoted === null) writeTextCell(slot, row, text, a, b, fmt, sink);
            else writeTextCell(slot, row, unquoted, 0, unquoted.length, fmt, sink);
          }
        } else {
          // Fast paths: the usual shapes of numbers, ISO dates and 0/1 are parsed while the field is
          // scanned. Anything else falls through to the general path, which re-reads the field.
          let stored = false;
          if (kind === K_FLOAT || kind === K_INT) {
            let i = pos;
            const neg = c === 45;
            if (neg || c === 43) i++;
            let mant = 0;
            let digits = 0;
            let frac = -1;
            for (; i < len; i++) {
              c = text.charCodeAt(i);
              if (c >= 48 && c <= 57) {
                mant = mant * 10 + (c - 48);
                digits++;
                if (frac >= 0) frac++;
              } else if (c === dec && frac < 0) {
                frac = 0;
              } else {
                break;
              }
            }
            if ((i < len ? c === delim || c === LF || c === CR : final) && digits > 0 && mant < TWO_53 && frac <= 22) {
              if (kind === K_FLOAT) {
                const v = frac > 0 ? mant / POW10[frac] : mant;
                slot!.f64[row] = neg ? -v : v;
                slot!.valid[row] = 1;
                stored = true;
              } else if (frac <= 0 && mant <= (neg ? -INT32_MIN : INT32_MAX)) {
                slot!.i32[row] = neg ? -mant : mant;
                slot!.valid[row] = 1;
                stored = true;
              }
              if (stored) pos = i;
            }
          } else if (kind === K_DATE) {
            const e = pos + 10;
            if (e <= len) {
              const t = e < len ? text.charCodeAt(e) : -1;
              if (e < len ? t === delim || t === LF || t === CR : final) {
                const days = parseDateText(text, pos, e);
                if (days === days) {
                  slot!.i32[row] = days;
                  slot!.valid[row] = 1;
                  stored = true;
                  pos = e;
                }
              }
            }
          } else if (kind === K_BOOL && (c === 48 || c === 49) && pos + 1 < len) {
            const t = text.charCodeAt(pos + 1);
            if (t === delim || t === LF || t === CR) {
              slot!.u8[row] = c - 48;
              slot!.valid[row] = 1;
              stored = true;
              pos++;
            }
          }
          if (!stored) {
            const a = pos;
            while (pos < len && (c = text.charCodeAt(pos)) !== delim && c !== LF && c !== CR) pos++;
            if (pos >= len && !final) return this.rollback(row, recordStart);
            if (slot !== null) writeTextCell(slot, row, text, a, pos, fmt, sink);
          }
        }
        col++;
        if (pos >= len) break;
        c = text.charCodeAt(pos++);
        if (c === delim) continue;
        if (c === CR && pos < len && text.charCodeAt(pos) === LF) pos++;
        break;
      }
      if (col !== ncols) {
        // Its cells are not where the header says, so their own issues would only mislead.
        this.pending.length = 0;
        this.collector.add('error', 'ragged-row', row + 1, { value: `${col} field${col === 1 ? '' : 's'}`, expected: `${ncols} fields, as in the header` });
        (this.dropped ??= new Uint8Array(this.capacity))[row] = 1;
      }
      if (this.pending.length > 0) this.flush();
      row++;
      if ((row & (PROGRESS_ROWS - 1)) === 0 && this.onProgress) {
        this.onProgress((this.byteStart + (this.byteEnd - this.byteStart) * (pos / len)) / this.bytes.length);
      }
    }
    this.row = row;
    return pos;
  }

  private rollback(row: number, recordStart: number): number {
    this.pending.length = 0;
    this.row = row;
    return recordStart;
  }

  private flush(): void {
    for (const p of this.pending) {
      this.collector.add('error', p.code, p.row + 1, { field: p.col.field, column: p.col.column, value: p.value, expected: expectedText(p.col, this.decimalComma) });
    }
    this.pending.length = 0;
  }

  private grow(rows: number): void {
    const cap = Math.min(this.maxRows, Math.max(rows, Math.ceil(this.capacity * 1.5) + 1024));
    for (const col of this.columns) col.ensure(cap);
    if (this.dropped) {
      const d = new Uint8Array(cap);
      d.set(this.dropped);
      this.dropped = d;
    }
    this.capacity = cap;
  }

  private unterminated(row: number, text: string, start: number): IngestError {
    const shown = text.slice(start, start + 60).replace(/\r?\n/g, '\\n');
    return new IngestError([issue('error', 'malformed-input',
      `Row ${row + 1} opens a quoted field that is never closed (a closing " is missing), so the rest of the file would be one value. The row starts: ${JSON.stringify(shown)}.`,
      { rows: [row + 1], count: 1 })]);
  }
}

/** Line feeds in the input (for the row-limit message). */
function countLineFeeds(bytes: Uint8Array): number {
  let n = 0;
  for (let i = bytes.indexOf(LF); i >= 0; i = bytes.indexOf(LF, i + 1)) n++;
  return n;
}

const strictFirst = new TextDecoder('utf-8', { fatal: true });
const strictLater = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const looseFirst = new TextDecoder('utf-8');
const looseLater = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Decodes one slice; the BOM is stripped from the first only. Invalid bytes become U+FFFD rather
 * than failing the load, and are reported.
 */
function decodeSlice(slice: Uint8Array, first: boolean): { text: string; invalid: boolean } {
  try {
    return { text: (first ? strictFirst : strictLater).decode(slice), invalid: false };
  } catch {
    return { text: (first ? looseFirst : looseLater).decode(slice), invalid: true };
  }
}

/** UTF-8 byte length of s[a, b) (valid UTF-16 assumed: it came from a strict decode). */
function utf8Length(s: string, a: number, b: number): number {
  let n = 0;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Rows to allocate for, from the line length of the first MiB; buffers grow if it is too few. */
function estimateRows(bytes: Uint8Array): number {
  const sample = bytes.subarray(0, 1 << 20);
  const lines = countLineFeeds(sample) + 1;
  if (sample.length === bytes.length) return lines;
  return Math.ceil(lines * (bytes.length / sample.length) * 1.05) + 1024;
}

/**
 * Reads CSV bytes (UTF-8, BOM stripped) with a header row into a client table.
 * Throws IngestError when nothing usable can come out; see finishRows for the row policy.
 */
export function readCsv(bytes: Uint8Array, options: IngestOptions = {}): IngestResult {
  const fmt = numberFormat(options);
  const want = options.delimiter ?? 'auto';
  if (want !== 'auto' && want !== ',' && want !== ';' && want !== '\t') {
    throw new TypeError(`delimiter must be "auto", ",", ";" or "\\t"; got ${JSON.stringify(want)}.`);
  }
  const maxRows = rowLimit(options);
  const estimate = estimateRows(bytes);
  let invalidUtf8 = false;
  let scanner: CsvScanner | null = null;
  let header: string[] = [];
  let mapping: ReturnType<typeof resolveMapping> | null = null;
  /** Text carried over to the next slice; only after a slice with invalid bytes (see below). */
  let carry = '';
  let size = CHUNK_BYTES;

  for (let off = 0; ;) {
    let end = Math.min(bytes.length, off + size);
    // Slices end on a character boundary, so each one decodes on its own.
    while (end < bytes.length && end > off && (bytes[end] & 0xc0) === 0x80) end--;
    const final = end >= bytes.length;
    const decoded = decodeSlice(bytes.subarray(off, end), off === 0);
    const sliceInvalid = decoded.invalid;
    invalidUtf8 ||= sliceInvalid;
    const carried = carry.length;
    const text = carried > 0 ? carry + decoded.text : decoded.text;
    carry = '';
    let pos = 0;
    if (!scanner) {
      while (pos < text.length && isSpace(text.charCodeAt(pos))) pos++;
      if (pos >= text.length && final) throw emptyInput('The CSV input is empty: there is no header row and no data.');
      const delim = want === 'auto' ? detectDelimiter(text, pos) : want;
      const head = pos < text.length ? readRecord(text, pos, delim.charCodeAt(0), final) : null;
      if (head) {
        header = head.fields;
        pos = head.next;
        const problems: IngestIssue[] = [];
        if (header.some((h) => h.includes('\uFFFD'))) {
          problems.push(issue('error', 'malformed-input', 'The header row is not valid UTF-8 text. The file may be saved as GBK/GB18030 or Windows-1252; save it as UTF-8 (CSV UTF-8 in Excel) and load it again.', {}));
        }
        if (fmt.decimal === COMMA && delim === ',') {
          problems.push(issue('error', 'malformed-input', `The option decimal: "," needs a delimiter other than ","; ${want === 'auto' ? 'the header row is separated by ","' : 'delimiter is ","'}. Use ";" or tab separated values, or decimal ".".`, {}));
        }
        mapping = resolveMapping(header, options.mapping ?? {}, { auto: options.auto, required: options.required });
        assertMapping(mapping, problems);
        const capacity = Math.max(1, Math.min(estimate, maxRows));
        const columns = makeColumns(mapping, header, options, capacity);
        const slots: (CellColumn | null)[] = header.map(() => null);
        for (const col of columns) slots[mapping.fields.get(col.field)!] = col;
        scanner = new CsvScanner(delim.charCodeAt(0), slots, columns, capacity, maxRows, fmt, fmt.decimal === COMMA, bytes, options.onProgress);
      }
    }
    if (scanner) {
      scanner.byteStart = off;
      scanner.byteEnd = end;
      pos = scanner.scan(text, pos, final);
    }
    if (final) break;
    // The record the slice cut off is decoded again from its first byte with the next slice, rather
    // than prepended as text: a concatenated string is scanned several times slower than a flat one.
    // That needs characters to map back to bytes, which U+FFFD from invalid bytes breaks.
    if (!sliceInvalid && pos >= carried) {
      const next = end - utf8Length(text, pos, text.length);
      if (next <= off) size *= 2; // one record longer than a slice
      else off = next;
    } else {
      carry = text.slice(pos);
      off = end;
    }
  }

  if (!scanner || !mapping) throw emptyInput('The CSV input is empty.');
  if (scanner.row === 0) throw emptyInput(`The CSV input has a header row (${header.length} columns) but no data rows.`);
  options.onProgress?.(1);
  const notes: IngestIssue[] = [];
  if (invalidUtf8) {
    notes.push(issue('warning', 'malformed-input', 'The file contains bytes that are not valid UTF-8; they were read as "\uFFFD". If the file was saved as GBK/GB18030 or Windows-1252, save it as UTF-8 and load it again.', {}));
  }
  return finishRows({
    format: 'csv', rowCount: scanner.row, mapping, header, columns: scanner.columns, collector: scanner.collector, dropped: scanner.dropped, notes,
  }, options);
}
