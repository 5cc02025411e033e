/**
 * 'kpis' as one SQL query without GROUP BY, over the columns the validated spec found present
 * (`present`; a metric of an absent column stays null as locally). Restated as SQL:
 * - aum / revenue / costToServe: sums of non-null, non-NaN values (infinities included), 0 when
 *   there are none; NaNs counted in `excluded.nan`;
 * - churned: known = not null, churned = non-zero;
 * - NPS: respondents = non-null, non-NaN scores; promoter when >= promoterMin, else detractor when
 *   <= detractorMax;
 * - cross-sell: known productsHeld (not null, not NaN), >= crossSellMinProducts;
 * - active: known lastTxnDate, asOf - activeDays < day <= asOf.
 * Sums are float sums (1e-9 relative to the local exact sums, see aggregates.ts).
 */
import type { FilterSpec } from '../../../workers/kernels/filter.js';
import { parseIsoDay } from '../../../workers/kernels/filter.js';
import { kindOf } from '../../../workers/kernels/columns.js';
import type { KpiResult, KpiSpec } from '../../../workers/kernels/kpis.js';
import { filterSql, hasNumber, numericExpr } from '../filter-sql.js';
import { floatLiteral, joinSql, sql, type Sql } from '../sql-builder.js';
import type { RemoteKernel } from '../remote-kernel.js';
import { countIf, num, sumIf } from './aggregates.js';

export const remoteKpis: RemoteKernel<KpiSpec & { present: string[] }, KpiResult> = {
  name: 'kpis',
  async run(ctx, spec, filter: FilterSpec | undefined) {
    const t = ctx.table;
    const has = new Set(spec.present);
    const parts: Sql[] = [sql`count() AS cl_clients`];
    const nanParts: Sql[] = [];
    for (const [field, alias] of [['aum', sql`cl_aum`], ['revenue', sql`cl_rev`], ['costToServe', sql`cl_cost`]] as const) {
      if (!has.has(field)) continue;
      parts.push(sql`${sumIf(numericExpr(t, field), hasNumber(t, field))} AS ${alias}`);
      const c = t.column(field);
      if (kindOf(t.info(field).type) === 'float') nanParts.push(countIf(sql`isNotNull(${c}) AND ifNull(isNaN(${c}), 0)`));
    }
    parts.push(sql`${nanParts.length === 0 ? sql`toUInt64(0)` : joinSql(nanParts, ' + ')} AS cl_nan`);
    if (has.has('churned')) {
      const c = t.column('churned');
      parts.push(sql`${countIf(sql`isNotNull(${c})`)} AS cl_churn_known`, sql`${countIf(sql`isNotNull(${c}) AND ifNull(${c} != 0, 0)`)} AS cl_churned`);
    }
    if (has.has('npsScore')) {
      const ok = hasNumber(t, 'npsScore');
      const x = sql`ifNull(${numericExpr(t, 'npsScore')}, toFloat64(0))`;
      const promoter = sql`${x} >= ${floatLiteral(spec.promoterMin)}`;
      parts.push(sql`${countIf(ok)} AS cl_resp`, sql`${countIf(sql`${ok} AND ${promoter}`)} AS cl_prom`, sql`${countIf(sql`${ok} AND NOT (${promoter}) AND ${x} <= ${floatLiteral(spec.detractorMax)}`)} AS cl_detr`);
    }
    if (has.has('productsHeld')) {
      const ok = hasNumber(t, 'productsHeld');
      parts.push(sql`${countIf(ok)} AS cl_prod_known`, sql`${countIf(sql`${ok} AND ifNull(${numericExpr(t, 'productsHeld')}, toFloat64(0)) >= ${floatLiteral(spec.crossSellMinProducts)}`)} AS cl_cross`);
    }
    if (has.has('lastTxnDate')) {
      const ok = sql`isNotNull(${t.column('lastTxnDate')})`;
      const d = sql`ifNull(${numericExpr(t, 'lastTxnDate')}, toFloat64(0))`;
      const asOf = parseIsoDay(spec.asOf)!;
      parts.push(sql`${countIf(ok)} AS cl_act_known`, sql`${countIf(sql`${ok} AND ${d} > ${floatLiteral(asOf - spec.activeDays)} AND ${d} <= ${floatLiteral(asOf)}`)} AS cl_active`);
    }
    const [r] = await ctx.select(sql`SELECT ${joinSql(parts, ', ')} FROM ${t.ref} WHERE ${filterSql(t, filter)}`);
    const sum = (field: string, alias: string) => (has.has(field) ? num(r[alias]) + 0 : null);
    const rate = (n: string, d: string, field: string) => (has.has(field) && num(r[d]) > 0 ? num(r[n]) / num(r[d]) : null);
    const aum = sum('aum', 'cl_aum');
    const revenue = sum('revenue', 'cl_rev');
    const cost = sum('costToServe', 'cl_cost');
    const churnRate = rate('cl_churned', 'cl_churn_known', 'churned');
    const respondents = has.has('npsScore') ? num(r.cl_resp) : null;
    return {
      clients: num(r.cl_clients),
      aum,
      revenue,
      costToServe: cost,
      costToIncome: revenue !== null && cost !== null && revenue !== 0 ? cost / revenue : null,
      churnRate,
      retentionRate: churnRate === null ? null : 1 - churnRate,
      nps: respondents !== null && respondents > 0 ? (100 * (num(r.cl_prom) - num(r.cl_detr))) / respondents : null,
      npsRespondents: respondents,
      crossSellRate: rate('cl_cross', 'cl_prod_known', 'productsHeld'),
      activeRate: rate('cl_active', 'cl_act_known', 'lastTxnDate'),
      excluded: { nan: num(r.cl_nan) },
    };
  },
};
