/**
 * The columns a built-in kernel reads that its spec need not name: the defaults its validate fills
 * in (churn rules read lastTxnDate and assetOutflow3m, profitability revenue and costToServe...).
 * The audit hook (src/privacy/data-access.ts) reports them with the columns the spec names, on the
 * main thread and at once, without loading the kernels (they run in the workers).
 *
 * Contract: for every spec a kernel accepts, the columns its validated spec names are among those
 * the spec names plus these (test/node/implied-columns.test.ts checks it against each kernel's
 * validate). When unsure it errs on the side of a column too many: an audit may say a query read
 * a column it did not, never the other way round. Imports no kernel, so the page loads no kernel
 * code for it; a kernel that gains a default column adds it here (the test fails until then).
 */
import { CHURN_RULE_KINDS, DEFAULT_CHURN_RULES } from './churn-rule-kinds.js';

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const absent = (v: unknown) => v === undefined || v === null;
const field = (o: unknown, key: string): unknown => (isObject(o) ? o[key] : undefined);

/** The column a rule reads when it names none: its kind's. */
const ruleColumn = (kind: unknown): string => (typeof kind === 'string' && Object.hasOwn(CHURN_RULE_KINDS, kind) ? CHURN_RULE_KINDS[kind as keyof typeof CHURN_RULE_KINDS].column : '');
/** kpis.ts reads each of these the dataset has. */
const KPI_COLUMNS = ['aum', 'revenue', 'costToServe', 'churned', 'npsScore', 'productsHeld', 'lastTxnDate'];

function byKernel(kernel: string, o: unknown): string[] {
  const out: string[] = [];
  const ifAbsent = (v: unknown, column: string) => absent(v) && out.push(column);
  switch (kernel) {
    case 'kpis':
      return [...KPI_COLUMNS];
    case 'profitability':
    case 'whale-curve':
      ifAbsent(field(o, 'revenue'), 'revenue');
      ifAbsent(field(o, 'cost'), 'costToServe');
      if (kernel === 'profitability') {
        if (field(o, 'acquisitionCost') === undefined) out.push('acquisitionCost');
      } else ifAbsent(field(o, 'id'), 'clientId');
      return out;
    case 'churn-rules': {
      const rules = field(o, 'rules');
      for (const r of rules === undefined ? DEFAULT_CHURN_RULES : Array.isArray(rules) ? rules : []) if (absent(field(r, 'column'))) out.push(ruleColumn(field(r, 'kind')));
      ifAbsent(field(o, 'id'), 'clientId');
      if (field(o, 'orderBy') === undefined) out.push('aum');
      return out;
    }
    case 'rfm':
      ifAbsent(field(o, 'recencyColumn'), 'lastTxnDate');
      ifAbsent(field(o, 'frequencyColumn'), 'txnCount12m');
      ifAbsent(field(o, 'monetaryColumn'), 'revenue');
      return out;
    case 'asset-loyalty': {
      const loyalty = field(o, 'loyalty');
      ifAbsent(field(field(o, 'assets'), 'column'), 'aum');
      ifAbsent(field(field(loyalty, 'products'), 'column'), 'productsHeld');
      ifAbsent(field(field(loyalty, 'transactions'), 'column'), 'txnCount12m');
      ifAbsent(field(o, 'revenueColumn'), 'revenue');
      ifAbsent(field(o, 'idColumn'), 'clientId');
      return out;
    }
    case 'client-lookup':
      ifAbsent(field(o, 'id'), 'clientId');
      return out;
    default:
      return out;
  }
}

/** A wealth-tier dimension ({ tier: {...} }, anywhere in the spec) without a column reads aum. */
function tierDefaults(spec: unknown, out: string[], seen = new Set<unknown>()): void {
  if (typeof spec !== 'object' || spec === null || seen.has(spec)) return;
  seen.add(spec);
  if (isObject(spec) && 'tier' in spec && absent(field(spec.tier, 'column'))) out.push('aum');
  for (const v of Array.isArray(spec) ? spec : Object.values(spec)) tierDefaults(v, out, seen);
}

/** Columns `kernel` reads for `spec` without the spec naming them (unknown kernels: none). */
export function impliedColumns(kernel: string, spec: unknown): string[] {
  const out = byKernel(kernel, spec);
  tierDefaults(spec, out);
  return [...new Set(out.filter((c) => c !== ''))];
}
