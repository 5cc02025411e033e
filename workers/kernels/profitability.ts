/**
 * Kernel 'profitability': relationship profitability per segment and overall (DOMAIN.md,
 * "Relationship profitability").
 *
 * Per client (row):
 *   profit = revenue - costToServe (both over the last 12 months, so profit is annual).
 *   A row counts as a client of the figures only when revenue and cost are both present and the
 *   profit is finite. Rows with a null revenue or cost are skipped and counted in `skippedNull`;
 *   rows whose revenue, cost or profit is NaN or +-Infinity are skipped and counted in
 *   `skippedNonFinite` (a row with a null and a NaN counts as null). Skipped rows still count in
 *   `rows` of their group.
 *
 * Per group (the `by` category column's labels, rows with a null category in the null group) and
 * for the total:
 *   clients, revenue = sum revenue, cost = sum cost, profit = sum profit, meanProfit,
 *   costToIncome = cost / revenue (null when revenue sums to 0; negative when revenue is negative),
 *   valueDestroyers = clients with profit < 0,
 *   cac = mean acquisition cost over the group's clients whose acquisition cost is present and
 *     finite (`cacClients` of them; a NaN/Infinity one is counted in `cacSkippedNonFinite`; null
 *     when there is none),
 *   meanCltv = mean of the clients' CLTV = meanProfit x cltvMultiple (CLTV is linear in profit),
 *   cltvToCac = meanCltv / cac (null when cac is null or <= 0).
 *
 * CLTV (simple geometric model, Gupta & Lehmann): a client earns margin m (annual profit) at the
 * end of each year it stays; it stays another year with probability r (retention); cash flows are
 * discounted at rate d. Then CLTV = sum over t >= 1 of m r^t / (1 + d)^t = m x r / (1 + d - r).
 * With the defaults r = 0.9 (DOMAIN's worked example's retention) and d = 0.08, the multiple is
 * 0.9 / 0.18 = 5: the worked example's client value 100k gives its CLTV 500k, and with CAC 50k a
 * CLTV/CAC of 10.
 *
 * Groups: only labels that occur in at least one row (dictionary entries no row uses are left
 * out); ordered by label in code point order, the null group last. Without `by`, `groups` is [].
 *
 * Exactness across row-range splits: each batch's sums are kept apart in the partial (keyed by its
 * global first row) and reduce adds them in global row order, so any split gives bit for bit the
 * single-thread result. The partial is small: (batches x groups present x 10) numbers.
 */
import type { RecordBatch } from 'apache-arrow';
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';
import { numericView, requireColumn, type NumericView } from './columns.js';
import { bitAt, compareGroupKeys, groupCodes } from './group-keys.js';
import { SpecError, type KernelContext, type KernelDef, type RowBatch } from './kernel.js';
import { numberField, specObject } from './spec-fields.js';

const NAME = 'profitability';

/** Retention rate over a year, DOMAIN.md's worked example (retention 90%). */
export const DEFAULT_RETENTION_RATE = 0.9;
/** Annual discount rate; with DEFAULT_RETENTION_RATE it makes CLTV = 5 x annual profit (DOMAIN's 100k -> 500k). */
export const DEFAULT_DISCOUNT_RATE = 0.08;
export const DEFAULT_REVENUE_COLUMN = 'revenue';
export const DEFAULT_COST_COLUMN = 'costToServe';
export const DEFAULT_ACQUISITION_COST_COLUMN = 'acquisitionCost';

/** CLTV / annual profit in the geometric model: r / (1 + d - r). */
export function cltvMultiple(retention: number, discountRate: number): number {
  return retention / (1 + discountRate - retention);
}

/** Customer lifetime value of a client earning `annualProfit` a year (see the file comment). */
export function customerLifetimeValue(annualProfit: number, retention: number, discountRate: number): number {
  return annualProfit * cltvMultiple(retention, discountRate);
}

