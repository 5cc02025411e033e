/**
 * 'segment-rollup' as SQL: one GROUP BY over the level expressions for the groups, one query
 * without GROUP BY for the total (with the table's row count), then the local kernel's listing
 * rules (fixed label lists as full matrices, category labels in code point order, the missing
 * group last) applied to the small answer here. Medians and quantiles come from rank selection
 * (rank-select.ts), per column with such a measure: per group and in total in the same passes.
 *
 * Levels: a category column groups by its label (NULL = missing); tier and bins by the number of
 * cut points <= x (-1 = null or NaN: missing); tags by the index of the first matching rule
 * (multiIf, so the first rule wins as locally).
 */
import { kindOf } from '../../../workers/kernels/columns.js';
import { SpecError } from '../../../workers/kernels/kernel.js';
import { DEFAULT_TIER_THRESHOLDS } from '../../schema/wealth-tiers.js';
import { dimensionName, fixedLabels, missingLabel, type Dimension } from '../../../workers/kernels/dimension.js';
import { levelLabelLists, type RollupResult, type RollupRow, type ValidRollupSpec } from '../../../workers/kernels/segment-rollup.js';
import { filterSql, hasNumber, numericExpr } from '../filter-sql.js';
import { floatLiteral, joinSql, sql, type RemoteTable, type Sql } from '../sql-builder.js';
import type { RemoteKernel } from '../remote-kernel.js';
import type { RemoteQueryContext } from '../remote-kernel.js';
import { countIf, interpolate, maxIf, minIf, num, sumIf, tableRows } from './aggregates.js';
import { floatKey, selectRanks, TOTAL, type RankedGroup } from './rank-select.js';

/** The level of a row: a label (category) or a code into the fixed labels (-1: missing). */
export function levelExpr(table: RemoteTable, d: Dimension): Sql {
  if ('tier' in d || 'bins' in d) {
    const column = 'tier' in d ? (d.tier.column ?? 'aum') : d.bins.column;
    const cuts = 'tier' in d ? (d.tier.thresholds ?? DEFAULT_TIER_THRESHOLDS) : d.bins.edges;
    const x = numericExpr(table, column);
    const code = cuts.length === 0 ? sql`0` : sql`toInt32(${joinSql(cuts.map((t) => sql`(${x} >= ${floatLiteral(t)})`), ' + ')})`;
    return sql`toInt32(if(${hasNumber(table, column)}, ${code}, -1))`;
  }
  if ('tag' in d) {
    const branches = d.tag.rules.map((r, i) => sql`${filterSql(table, r.when)}, ${i}`);
    return sql`toInt32(multiIf(${joinSql(branches, ', ')}, ${d.tag.rules.length}))`;
  }
  if ('column' in d) return table.column(d.column);
  throw new RangeError(`segment-rollup: the dimension ${JSON.stringify(Object.keys(d))} has no SQL translation; the remote engine groups by column, tier, bins and tag.`);
}

/** Turns an engine level value into the kernel's label (null = the missing group). */
function labelOf(d: Dimension, v: unknown): string | null {
  const fixed = fixedLabels(d);
  if (fixed === null) return v === null ? null : String(v);
  const code = num(v);
  return code < 0 ? null : fixed[code];
}

/** The quantile levels a measure asks for. */
const levelOf = (m: ValidRollupSpec['measures'][number]): number | null => (m.agg === 'median' ? 0.5 : m.agg === 'quantile' ? m.q! : null);

/** The two order statistics interpolate() needs for level q among n values. */
function quantileRanks(n: number, q: number): number[] {
  return n === 0 ? [] : [Math.floor(q * (n - 1)), Math.ceil(q * (n - 1))];
}

/**
 * Per column with a median or quantile measure, its order statistics per group (by JSON of the
 * level values, as the GROUP BY query returns them) and under TOTAL, by rank selection.
 */
