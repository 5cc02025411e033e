/**
 * Runs an element's kernel query in the worker pool whenever its dataset, spec or the page's
 * filters change. A newer query cancels the stale one; while it runs, the last good result stays
 * on screen marked stale, so the element never goes blank or freezes.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Dataset } from '../../src/dataset/data-hub.js';
import type { FilterSpec } from '../../src/query/filter-store.js';
import { LatestQuery } from '../../src/query/latest-query.js';
import { runKernel } from '../../src/query/run-kernel.js';
import { announceDataAccess, fieldsOfQuery } from '../../src/privacy/data-access.js';
import { sharedQuery } from '../../src/query/shared-query.js';
import type { Disposable } from '../../src/lifecycle/disposable.js';
import type { DatasetController } from './dataset-controller.js';
import { requestStatusUpdate, requestStatusUpdateSoon } from './status-update.js';

export interface KernelQuery {
  readonly kernel: string;
  readonly spec: Record<string, unknown>;
}

export interface KernelControllerOptions {
  readonly data: DatasetController;
  /** The query to run, or null when the element cannot ask yet (e.g. a missing field). */
  readonly query: (dataset: Dataset) => KernelQuery | null;
  /** The element's own filter slot, left out of its own query (cross-filtering). */
  readonly filterSource?: () => string;
  /** Filters set on the element itself (attribute/property), ANDed with the page's. */
  readonly localFilter?: () => FilterSpec | undefined;
}

/**
 * Progress only redraws the element once a query has run this long, and then at most this often:
 * most queries end sooner, and every redraw re-renders the chart under the status line (on a
 * dashboard, a dozen charts per worker message), which took main-thread time the workers needed.
 */
export const PROGRESS_REDRAW_MS = 250;

/**
 * A query recomputing an answer already shown says so (status line over the chart, chart dimmed)
 * only once it has run this long. Most filter changes are answered sooner: flashing "Updating…" on
 * every panel for them cost each panel a layout and paint at the change and a fade animation, on
 * the main thread the answers need, and told screen readers "Updating…" once per panel. Until then
 * the panel is only aria-busy. A first answer (nothing shown yet) says "Computing…" at once.
 */
export const STALE_STATUS_DELAY_MS = 250;

export class KernelController<R> implements ReactiveController {
  value?: R;
  error?: Error;
  pending = false;
  progress = 0;
  /** The value shown belongs to an older query. */
  stale = false;
  /** The pending query should show its status: at once without a value, after STALE_STATUS_DELAY_MS over a stale one. */
  showStatus = false;
  /** Time of the last completed query, for the benchmark and the status line. */
  lastMs?: number;

  private key?: string;
  /** Set by refresh(): the next run must not reuse a shared or recent answer. */
  private fresh = false;
  private readonly latest = new LatestQuery();
  private statusTimer?: ReturnType<typeof setTimeout>;
  private filterSub?: Disposable;
  private connected = false;

  constructor(private readonly host: ReactiveControllerHost, private readonly options: KernelControllerOptions) {
    host.addController(this);
  }

  hostConnected(): void {
    this.connected = true;
  }

  hostDisconnected(): void {
    this.connected = false;
    this.latest.dispose();
    clearTimeout(this.statusTimer);
    this.filterSub?.dispose();
    this.filterSub = undefined;
    this.key = undefined;
  }

  // Before render, so the pending state shows in the same update (no extra render cycle).
  hostUpdate(): void {
    // Lit still runs an update requested before the element was removed: subscribing or starting
    // a query then would outlive the element (nothing disposes it again), so a removed host waits
    // until it is connected again.
    if (!this.connected) return;
    const hub = this.options.data.hub;
    if (hub && !this.filterSub) {
      // A filter change starts the query at once, and redraws the status line in a task of its
      // own: every panel's query then reaches the workers before any panel redraws (started from
      // the panels' updates, the last of a dashboard's dozen queries left 30-40 ms after the
      // first). The chart changes when its answer comes.
      this.filterSub = hub.filters.onChange(() => {
        if (!this.connected) return;
        // Anything but a query started (an error, no dataset) changes more than the status line.
        if (this.sync() === 'changed') this.host.requestUpdate();
        else requestStatusUpdateSoon(this.host);
      });
    }
    this.sync();
  }

