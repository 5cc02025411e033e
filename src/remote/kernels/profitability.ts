/**
 * 'profitability' as SQL: one GROUP BY over the `by` column (when set) and one query without
 * GROUP BY for the total, each with the local kernel's row classes as conditions:
 *   skippedNull       revenue or cost is null;
 *   skippedNonFinite  both present, revenue - cost not finite (a NaN or an infinity in either, or
 *                     an overflowing difference: the local `p - p !== 0`);
 *   client            otherwise; its CAC counts when the acquisition cost is present and finite,
 *                     and in cacSkippedNonFinite when present and NaN/infinite.
 * The ratios (meanProfit, costToIncome, CLTV, CLTV/CAC) are computed here from the sums with the
 * local kernel's own helpers, so their null rules are the same. Sums are ClickHouse float sums
 * (see aggregates.ts: 1e-9 relative to the local exact sums); the total is its own query rather
 * than a sum of the groups, which is the same to that precision.
 */
import type { FilterSpec } from '../../../workers/kernels/filter.js';
import { compareGroupKeys } from '../../../workers/kernels/group-keys.js';
import { cltvMultiple, cltvToCacRatio, costToIncomeRatio, type ProfitabilityResult, type ProfitabilitySpec, type ProfitabilityStats } from '../../../workers/kernels/profitability.js';
import { filterSql, numericExpr } from '../filter-sql.js';
import { joinSql, sql, type RemoteTable, type Sql } from '../sql-builder.js';
import type { RemoteKernel } from '../remote-kernel.js';
import { countIf, num, sumIf } from './aggregates.js';

/** The profit of a row and its classes (shared with whale-curve). */
export interface ProfitSql {
  readonly revenue: Sql;
  readonly cost: Sql;
  readonly profit: Sql;
  readonly isNull: Sql;
  readonly nonFinite: Sql;
  readonly client: Sql;
}

export function profitSql(table: RemoteTable, revenue: string, cost: string): ProfitSql {
  const r = sql`ifNull(${numericExpr(table, revenue)}, toFloat64(0))`;
  const c = sql`ifNull(${numericExpr(table, cost)}, toFloat64(0))`;
  const profit = sql`(${r} - ${c})`;
  const isNull = sql`(isNull(${table.column(revenue)}) OR isNull(${table.column(cost)}))`;
  return { revenue: r, cost: c, profit, isNull, nonFinite: sql`(NOT ${isNull} AND NOT isFinite(${profit}))`, client: sql`(NOT ${isNull} AND isFinite(${profit}))` };
}

function statsSelect(table: RemoteTable, spec: ProfitabilitySpec): Sql {
  const p = profitSql(table, spec.revenue, spec.cost);
  const parts: Sql[] = [
    sql`count() AS cl_rows_n`,
    sql`${countIf(p.client)} AS cl_clients`,
    sql`${countIf(p.isNull)} AS cl_skip_null`,
    sql`${countIf(p.nonFinite)} AS cl_skip_nf`,
    sql`${sumIf(p.revenue, p.client)} AS cl_rev`,
    sql`${sumIf(p.cost, p.client)} AS cl_cost`,
    sql`${sumIf(p.profit, p.client)} AS cl_profit`,
    sql`${countIf(sql`${p.client} AND ${p.profit} < 0`)} AS cl_destroyers`,
  ];
  if (spec.acquisitionCost !== null) {
    const a = numericExpr(table, spec.acquisitionCost);
    const present = sql`${p.client} AND isNotNull(${table.column(spec.acquisitionCost)})`;
    const finite = sql`${present} AND isFinite(ifNull(${a}, toFloat64(0)))`;
    parts.push(sql`${countIf(finite)} AS cl_cac_n`, sql`${sumIf(a, finite)} AS cl_cac_sum`, sql`${countIf(sql`${present} AND NOT isFinite(ifNull(${a}, toFloat64(0)))`)} AS cl_cac_nf`);
  }
  return joinSql(parts, ', ');
}

function finish(key: string | null, row: Record<string, unknown>, multiple: number): ProfitabilityStats {
  const clients = num(row.cl_clients);
  const cacN = row.cl_cac_n === undefined ? 0 : num(row.cl_cac_n);
  // An empty float sum is 0 here as locally (the accumulators start at 0); + 0 turns -0 into 0.
  const revenue = num(row.cl_rev) + 0, cost = num(row.cl_cost) + 0, profit = num(row.cl_profit) + 0;
  const meanProfit = clients > 0 ? profit / clients : null;
  const cac = cacN > 0 ? num(row.cl_cac_sum) / cacN : null;
  const meanCltv = meanProfit === null ? null : meanProfit * multiple;
  return {
    key,
    rows: num(row.cl_rows_n),
    clients,
    skippedNull: num(row.cl_skip_null),
    skippedNonFinite: num(row.cl_skip_nf),
    revenue,
    cost,
    profit,
    meanProfit,
    costToIncome: clients > 0 ? costToIncomeRatio(cost, revenue) : null,
    valueDestroyers: num(row.cl_destroyers),
    cacClients: cacN,
    cacSkippedNonFinite: row.cl_cac_nf === undefined ? 0 : num(row.cl_cac_nf),
    cac,
    meanCltv,
    cltvToCac: cltvToCacRatio(meanCltv, cac),
  };
}

export const remoteProfitability: RemoteKernel<ProfitabilitySpec, ProfitabilityResult> = {
  name: 'profitability',
  async run(ctx, spec, filter: FilterSpec | undefined) {
    const t = ctx.table;
    const where = filterSql(t, filter);
    const stats = statsSelect(t, spec);
    const [totalRow] = await ctx.select(sql`SELECT ${stats} FROM ${t.ref} WHERE ${where}`);
    const groupRows = spec.by === null ? [] : await ctx.select(sql`SELECT ${t.column(spec.by)} AS cl_k, ${stats} FROM ${t.ref} WHERE ${where} GROUP BY cl_k`);
    const multiple = cltvMultiple(spec.retention, spec.discountRate);
    const groups = groupRows
      .map((g) => ({ key: g.cl_k === null ? null : String(g.cl_k), row: g }))
      .sort((a, b) => compareGroupKeys(a.key, b.key))
      .map((g) => finish(g.key, g.row, multiple));
    return {
      by: spec.by,
      retention: spec.retention,
      discountRate: spec.discountRate,
      cltvMultiple: multiple,
      total: finish(null, totalRow, multiple),
      groups,
    };
  },
};
