/**
 * The churn rules' vocabulary without the kernel: rule kinds with their default columns and
 * thresholds, the default rules, the at-risk page limits. Elements (rule editors, the churn list,
 * the client card) and the audit hook need these on the page; the kernel (churn-rules.ts) runs in
 * the workers.
 */
import type { ColumnKind } from './column-kind.js';

export type ChurnRuleKind = 'inactivity' | 'asset-outflow' | 'low-satisfaction' | 'late-payments';

/** "No transaction for 3 months". */
export const DEFAULT_INACTIVITY_DAYS = 90;
/** "More than half of assets moved out". */
export const DEFAULT_OUTFLOW_THRESHOLD = 0.5;
/** NPS answers 0-6 are detractors. */
export const DEFAULT_NPS_THRESHOLD = 6;
/** Any late repayment over 12 months. */
export const DEFAULT_LATE_PAYMENTS_THRESHOLD = 1;
export const DEFAULT_AT_RISK_LIMIT = 100;
export const DEFAULT_AT_RISK_ORDER_COLUMN = 'aum';
export const DEFAULT_CHURN_ID_COLUMN = 'clientId';
export const MAX_CHURN_RULES = 32;
/** offset + limit of the at-risk page: each worker returns that many rows. */
export const MAX_AT_RISK_PAGE_END = 100_000;

export interface ChurnRuleKindDef {
  readonly column: string;
  readonly kinds: readonly ColumnKind[];
  readonly threshold: number;
  readonly min: number;
  readonly max: number;
  /** Upper bound excluded. */
  readonly maxExclusive: boolean;
  readonly integer: boolean;
  readonly label: (t: number) => string;
}

export const CHURN_RULE_KINDS: Readonly<Record<ChurnRuleKind, ChurnRuleKindDef>> = {
  'inactivity': { column: 'lastTxnDate', kinds: ['date', 'int'], threshold: DEFAULT_INACTIVITY_DAYS, min: 1, max: 36_500, maxExclusive: false, integer: true, label: (t) => `No transaction for ${t} days` },
  'asset-outflow': { column: 'assetOutflow3m', kinds: ['float'], threshold: DEFAULT_OUTFLOW_THRESHOLD, min: 0, max: 1, maxExclusive: true, integer: false, label: (t) => `Asset outflow above ${t * 100}%` },
  'low-satisfaction': { column: 'npsScore', kinds: ['int', 'float'], threshold: DEFAULT_NPS_THRESHOLD, min: 0, max: 10, maxExclusive: false, integer: false, label: (t) => `NPS answer ${t} or lower` },
  'late-payments': { column: 'latePayments12m', kinds: ['int', 'float'], threshold: DEFAULT_LATE_PAYMENTS_THRESHOLD, min: 1, max: 10_000, maxExclusive: false, integer: false, label: (t) => `${t} or more late repayments` },
};

export interface ChurnRuleInput {
  readonly id: string;
  readonly kind: ChurnRuleKind;
  readonly threshold?: number;
  readonly label?: string;
  readonly column?: string;
}

/** DOMAIN.md's default rules. */
export const DEFAULT_CHURN_RULES: readonly ChurnRuleInput[] = [
  { id: 'inactive-90d', kind: 'inactivity', threshold: DEFAULT_INACTIVITY_DAYS },
  { id: 'outflow-50pct', kind: 'asset-outflow', threshold: DEFAULT_OUTFLOW_THRESHOLD },
];
