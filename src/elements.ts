/**
 * `clientlens/elements`: the element classes without registering any tag, and `defineElements` to
 * register them under a prefix of the host's choosing. Two builds (two versions) can then share a
 * page: one as `cl-*`, the other as, say, `bank-*`, each with its own classes.
 */
import { ClDatasetLoader } from '../components/cl-dataset-loader/cl-dataset-loader.component.js';
import { ClKpi } from '../components/cl-kpi/cl-kpi.component.js';
import { ClDashboard } from '../components/cl-dashboard/cl-dashboard.component.js';
import { ClSegments } from '../components/cl-segments/cl-segments.component.js';
import { ClChurnWatch } from '../components/cl-churn-watch/cl-churn-watch.component.js';
import { ClClientCard } from '../components/cl-client-card/cl-client-card.component.js';
import { ClFunnel } from '../components/cl-funnel/cl-funnel.component.js';
import { ClProfitability } from '../components/cl-profitability/cl-profitability.component.js';
import { ClCommandPalette } from '../components/cl-command-palette/cl-command-palette.component.js';

export { ClDatasetLoader, ClKpi, ClDashboard, ClSegments };
export { ClChurnWatch, ClClientCard };
export { ClFunnel, ClProfitability };
export { ClCommandPalette };

export const ELEMENTS = {
  'dataset-loader': ClDatasetLoader,
  kpi: ClKpi,
  dashboard: ClDashboard,
  segments: ClSegments,
  'churn-watch': ClChurnWatch,
  'client-card': ClClientCard,
  funnel: ClFunnel,
  profitability: ClProfitability,
  'command-palette': ClCommandPalette,
} as const;

/**
 * Registers every element as `${prefix}-<name>` (e.g. prefix 'bank' gives bank-kpi). Each tag gets
 * its own subclass, because one class cannot be registered twice. Tags already defined are left
 * alone. Returns the tag names registered.
 */
export function defineElements(prefix = 'cl', registry: CustomElementRegistry = customElements): string[] {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(prefix)) throw new TypeError(`defineElements: prefix "${prefix}" must be lower-case letters, digits and dashes, starting with a letter.`);
  const defined: string[] = [];
  for (const [name, cls] of Object.entries(ELEMENTS)) {
    const tag = `${prefix}-${name}`;
    if (registry.get(tag)) continue;
    registry.define(tag, prefix === 'cl' ? cls : class extends (cls as typeof ClKpi) {});
    defined.push(tag);
  }
  return defined;
}
