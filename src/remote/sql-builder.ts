/**
 * The only way text from a spec reaches ClickHouse SQL. Identifiers are accepted only when they
 * name a column of the table's schema (read from the engine), and are backquoted; values become
 * escaped literals of a fixed form. A spec string is therefore either a known column, or data
 * inside a string literal: it is never SQL. ClickHouse 18.16 has no query parameters
 * ({name:Type} came in 19.x), so escaping is the mechanism, and it is kept in this one file.
 */
import type { ColumnInfo } from '../cache/cache-manifest.js';

/** A fragment of SQL built by this module (or from its fragments); plain strings are not accepted. */
export type Sql = string & { readonly __sql: true };

/** Joins SQL fragments; the literal parts are the translator's own text, never spec data. */
export function sql(parts: TemplateStringsArray, ...values: (Sql | number)[]): Sql {
  let out = parts[0];
  values.forEach((v, i) => {
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new RangeError(`Only safe integers are pasted into SQL directly; got ${v}. Use floatLiteral.`);
      out += String(v);
    } else out += v;
    out += parts[i + 1];
  });
  return out as Sql;
}

export function joinSql(items: readonly Sql[], separator: ', ' | ' AND ' | ' OR ' | ' + ' | ' | ' | ',\n  ' | '\nUNION ALL\n'): Sql {
  return items.join(separator) as Sql;
}

/** `name` in backquotes, with backslash and backquote escaped. Only for names checked against a schema. */
export function quoteIdentifier(name: string): Sql {
  if (name.length === 0 || name.length > 256 || /[\u0000-\u001f]/.test(name)) throw new RangeError(`Not usable as a ClickHouse identifier: ${JSON.stringify(name)}.`);
  return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\`` as Sql;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A string literal: quotes and backslashes escaped, control characters written as escapes, so
 * the literal is one line of plain text whatever the input. Text that is not valid Unicode (a lone
 * surrogate) is refused: UTF-8 cannot carry it, and a silently replaced character would compare
 * differently on the engine than in the browser.
 */
export function stringLiteral(value: string): Sql {
  if (typeof value !== 'string') throw new TypeError(`Expected a string for a SQL literal; got ${typeof value}.`);
  if (LONE_SURROGATE.test(value)) throw new RangeError(`The text ${JSON.stringify(value)} is not valid Unicode (a lone surrogate) and cannot be sent to the engine.`);
  const body = value.replace(/[\\'\u0000-\u001f\u007f]/g, (c) => {
    switch (c) {
      case '\\': return '\\\\';
      case "'": return "\\'";
      case '\n': return '\\n';
      case '\r': return '\\r';
      case '\t': return '\\t';
      case '\0': return '\\0';
      default: return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
    }
  });
  return `'${body}'` as Sql;
}

/** Smallest normal double: ClickHouse 18.16's parser rejects subnormal literals. */
const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * A Float64 literal equal to `value` bit for bit: JavaScript prints the shortest decimal that reads
 * back to the same double, and ClickHouse reads it correctly rounded (checked on 18.16 for
 * thousands of random doubles). Wrapped in toFloat64 so an integer-looking literal is not typed
 * UInt64 (which would mix badly with floats in arrays and IF branches).
 */
export function floatLiteral(value: number): Sql {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError(`Only finite numbers can be sent to the engine; got ${String(value)}.`);
  if (value !== 0 && Math.abs(value) < MIN_NORMAL) throw new RangeError(`The number ${value} is subnormal; ClickHouse 18.16 cannot read it as a literal.`);
  return `toFloat64(${Object.is(value, -0) ? '0' : String(value)})` as Sql;
}

export function intLiteral(value: number): Sql {
  if (!Number.isSafeInteger(value)) throw new RangeError(`Expected a safe integer for SQL; got ${String(value)}.`);
  return (value < 0 ? `(${value})` : String(value)) as Sql;
}

const UINT64_LIMIT = 1n << 64n;

/**
 * A UInt64 constant of any size (past 2^53 as well), e.g. a bit pattern used as a sort key: bare
 * digits (ClickHouse types them UInt64 past 2^63, and converts a set's elements to the type of the
 * IN's left side), so long IN lists stay short.
 */
export function uint64Literal(value: bigint): Sql {
  if (typeof value !== 'bigint' || value < 0n || value >= UINT64_LIMIT) throw new RangeError(`Expected a UInt64 (a bigint in 0..2^64-1) for SQL; got ${String(value)}.`);
  return value.toString() as Sql;
}

/** The ClickHouse column type behind a schema entry, and how the kernels see it. */
export interface RemoteColumn extends ColumnInfo {
  /** ClickHouse type as DESCRIBE gives it, e.g. "Nullable(Float64)". */
  readonly engineType: string;
}

/**
 * A table whose columns are known: `column(name)` is the only way to put a column name into SQL,
 * and it refuses names the schema does not have.
 */
export class RemoteTable {
  readonly ref: Sql;
  private readonly byName: ReadonlyMap<string, RemoteColumn>;

  constructor(
    readonly database: string | undefined,
    readonly table: string,
    readonly columns: readonly RemoteColumn[],
    /** A column holding each row's position (0-based, unique): ties and row numbers use it. */
    readonly rowColumn: string | undefined,
  ) {
    this.ref = (database ? `${quoteIdentifier(database)}.${quoteIdentifier(table)}` : quoteIdentifier(table)) as Sql;
    this.byName = new Map(columns.map((c) => [c.name, c]));
    if (rowColumn !== undefined && !this.byName.has(rowColumn)) throw new RangeError(`The row column "${rowColumn}" is not a column of ${table}.`);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  info(name: string): RemoteColumn {
    const c = this.byName.get(name);
    if (!c) throw new RangeError(`Column ${JSON.stringify(name)} is not in table ${this.table} (columns: ${[...this.byName.keys()].join(', ')}).`);
    return c;
  }

  column(name: string): Sql {
    return quoteIdentifier(this.info(name).name);
  }

  /** The row-position column, or a constant when the table has none (ties then follow the engine). */
  row(): Sql {
    return this.rowColumn === undefined ? ('toUInt64(0)' as Sql) : this.column(this.rowColumn);
  }
}