async function quantileRanksByColumn(ctx: RemoteQueryContext, spec: ValidRollupSpec, where: Sql, levels: readonly Sql[]): Promise<Map<string, Map<string, RankedGroup>>> {
  const t = ctx.table;
  const out = new Map<string, Map<string, RankedGroup>>();
  const columns = [...new Set(spec.measures.filter((m) => levelOf(m) !== null).map((m) => m.column!))];
  for (const column of columns) {
    const qs = spec.measures.filter((m) => m.column === column && levelOf(m) !== null).map((m) => levelOf(m)!);
    const x = sql`ifNull(${numericExpr(t, column)}, toFloat64(0))`;
    out.set(column, await selectRanks(ctx, { key: floatKey(x), keyBits: 64, value: x, where: sql`${where} AND ${hasNumber(t, column)}`, groups: levels, total: true }, (n) => qs.flatMap((q) => quantileRanks(n, q))));
  }
  return out;
}

interface Measured {
  readonly count: number;
  readonly values: Record<string, number | null>;
}

function measureSelect(table: RemoteTable, spec: ValidRollupSpec, quantiles: () => Map<string, Map<string, RankedGroup>>): { select: Sql[]; read: (row: Record<string, unknown>, group: string) => Measured; nan: (row: Record<string, unknown>) => Record<string, number> } {
  const select: Sql[] = [sql`count() AS rows_n`];
  const plans = [...new Set(spec.measures.filter((m) => m.column !== undefined).map((m) => m.column!))];
  plans.forEach((column, k) => {
    const kind = kindOf(table.info(column).type);
    const numeric = kind === 'float' || kind === 'int' || kind === 'date';
    const valid = numeric ? hasNumber(table, column) : sql`isNotNull(${table.column(column)})`;
    select.push(sql`${countIf(valid)} AS c${k}_n`);
    if (kind === 'float') select.push(sql`${countIf(sql`isNotNull(${table.column(column)}) AND ifNull(isNaN(${table.column(column)}), 0)`)} AS c${k}_nan`);
  });
  spec.measures.forEach((m, i) => {
    if (m.column === undefined || m.agg === 'count') return;
    const x = numericExpr(table, m.column);
    const cond = hasNumber(table, m.column);
    switch (m.agg) {
      case 'sum':
      case 'mean':
        select.push(sql`${sumIf(x, cond)} AS m${i}`);
        break;
      case 'min':
        select.push(sql`${minIf(x, cond)} AS m${i}`);
        break;
      case 'max':
        select.push(sql`${maxIf(x, cond)} AS m${i}`);
        break;
      case 'median':
      case 'quantile':
        break; // by rank selection (quantileRanksByColumn)
    }
  });
  const read = (row: Record<string, unknown>, group: string): Measured => {
    const values: Record<string, number | null> = {};
    spec.measures.forEach((m, i) => {
      if (m.column === undefined) {
        values[m.as] = num(row.rows_n);
        return;
      }
      const n = num(row[`c${plans.indexOf(m.column)}_n`]);
      switch (m.agg) {
        case 'count': values[m.as] = n; break;
        case 'sum': values[m.as] = n > 0 ? num(row[`m${i}`]) : null; break;
        case 'mean': values[m.as] = n > 0 ? num(row[`m${i}`]) / n : null; break;
        case 'min':
        case 'max': values[m.as] = n > 0 ? num(row[`m${i}`]) + 0 : null; break;
        case 'median':
        case 'quantile': {
          const q = levelOf(m)!;
          const at = quantiles().get(m.column)!.get(group)?.at;
          const [lo, hi] = quantileRanks(n, q).map((r) => at?.get(r)?.value);
          if (n > 0 && (lo === undefined || hi === undefined)) throw new Error(`segment-rollup: the engine counted ${n} values of ${m.column} in a group but ranked none (the data changed between two queries?).`);
          values[m.as] = n > 0 ? interpolate(n, lo!, hi!, q) : null;
          break;
        }
      }
    });
    for (const r of spec.ratios) {
      const a = values[r.numerator], b = values[r.denominator];
      values[r.as] = a === null || b === null || b === 0 ? null : a / b;
    }
    return { count: num(row.rows_n), values };
  };
  const nan = (row: Record<string, unknown>) => Object.fromEntries(plans.map((c, k) => [c, row[`c${k}_nan`] === undefined ? 0 : num(row[`c${k}_nan`])]));
  return { select, read, nan };
}

