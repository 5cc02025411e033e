/**
 * The built-in kernels' names, without their code: what the page needs to refuse a plugin kernel
 * that would take a built-in's name (index.ts holds the definitions; a test checks both agree).
 */
export const BUILTIN_KERNEL_NAMES: ReadonlySet<string> = new Set([
  'segment-rollup',
  'asset-loyalty',
  'kpis',
  'profitability',
  'whale-curve',
  'churn-rules',
  'rfm',
  'funnel',
  'client-lookup',
]);
