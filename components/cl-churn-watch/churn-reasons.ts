/**
 * Churn rules in words an RM reads out on the phone: a rule's name ("No transaction for 90 days")
 * and, for one client, why it was hit ("124 days without a transaction", "62% of assets moved out in
 * 3 months"). Shared by cl-churn-watch and cl-client-card so both say the same thing; the filter
 * conditions that select a rule's clients live here too, next to the rule semantics they mirror.
 */
import { msg, str } from '@lit/localize';
import { CHURN_RULE_KINDS, type ChurnRuleInput, type ChurnRuleKind } from '../../workers/kernels/churn-rule-kinds.js';
import { parseIsoDay } from '../../workers/kernels/iso-day.js';
import type { ClientValues } from '../../workers/kernels/client-lookup.js';
import type { FilterCondition } from '../../src/query/filter-store.js';
import { formatNumber, formatPercent } from '../../src/i18n/format.js';

/** The day the generated portfolio describes; elements take `as-of` to change it. */
export const DEFAULT_AS_OF = '2026-06-30';

/** A rule as the elements hold it: the kernel's input with its defaults filled in. */
export interface RuleView {
  readonly id: string;
  readonly kind: ChurnRuleKind;
  readonly threshold: number;
  readonly column: string;
  /** Set only when the host gave its own label (shown as given, untranslated). */
  readonly label?: string;
}

export function ruleView(r: ChurnRuleInput): RuleView {
  // A rule of an unknown kind still gets a view (named by its id), so the element can render the
  // kernel's SpecError about it instead of failing here.
  const def = Object.hasOwn(CHURN_RULE_KINDS, r.kind) ? CHURN_RULE_KINDS[r.kind] : undefined;
  return { id: String(r.id), kind: r.kind, threshold: r.threshold ?? def?.threshold ?? NaN, column: r.column ?? def?.column ?? '', label: r.label ?? (def ? undefined : String(r.id)) };
}

/** The rule's name in the UI language, e.g. "No transaction for 90 days". */
export function ruleName(r: RuleView): string {
  if (r.label) return r.label;
  const t = r.threshold;
  switch (r.kind) {
    case 'inactivity': return msg(str`No transaction for ${formatNumber(t)} days`, { id: 'churn.rule.inactivity' });
    case 'asset-outflow': return msg(str`Asset outflow above ${formatPercent(t, undefined, 0)}`, { id: 'churn.rule.outflow' });
    case 'low-satisfaction': return msg(str`NPS answer ${formatNumber(t)} or lower`, { id: 'churn.rule.nps' });
    case 'late-payments': return msg(str`${formatNumber(t)} or more late repayments`, { id: 'churn.rule.late' });
    default: return r.id;
  }
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Days since 1970-01-01 of a JSON-safe date value ('YYYY-MM-DD', or a day number in an int column). */
export function dayOf(v: unknown): number | null {
  if (typeof v === 'number') return Number.isInteger(v) ? v : null;
  return typeof v === 'string' ? parseIsoDay(v) : null;
}

/** Days between the client's last transaction and as-of, or null when unknown. */
export function daysInactive(values: ClientValues | null | undefined, asOf: string, column = 'lastTxnDate'): number | null {
  const day = dayOf(values?.[column]);
  const ref = parseIsoDay(asOf);
  return day === null || ref === null ? null : ref - day;
}

/**
 * Why this client hit the rule, from the client's own values: "124 days without a transaction". Falls
 * back to the rule's name when the value is not at hand (e.g. still loading).
 */
export function ruleReason(r: RuleView, values: ClientValues | null | undefined, asOf: string): string {
  const v = values?.[r.column];
  switch (r.kind) {
    case 'inactivity': {
      const d = daysInactive(values, asOf, r.column);
      // The figure first, as in every reason: a narrow list cuts the end of the text.
      return d === null ? ruleName(r) : msg(str`${formatNumber(d)} days without a transaction`, { id: 'churn.reason.inactivity' });
    }
    case 'asset-outflow': {
      const x = num(v);
      if (x === null) return ruleName(r);
      return r.column === 'assetOutflow3m'
        ? msg(str`${formatPercent(x, undefined, 0)} of assets moved out in 3 months`, { id: 'churn.reason.outflow-3m' })
        : msg(str`${formatPercent(x, undefined, 0)} of assets moved out`, { id: 'churn.reason.outflow' });
    }
    case 'low-satisfaction': {
      const x = num(v);
      return x === null ? ruleName(r) : msg(str`Answered ${formatNumber(x)} out of 10 when asked to recommend us`, { id: 'churn.reason.nps' });
    }
    case 'late-payments': {
      const x = num(v);
      return x === null ? ruleName(r) : msg(str`${formatNumber(x)} late loan repayments in 12 months`, { id: 'churn.reason.late' });
    }
    default:
      return ruleName(r);
  }
}

function isoDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The page-filter conditions that select exactly the clients hitting `r` (nulls and NaN never
 * pass, as in the kernel). `dateColumn` tells a DateDay column from an int day-number column.
 */
export function ruleConditions(r: RuleView, asOf: string, dateColumn: boolean): FilterCondition[] {
  switch (r.kind) {
    case 'inactivity': {
      const ref = parseIsoDay(asOf);
      if (ref === null) return [];
      // asOf - lastTxnDate >= N  <=>  lastTxnDate <= asOf - N
      return [{ column: r.column, op: 'lte', value: dateColumn ? isoDay(ref - r.threshold) : ref - r.threshold }];
    }
    case 'asset-outflow': return [{ column: r.column, op: 'gt', value: r.threshold }];
    case 'low-satisfaction': return [{ column: r.column, op: 'lte', value: r.threshold }];
    case 'late-payments': return [{ column: r.column, op: 'gte', value: r.threshold }];
    default: return [];
  }
}
