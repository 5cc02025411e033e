/**
 * 'funnel' as SQL: one GROUP BY over (category, cohort period, level reached, out-of-order flag,
 * unmapped stage label) gives every count of the local kernel's histogram; in timestamp mode rank
 * selection (rank-select.ts) gives, per step, category and overall, the two middle order
 * statistics of the step's day gaps (the median is their mean, as locally). Restated as SQL:
 * - stage mode: level = the step of the stage label, or the step its mapping names; -2 (off path)
 *   for a label mapped to null, -1 (unmapped) for any other label, -3 (missing) for a null stage;
 * - timestamp mode: -3 without a first date; else the last step k such that every date up to k
 *   is present and non-decreasing (multiIf stops at the first break, as the local loop does); a
 *   break by an earlier date at step k is counted in outOfOrder[k];
 * - cohort period: year * 12 + month - 1 (month) or year * 4 + quarter - 1 (quarter) of the
 *   cohort date, null without one;
 * - categories in code point order with the null category last, only those with rows; cohorts
 *   in period order with the null period last, only those with someone at step 0.
 * Counts and medians are exact (day gaps are integers).
 */
import { compareGroupKeys } from '../../../workers/kernels/group-keys.js';
import { SpecError } from '../../../workers/kernels/kernel.js';
import type { FilterSpec } from '../../../workers/kernels/filter.js';
import { stepsOf } from '../../../workers/kernels/funnel.js';
import type { CohortPeriod, FunnelBreakdown, FunnelCohort, FunnelResult, FunnelSpec, FunnelStageSpec, FunnelStep, FunnelTimestampSpec } from '../../../workers/kernels/funnel.js';
import { filterSql, numericExpr } from '../filter-sql.js';
import { intLiteral, joinSql, sql, stringLiteral, type Sql } from '../sql-builder.js';
import type { RemoteKernel } from '../remote-kernel.js';
import { num } from './aggregates.js';
import { floatKey, selectRanks, TOTAL, type RankedGroup } from './rank-select.js';

const MISSING = -3, OFF_PATH = -2, UNMAPPED = -1;

function periodLabel(key: number, cohort: CohortPeriod): string {
  if (cohort === 'month') {
    const y = Math.floor(key / 12);
    return `${String(y).padStart(4, '0')}-${String(key - y * 12 + 1).padStart(2, '0')}`;
  }
  const y = Math.floor(key / 4);
  return `${String(y).padStart(4, '0')}-Q${key - y * 4 + 1}`;
}

const isStage = (s: FunnelSpec): s is FunnelStageSpec => 'stageColumn' in s;

