/**
 * Arrow IPC reader (file or stream format): converts each mapped column to the storage type its
 * field fixes.
 *
 * Whether a column can feed a field is decided from its Arrow type before any value is read. A
 * column the caller mapped (or a required field) whose type cannot convert fails the load, with
 * every such column named at once; a column matched only by its name is left out with a warning,
 * since the name match was a guess. Values that do not fit (an Int64 beyond 2^53, a fraction for
 * an int field, text that is not a number) are cell issues as in CSV.
 */
import { DataType, tableFromIPC, type Table, type Vector } from 'apache-arrow';
import { daysFromCivil } from '../schema/arrow-columns.js';
import type { FieldType } from '../schema/client-schema.js';
import { resolveMapping } from '../schema/field-mapping.js';
import { IngestError, IssueCollector, issue, type IngestIssue } from './ingest-report.js';
import type { IngestOptions, IngestResult } from './ingest.js';
import { numberFormat, writeTextCell } from './csv.js';
import {
  K_BOOL, K_DATE, K_STRING, assertMapping, emptyInput, expectedText, finishRows, makeColumns, rowLimit, rowLimitExceeded,
  type CellColumn, type CellErrorSink,
} from './row-checks.js';

/** How values of an Arrow type arrive from the vector: the kind of JS value `get` returns. */
type Source = 'number' | 'bigint' | 'decimal' | 'text' | 'bool' | 'time' | 'null';

function sourceOf(type: DataType): Source | null {
  if (DataType.isNull(type)) return 'null';
  if (DataType.isInt(type)) return type.bitWidth === 64 ? 'bigint' : 'number';
  if (DataType.isFloat(type)) return 'number';
  if (DataType.isDecimal(type)) return 'decimal';
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isUtf8View(type)) return 'text';
  if (DataType.isBool(type)) return 'bool';
  if (DataType.isDate(type) || DataType.isTimestamp(type)) return 'time';
  if (DataType.isDictionary(type)) return sourceOf(type.dictionary);
  return null;
}

const ACCEPTS: Record<FieldType, readonly Source[]> = {
  float: ['number', 'bigint', 'decimal', 'text', 'null'],
  int: ['number', 'bigint', 'decimal', 'text', 'null'],
  bool: ['number', 'bigint', 'bool', 'text', 'null'],
  date: ['time', 'text', 'null'],
  category: ['number', 'bigint', 'decimal', 'text', 'bool', 'null'],
  string: ['number', 'bigint', 'decimal', 'text', 'bool', 'null'],
};

const ARROW_FOR: Record<FieldType, string> = {
  float: 'a numeric type (Int*, Uint*, Float*, Decimal) or Utf8 holding numbers',
  int: 'an integer type or Utf8 holding whole numbers',
  bool: 'Bool, an integer 0/1, or Utf8 holding true/false',
  date: 'Date, Timestamp, or Utf8 holding dates like 2024-01-31',
  category: 'Utf8, Dictionary<Utf8>, or a number type',
  string: 'Utf8 or a number type',
};

const NO_OFFSET = () => 0;

/**
 * Offset to add to a UTC instant to get the wall-clock time of `timezone`, for the calendar date of
 * a zoned timestamp. Offsets of named zones are looked up once per hour of the data.
 */
function zoneOffset(timezone: string | null | undefined): ((ms: number) => number) | null {
  if (!timezone || /^(?:UTC|Z|Etc\/UTC|GMT|[+-]00:?00)$/i.test(timezone)) return NO_OFFSET;
  const fixed = /^([+-])(\d{2}):?(\d{2})$/.exec(timezone);
  if (fixed) {
    const off = (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3])) * 60_000;
    return () => off;
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  } catch {
    return null;
  }
  const cache = new Map<number, number>();
  return (ms) => {
    if (!(Math.abs(ms) <= 8.64e15)) return 0; // outside the Date range: left to the range check
    const hour = Math.floor(ms / 3_600_000);
    let off = cache.get(hour);
    if (off === undefined) {
      const at = hour * 3_600_000;
      const p: Record<string, number> = {};
      for (const part of format.formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
      const wall = daysFromCivil(p.year, p.month, p.day) * 86_400_000 + ((p.hour * 60 + p.minute) * 60 + p.second) * 1000;
      off = wall - at;
      cache.set(hour, off);
    }
    return off;
  };
}

