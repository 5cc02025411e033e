/**
 * Type-directed CSV reader, and the text-cell parsers the JSON and Arrow readers share.
 *
 * The header is read first and resolved against the schema, so the single pass over the rows
 * knows each column's target type. The rows are scanned as UTF-8 bytes, never decoded as a whole:
 * the usual number, date and 0/1 shapes are parsed from the bytes, text and category cells are
 * copied or looked up as bytes, and only a cell that needs the general parsers (or an issue
 * message) becomes a JS string. Unmapped columns are stepped over. With no decoded text there is
 * no JS string length limit to respect, so the input is scanned in one piece, however large.
 *
 * UTF-8 is checked once over the whole input. Ill-formed bytes read as U+FFFD, as a TextDecoder
 * would read them, and are reported with the first place they occur; only then are text cells
 * checked one by one.
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
import { decodeUtf8, invalidUtf8At, trimEnd, trimStart } from './utf8-bytes.js';

const QUOTE = 34;
const LF = 10;
const CR = 13;
const COMMA = 44;
const DOT = 46;
const SEMICOLON = 59;
const TAB = 9;
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

/**
 * Whitespace trimmed from cells: ASCII controls and space, and the Unicode spaces (incl. the
 * ideographic one). utf8-bytes.ts trims the same characters from UTF-8 bytes.
 */
export function isSpace(c: number): boolean {
  return c <= 32 || (c >= 0x80 && (c === 0xa0 || c === 0x3000 || c === 0xfeff || c === 0x85 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f));
}

/**
 * Stores the text s[a, b) in a column cell, parsed for the column's type. Blank is null; a value
 * that does not parse is null, marks the cell bad and goes to `sink`.
 */
export function writeTextCell(col: CellColumn, row: number, s: string, a: number, b: number, fmt: NumberFormat, sink: CellErrorSink): void {
  const kind = col.kind;
  if (kind === K_STRING && !col.trim) {
    if (a === b) col.setNull(row);
    else col.putText(row, s.slice(a, b));
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
      col.putText(row, s.slice(a, b));
  }
}

// ---------------------------------------------------------------------------------------------
// CSV

type Delimiter = ',' | ';' | '\t';

