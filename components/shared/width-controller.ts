/**
 * The host's own width, for charts that lay out in pixels: observed with ResizeObserver and applied
 * in the next animation frame (re-rendering inside the observer's callback would change the
 * height in the same frame, which the browser reports as a "ResizeObserver loop").
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class WidthController implements ReactiveController {
  /** Current width in CSS pixels; `initial` until the first observation. */
  value: number;
  private observer?: ResizeObserver;
  private frame = 0;

  constructor(private readonly host: ReactiveControllerHost & Element, initial = 640) {
    this.value = initial;
    host.addController(this);
  }

  hostConnected(): void {
    this.observer = new ResizeObserver(([entry]) => {
      const w = Math.round(entry.contentRect.width);
      cancelAnimationFrame(this.frame);
      // Small changes (a scrollbar appearing) do not warrant a redraw.
      if (w > 0 && Math.abs(w - this.value) > 4) {
        this.frame = requestAnimationFrame(() => {
          this.value = w;
          this.host.requestUpdate();
        });
      }
    });
    this.observer.observe(this.host);
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
    this.observer = undefined;
    cancelAnimationFrame(this.frame);
  }
}
