import { LitElement, html, svg, nothing, css, type PropertyValues } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { scaleBand, scaleLinear, scaleLog, scaleSymlog } from 'd3-scale';
import { area, line } from 'd3-shape';
import { panelStyles } from '../shared/panel.styles.js';
import { PanelController } from '../shared/panel.js';
import { sharedClvBySegment } from '../../src/models/clv-by-segment.js';
import { FitState, type FitAnswer } from '../shared/fit-state.js';
import type { ClvFitResult } from '../../workers/jobs/clv-jobs.js';
import { WidthController } from '../shared/width-controller.js';
import { DatasetController } from '../shared/dataset-controller.js';
import { KernelController, type KernelQuery } from '../shared/kernel-controller.js';
import { handleRovingKeys } from '../shared/roving-focus.js';
import type { DataHub, Dataset } from '../../src/dataset/data-hub.js';
import type { FilterCondition, FilterSpec } from '../../src/query/filter-store.js';
import { COMPANY_SIZES, LIFECYCLE_STAGES, WEALTH_TIERS, fieldDef, isClientField, requireFields, type ClientField } from '../../src/schema/client-schema.js';
import { formatCurrency, formatNumber, formatPercent } from '../../src/i18n/format.js';
import type { ProfitabilityResult, ProfitabilityStats } from '../../workers/kernels/profitability.js';
import type { WhaleCurveResult, WhalePoint } from '../../workers/kernels/whale-curve.js';

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

/** DOMAIN.md's rule of thumb for a healthy relationship: CLTV at least 3 x CAC (a setting, not a constant). */
export const DEFAULT_CLTV_CAC_TARGET = 3;
const NULL_KEY = '\u0000null';
/** Category columns whose labels have an order of their own (the client schema's vocabularies). */
const NATURAL_ORDER: Record<string, readonly string[]> = { tier: WEALTH_TIERS, lifecycleStage: LIFECYCLE_STAGES, companySize: COMPANY_SIZES };

type Result = ProfitabilityResult | WhaleCurveResult;
const isWhale = (r: Result): r is WhaleCurveResult => 'points' in r;

