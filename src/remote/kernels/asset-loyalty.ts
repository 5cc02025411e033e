/**
 * 'asset-loyalty' as SQL: one GROUP BY over the cell number (asset band x loyalty band, the local
 * kernel's asset-major numbering with each missing band last), the table's row count, and one
 * ORDER BY ... LIMIT for the high-assets-low-stickiness clients. Restated as SQL:
 * - asset band = number of edges <= AUM; the missing band when AUM is null or NaN;
 * - loyalty points = products thresholds met + transactions thresholds met, band = number of
 *   loyalty edges <= points; the missing band when either column is null or NaN;
 * - AUM sums over rows with a band (AUM usable), revenue sums over non-null, non-NaN revenue;
 *   `excluded.nan` counts NaN revenues of matched rows;
 * - the corner = last asset band x first loyalty band; its clients by AUM desc, then id in code
 *   point order (a category id compared as its String value) with null ids last.
 * The page filter is the spec's own (the kernel filters natively); `rows.scanned` is the table's
 * rows. Sums are float sums (1e-9 relative, see aggregates.ts); the total's sums are the sums of
 * the cells' sums.
 */
import { kindOf } from '../../../workers/kernels/columns.js';
import { SpecError } from '../../../workers/kernels/kernel.js';
import type { AssetLoyaltyCell, AssetLoyaltyResult, ValidAssetLoyaltySpec } from '../../../workers/kernels/asset-loyalty.js';
import { filterSql, hasNumber, numericExpr } from '../filter-sql.js';
import { floatLiteral, intLiteral, joinSql, sql, type RemoteTable, type Sql } from '../sql-builder.js';
import type { RemoteKernel } from '../remote-kernel.js';
import { countIf, num, sumIf, tableRows } from './aggregates.js';

/** Number of `cuts` <= x, as an Int32 expression. */
function cutsAtMost(x: Sql, cuts: readonly number[]): Sql {
  return cuts.length === 0 ? sql`toInt32(0)` : sql`toInt32(${joinSql(cuts.map((c) => sql`(${x} >= ${floatLiteral(c)})`), ' + ')})`;
}

/** A client id for ORDER BY: a category id as its String value, so it sorts by text. */
export function idOrderExpr(table: RemoteTable, column: string): Sql {
  const c = table.column(column);
  return kindOf(table.info(column).type) === 'category' ? sql`CAST(${c} AS Nullable(String))` : c;
}

