/**
 * A validated FilterSpec (workers/kernels/filter.ts) as a ClickHouse condition with the kernels'
 * semantics, which differ from plain SQL in places that matter:
 * - a null never satisfies a comparison, ne and notIn included (ClickHouse's `NULL NOT IN (...)`
 *   is 1, so every comparison is guarded with isNotNull and ifNull(..., 0));
 * - NaN satisfies no comparison (ClickHouse's `nan != 1` is 1, so ne/notIn exclude NaN);
 * - numbers, dates (as day numbers) and ints are compared as Float64, so an Int32 column is never
 *   compared with a value cast down to its type (IN would truncate 2.5 to 2);
 * - categories compare by label, bools as 0/1.
 * The result is always 0 or 1, never NULL, so it can be combined and negated safely.
 */
import { kindOf } from '../../workers/kernels/columns.js';
import { parseIsoDay, type FilterCondition, type FilterSpec, type FilterValue } from '../../workers/kernels/filter.js';
import { floatLiteral, joinSql, sql, stringLiteral, type RemoteTable, type Sql } from './sql-builder.js';

/** A numeric column as Float64 (dates as days since 1970-01-01). */
export function numericExpr(table: RemoteTable, column: string): Sql {
  const c = table.column(column);
  const kind = kindOf(table.info(column).type);
  if (kind === 'float') return c;
  if (kind === 'date') return sql`toFloat64(toUInt16(${c}))`;
  if (kind === 'int' || kind === 'bool') return sql`toFloat64(${c})`;
  throw new RangeError(`Column "${column}" is not numeric (${table.info(column).engineType}).`);
}

/** 1 when the column holds a usable number: not null and, for floats, not NaN. */
export function hasNumber(table: RemoteTable, column: string): Sql {
  const c = table.column(column);
  return kindOf(table.info(column).type) === 'float' ? sql`(isNotNull(${c}) AND ifNull(NOT isNaN(${c}), 0))` : sql`isNotNull(${c})`;
}

function numberValue(v: FilterValue): Sql {
  if (typeof v === 'string') {
    const d = parseIsoDay(v);
    if (d === null) throw new RangeError(`Not a date: ${JSON.stringify(v)}.`);
    return floatLiteral(d);
  }
  if (typeof v === 'boolean') return floatLiteral(v ? 1 : 0);
  return floatLiteral(v);
}

export function conditionSql(table: RemoteTable, c: FilterCondition): Sql {
  const col = table.column(c.column);
  const kind = kindOf(table.info(c.column).type);
  if (c.op === 'isNull') return sql`isNull(${col})`;
  if (c.op === 'notNull') return sql`isNotNull(${col})`;
  const present = sql`isNotNull(${col})`;
  const guard = (cmp: Sql): Sql => sql`(${present} AND ifNull(${cmp}, 0))`;
  const values = c.values ?? [];
  if (kind === 'category' || kind === 'string') {
    const v = () => stringLiteral(c.value as string);
    const list = () => joinSql(values.map((x) => stringLiteral(x as string)), ', ');
    switch (c.op) {
      case 'eq': return guard(sql`${col} = ${v()}`);
      case 'ne': return guard(sql`${col} != ${v()}`);
      case 'in': return values.length === 0 ? sql`0` : guard(sql`${col} IN (${list()})`);
      case 'notIn': return values.length === 0 ? present : guard(sql`${col} NOT IN (${list()})`);
      default: throw new RangeError(`Operator ${c.op} does not apply to category column "${c.column}".`);
    }
  }
  const x = numericExpr(table, c.column);
  const notNaN = kind === 'float' ? sql` AND NOT isNaN(${col})` : sql``;
  switch (c.op) {
    case 'eq': return guard(sql`${x} = ${numberValue(c.value!)}`);
    case 'ne': return guard(sql`${x} != ${numberValue(c.value!)}${notNaN}`);
    case 'lt': return guard(sql`${x} < ${numberValue(c.value!)}`);
    case 'lte': return guard(sql`${x} <= ${numberValue(c.value!)}`);
    case 'gt': return guard(sql`${x} > ${numberValue(c.value!)}`);
    case 'gte': return guard(sql`${x} >= ${numberValue(c.value!)}`);
    case 'between': return guard(sql`${x} >= ${numberValue(values[0])} AND ${x} <= ${numberValue(values[1])}`);
    case 'in': return values.length === 0 ? sql`0` : guard(sql`${x} IN (${joinSql(values.map(numberValue), ', ')})`);
    case 'notIn': return values.length === 0 ? guard(sql`1${notNaN}`) : guard(sql`${x} NOT IN (${joinSql(values.map(numberValue), ', ')})${notNaN}`);
  }
}

/** The condition of a whole filter: every `all`, and at least one `any` (empty lists: no constraint). */
export function filterSql(table: RemoteTable, filter: FilterSpec | undefined): Sql {
  const parts: Sql[] = [];
  const all = filter?.all ?? [];
  const any = filter?.any ?? [];
  for (const c of all) parts.push(conditionSql(table, c));
  if (any.length > 0) parts.push(sql`(${joinSql(any.map((c) => conditionSql(table, c)), ' OR ')})`);
  return parts.length === 0 ? sql`1` : sql`(${joinSql(parts, ' AND ')})`;
}
