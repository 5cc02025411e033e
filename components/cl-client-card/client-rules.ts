/**
 * The churn rules for one client, decided by the churn-rules kernel itself, so the card and the
 * churn watch can never disagree on who is at risk.
 *
 * Why not in the worker pool with a page filter `clientId eq id`: the filter language compares
 * string columns with isNull / notNull only (filter.ts), so that spec is refused. Instead the
 * kernel runs here on a one-row Arrow table built from the client's looked-up values: one row,
 * no loop over the dataset, same code and same semantics (nulls and NaN never hit; thresholds,
 * >= / > exactly as the kernel reads them).
 */
import { Table, type Vector } from 'apache-arrow';
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';
import { toVector } from '../../src/schema/arrow-columns.js';
import { kindOf } from '../../workers/kernels/columns.js';
import { churnRulesKernel, type ChurnRuleInput, type ChurnRulesResult } from '../../workers/kernels/churn-rules.js';
import type { ClientValues } from '../../workers/kernels/client-lookup.js';
import { runKernelLocal } from '../../workers/kernels/run-local.js';
import { dayOf, ruleView } from '../cl-churn-watch/churn-reasons.js';

function finite(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function vectorOf(type: string, value: unknown): Vector | null {
  switch (kindOf(type)) {
    case 'float': {
      const x = finite(value);
      return toVector({ type: 'float', values: Float64Array.of(x ?? 0), valid: Uint8Array.of(x === null ? 0 : 1) });
    }
    case 'int': {
      const x = finite(value);
      return toVector({ type: 'int', values: Int32Array.of(x ?? 0), valid: Uint8Array.of(x === null ? 0 : 1) });
    }
    case 'date': {
      const d = dayOf(value);
      return toVector({ type: 'date', values: Int32Array.of(d ?? 0), valid: Uint8Array.of(d === null ? 0 : 1) });
    }
    default:
      return null;
  }
}

/** Ids of the rules this client hits (in rule order), as the churn-rules kernel decides them. */
export async function clientRuleHits(clientId: string, values: ClientValues, schema: readonly ColumnInfo[], rules: readonly ChurnRuleInput[], asOf: string): Promise<string[]> {
  const columns: Record<string, Vector> = { clientId: toVector({ type: 'string', values: [clientId] }) };
  for (const r of rules.map(ruleView)) {
    const info = schema.find((c) => c.name === r.column);
    const v = info ? vectorOf(info.type, values[r.column]) : null;
    // A column the dataset lacks stays out: the kernel then names it in its error.
    if (v) columns[r.column] = v;
  }
  const result = await runKernelLocal<ChurnRulesResult>(churnRulesKernel, [new Table(columns)], { rules, asOf, orderBy: null, limit: 0 });
  return result.rules.filter((r) => r.clients > 0).map((r) => r.id);
}
