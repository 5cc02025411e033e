import { LitElement, html, svg, nothing, css, type PropertyValues } from 'lit';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { scaleBand, scaleLinear } from 'd3-scale';
import { panelStyles } from '../shared/panel.styles.js';
import { PanelController } from '../shared/panel.js';
import { sharedClvBySegment } from '../../src/models/shared-clv.js';
import { FitState, type FitAnswer } from '../shared/fit-state.js';
import type { ClvFitResult } from '../../workers/jobs/clv-jobs.js';
import { WidthController } from '../shared/width-controller.js';
import { DatasetController } from '../shared/dataset-controller.js';
import { KernelController, type KernelQuery } from '../shared/kernel-controller.js';
import { handleRovingKeys } from '../shared/roving-focus.js';
import { TooltipController, chartMarks } from '../shared/tooltip.js';
import { OnDemand } from '../shared/on-demand.js';
import type { DataHub, Dataset } from '../../src/dataset/data-hub.js';
import type { FilterCondition, FilterSpec } from '../../src/query/filter-store.js';
import { isClientField, requireFields, type ClientField } from '../../src/schema/client-schema.js';
import { formatNumber, formatPercent } from '../../src/i18n/format.js';
import type { ProfitabilityResult, ProfitabilityStats } from '../../workers/kernels/profitability.js';
import { DEFAULT_CLTV_CAC_TARGET, NULL_KEY, groupLabel, isWhale, keyOf, money, moneyFull, ordered, ratio, type ProfitResult } from './profit-format.js';
import { fieldName } from '../shared/field-labels.js';
import type { ProfitViewHost } from './cl-profitability.views.js';

export type ProfitView = 'waterfall' | 'segments' | 'whale' | 'cltv';

/** Columns and CLTV settings a host can override (the profitability kernel's spec fields). */
export interface ProfitSpecInput {
  readonly revenue?: string;
  readonly cost?: string;
  /** null: no CAC figures (the CLTV vs CAC view then has nothing to show). */
  readonly acquisitionCost?: string | null;
  readonly retention?: number;
  readonly discountRate?: number;
}

export interface ProfitSelectDetail {
  /** The grouping column (the `by` attribute). */
  readonly by: string;
  /** The selected segment's label, or null when the selection was cleared. */
  readonly segment: string | null;
  /** The filter this selection puts on the other panels. */
  readonly conditions: readonly FilterCondition[];
}

export { DEFAULT_CLTV_CAC_TARGET };

type Result = ProfitResult;

/** The views other than the waterfall, and every view's table: loaded when first shown. */
const loadViews = () => import('./cl-profitability.views.js');

/**
 * @summary Relationship profitability: revenue -> cost to serve -> profit as a waterfall (whole
 * book or one segment), profit and cost-to-income by segment, the cumulative-profit ("whale")
 * curve with its peak and value destroyers, and CLTV vs CAC per segment. Click (or Enter) a
 * segment to filter the page. The waterfall draws at once; the other views and the table load
 * their code the first time they are shown (cl-profitability.views.ts).
 *
 * @attr view - waterfall (default) | segments | whale | cltv.
 * @attr by - Category column to group by (default segment), e.g. clientType, tier, region.
 * @attr currency - ISO currency of the amounts (default CNY).
 * @attr retention - Yearly retention rate for CLTV (default the kernel's 0.9).
 * @attr discount-rate - Yearly discount rate for CLTV (default the kernel's 0.08).
 * @attr cltv-cac-target - The CLTV / CAC guide line (default 3).
 * @attr clv - formula (default) | model: in the cltv view, also fit BG/NBD + Gamma-Gamma on the
 *   clients' transaction log (generated data carries one) and show each group's mean P(alive) and
 *   12-month model lifetime value next to the formula's.
 * @attr src - Load this CSV/JSON/Arrow URL instead of the page's current dataset.
 * @attr mapping - JSON field mapping for src.
 * @attr theme - light | dark | high-contrast.
 * @prop spec - Column names and CLTV settings (revenue, cost, acquisitionCost, retention, discountRate).
 * @prop data - A Dataset to show.
 * @prop selected - The selected segment label (set it to sync two elements); the waterfall and whale curve then show that segment.
 *
 * @event cl-profit-select - A segment was selected or cleared. detail: { by, segment, conditions }.
 * @csspart base - The card. @csspart title - The heading. @csspart body - The chart area.
 * @cssproperty --cl-color-accent - Revenue and curve colour.
 * @cssproperty --cl-color-danger - Cost and loss colour.
 * @cssproperty --cl-color-ok - Profit colour.
 */
