/**
 * Code an element needs only after a user action or a non-default option (a chart view other than
 * its default, the table view, the command palette's list), fetched by `import()` the first time it
 * is needed instead of with the page (issue 5). The element's default rendering path never waits on
 * it: only what the user asked for does.
 *
 * Contract:
 * - `get()` returns the module once it has loaded, else undefined; the first call starts the load
 *   and the host updates when it settles. Loads are shared per loader function (keep loaders as
 *   module-level constants): a second element, or an element connected later, finds the module at
 *   once and never shows the loading line.
 * - `render(ready)` is what goes where the part goes: a status line while loading, an alert with
 *   the error (which names the file) and a "Try again" button when the load failed, `ready(module)`
 *   once loaded.
 * - A failed load is not kept: "Try again" (`retry()`) imports again.
 */
import { html, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { msg, str } from '@lit/localize';

type Loader<M> = () => Promise<M>;

const loaded = new WeakMap<Loader<unknown>, unknown>();
const pending = new WeakMap<Loader<unknown>, Promise<unknown>>();

export class OnDemand<M> {
  /** The last load's failure, until `retry()`. */
  error?: Error;

  /** Whether this element waits on the running load (one update request per load, not per render). */
  private waiting = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly load: Loader<M>,
  ) {}

  /** The module if it has loaded (starting the load if it has not). */
  get(): M | undefined {
    if (loaded.has(this.load)) return loaded.get(this.load) as M;
    if (this.error) return undefined;
    let running = pending.get(this.load);
    if (!running) {
      running = this.load().then(
        (m) => {
          loaded.set(this.load, m);
          pending.delete(this.load);
          return m;
        },
        (err: unknown) => {
          pending.delete(this.load);
          throw err;
        },
      );
      pending.set(this.load, running);
    }
    if (!this.waiting) {
      this.waiting = true;
      running.then(
        () => {
          this.waiting = false;
          this.host.requestUpdate();
        },
        (err: unknown) => {
          this.waiting = false;
          this.error = err instanceof Error ? err : new Error(String(err));
          this.host.requestUpdate();
        },
      );
    }
    return undefined;
  }

  /**
   * Settles once the module has loaded (with it) or failed (with undefined, the failure shown by
   * `render`), starting the load if need be: for an element that shows a part together with data it
   * is fetching, instead of the data first and a loading line after it.
   */
  async whenReady(): Promise<M | undefined> {
    const module = this.get();
    if (module !== undefined) return module;
    try {
      return (await pending.get(this.load)) as M | undefined;
    } catch {
      return undefined;
    }
  }

  /** Forgets a failed load and starts another. */
  retry(): void {
    this.error = undefined;
    this.get();
    this.host.requestUpdate();
  }

  render<R>(ready: (module: M) => R): R | TemplateResult {
    const module = this.get();
    if (module) return ready(module);
    if (this.error) return this.renderError(this.error);
    // aria-busy: the part is on its way (what waits for a settled panel waits for it too).
    return html`<p class="loading-part" role="status" aria-busy="true">${msg('Loading…', { id: 'on-demand.loading' })}</p>`;
  }

  private renderError(error: Error): TemplateResult {
    return html`<p class="error" role="alert">${msg(str`This part could not be loaded: ${error.message}`, { id: 'on-demand.error' })}
      <button type="button" @click=${() => this.retry()}>${msg('Try again', { id: 'on-demand.retry' })}</button></p>`;
  }
}
