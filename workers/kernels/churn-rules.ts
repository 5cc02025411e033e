/**
 * Kernel 'churn-rules': the churn early-warning rules of DOMAIN.md ("Churn early warning"), as a
 * configurable rule set, and the list of clients an RM should call.
 *
 * Rules: `{ id, kind, threshold?, label?, column? }`, 1..32 of them, ids unique. Kinds, with the
 * column each reads by default, when it is hit, and its default threshold:
 *   'inactivity'       lastTxnDate      asOf - lastTxnDate >= threshold days  (90: "no transaction for 3 months")
 *   'asset-outflow'    assetOutflow3m   value > threshold, threshold in [0, 1) (0.5: "more than half of assets moved out")
 *   'low-satisfaction' npsScore         value <= threshold, in [0, 10]        (6: an NPS detractor answer, 0-6)
 *   'late-payments'    latePayments12m  value >= threshold, >= 1              (1: any late repayment)
 * A null value never hits a rule (a prospect has no last transaction, a client without a loan no
 * late payments): counted per rule in `missing`. A NaN value never hits either: counted in `nan`.
 * 'inactivity' needs `asOf` (ISO date or day number): the day the data describes.
 * Without `rules`, DEFAULT_CHURN_RULES: DOMAIN's two default rules (inactivity 90 days, outflow > 0.5).
 *
 * Per client the rules hit are a bitmask (bit j = rules[j]). Result: clients hitting each rule,
 * hitting any; with `by` (a category column) the same per group (groups that occur, code point
 * order, null group last); and the at-risk page: clients hitting >= 1 rule ordered by
 *   number of rules hit desc, then `orderBy` (default aum) desc with null/NaN last, then client id
 *   ascending (code point order, null last), then row,
 * rows [offset, offset + limit) of that order (limit default 100; offset + limit <= 100,000), each
 * with its rule ids, mask and row number. Exact across partitions: every worker keeps its best
 * offset + limit clients under that total order; reduce merges them.
 *
 * Other columns: `id` (default clientId, string), `orderBy` (numeric, default aum; null: no
 * second key), `by`. Groups are those with at least one client hitting a rule, `rows` null; with
 * `groupSizes: true` every group that occurs is listed with `rows`, all its rows (the denominator
 * of rates), at the cost of one more pass over the group column.
 *
 * Speed: rules are evaluated column at a time into a Uint32 mask per batch (one monomorphic typed
 * loop per rule) that also lists each rule's hit rows; then only the hit rows are visited once to
 * count groups and offer them to a bounded heap. No per-row objects or strings. A batch's hits
 * are kept per rule set for the next query with the same rules (hitsMemo).
 */
import type { RecordBatch } from 'apache-arrow';
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';
import { viewBuffer } from './filtered-rows.js';
import { BatchMemo } from './batch-memo.js';
import { numericView, requireColumn } from './columns.js';
import { bitAt, compareGroupKeys, groupCodes } from './group-keys.js';
import { SpecError, type KernelContext, type KernelDef, type RowBatch } from './kernel.js';
import { float64Values, validateBy } from './profitability.js';
import { dayField, numberField, specObject, stringField } from './spec-fields.js';
import { describe } from './spec-checks.js';
import { TopRows, idView, mergeRankedRows, type RankedRow } from './top-rows.js';
import {
  CHURN_RULE_KINDS, DEFAULT_AT_RISK_LIMIT, DEFAULT_AT_RISK_ORDER_COLUMN, DEFAULT_CHURN_ID_COLUMN, DEFAULT_CHURN_RULES, MAX_AT_RISK_PAGE_END, MAX_CHURN_RULES,
  type ChurnRuleKind,
} from './churn-rule-kinds.js';

// The vocabulary lives in its own file so the page can use it without loading the kernel.
export * from './churn-rule-kinds.js';

const NAME = 'churn-rules';

export interface ChurnRule {
  readonly id: string;
  readonly kind: ChurnRuleKind;
  readonly threshold: number;
  readonly label: string;
  readonly column: string;
}