/** Cost to serve / revenue; null when revenue is 0. */
export function costToIncomeRatio(cost: number, revenue: number): number | null {
  return revenue === 0 ? null : cost / revenue;
}

/** CLTV / CAC; null when either is missing or CAC <= 0. */
export function cltvToCacRatio(cltv: number | null, cac: number | null): number | null {
  return cltv === null || cac === null || !(cac > 0) ? null : cltv / cac;
}

export interface ProfitabilitySpec {
  readonly revenue: string;
  readonly cost: string;
  /** null: no CAC figures. */
  readonly acquisitionCost: string | null;
  readonly by: string | null;
  readonly retention: number;
  readonly discountRate: number;
}

export interface ProfitabilityStats {
  /** Group label; null for the null group and for the total. */
  readonly key: string | null;
  readonly rows: number;
  readonly clients: number;
  readonly skippedNull: number;
  readonly skippedNonFinite: number;
  readonly revenue: number;
  readonly cost: number;
  readonly profit: number;
  readonly meanProfit: number | null;
  readonly costToIncome: number | null;
  readonly valueDestroyers: number;
  readonly cacClients: number;
  readonly cacSkippedNonFinite: number;
  readonly cac: number | null;
  readonly meanCltv: number | null;
  readonly cltvToCac: number | null;
}

export interface ProfitabilityResult {
  readonly by: string | null;
  readonly retention: number;
  readonly discountRate: number;
  readonly cltvMultiple: number;
  readonly total: ProfitabilityStats;
  readonly groups: ProfitabilityStats[];
}

interface BatchPartial {
  readonly rowOffset: number;
  readonly keys: (string | null)[];
  /** keys.length x STATS */
  readonly stats: Float64Array;
}

export interface ProfitabilityPartial {
  readonly batches: BatchPartial[];
}

// Accumulator layout per group (the inner loop of `accumulate` spells these as literals).
const CLIENTS = 0;
const SKIP_NULL = 1;
const SKIP_NF = 2;
const REV = 3;
const COST = 4;
const PROFIT = 5;
const DESTROY = 6;
const CAC_N = 7;
const CAC_SUM = 8;
const CAC_NF = 9;
const STATS = 10;
/** Where the loop adds an acquisition cost that does not count (null or not finite): a slot past STATS, never read. */
const CAC_DISCARD = 10;
/** Accumulator stride per group in the inner loop: 16 doubles = 128 bytes, so a group's sums never straddle cache lines (measurably faster than 10). */
const STRIDE = 16;

/** Float64 values of a numeric view (Int32 columns widened once per batch), for monomorphic loops. */
export function float64Values(view: NumericView): Float64Array {
  return view.values instanceof Float64Array ? view.values : Float64Array.from(view.values);
}

/** Validates the revenue and cost column fields shared by the profit kernels. */
export function validateProfitColumns(kernel: string, o: Record<string, unknown>, schema: readonly ColumnInfo[]): { revenue: string; cost: string } {
  const revenue = requireColumn(kernel, 'revenue', o.revenue ?? DEFAULT_REVENUE_COLUMN, schema, ['float', 'int']);
  const cost = requireColumn(kernel, 'cost', o.cost ?? DEFAULT_COST_COLUMN, schema, ['float', 'int']);
  return { revenue, cost };
}

/** Checks a `by` field: null/undefined or a category column. */
export function validateBy(kernel: string, value: unknown, schema: readonly ColumnInfo[]): string | null {
  return value === undefined || value === null ? null : requireColumn(kernel, 'by', value, schema, ['category']);
}

