import { ClKpi } from './cl-kpi.component.js';

export { ClKpi };
export type { KpiMetric } from './cl-kpi.component.js';

if (!customElements.get('cl-kpi')) customElements.define('cl-kpi', ClKpi);

declare global {
  interface HTMLElementTagNameMap {
    'cl-kpi': ClKpi;
  }
}