export interface ChurnRulesSpec {
  readonly rules: ChurnRule[];
  /** Day number (days since 1970-01-01); null when no rule needs it. */
  readonly asOf: number | null;
  readonly by: string | null;
  readonly id: string;
  readonly orderBy: string | null;
  readonly offset: number;
  readonly limit: number;
  readonly groupSizes: boolean;
}

export interface ChurnRuleCount {
  readonly id: string;
  readonly kind: ChurnRuleKind;
  readonly threshold: number;
  readonly label: string;
  readonly column: string;
  /** Clients hitting the rule. */
  readonly clients: number;
  /** Rows whose column is null / NaN (never hit). */
  readonly missing: number;
  readonly nan: number;
}

export interface ChurnGroupCount {
  readonly key: string | null;
  /** All rows of the group when `groupSizes` is on, else null. */
  readonly rows: number | null;
  readonly any: number;
  /** Clients hitting each rule, in rule order. */
  readonly perRule: number[];
}

export interface AtRiskClient {
  readonly clientId: string | null;
  readonly row: number;
  readonly rulesHit: number;
  /** Bit j set when rules[j] is hit. */
  readonly mask: number;
  readonly ruleIds: string[];
  /** The orderBy value; null when null or NaN (or no orderBy). */
  readonly orderValue: number | null;
}

export interface ChurnRulesResult {
  readonly rows: number;
  readonly any: number;
  readonly rules: ChurnRuleCount[];
  readonly by: string | null;
  readonly groups: ChurnGroupCount[];
  readonly atRisk: { readonly offset: number; readonly limit: number; readonly total: number; readonly clients: AtRiskClient[] };
}

export interface ChurnPartial {
  readonly rows: number;
  readonly any: number;
  readonly hits: number[];
  readonly missing: number[];
  readonly nan: number[];
  readonly groups: ChurnGroupCount[];
  readonly top: RankedRow[];
}

