/**
 * 'whale-curve' as SQL. The clients and skips are profitability's row classes (profitSql). The
 * curve needs the sum of the k largest profits at k_i = floor(i N / points); a first query gives
 * N and the exact counts. Up to the engine's gatherMax clients, one more query sorts the profits
 * in an array and keeps its running sums at the k_i (fastest for small N); above it, rank
 * selection (rank-select.ts) over the profits in descending order gives the running sum through
 * rank k_i - 1 from per-bucket counts and sums (2 or 3 reads of the table, no array: 50M clients
 * work, where an array past 16M values is refused by 18.16).
 *
 * Exactness: the local kernel's sums are exact (grid sums); here they are sums of float bucket sums,
 * equal to 1e-9 relative of the sum of magnitudes, as the other sums of the remote engine. The
 * counts (N, positives, zero-profit clients, value destroyers) are exact. A point whose exact
 * cumulative profit is 0 but reached through cancellation may read as a tiny non-zero number.
 *
 * top: profit desc, id in code point order with null ids last, then the row column; ORDER BY
 * ... LIMIT on the engine, so only topN rows travel; refused (topN > 0) on a table without a row
 * column, whose rows have no numbers.
 */
import type { FilterSpec } from '../../../workers/kernels/filter.js';
import type { WhaleCurveResult, WhaleCurveSpec, WhalePoint } from '../../../workers/kernels/whale-curve.js';
import { filterSql } from '../filter-sql.js';
import { intLiteral, sql, type Sql } from '../sql-builder.js';
import { descendingKey, floatKey, selectRanks } from './rank-select.js';
import type { RemoteKernel, RemoteQueryContext } from '../remote-kernel.js';
import { countIf, num, requireRowColumn, sumIf } from './aggregates.js';
import { profitSql, type ProfitSql } from './profitability.js';

/**
 * Up to gatherMax clients, one query: the profits gathered on the initiating node, sorted
 * descending, running sums (arrayCumSum; 18.16 has no window functions) kept only at ranks
 * i = floor(j n / P) for some j, tested with constants (j = ceil(i P / n)): a lambda capturing a
 * column of a subquery is pruned away by 18.16 ("Unknown identifier"), so n is a literal.
 */
async function gatheredSums(ctx: RemoteQueryContext, where: Sql, p: ProfitSql, points: number, n: number): Promise<Map<number, number>> {
  const P = intLiteral(points), N = intLiteral(n);
  const [c] = await ctx.select(sql`SELECT cl_pts FROM (SELECT arrayCumSum(arrayReverseSort(groupArrayIf(${p.profit}, ${p.client}))) AS cl_cs,
  arrayFilter((c, i) -> intDiv(intDiv(i * ${P} + ${N} - 1, ${N}) * ${N}, ${P}) = i, cl_cs, arrayEnumerate(cl_cs)) AS cl_pts
  FROM ${ctx.table.ref} WHERE ${where})`);
  const sums = c.cl_pts as number[];
  const ranks = [...new Set(Array.from({ length: points }, (_, j) => Math.floor(((j + 1) * n) / points)).filter((k) => k > 0))].sort((a, b) => a - b);
  if (sums.length !== ranks.length) throw new Error(`whale-curve: the engine returned ${sums.length} running sums for ${ranks.length} ranks (the data changed between two queries?).`);
  return new Map(ranks.map((k, i) => [k, sums[i]]));
}

/** Any number of clients: the running sum through rank k - 1 of the profits in descending order, by rank selection. */
async function rankedSums(ctx: RemoteQueryContext, where: Sql, p: ProfitSql, ks: readonly number[], n: number): Promise<Map<number, number>> {
  const profit = sql`ifNull(${p.profit}, toFloat64(0))`;
  const ranked = await selectRanks(ctx, { key: descendingKey(floatKey(profit)), keyBits: 64, value: profit, where: sql`${where} AND ${p.client}`, groups: [], sums: true }, (count) => {
    if (count !== n) throw new Error(`whale-curve: the engine counted ${n} clients, then ${count} (the data changed between two queries?).`);
    return ks.filter((k) => k > 0).map((k) => k - 1);
  });
  const at = ranked.get('[]')!.at;
  return new Map(ks.filter((k) => k > 0).map((k) => [k, at.get(k - 1)!.sumThrough]));
}

export const remoteWhaleCurve: RemoteKernel<WhaleCurveSpec, WhaleCurveResult> = {
  name: 'whale-curve',
  async run(ctx, spec, filter: FilterSpec | undefined) {
    if (spec.topN > 0) requireRowColumn(ctx, 'whale-curve', 'the top clients (topN > 0)');
    const t = ctx.table;
    const where = filterSql(t, filter);
    const p = profitSql(t, spec.revenue, spec.cost);
    const [row] = await ctx.select(sql`SELECT ${countIf(p.client)} AS cl_n, ${countIf(p.isNull)} AS cl_skip_null, ${countIf(p.nonFinite)} AS cl_skip_nf,
  ${sumIf(p.profit, p.client)} AS cl_total, ${countIf(sql`${p.client} AND ${p.profit} > 0`)} AS cl_positives,
  ${countIf(sql`${p.client} AND ${p.profit} >= 0`)} AS cl_non_negative, ${sumIf(p.profit, sql`${p.client} AND ${p.profit} > 0`)} AS cl_peak,
  ${sumIf(p.profit, sql`${p.client} AND ${p.profit} < 0`)} AS cl_negative_sum
  FROM ${t.ref} WHERE ${where}`);
    const n = num(row.cl_n);
    const total = num(row.cl_total) + 0;
    const share = (v: number) => (total === 0 ? null : v / total);
    const point = (k: number, cum: number): WhalePoint => ({ clients: k, clientShare: n === 0 ? 0 : k / n, cumulativeProfit: cum, profitShare: share(cum) });
    const points: WhalePoint[] = [];
    if (n > 0) {
      const ks = Array.from({ length: spec.points + 1 }, (_, i) => Math.floor((i * n) / spec.points));
      const sums = n <= ctx.gatherMax ? await gatheredSums(ctx, where, p, spec.points, n) : await rankedSums(ctx, where, p, ks, n);
      for (const k of ks) points.push(point(k, k === 0 ? 0 : sums.get(k)! + 0));
    }
    const positives = num(row.cl_positives);
    const nonNegative = num(row.cl_non_negative);
    const negatives = n - nonNegative;
    const negativeSum = num(row.cl_negative_sum);

    let top: WhaleCurveResult['top'] = [];
    if (spec.topN > 0 && n > 0) {
      const id = t.column(spec.id!);
      const rows = await ctx.select(sql`SELECT ${id} AS cl_id, ${t.row()} AS cl_r, ${p.profit} AS cl_profit FROM ${t.ref} WHERE ${where} AND ${p.client}
ORDER BY cl_profit + toFloat64(0) DESC, isNull(${id}) ASC, ifNull(${id}, '') ASC, cl_r ASC LIMIT ${intLiteral(spec.topN)}`);
      top = rows.map((r) => ({ clientId: r.cl_id === null ? null : String(r.cl_id), row: num(r.cl_r), profit: num(r.cl_profit) }));
    }
    return {
      clients: n,
      skippedNull: num(row.cl_skip_null),
      skippedNonFinite: num(row.cl_skip_nf),
      totalProfit: total,
      points,
      peak: n > 0 ? point(positives, num(row.cl_peak) + 0) : null,
      valueDestroyers: { clients: negatives, clientShare: n === 0 ? null : negatives / n, loss: negativeSum === 0 ? 0 : -negativeSum },
      zeroProfitClients: nonNegative - positives,
      top,
    };
  },
};
