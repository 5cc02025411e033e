/**
 * 'whale-curve' as SQL. The clients and skips are profitability's row classes (profitSql). The
 * curve needs the sum of the k largest profits at k_i = floor(i N / points): the engine gathers
 * the clients' profits on the initiating node, sorts them descending, takes the running sum
 * (arrayCumSum) and returns only its values at the k_i (ClickHouse 18.16 has no window functions);
 * a first query gives N and the exact counts, a second the running sums.
 * Cost: ~8 bytes per client of memory on that node for the query's duration.
 *
 * Exactness: the local kernel's sums are exact (grid sums); here they are float running sums,
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
import { intLiteral, sql } from '../sql-builder.js';
import type { RemoteKernel } from '../remote-kernel.js';
import { countIf, num, requireRowColumn, sumIf } from './aggregates.js';
import { profitSql } from './profitability.js';

export const remoteWhaleCurve: RemoteKernel<WhaleCurveSpec, WhaleCurveResult> = {
  name: 'whale-curve',
  async run(ctx, spec, filter: FilterSpec | undefined) {
    if (spec.topN > 0) requireRowColumn(ctx, 'whale-curve', 'the top clients (topN > 0)');
    const t = ctx.table;
    const where = filterSql(t, filter);
    const p = profitSql(t, spec.revenue, spec.cost);
    const P = intLiteral(spec.points);
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
      // The running sum kept only at ranks i = floor(j n / P) for some j, tested with constants
      // (j = ceil(i P / n)): a lambda capturing a column of a subquery is pruned away by 18.16's
      // subquery column analysis ("Unknown identifier"), so n is a literal of a second query.
      // Ranks come back ascending, one value per distinct rank.
      const N = intLiteral(n);
      const [c] = await ctx.select(sql`SELECT cl_pts FROM (SELECT arrayCumSum(arrayReverseSort(groupArrayIf(${p.profit}, ${p.client}))) AS cl_cs,
  arrayFilter((c, i) -> intDiv(intDiv(i * ${P} + ${N} - 1, ${N}) * ${N}, ${P}) = i, cl_cs, arrayEnumerate(cl_cs)) AS cl_pts
  FROM ${t.ref} WHERE ${where})`);
      const sums = c.cl_pts as number[];
      const ranks = [...new Set(Array.from({ length: spec.points }, (_, j) => Math.floor(((j + 1) * n) / spec.points)).filter((k) => k > 0))].sort((a, b) => a - b);
      if (sums.length !== ranks.length) throw new Error(`whale-curve: the engine returned ${sums.length} running sums for ${ranks.length} ranks (the data changed between two queries?).`);
      const at = new Map(ranks.map((k, i) => [k, sums[i] + 0]));
      for (let i = 0; i <= spec.points; i++) {
        const k = Math.floor((i * n) / spec.points);
        points.push(point(k, k === 0 ? 0 : at.get(k)!));
      }
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
