import { LitElement, html, svg, nothing, css, type PropertyValues } from 'lit';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { scaleBand, scaleLinear } from 'd3-scale';
import { panelStyles } from '../shared/panel.styles.js';
import { PanelController } from '../shared/panel.js';
import { WidthController } from '../shared/width-controller.js';
import { DatasetController } from '../shared/dataset-controller.js';
import { KernelController, type KernelQuery } from '../shared/kernel-controller.js';
import { handleRovingKeys } from '../shared/roving-focus.js';
import { TooltipController, chartMarks } from '../shared/tooltip.js';
import { OnDemand } from '../shared/on-demand.js';
import { MaskingController } from '../shared/masking-controller.js';
import { FitState } from '../shared/fit-state.js';
import type { DataHub, Dataset } from '../../src/dataset/data-hub.js';
import type { FilterCondition } from '../../src/query/filter-store.js';
import { requireFields, isClientField, type ClientField } from '../../src/schema/client-schema.js';
import { bandLabel, fieldName, valueLabel } from '../shared/field-labels.js';
import { formatNumber } from '../../src/i18n/format.js';
import type { RollupResult, SegmentRollupSpec } from '../../workers/kernels/segment-rollup.js';
import type { AssetLoyaltyResult } from '../../workers/kernels/asset-loyalty.js';
import { DEFAULT_ASSET_SCALE, DEFAULT_RISK_PREFERENCE, DEFAULT_TIER, type Dimension } from '../../workers/kernels/dimension-specs.js';
import type { ClusterModel } from '../../workers/models/kmeans.js';
import { clusterDimension, sharedClusters } from '../../src/models/cluster-segmentation.js';
import { getLocale } from '../../src/i18n/locale.js';
import { formatValue, tipText, type Row, type SegmentViewHost } from './segment-parts.js';

export type SegmentsView = 'bar' | 'treemap' | 'matrix';

export interface SegmentSelectDetail {
  /** The dimension's name (a column, or tier / asset-scale / risk-preference). */
  readonly dimension: string;
  /** The selected segment's label, or null when the selection was cleared. */
  readonly segment: string | null;
  /** The filter this selection puts on the other panels. */
  readonly conditions: readonly FilterCondition[];
}

/** The treemap, the asset x loyalty matrix and the table: loaded when first shown. */
const loadViews = () => import('./cl-segments.views.js');

/** Named groupings a tag attribute can ask for; anything else is a category column. */
const NAMED: Record<string, Dimension> = {
  tier: { tier: DEFAULT_TIER },
  'asset-scale': { bins: DEFAULT_ASSET_SCALE },
  'risk-preference': { bins: DEFAULT_RISK_PREFERENCE },
};

/**
 * @summary Client segments: counts or a measure by segment, tier, asset scale, risk preference or
 * any category column, as bars or a treemap; or the asset size x loyalty matrix with its
 * "high assets, low stickiness" corner called out. Click (or Enter) a segment to filter the page.
 * The bars draw at once; the treemap, the matrix and the table load their code the first time they
 * are shown (cl-segments.views.ts).
 *
 * @attr by - Column or grouping: tier (default), asset-scale, risk-preference, cluster (behavioural
 *   clusters, k-means on AUM, revenue, products, activity and outflow), segment, region, ...
 * @attr clusters - Number of clusters for by="cluster" (default 5, 2..12).
 * @attr measure - Column to aggregate (default: none, counts clients), e.g. aum, revenue.
 * @attr agg - sum (default) | mean | median | count.
 * @attr view - bar (default) | treemap | matrix.
 * @attr currency - ISO currency for money measures (default CNY).
 * @attr src - Load this CSV/JSON/Arrow URL instead of the page's current dataset.
 * @attr mapping - JSON field mapping for src.
 * @attr theme - light | dark | high-contrast.
 * @prop spec - A full segment-rollup spec (overrides by/measure/agg).
 * @prop data - A Dataset to show.
 * @prop selected - The selected segment label (set it to sync two elements).
 *
 * @event cl-segment-select - A segment was selected or cleared. detail: { dimension, segment, conditions }.
 * @csspart base - The card. @csspart title - The heading. @csspart body - The chart area.
 * @cssproperty --cl-color-accent - Bar colour.
 */
