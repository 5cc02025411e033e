/**
 * 'rfm' as SQL. The local kernel scores by quintiles of the keys (value, row) over the scored rows
 * (date, frequency and monetary present, monetary finite): the boundary of quintile j + 2 is the
 * key of rank s_j (NTILE's first-row positions), and a row's score is 1 + the number of boundary
 * keys <= its key. Here, in four queries:
 *   1. rows, scored rows, the latest scored date (the default asOf);
 *   2. per measure, the value of rank s_j among the scored values, and the count below it, by
 *      rank selection (rank-select.ts; the three measures in the same passes);
 *   3. per measure and boundary, the row of the boundary key: among the rows holding that value,
 *      the (s_j - #values below)-th smallest row column, by rank selection on the row column;
 *   4. a GROUP BY (category, RFM code) with counts, monetary sums and the date and frequency sums
 *      the segment means need; unscored rows land in code 0 (`excluded`).
 * Needs the table's row column: ties are ranked by row, and a table without one has no row order,
 * so the engine refuses the kernel rather than score ties differently.
 * Exactness: counts, scores, boundaries and the date / frequency means are exact (integer sums);
 * monetary sums are float sums (1e-9 relative to the local reproducible sums, see aggregates.ts).
 * The local sums keep each value only down to 2^-83 of the largest |monetary| among the scored
 * rows: next to a value near 1e308 every ordinary value sums to 0 locally, while the engine's sum
 * keeps them (the two then differ; the engine's is the closer one).
 * Under a page filter the local kernel reports a boundary's `row` as its position key among the
 * filtered rows of its batch (see workers/kernels/rfm.ts); the engine reports the global row of the
 * same boundary row. Scores do not change: both keys order rows the same way.
 * Cost on the engine: steps 2 and 3 read the table two or three times each and keep one count
 * per key bucket, never an array of values or rows (a value tied by millions of rows included).
 */
import { compareGroupKeys } from '../../../workers/kernels/group-keys.js';
import { SpecError } from '../../../workers/kernels/kernel.js';
import { parseIsoDay, type FilterSpec } from '../../../workers/kernels/filter.js';
import type { RfmBoundary, RfmBreakdown, RfmCell, RfmGroup, RfmResult, RfmSpec } from '../../../workers/kernels/rfm.js';
import { filterSql, hasNumber, numericExpr } from '../filter-sql.js';
import { floatLiteral, intLiteral, joinSql, sql, type Sql } from '../sql-builder.js';
import type { RemoteKernel } from '../remote-kernel.js';
import { countIf, num, requireRowColumn, sumIf, tableRows } from './aggregates.js';
import { floatKey, selectRanks } from './rank-select.js';

function quintileStarts(n: number): number[] {
  const q = Math.floor(n / 5), r = n % 5;
  return [1, 2, 3, 4].map((b) => b * q + Math.min(b, r));
}

function isoDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