/**
 * @summary Relationship profitability: revenue -> cost to serve -> profit as a waterfall (whole
 * book or one segment), profit and cost-to-income by segment, the cumulative-profit ("whale")
 * curve with its peak and value destroyers, and CLTV vs CAC per segment. Click (or Enter) a
 * segment to filter the page.
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
        font-weight: 600;
      }
      svg text.head {
        fill: var(--_muted);
        font-weight: 600;
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
        font-size: 0.82rem;
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
        font-weight: 600;
        font-variant-numeric: tabular-nums;
      }
      .note {
        color: var(--_muted);
        font-size: 0.8rem;
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
        font-weight: 600;
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
    hover: { state: true },
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
  private hover?: { x: number; y: number; text: string };
  private readonly size = new WidthController(this);
  private get width(): number {
    return this.size.value;
  }

  private readonly source = new DatasetController(this);
  private readonly panel = new PanelController(this);
  private readonly clvFit = new FitState<ClvFitResult>(this);
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

  private clvOf(key: string | null): ClvFitResult['groups'][number] | undefined {
    return this.clvFit.last?.value?.groups.find((g) => g.label === key);
  }

  private renderClvModel() {
    const fit = this.clvModel();
    if (!fit) return nothing;
    if (fit.error) return html`<p class="note error" role="alert">${msg(str`Model lifetime value unavailable: ${fit.error.message}`, { id: 'profit.clv.error' })}</p>`;
    if (!fit.value) return html`<p class="note" role="status">${msg('Fitting the lifetime-value model (BG/NBD + Gamma-Gamma) on the transaction log…', { id: 'profit.clv.fitting' })}</p>`;
    const r = fit.value;
    const p = r.bgnbd.params;
    return html`<div class="note model-clv">
      <p>${msg(str`Model lifetime value (BG/NBD + Gamma-Gamma on ${formatNumber(r.clients)} clients' transactions, whole book): expected discounted transaction value over the next ${r.months} months, mean per client.`, { id: 'profit.clv.note' })}
        <span class="params">r ${formatNumber(p.r, { maximumFractionDigits: 3 })} · α ${formatNumber(p.alpha, { maximumFractionDigits: 3 })} · a ${formatNumber(p.a, { maximumFractionDigits: 3 })} · b ${formatNumber(p.b, { maximumFractionDigits: 3 })}</span></p>
      <ul>${r.groups.map((g) => html`<li><span class="group">${this.groupLabel(g.label)}</span>: ${Number.isFinite(g.meanClv) ? this.money(g.meanClv) : '—'} · ${msg(str`P(alive) ${formatPercent(g.meanPAlive, undefined, 0)}`, { id: 'profit.clv.alive' })}</li>`)}</ul>
    </div>`;
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

  // ------------------------------------------------------------------------------------------
  // Labels and formats

  private byLabel(): string {
    switch (this.by) {
      case 'segment': return msg('segment', { id: 'profit.by.segment' });
      case 'clientType': return msg('client type', { id: 'profit.by.client-type' });
      case 'tier': return msg('wealth tier', { id: 'profit.by.tier' });
      case 'region': return msg('region', { id: 'profit.by.region' });
      case 'channel': return msg('channel', { id: 'profit.by.channel' });
      default: return isClientField(this.by) ? fieldDef(this.by).label.toLowerCase() : this.by;
    }
  }

  /** Groups in their natural order when the column has one (wealth tiers, lifecycle, company size), else the kernel's label order. */
  private ordered(r: ProfitabilityResult): ProfitabilityStats[] {
    const vocab = NATURAL_ORDER[this.by];
    if (!vocab) return r.groups;
    const rank = (k: string | null) => (k === null ? Infinity : vocab.indexOf(k) < 0 ? vocab.length : vocab.indexOf(k));
    return [...r.groups].sort((a, b) => rank(a.key) - rank(b.key));
  }

  private keyOf(g: ProfitabilityStats): string {
    return g.key === null ? NULL_KEY : g.key;
  }

  private groupLabel(key: string | null): string {
    return key === null || key === NULL_KEY ? msg('(none)', { id: 'profit.none' }) : key;
  }

  private money(v: number): string {
    return formatCurrency(v, this.currency, undefined, { notation: 'compact', maximumFractionDigits: 1 });
  }

  private moneyFull(v: number): string {
    return formatCurrency(v, this.currency);
  }

  private ratio(v: number | null): string {
    return v === null ? '—' : formatNumber(v, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  private multiple(v: number | null): string {
    return v === null ? '—' : `${formatNumber(v, { maximumFractionDigits: 1 })}×`;
  }

  private scopeLabel(): string {
    return this.selected === undefined || this.selected === null ? msg('Whole book', { id: 'profit.whole-book' }) : `${this.byLabel()}: ${this.groupLabel(this.selected)}`;
  }

  // ------------------------------------------------------------------------------------------
  // Interaction

  private marks(): SVGElement[] {
    return [...this.renderRoot.querySelectorAll<SVGElement>('[data-chart] .mark')];
  }

  private showTip(e: MouseEvent | FocusEvent, text: string): void {
    const host = this.getBoundingClientRect();
    const target = (e.target as Element).getBoundingClientRect();
    this.hover = { x: target.left - host.left + target.width / 2, y: target.top - host.top - 6, text };
  }

  private tipHandlers(text: string) {
    return {
      enter: (e: MouseEvent) => this.showTip(e, text),
      focus: (e: FocusEvent) => this.showTip(e, text),
      leave: () => (this.hover = undefined),
    };
  }

  private renderTip() {
    if (!this.hover) return nothing;
    // styleMap writes through CSSOM, which a strict style-src allows (a style attribute it would not).
    return html`<div class="tooltip" role="tooltip" style=${styleMap({ left: `${this.hover.x}px`, top: `${this.hover.y}px`, transform: 'translate(-50%, -100%)' })}>${this.hover.text}</div>`;
  }

  private groupTip(g: ProfitabilityStats): string {
    return [
      this.groupLabel(g.key),
      msg(str`${formatNumber(g.clients)} clients`, { id: 'profit.clients' }),
      `${msg('Revenue', { id: 'profit.revenue' })}: ${this.money(g.revenue)}`,
      `${msg('Cost to serve', { id: 'profit.cost' })}: ${this.money(g.cost)}`,
      `${msg('Profit', { id: 'profit.profit' })}: ${this.money(g.profit)}`,
      `${msg('Cost-to-income', { id: 'profit.cti' })}: ${this.ratio(g.costToIncome)}`,
      msg(str`${formatNumber(g.valueDestroyers)} value destroyers`, { id: 'profit.destroyers' }),
    ].join('\n');
  }

  private markClass(key: string, extra = ''): string {
    const sel = this.selected;
    return `mark ${extra} ${sel != null && sel !== key ? 'dim' : ''} ${sel === key ? 'selected' : ''}`;
  }

  // ------------------------------------------------------------------------------------------
  // Views

  /** The stats the waterfall shows: the selected segment's, else the whole book's. */
  private scopeStats(r: ProfitabilityResult): ProfitabilityStats {
    if (this.selected === undefined || this.selected === null) return r.total;
    return r.groups.find((g) => this.keyOf(g) === this.selected) ?? r.total;
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
      <svg data-chart viewBox="0 0 ${w} ${h}" role="group" aria-label=${msg(str`Waterfall from revenue to profit, ${this.scopeLabel()}`, { id: 'profit.waterfall.label' })}
        @keydown=${(e: KeyboardEvent) => handleRovingKeys(e, this.marks(), { onActivate: () => {} })}>
        <g class="grid axis">
          ${ticks.map((t) => svg`<line x1=${ml} x2=${w - mr} y1=${y(t)} y2=${y(t)}></line><text x=${ml - 6} y=${y(t)} text-anchor="end" dominant-baseline="middle">${this.money(t)}</text>`)}
        </g>
        <line class="zero" x1=${ml} x2=${w - mr} y1=${y(0)} y2=${y(0)}></line>
        <line class="link" x1=${bx('revenue') + bw} x2=${bx('cost')} y1=${y(R)} y2=${y(R)}></line>
        <line class="link" x1=${bx('cost') + bw} x2=${bx('profit')} y1=${y(R - C)} y2=${y(R - C)}></line>
        ${bars.map((b, i) => {
          const y0 = Math.min(y(b.from), y(b.to));
          const bh = Math.max(1, Math.abs(y(b.from) - y(b.to)));
          const tip = `${b.label}: ${this.moneyFull(b.key === 'cost' ? -C : b.to)}`;
          const t = this.tipHandlers(tip);
          const labelY = b.key === 'cost' ? y0 + bh + 13 : b.to < 0 ? y0 + bh + 13 : y0 - 6;
          return svg`<rect class="mark ${b.cls}" x=${bx(b.key)} y=${y0} width=${bw} height=${bh} rx="2" tabindex=${i === 0 ? 0 : -1} role="img" aria-label=${tip}
              @mouseenter=${t.enter} @mouseleave=${t.leave} @focus=${t.focus} @blur=${t.leave}></rect>
            <text class="strong" x=${bx(b.key) + bw / 2} y=${labelY} text-anchor="middle">${b.text}</text>
            <text x=${xb(b.key)! + xb.bandwidth() / 2} y=${h - 8} text-anchor="middle">${b.label}</text>`;
        })}
      </svg>
      ${this.renderTip()}
      <dl class="stats">
        <div><dt>${msg('Clients', { id: 'profit.col.clients' })}</dt><dd>${formatNumber(s.clients)}</dd></div>
        <div><dt>${msg('Cost-to-income', { id: 'profit.cti' })}</dt><dd>${this.ratio(s.costToIncome)}</dd></div>
        <div><dt>${msg('Profit margin', { id: 'profit.margin' })}</dt><dd>${R === 0 ? '—' : formatPercent(P / R)}</dd></div>
        <div><dt>${msg('Mean profit per client', { id: 'profit.mean-profit' })}</dt><dd>${s.meanProfit === null ? '—' : this.money(s.meanProfit)}</dd></div>
        <div><dt>${msg('Value destroyers', { id: 'profit.col.destroyers' })}</dt><dd>${formatNumber(s.valueDestroyers)}</dd></div>
      </dl>
    </div>`;
  }

  private renderSegments(r: ProfitabilityResult) {
    const groups = this.ordered(r);
    const w = Math.max(300, this.width - 40);
    const left = Math.round(Math.min(150, Math.max(90, w * 0.2)));
    const ctiW = Math.round(Math.min(190, Math.max(120, w * 0.26)));
    const profitW = w - left - ctiW - 16;
    const rowH = 28;
    const top = 22;
    const h = top + groups.length * rowH + 6;
    const lo = Math.min(0, ...groups.map((g) => g.profit));
    const hi = Math.max(0, ...groups.map((g) => g.profit));
    // Room for the value label on the side a bar grows to.
    const x = scaleLinear().domain([lo, hi === lo ? lo + 1 : hi]).nice().range([left + (lo < 0 ? 56 : 0), left + profitW - 56]);
    const ctiX = w - ctiW;
    // Scaled to the largest ratio (not to 1), so small ratios stay comparable; the break-even line shows when in range.
    const ctiMax = Math.max(0.1, ...groups.map((g) => g.costToIncome ?? 0)) * 1.15;
    const cx = scaleLinear().domain([0, ctiMax]).range([ctiX, w - 36]);
    const y = scaleBand<string>().domain(groups.map((g) => this.keyOf(g))).range([top, h - 6]).padding(0.22);
    const bh = y.bandwidth();
    return html`<div class="chart-wrap">
      <svg data-chart viewBox="0 0 ${w} ${h}" role="group" aria-label=${msg(str`Profit and cost-to-income by ${this.byLabel()}`, { id: 'profit.title.segments' })}
        @keydown=${(e: KeyboardEvent) => handleRovingKeys(e, this.marks(), { onActivate: (i) => this.select(this.keyOf(groups[i])), onEscape: () => this.select(null) })}>
        <text class="head" x=${left} y="11">${msg('Profit (12 months)', { id: 'profit.head.profit' })}</text>
        <text class="head" x=${ctiX} y="11">${msg('Cost-to-income', { id: 'profit.cti' })}</text>
        <line class="zero" x1=${x(0)} x2=${x(0)} y1=${top - 2} y2=${h - 4}></line>
        ${ctiMax >= 1 ? svg`<line class="guide" x1=${cx(1)} x2=${cx(1)} y1=${top - 2} y2=${h - 4}></line>` : nothing}
        ${groups.map((g, i) => {
          const key = this.keyOf(g);
          const y0 = y(key)!;
          const x0 = Math.min(x(0), x(g.profit));
          const bw = Math.max(1, Math.abs(x(g.profit) - x(0)));
          const t = this.tipHandlers(this.groupTip(g));
          const cti = g.costToIncome;
          return svg`<g>
            <text x=${left - 8 - (lo < 0 ? 0 : 0)} y=${y0 + bh / 2} text-anchor="end" dominant-baseline="middle">${this.groupLabel(g.key)}</text>
            <rect class=${this.markClass(key, g.profit < 0 ? 'neg' : '')} x=${x0} y=${y0} width=${bw} height=${bh} rx="2"
              tabindex=${i === 0 ? 0 : -1} role="button" aria-pressed=${this.selected === key ? 'true' : 'false'} aria-label=${this.groupTip(g).replace(/\n/g, ', ')}
              @click=${() => this.select(key)} @mouseenter=${t.enter} @mouseleave=${t.leave} @focus=${t.focus} @blur=${t.leave}></rect>
            <text x=${g.profit < 0 ? x0 - 4 : x0 + bw + 4} y=${y0 + bh / 2} text-anchor=${g.profit < 0 ? 'end' : 'start'} dominant-baseline="middle">${this.money(g.profit)}</text>
            ${cti === null
              ? svg`<text class="muted" x=${ctiX} y=${y0 + bh / 2} dominant-baseline="middle">—</text>`
              : svg`<rect class="cti ${cti > 1 ? 'over' : ''}" x=${ctiX} y=${y0 + bh * 0.2} width=${Math.max(1, cx(Math.max(0, Math.min(cti, ctiMax))) - ctiX)} height=${bh * 0.6} rx="2" aria-hidden="true"></rect>
                <text x=${cx(Math.max(0, Math.min(cti, ctiMax))) + 4} y=${y0 + bh / 2} dominant-baseline="middle">${this.ratio(cti)}</text>`}
          </g>`;
        })}
      </svg>
      ${this.renderTip()}
    </div>`;
  }

  private renderWhale(r: WhaleCurveResult) {
    if (r.clients === 0 || !r.peak) return html`<p class="empty">${msg('No clients match the current filters.', { id: 'profit.whale.empty' })}</p>`;
    const w = Math.max(300, this.width - 40);
    const h = Math.round(Math.min(320, Math.max(230, w * 0.42)));
    const ml = 66, mr = 16, mt = 24, mb = 38;
    const pts = r.points;
    const x = scaleLinear().domain([0, 1]).range([ml, w - mr]);
    const lo = Math.min(0, ...pts.map((p) => p.cumulativeProfit));
    const hi = Math.max(0, r.peak.cumulativeProfit);
    // Headroom above the peak for its label.
    const y = scaleLinear().domain([lo, hi === lo ? lo + 1 : hi * 1.2]).nice().range([h - mb, mt]);
    const areaPath = area<WhalePoint>().x((p) => x(p.clientShare)).y0(y(0)).y1((p) => y(p.cumulativeProfit))(pts) ?? '';
    const linePath = line<WhalePoint>().x((p) => x(p.clientShare)).y((p) => y(p.cumulativeProfit))(pts) ?? '';
    const peak = r.peak;
    const end = pts[pts.length - 1];
    const step = Math.max(1, Math.round((pts.length - 1) / 10));
    const deciles = pts.filter((_, i) => i > 0 && i % step === 0);
    const share = (p: WhalePoint) => formatPercent(p.clientShare, undefined, 0);
    const tip = (p: WhalePoint) =>
      msg(str`The most profitable ${share(p)} of clients (${formatNumber(p.clients)}) earn ${this.money(p.cumulativeProfit)}`, { id: 'profit.whale.point' }) +
      (p.profitShare === null ? '' : `\n${msg(str`${formatPercent(p.profitShare, undefined, 0)} of total profit`, { id: 'profit.whale.share' })}`);
    const marks = [...deciles.filter((p) => p.clientShare < peak.clientShare), peak, ...deciles.filter((p) => p.clientShare >= peak.clientShare)];
    const px = x(peak.clientShare), py = y(peak.cumulativeProfit);
    const peakRight = px < ml + (w - ml - mr) * 0.35;
    const ex = x(1), ey = y(end.cumulativeProfit);
    const endBelow = end.cumulativeProfit < peak.cumulativeProfit;
    const ticks = y.ticks(5);
    const top20 = pts.reduce<WhalePoint | undefined>((best, p) => (p.clients > 0 && (!best || Math.abs(p.clientShare - 0.2) < Math.abs(best.clientShare - 0.2)) ? p : best), undefined);
    return html`<div class="chart-wrap">
      <svg data-chart viewBox="0 0 ${w} ${h}" role="group" aria-label=${msg('Cumulative profit by share of clients, most profitable first', { id: 'profit.whale.label' })}
        @keydown=${(e: KeyboardEvent) => handleRovingKeys(e, this.marks(), { onActivate: () => {} })}>
        <g class="grid axis">
          ${ticks.map((t) => svg`<line x1=${ml} x2=${w - mr} y1=${y(t)} y2=${y(t)}></line><text x=${ml - 6} y=${y(t)} text-anchor="end" dominant-baseline="middle">${this.money(t)}</text>`)}
          ${[0, 0.25, 0.5, 0.75, 1].map((t) => svg`<text x=${x(t)} y=${h - mb + 15} text-anchor="middle">${formatPercent(t, undefined, 0)}</text>`)}
          <text x=${(ml + w - mr) / 2} y=${h - 4} text-anchor="middle">${msg('Share of clients, most profitable first', { id: 'profit.whale.x' })}</text>
          <text x=${ml} y="11">${msg('Cumulative profit', { id: 'profit.whale.y' })}</text>
        </g>
        ${r.valueDestroyers.clients > 0
          ? svg`<rect class="destroyers" x=${px} y=${mt} width=${Math.max(0, x(1) - px)} height=${h - mb - mt} aria-hidden="true"></rect>
            ${x(1) - px > 90 ? svg`<text class="danger" x=${(px + x(1)) / 2} y=${mt + 12} text-anchor="middle">${msg('value destroyers', { id: 'profit.whale.destroyers' })}</text>` : nothing}`
          : nothing}
        <line class="zero" x1=${ml} x2=${w - mr} y1=${y(0)} y2=${y(0)}></line>
        <path class="curve-area" d=${areaPath} aria-hidden="true"></path>
        <path class="curve" d=${linePath} aria-hidden="true"></path>
        <text class="strong" x=${peakRight ? px + 10 : px - 10} y=${py - 10} text-anchor=${peakRight ? 'start' : 'end'}>${msg(str`Peak ${this.money(peak.cumulativeProfit)} at ${share(peak)} of clients`, { id: 'profit.whale.peak' })}</text>
        <text class="strong" x=${ex - 8} y=${endBelow ? ey + 18 : ey - 10} text-anchor="end">${msg(str`Ends at ${this.money(end.cumulativeProfit)}`, { id: 'profit.whale.end' })}</text>
        ${marks.map((p, i) => {
          const isPeak = p === peak;
          const t = this.tipHandlers(isPeak ? `${msg('Peak', { id: 'profit.whale.peak-short' })}\n${tip(p)}` : tip(p));
          return svg`<circle class="mark ${isPeak ? 'peak' : 'dot'}" cx=${x(p.clientShare)} cy=${y(p.cumulativeProfit)} r=${isPeak ? 6 : 3.5}
            tabindex=${i === 0 ? 0 : -1} role="img" aria-label=${(isPeak ? `${msg('Peak', { id: 'profit.whale.peak-short' })}: ` : '') + tip(p).replace(/\n/g, ', ')}
            @mouseenter=${t.enter} @mouseleave=${t.leave} @focus=${t.focus} @blur=${t.leave}></circle>`;
        })}
      </svg>
      ${this.renderTip()}
      <p class="note">
        <strong>${msg(str`${formatNumber(r.valueDestroyers.clients)} value destroyers`, { id: 'profit.destroyers' })}</strong>
        ${msg(str`(${formatPercent(r.valueDestroyers.clientShare ?? 0)} of clients) lose ${this.money(r.valueDestroyers.loss)} a year.`, { id: 'profit.whale.loss' })}
        ${top20 && top20.profitShare !== null ? msg(str`The most profitable ${share(top20)} of clients earn ${formatPercent(top20.profitShare, undefined, 0)} of the total profit.`, { id: 'profit.whale.top' }) : nothing}
      </p>
    </div>`;
  }

  /** Groups with a CAC and a CLTV to plot. */
  private cltvGroups(r: ProfitabilityResult): ProfitabilityStats[] {
    return this.ordered(r).filter((g) => g.cac !== null && g.cac > 0 && g.meanCltv !== null);
  }

  private renderCltv(r: ProfitabilityResult) {
    const groups = this.cltvGroups(r);
    const missing = this.ordered(r).filter((g) => !groups.includes(g));
    if (groups.length === 0) return html`<p class="empty">${msg('No acquisition cost in this data: CLTV vs CAC needs the acquisitionCost field.', { id: 'profit.cltv.no-cac' })}</p>`;
    const target = this.cltvCacTarget > 0 ? this.cltvCacTarget : DEFAULT_CLTV_CAC_TARGET;
    const w = Math.max(300, this.width - 40);
    const h = Math.round(Math.min(340, Math.max(240, w * 0.48)));
    const ml = 66, mr = 20, mt = 22, mb = 40;
    const cacs = groups.map((g) => g.cac!);
    const cltvs = groups.map((g) => g.meanCltv!);
    const x = scaleLog().domain([Math.min(...cacs) / 1.8, Math.max(...cacs) * 1.8]).range([ml, w - mr]);
    // The guide line shows at least where the costliest segment is judged.
    const yLo = Math.min(...cltvs, target * Math.max(...cacs));
    const yHi = Math.max(...cltvs, target * Math.max(...cacs));
    const positive = yLo > 0;
    const y = positive
      ? scaleLog().domain([yLo / 1.8, yHi * 1.8]).range([h - mb, mt])
      : scaleSymlog().constant(Math.max(1, Math.min(...cacs) / 10)).domain([Math.min(yLo * 1.3, 0), yHi * 1.8]).range([h - mb, mt]);
    const [y0, y1] = y.domain();
    const guide: [number, number][] = [];
    const [d0, d1] = x.domain();
    for (let i = 0; i <= 60; i++) {
      const c = d0 * (d1 / d0) ** (i / 60);
      const v = target * c;
      if (v >= y0 && v <= y1) guide.push([x(c), y(v)]);
    }
    const guidePath = line()(guide) ?? '';
    const xt = logTicks(d0, d1, (w - ml - mr) / 60);
    const yt = positive ? logTicks(y0, y1, (h - mt - mb) / 28) : symlogTicks(y0, y1, (v) => y(v), 24);
    const tip = (g: ProfitabilityStats) =>
      [
        this.groupLabel(g.key),
        `${msg('Acquisition cost (CAC)', { id: 'profit.cac' })}: ${this.money(g.cac!)}`,
        `${msg('Lifetime value (CLTV)', { id: 'profit.cltv' })}: ${this.money(g.meanCltv!)}`,
        `CLTV / CAC: ${this.multiple(g.cltvToCac)}`,
      ].join('\n');
    const last = guide[guide.length - 1];
    const guideText = msg(str`CLTV = ${formatNumber(target)} × CAC`, { id: 'profit.cltv.guide' });
    const guideLabel = last ? { x: last[0] - 4, y: last[1] - 8, anchor: 'end' as const, text: guideText } : null;
    const labels = placeLabels(
      groups.map((g) => ({ x: x(g.cac!), y: y(g.meanCltv!), text: `${this.groupLabel(g.key)} · ${this.multiple(g.cltvToCac)}`, short: this.groupLabel(g.key) })),
      guideLabel ? [labelBox(guideLabel)] : [],
      { x0: 0, x1: w, y0: mt - 8, y1: h - mb },
    );
    return html`<div class="chart-wrap">
      <svg data-chart viewBox="0 0 ${w} ${h}" role="group" aria-label=${msg(str`Lifetime value vs acquisition cost by ${this.byLabel()}`, { id: 'profit.title.cltv' })}
        @keydown=${(e: KeyboardEvent) => handleRovingKeys(e, this.marks(), { onActivate: (i) => this.select(this.keyOf(groups[i])), onEscape: () => this.select(null) })}>
        <g class="grid axis">
          ${yt.map((t) => svg`<line x1=${ml} x2=${w - mr} y1=${y(t)} y2=${y(t)}></line><text x=${ml - 6} y=${y(t)} text-anchor="end" dominant-baseline="middle">${this.money(t)}</text>`)}
          ${xt.map((t) => svg`<line x1=${x(t)} x2=${x(t)} y1=${mt} y2=${h - mb}></line><text x=${x(t)} y=${h - mb + 15} text-anchor="middle">${this.money(t)}</text>`)}
          <text x=${(ml + w - mr) / 2} y=${h - 4} text-anchor="middle">${msg('Acquisition cost (CAC), mean per client', { id: 'profit.cltv.x' })}</text>
          <text x=${ml} y="11">${msg('Lifetime value (CLTV), mean per client', { id: 'profit.cltv.y' })}</text>
        </g>
        ${!positive && y0 < 0 ? svg`<line class="zero" x1=${ml} x2=${w - mr} y1=${y(0)} y2=${y(0)}></line>` : nothing}
        <path class="guide" d=${guidePath} aria-hidden="true"></path>
        ${guideLabel ? svg`<text class="muted" x=${guideLabel.x} y=${guideLabel.y} text-anchor="end" dominant-baseline="middle">${guideText}</text>` : nothing}
        ${groups.map((g, i) => {
          const key = this.keyOf(g);
          const gx = x(g.cac!), gy = y(g.meanCltv!);
          const t = this.tipHandlers(tip(g));
          const label = labels[i];
          return svg`<circle class=${this.markClass(key, `point ${g.cltvToCac !== null && g.cltvToCac >= target ? 'above' : 'below'}`)} cx=${gx} cy=${gy} r="7"
              tabindex=${i === 0 ? 0 : -1} role="button" aria-pressed=${this.selected === key ? 'true' : 'false'} aria-label=${tip(g).replace(/\n/g, ', ')}
              @click=${() => this.select(key)} @mouseenter=${t.enter} @mouseleave=${t.leave} @focus=${t.focus} @blur=${t.leave}></circle>
            <text x=${label.x} y=${label.y} text-anchor=${label.anchor} dominant-baseline="middle">${label.text}</text>`;
        })}
      </svg>
      ${this.renderTip()}
      <p class="note">
        ${msg(str`CLTV = ${formatNumber(r.cltvMultiple, { maximumFractionDigits: 2 })} × annual profit (retention ${formatPercent(r.retention, undefined, 0)}, discount rate ${formatPercent(r.discountRate, undefined, 0)}). Green: at or above the guide line.`, { id: 'profit.cltv.note' })}
        ${missing.length ? msg(str`Not shown (no acquisition cost): ${missing.map((g) => this.groupLabel(g.key)).join(', ')}.`, { id: 'profit.cltv.missing' }) : nothing}
      </p>
      ${this.renderClvModel()}
    </div>`;
  }

  // ------------------------------------------------------------------------------------------
  // Table and CSV

  private renderTable(r: Result) {
    if (isWhale(r)) {
      const step = Math.max(1, Math.round((r.points.length - 1) / 10));
      const rows = r.points.filter((_, i) => i % step === 0);
      return html`<table class="data">
          <thead><tr><th scope="col" class="num">${msg('Share of clients', { id: 'profit.col.client-share' })}</th><th scope="col" class="num">${msg('Clients', { id: 'profit.col.clients' })}</th><th scope="col" class="num">${msg('Cumulative profit', { id: 'profit.whale.y' })}</th><th scope="col" class="num">${msg('Share of total profit', { id: 'profit.col.profit-share' })}</th></tr></thead>
          <tbody>
            ${rows.map((p) => html`<tr><td class="num">${formatPercent(p.clientShare, undefined, 0)}</td><td class="num">${formatNumber(p.clients)}</td><td class="num">${this.moneyFull(p.cumulativeProfit)}</td><td class="num">${p.profitShare === null ? '—' : formatPercent(p.profitShare)}</td></tr>`)}
            ${r.peak ? html`<tr><th scope="row" class="num">${msg('Peak', { id: 'profit.whale.peak-short' })} (${formatPercent(r.peak.clientShare)})</th><td class="num">${formatNumber(r.peak.clients)}</td><td class="num">${this.moneyFull(r.peak.cumulativeProfit)}</td><td class="num">${r.peak.profitShare === null ? '—' : formatPercent(r.peak.profitShare)}</td></tr>` : nothing}
          </tbody>
        </table>
        <table class="data">
          <tbody>
            <tr><th scope="row">${msg('Value destroyers', { id: 'profit.col.destroyers' })}</th><td class="num">${formatNumber(r.valueDestroyers.clients)}</td></tr>
            <tr><th scope="row">${msg('Their loss', { id: 'profit.col.loss' })}</th><td class="num">${this.moneyFull(r.valueDestroyers.loss)}</td></tr>
            <tr><th scope="row">${msg('Total profit', { id: 'profit.col.total-profit' })}</th><td class="num">${this.moneyFull(r.totalProfit)}</td></tr>
          </tbody>
        </table>`;
    }
    if (this.view === 'waterfall') {
      const s = this.scopeStats(r);
      return html`<table class="data">
        <caption>${this.scopeLabel()}</caption>
        <thead><tr><th scope="col">${msg('Step', { id: 'profit.col.step' })}</th><th scope="col" class="num">${msg('Amount', { id: 'profit.col.amount' })}</th><th scope="col" class="num">${msg('Running total', { id: 'profit.col.running' })}</th></tr></thead>
        <tbody>
          <tr><th scope="row">${msg('Revenue', { id: 'profit.revenue' })}</th><td class="num">${this.moneyFull(s.revenue)}</td><td class="num">${this.moneyFull(s.revenue)}</td></tr>
          <tr><th scope="row">${msg('Cost to serve', { id: 'profit.cost' })}</th><td class="num">${this.moneyFull(-s.cost)}</td><td class="num">${this.moneyFull(s.revenue - s.cost)}</td></tr>
          <tr><th scope="row">${msg('Profit', { id: 'profit.profit' })}</th><td class="num">${this.moneyFull(s.profit)}</td><td class="num">${this.moneyFull(s.profit)}</td></tr>
          <tr><th scope="row">${msg('Cost-to-income', { id: 'profit.cti' })}</th><td class="num">${this.ratio(s.costToIncome)}</td><td></td></tr>
          <tr><th scope="row">${msg('Clients', { id: 'profit.col.clients' })}</th><td class="num">${formatNumber(s.clients)}</td><td></td></tr>
        </tbody>
      </table>`;
    }
    if (this.view === 'cltv') {
      const model = this.clvModel()?.value;
      const modelCells = (key: string | null) => {
        const m = this.clvOf(key);
        return html`<td class="num">${m ? formatPercent(m.meanPAlive, undefined, 1) : '—'}</td><td class="num">${m && Number.isFinite(m.meanClv) ? this.moneyFull(m.meanClv) : '—'}</td>`;
      };
      return html`<table class="data">
        <thead><tr><th scope="col">${this.byLabel()}</th><th scope="col" class="num">${msg('Clients', { id: 'profit.col.clients' })}</th><th scope="col" class="num">${msg('Mean profit per client', { id: 'profit.mean-profit' })}</th><th scope="col" class="num">CLTV</th><th scope="col" class="num">CAC</th><th scope="col" class="num">CLTV / CAC</th>${model ? html`<th scope="col" class="num">P(alive)</th><th scope="col" class="num">${msg(str`Model CLV (${model.months} months)`, { id: 'profit.clv.col' })}</th>` : nothing}</tr></thead>
        <tbody>${this.ordered(r).map((g) => html`<tr><th scope="row">${this.groupLabel(g.key)}</th><td class="num">${formatNumber(g.clients)}</td><td class="num">${g.meanProfit === null ? '—' : this.moneyFull(g.meanProfit)}</td><td class="num">${g.meanCltv === null ? '—' : this.moneyFull(g.meanCltv)}</td><td class="num">${g.cac === null ? '—' : this.moneyFull(g.cac)}</td><td class="num">${this.multiple(g.cltvToCac)}</td>${model ? modelCells(g.key) : nothing}</tr>`)}</tbody>
      </table>`;
    }
    const rows = [...this.ordered(r), r.total];
    return html`<table class="data">
      <thead><tr><th scope="col">${this.byLabel()}</th><th scope="col" class="num">${msg('Clients', { id: 'profit.col.clients' })}</th><th scope="col" class="num">${msg('Revenue', { id: 'profit.revenue' })}</th><th scope="col" class="num">${msg('Cost to serve', { id: 'profit.cost' })}</th><th scope="col" class="num">${msg('Profit', { id: 'profit.profit' })}</th><th scope="col" class="num">${msg('Cost-to-income', { id: 'profit.cti' })}</th><th scope="col" class="num">${msg('Value destroyers', { id: 'profit.col.destroyers' })}</th></tr></thead>
      <tbody>${rows.map((g) => html`<tr><th scope="row">${g === r.total ? msg('Total', { id: 'profit.total' }) : this.groupLabel(g.key)}</th><td class="num">${formatNumber(g.clients)}</td><td class="num">${this.moneyFull(g.revenue)}</td><td class="num">${this.moneyFull(g.cost)}</td><td class="num">${this.moneyFull(g.profit)}</td><td class="num">${this.ratio(g.costToIncome)}</td><td class="num">${formatNumber(g.valueDestroyers)}</td></tr>`)}</tbody>
    </table>`;
  }

  private csv(r: Result) {
    if (isWhale(r)) return { header: ['clients', 'client_share', 'cumulative_profit', 'profit_share'], rows: r.points.map((p) => [p.clients, p.clientShare, p.cumulativeProfit, p.profitShare]) };
    const model = this.view === 'cltv' ? this.clvFit.last?.value : undefined;
    const modelCols = (label: string | null) => {
      const m = model ? this.clvOf(label) : undefined;
      return model ? [m?.meanPAlive ?? null, m && Number.isFinite(m.meanClv) ? m.meanClv : null] : [];
    };
    const row = (g: ProfitabilityStats, label: string | null) => [label, g.clients, g.revenue, g.cost, g.profit, g.costToIncome, g.valueDestroyers, g.cac, g.meanCltv, g.cltvToCac, ...modelCols(label)];
    return {
      header: [this.by, 'clients', 'revenue', 'cost_to_serve', 'profit', 'cost_to_income', 'value_destroyers', 'cac', 'mean_cltv', 'cltv_to_cac', ...(model ? ['p_alive', `model_clv_${model.months}m`] : [])],
      rows: [...this.ordered(r).map((g) => row(g, g.key)), row(r.total, '(total)')],
    };
  }

  // ------------------------------------------------------------------------------------------

  private renderChart(r: Result) {
    if (isWhale(r)) return this.renderWhale(r);
    // While a whale query runs, the last profitability result stays on screen as bars.
    switch (this.view) {
      case 'waterfall': return this.renderWaterfall(r);
      case 'cltv': return this.renderCltv(r);
      default: return this.renderSegments(r);
    }
  }

  private heading(): string {
    switch (this.view) {
      case 'waterfall': return msg('Revenue, cost to serve and profit', { id: 'profit.title.waterfall' });
      case 'whale': return msg('Cumulative profit (whale curve)', { id: 'profit.title.whale' });
      case 'cltv': return msg(str`Lifetime value vs acquisition cost by ${this.byLabel()}`, { id: 'profit.title.cltv' });
      default: return msg(str`Profit and cost-to-income by ${this.byLabel()}`, { id: 'profit.title.segments' });
    }
  }

  override render() {
    const v = this.profit.value;
    const groups = v && !isWhale(v) ? this.ordered(v) : [];
    const scopePicker =
      this.view === 'waterfall' && groups.length
        ? html`<select aria-label=${msg('Scope', { id: 'profit.scope' })} .value=${this.selected ?? ''} @change=${(e: Event) => this.select((e.target as HTMLSelectElement).value || null, true, false)}>
            <option value="" ?selected=${this.selected == null}>${msg('Whole book', { id: 'profit.whole-book' })}</option>
            ${groups.map((g) => html`<option value=${this.keyOf(g)} ?selected=${this.selected === this.keyOf(g)}>${this.groupLabel(g.key)}</option>`)}
          </select>`
        : nothing;
    const controls = html`${scopePicker}<select aria-label=${msg('Chart type', { id: 'profit.view' })} .value=${this.view} @change=${(e: Event) => (this.view = (e.target as HTMLSelectElement).value as ProfitView)}>
        <option value="waterfall" ?selected=${this.view === 'waterfall'}>${msg('Waterfall', { id: 'profit.view.waterfall' })}</option>
        <option value="segments" ?selected=${this.view === 'segments'}>${msg(str`Profit by ${this.byLabel()}`, { id: 'profit.view.segments' })}</option>
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
      table: () => (v ? this.renderTable(v) : nothing),
      csv: () => this.csv(v!),
    });
  }
}

