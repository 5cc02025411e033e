/**
 * 'client-lookup' as SQL: one query for the first row (lowest row column) of each requested id
 * with the asked columns (LIMIT 1 BY id), one for how many rows carry each id. Values are made
 * JSON-safe as locally: categories and strings as text, floats as numbers (NaN and infinities as
 * null), ints as numbers, dates as 'YYYY-MM-DD', booleans (UInt8) as true/false, nulls as null.
 * Ids are compared as whole strings (byte equality, as the local kernel compares UTF-8 bytes).
 * An id that is not valid Unicode (a lone surrogate) is refused by the SQL builder with an error;
 * locally it would be looked up as its U+FFFD-replaced bytes.
 * A lookup by `rows` reads the rows whose row column holds those numbers.
 * A table without a row column is refused: `row` and the first of repeated ids need it.
 */
import { kindOf } from '../../../workers/kernels/columns.js';
import type { ClientLookupPage, ClientLookupResult, ClientLookupSpec, ClientRowResult, ClientRowsPage, ClientValues } from '../../../workers/kernels/client-lookup.js';
import { joinSql, sql, stringLiteral } from '../sql-builder.js';
import type { RemoteKernel } from '../remote-kernel.js';
import { num, requireRowColumn } from './aggregates.js';

function isoDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

function jsonValue(kind: string, v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case 'float':
    case 'int': return Number.isFinite(v as number) ? (v as number) : null;
    case 'date': return isoDay(num(v));
    case 'bool': return num(v) !== 0;
    default: return String(v);
  }
}

export const remoteClientLookup: RemoteKernel<ClientLookupSpec, ClientLookupResult | ClientLookupPage | ClientRowsPage> = {
  name: 'client-lookup',
  async run(ctx, spec) {
    requireRowColumn(ctx, 'client-lookup', 'a lookup (it reports the row, and the first row of a repeated id)');
    const t = ctx.table;
    const columns = spec.columns ?? t.columns.filter((c) => c.name !== t.rowColumn).map((c) => c.name);
    const kinds = columns.map((c) => kindOf(t.info(c).type));
    const picked = joinSql(columns.map((c, k) => sql`${t.column(c)} AS cl_c${k}`), ', ');
    const valuesOf = (r: Record<string, unknown>): ClientValues => {
      const values: ClientValues = {};
      columns.forEach((c, k) => { values[c] = jsonValue(kinds[k], r[`cl_c${k}`]); });
      return values;
    };
    if (spec.rows !== null) {
      const byRow = new Map<number, ClientValues>();
      if (spec.rows.length > 0) {
        // Safe integers go into SQL as numbers (sql() refuses anything else).
        const list = joinSql(spec.rows.map((r) => sql`${r}`), ', ');
        const got = await ctx.select(sql`SELECT ${t.row()} AS cl_r, ${picked} FROM ${t.ref} WHERE ${t.row()} IN (${list})`);
        for (const r of got) byRow.set(num(r.cl_r), valuesOf(r));
      }
      const read: ClientRowResult[] = spec.rows.map((row) => {
        const values = byRow.get(row);
        return values === undefined ? { found: false, row } : { found: true, row, values };
      });
      return { rows: spec.order.map((k) => read[k]) };
    }
    const found = new Map<string, { row: number; values: ClientValues; matches: number }>();
    if (spec.ids.length > 0) {
      const id = t.column(spec.id);
      const list = joinSql(spec.ids.map(stringLiteral), ', ');
      const where = sql`isNotNull(${id}) AND ifNull(${id} IN (${list}), 0)`;
      const [firsts, counts] = await Promise.all([
        ctx.select(sql`SELECT ${id} AS cl_id, ${t.row()} AS cl_r, ${picked} FROM ${t.ref} WHERE ${where} ORDER BY cl_r ASC LIMIT 1 BY cl_id`),
        ctx.select(sql`SELECT ${id} AS cl_id, count() AS cl_n FROM ${t.ref} WHERE ${where} GROUP BY cl_id`),
      ]);
      const n = new Map(counts.map((r) => [String(r.cl_id), num(r.cl_n)]));
      for (const r of firsts) {
        // Rows come by row column ascending: the first one seen for an id is its lowest row.
        if (found.has(String(r.cl_id))) continue;
        found.set(String(r.cl_id), { row: num(r.cl_r), values: valuesOf(r), matches: n.get(String(r.cl_id)) ?? 0 });
      }
    }
    const results: ClientLookupResult[] = spec.ids.map((clientId) => {
      const f = found.get(clientId);
      return f === undefined ? { found: false, clientId } : { found: true, clientId, row: f.row, values: f.values, matches: f.matches };
    });
    if (spec.single) return results[0];
    return { clients: spec.order.map((k) => results[k]) };
  },
};
