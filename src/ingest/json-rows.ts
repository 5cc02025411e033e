/**
 * JSON rows reader: an array of row objects, `{"rows": [...]}`, or one object per line (NDJSON).
 *
 * The header is the union of the rows' keys in first-seen order, so rows may leave keys out (the
 * cell is null). Values are taken by their JSON type: numbers for numeric fields, strings parsed as
 * CSV text would be, numbers and booleans turned into text for text fields. An object or array as a
 * cell value is a 'wrong-type' cell. A row that is not an object cannot be trusted at all: it is
 * reported and left out whatever the policy.
 */
import { resolveMapping } from '../schema/field-mapping.js';
import { IngestError, IssueCollector, issue, type IngestIssue } from './ingest-report.js';
import type { IngestOptions, IngestResult } from './ingest.js';
import { numberFormat, writeTextCell, type NumberFormat } from './csv.js';
import {
  K_BOOL, K_CATEGORY, K_STRING, assertMapping, emptyInput, expectedText, finishRows, makeColumns, rowLimit, rowLimitExceeded,
  type CellColumn, type CellErrorSink,
} from './row-checks.js';

type Row = Record<string, unknown>;

function isRow(v: unknown): v is Row {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function malformed(message: string): IngestError {
  return new IngestError([issue('error', 'malformed-input', message, {})]);
}

/** Short JSON text of a value, for messages. */
function preview(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

/** Where an array of objects sits inside a document that is not in a supported shape (a hint for the message). */
function findRowsPath(v: unknown, path: string, depth: number): string | null {
  if (Array.isArray(v)) return v.length > 0 && isRow(v[0]) ? path : null;
  if (!isRow(v) || depth > 3) return null;
  for (const [k, x] of Object.entries(v)) {
    const found = findRowsPath(x, path ? `${path}.${k}` : k, depth + 1);
    if (found) return found;
  }
  return null;
}

interface Parsed {
  rows: unknown[];
  /** NDJSON lines that are not JSON; their rows are left out. */
  brokenLines: number[];
}

/** NDJSON: one value per non-empty line. null when the first line is not an object (not NDJSON). */
function parseNdjson(text: string): Parsed | null {
  const rows: unknown[] = [];
  const brokenLines: number[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line.length === 0) continue;
    try {
      rows.push(JSON.parse(line));
    } catch {
      if (rows.length === 0) return null;
      brokenLines.push(rows.length);
      rows.push(undefined);
    }
    if (rows.length === 1 && !isRow(rows[0])) return null;
  }
  return { rows, brokenLines };
}

function parseDocument(text: string, first: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const nd = first === '{' ? parseNdjson(text) : null;
    if (nd) return nd;
    throw malformed(`The input is not valid JSON: ${(e as Error).message}.`);
  }
  if (Array.isArray(value)) return { rows: value, brokenLines: [] };
  if (isRow(value)) {
    if (Array.isArray(value.rows)) return { rows: value.rows, brokenLines: [] };
    // A single object of plain values is a one-line NDJSON file.
    if (Object.values(value).every((v) => v === null || typeof v !== 'object')) return { rows: [value], brokenLines: [] };
    const keys = Object.keys(value).slice(0, 10).map((k) => JSON.stringify(k)).join(', ');
    const path = findRowsPath(value, '', 0);
    throw malformed(
      `The JSON input must be an array of row objects, an object {"rows": [...]}, or one row object per line (NDJSON); its top level is an object with keys ${keys || '(none)'}.` +
        (path ? ` The rows seem to be at "${path}": pass that array instead.` : ''),
    );
  }
  throw malformed(`The JSON input must be an array of row objects, an object {"rows": [...]}, or one row object per line (NDJSON); its top level is ${value === null ? 'null' : `a ${typeof value}`}.`);
}

