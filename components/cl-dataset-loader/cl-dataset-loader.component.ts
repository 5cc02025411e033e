import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { Task, TaskStatus } from '@lit/task';
import { styles } from './cl-dataset-loader.styles.js';
import { getDefaultHub } from '../../src/dataset/default-hub.js';
import type { DataHub, Dataset, LoadProgress, LoadStepDetail, LoadStepName } from '../../src/dataset/data-hub.js';
import type { DataSource, IngestSettings } from '../../src/dataset/data-source.js';
import type { CacheWarning } from '../../src/cache/dataset-cache.js';
import type { IngestIssue, IngestReport } from '../../src/ingest/ingest-report.js';
import { formatBytes, formatDuration, formatNumber } from '../../src/i18n/format.js';

export interface DatasetLoadDetail {
  readonly dataset: Dataset;
}
export interface DatasetErrorDetail {
  readonly message: string;
  readonly report?: IngestReport;
}

const DEFAULT_SIZES = [10_000, 200_000, 1_000_000, 5_000_000];

/**
 * @summary Loads the client dataset the page's other elements use: a generated portfolio, a URL,
 * or a file the user picks or drops; shows what was loaded, from where, and how long each step took.
 *
 * @attr rows - Generate a synthetic portfolio of this many clients (default 200000).
 * @attr seed - Generator seed (same seed, same clients).
 * @attr src - URL of a CSV, JSON or Arrow file to load instead of generating.
 * @attr mapping - JSON object from client fields to your column names, e.g. {"aum":"Balance"}.
 * @attr sizes - Comma-separated portfolio sizes offered (default 10000,200000,1000000,5000000).
 * @attr theme - light | dark | high-contrast.
 *
 * @event cl-dataset-load - A dataset is ready in the workers. detail: { dataset }.
 * @event cl-dataset-error - Loading failed. detail: { message, report? } (report lists every data problem).
 * @event cl-dataset-request - The user picked a size or a file. detail: { source }; cancel it to handle it yourself.
 *
 * @csspart base - The card.
 * @csspart sizes - The size picker.
 * @csspart drop-zone - The file picker and drop area.
 * @csspart status - The loaded-rows line.
 * @csspart steps - The step timing table.
 * @csspart issues - The list of data problems.
 *
 * @cssproperty --cl-color-accent - Accent colour. See components/shared/theme.styles.ts for all tokens.
 */
export class ClDatasetLoader extends LitElement {
  static override styles = styles;

