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

/**
 * The built-in kernels with a prepare pass (a first stage whose partials are reduced into the
 * params of a second map). The page starts their first stage ahead of the other panels' from the
 * first query of a page's life (src/query/run-kernel.ts), so their second stage overlaps the
 * others instead of trailing them; a test checks this list against the definitions.
 */
export const BUILTIN_TWO_STAGE_KERNELS: ReadonlySet<string> = new Set(['whale-curve', 'rfm']);
