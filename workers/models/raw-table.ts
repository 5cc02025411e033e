/**
 * Delimited text -> Arrow table with inferred column types, keeping EVERY column under its own
 * name. For model validation on public data sets whose columns are not client fields (ingest()
 * maps columns onto the client schema and drops the rest, e.g. Churn_Modelling's CreditScore and
 * IsActiveMember), and for analysts' extracts that feed models directly.
 *
 * Rules: the first line is the header; `delimiter` is ',', ';', '\t' or 'auto' (the one that
 * splits the header most often). Fields may be double-quoted ("" is a quote inside quotes).
 * CRLF or LF. An empty cell is null. A column whose non-empty cells all parse as finite numbers is
 * numeric: Int32 when all are integers within Int32 range, else Float64; any other column is a
 * dictionary-encoded category (labels in order of first appearance). Pure; no DOM.
 */
import { Table, type Vector } from 'apache-arrow';
import { toVector } from '../../src/schema/arrow-columns.js';

export interface RawTableOptions {
  readonly delimiter?: ',' | ';' | '\t' | 'auto';
  /** Columns to leave out (e.g. identifiers, or `duration` in bank-full). */
  readonly drop?: readonly string[];
}

function splitLine(line: string, delim: string, out: string[]): void {
  out.length = 0;
  let i = 0;
  const n = line.length;
  while (i <= n) {
    if (line.charCodeAt(i) === 34) {
      let s = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new Error(`Unclosed quote in line: ${line.slice(0, 80)}`);
        s += line.slice(i, q);
        if (line.charCodeAt(q + 1) === 34) {
          s += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      const next = line.indexOf(delim, i);
      out.push(s + (next < 0 ? line.slice(i) : line.slice(i, next)));
      if (next < 0) break;
      i = next + 1;
    } else {
      const next = line.indexOf(delim, i);
      out.push(next < 0 ? line.slice(i) : line.slice(i, next));
      if (next < 0) break;
      i = next + 1;
    }
  }
}

export function readRawTable(text: string, options: RawTableOptions = {}): Table {
  const lines = text.split(/\r?\n/);
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0) throw new Error('The text is empty.');
  const headerLine = lines[0].replace(/^\uFEFF/, '');
  let delim = options.delimiter ?? 'auto';
  if (delim === 'auto') {
    const counts = [',', ';', '\t'].map((d) => headerLine.split(d).length);
    delim = ([',', ';', '\t'] as const)[counts.indexOf(Math.max(...counts))];
  }
  const header: string[] = [];
  splitLine(headerLine, delim, header);
  const names = header.map((h) => h.trim());
  const width = names.length;
  const rows = lines.length - 1;
  const cells: string[][] = names.map(() => new Array<string>(rows));
  const parts: string[] = [];
  for (let r = 0; r < rows; r++) {
    splitLine(lines[r + 1], delim, parts);
    if (parts.length !== width) throw new Error(`Line ${r + 2} has ${parts.length} fields; the header has ${width}.`);
    for (let c = 0; c < width; c++) cells[c][r] = parts[c].trim();
  }
  const drop = new Set(options.drop ?? []);
  for (const d of drop) if (!names.includes(d)) throw new Error(`Column "${d}" to drop is not in the header (${names.join(', ')}).`);
  const vectors: Record<string, Vector> = {};
  names.forEach((name, c) => {
    if (drop.has(name)) return;
    const col = cells[c];
    let numeric = true, integer = true;
    const values = new Float64Array(rows);
    let valid: Uint8Array | null = null;
    for (let r = 0; r < rows; r++) {
      const s = col[r];
      if (s === '') {
        (valid ??= new Uint8Array(rows).fill(1))[r] = 0;
        continue;
      }
      const v = Number(s);
      if (!Number.isFinite(v) || /^0x/i.test(s)) {
        numeric = false;
        break;
      }
      values[r] = v;
      if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) integer = false;
    }
    if (numeric) {
      vectors[name] = integer ? toVector({ type: 'int', values: Int32Array.from(values), valid }) : toVector({ type: 'float', values, valid });
      return;
    }
    const index = new Map<string, number>();
    const labels: string[] = [];
    const codes = new Int32Array(rows);
    let cvalid: Uint8Array | null = null;
    for (let r = 0; r < rows; r++) {
      const s = col[r];
      if (s === '') {
        (cvalid ??= new Uint8Array(rows).fill(1))[r] = 0;
        continue;
      }
      let k = index.get(s);
      if (k === undefined) {
        k = labels.length;
        index.set(s, k);
        labels.push(s);
      }
      codes[r] = k;
    }
    vectors[name] = toVector({ type: 'category', indices: codes, dictionary: labels, valid: cvalid }, c);
  });
  return new Table(vectors);
}