/** Reads an Arrow IPC file or stream into a client table. */
export function readArrowIpc(bytes: Uint8Array, options: IngestOptions = {}): IngestResult {
  const fmt = numberFormat(options);
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (e) {
    throw new IngestError([issue('error', 'malformed-input', `The input is not a readable Arrow IPC file or stream: ${(e as Error).message}`, {})]);
  }
  const n = table.numRows;
  if (table.numCols === 0 || n === 0) throw emptyInput(`The Arrow input has no ${table.numCols === 0 ? 'columns' : 'rows'}.`);
  // A damaged header can claim billions of rows in a few bytes; every row takes at least one bit
  // of some buffer, so a count beyond that is corruption, refused before any loop runs over it.
  if (n > bytes.length * 8 + 64) {
    throw new IngestError([issue('error', 'malformed-input', `The Arrow input claims ${n.toLocaleString('en-US')} rows in ${bytes.length.toLocaleString('en-US')} bytes; it is damaged.`, {})]);
  }
  const maxRows = rowLimit(options);
  if (n > maxRows) throw rowLimitExceeded(maxRows, n.toLocaleString('en-US'));

  const fields = table.schema.fields;
  const header = fields.map((f) => f.name);
  const mapping = resolveMapping(header, options.mapping ?? {}, { auto: options.auto, required: options.required });
  assertMapping(mapping);

  const problems: IngestIssue[] = [];
  const notes: IngestIssue[] = [];
  const plans: { col: CellColumn; source: Source; vector: Vector; offset: (ms: number) => number }[] = [];
  for (const col of makeColumns(mapping, header, options, n)) {
    const index = mapping.fields.get(col.field)!;
    const type = fields[index].type;
    const source = sourceOf(type);
    if (source === null || !ACCEPTS[col.def.type].includes(source)) {
      const message = `Column "${col.column}" has Arrow type ${String(type)}, which cannot feed field "${col.field}" (${col.def.label}, stored as ${col.def.type}); expected ${ARROW_FOR[col.def.type]}.`;
      if (col.explicit) problems.push(issue('error', 'wrong-type', message, { field: col.field, column: col.column, expected: ARROW_FOR[col.def.type], examples: [String(type)] }));
      else notes.push(issue('warning', 'wrong-type', `${message} It was matched by its name only, so it was ignored.`, { field: col.field, column: col.column, expected: ARROW_FOR[col.def.type], examples: [String(type)] }));
      continue;
    }
    // Dates and zone-less timestamps are wall-clock values already; zoned timestamps are instants.
    let offset: (ms: number) => number = NO_OFFSET;
    if (source === 'time' && DataType.isTimestamp(type)) {
      const zoned = zoneOffset(type.timezone);
      if (zoned) offset = zoned;
      else notes.push(issue('warning', 'wrong-type', `Column "${col.column}" has time zone "${type.timezone}", which this environment does not know; its dates were taken in UTC.`, { field: col.field, column: col.column }));
    }
    plans.push({ col, source, vector: table.getChildAt(index)!, offset });
  }
  assertMapping(mapping, problems);

  const collector = new IssueCollector();
  const decimalComma = options.decimal === ',';
  const sink: CellErrorSink = (col, row, code, value) => {
    collector.add('error', code, row + 1, { field: col.field, column: col.column, value, expected: expectedText(col, decimalComma) });
  };
  plans.forEach(({ col, source, vector, offset }, p) => {
    const scale = DataType.isDecimal(vector.type) ? vector.type.scale : DataType.isDictionary(vector.type) && DataType.isDecimal(vector.type.dictionary) ? vector.type.dictionary.scale : 0;
    for (let r = 0; r < n; r++) {
      let v: unknown;
      try {
        // get(), not the iterator: an iterator that throws once yields nothing more.
        v = vector.get(r);
      } catch {
        // Getters throw for values beyond 2^53 (seconds timestamps, for instance).
        col.fail(r);
        sink(col, r, col.kind === K_DATE ? 'unparseable-date' : 'out-of-range', '(a value beyond 2^53)');
        continue;
      }
      if (v === null || v === undefined) {
        col.setNull(r);
        continue;
      }
      switch (source) {
        case 'text': {
          const s = v as string;
          writeTextCell(col, r, s, 0, s.length, fmt, sink);
          break;
        }
        case 'number': {
          const code = col.putNumber(r, v as number);
          if (code) sink(col, r, code, String(v));
          break;
        }
        case 'bigint': {
          const big = v as bigint;
          if (col.kind === K_STRING) {
            col.putText(r, String(big));
          } else if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < -BigInt(Number.MAX_SAFE_INTEGER)) {
            col.fail(r);
            sink(col, r, 'out-of-range', String(big));
          } else {
            const code = col.putNumber(r, Number(big));
            if (code) sink(col, r, code, String(big));
          }
          break;
        }
        case 'decimal': {
          let num: number;
          try {
            num = (v as { valueOf(scale: number): number }).valueOf(scale);
          } catch {
            col.fail(r);
            sink(col, r, 'out-of-range', String(v));
            break;
          }
          const code = col.putNumber(r, num);
          if (code) sink(col, r, code, String(num));
          break;
        }
        case 'bool':
          if (col.kind === K_BOOL) {
            col.u8[r] = v ? 1 : 0;
            col.valid[r] = 1;
          } else {
            const s = String(v);
            writeTextCell(col, r, s, 0, s.length, fmt, sink);
          }
          break;
        case 'time': {
          // Date and Timestamp getters return epoch milliseconds.
          const ms = v as number;
          const days = Math.floor((ms + offset(ms)) / 86_400_000);
          if (Number.isFinite(days) && Math.abs(days) <= 2147483647) {
            col.i32[r] = days;
            col.valid[r] = 1;
          } else {
            col.fail(r);
            sink(col, r, 'unparseable-date', String(ms));
          }
          break;
        }
        default:
          col.setNull(r);
      }
    }
    options.onProgress?.((p + 1) / plans.length);
  });

  const columns = plans.map((p) => p.col);
  return finishRows({ format: 'arrow', rowCount: n, mapping, header, columns, collector, dropped: null, notes }, options);
}
