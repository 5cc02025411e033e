/**
 * Headline KPIs of a client book in one pass: clients, AUM, revenue and cost (cost-to-income),
 * churn and retention rates, NPS, cross-sell rate and the share of active clients.
 *
 * Definitions (DOMAIN.md; thresholds are spec parameters):
 * - churn rate = churned / clients whose `churned` is known; retention = 1 - churn rate.
 * - NPS = % promoters (score >= 9) - % detractors (score <= 6) among respondents, in points (-100..100).
 * - cross-sell rate = share of clients (with a known productsHeld) holding >= `crossSellMinProducts`.
 * - active = last transaction within `activeDays` of `asOf`, among clients with a known date.
 * A metric whose column the dataset lacks is null, never 0. Sums skip nulls; NaN is excluded and
 * counted in `excluded.nan`.
 */
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';
import { boolView, kindOf, numericView, type BoolView, type NumericView } from './columns.js';
import { SpecError, type KernelDef, type RowBatch } from './kernel.js';
import { describe } from './spec-checks.js';
import { parseIsoDay } from './filter.js';
import { exactAdd, exactMerge, exactValue, newExactSum, type ExactSum } from './exact-sum.js';
import { ungathered } from './filtered-rows.js';

export interface KpiSpec {
  /** Reference date for activity, 'YYYY-MM-DD'. */
  readonly asOf: string;
  readonly activeDays: number;
  readonly crossSellMinProducts: number;
  readonly promoterMin: number;
  readonly detractorMax: number;
}

export const DEFAULT_KPI_SPEC: KpiSpec = { asOf: '2026-06-30', activeDays: 90, crossSellMinProducts: 2, promoterMin: 9, detractorMax: 6 };

/** Running sums per worker; every field adds across partitions. */
export interface KpiPartial {
  clients: number;
  /** Exact accumulators of per-batch sums, so any split of the rows gives the same figures. */
  aum: ExactSum; aumCount: number;
  revenue: ExactSum; revenueCount: number;
  cost: ExactSum; costCount: number;
  churnKnown: number; churned: number;
  respondents: number; promoters: number; detractors: number;
  productsKnown: number; crossSold: number;
  activityKnown: number; active: number;
  nan: number;
  present: string[];
}

export interface KpiResult {
  readonly clients: number;
  readonly aum: number | null;
  readonly revenue: number | null;
  readonly costToServe: number | null;
  readonly costToIncome: number | null;
  readonly churnRate: number | null;
  readonly retentionRate: number | null;
  readonly nps: number | null;
  readonly npsRespondents: number | null;
  readonly crossSellRate: number | null;
  readonly activeRate: number | null;
  readonly excluded: { readonly nan: number };
}

const FIELDS = ['aum', 'revenue', 'costToServe', 'churned', 'npsScore', 'productsHeld', 'lastTxnDate'] as const;

/** The filter's date grammar (years 0001-9999): Date.UTC would read years 0-99 as 1900-1999. */
function parseDay(field: string, value: unknown): number {
  const day = parseIsoDay(value);
  if (day === null) throw new SpecError('kpis', field, `must be a date like "2026-06-30"; got ${describe(value)}.`);
  return day;
}

function num(field: string, v: unknown, min: number, max: number, integer = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new SpecError('kpis', field, `must be a${integer ? ' whole' : ''} number from ${min} to ${max}; got ${describe(v)}.`);
  }
  return v;
}

// The loops below read typed arrays held in locals, one loop per array type, and test validity
// bits inline: property reads and a polymorphic `values` in the loop made this kernel the slowest
// of a dashboard's filter change. Sums run in row order, as before, so results are unchanged.

function sumFloat(view: NumericView, acc: { sum: number; count: number; nan: number }): void {
  const values = view.values;
  if (values instanceof Float64Array) sumValues(values, view.length, view.bitmap, view.offset, acc);
  else sumValues(values, view.length, view.bitmap, view.offset, acc);
}

function sumValues(values: Float64Array | Int32Array, n: number, bitmap: Uint8Array | null, offset: number, acc: { sum: number; count: number; nan: number }): void {
  let sum = 0;
  let count = 0;
  let nan = 0;
  for (let i = 0; i < n; i++) {
    if (bitmap !== null) {
      const j = offset + i;
      if (((bitmap[j >> 3] >> (j & 7)) & 1) === 0) continue;
    }
    const v = values[i];
    if (v !== v) nan++;
    else {
      sum += v;
      count++;
    }
  }
  acc.sum += sum;
  acc.count += count;
  acc.nan += nan;
}

