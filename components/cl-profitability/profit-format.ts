/**
 * Labels, orders and number formats of cl-profitability, shared by the element (its default
 * waterfall view) and its views loaded on demand (cl-profitability.views.ts).
 */
import { msg, str } from '@lit/localize';
import { COMPANY_SIZES, LIFECYCLE_STAGES, WEALTH_TIERS } from '../../src/schema/client-schema.js';
import { valueLabel } from '../shared/field-labels.js';
import { formatCurrency, formatNumber } from '../../src/i18n/format.js';
import type { ProfitabilityResult, ProfitabilityStats } from '../../workers/kernels/profitability.js';
import type { WhaleCurveResult } from '../../workers/kernels/whale-curve.js';

/** DOMAIN.md's rule of thumb for a healthy relationship: CLTV at least 3 x CAC (a setting, not a constant). */
export const DEFAULT_CLTV_CAC_TARGET = 3;
/** The key of the group whose `by` value is missing (kernel key null). */
export const NULL_KEY = '\u0000null';
/** Category columns whose labels have an order of their own (the client schema's vocabularies). */
const NATURAL_ORDER: Record<string, readonly string[]> = { tier: WEALTH_TIERS, lifecycleStage: LIFECYCLE_STAGES, companySize: COMPANY_SIZES };

export type ProfitResult = ProfitabilityResult | WhaleCurveResult;
export const isWhale = (r: ProfitResult): r is WhaleCurveResult => 'points' in r;

/** Groups in their natural order when the column has one (wealth tiers, lifecycle, company size), else the kernel's label order. */
export function ordered(r: ProfitabilityResult, by: string): ProfitabilityStats[] {
  const vocab = NATURAL_ORDER[by];
  if (!vocab) return r.groups;
  const rank = (k: string | null) => (k === null ? Infinity : vocab.indexOf(k) < 0 ? vocab.length : vocab.indexOf(k));
  return [...r.groups].sort((a, b) => rank(a.key) - rank(b.key));
}

export function keyOf(g: ProfitabilityStats): string {
  return g.key === null ? NULL_KEY : g.key;
}

/** A group (a value of the grouping column `by`) as shown. */
export function groupLabel(by: string, key: string | null): string {
  return key === null || key === NULL_KEY ? msg('(none)', { id: 'profit.none' }) : valueLabel(by, key);
}

/** Compact amounts for axes and labels ("¥1.2M"). */
export function money(v: number, currency: string): string {
  return formatCurrency(v, currency, undefined, { notation: 'compact', maximumFractionDigits: 1 });
}

/** Full amounts for tables and tooltips. */
export function moneyFull(v: number, currency: string): string {
  return formatCurrency(v, currency);
}

export function ratio(v: number | null): string {
  return v === null ? '—' : formatNumber(v, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

export function multiple(v: number | null): string {
  return v === null ? '—' : `${formatNumber(v, { maximumFractionDigits: 1 })}×`;
}

/** A group's tooltip: its name, clients, revenue, cost, profit, cost-to-income and value destroyers, one per line. */
export function groupTip(by: string, g: ProfitabilityStats, currency: string): string {
  return [
    groupLabel(by, g.key),
    msg(str`${formatNumber(g.clients)} clients`, { id: 'profit.clients' }),
    `${msg('Revenue', { id: 'profit.revenue' })}: ${money(g.revenue, currency)}`,
    `${msg('Cost to serve', { id: 'profit.cost' })}: ${money(g.cost, currency)}`,
    `${msg('Profit', { id: 'profit.profit' })}: ${money(g.profit, currency)}`,
    `${msg('Cost-to-income', { id: 'profit.cti' })}: ${ratio(g.costToIncome)}`,
    msg(str`${formatNumber(g.valueDestroyers)} value destroyers`, { id: 'profit.destroyers' }),
  ].join('\n');
}

/** The class of a selectable mark: dimmed when another is selected, outlined when it is. */
export function markClass(selected: string | null | undefined, key: string, extra = ''): string {
  return `mark ${extra} ${selected != null && selected !== key ? 'dim' : ''} ${selected === key ? 'selected' : ''}`;
}
