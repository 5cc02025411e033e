import { ClSegments } from './cl-segments.component.js';

export { ClSegments };
export type { SegmentSelectDetail, SegmentsView } from './cl-segments.component.js';

if (!customElements.get('cl-segments')) customElements.define('cl-segments', ClSegments);

declare global {
  interface HTMLElementTagNameMap {
    'cl-segments': ClSegments;
  }
  interface HTMLElementEventMap {
    'cl-segment-select': CustomEvent<import('./cl-segments.component.js').SegmentSelectDetail>;
  }
}