// The counting loops below are branch-free: which rows are null, promoters or active is random
// from row to row, and a branch per row on it was mispredicted about half the time (the loops took
// two to three times as long). Band and day counts have a twin without a validity bitmap, for
// columns with no nulls; the boolean count tests for one in its loop (a predictable branch).

/** Present (non-null, non-NaN) values of an Int32/Float64 column: count, >= hi, <= lo (needs lo < hi). */
function countBands(values: Int32Array | Float64Array, n: number, bitmap: Uint8Array | null, offset: number, hi: number, lo: number): [number, number, number] {
  return bitmap === null ? countBandsAll(values, n, hi, lo) : countBandsValid(values, n, bitmap, offset, hi, lo);
}

function countBandsValid(values: Int32Array | Float64Array, n: number, bitmap: Uint8Array, offset: number, hi: number, lo: number): [number, number, number] {
  let known = 0, high = 0, low = 0;
  for (let i = 0; i < n; i++) {
    const j = offset + i;
    const x = values[i];
    const ok = ((bitmap[j >> 3] >> (j & 7)) & 1) & +(x === x);
    known += ok;
    high += ok & +(x >= hi);
    low += ok & +(x <= lo);
  }
  return [known, high, low];
}

function countBandsAll(values: Int32Array | Float64Array, n: number, hi: number, lo: number): [number, number, number] {
  let known = 0, high = 0, low = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i];
    const ok = +(x === x);
    known += ok;
    high += ok & +(x >= hi);
    low += ok & +(x <= lo);
  }
  return [known, high, low];
}

/** Valid days in (since, asOf]: [known, inside]. */
function countDays(values: Int32Array | Float64Array, n: number, bitmap: Uint8Array | null, offset: number, since: number, asOf: number): [number, number] {
  return bitmap === null ? [n, countDaysAll(values, n, since, asOf)] : countDaysValid(values, n, bitmap, offset, since, asOf);
}

function countDaysValid(values: Int32Array | Float64Array, n: number, bitmap: Uint8Array, offset: number, since: number, asOf: number): [number, number] {
  let known = 0, inside = 0;
  for (let i = 0; i < n; i++) {
    const j = offset + i;
    const ok = (bitmap[j >> 3] >> (j & 7)) & 1;
    const d = values[i];
    known += ok;
    inside += ok & +(d > since) & +(d <= asOf);
  }
  return [known, inside];
}

function countDaysAll(values: Int32Array | Float64Array, n: number, since: number, asOf: number): number {
  let inside = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i];
    inside += +(d > since) & +(d <= asOf);
  }
  return inside;
}

/** Known and set bits of a boolean column: [known, true]. */
function countBits(bits: Uint8Array, n: number, bitmap: Uint8Array | null, offset: number): [number, number] {
  let known = 0, set = 0;
  for (let i = 0; i < n; i++) {
    const j = offset + i;
    const ok = bitmap === null ? 1 : (bitmap[j >> 3] >> (j & 7)) & 1;
    known += ok;
    set += ok & (bits[j >> 3] >> (j & 7));
  }
  return [known, set];
}

// The same counts over the rows `rows` of a stored batch (a filtered view's rows, read in place).

function countBandsAt(values: Int32Array | Float64Array, rows: Int32Array, bitmap: Uint8Array | null, offset: number, hi: number, lo: number): [number, number, number] {
  return bitmap === null ? countBandsAllAt(values, rows, hi, lo) : countBandsValidAt(values, rows, bitmap, offset, hi, lo);
}

function countBandsValidAt(values: Int32Array | Float64Array, rows: Int32Array, bitmap: Uint8Array, offset: number, hi: number, lo: number): [number, number, number] {
  let known = 0, high = 0, low = 0;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    const j = offset + r;
    const x = values[r];
    const ok = ((bitmap[j >> 3] >> (j & 7)) & 1) & +(x === x);
    known += ok;
    high += ok & +(x >= hi);
    low += ok & +(x <= lo);
  }
  return [known, high, low];
}

function countBandsAllAt(values: Int32Array | Float64Array, rows: Int32Array, hi: number, lo: number): [number, number, number] {
  let known = 0, high = 0, low = 0;
  for (let k = 0; k < rows.length; k++) {
    const x = values[rows[k]];
    const ok = +(x === x);
    known += ok;
    high += ok & +(x >= hi);
    low += ok & +(x <= lo);
  }
  return [known, high, low];
}

