/**
 * Entry point of the ingest layer: bytes of a CSV, JSON or Arrow IPC file in, a client table and a
 * report of everything found wrong out. Pure and synchronous, meant to run inside a worker.
 *
 * Limits are checked before any parsing so that an oversized input fails fast with the limit and
 * the actual size named; the row limit is checked by each reader as soon as it can count rows.
 */
import type { Table } from 'apache-arrow';
import type { ClientField } from '../schema/client-schema.js';
import type { FieldMapping } from '../schema/field-mapping.js';
import { readArrowIpc } from './arrow-ipc.js';
import { readCsv } from './csv.js';
import { IngestError, issue, type DirtyRowPolicy, type IngestFormat, type IngestReport } from './ingest-report.js';
import { readJsonRows } from './json-rows.js';
import { emptyInput } from './row-checks.js';

export interface IngestOptions {
  /** Default 'auto': sniffed from the first bytes. */
  format?: 'auto' | 'csv' | 'json' | 'arrow';
  /** Field -> the input's column name; fields left out are matched by alias unless `auto` is false. */
  mapping?: FieldMapping;
  auto?: boolean;
  /** Fields the caller needs on top of clientId. */
  required?: ClientField[];
  /** CSV only. Default 'auto': the character that splits the header line most often. */
  delimiter?: 'auto' | ',' | ';' | '\t';
  /** Decimal mark of numbers written as text; ',' needs a CSV delimiter other than ','. */
  decimal?: '.' | ',';
  /** Grouping separator accepted in numbers written as text; default null refuses 1,234. */
  thousands?: ',' | '.' | ' ' | null;
  /** Default 'exclude'. */
  onDirtyRow?: DirtyRowPolicy;
  /** Default 2 GiB. */
  maxBytes?: number;
  /** Default 20,000,000. */
  maxRows?: number;
  /** Called now and then (about every 64k rows) with the fraction done, 0 to 1. */
  onProgress?: (fraction: number) => void;
}

export interface IngestResult {
  readonly table: Table;
  readonly report: IngestReport;
}

export const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;

function isBlank(byte: number): boolean {
  return byte === 32 || byte === 9 || byte === 10 || byte === 13;
}

/**
 * Guesses the format from the first bytes: Arrow file magic "ARROW1", the 0xFFFFFFFF continuation
 * marker that opens an Arrow stream, '[' or '{' as the first non-blank character for JSON, else CSV.
 */
export function sniffFormat(bytes: Uint8Array): IngestFormat {
  if (bytes.length >= 6 && String.fromCharCode(...bytes.subarray(0, 6)) === 'ARROW1') return 'arrow';
  if (bytes.length >= 8 && bytes[0] === 0xff && bytes[1] === 0xff && bytes[2] === 0xff && bytes[3] === 0xff) return 'arrow';
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && isBlank(bytes[i])) i++;
  return bytes[i] === 0x5b || bytes[i] === 0x7b ? 'json' : 'csv';
}

function size(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const exact = `${bytes.toLocaleString('en-US')} bytes`;
  return u === 0 ? exact : `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]} (${exact})`;
}

/** Reads a CSV, JSON rows or Arrow IPC input into a client table; throws IngestError when it cannot. */
export function ingest(bytes: Uint8Array, options: IngestOptions = {}): IngestResult {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('ingest() takes the file contents as a Uint8Array.');
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.length > maxBytes) {
    throw new IngestError([issue('error', 'limit-exceeded', `The input is ${size(bytes.length)}, over the limit maxBytes = ${size(maxBytes)}.`, { expected: `at most ${maxBytes} bytes` })]);
  }
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && isBlank(bytes[i])) i++;
  if (i >= bytes.length) throw emptyInput(bytes.length === 0 ? 'The input is empty (0 bytes).' : 'The input holds only blank characters.');

  const format = options.format ?? 'auto';
  switch (format === 'auto' ? sniffFormat(bytes) : format) {
    case 'csv': return readCsv(bytes, options);
    case 'json': return readJsonRows(bytes, options);
    case 'arrow': return readArrowIpc(bytes, options);
    default: throw new TypeError(`format must be "auto", "csv", "json" or "arrow"; got ${JSON.stringify(format)}.`);
  }
}