/** Ticks at 1, 2, 5 x 10^k inside [lo, hi] (lo > 0), thinned to at most `max`. */
function logTicks(lo: number, hi: number, max: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  if (out.length < 3) {
    // A narrow range (one or two decades' marks): every integer multiple instead.
    const all: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) for (let m = 1; m < 10; m++) if (m * 10 ** e >= lo && m * 10 ** e <= hi) all.push(m * 10 ** e);
    return all.length <= max ? all : out;
  }
  if (out.length <= max) return out;
  const decades = out.filter((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9);
  return decades.length >= 2 ? decades : out.filter((_, i) => i % Math.ceil(out.length / Math.max(1, max)) === 0);
}

/** Ticks for a symlog axis: 0 and +-1, 2, 5 x 10^k inside [lo, hi], at least `gap` pixels apart. */
function symlogTicks(lo: number, hi: number, pos: (v: number) => number, gap: number): number[] {
  const mag = Math.max(Math.abs(lo), Math.abs(hi), 1);
  const cands: number[] = [0];
  for (let e = 0; e <= Math.ceil(Math.log10(mag)); e++) for (const m of [1, 2, 5]) cands.push(m * 10 ** e, -m * 10 ** e);
  // Zero first, then round decades from the largest down, then the 5s and 2s between them.
  const rank = (v: number) => (v === 0 ? -1 : [1, 5, 2].indexOf(Math.round(Math.abs(v) / 10 ** Math.floor(Math.log10(Math.abs(v))))));
  const inside = cands.filter((v) => v >= lo && v <= hi).sort((a, b) => rank(a) - rank(b) || Math.abs(b) - Math.abs(a));
  const kept: number[] = [];
  for (const v of inside) if (kept.every((k) => Math.abs(pos(k) - pos(v)) >= gap)) kept.push(v);
  return kept.sort((a, b) => a - b);
}