function countDaysAt(values: Int32Array | Float64Array, rows: Int32Array, bitmap: Uint8Array | null, offset: number, since: number, asOf: number): [number, number] {
  return bitmap === null ? [rows.length, countDaysAllAt(values, rows, since, asOf)] : countDaysValidAt(values, rows, bitmap, offset, since, asOf);
}

function countDaysValidAt(values: Int32Array | Float64Array, rows: Int32Array, bitmap: Uint8Array, offset: number, since: number, asOf: number): [number, number] {
  let known = 0, inside = 0;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    const j = offset + r;
    const ok = (bitmap[j >> 3] >> (j & 7)) & 1;
    const d = values[r];
    known += ok;
    inside += ok & +(d > since) & +(d <= asOf);
  }
  return [known, inside];
}

function countDaysAllAt(values: Int32Array | Float64Array, rows: Int32Array, since: number, asOf: number): number {
  let inside = 0;
  for (let k = 0; k < rows.length; k++) {
    const d = values[rows[k]];
    inside += +(d > since) & +(d <= asOf);
  }
  return inside;
}

function countBitsAt(bits: Uint8Array, rows: Int32Array, bitmap: Uint8Array | null, offset: number): [number, number] {
  let known = 0, set = 0;
  for (let k = 0; k < rows.length; k++) {
    const j = offset + rows[k];
    const ok = bitmap === null ? 1 : (bitmap[j >> 3] >> (j & 7)) & 1;
    known += ok;
    set += ok & (bits[j >> 3] >> (j & 7));
  }
  return [known, set];
}