function validateRule(raw: unknown, i: number, schema: readonly ColumnInfo[]): ChurnRule {
  const f = `rules[${i}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SpecError(NAME, f, `must be an object { id, kind, threshold?, label?, column? }; got ${describe(raw)}.`);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['id', 'kind', 'threshold', 'label', 'column'].includes(k)) throw new SpecError(NAME, `${f}.${k}`, 'is not a field of a rule (fields: id, kind, threshold, label, column).');
  }
  const id = stringField(NAME, `${f}.id`, o.id, 64);
  if (typeof o.kind !== 'string' || !Object.hasOwn(CHURN_RULE_KINDS, o.kind)) {
    throw new SpecError(NAME, `${f}.kind`, `must be one of ${Object.keys(CHURN_RULE_KINDS).join(', ')}; got ${describe(o.kind)}.`);
  }
  const kind = o.kind as ChurnRuleKind;
  const def = CHURN_RULE_KINDS[kind];
  const threshold = numberField(NAME, `${f}.threshold`, o.threshold, def.threshold, def.maxExclusive
    ? { min: def.min, below: def.max, integer: def.integer }
    : { min: def.min, max: def.max, integer: def.integer });
  const label = o.label === undefined ? def.label(threshold) : stringField(NAME, `${f}.label`, o.label, 200);
  const column = requireColumn(NAME, `${f}.column`, o.column ?? def.column, schema, def.kinds);
  return { id, kind, threshold, label, column };
}

function validate(spec: unknown, schema: readonly ColumnInfo[]): ChurnRulesSpec {
  const o = specObject(NAME, spec, ['rules', 'asOf', 'by', 'id', 'orderBy', 'offset', 'limit', 'groupSizes']);
  const rawRules = o.rules === undefined ? DEFAULT_CHURN_RULES : o.rules;
  if (!Array.isArray(rawRules) || rawRules.length === 0 || rawRules.length > MAX_CHURN_RULES) {
    throw new SpecError(NAME, 'rules', `must be an array of 1 to ${MAX_CHURN_RULES} rules; got ${Array.isArray(rawRules) ? `${rawRules.length} rules` : describe(rawRules)}.`);
  }
  const rules = rawRules.map((r, i) => validateRule(r, i, schema));
  for (let i = 0; i < rules.length; i++) {
    const j = rules.findIndex((r) => r.id === rules[i].id);
    if (j < i) throw new SpecError(NAME, `rules[${i}].id`, `repeats the id "${rules[i].id}" of rules[${j}]; rule ids must be unique.`);
  }
  const needsAsOf = rules.some((r) => r.kind === 'inactivity');
  let asOf: number | null = null;
  if (o.asOf !== undefined && o.asOf !== null) asOf = dayField(NAME, 'asOf', o.asOf);
  else if (needsAsOf) throw new SpecError(NAME, 'asOf', "is needed by the inactivity rule: the day the data describes, as 'YYYY-MM-DD'.");
  const by = validateBy(NAME, o.by, schema);
  const id = requireColumn(NAME, 'id', o.id ?? DEFAULT_CHURN_ID_COLUMN, schema, ['string']);
  const orderBy = o.orderBy === null ? null : requireColumn(NAME, 'orderBy', o.orderBy ?? DEFAULT_AT_RISK_ORDER_COLUMN, schema, ['float', 'int']);
  const offset = numberField(NAME, 'offset', o.offset, 0, { integer: true, min: 0, max: MAX_AT_RISK_PAGE_END });
  const limit = numberField(NAME, 'limit', o.limit, DEFAULT_AT_RISK_LIMIT, { integer: true, min: 0, max: MAX_AT_RISK_PAGE_END - offset });
  if (o.groupSizes !== undefined && typeof o.groupSizes !== 'boolean') throw new SpecError(NAME, 'groupSizes', `must be true or false; got ${describe(o.groupSizes)}.`);
  const groupSizes = o.groupSizes === true;
  return { rules, asOf, by, id, orderBy, offset, limit, groupSizes };
}

/** The smallest double above x (x finite): v <= t exactly when v < nextUp(t), for every double v. */
export function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const f = new Float64Array([x]);
  const bits = new BigInt64Array(f.buffer);
  bits[0] += x > 0 ? 1n : -1n;
  return f[0];
}

/** The largest double below x (x finite): v >= t exactly when v > nextDown(t). */
export function nextDown(x: number): number {
  return -nextUp(-x);
}

/*
 * Rule loops, column at a time: one function per value type and direction (v > t, v < t; <= and >=
 * become < nextUp(t) and > nextDown(t)), so each stays monomorphic and branch-light. The value test
 * comes first and the validity bit is read only for rows that pass it (hits are rare); a null row's
 * stored value is arbitrary, so a passing value is still checked. For Float64 the test is written
 * so that NaN passes it too (`!(v <= t)`), and is then told apart from a hit: NaN rows are counted
 * at no cost to the common path (in out[0]). Null rows are counted from the column's null count.
 * Each hit sets the rule's bit in the batch's mask and appends the row to `list` from `at`; the
 * new end of the list is returned (so a rule's hit count is the length of its list).
 * Measured on 1M generated rows: this plus the pass over the lists costs ~1.2x a hand-fused loop
 * over the two default rules, where fusing generically (any rules, any column types, without code
 * generation) or scanning the whole mask afterwards cost 1.5-2x.
 */
function markGtF64(values: Float64Array, bm: Uint8Array | null, off: number, n: number, t: number, mask: Uint32Array, bit: number, list: Int32Array, at: number, out: Float64Array): number {
  let k = at;
  let nans = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!(v <= t) && (bm === null || bitAt(bm, off + i))) {
      if (v === v) { mask[i] |= bit; list[k++] = i; } else nans++;
    }
  }
  out[0] += nans;
  return k;
}

function markLtF64(values: Float64Array, bm: Uint8Array | null, off: number, n: number, t: number, mask: Uint32Array, bit: number, list: Int32Array, at: number, out: Float64Array): number {
  let k = at;
  let nans = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!(v >= t) && (bm === null || bitAt(bm, off + i))) {
      if (v === v) { mask[i] |= bit; list[k++] = i; } else nans++;
    }
  }
  out[0] += nans;
  return k;
}

function markGtI32(values: Int32Array, bm: Uint8Array | null, off: number, n: number, t: number, mask: Uint32Array, bit: number, list: Int32Array, at: number): number {
  let k = at;
  for (let i = 0; i < n; i++) if (values[i] > t && (bm === null || bitAt(bm, off + i))) { mask[i] |= bit; list[k++] = i; }
  return k;
}

function markLtI32(values: Int32Array, bm: Uint8Array | null, off: number, n: number, t: number, mask: Uint32Array, bit: number, list: Int32Array, at: number): number {
  let k = at;
  for (let i = 0; i < n; i++) if (values[i] < t && (bm === null || bitAt(bm, off + i))) { mask[i] |= bit; list[k++] = i; }
  return k;
}

/** One batch's rule hits: the mask of rules hit per row, and each rule's hit rows (see the rule loops). */
interface RuleHits {
  readonly mask: Uint32Array;
  /** Rule j's hit rows are list[ends[j - 1]..ends[j]) (ends[-1] = 0). */
  readonly list: Int32Array;
  readonly ends: Int32Array;
  /** Per rule: NaN values, null values (neither hits). */
  readonly nans: Float64Array;
  readonly nulls: Float64Array;
}

/**
 * Per batch, per rule set (columns, directions and thresholds). The page asks twice per filter
 * change with the same rules (the at-risk list and the counts by segment), and the second asks for
 * hits the first found. A filtered view's are in buffers of the view (viewBuffer).
 */
const hitsMemo = new BatchMemo<RuleHits>();
/** The hit rows of the batch being evaluated; copied out at their count. */
let listScratch = new Int32Array(0);

/** The memo key of a rule set: what evaluateRules reads besides the batch. */
function ruleSetKey(spec: ChurnRulesSpec, gt: readonly boolean[], thresholds: readonly number[]): string {
  return spec.rules.map((r, j) => `${r.column}\u0000${gt[j] ? '>' : '<'}${thresholds[j]}`).join('\u0001');
}

function evaluateRules(batch: RecordBatch, spec: ChurnRulesSpec, gt: readonly boolean[], thresholds: readonly number[]): RuleHits {
  const R = spec.rules.length;
  const n = batch.numRows;
  const mask = new Uint32Array(viewBuffer(batch, 4 * n), 0, n).fill(0);
  const ends = new Int32Array(R);
  const nans = new Float64Array(R);
  const nulls = new Float64Array(R);
  const out = new Float64Array(1);
  let k = 0;
  for (let j = 0; j < R; j++) {
    const view = numericView(batch, spec.rules[j].column);
    const t = thresholds[j];
    const bit = 1 << j; // bit 31 is negative as an int32; Uint32Array stores it as 2^31
    out[0] = 0;
    // Room for every row to hit this rule; grows with the hits so far, not with rules x rows.
    if (listScratch.length < k + n) {
      const grown = new Int32Array(Math.max(2 * listScratch.length, k + n));
      grown.set(listScratch.subarray(0, k));
      listScratch = grown;
    }
    // On Int32 values compare with an integer (v > t <=> v > floor(t), v < t <=> v < ceil(t)):
    // a fractional double threshold made V8's loop ~3x slower (measured).
    if (view.values instanceof Int32Array) k = gt[j] ? markGtI32(view.values, view.bitmap, view.offset, n, Math.floor(t), mask, bit, listScratch, k) : markLtI32(view.values, view.bitmap, view.offset, n, Math.ceil(t), mask, bit, listScratch, k);
    else k = gt[j] ? markGtF64(view.values, view.bitmap, view.offset, n, t, mask, bit, listScratch, k, out) : markLtF64(view.values, view.bitmap, view.offset, n, t, mask, bit, listScratch, k, out);
    ends[j] = k;
    nans[j] = out[0];
    nulls[j] = view.bitmap === null ? 0 : batch.getChild(spec.rules[j].column)!.data[0].nullCount;
  }
  const list = new Int32Array(viewBuffer(batch, 4 * Math.max(k, 1)), 0, k);
  list.set(listScratch.subarray(0, k));
  return { mask, list, ends, nans, nulls };
}

function popcount(m: number): number {
  m = m - ((m >>> 1) & 0x55555555);
  m = (m & 0x33333333) + ((m >>> 2) & 0x33333333);
  return (((m + (m >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Rows per group (Int32 counters: cheaper chains of increments than Float64). */
function countGroupRows(codes: Int32Array, gbm: Uint8Array | null, goff: number, nullSlot: number, n: number, gRows: Float64Array): void {
  const c = new Int32Array(nullSlot + 1);
  if (gbm === null) for (let i = 0; i < n; i++) c[codes[i]]++;
  else for (let i = 0; i < n; i++) c[bitAt(gbm, goff + i) ? codes[i] : nullSlot]++;
  for (let g = 0; g <= nullSlot; g++) gRows[g] += c[g];
}

/**
 * Visits every row hitting at least one rule exactly once, from the rules' hit lists: a row in
 * rule j's list is new unless it also hit a rule before j (bits below j). Per row: groups and a
 * heap offer. Order of visits does not matter (counts; the heap's order is total). Returns the
 * number of rows hitting any rule.
 */
function scanHits(
  mask: Uint32Array, list: Int32Array, ends: Int32Array, ruleCount: number,
  codes: Int32Array | null, gbm: Uint8Array | null, goff: number, nullSlot: number, gAny: Float64Array, gRule: Float64Array,
  ov: Float64Array | null, obm: Uint8Array | null, ooff: number,
  top: TopRows, batchNo: number, rowOffset: number, positions: Int32Array | undefined,
): number {
  let any = 0;
  // One loop over every rule's list, the rule advanced at its list's end: an inner loop per rule
  // was compiled on its own while it ran, and each exit from it to the rule loop went back to the
  // interpreter (V8: "exit from OSR'd inner loop"), once per rule per batch.
  const last = ruleCount > 0 ? ends[ruleCount - 1] : 0;
  let j = 0;
  let lower = 0;
  for (let h = 0; h < last; h++) {
    while (h >= ends[j]) {
      j++;
      lower = (2 ** j - 1) | 0;
    }
    const i = list[h];
    const m = mask[i];
    if ((m & lower) !== 0) continue;
    any++;
    if (codes !== null) {
      const g = gbm !== null && !bitAt(gbm, goff + i) ? nullSlot : codes[i];
      gAny[g]++;
      let rest = m;
      while (rest !== 0) {
        const low = rest & -rest;
        gRule[g * ruleCount + (31 - Math.clz32(low))]++;
        rest ^= low;
      }
    }
    const key = ov === null || (obm !== null && !bitAt(obm, ooff + i)) ? NaN : ov[i];
    top.offer(popcount(m), key, batchNo, i, rowOffset + (positions ? positions[i] : i), m);
  }
  return any;
}

export const churnRulesKernel: KernelDef<ChurnRulesSpec, ChurnPartial, ChurnRulesResult> = {
  name: NAME,
  validate,
  async map(rows: readonly RowBatch[], spec: ChurnRulesSpec, _params: undefined, ctx: KernelContext): Promise<ChurnPartial> {
    const R = spec.rules.length;
    const hits = new Array<number>(R).fill(0);
    const missing = new Array<number>(R).fill(0);
    const nan = new Array<number>(R).fill(0);
    const groups = new Map<string | null, { rows: number | null; any: number; perRule: number[] }>();
    const top = new TopRows(spec.offset + spec.limit);
    // Each rule as "value > t" or "value < t" on its column (see the rule loops).
    const gt = spec.rules.map((r) => r.kind === 'asset-outflow' || r.kind === 'late-payments');
    const thresholds = spec.rules.map((r) =>
      r.kind === 'inactivity' ? nextUp(spec.asOf! - r.threshold) // asOf - d >= N  <=>  d <= asOf - N
        : r.kind === 'asset-outflow' ? r.threshold
          : r.kind === 'low-satisfaction' ? nextUp(r.threshold)
            : nextDown(r.threshold));
    const ruleSet = ruleSetKey(spec, gt, thresholds);
    let total = 0;
    let any = 0;
    for (let b = 0; b < rows.length; b++) {
      const { batch, rowOffset } = rows[b];
      total += batch.numRows;
      const { mask, list, ends, nans, nulls } = hitsMemo.get(batch, ruleSet, () => evaluateRules(batch, spec, gt, thresholds));
      for (let j = 0; j < R; j++) {
        hits[j] += ends[j] - (j === 0 ? 0 : ends[j - 1]);
        nan[j] += nans[j];
        missing[j] += nulls[j];
      }
      const g = spec.by === null ? null : groupCodes(batch, spec.by);
      const slots = g === null ? 0 : g.nullSlot + 1;
      const gRows = new Float64Array(slots);
      const gAny = new Float64Array(slots);
      const gRule = new Float64Array(slots * R);
      if (g !== null && spec.groupSizes) countGroupRows(g.codes, g.bitmap, g.offset, g.nullSlot, batch.numRows, gRows);
      const ov = spec.orderBy === null ? null : numericView(batch, spec.orderBy);
      const batchNo = top.addBatch(idView(batch, spec.id));
      any += scanHits(
        mask, list, ends, R,
        g === null ? null : g.codes, g === null ? null : g.bitmap, g === null ? 0 : g.offset, g === null ? 0 : g.nullSlot, gAny, gRule,
        ov === null ? null : float64Values(ov), ov === null ? null : ov.bitmap, ov === null ? 0 : ov.offset,
        top, batchNo, rowOffset, rows[b].positions,
      );
      for (let s = 0; s < slots; s++) {
        if ((spec.groupSizes ? gRows[s] : gAny[s]) === 0) continue;
        const key = s === g!.nullSlot ? null : g!.labels[s];
        let acc = groups.get(key);
        if (!acc) groups.set(key, (acc = { rows: spec.groupSizes ? 0 : null, any: 0, perRule: new Array<number>(R).fill(0) }));
        if (acc.rows !== null) acc.rows += gRows[s];
        acc.any += gAny[s];
        for (let j = 0; j < R; j++) acc.perRule[j] += gRule[s * R + j];
      }
      ctx.progress((b + 1) / rows.length);
      await ctx.checkpoint();
    }
    return {
      rows: total, any, hits, missing, nan,
      groups: [...groups].map(([key, v]) => ({ key, ...v })),
      top: top.rows(),
    };
  },
  reduce(partials: ChurnPartial[], spec: ChurnRulesSpec): ChurnRulesResult {
    const R = spec.rules.length;
    let rows = 0;
    let any = 0;
    const hits = new Array<number>(R).fill(0);
    const missing = new Array<number>(R).fill(0);
    const nan = new Array<number>(R).fill(0);
    const groups = new Map<string | null, ChurnGroupCount>();
    for (const p of partials) {
      rows += p.rows;
      any += p.any;
      for (let j = 0; j < R; j++) {
        hits[j] += p.hits[j];
        missing[j] += p.missing[j];
        nan[j] += p.nan[j];
      }
      for (const g of p.groups) {
        const acc = groups.get(g.key);
        if (!acc) {
          groups.set(g.key, { key: g.key, rows: g.rows, any: g.any, perRule: [...g.perRule] });
          continue;
        }
        groups.set(g.key, { key: g.key, rows: acc.rows === null || g.rows === null ? null : acc.rows + g.rows, any: acc.any + g.any, perRule: acc.perRule.map((v, j) => v + g.perRule[j]) });
      }
    }
    const page = mergeRankedRows(partials.map((p) => p.top), spec.offset, spec.offset + spec.limit);
    return {
      rows,
      any,
      rules: spec.rules.map((r, j) => ({ ...r, clients: hits[j], missing: missing[j], nan: nan[j] })),
      by: spec.by,
      groups: [...groups.values()].sort((a, b) => compareGroupKeys(a.key, b.key)),
      atRisk: {
        offset: spec.offset,
        limit: spec.limit,
        total: any,
        clients: page.map((r) => ({
          clientId: r.id,
          row: r.row,
          rulesHit: r.primary,
          mask: r.tag,
          ruleIds: spec.rules.filter((_, j) => ((r.tag >>> j) & 1) === 1).map((x) => x.id),
          orderValue: r.secondary,
        })),
      },
    };
  },
};