function validate(spec: unknown, schema: readonly ColumnInfo[]): ProfitabilitySpec {
  const o = specObject(NAME, spec, ['revenue', 'cost', 'acquisitionCost', 'by', 'retention', 'discountRate']);
  const { revenue, cost } = validateProfitColumns(NAME, o, schema);
  const acquisitionCost = o.acquisitionCost === null ? null : requireColumn(NAME, 'acquisitionCost', o.acquisitionCost ?? DEFAULT_ACQUISITION_COST_COLUMN, schema, ['float', 'int']);
  const by = validateBy(NAME, o.by, schema);
  const retention = numberField(NAME, 'retention', o.retention, DEFAULT_RETENTION_RATE, { min: 0, max: 1 });
  const discountRate = numberField(NAME, 'discountRate', o.discountRate, DEFAULT_DISCOUNT_RATE, { min: 0, max: 1 });
  if (!(1 + discountRate - retention > 0)) throw new SpecError(NAME, 'discountRate', `must be above 0 when retention is 1 (the CLTV would be infinite).`);
  return { revenue, cost, acquisitionCost, by, retention, discountRate };
}

/**
 * One batch into `acc` (groups x STRIDE); see the file comment for the rules. The accumulator
 * offsets are written as literals (named in comments): module-level constants are loaded from the
 * module context in V8's optimised code, which made this loop ~30% slower (measured).
 */
function accumulate(
  acc: Float64Array, n: number,
  rv: Float64Array, rbm: Uint8Array | null, roff: number,
  cv: Float64Array, cbm: Uint8Array | null, coff: number,
  av: Float64Array | null, abm: Uint8Array | null, aoff: number,
  codes: Int32Array | null, gbm: Uint8Array | null, goff: number, nullSlot: number,
): void {
  for (let i = 0; i < n; i++) {
    let base = 0;
    if (codes !== null) base = (gbm !== null && !bitAt(gbm, goff + i) ? nullSlot : codes[i]) * 16; // STRIDE
    if ((rbm !== null && !bitAt(rbm, roff + i)) || (cbm !== null && !bitAt(cbm, coff + i))) {
      acc[base + 1]++; // SKIP_NULL
      continue;
    }
    const r = rv[i];
    const c = cv[i];
    const p = r - c;
    if (p - p !== 0) {
      acc[base + 2]++; // SKIP_NF
      continue;
    }
    acc[base]++; // CLIENTS
    acc[base + 3] += r; // REV
    acc[base + 4] += c; // COST
    acc[base + 5] += p; // PROFIT
    // Value destroyers and null acquisition costs are spread at random over the rows: counted
    // without a branch (a mispredicted branch per row took about a third of this loop's time).
    acc[base + 6] += +(p < 0); // DESTROY
    if (av !== null) {
      const a = av[i];
      const j = aoff + i;
      const valid = abm === null ? 1 : (abm[j >> 3] >> (j & 7)) & 1;
      const finite = +(a - a === 0);
      const counts = valid & finite;
      acc[base + 7] += counts; // CAC_N
      acc[base + 9] += valid & (finite ^ 1); // CAC_NF
      // CAC_SUM, or CAC_DISCARD (10) for a value that does not count: no branch, and a NaN lands where nothing reads it.
      acc[base + 8 + ((counts ^ 1) << 1)] += a;
    }
  }
}

