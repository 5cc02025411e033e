/**
 * The tooltip of a chart's marks: shown above the mark the pointer is on or the keyboard focused,
 * one per element (panel.styles.ts styles `.tooltip`). The host re-renders when it changes.
 */
import { html, nothing, type ReactiveControllerHost } from 'lit';
import { styleProps } from './style-props.js';

export interface TipHandlers {
  readonly enter: (e: MouseEvent) => void;
  readonly focus: (e: FocusEvent) => void;
  readonly leave: () => void;
}

export class TooltipController {
  private hover?: { x: number; y: number; text: string };

  constructor(private readonly host: ReactiveControllerHost & Element) {}

  /** Shows `text` above the event's target. */
  show(e: MouseEvent | FocusEvent, text: string): void {
    const host = this.host.getBoundingClientRect();
    const target = (e.target as Element).getBoundingClientRect();
    this.hover = { x: target.left - host.left + target.width / 2, y: target.top - host.top - 6, text };
    this.host.requestUpdate();
  }

  hide(): void {
    if (!this.hover) return;
    this.hover = undefined;
    this.host.requestUpdate();
  }

  /** The handlers of one mark: @mouseenter, @focus show `text`; @mouseleave, @blur hide it. */
  handlers(text: string): TipHandlers {
    return { enter: (e) => this.show(e, text), focus: (e) => this.show(e, text), leave: () => this.hide() };
  }

  render() {
    if (!this.hover) return nothing;
    // Through CSSOM, which a strict style-src allows (a style attribute it would not): style-props.ts.
    return html`<div class="tooltip" role="tooltip" style=${styleProps({ left: `${this.hover.x}px`, top: `${this.hover.y}px`, transform: 'translate(-50%, -100%)' })}>${this.hover.text}</div>`;
  }
}

/** The chart's marks in DOM order (roving focus moves between them). */
export function chartMarks(host: { readonly renderRoot: ParentNode }): SVGElement[] {
  return [...host.renderRoot.querySelectorAll<SVGElement>('[data-chart] .mark')];
}
