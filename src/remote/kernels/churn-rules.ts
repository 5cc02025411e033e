/**
 * 'churn-rules' as SQL: one query for the counts (rows, any, per rule hits / nulls / NaNs), one
 * GROUP BY for the groups when `by` is set, and one ORDER BY ... LIMIT for the at-risk page. The
 * local kernel's semantics, restated as SQL conditions:
 * - a rule is hit only by a usable number (not null, not NaN) passing its comparison, made on
 *   Float64 (dates as day numbers): inactivity `x <= asOf - threshold`, asset-outflow
 *   `x > threshold`, low-satisfaction `x <= threshold`, late-payments `x >= threshold` (the local
 *   kernel's nextUp/nextDown and integer rounding are these same comparisons);
 * - `missing` counts nulls, `nan` counts NaNs (floats only: other kinds have none);
 * - groups: the category's labels in code point order, the null group last; without
 *   `groupSizes` only groups where some client hits a rule, with `rows` null;
 * - at-risk order: rules hit desc, orderBy value desc with null/NaN after every number, id in
 *   code point order (ClickHouse compares String bytewise, which for UTF-8 is code point order)
 *   with null last, then the row column. ClickHouse's LIMIT offset, limit cuts the same page.
 * `row` is the table's row column (the global row number); on a table without one the at-risk
 * page is refused (limit 0 still gives the counts).
 */
import { kindOf } from '../../../workers/kernels/columns.js';
import { compareGroupKeys } from '../../../workers/kernels/group-keys.js';
import type { FilterSpec } from '../../../workers/kernels/filter.js';
import type { AtRiskClient, ChurnGroupCount, ChurnRule, ChurnRulesResult, ChurnRulesSpec } from '../../../workers/kernels/churn-rules.js';
import { filterSql, hasNumber, numericExpr } from '../filter-sql.js';
import { floatLiteral, intLiteral, joinSql, sql, type RemoteTable, type Sql } from '../sql-builder.js';
import type { RemoteKernel } from '../remote-kernel.js';
import { countIf, num, requireRowColumn } from './aggregates.js';

/** 1 when the row hits `rule` (never NULL). */
export function ruleHitSql(table: RemoteTable, rule: ChurnRule, asOf: number | null): Sql {
  const x = numericExpr(table, rule.column);
  let cmp: Sql;
  switch (rule.kind) {
    case 'inactivity': cmp = sql`${x} <= ${floatLiteral(asOf! - rule.threshold)}`; break;
    case 'asset-outflow': cmp = sql`${x} > ${floatLiteral(rule.threshold)}`; break;
    case 'low-satisfaction': cmp = sql`${x} <= ${floatLiteral(rule.threshold)}`; break;
    case 'late-payments': cmp = sql`${x} >= ${floatLiteral(rule.threshold)}`; break;
  }
  return sql`(${hasNumber(table, rule.column)} AND ifNull(${cmp}, 0))`;
}