export const remoteSegmentRollup: RemoteKernel<ValidRollupSpec, RollupResult> = {
  name: 'segment-rollup',
  async run(ctx, spec) {
    const t = ctx.table;
    const where = filterSql(t, spec.filter);
    let quantiles = new Map<string, Map<string, RankedGroup>>();
    const m = measureSelect(t, spec, () => quantiles);
    const levelExprs = spec.by.map((d) => levelExpr(t, d));
    const levels = levelExprs.map((e, l) => sql`${e} AS k${l}`);
    const keys = joinSql(spec.by.map((_, l) => sql`k${l}`), ', ');
    const [groupRows, [totalRow], scanned, ranked] = await Promise.all([
      ctx.select(sql`SELECT ${joinSql([...levels, ...m.select], ', ')} FROM ${t.ref} WHERE ${where} GROUP BY ${keys}`),
      ctx.select(sql`SELECT ${joinSql(m.select, ', ')} FROM ${t.ref} WHERE ${where}`),
      tableRows(ctx),
      quantileRanksByColumn(ctx, spec, where, levelExprs),
    ]);
    quantiles = ranked;
    if (scanned === 0) throw new SpecError('segment-rollup', 'dataset', 'has no rows (a zero-row table): there is nothing to segment. Load data with at least one row.');

    const merged = new Map<string, { labels: (string | null)[]; row: Record<string, unknown>; group: string }>();
    for (const row of groupRows) {
      const labels = spec.by.map((d, l) => labelOf(d, row[`k${l}`]));
      merged.set(JSON.stringify(labels), { labels, row, group: JSON.stringify(spec.by.map((_, l) => row[`k${l}`])) });
    }
    const levelLists = levelLabelLists(spec.by, merged.values());
    const names = spec.by.map((d) => missingLabel(d));
    const keyOf = (labels: (string | null)[]) => labels.map((lab, l) => lab ?? names[l]);
    const anyFixed = spec.by.some((d) => fixedLabels(d) !== null);
    let listed: (string | null)[][];
    if (anyFixed) {
      listed = spec.by.length === 1 ? levelLists[0].map((a) => [a]) : levelLists[0].flatMap((a) => levelLists[1].map((b) => [a, b]));
    } else {
      const rank = levelLists.map((list) => new Map(list.map((lab, i) => [lab, i])));
      listed = [...merged.values()].map((g) => g.labels).sort((a, b) => {
        for (let l = 0; l < a.length; l++) {
          const d = rank[l].get(a[l])! - rank[l].get(b[l])!;
          if (d !== 0) return d;
        }
        return 0;
      });
    }
    const empty = (): Record<string, unknown> => {
      const row: Record<string, unknown> = { rows_n: 0 };
      for (const k of Object.keys(totalRow)) if (/^c\d+_n(an)?$/.test(k)) row[k] = 0;
      return row;
    };
    const total = m.read(totalRow, TOTAL);
    const sumAliases = spec.measures.filter((x) => x.agg === 'sum').map((x) => x.as);
    const rowOf = (measured: Measured, keys: string[]): RollupRow => {
      if (!spec.share) return { keys, count: measured.count, values: measured.values };
      const share: Record<string, number | null> = {};
      for (const as of sumAliases) {
        const v = measured.values[as], tv = total.values[as];
        share[as] = v === null || tv === null || tv === 0 ? null : v / tv;
      }
      return { keys, count: measured.count, values: measured.values, share, countShare: total.count > 0 ? measured.count / total.count : null };
    };
    const nanByColumn = m.nan(totalRow);
    return {
      levels: spec.by.map((d, l) => ({ name: dimensionName(d), labels: levelLists[l].map((lab) => lab ?? names[l]), missing: levelLists[l].includes(null) })),
      groups: listed.map((labels) => {
        const g = merged.get(JSON.stringify(labels));
        return rowOf(m.read(g?.row ?? empty(), g?.group ?? TOTAL), keyOf(labels));
      }),
      total: rowOf(total, []),
      rows: { scanned, matched: total.count },
      excluded: { nan: Object.values(nanByColumn).reduce((s, x) => s + x, 0), nanByColumn },
    };
  },
};
