/**
 * SQL aggregates with the kernels' value rules (see segment-rollup.ts): a value is a non-null,
 * non-NaN number; +-Infinity are values. Each helper takes the condition that a row counts (the
 * filter and the value check) and returns an aggregate expression.
 *
 * Sums are plain float sums (sumIf): the local kernels' sums are exact and correctly rounded,
 * ClickHouse's carry the usual float summation error, about n x 1e-16 of the sum of magnitudes
 * (1e-10 relative at 1M rows of same-sign money); tests compare to 1e-9 relative. sumKahan would
 * be closer but crashes 18.16 in the shapes used here (see sumIf).
 *
 * Quantiles: ClickHouse 18.16 has no interpolating exact quantile (quantileExact picks one value,
 * quantileExactInclusive came in 20.x), and gathering a group's values into an array fails past
 * 16M values ("Too large array size"). The engine finds the two order statistics
 * x[floor(q (n-1))] and x[ceil(q (n-1))] by rank selection (rank-select.ts: counts per key bucket,
 * never an array of values) and the browser interpolates exactly as quantiles.ts does
 * (lo (1 - d) + hi d): the result is bit for bit the local one.
 */
import { sql, type Sql } from '../sql-builder.js';
import type { RemoteQueryContext } from '../remote-kernel.js';

export function countIf(cond: Sql): Sql {
  return sql`countIf(${cond})`;
}

export function sumIf(x: Sql, cond: Sql): Sql {
  // Not sumKahan: next to other aggregates, without GROUP BY, on a Distributed table it crashes
  // the Debian build of 18.16 (segfault in Connection::sendCancel after the shard fails).
  return sql`sumIf(ifNull(${x}, toFloat64(0)), ${cond})`;
}

export function minIf(x: Sql, cond: Sql): Sql {
  return sql`minIf(ifNull(${x}, toFloat64(0)), ${cond})`;
}

export function maxIf(x: Sql, cond: Sql): Sql {
  return sql`maxIf(ifNull(${x}, toFloat64(0)), ${cond})`;
}

/** quantiles.ts's quantileCont from the parts quantileParts returned. */
export function interpolate(n: number, lo: number, hi: number, q: number): number | null {
  if (n === 0) return null;
  const rn = q * (n - 1);
  const f = Math.floor(rn);
  const c = Math.ceil(rn);
  if (f === c) return lo + 0;
  const d = rn - f;
  return lo * (1 - d) + hi * d + 0;
}

export function num(v: unknown): number {
  if (typeof v !== 'number') throw new Error(`The engine returned ${JSON.stringify(v)} where a number was expected.`);
  return v;
}

/**
 * Rows in the table, before any filter ("scanned"). A query of its own: ClickHouse 18.16 sends an
 * empty query to the shards for a scalar subquery inside a Distributed SELECT.
 */
export async function tableRows(ctx: RemoteQueryContext): Promise<number> {
  const [row] = await ctx.select(sql`SELECT count() AS n FROM ${ctx.table.ref}`);
  return num(row.n);
}

/**
 * Refuses a result that reports or ranks by row number on a table without a row column: the
 * local kernels number rows by their position, which a distributed table does not have, and a
 * made-up 0 would be a different answer, not the same one.
 */
export function requireRowColumn(ctx: RemoteQueryContext, kernel: string, what: string): void {
  if (ctx.table.rowColumn === undefined) {
    throw new Error(`${kernel} on table ${ctx.table.table}: ${what} needs the table's row column (connect with rowColumn, e.g. '_row': each row's position 0..n-1), which ranks ties and numbers rows as the local kernel does.`);
  }
}