export class ClProfitability extends LitElement {
  static override styles = [
    panelStyles,
    css`
      .mark.selected {
        stroke: var(--_text);
        stroke-width: 2px;
      }
      .mark.neg,
      .mark.cost {
        fill: var(--_danger);
      }
      .mark.profit {
        fill: var(--_ok);
      }
      .mark.profit.neg {
        fill: var(--_danger);
      }
      .cti {
        fill: var(--_muted);
      }
      .cti.over {
        fill: var(--_danger);
      }
      .guide {
        fill: none;
        stroke: var(--_muted);
        stroke-width: 1.5px;
        stroke-dasharray: 5 4;
      }
      .link {
        stroke: var(--_muted);
        stroke-dasharray: 3 3;
      }
      .zero {
        stroke: var(--_muted);
      }
      .curve {
        fill: none;
        stroke: var(--_accent);
        stroke-width: 2px;
      }
      .curve-area {
        fill: var(--_accent);
        opacity: 0.15;
      }
      .destroyers {
        fill: var(--_danger);
        opacity: 0.08;
      }
      svg text.danger {
        fill: var(--_danger);
      }
      svg text.strong {
        font-weight: var(--_weight-strong);
      }
      svg text.head {
        fill: var(--_muted);
        font-weight: var(--_weight-strong);
      }
      .mark.point {
        stroke: var(--_surface);
        stroke-width: 1.5px;
      }
      .mark.point.below {
        fill: var(--_danger);
      }
      .mark.point.above {
        fill: var(--_ok);
      }
      .mark.dot {
        fill: var(--_surface);
        stroke: var(--_accent);
        stroke-width: 1.5px;
      }
      .mark.peak {
        fill: var(--_accent);
        stroke: var(--_surface);
        stroke-width: 2px;
      }
      .stats {
        display: flex;
        flex-wrap: wrap;
        gap: 0.3rem 1.4rem;
        margin: 0.5rem 0 0;
        font-size: var(--_text-sm);
      }
      .stats div {
        display: flex;
        gap: 0.35rem;
      }
      .stats dt {
        color: var(--_muted);
      }
      .stats dd {
        margin: 0;
        font-weight: var(--_weight-strong);
        font-variant-numeric: tabular-nums;
      }
      .note {
        color: var(--_muted);
        font-size: var(--_text-sm);
        margin: 0.4rem 0 0;
      }
      .model-clv p {
        margin: 0.5rem 0 0.2rem;
      }
      .model-clv ul {
        margin: 0;
        padding-left: 1.1rem;
      }
      .model-clv .group {
        font-weight: var(--_weight-strong);
        color: var(--_text);
      }
      .model-clv .params {
        margin-left: 0.4rem;
        font-variant-numeric: tabular-nums;
        white-space: nowrap;
      }
      .note.error {
        color: var(--_danger);
      }
      .note strong {
        color: var(--_danger);
      }
    `,
  ];

  static override properties = {
    view: { type: String, reflect: true },
    by: { type: String },
    currency: { type: String },
    retention: { type: Number },
    discountRate: { type: Number, attribute: 'discount-rate' },
    cltvCacTarget: { type: Number, attribute: 'cltv-cac-target' },
    clv: { type: String },
    src: { type: String },
    mapping: { type: Object },
    theme: { type: String, reflect: true },
    selected: { type: String },
    spec: { attribute: false },
    data: { attribute: false },
    hub: { attribute: false },
  };

