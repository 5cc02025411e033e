import { LitElement, html, svg, nothing, css, type PropertyValues } from 'lit';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { scaleLinear } from 'd3-scale';
import { panelStyles } from '../shared/panel.styles.js';
import { PanelController } from '../shared/panel.js';
import { WidthController } from '../shared/width-controller.js';
import { DatasetController } from '../shared/dataset-controller.js';
import { KernelController, type KernelQuery } from '../shared/kernel-controller.js';
import { TooltipController } from '../shared/tooltip.js';
import { OnDemand } from '../shared/on-demand.js';
import { fieldName, stageLabel } from '../shared/field-labels.js';
import type { DataHub, Dataset } from '../../src/dataset/data-hub.js';
import type { FilterCondition } from '../../src/query/filter-store.js';
import { isClientField, requireFields, type ClientField } from '../../src/schema/client-schema.js';
import { formatNumber } from '../../src/i18n/format.js';
import { DEFAULT_STAGE_MAPPING } from '../../workers/kernels/funnel-stage-mapping.js';
import type { FunnelResult } from '../../workers/kernels/funnel.js';
import { days, funnelsOf, markClass, pct, stepKeys, tipText, type Funnel, type FunnelViewHost } from './funnel-parts.js';

export type FunnelOrientation = 'horizontal' | 'vertical';

/** A timestamp step: a client reaches it on the date in `column` (a date column). */
export interface FunnelDateStep {
  readonly label: string;
  readonly column: string;
}

/**
 * The funnel kernel's spec as a host writes it: stage mode (`stageColumn` + stage labels) or
 * timestamp mode (`steps` of `{ label, column }`). `by` is filled from `split-by` when absent.
 */
export interface FunnelSpecInput {
  readonly stageColumn?: string;
  readonly steps: readonly string[] | readonly FunnelDateStep[];
  readonly mapping?: Readonly<Record<string, string | null>>;
  readonly by?: string | null;
}

export interface FunnelSelectDetail {
  /** The selected step's label, or null when the selection was cleared. */
  readonly step: string | null;
  /** With `split-by`: the category whose funnel the step was picked in (null: all clients). */
  readonly category: string | null;
  /** The filter this selection puts on the other panels (clients who reached the step). */
  readonly conditions: readonly FilterCondition[];
}

/** The lifecycle path of the client schema's LIFECYCLE_STAGES (the funnel kernel's reference steps). */
export const DEFAULT_FUNNEL_STEPS: readonly string[] = Object.freeze(['prospect', 'new', 'growing', 'mature']);
const DEFAULT_STAGE_COLUMN = 'lifecycleStage';

/** The vertical and side-by-side funnels and the table: loaded when first shown. */
const loadViews = () => import('./cl-funnel.views.js');

/**
 * @summary A conversion funnel: clients reaching each lifecycle stage (or each dated step), with
 * step conversion, overall conversion, drop-off and median days between dated steps; optionally
 * one funnel per category side by side. Click (or Enter) a step to filter the page to the clients
 * who reached it. One horizontal funnel draws at once; the vertical and side-by-side layouts and
 * the table load their code the first time they are shown (cl-funnel.views.ts).
 *
 * @attr steps - Comma-separated stage labels (default prospect,new,growing,mature), or dated steps as label:column pairs (e.g. "Opened:openDate,Funded:firstProductDate").
 * @attr split-by - A category column (segment, clientType, tier, ...): one funnel per category, side by side.
 * @attr orientation - horizontal (default: steps top to bottom) | vertical (steps left to right).
 * @attr src - Load this CSV/JSON/Arrow URL instead of the page's current dataset.
 * @attr mapping - JSON field mapping for src.
 * @attr theme - light | dark | high-contrast.
 * @prop spec - A full funnel spec (stageColumn, steps, mapping, by); overrides steps / split-by.
 * @prop data - A Dataset to show.
 * @prop selected - The selected step label (set it to sync two elements).
 *
 * @event cl-funnel-select - A step was selected or cleared. detail: { step, category, conditions }.
 * @csspart base - The card. @csspart title - The heading. @csspart body - The chart area.
 * @cssproperty --cl-color-accent - Bar colour.
 */
