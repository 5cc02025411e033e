/**
 * The frame every chart element shares: title, chart/table switch, export buttons, and the states
 * (no data yet, loading with progress, error, empty, stale while recomputing). Elements supply the
 * chart, the table and the rows to export; the frame keeps the behaviour the same everywhere.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { msg, str } from '@lit/localize';
import type { DatasetController } from './dataset-controller.js';
import type { KernelController } from './kernel-controller.js';
import type { CsvCell } from '../../src/export/csv.js';
import { isStatusUpdate } from './status-update.js';

export type PanelView = 'chart' | 'table';

/** The export code (CSV, SVG, PNG files): loaded on the first export, not with the page (issue 5). */
const loadExport = () => import('../../src/export/download.js');
type ExportCode = Awaited<ReturnType<typeof loadExport>>;

export interface PanelContent {
  readonly title: string;
  readonly subtitle?: string | TemplateResult;
  /** Base name of exported files. */
  readonly filename: string;
  readonly isEmpty: boolean;
  readonly chart: () => TemplateResult | typeof nothing;
  readonly table: () => TemplateResult | typeof nothing;
  readonly csv: () => { header: string[]; rows: CsvCell[][] };
  /** Extra controls in the toolbar (e.g. a view picker). */
  readonly controls?: TemplateResult | typeof nothing;
  /**
   * The chart and table depend only on the host's state that requests updates (reactive
   * properties, controllers) and the query's answer: they are rebuilt only after such a request,
   * not after a status-only update (status-update.ts).
   */
  readonly reuseBody?: boolean;
}

export class PanelController implements ReactiveController {
  view: PanelView = 'chart';
  /** Counts the host's update requests other than status-only ones. */
  private revision = 0;
  /** Why the last export could not start (its code did not load), until an export starts. */
  private exportError?: string;

  constructor(private readonly host: ReactiveControllerHost & Element) {
    host.addController(this);
    // Lit's property setters and every controller ask through host.requestUpdate, so counting the
    // calls here sees each change that can reach the chart.
    const request = host.requestUpdate.bind(host) as (...args: unknown[]) => void;
    (host as unknown as { requestUpdate: (...args: unknown[]) => void }).requestUpdate = (...args) => {
      if (!isStatusUpdate()) this.revision++;
      request(...args);
    };
  }

  hostConnected(): void {}

  setView(view: PanelView): void {
    this.view = view;
    this.host.requestUpdate();
  }

  private svg(): SVGSVGElement | null {
    return (this.host as Element).shadowRoot?.querySelector('svg[data-chart]') ?? null;
  }

  /** Loads the export code, then runs `save`; a failed load is said in the panel (the next click tries again). */
  private async export(save: (code: ExportCode) => void | Promise<void>): Promise<void> {
    let code: ExportCode;
    try {
      code = await loadExport();
    } catch (err) {
      this.exportError = msg(str`The export could not be made: ${(err as Error)?.message ?? err}`, { id: 'panel.export-error' });
      this.host.requestUpdate();
      return;
    }
    if (this.exportError !== undefined) {
      this.exportError = undefined;
      this.host.requestUpdate();
    }
    await save(code);
  }

  async exportCsv(content: PanelContent): Promise<void> {
    // The rows as they are at the click, not after the code has loaded.
    const { header, rows } = content.csv();
    await this.export(({ csvBlob, downloadBlob }) => downloadBlob(csvBlob(header, rows), `${content.filename}.csv`));
  }

  async exportSvg(content: PanelContent): Promise<void> {
    await this.export(({ svgBlob, downloadBlob }) => {
      const svg = this.svg();
      if (svg) downloadBlob(svgBlob(svg), `${content.filename}.svg`);
    });
  }

  async exportPng(content: PanelContent): Promise<void> {
    await this.export(async ({ pngBlob, downloadBlob }) => {
      const svg = this.svg();
      if (svg) downloadBlob(await pngBlob(svg), `${content.filename}.png`);
    });
  }

