import { ClFunnel } from './cl-funnel.component.js';

export { ClFunnel };
export { DEFAULT_FUNNEL_STEPS } from './cl-funnel.component.js';
export type { FunnelDateStep, FunnelOrientation, FunnelSelectDetail, FunnelSpecInput } from './cl-funnel.component.js';

if (!customElements.get('cl-funnel')) customElements.define('cl-funnel', ClFunnel);

declare global {
  interface HTMLElementTagNameMap {
    'cl-funnel': ClFunnel;
  }
  interface HTMLElementEventMap {
    'cl-funnel-select': CustomEvent<import('./cl-funnel.component.js').FunnelSelectDetail>;
  }
}