export class ClFunnel extends LitElement {
  static override styles = [
    panelStyles,
    css`
      .mark.selected {
        stroke: var(--_text);
        stroke-width: 2px;
      }
      .connector {
        fill: var(--_accent);
        opacity: 0.14;
      }
      svg text.count {
        font-size: var(--_text-xs);
        font-weight: var(--_weight-strong);
      }
      svg text.muted,
      svg tspan.muted {
        fill: var(--_muted);
      }
      svg text.drop {
        fill: var(--_danger);
      }
      svg text.panel-title {
        font-weight: var(--_weight-strong);
        font-size: var(--_text-xs);
      }
      .frame {
        fill: none;
        stroke: var(--_border);
      }
      .note {
        color: var(--_muted);
        font-size: var(--_text-sm);
        margin: 0.4rem 0 0;
      }
    `,
  ];

  static override properties = {
    steps: { converter: (v: string | null) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [...DEFAULT_FUNNEL_STEPS]) },
    splitBy: { type: String, attribute: 'split-by' },
    orientation: { type: String, reflect: true },
    src: { type: String },
    mapping: { type: Object },
    theme: { type: String, reflect: true },
    selected: { type: String },
    spec: { attribute: false },
    data: { attribute: false },
    hub: { attribute: false },
  };

  steps: string[] = [...DEFAULT_FUNNEL_STEPS];
  splitBy?: string;
  orientation: FunnelOrientation = 'horizontal';
  src?: string;
  mapping?: Record<string, string>;
  theme?: string;
  selected?: string | null;
  /** With split-by: the category the selected step belongs to (null: all clients). */
  selectedCategory: string | null = null;
  spec?: FunnelSpecInput;
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
  private readonly filterSlot = `cl-funnel#${Math.random().toString(36).slice(2, 8)}`;
  private readonly funnel = new KernelController<FunnelResult>(this, {
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

  /** The last funnel result. */
  get value(): FunnelResult | undefined {
    return this.funnel.value;
  }

  /** The spec the element runs: the `spec` property, else steps / split-by. */
  private effectiveSpec(): FunnelSpecInput {
    const by = this.splitBy || null;
    if (this.spec) return { ...this.spec, by: this.spec.by === undefined ? by : this.spec.by };
    const steps = this.steps.length ? this.steps : [...DEFAULT_FUNNEL_STEPS];
    // "label:column" pairs ask for a dated (timestamp) funnel.
    if (steps.every((s) => s.includes(':'))) {
      return { steps: steps.map((s) => ({ label: s.slice(0, s.lastIndexOf(':')).trim(), column: s.slice(s.lastIndexOf(':') + 1).trim() })), by };
    }
    return { stageColumn: DEFAULT_STAGE_COLUMN, steps, by };
  }

  private isStageMode(spec: FunnelSpecInput): boolean {
    return spec.stageColumn !== undefined && spec.stageColumn !== null;
  }

  private query(dataset: Dataset): KernelQuery {
    const spec = this.effectiveSpec();
    const needed = new Set<ClientField>();
    if (this.isStageMode(spec)) {
      if (isClientField(spec.stageColumn!)) needed.add(spec.stageColumn!);
    } else {
      for (const s of spec.steps as readonly FunnelDateStep[]) if (typeof s === 'object' && isClientField(s.column)) needed.add(s.column);
    }
    if (spec.by && isClientField(spec.by)) needed.add(spec.by);
    requireFields('cl-funnel', dataset.columns, [...needed]);
    const out: Record<string, unknown> = { steps: spec.steps, by: spec.by ?? null };
    if (this.isStageMode(spec)) out.stageColumn = spec.stageColumn;
    if (spec.mapping) out.mapping = spec.mapping;
    return { kernel: 'funnel', spec: out };
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // A layout drawn by the on-demand views: fetch their code while the data loads, not after the
    // first answer (on the 1M dashboard it was fetched and compiled after it).
    if (this.effectiveSpec().by || this.orientation === 'vertical') this.views.get();
    // A selection belongs to the steps and split it was made in.
    for (const p of ['steps', 'splitBy', 'spec'] as const) {
      if (changed.has(p) && changed.get(p) !== undefined) {
        this.select(null, null, false);
        break;
      }
    }
  }

  /** Stage level of every label the funnel counts (steps and the off-path labels mapped to a step). */
  private stageLevels(spec: FunnelSpecInput): Map<string, number> {
    const steps = spec.steps as readonly string[];
    const levels = new Map<string, number>(steps.map((s, i) => [s, i]));
    // The kernel's rule: a spec mapping replaces the default; default entries whose target is not a step are dropped.
    const mapping = spec.mapping ?? Object.fromEntries(Object.entries(DEFAULT_STAGE_MAPPING).filter(([from, to]) => !steps.includes(from) && (to === null || steps.includes(to))));
    for (const [from, to] of Object.entries(mapping)) if (to !== null && steps.includes(to)) levels.set(from, steps.indexOf(to));
    return levels;
  }

  /** The clients who reached `step` (and are in `category` when split). */
  private conditionsFor(step: string, category: string | null): FilterCondition[] {
    const spec = this.effectiveSpec();
    const out: FilterCondition[] = [];
    if (this.isStageMode(spec)) {
      const levels = this.stageLevels(spec);
      const k = levels.get(step) ?? 0;
      out.push({ column: spec.stageColumn!, op: 'in', values: [...levels].filter(([, l]) => l >= k).map(([label]) => label) });
    } else {
      // A dated step is reached with a date for it and every step before. (The kernel also needs
      // the dates in order; the filter language cannot compare two columns, so out-of-order
      // clients, counted in the table's outOfOrder, pass this filter.)
      const steps = spec.steps as readonly FunnelDateStep[];
      const k = Math.max(0, steps.findIndex((s) => s.label === step));
      for (const s of steps.slice(0, k + 1)) out.push({ column: s.column, op: 'notNull' });
    }
    if (category !== null && spec.by) out.push({ column: spec.by, op: 'eq', value: category });
    return out;
  }

  /** Selects a step (or clears with null): filters every other panel and tells the host. */
  select(step: string | null, category: string | null = null, announce = true): void {
    const same = step !== null && step === this.selected && category === this.selectedCategory;
    const next = same ? null : step;
    this.selected = next;
    this.selectedCategory = next === null ? null : category;
    const conditions = next === null ? [] : this.conditionsFor(next, this.selectedCategory);
    this.source.hub?.filters.set(this.filterSlot, conditions);
    if (announce) {
      this.dispatchEvent(new CustomEvent<FunnelSelectDetail>('cl-funnel-select', { detail: { step: next, category: this.selectedCategory, conditions }, bubbles: true, composed: true }));
    }
  }

  /** What the charts read (funnel-parts.ts, cl-funnel.views.ts), as it is now. */
  private viewHost(): FunnelViewHost {
    return {
      width: this.width,
      selected: this.selected,
      selectedCategory: this.selectedCategory,
      tip: this.tip,
      renderRoot: this.renderRoot,
      select: (step, category) => this.select(step, category),
    };
  }

  /** One funnel, steps top to bottom, bars centred (the classic funnel shape). */
  private renderHorizontal(f: Funnel) {
    const host = this.viewHost();
    const w = Math.max(280, this.width - 40);
    const left = Math.round(Math.min(130, Math.max(76, w * 0.18)));
    const right = Math.round(Math.min(230, Math.max(128, w * 0.34)));
    const barH = 30;
    const gap = 34;
    const top = 4;
    const n = f.steps.length;
    const h = top + n * barH + (n - 1) * gap + 6;
    const area = w - left - right;
    const max = Math.max(1, f.steps[0]?.count ?? 0, ...f.steps.map((s) => s.count));
    const x = scaleLinear().domain([0, max]).range([2, area]);
    const cx = left + area / 2;
    const y = (k: number) => top + k * (barH + gap);
    const order = f.steps.map((s) => ({ f, s }));
    return html`<div class="chart-wrap">
      <svg data-chart width=${w} height=${h} viewBox="0 0 ${w} ${h}" role="group" aria-label=${msg('Funnel chart', { id: 'funnel.chart' })} @keydown=${stepKeys(host, order)}>
        <g class="connectors" aria-hidden="true">
          ${f.steps.slice(1).map((s, i) => {
            const a = x(f.steps[i].count) / 2;
            const b = x(s.count) / 2;
            const y0 = y(i) + barH;
            const y1 = y(i + 1);
            return svg`<path class="connector" d="M${cx - a},${y0} L${cx + a},${y0} L${cx + b},${y1} L${cx - b},${y1} Z"></path>`;
          })}
        </g>
        <g class="steps">
          ${f.steps.map((s, k) => {
            const bw = x(s.count);
            return svg`<g>
              <text x=${left - 10} y=${y(k) + barH / 2} text-anchor="end" dominant-baseline="middle">${stageLabel(s.label)}</text>
              <rect class=${markClass(host, s, f)} x=${cx - bw / 2} y=${y(k)} width=${bw} height=${barH} rx="3"
                tabindex=${k === 0 ? 0 : -1} role="button" aria-pressed=${this.selected === s.label ? 'true' : 'false'} aria-label=${tipText(s, f, k).replace(/\n/g, ', ')}
                @click=${() => this.select(s.label, f.category)} @mouseenter=${(e: MouseEvent) => this.tip.show(e, tipText(s, f, k))} @mouseleave=${() => this.tip.hide()}
                @focus=${(e: FocusEvent) => this.tip.show(e, tipText(s, f, k))} @blur=${() => this.tip.hide()}></rect>
              <text class="count" x=${w - right + 10} y=${y(k) + 11}>${formatNumber(s.count)}</text>
              <text class="muted" x=${w - right + 10} y=${y(k) + 25}>${k === 0 ? msg('clients entering', { id: 'funnel.entering' }) : msg(str`${pct(s.conversionFromFirst)} of first`, { id: 'funnel.of-first' })}</text>
              ${k > 0
                ? svg`<text x=${cx} y=${y(k) - gap / 2} text-anchor="middle" dominant-baseline="middle">${msg(str`↓ ${pct(s.conversionFromPrevious)} convert`, { id: 'funnel.convert' })}</text>
                  <text class="drop" x=${w - right + 10} y=${y(k) - gap / 2 - (s.medianDaysFromPrevious === null ? 0 : 7)} dominant-baseline="middle">${msg(str`−${formatNumber(s.dropOff ?? 0)} drop off`, { id: 'funnel.drop-off' })}</text>
                  ${s.medianDaysFromPrevious === null ? nothing : svg`<text class="muted" x=${w - right + 10} y=${y(k) - gap / 2 + 8} dominant-baseline="middle">${days(s.medianDaysFromPrevious)}</text>`}`
                : nothing}
            </g>`;
          })}
        </g>
      </svg>
      ${this.tip.render()}
    </div>`;
  }

  /** Rows that did not enter the funnel, said once under the chart. */
  private renderOutside(r: FunnelResult) {
    const { missing, offPath, unmapped } = r.outside;
    const total = missing + offPath + unmapped;
    if (total === 0) return nothing;
    const labels = r.unmappedLabels.map((u) => stageLabel(u.label)).join(', ');
    return html`<p class="note">
      ${msg(str`${formatNumber(total)} clients are not in this funnel (no stage: ${formatNumber(missing)}; off the path: ${formatNumber(offPath)}; other stages: ${formatNumber(unmapped)}).`, { id: 'funnel.outside' })}
      ${labels ? msg(str`Other stages: ${labels}.`, { id: 'funnel.outside-labels' }) : nothing}
    </p>`;
  }

  private renderChart(r: FunnelResult) {
    const funnels = funnelsOf(r);
    // The default layout is drawn here; the others wait for their code (and only they do).
    const body = r.by
      ? this.views.render((v) => v.renderMultiples(this.viewHost(), funnels))
      : this.orientation === 'vertical'
        ? this.views.render((v) => v.renderVertical(this.viewHost(), funnels[0]))
        : this.renderHorizontal(funnels[0]);
    return html`${body}${this.renderOutside(r)}`;
  }

  private csv(r: FunnelResult) {
    const split = r.by !== null;
    const funnels = split ? [{ category: null, shown: null, rows: r.rows, steps: r.steps }, ...funnelsOf(r)] : funnelsOf(r);
    return {
      header: [...(split ? [r.by!.column] : []), 'step', 'clients', 'step_conversion', 'overall_conversion', 'drop_off', 'median_days_from_previous', 'out_of_order'],
      rows: funnels.flatMap((f, fi) => f.steps.map((s) => [...(split ? [fi === 0 ? '(all)' : f.category] : []), s.label, s.count, s.conversionFromPrevious, s.conversionFromFirst, s.dropOff, s.medianDaysFromPrevious, s.outOfOrder])),
    };
  }

  override render() {
    const spec = this.effectiveSpec();
    // The kernel refuses a funnel of zero rows; when a page filter leaves nobody, that is the
    // frame's "no clients match" state, not an error.
    const err = this.funnel.error as (Error & { field?: string }) | undefined;
    if (err?.name === 'SpecError' && err.field === 'dataset') {
      this.funnel.error = undefined;
      this.funnel.value = emptyFunnel(spec);
    }
    const r = this.funnel.value;
    const title = this.isStageMode(spec) ? msg('Client lifecycle funnel', { id: 'funnel.title' }) : msg('Conversion funnel', { id: 'funnel.title.timestamp' });
    const filtered = this.source.hub?.filters.combined(this.filterSlot) !== undefined;
    const parts = [spec.by ? msg(str`Split by ${fieldName(spec.by)}`, { id: 'funnel.subtitle.split' }) : '', filtered ? msg('filtered by other panels', { id: 'funnel.filtered' }) : ''].filter(Boolean);
    const subtitle = parts.length ? parts.join(' · ') : undefined;
    const controls = spec.by
      ? nothing
      : html`<select aria-label=${msg('Layout', { id: 'funnel.layout' })} .value=${this.orientation} @change=${(e: Event) => (this.orientation = (e.target as HTMLSelectElement).value as FunnelOrientation)}>
          <option value="horizontal" ?selected=${this.orientation !== 'vertical'}>${msg('Horizontal', { id: 'funnel.layout.horizontal' })}</option>
          <option value="vertical" ?selected=${this.orientation === 'vertical'}>${msg('Vertical', { id: 'funnel.layout.vertical' })}</option>
        </select>`;
    return this.panel.render(this.source, this.funnel, {
      title,
      subtitle,
      filename: `clientlens-funnel${spec.by ? `-by-${spec.by}` : ''}`,
      controls,
      isEmpty: r ? r.steps.length === 0 || r.steps[0].count === 0 : false,
      reuseBody: true,
      chart: () => (r ? this.renderChart(r) : nothing),
      table: () => (r ? this.views.render((v) => v.renderTable(r)) : nothing),
      csv: () => this.csv(r!),
    });
  }
}

/** A funnel of nobody, shaped like the kernel's result. */
function emptyFunnel(spec: FunnelSpecInput): FunnelResult {
  const steps = spec.steps.map((s) => ({ label: typeof s === 'string' ? s : s.label, count: 0, conversionFromPrevious: null, conversionFromFirst: null, dropOff: null, medianDaysFromPrevious: null, outOfOrder: null }));
  return { mode: spec.stageColumn ? 'stage' : 'timestamp', rows: 0, outside: { missing: 0, offPath: 0, unmapped: 0 }, steps, cohorts: null, unmappedLabels: [], by: null };
}