  render(data: DatasetController, query: KernelController<unknown>, content: PanelContent): TemplateResult {
    const busy = data.loading || query.pending;
    return html`<section part="base" class="panel" aria-labelledby="panel-title" aria-busy=${busy ? 'true' : 'false'}>
      <header class="panel-head">
        <div>
          <h2 id="panel-title" part="title">${content.title}</h2>
          ${content.subtitle ? html`<p class="subtitle" part="subtitle">${content.subtitle}</p>` : nothing}
        </div>
        <div class="toolbar" part="toolbar">
          ${content.controls ?? nothing}
          <div class="seg" role="group" aria-label=${msg('View', { id: 'panel.view' })}>
            <button type="button" aria-pressed=${this.view === 'chart' ? 'true' : 'false'} @click=${() => this.setView('chart')}>${msg('Chart', { id: 'panel.chart' })}</button>
            <button type="button" aria-pressed=${this.view === 'table' ? 'true' : 'false'} @click=${() => this.setView('table')}>${msg('Table', { id: 'panel.table' })}</button>
          </div>
          <div class="seg" role="group" aria-label=${msg('Export', { id: 'panel.export' })}>
            <button type="button" ?disabled=${!query.value} @click=${() => void this.exportCsv(content)} title=${msg('Download the data as CSV', { id: 'panel.csv.title' })}>CSV</button>
            <button type="button" ?disabled=${!query.value || this.view !== 'chart'} @click=${() => void this.exportSvg(content)} title=${msg('Download the chart as SVG', { id: 'panel.svg.title' })}>SVG</button>
            <button type="button" ?disabled=${!query.value || this.view !== 'chart'} @click=${() => void this.exportPng(content)} title=${msg('Download the chart as PNG', { id: 'panel.png.title' })}>PNG</button>
          </div>
        </div>
      </header>
      ${this.renderStatus(data, query)}
      ${this.exportError ? html`<p class="error" role="alert">${this.exportError}</p>` : nothing}
      <div class="panel-body ${query.stale && query.showStatus ? 'stale' : ''}" part="body">${this.renderBody(data, query, content)}</div>
    </section>`;
  }

  private renderStatus(data: DatasetController, query: KernelController<unknown>): TemplateResult | typeof nothing {
    if (data.loading) return html`<div class="status" role="status">${msg('Loading data…', { id: 'panel.loading-data' })} <progress max="1" .value=${data.progress ?? 0}></progress></div>`;
    if (query.pending && query.showStatus) {
      const pct = Math.round(query.progress * 100);
      // Over a stale chart the status floats (class "over") instead of taking a row: the panel's
      // height, and so the page's layout, stays put while a filter change recomputes.
      return html`<div class="status ${query.stale ? 'over' : ''}" role="status" aria-live="polite">
        ${query.stale ? msg('Updating…', { id: 'panel.updating' }) : msg('Computing…', { id: 'panel.computing' })}
        <progress max="100" .value=${pct} aria-label=${msg('Progress', { id: 'panel.progress' })}></progress>
      </div>`;
    }
    return nothing;
  }

  private renderBody(data: DatasetController, query: KernelController<unknown>, content: PanelContent): unknown {
    if (data.error) return html`<p class="error" role="alert">${msg(str`Could not load the data: ${data.error.message}`, { id: 'panel.data-error' })}</p>`;
    if (!data.value && !data.loading) return html`<p class="empty">${msg('Load client data to see this panel.', { id: 'panel.no-data' })}</p>`;
    if (query.error) return html`<p class="error" role="alert">${query.error.message}</p>`;
    if (query.value === undefined) return html`<div class="placeholder" aria-hidden="true"></div>`;
    if (content.isEmpty) return html`<p class="empty">${msg('No clients match the current filters.', { id: 'panel.empty' })}</p>`;
    const body = () => (this.view === 'chart' ? content.chart() : content.table());
    return content.reuseBody ? guard([this.revision, this.view, query.value], body) : body();
  }
}