/** Stores one JSON value in a cell; issues go to `sink`. */
function writeJsonValue(col: CellColumn, row: number, v: unknown, fmt: NumberFormat, sink: CellErrorSink): void {
  if (v === null || v === undefined) {
    col.setNull(row);
    return;
  }
  switch (typeof v) {
    case 'string':
      writeTextCell(col, row, v, 0, v.length, fmt, sink);
      return;
    case 'number': {
      const code = col.putNumber(row, v);
      if (code) sink(col, row, code, String(v));
      return;
    }
    case 'boolean':
      if (col.kind === K_BOOL) {
        col.u8[row] = v ? 1 : 0;
        col.valid[row] = 1;
      } else if (col.kind === K_CATEGORY || col.kind === K_STRING) {
        const s = String(v);
        writeTextCell(col, row, s, 0, s.length, fmt, sink);
      } else {
        col.fail(row);
        sink(col, row, 'wrong-type', String(v));
      }
      return;
    default:
      col.fail(row);
      sink(col, row, 'wrong-type', preview(v));
  }
}

/** Reads JSON rows (UTF-8, BOM stripped) into a client table. */
export function readJsonRows(bytes: Uint8Array, options: IngestOptions = {}): IngestResult {
  const fmt = numberFormat(options);
  let text: string;
  try {
    text = new TextDecoder('utf-8').decode(bytes);
  } catch {
    // One JS string holds about 512 M characters at most.
    throw new IngestError([issue('error', 'limit-exceeded', `The JSON input is ${bytes.length.toLocaleString('en-US')} bytes, too large to parse as one document. Load it as CSV or Arrow instead.`, {})]);
  }
  let i = 0;
  while (i < text.length && text.charCodeAt(i) <= 32) i++;
  if (i >= text.length) throw emptyInput('The JSON input is empty.');
  const { rows, brokenLines } = parseDocument(text, text[i]);
  const n = rows.length;
  if (n === 0) throw emptyInput('The JSON input has no rows: the array is empty.');
  const maxRows = rowLimit(options);
  if (n > maxRows) throw rowLimitExceeded(maxRows, n.toLocaleString('en-US'));

  const collector = new IssueCollector();
  let dropped: Uint8Array | null = null;
  const broken = new Set(brokenLines);
  const seen = new Set<string>();
  const header: string[] = [];
  for (let r = 0; r < n; r++) {
    const o = rows[r];
    if (!isRow(o)) {
      (dropped ??= new Uint8Array(n))[r] = 1;
      collector.add('error', 'malformed-input', r + 1, {
        value: broken.has(r) ? 'a line that is not JSON' : preview(o),
        expected: 'an object like {"clientId": "C001", "aum": 1000}',
      });
      continue;
    }
    for (const k in o) {
      if (!seen.has(k)) {
        seen.add(k);
        header.push(k);
      }
    }
  }
  options.onProgress?.(0.3);

  const mapping = resolveMapping(header, options.mapping ?? {}, { auto: options.auto, required: options.required });
  assertMapping(mapping);
  const columns = makeColumns(mapping, header, options, n);
  const decimalComma = options.decimal === ',';
  const sink: CellErrorSink = (col, row, code, value) => {
    collector.add('error', code, row + 1, { field: col.field, column: col.column, value, expected: expectedText(col, decimalComma) });
  };
  columns.forEach((col, c) => {
    const key = col.column;
    // A row without a key like "constructor" would otherwise read Object.prototype's member.
    const inherited = key in Object.prototype;
    for (let r = 0; r < n; r++) {
      if (dropped && dropped[r]) continue;
      const o = rows[r] as Row;
      writeJsonValue(col, r, inherited && !Object.hasOwn(o, key) ? undefined : o[key], fmt, sink);
    }
    options.onProgress?.(0.3 + (0.6 * (c + 1)) / columns.length);
  });

  const notes: IngestIssue[] = [];
  const result = finishRows({ format: 'json', rowCount: n, mapping, header, columns, collector, dropped, notes }, options);
  options.onProgress?.(1);
  return result;
}