export const remoteRfm: RemoteKernel<RfmSpec, RfmResult> = {
  name: 'rfm',
  async run(ctx, spec, filter: FilterSpec | undefined) {
    const t = ctx.table;
    requireRowColumn(ctx, 'rfm', 'scoring (ties are ranked by row)');
    const where = filterSql(t, filter);
    const row = t.row();
    const date = numericExpr(t, spec.recencyColumn);
    const values = [date, numericExpr(t, spec.frequencyColumn), numericExpr(t, spec.monetaryColumn)];
    const money = values[2];
    const scored = sql`(isNotNull(${t.column(spec.recencyColumn)}) AND isNotNull(${t.column(spec.frequencyColumn)}) AND ${hasNumber(t, spec.monetaryColumn)} AND isFinite(ifNull(${money}, toFloat64(0))))`;
    const v = (m: number) => sql`ifNull(${values[m]}, toFloat64(0))`;

    const [head] = await ctx.select(sql`SELECT count() AS cl_rows, ${countIf(scored)} AS cl_scored, maxIf(${v(0)}, ${scored}) AS cl_max_date FROM ${t.ref} WHERE ${where}`);
    const rows = num(head.cl_rows);
    if (rows === 0) throw new SpecError('rfm', 'dataset', 'has no rows (after any page filter); RFM scores need at least one client.');
    const n = num(head.cl_scored);
    const asOfDay = spec.asOf !== null ? parseIsoDay(spec.asOf)! : n > 0 ? num(head.cl_max_date) : null;
    const starts = quintileStarts(n).filter((s) => s < n);

    // Boundary keys (value, row) per measure, by rank selection (rank-select.ts) over the three
    // measures at once (arrayJoin: each scored row once per measure, in group `m`).
    const bounds: { v: number; r: number }[][] = [[], [], []];
    if (starts.length > 0) {
      const scoredWhere = sql`${where} AND ${scored}`;
      const measure = sql`arrayJoin([toUInt8(0), toUInt8(1), toUInt8(2)])`;
      const pick = (m: Sql, of: (k: number) => Sql) => sql`multiIf(${m} = 0, ${of(0)}, ${m} = 1, ${of(1)}, ${of(2)})`;
      const values = await selectRanks(ctx, { key: pick(measure, (k) => floatKey(v(k))), keyBits: 64, value: pick(measure, v), where: scoredWhere, groups: [measure] }, () => starts);
      const found = [0, 1, 2].map((k) => starts.map((s) => values.get(JSON.stringify([k]))!.at.get(s)!));
      // The row of each boundary key: among the rows tied with its value, the (s_j - below)-th by
      // row; grouped by (measure, first boundary of that measure with this value).
      const x = (k: number, j: number) => floatLiteral(found[k][j].value);
      const tied = (k: number) => sql`${v(k)} IN (${joinSql(starts.map((_, j) => x(k, j)), ', ')})`;
      const mt = sql`arrayJoin(arrayConcat(${joinSql([0, 1, 2].map((k) => sql`if(${tied(k)}, [toUInt8(${k})], emptyArrayUInt8())`), ', ')}))`;
      const firstJ = (k: number) => sql`toUInt8(multiIf(${joinSql(starts.map((_, j) => sql`${v(k)} = ${x(k, j)}, ${j}`), ', ')}, 255))`;
      const firstOf = (k: number, j: number) => found[k].findIndex((f) => f.value === found[k][j].value);
      // Row positions are 0..rows-1 (the row column's contract): pass 1 looks at their top bits.
      const keyBits = Math.max(1, Math.ceil(Math.log2((await tableRows(ctx)) + 1)));
      // Tied rows are dense in row order: 2^10 first buckets per tie set keep pass 1 small.
      const rowsRanked = await selectRanks(ctx, { key: t.row(), keyBits, firstBits: 10, value: sql`toFloat64(${t.row()})`, where: sql`${scoredWhere} AND (${joinSql([0, 1, 2].map(tied), ' OR ')})`, groups: [mt, pick(mt, firstJ)] },
        (_, [k, j]) => starts.map((s, i) => ({ s, i })).filter(({ i }) => firstOf(num(k), i) === num(j)).map(({ s, i }) => s - found[num(k)][i].below));
      for (let k = 0; k < 3; k++) {
        starts.forEach((s, j) => {
          const tie = rowsRanked.get(JSON.stringify([k, firstOf(k, j)]))!.at.get(s - found[k][j].below)!;
          bounds[k].push({ v: found[k][j].value, r: tie.value });
        });
      }
    }

    // Scores and cells.
    const score = (m: number): Sql => bounds[m].length === 0 ? sql`1` : sql`(1 + ${joinSql(bounds[m].map((b) => sql`toUInt8(${v(m)} > ${floatLiteral(b.v)} OR (${v(m)} = ${floatLiteral(b.v)} AND ${row} >= ${intLiteral(b.r)}))`), ' + ')})`;
    const code = sql`toInt32(if(${scored}, 100 * ${score(0)} + 10 * ${score(1)} + ${score(2)}, 0))`;
    const group = spec.by === null ? null : t.column(spec.by);
    const keys = group ? sql`cl_g, cl_code` : sql`cl_code`;
    const cellRows = await ctx.select(sql`SELECT ${group ? sql`${group} AS cl_g, ` : sql``}${code} AS cl_code, count() AS cl_n, ${sumIf(money, scored)} AS cl_money,
  sumIf(toInt64(${v(0)}), ${scored}) AS cl_dates, sumIf(toInt64(${v(1)}), ${scored}) AS cl_freqs
  FROM ${t.ref} WHERE ${where} GROUP BY ${keys}`);

    const gOf = (r: Record<string, unknown>) => (group && r.cl_g !== null ? String(r.cl_g) : null);
    const segOf = new Int32Array(25);
    for (let c = 0; c < 25; c++) {
      const r = Math.floor(c / 5) + 1, f = (c % 5) + 1;
      segOf[c] = spec.segments.findIndex((s) => r >= s.r[0] && r <= s.r[1] && f >= s.f[0] && f <= s.f[1]);
    }
    const day = asOfDay ?? 0;
    const breakdown = (inGroup: (g: string | null) => boolean): RfmBreakdown => {
      const count = new Float64Array(125), moneySum = new Float64Array(125), dates = new Float64Array(125), freqs = new Float64Array(125);
      let excluded = 0;
      for (const r of cellRows) {
        if (!inGroup(gOf(r))) continue;
        const c = num(r.cl_code);
        if (c === 0) {
          excluded += num(r.cl_n);
          continue;
        }
        const k = (Math.floor(c / 100) - 1) * 25 + (Math.floor(c / 10) % 10 - 1) * 5 + (c % 10) - 1;
        count[k] += num(r.cl_n);
        moneySum[k] += num(r.cl_money);
        dates[k] += num(r.cl_dates);
        freqs[k] += num(r.cl_freqs);
      }
      const cells: RfmCell[] = [];
      const S = spec.segments.length;
      const seg = Array.from({ length: S }, () => ({ n: 0, money: 0, dates: 0, freqs: 0, r: 0, f: 0, m: 0 }));
      let scoredN = 0;
      for (let k = 0; k < 125; k++) {
        const r = Math.floor(k / 25) + 1, f = (Math.floor(k / 5) % 5) + 1, m = (k % 5) + 1;
        scoredN += count[k];
        cells.push({ code: 100 * r + 10 * f + m, r, f, m, count: count[k], monetary: moneySum[k] + 0 });
        const s = seg[segOf[(r - 1) * 5 + f - 1]];
        s.n += count[k]; s.money += moneySum[k]; s.dates += dates[k]; s.freqs += freqs[k];
        s.r += count[k] * r; s.f += count[k] * f; s.m += count[k] * m;
      }
      const groups: RfmGroup[] = spec.segments.map((x, i) => {
        const s = seg[i];
        const mean = (y: number) => (s.n > 0 ? y / s.n : null);
        return {
          name: x.name,
          count: s.n,
          share: scoredN > 0 ? s.n / scoredN : null,
          monetary: s.money + 0,
          meanMonetary: mean(s.money + 0),
          meanRecencyDays: s.n > 0 ? day - s.dates / s.n : null,
          meanFrequency: mean(s.freqs),
          meanR: mean(s.r),
          meanF: mean(s.f),
          meanM: mean(s.m),
        };
      });
      return { scored: scoredN, excluded, cells, groups };
    };
    const all = breakdown(() => true);
    const boundaries = (m: number, toValue: (x: number) => number): RfmBoundary[] => bounds[m].map((b, j) => ({ score: j + 2, value: toValue(b.v), row: b.r }));
    return {
      rows,
      asOf: asOfDay === null ? null : isoDay(asOfDay),
      columns: { recency: spec.recencyColumn, frequency: spec.frequencyColumn, monetary: spec.monetaryColumn },
      ...all,
      boundaries: { recency: boundaries(0, (d) => day - d), frequency: boundaries(1, (f) => f), monetary: boundaries(2, (x) => x + 0) },
      by: spec.by === null ? null : {
        column: spec.by,
        categories: [...new Set(cellRows.map(gOf))].sort(compareGroupKeys).map((label) => ({ label, ...breakdown((g) => g === label) })).filter((c) => c.scored + c.excluded > 0),
      },
    };
  },
};