export const remoteChurnRules: RemoteKernel<ChurnRulesSpec, ChurnRulesResult> = {
  name: 'churn-rules',
  async run(ctx, spec, filter: FilterSpec | undefined) {
    if (spec.limit > 0) requireRowColumn(ctx, 'churn-rules', 'the at-risk page (limit > 0)');
    const t = ctx.table;
    const where = filterSql(t, filter);
    const hit = spec.rules.map((r) => ruleHitSql(t, r, spec.asOf));
    // Bit j = rules[j]; 2^31 for the 32nd rule stays exact in UInt64.
    const mask = sql`toUInt64(${joinSql(hit.map((h, j) => sql`toUInt64(${h}) * ${intLiteral(2 ** j)}`), ' + ')})`;
    const rulesHit = sql`toUInt32(${joinSql(hit.map((h) => sql`toUInt32(${h})`), ' + ')})`;
    const anyHit = sql`(${joinSql(hit, ' OR ')})`;
    const counts: Sql[] = [sql`count() AS cl_rows_n`, sql`${countIf(anyHit)} AS cl_any_n`];
    spec.rules.forEach((r, j) => {
      const c = t.column(r.column);
      counts.push(sql`${countIf(hit[j])} AS cl_h${j}`, sql`${countIf(sql`isNull(${c})`)} AS cl_m${j}`);
      if (kindOf(t.info(r.column).type) === 'float') counts.push(sql`${countIf(sql`isNotNull(${c}) AND ifNull(isNaN(${c}), 0)`)} AS cl_n${j}`);
    });

    const [totalRow] = await ctx.select(sql`SELECT ${joinSql(counts, ', ')} FROM ${t.ref} WHERE ${where}`);

    let groups: ChurnGroupCount[] = [];
    if (spec.by !== null) {
      const perRule = joinSql(hit.map((h, j) => sql`${countIf(h)} AS cl_g${j}`), ', ');
      const having = spec.groupSizes ? sql`` : sql` HAVING cl_any > 0`;
      const rows = await ctx.select(sql`SELECT ${t.column(spec.by)} AS cl_k, count() AS cl_rows, ${countIf(anyHit)} AS cl_any, ${perRule} FROM ${t.ref} WHERE ${where} GROUP BY cl_k${having}`);
      groups = rows
        .map((g) => ({ key: g.cl_k === null ? null : String(g.cl_k), rows: spec.groupSizes ? num(g.cl_rows) : null, any: num(g.cl_any), perRule: spec.rules.map((_, j) => num(g[`cl_g${j}`])) }))
        .sort((a, b) => compareGroupKeys(a.key, b.key));
    }

    let clients: AtRiskClient[] = [];
    if (spec.limit > 0 && num(totalRow.cl_any_n) > spec.offset) {
      const order: Sql[] = [sql`cl_hits DESC`];
      let orderValue: Sql = sql`toFloat64(0)`;
      if (spec.orderBy !== null) {
        const present = hasNumber(t, spec.orderBy);
        orderValue = sql`if(${present}, ${numericExpr(t, spec.orderBy)}, NULL)`;
        // + 0 turns -0 into 0: the local order holds them equal (then ids decide).
        order.push(sql`isNull(cl_ov) ASC`, sql`ifNull(cl_ov, toFloat64(0)) + toFloat64(0) DESC`);
      }
      const id = t.column(spec.id);
      order.push(sql`isNull(${id}) ASC`, sql`ifNull(${id}, '') ASC`, sql`cl_r ASC`);
      const rows = await ctx.select(sql`SELECT ${id} AS cl_id, ${t.row()} AS cl_r, ${mask} AS cl_mask, ${rulesHit} AS cl_hits, ${orderValue} AS cl_ov FROM ${t.ref} WHERE ${where} AND ${anyHit} ORDER BY ${joinSql(order, ', ')} LIMIT ${intLiteral(spec.offset)}, ${intLiteral(spec.limit)}`);
      clients = rows.map((r) => {
        const m = num(r.cl_mask);
        return {
          clientId: r.cl_id === null ? null : String(r.cl_id),
          row: num(r.cl_r),
          rulesHit: num(r.cl_hits),
          mask: m,
          ruleIds: spec.rules.filter((_, j) => Math.floor(m / 2 ** j) % 2 === 1).map((x) => x.id),
          orderValue: spec.orderBy === null || r.cl_ov === null ? null : num(r.cl_ov),
        };
      });
    }

    const any = num(totalRow.cl_any_n);
    return {
      rows: num(totalRow.cl_rows_n),
      any,
      rules: spec.rules.map((r, j) => ({ ...r, clients: num(totalRow[`cl_h${j}`]), missing: num(totalRow[`cl_m${j}`]), nan: totalRow[`cl_n${j}`] === undefined ? 0 : num(totalRow[`cl_n${j}`]) })),
      by: spec.by,
      groups,
      atRisk: { offset: spec.offset, limit: spec.limit, total: any, clients },
    };
  },
};