interface PointLabel {
  readonly x: number;
  readonly y: number;
  readonly anchor: 'start' | 'end' | 'middle';
  readonly text: string;
}

interface Box {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

/** The box a label covers (its width estimated from its length; 11px text). */
function labelBox(l: PointLabel, charW = 6.3): Box {
  const width = l.text.length * charW;
  const x0 = l.anchor === 'start' ? l.x : l.anchor === 'end' ? l.x - width : l.x - width / 2;
  return { x0, x1: x0 + width, y0: l.y - 7, y1: l.y + 7 };
}

const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/**
 * Places a label next to each point: right, left, above or below it (then the same a line up or
 * down), the first spot inside `bounds` that covers no point, no other label and no obstacle; when
 * the full text fits nowhere (a crowded, narrow chart), the short text. Returns the labels in the
 * points' order.
 */
function placeLabels(points: readonly { x: number; y: number; text: string; short: string }[], obstacles: Box[], bounds: Box): PointLabel[] {
  const taken: Box[] = [...obstacles, ...points.map((p) => ({ x0: p.x - 7, x1: p.x + 7, y0: p.y - 7, y1: p.y + 7 }))];
  const out: PointLabel[] = new Array(points.length);
  const order = points.map((p, i) => i).sort((a, b) => points[a].y - points[b].y);
  const inside = (b: Box) => b.x0 >= bounds.x0 && b.x1 <= bounds.x1 && b.y0 >= bounds.y0 && b.y1 <= bounds.y1;
  for (const i of order) {
    const { x, y } = points[i];
    const spots: PointLabel[] = [];
    for (const text of [points[i].text, points[i].short]) {
      for (const dy of [0, -13, 13, -26, 26]) {
        spots.push({ x: x + 10, y: y + dy, anchor: 'start', text }, { x: x - 10, y: y + dy, anchor: 'end', text });
        if (dy === 0) spots.push({ x, y: y - 15, anchor: 'middle', text }, { x, y: y + 16, anchor: 'middle', text });
      }
    }
    const free = (s: PointLabel) => inside(labelBox(s)) && !taken.some((t) => overlaps(t, labelBox(s)));
    const pick = spots.find(free) ?? spots.find((s) => s.text === points[i].short && inside(labelBox(s))) ?? spots[0];
    taken.push(labelBox(pick));
    out[i] = pick;
  }
  return out;
}