export const remoteAssetLoyalty: RemoteKernel<ValidAssetLoyaltySpec, AssetLoyaltyResult> = {
  name: 'asset-loyalty',
  async run(ctx, spec) {
    const t = ctx.table;
    const where = filterSql(t, spec.filter);
    const A = spec.assets.labels.length + 1;
    const L = spec.loyalty.labels.length + 1;
    const aumOk = hasNumber(t, spec.assets.column);
    const aum = numericExpr(t, spec.assets.column);
    const prod = spec.loyalty.products, txn = spec.loyalty.transactions;
    const assetBand = sql`if(${aumOk}, ${cutsAtMost(sql`ifNull(${aum}, toFloat64(0))`, spec.assets.edges)}, ${intLiteral(A - 1)})`;
    const points = sql`(${cutsAtMost(sql`ifNull(${numericExpr(t, prod.column)}, toFloat64(0))`, prod.thresholds)} + ${cutsAtMost(sql`ifNull(${numericExpr(t, txn.column)}, toFloat64(0))`, txn.thresholds)})`;
    const loyaltyBand = sql`if(${hasNumber(t, prod.column)} AND ${hasNumber(t, txn.column)}, ${cutsAtMost(sql`toFloat64(${points})`, spec.loyalty.edges)}, ${intLiteral(L - 1)})`;
    const cell = sql`toInt32(${assetBand} * ${intLiteral(L)} + ${loyaltyBand})`;
    const revCol = t.column(spec.revenueColumn);
    const revOk = hasNumber(t, spec.revenueColumn);
    const revNaN = kindOf(t.info(spec.revenueColumn).type) === 'float' ? sql`isNotNull(${revCol}) AND ifNull(isNaN(${revCol}), 0)` : sql`0`;

    const [cellRows, scanned] = await Promise.all([
      ctx.select(sql`SELECT ${cell} AS cl_cell, count() AS cl_n, ${countIf(aumOk)} AS cl_aum_n, ${sumIf(aum, aumOk)} AS cl_aum,
  ${countIf(revOk)} AS cl_rev_n, ${sumIf(numericExpr(t, spec.revenueColumn), revOk)} AS cl_rev, ${countIf(revNaN)} AS cl_nan
  FROM ${t.ref} WHERE ${where} GROUP BY cl_cell`),
      tableRows(ctx),
    ]);
    if (scanned === 0) throw new SpecError('asset-loyalty', 'dataset', 'has no rows (a zero-row table): there is nothing to segment. Load data with at least one row.');

    const cells = new Map(cellRows.map((r) => [num(r.cl_cell), r]));
    const countOf = (c: number) => (cells.has(c) ? num(cells.get(c)!.cl_n) : 0);
    let missingAssets = 0;
    for (let l = 0; l < L; l++) missingAssets += countOf((A - 1) * L + l);
    let missingLoyalty = 0;
    for (let a = 0; a < A; a++) missingLoyalty += countOf(a * L + L - 1);
    const assetIdx = [...spec.assets.labels.keys(), ...(missingAssets > 0 ? [A - 1] : [])];
    const loyaltyIdx = [...spec.loyalty.labels.keys(), ...(missingLoyalty > 0 ? [L - 1] : [])];
    const assetLabel = (a: number) => (a === A - 1 ? spec.assets.missingLabel : spec.assets.labels[a]);
    const loyaltyLabel = (l: number) => (l === L - 1 ? spec.loyalty.missingLabel : spec.loyalty.labels[l]);
    const cellOf = (a: number, l: number): AssetLoyaltyCell => {
      const r = cells.get(a * L + l);
      return {
        asset: assetLabel(a),
        loyalty: loyaltyLabel(l),
        count: r ? num(r.cl_n) : 0,
        aum: r && num(r.cl_aum_n) > 0 ? num(r.cl_aum) + 0 : null,
        revenue: r && num(r.cl_rev_n) > 0 ? num(r.cl_rev) + 0 : null,
      };
    };
    let count = 0, aumN = 0, revN = 0, aumSum = 0, revSum = 0, nan = 0;
    for (const r of cellRows) {
      count += num(r.cl_n);
      aumN += num(r.cl_aum_n);
      revN += num(r.cl_rev_n);
      aumSum += num(r.cl_aum);
      revSum += num(r.cl_rev);
      nan += num(r.cl_nan);
    }

    const corner = (A - 2) * L;
    let clients: { clientId: string | null; aum: number }[] = [];
    if (spec.topN > 0 && countOf(corner) > 0) {
      const id = idOrderExpr(t, spec.idColumn);
      const rows = await ctx.select(sql`SELECT ${id} AS cl_id, ${aum} AS cl_aum FROM ${t.ref} WHERE ${where} AND ${cell} = ${intLiteral(corner)}
  ORDER BY cl_aum + toFloat64(0) DESC, isNull(cl_id) ASC, ifNull(cl_id, '') ASC LIMIT ${intLiteral(spec.topN)}`);
      clients = rows.map((r) => ({ clientId: r.cl_id === null ? null : String(r.cl_id), aum: num(r.cl_aum) + 0 }));
    }
    return {
      assetBands: assetIdx.map(assetLabel),
      loyaltyBands: loyaltyIdx.map(loyaltyLabel),
      cells: assetIdx.flatMap((a) => loyaltyIdx.map((l) => cellOf(a, l))),
      total: { count, aum: aumN > 0 ? aumSum + 0 : null, revenue: revN > 0 ? revSum + 0 : null },
      highAssetsLowStickiness: { ...cellOf(A - 2, 0), clients },
      rows: { scanned, matched: count },
      missing: { assets: missingAssets, loyalty: missingLoyalty },
      excluded: { nan },
    };
  },
};
