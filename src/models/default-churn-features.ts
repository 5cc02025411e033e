/**
 * The churn model's default features for a dataset in the client schema: every behavioural and
 * value field the dataset has, the `churned` label as target. Left out on purpose: identifiers and
 * free text (clientId, name, rm, branch: they identify, not explain), and lifecycleStage, whose
 * "churned" / "dormant" stages are defined from the same inactivity the label records, so a
 * model would learn the definition instead of the warning signs.
 */
import type { ColumnInfo } from '../cache/cache-manifest.js';
import type { FeatureSpec } from '../../workers/models/features.js';

const NUMERIC = [
  'aum', 'deposits', 'loans', 'revenue', 'costToServe', 'productsHeld', 'txnCount12m', 'lastTxnDate',
  'assetOutflow3m', 'npsScore', 'age', 'latePayments12m', 'riskLevel', 'openDate',
] as const;
const CATEGORICAL = ['clientType', 'segment', 'tier', 'channel', 'region'] as const;
export const CHURN_TARGET = 'churned';

export class MissingLabelError extends Error {
  override readonly name = 'MissingLabelError';
}

export function defaultChurnFeatures(schema: readonly ColumnInfo[]): FeatureSpec {
  const has = new Set(schema.map((c) => c.name));
  if (!has.has(CHURN_TARGET)) {
    throw new MissingLabelError(`A churn model learns from past outcomes: the dataset needs a "${CHURN_TARGET}" column (true for clients who left), and it has none. Map your own outcome column to "${CHURN_TARGET}".`);
  }
  const numeric = NUMERIC.filter((c) => has.has(c));
  const categorical = CATEGORICAL.filter((c) => has.has(c));
  if (numeric.length + categorical.length === 0) {
    throw new MissingLabelError(`A churn model needs at least one feature column (${[...NUMERIC, ...CATEGORICAL].join(', ')}); the dataset has none of them.`);
  }
  return { numeric, categorical, target: { column: CHURN_TARGET } };
}

/**
 * The columns the default churn model reads (its features and the label), e.g. for the data-access
 * announcement before training. The page's own reading of defaultChurnFeatures: the model code's
 * planColumns (workers/models/features.ts) lists the same, but it loads on demand.
 */
export function defaultChurnColumns(schema: readonly ColumnInfo[]): string[] {
  const { numeric = [], categorical = [], target } = defaultChurnFeatures(schema);
  return [...numeric, ...categorical, ...(target ? [target.column] : [])];
}
