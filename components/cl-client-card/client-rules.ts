/**
 * The churn rules for one client, decided by the churn-rules kernel itself, so the card and the
 * churn watch can never disagree on who is at risk.
 *
 * Why not over the dataset with a page filter `clientId eq id`: the filter language compares
 * string columns with isNull / notNull only (filter.ts), so that spec is refused. Instead the
 * kernel runs on a one-row table of the client's looked-up values (the 'kernel-rows' job, in a
 * worker, so the kernel's code stays out of the page): one row, no loop over the dataset, same
 * code and same semantics (nulls and NaN never hit; thresholds, >= / > exactly as the kernel
 * reads them).
 */
import type { Dataset } from '../../src/dataset/data-hub.js';
import type { ColumnValues } from '../../src/schema/arrow-columns.js';
import { kindOf } from '../../workers/kernels/column-kind.js';
import type { ChurnRuleInput } from '../../workers/kernels/churn-rule-kinds.js';
import type { ChurnRulesResult } from '../../workers/kernels/churn-rules.js';
import type { ClientValues } from '../../workers/kernels/client-lookup.js';
import type { KernelRowsArgs } from '../../workers/jobs/kernel-rows-job.js';
import { dayOf, ruleView } from '../cl-churn-watch/churn-reasons.js';

function finite(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function columnOf(type: string, value: unknown): ColumnValues | null {
  switch (kindOf(type)) {
    case 'float': {
      const x = finite(value);
      return { type: 'float', values: Float64Array.of(x ?? 0), valid: Uint8Array.of(x === null ? 0 : 1) };
    }
    case 'int': {
      const x = finite(value);
      return { type: 'int', values: Int32Array.of(x ?? 0), valid: Uint8Array.of(x === null ? 0 : 1) };
    }
    case 'date': {
      const d = dayOf(value);
      return { type: 'date', values: Int32Array.of(d ?? 0), valid: Uint8Array.of(d === null ? 0 : 1) };
    }
    default:
      return null;
  }
}

/** Ids of the rules this client hits (in rule order), as the churn-rules kernel decides them. */
export async function clientRuleHits(dataset: Dataset, clientId: string, values: ClientValues, rules: readonly ChurnRuleInput[], asOf: string, signal?: AbortSignal): Promise<string[]> {
  const columns: Record<string, ColumnValues> = { clientId: { type: 'string', values: [clientId] } };
  for (const r of rules.map(ruleView)) {
    const info = dataset.schema.find((c) => c.name === r.column);
    const v = info ? columnOf(info.type, values[r.column]) : null;
    // A column the dataset lacks stays out: the kernel then names it in its error.
    if (v) columns[r.column] = v;
  }
  const args: KernelRowsArgs = { kernel: 'churn-rules', columns, spec: { rules, asOf, orderBy: null, limit: 0 } };
  const result = await dataset.runOnAnyWorker<ChurnRulesResult>('kernel-rows', args, { signal });
  return result.rules.filter((r) => r.clients > 0).map((r) => r.id);
}