  /**
   * Starts the query the host's current state asks for, unless it is the one already running or
   * answered. Returns what changed: a query started, other state (value, error) or nothing.
   */
  private sync(): 'query' | 'changed' | 'none' {
    const dataset = this.options.data.value;
    const hub = this.options.data.hub;
    if (!dataset) {
      const had = this.value !== undefined || this.key !== undefined;
      this.value = undefined;
      this.key = undefined;
      return had ? 'changed' : 'none';
    }
    let query: KernelQuery | null;
    try {
      query = this.options.query(dataset);
      if (this.error && this.key === 'invalid') this.error = undefined;
    } catch (err) {
      if (this.key !== 'invalid') {
        // Set before this update renders: no extra update needed.
        this.key = 'invalid';
        this.error = err as Error;
        this.value = undefined;
        return 'changed';
      }
      return 'none';
    }
    if (!query) return 'none';
    const filter = mergeFilters(hub?.filters.combined(this.options.filterSource?.()), this.options.localFilter?.());
    const spec = filter ? { ...query.spec, filter } : query.spec;
    const key = `${dataset.key}|${query.kernel}|${JSON.stringify(spec)}`;
    if (key === this.key) return 'none';
    this.key = key;
    void this.run(dataset, query.kernel, spec, key);
    return 'query';
  }

  /** Runs the current query again (e.g. after a model was retrained). */
  refresh(): void {
    this.key = undefined;
    this.fresh = true;
    this.host.requestUpdate();
  }

  private async run(dataset: Dataset, kernel: string, spec: unknown, key: string): Promise<void> {
    // Called from sync: these fields are read by the render that follows (this update's, or the
    // status redraw a filter change asks for), so no requestUpdate.
    this.pending = true;
    this.stale = this.value !== undefined;
    this.showStatus = !this.stale;
    clearTimeout(this.statusTimer);
    if (this.stale) {
      this.statusTimer = setTimeout(() => {
        if (key !== this.key || !this.pending) return;
        this.showStatus = true;
        requestStatusUpdate(this.host);
      }, STALE_STATUS_DELAY_MS);
    }
    this.progress = 0;
    this.error = undefined;
    const t0 = performance.now();
    let drawn = t0;
    const onProgress = (f: number) => {
      this.progress = f;
      const now = performance.now();
      if (now - drawn < PROGRESS_REDRAW_MS) return;
      drawn = now;
      requestStatusUpdate(this.host);
    };
    const fresh = this.fresh;
    this.fresh = false;
    announceDataAccess(this.host as unknown as Element, dataset, kernel, fieldsOfQuery(dataset, kernel, spec));
    try {
      // Panels asking the same question share one run (and a recent answer); see shared-query.ts.
      const value = await this.latest.run((signal) =>
        sharedQuery<R>(dataset, key, (s, onProgress, priority) => runKernel<R>(dataset, kernel, spec, { signal: s, onProgress, priority }), {
          signal,
          fresh,
          onProgress,
          kernel,
          // An answer kept from the last visit, recomputed and found different: show the new one.
          onRevised: (revised) => {
            if (key !== this.key || !this.connected) return;
            this.value = revised as R;
            this.host.requestUpdate();
          },
        }),
      );
      if (key !== this.key) return;
      this.value = value;
      this.stale = false;
      this.lastMs = performance.now() - t0;
    } catch (err) {
      if ((err as Error)?.name === 'AbortError' || key !== this.key) return;
      this.error = err as Error;
    }
    this.pending = false;
    this.showStatus = false;
    clearTimeout(this.statusTimer);
    this.host.requestUpdate();
  }
}

function mergeFilters(a: FilterSpec | undefined, b: FilterSpec | undefined): FilterSpec | undefined {
  if (!a) return b;
  if (!b) return a;
  return { all: [...(a.all ?? []), ...(b.all ?? [])] };
}
