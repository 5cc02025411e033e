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
import { boolAt, boolView, isValid, kindOf, numericView, type BoolView, type NumericView } from './columns.js';
import { SpecError, type KernelDef, type RowBatch } from './kernel.js';
import { exactAdd, exactMerge, exactValue, newExactSum, type ExactSum } from './exact-sum.js';

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

function parseDay(field: string, value: unknown): number {
  const m = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(t) || new Date(t).getUTCDate() !== Number(m[3])) throw new SpecError('kpis', field, `must be a date like "2026-06-30"; got ${JSON.stringify(value)}.`);
  return Math.floor(t / 86_400_000);
}

function num(field: string, v: unknown, min: number, max: number, integer = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new SpecError('kpis', field, `must be a${integer ? ' whole' : ''} number from ${min} to ${max}; got ${JSON.stringify(v)}.`);
  }
  return v;
}

function sumFloat(view: NumericView, acc: { sum: number; count: number; nan: number }): void {
  const { values, length } = view;
  let sum = 0;
  let count = 0;
  let nan = 0;
  for (let i = 0; i < length; i++) {
    if (view.bitmap !== null && !isValid(view, i)) continue;
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

export const kpisKernel: KernelDef<KpiSpec & { present: string[] }, KpiPartial, KpiResult> = {
  name: 'kpis',

  validate(input: unknown, schema: readonly ColumnInfo[]) {
    const s = (input ?? {}) as Partial<KpiSpec> & Record<string, unknown>;
    if (typeof s !== 'object' || Array.isArray(s)) throw new SpecError('kpis', 'spec', 'must be an object.');
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
      if (has.has('churned')) {
        const v: BoolView = boolView(batch, 'churned');
        for (let i = 0; i < v.length; i++) {
          if (v.bitmap !== null && !isValid(v, i)) continue;
          p.churnKnown++;
          if (boolAt(v, i)) p.churned++;
        }
      }
      if (has.has('npsScore')) {
        const v = numericView(batch, 'npsScore');
        for (let i = 0; i < v.length; i++) {
          if (v.bitmap !== null && !isValid(v, i)) continue;
          const x = v.values[i];
          if (x !== x) continue;
          p.respondents++;
          if (x >= spec.promoterMin) p.promoters++;
          else if (x <= spec.detractorMax) p.detractors++;
        }
      }
      if (has.has('productsHeld')) {
        const v = numericView(batch, 'productsHeld');
        for (let i = 0; i < v.length; i++) {
          if (v.bitmap !== null && !isValid(v, i)) continue;
          const x = v.values[i];
          if (x !== x) continue;
          p.productsKnown++;
          if (x >= spec.crossSellMinProducts) p.crossSold++;
        }
      }
      if (has.has('lastTxnDate')) {
        const v = numericView(batch, 'lastTxnDate');
        for (let i = 0; i < v.length; i++) {
          if (v.bitmap !== null && !isValid(v, i)) continue;
          p.activityKnown++;
          const d = v.values[i];
          if (d > since && d <= asOf) p.active++;
        }
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
