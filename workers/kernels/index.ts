/**
 * The built-in kernels by name. The worker dispatches every kernel stage (check, map, reduce)
 * through this table; the page imports only their names (kernel-names.ts).
 */
import type { AnyKernel } from './kernel.js';
import { segmentRollup } from './segment-rollup.js';
import { assetLoyaltyKernel } from './asset-loyalty.js';
import { kpisKernel } from './kpis.js';
import { profitabilityKernel } from './profitability.js';
import { whaleCurveKernel } from './whale-curve.js';
import { churnRulesKernel } from './churn-rules.js';
import { rfmKernel } from './rfm.js';
import { funnelKernel } from './funnel.js';
import { clientLookupKernel } from './client-lookup.js';

const kernels: AnyKernel[] = [
  segmentRollup,
  assetLoyaltyKernel,
  kpisKernel,
  profitabilityKernel,
  whaleCurveKernel,
  churnRulesKernel,
  rfmKernel,
  funnelKernel,
  clientLookupKernel,
];

export const KERNELS: ReadonlyMap<string, AnyKernel> = new Map(kernels.map((k) => [k.name, k]));

export function getKernel(name: string): AnyKernel {
  const k = KERNELS.get(name);
  if (!k) throw new Error(`No kernel named "${name}"; known kernels: ${[...KERNELS.keys()].join(', ') || 'none'}.`);
  return k;
}