  static override properties = {
    rows: { type: Number, reflect: true },
    seed: { type: Number },
    src: { type: String },
    mapping: { type: Object },
    sizes: { converter: { fromAttribute: (v: string | null) => (v ? v.split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0) : DEFAULT_SIZES) } },
    theme: { type: String, reflect: true },
    hub: { attribute: false },
    file: { state: true },
    progress: { state: true },
    warnings: { state: true },
  };

  rows = 200_000;
  seed?: number;
  src?: string;
  mapping?: Record<string, string>;
  sizes: number[] = DEFAULT_SIZES;
  theme?: string;
  /** The DataHub to load through; default: the page's shared hub. */
  hub?: DataHub;

  private file?: File;
  private progress?: LoadProgress;
  private warnings: CacheWarning[] = [];
  private current?: Dataset;
  private dragDepth = 0;

  constructor() {
    super();
    updateWhenLocaleChanges(this);
  }

  /** The dataset currently shown, if any. */
  get loadedDataset(): Dataset | undefined {
    return this.current;
  }

  private readonly load = new Task(this, {
    // Primitive args (not a fresh source object) so the task reruns only when an input changes.
    args: () => [this.file, this.src, this.rows, this.seed, JSON.stringify(this.mapping ?? null)] as const,
    task: async (_args, { signal }) => {
      const source = this.source();
      if (!source) return undefined;
      const hub = this.hub ?? (await getDefaultHub());
      this.warnings = [...hub.startupWarnings];
      const sub = hub.onCacheWarning((w) => (this.warnings = [...this.warnings, w]));
      try {
        const dataset = await hub.load(source, { signal, onProgress: (p) => (this.progress = p) });
        const previous = this.current;
        this.current = dataset;
        hub.setCurrent(dataset);
        // Always release: loading the same shared dataset again retained it once more.
        void previous?.release();
        return dataset;
      } finally {
        sub.dispose();
        this.progress = undefined;
      }
    },
  });

  private announced?: unknown;

  protected override updated(): void {
    // Events go out after the element shows the new state, so a host reading it sees it.
    const status = this.load.status;
    if (status === TaskStatus.COMPLETE && this.load.value && this.announced !== this.load.value) {
      this.announced = this.load.value;
      this.emit<DatasetLoadDetail>('cl-dataset-load', { dataset: this.load.value });
    } else if (status === TaskStatus.ERROR && this.announced !== this.load.error) {
      this.announced = this.load.error;
      const e = this.load.error as Error & { report?: IngestReport };
      if (e?.name !== 'AbortError') this.emit<DatasetErrorDetail>('cl-dataset-error', { message: e?.message ?? String(e), report: e?.report });
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    void this.current?.release();
    this.current = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // A new size or URL from the host replaces a file the user had picked.
    if (changed.has('rows') || changed.has('src')) this.file = undefined;
  }

  private source(): DataSource | undefined {
    const ingest: IngestSettings | undefined = this.mapping ? { mapping: this.mapping } : undefined;
    if (this.file) return { kind: 'file', file: this.file, ingest };
    if (this.src) return { kind: 'url', url: this.src, ingest };
    if (!(Number.isInteger(this.rows) && this.rows > 0)) return undefined;
    return { kind: 'generate', options: this.seed === undefined ? { rows: this.rows } : { rows: this.rows, seed: this.seed } };
  }

  private emit<T>(type: string, detail: T): boolean {
    return this.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true, cancelable: true }));
  }

  private request(source: DataSource, apply: () => void): void {
    if (this.emit('cl-dataset-request', { source })) apply();
  }

  private pickSize(rows: number): void {
    this.request({ kind: 'generate', options: { rows } }, () => {
      this.src = undefined;
      this.rows = rows;
    });
  }

  private pickFile(file: File | undefined): void {
    if (!file) return;
    this.request({ kind: 'file', file }, () => (this.file = file));
  }

  private handleSizeKeys(e: KeyboardEvent): void {
    const radios = [...this.renderRoot.querySelectorAll<HTMLButtonElement>('[role="radio"]')];
    const i = radios.indexOf(e.target as HTMLButtonElement);
    if (i < 0) return;
    const next = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? i + 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? i - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? radios.length - 1 : null;
    if (next === null) return;
    e.preventDefault();
    const target = radios[(next + radios.length) % radios.length];
    target.focus();
    target.click();
  }

  private handleDrop(e: DragEvent): void {
    e.preventDefault();
    this.dragDepth = 0;
    this.renderRoot.querySelector('[part="drop-zone"]')?.classList.remove('over');
    this.pickFile(e.dataTransfer?.files?.[0]);
  }

  private handleDrag(e: DragEvent, delta: number): void {
    e.preventDefault();
    this.dragDepth = Math.max(0, this.dragDepth + delta);
    this.renderRoot.querySelector('[part="drop-zone"]')?.classList.toggle('over', this.dragDepth > 0 || e.type === 'dragover');
  }

  private stepLabel(step: LoadStepName): string {
    switch (step) {
      case 'fetch': return msg('Download', { id: 'loader.step.fetch' });
      case 'cache-read': return msg('Read browser cache', { id: 'loader.step.cache-read' });
      case 'generate': return msg('Generate clients', { id: 'loader.step.generate' });
      case 'ingest': return msg('Parse and check', { id: 'loader.step.ingest' });
      case 'cache-write': return msg('Write browser cache', { id: 'loader.step.cache-write' });
      case 'distribute': return msg('Send to workers', { id: 'loader.step.distribute' });
    }
  }

  private stepDetail(d: LoadStepDetail | undefined): string {
    if (!d) return '';
    const parts: string[] = [];
    if (d.hit === true) parts.push(msg('found', { id: 'loader.detail.hit' }));
    if (d.hit === false) parts.push(msg('not found', { id: 'loader.detail.miss' }));
    if (d.rows !== undefined && d.rowsRead !== undefined) parts.push(msg(str`${formatNumber(d.rows)} of ${formatNumber(d.rowsRead)} rows kept`, { id: 'loader.detail.kept' }));
    else if (d.rows !== undefined) parts.push(msg(str`${formatNumber(d.rows)} clients`, { id: 'loader.detail.rows' }));
    if (d.workers !== undefined) parts.push(msg(str`workers: ${d.workers}`, { id: 'loader.workers' }));
    if (d.stored === 'indexeddb') parts.push(msg('cached in this browser', { id: 'loader.cached.indexeddb' }));
    if (d.stored === 'memory') parts.push(msg('kept in memory only', { id: 'loader.cached.memory' }));
    if (d.stored === 'none') parts.push(msg('not cached', { id: 'loader.cached.none' }));
    if (d.bytes !== undefined) parts.push(formatBytes(d.bytes));
    return parts.join(' · ');
  }

  override render() {
    const selected = this.file || this.src ? undefined : this.rows;
    return html`
      <section part="base" aria-labelledby="title" aria-busy=${this.load.status === TaskStatus.PENDING ? 'true' : 'false'}>
        <h2 id="title">${msg('Client data', { id: 'loader.title' })}</h2>
        <div class="controls">
          <fieldset part="sizes">
            <legend id="sizes-label">${msg('Generate a portfolio', { id: 'loader.sizes' })}</legend>
            <div role="radiogroup" aria-labelledby="sizes-label" @keydown=${this.handleSizeKeys}>
              ${this.sizes.map(
                (n) => html`<button type="button" role="radio" aria-checked=${n === selected ? 'true' : 'false'} tabindex=${n === selected || (selected === undefined && n === this.sizes[0]) ? 0 : -1} @click=${() => this.pickSize(n)}>
                  ${formatNumber(n, { notation: 'compact' })}
                </button>`,
              )}
            </div>
          </fieldset>
          <div part="drop-zone" @dragenter=${(e: DragEvent) => this.handleDrag(e, 1)} @dragover=${(e: DragEvent) => this.handleDrag(e, 0)} @dragleave=${(e: DragEvent) => this.handleDrag(e, -1)} @drop=${this.handleDrop}>
            <label class="file">
              ${msg('Load a CSV, JSON or Arrow file', { id: 'loader.file' })}
              <input type="file" accept=".csv,.tsv,.txt,.json,.ndjson,.arrow,.arrows,.feather,.ipc" @change=${(e: Event) => this.pickFile((e.target as HTMLInputElement).files?.[0])} />
            </label>
            <span>${msg('or drop it here', { id: 'loader.drop' })}</span>
          </div>
        </div>
        ${this.renderState()} ${this.renderWarnings()}
      </section>
    `;
  }

  private renderState() {
    return this.load.render({
      initial: () => html`<p part="status">${msg('Choose a portfolio size or a file.', { id: 'loader.idle' })}</p>`,
      pending: () => {
        const p = this.progress;
        const value = p ? Math.round(p.fraction * 100) : undefined;
        return html`<div part="status" role="status">${p ? this.stepLabel(p.step) : msg('Loading…', { id: 'loader.loading' })}</div>
          <progress max="100" .value=${value ?? 0} aria-label=${msg('Loading progress', { id: 'loader.progress' })} aria-valuetext=${value === undefined ? '' : `${value}%`}></progress>`;
      },
      complete: (dataset) => (dataset ? this.renderDataset(dataset) : nothing),
      error: (err) => this.renderError(err as Error & { report?: IngestReport }),
    });
  }

  private renderDataset(d: Dataset) {
    const total = d.steps.reduce((s, x) => s + x.ms, 0);
    const origin =
      d.origin === 'cache'
        ? msg('from the browser cache', { id: 'loader.origin.cache' })
        : d.origin === 'generated'
          ? msg('generated', { id: 'loader.origin.generated' })
          : msg('read from the file', { id: 'loader.origin.ingested' });
    const where =
      d.cached === 'none'
        ? msg('not cached', { id: 'loader.cached.none' })
        : d.cached === 'memory'
          ? msg('kept in memory only', { id: 'loader.cached.memory' })
          : msg('cached in this browser', { id: 'loader.cached.indexeddb' });
    return html`
      <div part="status" role="status">
        <span class="count">${formatNumber(d.rows)}</span>
        <span>${msg(str`clients loaded in ${formatDuration(total)}`, { id: 'loader.loaded' })}</span>
        <span class="badge ${d.origin === 'cache' ? 'cache' : ''}">${origin}</span>
        <span class="badge">${where}</span>
        <span class="badge">${formatBytes(d.bytes)} · ${msg(str`workers: ${d.partitions.filter((p) => p.rows > 0).length}`, { id: 'loader.workers' })}</span>
      </div>
      <table part="steps">
        <caption class="sr-only" hidden>${msg('Load steps', { id: 'loader.steps' })}</caption>
        <thead>
          <tr><th scope="col">${msg('Step', { id: 'loader.col.step' })}</th><th scope="col">${msg('Time', { id: 'loader.col.time' })}</th><th scope="col">${msg('Detail', { id: 'loader.col.detail' })}</th></tr>
        </thead>
        <tbody>
          ${d.steps.map((s) => html`<tr><td>${this.stepLabel(s.step)}</td><td class="ms">${formatDuration(s.ms)}</td><td>${this.stepDetail(s.detail)}</td></tr>`)}
        </tbody>
      </table>
      ${d.report ? this.renderReport(d.report) : nothing}
    `;
  }

  private renderReport(report: IngestReport) {
    if (report.issues.length === 0) return nothing;
    return html`<div part="issues">
      <p>
        ${report.dirtyRows > 0
          ? msg(str`${formatNumber(report.dirtyRows)} of ${formatNumber(report.rowsRead)} rows had errors and were ${report.policy === 'keep' ? msg('kept with the bad cells empty', { id: 'loader.policy.keep' }) : msg('left out', { id: 'loader.policy.exclude' })}.`, { id: 'loader.dirty' })
          : msg('Notes about the data:', { id: 'loader.notes' })}
      </p>
      ${this.renderIssues(report.issues)}
    </div>`;
  }

  private renderIssues(issues: readonly IngestIssue[]) {
    return html`<ul>
      ${issues.map((i) => html`<li class=${i.severity}>${i.message}</li>`)}
    </ul>`;
  }

  private renderError(err: Error & { report?: IngestReport; issues?: IngestIssue[] }) {
    if (err?.name === 'AbortError') return nothing;
    const issues = err.report?.issues ?? err.issues;
    return html`<div part="issues" role="alert">
      <p class="error"><strong>${msg('Could not load the data.', { id: 'loader.error' })}</strong></p>
      ${issues?.length ? this.renderIssues(issues) : html`<p>${err.message}</p>`}
    </div>`;
  }

  private renderWarnings() {
    if (this.warnings.length === 0) return nothing;
    return html`<ul class="warning" aria-live="polite">
      ${this.warnings.map((w) => html`<li>${w.message}</li>`)}
    </ul>`;
  }
}
