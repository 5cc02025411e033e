import { ClClientCard } from './cl-client-card.component.js';

export { ClClientCard };
export { checkSuitability } from './cl-client-card.component.js';
export type { ClientLoadDetail, SuitabilityCheck, SuitabilityProduct } from './cl-client-card.component.js';

if (!customElements.get('cl-client-card')) customElements.define('cl-client-card', ClClientCard);

declare global {
  interface HTMLElementTagNameMap {
    'cl-client-card': ClClientCard;
  }
  interface HTMLElementEventMap {
    'cl-client-load': CustomEvent<import('./cl-client-card.component.js').ClientLoadDetail>;
  }
}