export class ClSegments extends LitElement {
  static override styles = [
    panelStyles,
    css`
      .bars .mark.selected,
      .cells .mark.selected,
      .tiles .mark.selected {
        stroke: var(--_text);
        stroke-width: 2px;
      }
      .callout {
        fill: none;
        stroke: var(--_danger);
        stroke-width: 2.5px;
        stroke-dasharray: 5 3;
        pointer-events: none;
      }
      .callout-text {
        fill: var(--_danger);
        font-weight: var(--_weight-strong);
      }
      .tile-label {
        font-size: var(--_text-chart);
        pointer-events: none;
      }
      .cell-label {
        font-size: var(--_text-chart);
        pointer-events: none;
      }
      .corner {
        border-left: 3px solid var(--_danger);
        padding-left: 0.6rem;
        font-size: var(--_text-md);
        margin-top: 0.5rem;
      }
    `,
  ];

  static override properties = {
    by: { type: String },
    clusters: { type: Number },
    measure: { type: String },
    agg: { type: String },
    view: { type: String, reflect: true },
    currency: { type: String },
    src: { type: String },
    mapping: { type: Object },
    theme: { type: String, reflect: true },
    selected: { type: String },
    spec: { attribute: false },
    data: { attribute: false },
    hub: { attribute: false },
  };

  by = 'tier';
  clusters = 5;
  measure?: string;
  agg: 'sum' | 'mean' | 'median' | 'count' = 'sum';
  view: SegmentsView = 'bar';
  currency = 'CNY';
  src?: string;
  mapping?: Record<string, string>;
  theme?: string;
  selected?: string | null;
  spec?: SegmentRollupSpec;
  data?: Dataset;
  hub?: DataHub;
  private readonly tip = new TooltipController(this);
  private readonly views = new OnDemand(this, loadViews);
  private readonly size = new WidthController(this);
  private get width(): number {
    return this.size.value;
  }

  private readonly source = new DatasetController(this);
  private readonly panel = new PanelController(this);
  private readonly masking = new MaskingController(this);
  private readonly clusterFit = new FitState<ClusterModel>(this);
  private readonly filterSlot = `cl-segments#${Math.random().toString(36).slice(2, 8)}`;
  private readonly rollup = new KernelController<RollupResult | AssetLoyaltyResult>(this, {
    data: this.source,
    filterSource: () => this.filterSlot,
    query: (d) => this.query(d),
  });

