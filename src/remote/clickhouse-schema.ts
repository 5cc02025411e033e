/**
 * A ClickHouse table's columns in the kernels' vocabulary (Arrow type text, see kindOf in
 * workers/kernels/columns.ts), read with DESCRIBE TABLE so every identifier a translator uses is
 * checked against what the engine really has.
 *
 * Type mapping (Nullable and LowCardinality wrappers are looked through):
 *   LowCardinality(String)            category      Dictionary<Int32, Utf8>
 *   String, FixedString               free text     Utf8
 *   Float32, Float64                  float         Float64
 *   Int8..Int64, UInt16..UInt64       int           Int32
 *   UInt8                             bool          Bool   (ClickHouse 18 has no Bool type; 0/1)
 *   Date                              date          Date32<DAY>
 *   anything else                     other         the engine's type text (no kernel reads it)
 * A category must be LowCardinality: that is how the table says "group by me", as dictionary
 * encoding says it in Arrow.
 */
import type { ClickHouseClient } from './clickhouse-client.js';
import { RemoteTable, quoteIdentifier, type RemoteColumn, type Sql } from './sql-builder.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export function arrowTypeOf(engineType: string): string {
  let t = engineType;
  let lowCardinality = false;
  for (let m = /^(Nullable|LowCardinality)\((.*)\)$/.exec(t); m; m = /^(Nullable|LowCardinality)\((.*)\)$/.exec(t)) {
    if (m[1] === 'LowCardinality') lowCardinality = true;
    t = m[2];
  }
  if (t === 'String' || t.startsWith('FixedString')) return lowCardinality ? 'Dictionary<Int32, Utf8>' : 'Utf8';
  if (t === 'Float32' || t === 'Float64') return 'Float64';
  if (t === 'UInt8') return 'Bool';
  if (/^U?Int(8|16|32|64)$/.test(t)) return 'Int32';
  if (t === 'Date') return 'Date32<DAY>';
  return engineType;
}

/** Reads the columns of `table` (a plain name, optionally in `database`). */
export async function describeTable(client: ClickHouseClient, database: string | undefined, table: string, rowColumn: string | undefined, signal?: AbortSignal): Promise<RemoteTable> {
  if (typeof table !== 'string' || !NAME.test(table)) throw new TypeError(`The table must be a plain name (letters, digits, _); got ${JSON.stringify(table)}.`);
  if (database !== undefined && !NAME.test(database)) throw new TypeError(`The database must be a plain name (letters, digits, _); got ${JSON.stringify(database)}.`);
  if (rowColumn !== undefined && (typeof rowColumn !== 'string' || rowColumn === '')) throw new TypeError(`"rowColumn" must be a column name; got ${JSON.stringify(rowColumn)}.`);
  const ref = (database ? `${quoteIdentifier(database)}.${quoteIdentifier(table)}` : quoteIdentifier(table)) as Sql;
  const result = await client.select(`DESCRIBE TABLE ${ref}`, { signal });
  const name = result.names.indexOf('name');
  const type = result.names.indexOf('type');
  const columns: RemoteColumn[] = result.rows.map((r) => ({ name: String(r[name]), engineType: String(r[type]), type: arrowTypeOf(String(r[type])) }));
  if (rowColumn !== undefined && !columns.some((c) => c.name === rowColumn)) {
    throw new TypeError(`"rowColumn" names ${JSON.stringify(rowColumn)}, which table ${table} does not have (columns: ${columns.map((c) => c.name).join(', ')}).`);
  }
  return new RemoteTable(database, table, columns, rowColumn);
}
