/**
 * The generated portfolio as a ClickHouse table: DDL from the Arrow schema and TabSeparated rows
 * built straight from the Arrow buffers (no per-cell Vector.get), with `_row` = global row number.
 * Types: categories LowCardinality(Nullable(String)), text Nullable(String), Float64, Int32, Date,
 * bools Nullable(UInt8) (see src/remote/clickhouse-schema.ts for how they map back).
 */
import { Type, type Data, type Table } from 'apache-arrow';

function engineType(data: Data): string {
  switch (data.type.typeId) {
    case Type.Dictionary: return 'LowCardinality(Nullable(String))';
    case Type.Utf8: return 'Nullable(String)';
    case Type.Float: return 'Nullable(Float64)';
    case Type.Int: return 'Nullable(Int32)';
    case Type.Date: return 'Nullable(Date)';
    case Type.Bool: return 'Nullable(UInt8)';
    default: throw new Error(`No ClickHouse type for ${String(data.type)}.`);
  }
}

export function clientTableDdl(name: string, table: Table): string {
  const batch = table.batches[0];
  const cols = table.schema.fields.map((f) => `\`${f.name}\` ${engineType(batch.getChild(f.name)!.data[0])}`);
  return `CREATE TABLE ${name} (_row UInt64, ${cols.join(', ')}) ENGINE = MergeTree ORDER BY _row SETTINGS index_granularity = 8192`;
}

function escapeTsv(s: string): string {
  return s.replace(/[\\\t\n\r\0']/g, (c) => (c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\0' ? '\\0' : `\\${c}`));
}

function float(v: number): string {
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (v !== v) return 'nan';
  return String(v);
}

function isoDay(d: number): string {
  return new Date(d * 86_400_000).toISOString().slice(0, 10);
}

/** One column of one batch as TSV cells. */
function cells(data: Data, n: number): string[] {
  const out = new Array<string>(n);
  const bm = data.nullCount > 0 ? data.nullBitmap : null;
  const valid = (i: number) => bm === null || ((bm[(data.offset + i) >> 3] >> ((data.offset + i) & 7)) & 1) === 1;
  switch (data.type.typeId) {
    case Type.Dictionary: {
      const dict = data.dictionary!;
      const labels: string[] = [];
      for (let k = 0; k < dict.length; k++) labels.push(escapeTsv(String(dict.get(k))));
      const codes = data.values as ArrayLike<number>;
      for (let i = 0; i < n; i++) out[i] = valid(i) ? labels[codes[i]] : '\\N';
      return out;
    }
    case Type.Utf8: {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      const dec = new TextDecoder();
      for (let i = 0; i < n; i++) out[i] = valid(i) ? escapeTsv(dec.decode(bytes.subarray(offsets[i], offsets[i + 1]))) : '\\N';
      return out;
    }
    case Type.Float: {
      const v = data.values as Float64Array;
      for (let i = 0; i < n; i++) out[i] = valid(i) ? float(v[i]) : '\\N';
      return out;
    }
    case Type.Int: {
      const v = data.values as Int32Array;
      for (let i = 0; i < n; i++) out[i] = valid(i) ? String(v[i]) : '\\N';
      return out;
    }
    case Type.Date: {
      const v = data.values as Int32Array;
      for (let i = 0; i < n; i++) out[i] = valid(i) ? isoDay(v[i]) : '\\N';
      return out;
    }
    case Type.Bool: {
      const bits = data.values as Uint8Array;
      for (let i = 0; i < n; i++) {
        const j = data.offset + i;
        out[i] = valid(i) ? String((bits[j >> 3] >> (j & 7)) & 1) : '\\N';
      }
      return out;
    }
    default:
      throw new Error(`No TSV writer for ${String(data.type)}.`);
  }
}

/** A table's rows as TabSeparated lines (no newline) with `_row` first, numbered from `firstRow`. */
export function portfolioTsvLines(table: Table, firstRow: number): string[] {
  const parts: string[] = [];
  let row = firstRow;
  for (const batch of table.batches) {
    const n = batch.numRows;
    const cols = table.schema.fields.map((f) => cells(batch.getChild(f.name)!.data[0], n));
    for (let i = 0; i < n; i++) {
      let line = String(row++);
      for (const c of cols) line += `\t${c[i]}`;
      parts.push(line);
    }
  }
  return parts;
}