  constructor() {
    super();
    updateWhenLocaleChanges(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.source.hub?.filters.set(this.filterSlot, []);
  }

  /** The last result (rollup or matrix). */
  get value(): RollupResult | AssetLoyaltyResult | undefined {
    return this.rollup.value;
  }

  private dimension(): Dimension {
    return NAMED[this.by] ?? { column: this.by };
  }

  /** The cluster model of the dataset (fitted once per page, shared); undefined while it is fitted. */
  private clusterModel(dataset: Dataset): ClusterModel | undefined {
    const hub = this.source.hub;
    if (!hub) return undefined;
    const k = Number.isInteger(this.clusters) && this.clusters >= 2 && this.clusters <= 12 ? this.clusters : NaN;
    if (Number.isNaN(k)) throw new RangeError(msg(str`The number of clusters must be a whole number from 2 to 12; got ${String(this.clusters)}.`, { id: 'seg.clusters-invalid' }));
    const fit = this.clusterFit.ask(`${dataset.key}|${k}`, () => sharedClusters(hub, dataset, { k }));
    if (fit.error) throw fit.error;
    return fit.value;
  }

  private query(dataset: Dataset): KernelQuery | null {
    if (this.view === 'matrix') {
      requireFields('cl-segments (matrix)', dataset.columns, ['aum', 'productsHeld', 'txnCount12m']);
      return { kernel: 'asset-loyalty', spec: {} };
    }
    if (this.spec) return { kernel: 'segment-rollup', spec: this.spec as unknown as Record<string, unknown> };
    let dim = this.dimension();
    if (this.by === 'cluster') {
      const model = this.clusterModel(dataset);
      if (!model) return null;
      dim = clusterDimension(model, getLocale());
    }
    const needed = ['column' in dim ? dim.column : 'tier' in dim ? (dim.tier.column ?? 'aum') : 'bins' in dim ? dim.bins.column : ''].filter((c) => c && isClientField(c)) as ClientField[];
    if (this.measure && isClientField(this.measure)) needed.push(this.measure);
    requireFields('cl-segments', dataset.columns, needed);
    const measures = this.measure && this.agg !== 'count' ? [{ column: this.measure, agg: this.agg, as: 'value' }] : [{ agg: 'count' as const, as: 'value' }];
    return { kernel: 'segment-rollup', spec: { by: dim, measures, share: true } };
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // A view drawn by the on-demand views: fetch their code while the data loads, not after the
    // first answer (on the 1M dashboard it was fetched and compiled after it).
    if (this.view === 'matrix' || this.view === 'treemap') this.views.get();
    // The selection belongs to the grouping it was made in.
    if ((changed.has('by') && changed.get('by') !== undefined) || (changed.has('view') && changed.get('view') !== undefined)) this.select(null, false);
  }

  private dimensionLabel(): string {
    switch (this.by) {
      case 'asset-scale': return msg('asset scale', { id: 'seg.by.asset-scale' });
      case 'risk-preference': return msg('risk preference', { id: 'seg.by.risk-preference' });
      case 'cluster': return msg('behavioural cluster', { id: 'seg.by.cluster' });
      default: return fieldName(this.by);
    }
  }

  private rows(r: RollupResult): Row[] {
    return r.groups.map((g) => ({ label: g.keys.join(' · '), shown: this.shown(g.keys.join(' · ')), value: g.values.value ?? 0, count: g.count, share: g.share?.value ?? g.countShare ?? null }));
  }

  /** A group's label as the page's masking policy and the UI locale show it. */
  private shown(label: string): string {
    const masked = this.masking.label(this.by, label);
    return this.by === 'asset-scale' ? bandLabel(masked) : valueLabel(this.by, masked);
  }

  private conditionsFor(label: string): FilterCondition[] {
    // A matrix row is an asset band of the asset-loyalty kernel's default asset scale.
    const dim: Dimension = this.view === 'matrix' ? { bins: DEFAULT_ASSET_SCALE } : this.dimension();
    if ('column' in dim) return [{ column: dim.column, op: 'eq', value: label }];
    const bins = 'tier' in dim ? { column: dim.tier.column ?? 'aum', edges: dim.tier.thresholds ?? DEFAULT_TIER.thresholds!, labels: dim.tier.labels ?? DEFAULT_TIER.labels! } : 'bins' in dim ? dim.bins : null;
    if (!bins) return [];
    const i = bins.labels.indexOf(label);
    if (i < 0) return [{ column: bins.column, op: 'isNull' }];
    const out: FilterCondition[] = [];
    if (i > 0) out.push({ column: bins.column, op: 'gte', value: bins.edges[i - 1] });
    if (i < bins.edges.length) out.push({ column: bins.column, op: 'lt', value: bins.edges[i] });
    return out;
  }

  /** Selects a segment (or clears with null): filters every other panel and tells the host. */
  select(label: string | null, announce = true): void {
    const same = label !== null && label === this.selected;
    const next = same ? null : label;
    this.selected = next;
    const conditions = next === null ? [] : this.conditionsFor(next);
    this.source.hub?.filters.set(this.filterSlot, conditions);
    if (announce) {
      this.dispatchEvent(new CustomEvent<SegmentSelectDetail>('cl-segment-select', { detail: { dimension: this.view === 'matrix' ? 'asset-scale' : this.by, segment: next, conditions }, bubbles: true, composed: true }));
    }
  }

  /** What the charts read (segment-parts.ts, cl-segments.views.ts), as it is now. */
  private viewHost(): SegmentViewHost {
    return {
      width: this.width,
      currency: this.currency,
      measure: this.measure,
      agg: this.agg,
      selected: this.selected,
      tip: this.tip,
      renderRoot: this.renderRoot,
      select: (label) => this.select(label),
    };
  }

  private renderBars(rows: Row[]) {
    const host = this.viewHost();
    const barH = 26;
    // Room for the longest label (about 6.6 px a Latin character at 12 px, twice that for a CJK
    // one), within 40% of the width; a label still too long is cut with an ellipsis (the mark's
    // label and tooltip keep all of it).
    const units = (c: string) => (c.codePointAt(0)! >= 0x2e80 ? 2 : 1);
    const widthOf = (label: string) => [...label].reduce((w, c) => w + units(c), 0) * 6.6;
    const longest = Math.max(0, ...rows.map((r) => widthOf(r.shown)));
    const left = Math.round(Math.min(Math.max(180, this.width * 0.4), Math.max(80, Math.min(180, this.width * 0.28), longest + 12)));
    const cut = (label: string) => {
      if (widthOf(label) <= left - 12) return label;
      let out = '';
      for (const c of label) {
        if (widthOf(out + c) + 6.6 > left - 12) break;
        out += c;
      }
      return `${out}…`;
    };
    const w = Math.max(240, this.width - 40);
    const h = rows.length * barH + 8;
    const x = scaleLinear().domain([0, Math.max(1e-9, ...rows.map((r) => r.value))]).nice().range([0, w - left - 70]);
    const y = scaleBand<string>().domain(rows.map((r) => r.label)).range([4, h - 4]).padding(0.18);
    const sel = this.selected;
    return html`<div class="chart-wrap">
      <svg data-chart width=${w} height=${h} viewBox="0 0 ${w} ${h}" role="group" aria-label=${msg('Segments chart', { id: 'seg.chart' })} @keydown=${(e: KeyboardEvent) => handleRovingKeys(e, chartMarks(this), { onActivate: (i) => this.select(rows[i].label), onEscape: () => this.select(null) })}>
        <g class="bars">
          ${rows.map(
            (r, i) => svg`<g transform="translate(0, ${y(r.label)})">
              <text x=${left - 8} y=${y.bandwidth() / 2} text-anchor="end" dominant-baseline="middle">${cut(r.shown)}</text>
              <rect class="mark ${sel && sel !== r.label ? 'dim' : ''} ${sel === r.label ? 'selected' : ''}" x=${left} width=${Math.max(1, x(r.value))} height=${y.bandwidth()} rx="3"
                tabindex=${i === 0 ? 0 : -1} role="button" aria-pressed=${sel === r.label ? 'true' : 'false'}
                aria-label=${tipText(host, r).replace(/\n/g, ', ')}
                @click=${() => this.select(r.label)} @mouseenter=${(e: MouseEvent) => this.tip.show(e, tipText(host, r))} @mouseleave=${() => this.tip.hide()}
                @focus=${(e: FocusEvent) => this.tip.show(e, tipText(host, r))} @blur=${() => this.tip.hide()}></rect>
              <text x=${left + Math.max(1, x(r.value)) + 6} y=${y.bandwidth() / 2} dominant-baseline="middle">${formatValue(host, r.value)}</text>
            </g>`,
          )}
        </g>
      </svg>
      ${this.tip.render()}
    </div>`;
  }


  private csv(value: RollupResult | AssetLoyaltyResult) {
    if ('cells' in value) return { header: ['assets', 'loyalty', 'clients', 'aum', 'revenue'], rows: value.cells.map((c) => [c.asset, c.loyalty, c.count, c.aum, c.revenue]) };
    return { header: [this.by, 'clients', this.measure ? `${this.measure}_${this.agg}` : 'clients', 'share'], rows: this.rows(value).map((r) => [r.label, r.count, r.value, r.share]) };
  }

  override render() {
    const v = this.rollup.value;
    const title = this.view === 'matrix' ? msg('Asset size × loyalty', { id: 'seg.title.matrix' }) : msg(str`Clients by ${this.dimensionLabel()}`, { id: 'seg.title' });
    const controls = html`<label class="sr-only" for="view" hidden>${msg('Chart type', { id: 'seg.view' })}</label>
      <select id="view" aria-label=${msg('Chart type', { id: 'seg.view' })} .value=${this.view} @change=${(e: Event) => (this.view = (e.target as HTMLSelectElement).value as SegmentsView)}>
        <option value="bar" ?selected=${this.view === 'bar'}>${msg('Bars', { id: 'seg.view.bar' })}</option>
        <option value="treemap" ?selected=${this.view === 'treemap'}>${msg('Treemap', { id: 'seg.view.treemap' })}</option>
        <option value="matrix" ?selected=${this.view === 'matrix'}>${msg('Asset × loyalty', { id: 'seg.view.matrix' })}</option>
      </select>`;
    const fit = this.by === 'cluster' && this.view !== 'matrix' ? this.clusterFit.last : undefined;
    const subtitle = !fit
      ? undefined
      : fit.value
        ? msg(str`${fit.value.k} clusters by k-means on ${fit.value.plan.numeric.length} behaviour measures; silhouette ${formatNumber(fit.value.silhouette, { maximumFractionDigits: 2 })}`, { id: 'seg.clusters-fitted' })
        : fit.error
          ? undefined
          : msg('Finding behavioural clusters…', { id: 'seg.clusters-fitting' });
    return this.panel.render(this.source, this.rollup, {
      title,
      subtitle,
      filename: `clientlens-segments-${this.view === 'matrix' ? 'asset-loyalty' : this.by}`,
      controls,
      isEmpty: !v ? false : 'cells' in v ? v.total.count === 0 : v.groups.length === 0,
      reuseBody: true,
      // The default view is drawn here; the others, and the table, wait for their code (and only they do).
      chart: () =>
        !v
          ? nothing
          : 'cells' in v
            ? this.views.render((views) => views.renderMatrix(this.viewHost(), v))
            : this.view === 'treemap'
              ? this.views.render((views) => views.renderTreemap(this.viewHost(), this.rows(v)))
              : this.renderBars(this.rows(v)),
      table: () => (v ? this.views.render((views) => views.renderTable(this.viewHost(), v, 'cells' in v ? [] : this.rows(v))) : nothing),
      csv: () => this.csv(v!),
    });
  }
}