  view: ProfitView = 'waterfall';
  by = 'segment';
  currency = 'CNY';
  retention?: number;
  discountRate?: number;
  cltvCacTarget = DEFAULT_CLTV_CAC_TARGET;
  clv: 'formula' | 'model' = 'formula';
  src?: string;
  mapping?: Record<string, string>;
  theme?: string;
  selected?: string | null;
  spec?: ProfitSpecInput;
  data?: Dataset;
  hub?: DataHub;
  private readonly size = new WidthController(this);
  private get width(): number {
    return this.size.value;
  }

  private readonly source = new DatasetController(this);
  private readonly panel = new PanelController(this);
  private readonly clvFit = new FitState<ClvFitResult>(this);
  private readonly tip = new TooltipController(this);
  private readonly views = new OnDemand(this, loadViews);
  private readonly filterSlot = `cl-profitability#${Math.random().toString(36).slice(2, 8)}`;
  private readonly profit = new KernelController<Result>(this, {
    data: this.source,
    filterSource: () => this.filterSlot,
    query: (d) => this.query(d),
    localFilter: () => this.localFilter(),
  });

  constructor() {
    super();
    updateWhenLocaleChanges(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.source.hub?.filters.set(this.filterSlot, []);
  }

  /** The last result: the profitability kernel's, or the whale curve's in the whale view. */
  get value(): Result | undefined {
    return this.profit.value;
  }

  /** The model CLV fit of the dataset by this.by (shared on the page); undefined while it runs. */
  private clvModel(): FitAnswer<ClvFitResult> | undefined {
    const hub = this.source.hub;
    const dataset = this.source.value;
    if (this.clv !== 'model' || this.view !== 'cltv' || !hub || !dataset) return undefined;
    return this.clvFit.ask(`${dataset.key}|${this.by}`, () => sharedClvBySegment(hub, dataset, { by: this.by }));
  }

  private columns() {
    return {
      revenue: this.spec?.revenue ?? 'revenue',
      cost: this.spec?.cost ?? 'costToServe',
      acquisitionCost: this.spec?.acquisitionCost === undefined ? 'acquisitionCost' : this.spec.acquisitionCost,
    };
  }

  private query(dataset: Dataset): KernelQuery {
    const { revenue, cost, acquisitionCost } = this.columns();
    const needed: string[] = [revenue, cost];
    if (this.view === 'whale') {
      requireFields('cl-profitability', dataset.columns, needed.filter(isClientField) as ClientField[]);
      const topN = dataset.columns.includes('clientId') ? 10 : 0;
      return { kernel: 'whale-curve', spec: { revenue, cost, points: 100, topN } };
    }
    needed.push(this.by);
    if (this.view === 'cltv' && acquisitionCost) needed.push(acquisitionCost);
    requireFields('cl-profitability', dataset.columns, needed.filter(isClientField) as ClientField[]);
    const spec: Record<string, unknown> = {
      revenue,
      cost,
      acquisitionCost: acquisitionCost && dataset.columns.includes(acquisitionCost) ? acquisitionCost : null,
      by: this.by,
    };
    const retention = this.spec?.retention ?? this.retention;
    const discountRate = this.spec?.discountRate ?? this.discountRate;
    if (retention !== undefined && Number.isFinite(retention)) spec.retention = retention;
    if (discountRate !== undefined && Number.isFinite(discountRate)) spec.discountRate = discountRate;
    return { kernel: 'profitability', spec };
  }

  /** The whale curve of a selected segment: the element's own filter slot is left out of its queries, so it asks for it here. */
  private localFilter(): FilterSpec | undefined {
    if (this.view !== 'whale' || this.selected === undefined || this.selected === null) return undefined;
    return { all: this.conditionsFor(this.selected) };
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // A view drawn by the on-demand views: fetch their code while the data loads, not after the
    // first answer (on the 1M dashboard it was fetched and compiled after it).
    if (this.view !== 'waterfall') this.views.get();
    // The selection belongs to the grouping it was made in.
    if (changed.has('by') && changed.get('by') !== undefined) this.select(null, false);
  }

  private conditionsFor(label: string): FilterCondition[] {
    return label === NULL_KEY ? [{ column: this.by, op: 'isNull' }] : [{ column: this.by, op: 'eq', value: label }];
  }

  /** Selects a segment (or clears with null; selecting the selected one clears it too): filters every other panel and tells the host. */
  select(label: string | null, announce = true, toggle = true): void {
    const next = toggle && label !== null && label === this.selected ? null : label;
    this.selected = next;
    const conditions = next === null ? [] : this.conditionsFor(next);
    this.source.hub?.filters.set(this.filterSlot, conditions);
    if (announce) {
      this.dispatchEvent(new CustomEvent<ProfitSelectDetail>('cl-profit-select', { detail: { by: this.by, segment: next === NULL_KEY ? null : next, conditions }, bubbles: true, composed: true }));
    }
  }

  private scopeLabel(): string {
    return this.selected === undefined || this.selected === null ? msg('Whole book', { id: 'profit.whole-book' }) : `${fieldName(this.by)}: ${groupLabel(this.by, this.selected)}`;
  }

  private money(v: number): string {
    return money(v, this.currency);
  }

  // ------------------------------------------------------------------------------------------
  // Views

  /** The stats the waterfall shows: the selected segment's, else the whole book's. */
  private scopeStats(r: ProfitabilityResult): ProfitabilityStats {
    if (this.selected === undefined || this.selected === null) return r.total;
    return r.groups.find((g) => keyOf(g) === this.selected) ?? r.total;
  }

  private renderWaterfall(r: ProfitabilityResult) {
    const s = this.scopeStats(r);
    const w = Math.max(280, Math.min(this.width - 40, 720));
    const h = 250;
    const ml = 64, mr = 12, mt = 24, mb = 30;
    const R = s.revenue, C = s.cost, P = s.profit;
    const y = scaleLinear().domain([Math.min(0, P, R - C, R), Math.max(0, R, P)]).nice().range([h - mb, mt]);
    const xb = scaleBand<string>().domain(['revenue', 'cost', 'profit']).range([ml, w - mr]).paddingInner(0.35).paddingOuter(0.2);
    const bw = Math.min(130, xb.bandwidth());
    const bx = (k: string) => xb(k)! + (xb.bandwidth() - bw) / 2;
    const bars = [
      { key: 'revenue', label: msg('Revenue', { id: 'profit.revenue' }), from: 0, to: R, text: this.money(R), cls: '' },
      { key: 'cost', label: msg('Cost to serve', { id: 'profit.cost' }), from: R, to: R - C, text: this.money(-C), cls: 'cost' },
      { key: 'profit', label: msg('Profit', { id: 'profit.profit' }), from: 0, to: P, text: this.money(P), cls: `profit ${P < 0 ? 'neg' : ''}` },
    ];
    const ticks = y.ticks(5);
    return html`<div class="chart-wrap">
      <svg data-chart width=${w} height=${h} viewBox="0 0 ${w} ${h}" role="group" aria-label=${msg(str`Waterfall from revenue to profit, ${this.scopeLabel()}`, { id: 'profit.waterfall.label' })}
        @keydown=${(e: KeyboardEvent) => handleRovingKeys(e, chartMarks(this), { onActivate: () => {} })}>
        <g class="grid axis">
          ${ticks.map((t) => svg`<line x1=${ml} x2=${w - mr} y1=${y(t)} y2=${y(t)}></line><text x=${ml - 6} y=${y(t)} text-anchor="end" dominant-baseline="middle">${this.money(t)}</text>`)}
        </g>
        <line class="zero" x1=${ml} x2=${w - mr} y1=${y(0)} y2=${y(0)}></line>
        <line class="link" x1=${bx('revenue') + bw} x2=${bx('cost')} y1=${y(R)} y2=${y(R)}></line>
        <line class="link" x1=${bx('cost') + bw} x2=${bx('profit')} y1=${y(R - C)} y2=${y(R - C)}></line>
        ${bars.map((b, i) => {
          const y0 = Math.min(y(b.from), y(b.to));
          const bh = Math.max(1, Math.abs(y(b.from) - y(b.to)));
          const tip = `${b.label}: ${moneyFull(b.key === 'cost' ? -C : b.to, this.currency)}`;
          const t = this.tip.handlers(tip);
          const labelY = b.key === 'cost' ? y0 + bh + 13 : b.to < 0 ? y0 + bh + 13 : y0 - 6;
          return svg`<rect class="mark ${b.cls}" x=${bx(b.key)} y=${y0} width=${bw} height=${bh} rx="2" tabindex=${i === 0 ? 0 : -1} role="img" aria-label=${tip}
              @mouseenter=${t.enter} @mouseleave=${t.leave} @focus=${t.focus} @blur=${t.leave}></rect>
            <text class="strong halo" x=${bx(b.key) + bw / 2} y=${labelY} text-anchor="middle">${b.text}</text>
            <text x=${xb(b.key)! + xb.bandwidth() / 2} y=${h - 8} text-anchor="middle">${b.label}</text>`;
        })}
      </svg>
      ${this.tip.render()}
      <dl class="stats">
        <div><dt>${msg('Clients', { id: 'profit.col.clients' })}</dt><dd>${formatNumber(s.clients)}</dd></div>
        <div><dt>${msg('Cost-to-income', { id: 'profit.cti' })}</dt><dd>${ratio(s.costToIncome)}</dd></div>
        <div><dt>${msg('Profit margin', { id: 'profit.margin' })}</dt><dd>${R === 0 ? '—' : formatPercent(P / R)}</dd></div>
        <div><dt>${msg('Mean profit per client', { id: 'profit.mean-profit' })}</dt><dd>${s.meanProfit === null ? '—' : this.money(s.meanProfit)}</dd></div>
        <div><dt>${msg('Value destroyers', { id: 'profit.col.destroyers' })}</dt><dd>${formatNumber(s.valueDestroyers)}</dd></div>
      </dl>
    </div>`;
  }

  // ------------------------------------------------------------------------------------------
  // Table and CSV

  private csv(r: Result) {
    if (isWhale(r)) return { header: ['clients', 'client_share', 'cumulative_profit', 'profit_share'], rows: r.points.map((p) => [p.clients, p.clientShare, p.cumulativeProfit, p.profitShare]) };
    const model = this.view === 'cltv' ? this.clvFit.last?.value : undefined;
    const modelCols = (label: string | null) => {
      const m = model?.groups.find((g) => g.label === label);
      return model ? [m?.meanPAlive ?? null, m && Number.isFinite(m.meanClv) ? m.meanClv : null] : [];
    };
    const row = (g: ProfitabilityStats, label: string | null) => [label, g.clients, g.revenue, g.cost, g.profit, g.costToIncome, g.valueDestroyers, g.cac, g.meanCltv, g.cltvToCac, ...modelCols(label)];
    return {
      header: [this.by, 'clients', 'revenue', 'cost_to_serve', 'profit', 'cost_to_income', 'value_destroyers', 'cac', 'mean_cltv', 'cltv_to_cac', ...(model ? ['p_alive', `model_clv_${model.months}m`] : [])],
      rows: [...ordered(r, this.by).map((g) => row(g, g.key)), row(r.total, '(total)')],
    };
  }

  // ------------------------------------------------------------------------------------------

  /** What the views loaded on demand read (cl-profitability.views.ts), as it is now. */
  private viewHost(): ProfitViewHost {
    return {
      view: this.view,
      by: this.by,
      currency: this.currency,
      width: this.width,
      selected: this.selected,
      cltvCacTarget: this.cltvCacTarget,
      tip: this.tip,
      renderRoot: this.renderRoot,
      select: (label) => this.select(label),
      scopeStats: (r) => this.scopeStats(r),
      scopeLabel: () => this.scopeLabel(),
      clvModel: () => this.clvModel(),
    };
  }

  private renderChart(r: Result) {
    // The default view is drawn here; the others wait for their code (and only they do).
    if (!isWhale(r) && this.view === 'waterfall') return this.renderWaterfall(r);
    return this.views.render((views) => views.renderChart(this.viewHost(), r));
  }

  private heading(): string {
    switch (this.view) {
      case 'waterfall': return msg('Revenue, cost to serve and profit', { id: 'profit.title.waterfall' });
      case 'whale': return msg('Cumulative profit (whale curve)', { id: 'profit.title.whale' });
      case 'cltv': return msg(str`Lifetime value vs acquisition cost by ${fieldName(this.by)}`, { id: 'profit.title.cltv' });
      default: return msg(str`Profit and cost-to-income by ${fieldName(this.by)}`, { id: 'profit.title.segments' });
    }
  }

  override render() {
    const v = this.profit.value;
    const groups = v && !isWhale(v) ? ordered(v, this.by) : [];
    const scopePicker =
      this.view === 'waterfall' && groups.length
        ? html`<select aria-label=${msg('Scope', { id: 'profit.scope' })} .value=${this.selected ?? ''} @change=${(e: Event) => this.select((e.target as HTMLSelectElement).value || null, true, false)}>
            <option value="" ?selected=${this.selected == null}>${msg('Whole book', { id: 'profit.whole-book' })}</option>
            ${groups.map((g) => html`<option value=${keyOf(g)} ?selected=${this.selected === keyOf(g)}>${groupLabel(this.by, g.key)}</option>`)}
          </select>`
        : nothing;
    const controls = html`${scopePicker}<select aria-label=${msg('Chart type', { id: 'profit.view' })} .value=${this.view} @change=${(e: Event) => (this.view = (e.target as HTMLSelectElement).value as ProfitView)}>
        <option value="waterfall" ?selected=${this.view === 'waterfall'}>${msg('Waterfall', { id: 'profit.view.waterfall' })}</option>
        <option value="segments" ?selected=${this.view === 'segments'}>${msg(str`Profit by ${fieldName(this.by)}`, { id: 'profit.view.segments' })}</option>
        <option value="whale" ?selected=${this.view === 'whale'}>${msg('Whale curve', { id: 'profit.view.whale' })}</option>
        <option value="cltv" ?selected=${this.view === 'cltv'}>${msg('CLTV vs CAC', { id: 'profit.view.cltv' })}</option>
      </select>`;
    // Other panels' selections narrow every view; say so, so "whole book" is not read as the bank's whole book.
    const filtered = this.source.hub?.filters.combined(this.filterSlot) !== undefined;
    const scope = this.view === 'waterfall' || this.view === 'whale' ? this.scopeLabel() : undefined;
    const subtitle = filtered ? `${scope ? `${scope} · ` : ''}${msg('filtered by other panels', { id: 'profit.filtered' })}` : scope;
    return this.panel.render(this.source, this.profit, {
      title: this.heading(),
      subtitle,
      filename: `clientlens-profitability-${this.view}${this.view === 'whale' ? '' : `-${this.by}`}`,
      controls,
      isEmpty: !v ? false : isWhale(v) ? v.clients === 0 : v.total.clients === 0,
      reuseBody: true,
      chart: () => (v ? this.renderChart(v) : nothing),
      table: () => (v ? this.views.render((views) => views.renderTable(this.viewHost(), v)) : nothing),
      csv: () => this.csv(v!),
    });
  }
}