function mapBatch(batch: RecordBatch, rowOffset: number, spec: ProfitabilitySpec): BatchPartial {
  const n = batch.numRows;
  const rev = numericView(batch, spec.revenue);
  const cost = numericView(batch, spec.cost);
  const cac = spec.acquisitionCost === null ? null : numericView(batch, spec.acquisitionCost);
  const groups = spec.by === null ? null : groupCodes(batch, spec.by);
  const slots = groups === null ? 1 : groups.nullSlot + 1;
  const acc = new Float64Array(slots * STRIDE);
  accumulate(
    acc, n,
    float64Values(rev), rev.bitmap, rev.offset,
    float64Values(cost), cost.bitmap, cost.offset,
    cac === null ? null : float64Values(cac), cac === null ? null : cac.bitmap, cac === null ? 0 : cac.offset,
    groups === null ? null : groups.codes, groups === null ? null : groups.bitmap, groups === null ? 0 : groups.offset, groups === null ? 0 : groups.nullSlot,
  );
  const keys: (string | null)[] = [];
  let present = 0;
  for (let g = 0; g < slots; g++) if (acc[g * STRIDE + CLIENTS] + acc[g * STRIDE + SKIP_NULL] + acc[g * STRIDE + SKIP_NF] > 0) present++;
  const stats = new Float64Array(present * STATS);
  for (let g = 0, k = 0; g < slots; g++) {
    const b = g * STRIDE;
    if (acc[b + CLIENTS] + acc[b + SKIP_NULL] + acc[b + SKIP_NF] === 0) continue;
    keys.push(groups === null || g === groups.nullSlot ? null : groups.labels[g]);
    stats.set(acc.subarray(b, b + STATS), k * STATS);
    k++;
  }
  return { rowOffset, keys, stats };
}

function finish(key: string | null, a: Float64Array, multiple: number): ProfitabilityStats {
  const clients = a[CLIENTS];
  const meanProfit = clients > 0 ? a[PROFIT] / clients : null;
  const cac = a[CAC_N] > 0 ? a[CAC_SUM] / a[CAC_N] : null;
  const meanCltv = meanProfit === null ? null : meanProfit * multiple;
  return {
    key,
    rows: clients + a[SKIP_NULL] + a[SKIP_NF],
    clients,
    skippedNull: a[SKIP_NULL],
    skippedNonFinite: a[SKIP_NF],
    revenue: a[REV],
    cost: a[COST],
    profit: a[PROFIT],
    meanProfit,
    costToIncome: clients > 0 ? costToIncomeRatio(a[COST], a[REV]) : null,
    valueDestroyers: a[DESTROY],
    cacClients: a[CAC_N],
    cacSkippedNonFinite: a[CAC_NF],
    cac,
    meanCltv,
    cltvToCac: cltvToCacRatio(meanCltv, cac),
  };
}

export const profitabilityKernel: KernelDef<ProfitabilitySpec, ProfitabilityPartial, ProfitabilityResult> = {
  name: NAME,
  validate,
  async map(rows: readonly RowBatch[], spec: ProfitabilitySpec, _params: undefined, ctx: KernelContext): Promise<ProfitabilityPartial> {
    const batches: BatchPartial[] = [];
    for (let b = 0; b < rows.length; b++) {
      batches.push(mapBatch(rows[b].batch, rows[b].rowOffset, spec));
      ctx.progress((b + 1) / rows.length);
      await ctx.checkpoint();
    }
    return { batches };
  },
  reduce(partials: ProfitabilityPartial[], spec: ProfitabilitySpec): ProfitabilityResult {
    const batches = partials.flatMap((p) => p.batches).sort((a, b) => a.rowOffset - b.rowOffset);
    const byKey = new Map<string | null, Float64Array>();
    for (const bp of batches) {
      for (let k = 0; k < bp.keys.length; k++) {
        let acc = byKey.get(bp.keys[k]);
        if (!acc) byKey.set(bp.keys[k], (acc = new Float64Array(STATS)));
        for (let s = 0; s < STATS; s++) acc[s] += bp.stats[k * STATS + s];
      }
    }
    const keys = [...byKey.keys()].sort(compareGroupKeys);
    const total = new Float64Array(STATS);
    for (const k of keys) {
      const acc = byKey.get(k)!;
      for (let s = 0; s < STATS; s++) total[s] += acc[s];
    }
    const multiple = cltvMultiple(spec.retention, spec.discountRate);
    return {
      by: spec.by,
      retention: spec.retention,
      discountRate: spec.discountRate,
      cltvMultiple: multiple,
      total: finish(null, total, multiple),
      groups: spec.by === null ? [] : keys.map((k) => finish(k, byKey.get(k)!, multiple)),
    };
  },
};
