import { ClChurnWatch } from './cl-churn-watch.component.js';

export { ClChurnWatch };
export type { ChurnWatchModelMode, ChurnWatchSort, ClientOpenDetail, ClientScore, RuleFilterDetail } from './cl-churn-watch.component.js';

if (!customElements.get('cl-churn-watch')) customElements.define('cl-churn-watch', ClChurnWatch);

declare global {
  interface HTMLElementTagNameMap {
    'cl-churn-watch': ClChurnWatch;
  }
  interface HTMLElementEventMap {
    'cl-client-open': CustomEvent<import('./cl-churn-watch.component.js').ClientOpenDetail>;
    'cl-rule-filter': CustomEvent<import('./cl-churn-watch.component.js').RuleFilterDetail>;
    'cl-sort-change': CustomEvent<{ sort: import('./cl-churn-watch.component.js').ChurnWatchSort }>;
  }
}
