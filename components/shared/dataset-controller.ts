/**
 * Which dataset an element shows, resolved in this order: a `data` property set by the host, the
 * element's `querySource` property or `query-source` attribute (the id of a query source
 * registered on the hub with registerQuerySource: the rows stay in that engine, e.g. ClickHouse;
 * the attribute is read by this controller, so every element has it without declaring it, and a
 * change takes effect at the element's next update), the element's own `src` (+ `mapping`) attribute
 * (loaded through the shared hub, so two elements with the same src load it once), or the hub's
 * current dataset (the one cl-dataset-loader loaded). An unknown query source is an error naming it.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { DataHub, Dataset } from '../../src/dataset/data-hub.js';
import { getDefaultHub } from '../../src/dataset/default-hub.js';
import type { Disposable } from '../../src/lifecycle/disposable.js';
import { inOwnTask } from './status-update.js';

export interface DatasetSourceHost extends ReactiveControllerHost {
  data?: Dataset;
  hub?: DataHub;
  src?: string;
  mapping?: Record<string, string>;
  /** Id of a query source registered on the hub (switches the element to that engine). */
  querySource?: string;
}

export class DatasetController implements ReactiveController {
  hub?: DataHub;
  /** The dataset to show, once known. */
  value?: Dataset;
  loading = false;
  error?: Error;
  progress?: number;

  private subs: Disposable[] = [];
  private owned?: Dataset;
  private srcKey?: string;
  private loadAbort?: AbortController;
  private connected = false;
  /** The dataset made for the query source, and the engine it was made from. */
  private remote?: { id: string; engine: object; dataset: Dataset };

  constructor(private readonly host: DatasetSourceHost) {
    host.addController(this);
  }

  hostConnected(): void {
    this.connected = true;
    void this.attach();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.subs.forEach((s) => s.dispose());
    this.subs = [];
    this.loadAbort?.abort();
    void this.owned?.release();
    this.owned = undefined;
    this.srcKey = undefined;
    void this.remote?.dataset.release();
    this.remote = undefined;
  }

  hostUpdate(): void {
    // A hub set as a property before the element was upgraded only arrives with the first update.
    if (this.host.hub && this.host.hub !== this.hub) {
      this.use(this.host.hub);
      // The host's willUpdate has already run with the old dataset in this cycle, and a
      // requestUpdate made during an update is folded into it: ask for the next one explicitly.
      queueMicrotask(() => this.host.requestUpdate());
    } else if (this.hub) this.resolve();
  }

  private async attach(): Promise<void> {
    const hub = this.host.hub ?? (await getDefaultHub());
    // Already attached meanwhile (hostUpdate saw a hub property): keep that one.
    if (!this.connected || this.subs.length) return;
    this.use(this.host.hub ?? hub);
  }

  private use(hub: DataHub): void {
    this.subs.forEach((s) => s.dispose());
    this.hub = hub;
    // In a task of its own: a new dataset reaches every panel at once, and each then starts its
    // query and redraws; in one task that was a 73 ms main-thread task on the 1M dashboard's load
    // (half of it compiling the query code on its first run).
    this.subs = [hub.onCurrentChange(() => inOwnTask(() => this.connected && this.hub === hub && this.resolve(true)))];
    this.resolve(true);
  }

  private resolve(force = false): void {
    const hub = this.hub!;
    let next: Dataset | undefined;
    if (this.host.data) next = this.host.data;
    else if (this.querySourceId()) next = this.remoteDataset(hub, this.querySourceId()!);
    else if (this.host.src) {
      const key = `${this.host.src}|${JSON.stringify(this.host.mapping ?? null)}`;
      if (key !== this.srcKey) this.loadSrc(hub, key);
      next = this.owned;
    } else next = hub.current;
    if (next !== this.value || force) {
      const changed = next !== this.value;
      this.value = next;
      if (changed) this.host.requestUpdate();
    }
  }

  private querySourceId(): string | undefined {
    const host = this.host as DatasetSourceHost & { getAttribute?: (name: string) => string | null };
    return host.querySource || host.getAttribute?.('query-source') || undefined;
  }

  private remoteDataset(hub: DataHub, id: string): Dataset | undefined {
    const engine = hub.querySource(id);
    if (this.remote && (this.remote.id !== id || this.remote.engine !== engine)) {
      void this.remote.dataset.release();
      this.remote = undefined;
    }
    if (!engine) {
      const message = `No query source named "${id}" is registered on this page (hub.registerQuerySource).`;
      if (this.error?.message !== message) {
        this.error = new Error(message);
        this.host.requestUpdate();
      }
      return undefined;
    }
    if (this.error?.message.startsWith('No query source named')) this.error = undefined;
    if (!this.remote) this.remote = { id, engine, dataset: hub.connect(engine) };
    return this.remote.dataset;
  }

  private loadSrc(hub: DataHub, key: string): void {
    this.srcKey = key;
    this.loadAbort?.abort();
    const abort = (this.loadAbort = new AbortController());
    this.loading = true;
    this.error = undefined;
    this.host.requestUpdate();
    const ingest = this.host.mapping ? { mapping: this.host.mapping } : undefined;
    hub
      .load({ kind: 'url', url: this.host.src!, ingest }, { signal: abort.signal, onProgress: (p) => ((this.progress = p.fraction), this.host.requestUpdate()) })
      .then((d) => {
        if (abort.signal.aborted) return void d.release();
        void this.owned?.release();
        this.owned = d;
        this.loading = false;
        this.resolve();
        this.host.requestUpdate();
      })
      .catch((err: Error) => {
        if (abort.signal.aborted) return;
        this.loading = false;
        this.error = err;
        this.host.requestUpdate();
      });
  }
}