/** Picks the delimiter that splits the header line most often, outside quotes; ties go to ',' then ';'. */
export function detectDelimiter(bytes: Uint8Array, start = 0): Delimiter {
  let comma = 0;
  let semi = 0;
  let tab = 0;
  let quoted = false;
  for (let i = start; i < bytes.length; i++) {
    const c = bytes[i];
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

/** Reads the header record as strings (ill-formed UTF-8 becomes U+FFFD); returns them and where the rows start. */
function readHeader(bytes: Uint8Array, pos: number, delim: number): { fields: string[]; next: number } {
  const fields: string[] = [];
  const len = bytes.length;
  for (;;) {
    let value = '';
    if (pos < len && bytes[pos] === QUOTE) {
      let q = pos + 1;
      let close: number;
      for (;;) {
        close = bytes.indexOf(QUOTE, q);
        if (close < 0) {
          throw new IngestError([issue('error', 'malformed-input', 'The header row opens a quoted column name that is never closed: a closing " is missing.', {})]);
        }
        if (bytes[close + 1] === QUOTE) q = close + 2;
        else break;
      }
      value = decodeUtf8(bytes, pos + 1, close).replaceAll('""', '"');
      pos = close + 1;
    }
    let j = pos;
    let c = 0;
    while (j < len && (c = bytes[j]) !== delim && c !== LF && c !== CR) j++;
    fields.push(value + decodeUtf8(bytes, pos, j));
    pos = j + 1;
    if (j >= len || c !== delim) {
      if (c === CR && pos < len && bytes[pos] === LF) pos++;
      return { fields, next: Math.min(pos, len) };
    }
  }
}

/** Index of the field of the record starting at `start` that holds byte `at`. */
function fieldIndexAt(bytes: Uint8Array, start: number, at: number, delim: number): number {
  let field = 0;
  for (let i = start; ;) {
    if (bytes[i] === QUOTE) {
      for (i++; ;) {
        const close = bytes.indexOf(QUOTE, i);
        if (close < 0 || close >= at) return field;
        i = close + 1;
        if (bytes[i] !== QUOTE) break;
        i++;
      }
    }
    while (i < at && bytes[i] !== delim) i++;
    if (i >= at) return field;
    field++;
    i++;
  }
}

interface PendingIssue {
  col: CellColumn;
  row: number;
  code: IssueCode;
  value: string;
}

const encoder = new TextEncoder();

/** The row scanner, over the input bytes. */
class CsvScanner {
  row = 0;
  dropped: Uint8Array | null = null;
  readonly collector = new IssueCollector();
  /** Cell issues of the record being read; recorded only once the record is complete. */
  private readonly pending: PendingIssue[] = [];
  private readonly sink: CellErrorSink = (col, row, code, value) => { this.pending.push({ col, row, code, value }); };
  /** A quoted field with "" inside or text after its closing quote, unescaped into one piece. */
  private scratch = new Uint8Array(256);
  /** Row and field index of the record holding byte `badUtf8At`, once scanned; -1 before. */
  badUtf8Row = -1;
  badUtf8Field = -1;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly delim: number,
    /** Per source column: the column buffer it feeds, or null if unmapped. */
    private readonly slots: readonly (CellColumn | null)[],
    readonly columns: readonly CellColumn[],
    private capacity: number,
    private readonly maxRows: number,
    private readonly fmt: NumberFormat,
    private readonly decimalComma: boolean,
    /** First byte of an ill-formed UTF-8 sequence in the rows, or -1: text cells are then checked one by one. */
    private readonly badUtf8At: number,
    private readonly onProgress: ((fraction: number) => void) | undefined,
  ) {}

  /** Scans the records from `pos` to the end of the input. */
  scan(pos: number): void {
    const bytes = this.bytes;
    const len = bytes.length;
    const delim = this.delim;
    const slots = this.slots;
    const ncols = slots.length;
    const dec = this.fmt.decimal;
    const badAt = this.badUtf8At < 0 ? len : this.badUtf8At;
    let row = this.row;
    while (pos < len) {
      let c = bytes[pos];
      if (c === LF || c === CR) {
        pos++;
        continue;
      }
      if (row >= this.maxRows) {
        throw rowLimitExceeded(this.maxRows, `more than ${this.maxRows.toLocaleString('en-US')} (the file has ${(countLineFeeds(bytes) + 1).toLocaleString('en-US')} lines)`);
      }
      if (row >= this.capacity) this.grow(row + 1);
      const recordStart = pos;
      let col = 0;
      for (;;) {
        const slot = col < ncols ? slots[col] : null;
        const kind = slot === null ? 0 : slot.kind;
        c = pos < len ? bytes[pos] : -1;
        if (c === QUOTE) {
          pos = this.quoted(slot, row, recordStart, pos);
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
              c = bytes[i];
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
            if ((i >= len || c === delim || c === LF || c === CR) && digits > 0 && mant < TWO_53 && frac <= 22) {
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
            if (e <= len && (e === len || (c = bytes[e]) === delim || c === LF || c === CR)) {
              const days = isoDate(bytes, pos);
              if (days === days) {
                slot!.i32[row] = days;
                slot!.valid[row] = 1;
                stored = true;
                pos = e;
              }
            }
          } else if (kind === K_BOOL && (c === 48 || c === 49) && pos + 1 < len) {
            const t = bytes[pos + 1];
            if (t === delim || t === LF || t === CR) {
              slot!.u8[row] = c - 48;
              slot!.valid[row] = 1;
              stored = true;
              pos++;
            }
          }
          if (!stored) {
            const a = pos;
            while (pos < len && (c = bytes[pos]) !== delim && c !== LF && c !== CR) pos++;
            if (slot !== null) this.cell(slot, row, bytes, a, pos);
          }
        }
        col++;
        if (pos >= len) break;
        c = bytes[pos++];
        if (c === delim) continue;
        if (c === CR && pos < len && bytes[pos] === LF) pos++;
        break;
      }
      if (col !== ncols) {
        // Its cells are not where the header says, so their own issues would only mislead.
        this.pending.length = 0;
        this.collector.add('error', 'ragged-row', row + 1, { value: `${col} field${col === 1 ? '' : 's'}`, expected: `${ncols} fields, as in the header` });
        (this.dropped ??= new Uint8Array(this.capacity))[row] = 1;
      }
      if (this.pending.length > 0) this.flush();
      if (pos > badAt && this.badUtf8Row < 0) {
        this.badUtf8Row = row;
        this.badUtf8Field = fieldIndexAt(bytes, recordStart, badAt, delim);
      }
      row++;
      if ((row & (PROGRESS_ROWS - 1)) === 0 && this.onProgress) this.onProgress(pos / len);
    }
    this.row = row;
  }

  /**
   * Reads the quoted field opening at bytes[pos] into `slot` (when mapped): "" inside is one quote,
   * and text between the closing quote and the next delimiter is appended. Returns where it ends.
   */
  private quoted(slot: CellColumn | null, row: number, recordStart: number, pos: number): number {
    const bytes = this.bytes;
    const len = bytes.length;
    const delim = this.delim;
    const a = pos + 1;
    let escaped = false;
    let close: number;
    for (let q = a; ;) {
      close = bytes.indexOf(QUOTE, q);
      if (close < 0) throw this.unterminated(row, recordStart);
      if (bytes[close + 1] !== QUOTE) break;
      escaped = true;
      q = close + 2;
    }
    const tail = close + 1;
    let end = tail;
    for (let c: number; end < len && (c = bytes[end]) !== delim && c !== LF && c !== CR;) end++;
    if (slot === null) return end;
    if (!escaped && end === tail) {
      this.cell(slot, row, bytes, a, close);
      return end;
    }
    if (this.scratch.length < end - a) this.scratch = new Uint8Array(Math.max(this.scratch.length * 2, end - a));
    const out = this.scratch;
    let n = 0;
    for (let i = a; i < close; i++) {
      const c = bytes[i];
      out[n++] = c;
      if (c === QUOTE) i++;
    }
    for (let i = tail; i < end; i++) out[n++] = bytes[i];
    this.cell(slot, row, out, 0, n);
    return end;
  }

  /** Stores the field src[a, b) in `col`; numbers, dates and bools the fast paths left go through writeTextCell. */
  private cell(col: CellColumn, row: number, src: Uint8Array, a: number, b: number): void {
    const kind = col.kind;
    if (kind === K_STRING || kind === K_CATEGORY) {
      if (kind === K_CATEGORY || col.trim) {
        if (a < b && (src[a] <= 32 || src[a] >= 0x80)) a = trimStart(src, a, b);
        if (a < b && (src[b - 1] <= 32 || src[b - 1] >= 0x80)) b = trimEnd(src, a, b);
      }
      if (a === b) col.setNull(row);
      else if (kind === K_CATEGORY) {
        col.i32[row] = col.codeBytes(src, a, b);
        col.valid[row] = 1;
      } else if (this.badUtf8At >= 0 && invalidUtf8At(src, a, b) >= 0) {
        const text = encoder.encode(decodeUtf8(src, a, b));
        col.putBytes(row, text, 0, text.length);
      } else {
        col.putBytes(row, src, a, b);
      }
      return;
    }
    const text = decodeUtf8(src, a, b);
    writeTextCell(col, row, text, 0, text.length, this.fmt, this.sink);
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

  private unterminated(row: number, start: number): IngestError {
    // 240 bytes hold at least the 60 characters shown.
    const shown = decodeUtf8(this.bytes, start, Math.min(this.bytes.length, start + 240)).slice(0, 60).replace(/\r?\n/g, '\\n');
    return new IngestError([issue('error', 'malformed-input',
      `Row ${row + 1} opens a quoted field that is never closed (a closing " is missing), so the rest of the file would be one value. The row starts: ${JSON.stringify(shown)}.`,
      { rows: [row + 1], count: 1 })]);
  }
}

/** Days since 1970-01-01 of exactly YYYY-MM-DD or YYYY/MM/DD at bytes[a, a + 10); NaN for anything else. */
function isoDate(bytes: Uint8Array, a: number): number {
  const sep = bytes[a + 4];
  if ((sep !== 45 && sep !== 47) || bytes[a + 7] !== sep) return NaN;
  let y = 0;
  for (let i = a; i < a + 4; i++) {
    const d = bytes[i] - 48;
    if (d < 0 || d > 9) return NaN;
    y = y * 10 + d;
  }
  const m1 = bytes[a + 5] - 48;
  const m2 = bytes[a + 6] - 48;
  const d1 = bytes[a + 8] - 48;
  const d2 = bytes[a + 9] - 48;
  if (m1 < 0 || m1 > 9 || m2 < 0 || m2 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return NaN;
  const m = m1 * 10 + m2;
  const d = d1 * 10 + d2;
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return NaN;
  return civilDays(y, m, d);
}

/** Line feeds in the input (for the row-limit message). */
function countLineFeeds(bytes: Uint8Array): number {
  let n = 0;
  for (let i = bytes.indexOf(LF); i >= 0; i = bytes.indexOf(LF, i + 1)) n++;
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
  const len = bytes.length;
  let pos = len >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const badUtf8At = invalidUtf8At(bytes, pos, len);
  pos = trimStart(bytes, pos, len);
  if (pos >= len) throw emptyInput('The CSV input is empty: there is no header row and no data.');

  const delim = want === 'auto' ? detectDelimiter(bytes, pos) : want;
  const head = readHeader(bytes, pos, delim.charCodeAt(0));
  const header = head.fields;
  const problems: IngestIssue[] = [];
  if (header.some((h) => h.includes('\uFFFD'))) {
    problems.push(issue('error', 'malformed-input', 'The header row is not valid UTF-8 text. The file may be saved as GBK/GB18030 or Windows-1252; save it as UTF-8 (CSV UTF-8 in Excel) and load it again.', {}));
  }
  if (fmt.decimal === COMMA && delim === ',') {
    problems.push(issue('error', 'malformed-input', `The option decimal: "," needs a delimiter other than ","; ${want === 'auto' ? 'the header row is separated by ","' : 'delimiter is ","'}. Use ";" or tab separated values, or decimal ".".`, {}));
  }
  const mapping = resolveMapping(header, options.mapping ?? {}, { auto: options.auto, required: options.required });
  assertMapping(mapping, problems);
  const capacity = Math.max(1, Math.min(estimateRows(bytes), maxRows));
  const columns = makeColumns(mapping, header, options, capacity);
  const slots: (CellColumn | null)[] = header.map(() => null);
  for (const col of columns) slots[mapping.fields.get(col.field)!] = col;
  const scanner = new CsvScanner(bytes, delim.charCodeAt(0), slots, columns, capacity, maxRows, fmt, fmt.decimal === COMMA, badUtf8At, options.onProgress);
  scanner.scan(head.next);

  if (scanner.row === 0) throw emptyInput(`The CSV input has a header row (${header.length} columns) but no data rows.`);
  options.onProgress?.(1);
  const notes: IngestIssue[] = [];
  if (badUtf8At >= 0) {
    const row = scanner.badUtf8Row + 1;
    const column = header[scanner.badUtf8Field] as string | undefined;
    const where = column === undefined ? `row ${row}, beyond the last column` : `row ${row}, column "${column}"`;
    notes.push(issue('warning', 'malformed-input',
      `The file contains bytes that are not valid UTF-8 (the first in ${where}); they were read as "\uFFFD". If the file was saved as GBK/GB18030 or Windows-1252, save it as UTF-8 and load it again.`,
      { rows: [row], ...(column === undefined ? {} : { column }) }));
  }
  return finishRows({
    format: 'csv', rowCount: scanner.row, mapping, header, columns: scanner.columns, collector: scanner.collector, dropped: scanner.dropped, notes,
  }, options);
}
