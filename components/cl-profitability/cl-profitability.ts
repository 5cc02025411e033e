import { ClProfitability } from './cl-profitability.component.js';

export { ClProfitability };
export { DEFAULT_CLTV_CAC_TARGET } from './cl-profitability.component.js';
export type { ProfitSelectDetail, ProfitSpecInput, ProfitView } from './cl-profitability.component.js';

if (!customElements.get('cl-profitability')) customElements.define('cl-profitability', ClProfitability);

declare global {
  interface HTMLElementTagNameMap {
    'cl-profitability': ClProfitability;
  }
  interface HTMLElementEventMap {
    'cl-profit-select': CustomEvent<import('./cl-profitability.component.js').ProfitSelectDetail>;
  }
}