export const kpisKernel: KernelDef<KpiSpec & { present: string[] }, KpiPartial, KpiResult> = {
  name: 'kpis',

  validate(input: unknown, schema: readonly ColumnInfo[]) {
    const s = (input ?? {}) as Partial<KpiSpec> & Record<string, unknown>;
    if (typeof s !== 'object' || Array.isArray(s)) throw new SpecError('kpis', 'spec', 'must be an object.');
    // Unknown keys are refused, as in every other kernel: a typo ("activeDay") must not fall back to a default.
    for (const key of Object.keys(s)) {
      if (!Object.hasOwn(DEFAULT_KPI_SPEC, key)) throw new SpecError('kpis', key, `is not a known option; expected one of: ${Object.keys(DEFAULT_KPI_SPEC).join(', ')}.`);
    }
    const spec = { ...DEFAULT_KPI_SPEC, ...s };
    parseDay('asOf', spec.asOf);
    num('activeDays', spec.activeDays, 1, 36_500, true);
    num('crossSellMinProducts', spec.crossSellMinProducts, 1, 1000, true);
    num('promoterMin', spec.promoterMin, 0, 10, true);
    num('detractorMax', spec.detractorMax, 0, 10, true);
    if (spec.detractorMax >= spec.promoterMin) throw new SpecError('kpis', 'detractorMax', `(${spec.detractorMax}) must be below promoterMin (${spec.promoterMin}).`);
    // Which KPI inputs this dataset has, with the types the loops below read.
    const expected: Record<(typeof FIELDS)[number], string[]> = {
      aum: ['float', 'int'], revenue: ['float', 'int'], costToServe: ['float', 'int'], churned: ['bool'], npsScore: ['int', 'float'], productsHeld: ['int', 'float'], lastTxnDate: ['date'],
    };
    const present: string[] = [];
    for (const f of FIELDS) {
      const info = schema.find((c) => c.name === f);
      if (!info) continue;
      if (!expected[f].includes(kindOf(info.type))) throw new SpecError('kpis', f, `column has type ${info.type}; expected ${expected[f].join(' or ')}.`);
      present.push(f);
    }
    return { asOf: spec.asOf, activeDays: spec.activeDays, crossSellMinProducts: spec.crossSellMinProducts, promoterMin: spec.promoterMin, detractorMax: spec.detractorMax, present };
  },

  async map(rows: readonly RowBatch[], spec, _params, ctx) {
    const p: KpiPartial = { clients: 0, aum: newExactSum(), aumCount: 0, revenue: newExactSum(), revenueCount: 0, cost: newExactSum(), costCount: 0, churnKnown: 0, churned: 0, respondents: 0, promoters: 0, detractors: 0, productsKnown: 0, crossSold: 0, activityKnown: 0, active: 0, nan: 0, present: spec.present };
    const has = new Set(spec.present);
    const asOf = parseDay('asOf', spec.asOf);
    const since = asOf - spec.activeDays;
    for (const { batch } of rows) {
      p.clients += batch.numRows;
      for (const [field, key] of [['aum', 'aum'], ['revenue', 'revenue'], ['costToServe', 'cost']] as const) {
        if (!has.has(field)) continue;
        const acc = { sum: 0, count: 0, nan: 0 };
        sumFloat(numericView(batch, field), acc);
        exactAdd(p[key], acc.sum);
        p[`${key}Count`] += acc.count;
        p.nan += acc.nan;
      }
      // Columns only counted are read in place when a filtered view has not gathered them (see
      // `ungathered`): the counts are the same, whichever rows array is walked.
      if (has.has('churned')) {
        const at = ungathered(batch, 'churned');
        const v: BoolView = boolView(at?.batch ?? batch, 'churned');
        const [known, churned] = at ? countBitsAt(v.bits, at.rows, v.bitmap, v.offset) : countBits(v.bits, v.length, v.bitmap, v.offset);
        p.churnKnown += known;
        p.churned += churned;
      }
      if (has.has('npsScore')) {
        const at = ungathered(batch, 'npsScore');
        const v = numericView(at?.batch ?? batch, 'npsScore');
        const [known, high, low] = at
          ? countBandsAt(v.values, at.rows, v.bitmap, v.offset, spec.promoterMin, spec.detractorMax)
          : countBands(v.values, v.length, v.bitmap, v.offset, spec.promoterMin, spec.detractorMax);
        p.respondents += known;
        p.promoters += high;
        p.detractors += low;
      }
      if (has.has('productsHeld')) {
        const at = ungathered(batch, 'productsHeld');
        const v = numericView(at?.batch ?? batch, 'productsHeld');
        // No lower band: -Infinity counts nothing.
        const [known, high] = at
          ? countBandsAt(v.values, at.rows, v.bitmap, v.offset, spec.crossSellMinProducts, -Infinity)
          : countBands(v.values, v.length, v.bitmap, v.offset, spec.crossSellMinProducts, -Infinity);
        p.productsKnown += known;
        p.crossSold += high;
      }
      if (has.has('lastTxnDate')) {
        const at = ungathered(batch, 'lastTxnDate');
        const v = numericView(at?.batch ?? batch, 'lastTxnDate');
        const [known, inside] = at ? countDaysAt(v.values, at.rows, v.bitmap, v.offset, since, asOf) : countDays(v.values, v.length, v.bitmap, v.offset, since, asOf);
        p.activityKnown += known;
        p.active += inside;
      }
      await ctx.checkpoint();
    }
    return p;
  },

  reduce(partials, spec) {
    const sums = { aum: newExactSum(), revenue: newExactSum(), cost: newExactSum() };
    const t = partials.reduce<Omit<KpiPartial, 'aum' | 'revenue' | 'cost' | 'present'>>(
      (a, b) => {
        for (const k of Object.keys(a) as (keyof typeof a)[]) a[k] += b[k];
        exactMerge(sums.aum, b.aum);
        exactMerge(sums.revenue, b.revenue);
        exactMerge(sums.cost, b.cost);
        return a;
      },
      { clients: 0, aumCount: 0, revenueCount: 0, costCount: 0, churnKnown: 0, churned: 0, respondents: 0, promoters: 0, detractors: 0, productsKnown: 0, crossSold: 0, activityKnown: 0, active: 0, nan: 0 },
    );
    const aum = exactValue(sums.aum);
    const revenue = exactValue(sums.revenue);
    const cost = exactValue(sums.cost);
    const has = new Set(spec.present);
    const rate = (n: number, d: number, field: string) => (has.has(field) && d > 0 ? n / d : null);
    const churnRate = rate(t.churned, t.churnKnown, 'churned');
    return {
      clients: t.clients,
      aum: has.has('aum') ? aum : null,
      revenue: has.has('revenue') ? revenue : null,
      costToServe: has.has('costToServe') ? cost : null,
      costToIncome: has.has('revenue') && has.has('costToServe') && revenue !== 0 ? cost / revenue : null,
      churnRate,
      retentionRate: churnRate === null ? null : 1 - churnRate,
      nps: has.has('npsScore') && t.respondents > 0 ? (100 * (t.promoters - t.detractors)) / t.respondents : null,
      npsRespondents: has.has('npsScore') ? t.respondents : null,
      crossSellRate: rate(t.crossSold, t.productsKnown, 'productsHeld'),
      activeRate: rate(t.active, t.activityKnown, 'lastTxnDate'),
      excluded: { nan: t.nan },
    };
  },
};