export const remoteFunnel: RemoteKernel<FunnelSpec, FunnelResult> = {
  name: 'funnel',
  async run(ctx, spec, filter: FilterSpec | undefined) {
    const t = ctx.table;
    const where = filterSql(t, filter);
    const stage = isStage(spec);
    const Ks = spec.steps.length;
    const stepLabels = stage ? [...spec.steps] : (spec as FunnelTimestampSpec).steps.map((s) => s.label);
    // Group keys as [expression, alias] pairs.
    const keys: [Sql, Sql][] = [];
    const group = spec.by === null ? null : t.column(spec.by);
    if (group) keys.push([group, sql`cl_g`]);
    if (spec.cohort !== null) {
      const d = t.column(spec.cohortColumn!);
      const key = spec.cohort === 'month' ? sql`toInt32(toYear(${d})) * 12 + toInt32(toMonth(${d})) - 1` : sql`toInt32(toYear(${d})) * 4 + toInt32(toQuarter(${d})) - 1`;
      keys.push([sql`if(isNull(${d}), NULL, ${key})`, sql`cl_p`]);
    }
    let level: Sql;
    const dates: Sql[] = [];
    if (stage) {
      const s = t.column(spec.stageColumn);
      const branches: Sql[] = [sql`isNull(${s})`, intLiteral(MISSING)];
      spec.steps.forEach((label, k) => branches.push(sql`${s} = ${stringLiteral(label)}`, intLiteral(k)));
      for (const [from, to] of Object.entries(spec.mapping)) branches.push(sql`${s} = ${stringLiteral(from)}`, intLiteral(to === null ? OFF_PATH : spec.steps.indexOf(to)));
      level = sql`toInt32(multiIf(${joinSql(branches, ', ')}, ${intLiteral(UNMAPPED)}))`;
      keys.push([level, sql`cl_l`], [sql`if(${level} = ${intLiteral(UNMAPPED)}, ${s}, NULL)`, sql`cl_u`]);
    } else {
      const st = spec as FunnelTimestampSpec;
      for (const step of st.steps) dates.push(numericExpr(t, step.column));
      const present = (k: number) => sql`isNotNull(${t.column(st.steps[k].column)})`;
      const ok = (k: number) => sql`(${present(k)} AND ifNull(${dates[k]} >= ${dates[k - 1]}, 0))`;
      const branches: Sql[] = [sql`NOT ${present(0)}`, intLiteral(MISSING)];
      for (let k = 1; k < Ks; k++) branches.push(sql`NOT ${ok(k)}`, intLiteral(k - 1));
      level = Ks === 1 ? sql`toInt32(if(${present(0)}, 0, ${intLiteral(MISSING)}))` : sql`toInt32(multiIf(${joinSql(branches, ', ')}, ${intLiteral(Ks - 1)}))`;
      // 1 when the path ended at `level` because the next date is present but earlier.
      const early = (k: number) => sql`${level} = ${intLiteral(k - 1)} AND ${present(k)} AND ifNull(${dates[k]} < ${dates[k - 1]}, 0)`;
      const ooo = Ks === 1 ? sql`0` : sql`(${joinSql(Array.from({ length: Ks - 1 }, (_, i) => sql`(${early(i + 1)})`), ' OR ')})`;
      keys.push([level, sql`cl_l`], [sql`toUInt8(${ooo})`, sql`cl_o`]);
    }
    const selected = joinSql(keys.map(([e, a]) => sql`${e} AS ${a}`), ', ');
    const hist = await ctx.select(sql`SELECT ${selected}, count() AS cl_n FROM ${t.ref} WHERE ${where} GROUP BY ${joinSql(keys.map(([, a]) => a), ', ')}`);
    const rows = hist.reduce((s, r) => s + num(r.cl_n), 0);
    if (rows === 0) throw new SpecError('funnel', 'dataset', 'has no rows (after any page filter); a funnel needs at least one client.');

    // Medians of the day gaps, per category and overall, by rank selection (rank-select.ts).
    type Medians = (number | null)[];
    const middle = (n: number) => (n === 0 ? [] : [Math.floor((n - 1) / 2), Math.ceil((n - 1) / 2)]);
    const medianOf = (r: RankedGroup | undefined): number | null => {
      if (!r || r.n === 0) return null;
      const [a, b] = middle(r.n).map((k) => r.at.get(k)!.value);
      return a === b ? a : a + (b - a) * 0.5;
    };
    let overallMedians: Medians | null = null;
    const groupMedians = new Map<string | null, Medians>();
    if (!stage && Ks > 1) {
      const perStep: Map<string, RankedGroup>[] = [];
      for (let k = 1; k < Ks; k++) {
        const gap = sql`ifNull(${dates[k]} - ${dates[k - 1]}, toFloat64(0))`;
        perStep.push(await selectRanks(ctx, { key: floatKey(gap), keyBits: 64, value: gap, where: sql`${where} AND ${level} >= ${intLiteral(k)}`, groups: group ? [group] : [], total: true }, middle));
      }
      overallMedians = perStep.map((r) => medianOf(r.get(group ? TOTAL : '[]')));
      if (group) {
        const labels = new Set(perStep.flatMap((r) => [...r.entries()].filter(([k]) => k !== TOTAL).map(([, g]) => (g.group[0] === null ? null : String(g.group[0])))));
        for (const label of labels) groupMedians.set(label, perStep.map((r) => medianOf(r.get(JSON.stringify([label])))));
      }
    }

    const gOf = (r: Record<string, unknown>) => (group && r.cl_g !== null ? String(r.cl_g) : null);
    const pOf = (r: Record<string, unknown>) => (spec.cohort !== null && r.cl_p !== null ? num(r.cl_p) : null);
    const labels = [...new Set(hist.map(gOf))].sort(compareGroupKeys);
    const periods = [...new Set(hist.map(pOf).filter((p): p is number => p !== null))].sort((a, b) => a - b);
    const breakdown = (inGroup: (g: string | null) => boolean, medians: Medians | null): FunnelBreakdown => {
      const outside = { missing: 0, offPath: 0, unmapped: 0 };
      const levels = new Array<number>(Ks).fill(0);
      const ooo = new Array<number>(Ks).fill(0);
      const perPeriod = new Map<number | null, number[]>();
      let n = 0;
      for (const r of hist) {
        if (!inGroup(gOf(r))) continue;
        const c = num(r.cl_n), l = num(r.cl_l);
        n += c;
        if (l === MISSING) outside.missing += c;
        else if (l === OFF_PATH) outside.offPath += c;
        else if (l === UNMAPPED) outside.unmapped += c;
        else {
          levels[l] += c;
          const p = pOf(r);
          let acc = perPeriod.get(p);
          if (!acc) perPeriod.set(p, (acc = new Array<number>(Ks).fill(0)));
          acc[l] += c;
        }
        if (!stage && num(r.cl_o) === 1) ooo[l + 1] += c;
      }
      const reachedOf = (lv: readonly number[]) => {
        const reached = new Array<number>(Ks);
        let acc = 0;
        for (let k = Ks - 1; k >= 0; k--) reached[k] = acc += lv[k];
        return reached;
      };
      let cohorts: FunnelCohort[] | null = null;
      if (spec.cohort !== null) {
        cohorts = [];
        for (const p of [...periods, null]) {
          const lv = perPeriod.get(p);
          if (!lv) continue;
          const reached = reachedOf(lv);
          if (reached[0] > 0) cohorts.push({ period: p === null ? null : periodLabel(p, spec.cohort), steps: stepsOf(stepLabels, reached, null, null) });
        }
      }
      return { rows: n, outside, steps: stepsOf(stepLabels, reachedOf(levels), stage ? null : (medians ?? new Array<null>(Math.max(0, Ks - 1)).fill(null)), stage ? null : ooo), cohorts };
    };
    const all = breakdown(() => true, overallMedians);
    const unmapped = new Map<string, number>();
    if (stage) for (const r of hist) if (r.cl_u !== null && r.cl_u !== undefined) unmapped.set(String(r.cl_u), (unmapped.get(String(r.cl_u)) ?? 0) + num(r.cl_n));
    return {
      mode: stage ? 'stage' : 'timestamp',
      ...all,
      unmappedLabels: [...unmapped].sort((a, b) => compareGroupKeys(a[0], b[0])).map(([label, count]) => ({ label, count })),
      by: spec.by === null ? null : {
        column: spec.by,
        categories: labels.map((label) => ({ label, ...breakdown((g) => g === label, groupMedians.get(label) ?? null) })).filter((c) => c.rows > 0),
      },
    };
  },
};
