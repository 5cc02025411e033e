/**
 * Where the funnel puts off-path lifecycle stages by default (funnel.ts, stage mode): clients who
 * declined, went dormant, churned or were won back fell off somewhere after 'new'. The funnel
 * element shows this mapping on the page, where the kernel's code is not loaded; funnel.ts
 * re-exports it.
 */
export const DEFAULT_STAGE_MAPPING: Readonly<Record<string, string | null>> = Object.freeze({
  declining: 'new',
  dormant: 'new',
  churned: 'new',
  'win-back': 'new',
});
