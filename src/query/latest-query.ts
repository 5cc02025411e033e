/**
 * One per panel: starting a query cancels the one before it, so a slow stale answer never
 * overwrites a newer one and its workers stop early.
 */
import type { Disposable } from '../lifecycle/disposable.js';

export class LatestQuery implements Disposable {
  private controller?: AbortController;

  run<T>(query: (signal: AbortSignal) => Promise<T>): Promise<T> {
    this.controller?.abort(new DOMException('Superseded by a newer query.', 'AbortError'));
    const controller = (this.controller = new AbortController());
    return query(controller.signal);
  }

  dispose(): void {
    this.controller?.abort(new DOMException('The panel went away.', 'AbortError'));
    this.controller = undefined;
  }
}
