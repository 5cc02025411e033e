import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { styleProps } from '../shared/style-props.js';
import { repeat } from 'lit/directives/repeat.js';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { styles } from './cl-churn-watch.styles.js';
import { PanelController } from '../shared/panel.js';
import { DatasetController } from '../shared/dataset-controller.js';
import { KernelController, type KernelQuery } from '../shared/kernel-controller.js';
import { AtRiskPages, type AtRiskRow, type ClientScore } from './at-risk-pages.js';
import { ChurnModels, type ChurnModelState } from '../../src/models/churn-models.js';
import { explainRows } from '../../src/models/models-on-demand.js';
import { CHURN_TARGET, defaultChurnColumns } from '../../src/models/default-churn-features.js';
import { announceDataAccess } from '../../src/privacy/data-access.js';
import type { Disposable } from '../../src/lifecycle/disposable.js';
import type { ChurnModel } from '../../workers/models/churn-model.js';
import { DEFAULT_AS_OF, ruleConditions, ruleName, ruleReason, ruleView, type RuleView } from './churn-reasons.js';
import { MaskingController } from '../shared/masking-controller.js';
import { OnDemand } from '../shared/on-demand.js';
import type { DataHub, Dataset } from '../../src/dataset/data-hub.js';
import type { FilterCondition, FilterSpec } from '../../src/query/filter-store.js';
import { formatCurrency, formatNumber, formatPercent } from '../../src/i18n/format.js';
import { DEFAULT_CHURN_RULES, MAX_AT_RISK_PAGE_END, type ChurnRuleInput } from '../../workers/kernels/churn-rule-kinds.js';
import type { ChurnRulesResult } from '../../workers/kernels/churn-rules.js';

/** The table view: loaded when first shown. */
const loadTable = () => import('./churn-table.js');

/** Fixed row height in px (the virtual list places rows from it; keep in step with --_row-h). */
const ROW_HEIGHT = 52;
/** Height of the sticky header row in px (--_head-h). */
const HEAD_HEIGHT = 34;
/** Rows rendered above and below the visible ones. */
const OVERSCAN = 6;
const PAGE_SIZE = 200;

/**
 * Secondary orders the churn-rules kernel can rank by (it always ranks by number of rules hit
 * first, then by a numeric column, largest first). "Days inactive" is not among them: the kernel
 * orders by float/int columns descending only, and lastTxnDate is a date whose useful order is
 * ascending (see the element's notes).
 */
const SORTS = ['aum', 'assetOutflow3m', 'revenue'] as const;
export type ChurnWatchSort = (typeof SORTS)[number];

export interface ClientOpenDetail {
  /** The client to open (e.g. in a cl-client-card). */
  readonly clientId: string;
}

export interface RuleFilterDetail {
  /** Rules a client must hit to be listed (all of them); empty: every at-risk client. */
  readonly ruleIds: readonly string[];
  /** The page filter this puts on the other panels. */
  readonly conditions: readonly FilterCondition[];
}

export type { ClientScore };

/** When the list trains a churn model of its own (see the `model` attribute). */
export type ChurnWatchModelMode = 'auto' | 'manual' | 'off';

const listConverter = {
  fromAttribute: (v: string | null) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []),
  toAttribute: (v: readonly string[]) => (v.length ? v.join(',') : null),
};

let instances = 0;

/**
 * @summary Clients at risk of leaving, by the churn early-warning rules (defaults: no transaction
 * for 90 days; more than half of assets moved out), with a summary per rule, rule chips to filter,
 * a sortable virtualised list that stays smooth with 100k clients, readable reasons per client and
 * an optional model score with its reasons. Enter or click opens the client. The table view loads
 * its code the first time it is shown (churn-table.ts), the model code when a model is used.
 *
 * @attr as-of - The day the data describes (YYYY-MM-DD), for "days without a transaction" (default 2026-06-30).
 * @attr sort - Order after rules hit: aum (default), assetOutflow3m, revenue.
 * @attr rule-filter - Comma-separated rule ids a client must hit (all of them) to be listed.
 * @attr by - Category column for the per-group counts in the table view (default segment).
 * @attr currency - ISO currency of AUM (default CNY).
 * @attr mask - Show names masked ("王*").
 * @attr src - Load this CSV/JSON/Arrow URL instead of the page's current dataset.
 * @attr mapping - JSON field mapping for src.
 * @attr theme - light | dark | high-contrast.
 * @attr model - The churn model that scores the list: manual (default: a button trains it), auto
 *   (trains one when none is saved for this data), off. Needs a `churned` outcome column; the model
 *   is saved in IndexedDB for the dataset and shared with cl-client-card.
 * @prop rules - The rule set (churn-rules kernel rules); also a JSON attribute `rules`.
 * @prop scores - Map of clientId -> { score, reasons[] } from a model; adds a score column.
 * @prop data - A Dataset to show.
 *
 * @event cl-client-open - A client was opened (Enter or click). detail: { clientId }. A `cl-client-card follow` shows it.
 * @event cl-rule-filter - The rule chips changed. detail: { ruleIds, conditions }.
 * @event cl-sort-change - The order changed. detail: { sort }.
 * @csspart base - The card. @csspart title - The heading. @csspart body - The list area.
 * @cssproperty --cl-churn-watch-height - Height of the list (default 26rem).
 */
export class ClChurnWatch extends LitElement {
  static override styles = styles;

  static override properties = {
    asOf: { type: String, attribute: 'as-of' },
    sort: { type: String, reflect: true },
    ruleFilter: { attribute: 'rule-filter', converter: listConverter, reflect: true },
    by: { type: String },
    currency: { type: String },
    mask: { type: Boolean, reflect: true },
    src: { type: String },
    mapping: { type: Object },
    theme: { type: String, reflect: true },
    rules: { type: Object },
    scores: { attribute: false },
    model: { type: String, reflect: true },
    data: { attribute: false },
    hub: { attribute: false },
    active: { state: true },
    opened: { state: true },
    listTop: { state: true },
    viewport: { state: true },
  };

  asOf = DEFAULT_AS_OF;
  sort: ChurnWatchSort = 'aum';
  ruleFilter: string[] = [];
  by?: string;
  currency = 'CNY';
  mask = false;
  src?: string;
  mapping?: Record<string, string>;
  theme?: string;
  rules: readonly ChurnRuleInput[] = DEFAULT_CHURN_RULES;
  scores?: ReadonlyMap<string, ClientScore>;
  model: ChurnWatchModelMode = 'manual';
  data?: Dataset;
  hub?: DataHub;
  /** Row with the keyboard focus (aria-activedescendant). */
  private active = 0;
  /** Client last opened (aria-selected). */
  private opened?: string;
  private listTop = 0;
  private viewport = 416;

  private readonly uid = `cw${++instances}`;
  private readonly filterSlot = `cl-churn-watch#${Math.random().toString(36).slice(2, 8)}`;
  private readonly source = new DatasetController(this);
  private readonly panel = new PanelController(this);
  private readonly masking = new MaskingController(this);
  private readonly summary = new KernelController<ChurnRulesResult>(this, {
    data: this.source,
    filterSource: () => this.filterSlot,
    query: (d) => this.summaryQuery(d),
  });
  private readonly pages = new AtRiskPages(this, { pageSize: PAGE_SIZE });
  private readonly table = new OnDemand(this, loadTable);
  private resize?: ResizeObserver;
  private observed?: Element;
  private scrollFrame = 0;
  private listKey?: string;
  private pushedFilter = '[]';
  private modelSub?: Disposable;
  private restoredFor?: string;

  constructor() {
    super();
    updateWhenLocaleChanges(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize?.disconnect();
    this.resize = undefined;
    this.observed = undefined;
    cancelAnimationFrame(this.scrollFrame);
    this.source.hub?.filters.set(this.filterSlot, []);
    this.modelSub?.dispose();
    this.modelSub = undefined;
    this.restoredFor = undefined;
  }

  private models(): ChurnModels | undefined {
    const hub = this.source.hub;
    if (!hub) return undefined;
    // Only while connected: an update that runs after removal must not subscribe again.
    if (!this.modelSub && this.isConnected) this.modelSub = ChurnModels.of(hub).onChange((key) => key === this.source.value?.key && this.requestUpdate());
    return ChurnModels.of(hub);
  }

  /** The churn model state of the dataset shown (none when the model is off or there is no label). */
  get modelState(): ChurnModelState {
    const dataset = this.source.value;
    const models = this.models();
    if (!dataset || !models || this.model === 'off') return { status: 'none' };
    return models.state(dataset);
  }

  /** Trains a churn model on the dataset shown (shared with every element of the page). */
  trainModel(): Promise<ChurnModel> | undefined {
    const dataset = this.source.value;
    const models = this.models();
    if (!dataset || !models) return undefined;
    // Without a label there are no features to report; train() then says why it cannot run.
    if (dataset.columns.includes(CHURN_TARGET)) announceDataAccess(this, dataset, 'train-churn', defaultChurnColumns(dataset.schema));
    const run = models.train(dataset);
    run.catch(() => {}); // the state carries the error; the element shows it
    return run;
  }

  /** Restores a saved model once per dataset, and trains one in auto mode when none was saved. */
  private followModel(dataset: Dataset): void {
    const models = this.models();
    if (!models || this.model === 'off' || this.restoredFor === dataset.key || !dataset.columns.includes(CHURN_TARGET)) return;
    this.restoredFor = dataset.key;
    void models.restore(dataset).then((m) => {
      if (!m && this.model === 'auto' && this.source.value === dataset && models.state(dataset).status === 'none') this.trainModel();
    });
  }

  /** Clients in the at-risk list (after the rule chips and the page's filters); undefined while loading. */
  get total(): number | undefined {
    return this.pages.total;
  }

  /** The summary: clients hitting each rule and any rule, per group. */
  get value(): ChurnRulesResult | undefined {
    return this.summary.value;
  }

  private views(): RuleView[] {
    return this.rules.map(ruleView);
  }

  private groupBy(dataset: Dataset): string | null {
    const by = this.by ?? 'segment';
    return dataset.columns.includes(by) ? by : null;
  }

  private summaryQuery(dataset: Dataset): KernelQuery {
    const by = this.groupBy(dataset);
    // groupSizes: the table shows each group's at-risk share, so it needs every group's size.
    return { kernel: 'churn-rules', spec: { rules: this.rules, asOf: this.asOf, by, ...(by ? { groupSizes: true } : {}), orderBy: null, limit: 0 } };
  }

  private sortColumn(dataset: Dataset): string | null {
    const s = SORTS.includes(this.sort) ? this.sort : 'aum';
    return dataset.columns.includes(s) ? s : dataset.columns.includes('aum') ? 'aum' : null;
  }

  /** The filter conditions of the rule chips: clients hitting every selected rule. */
  private chipConditions(ids: readonly string[] = this.ruleFilter): FilterCondition[] {
    const dataset = this.source.value;
    const views = this.views();
    return ids.flatMap((id) => {
      const r = views.find((v) => v.id === id);
      if (!r) return [];
      const type = dataset?.schema.find((c) => c.name === r.column)?.type ?? '';
      return ruleConditions(r, this.asOf, type.startsWith('Date'));
    });
  }

  private listFilter(): FilterSpec | undefined {
    const page = this.source.hub?.filters.combined(this.filterSlot)?.all ?? [];
    const all = [...page, ...this.chipConditions()];
    return all.length ? { all } : undefined;
  }

  protected override willUpdate(_changed: PropertyValues<this>): void {
    // Lit still runs an update requested before the element was removed: pushing its filter or
    // asking for pages then would outlive the element (disconnectedCallback already undid both).
    if (!this.isConnected) return;
    // The chips filter the other panels too (cross-filtering), once the hub is known.
    const hub = this.source.hub;
    const conditions = this.chipConditions();
    const pushed = JSON.stringify(conditions);
    if (hub && pushed !== this.pushedFilter) {
      this.pushedFilter = pushed;
      hub.filters.set(this.filterSlot, conditions);
    }
    const dataset = this.source.value;
    if (!dataset || this.summary.error) {
      this.pages.setQuery(null);
      return;
    }
    const views = this.views();
    const columns = [...new Set(['name', 'segment', 'aum', ...views.map((r) => r.column)])].filter((c) => dataset.columns.includes(c));
    const filter = this.listFilter();
    const orderBy = this.sortColumn(dataset);
    const spec = { rules: this.rules, asOf: this.asOf, orderBy, ...(filter ? { filter } : {}) };
    const key = `${dataset.key}|${JSON.stringify(spec)}`;
    this.followModel(dataset);
    const state = this.modelState;
    const model = state.status === 'ready'
      ? { key: state.trainedAt, explain: (rows: readonly number[], signal: AbortSignal) => this.explain(dataset, state.model, rows, signal) }
      : undefined;
    if (key !== this.listKey) {
      // A new list: back to its top.
      if (this.listKey !== undefined) {
        this.active = 0;
        // Writing scrollTop forces a layout of the whole page before this update renders (13-22 ms
        // on a dashboard, at every filter change): only when the list is not at its top already.
        if (this.listTop !== 0 || this.scrollFrame !== 0) {
          cancelAnimationFrame(this.scrollFrame);
          this.scrollFrame = 0;
          const grid = this.grid();
          if (grid) grid.scrollTop = 0;
        }
        this.listTop = 0;
      }
      this.listKey = key;
    }
    this.pages.setQuery({ dataset, spec, columns, model });
  }

  private async explain(dataset: Dataset, model: ChurnModel, rows: readonly number[], signal: AbortSignal): Promise<Map<number, ClientScore>> {
    const explained = await explainRows(dataset, model, rows, { locale: document.documentElement.lang || navigator.language, signal });
    return new Map([...explained].map(([row, e]) => [row, { score: e.probability, reasons: e.up.map((r) => r.text), protective: e.down.map((r) => r.text) }]));
  }

  protected override updated(): void {
    const grid = this.grid();
    if (grid && grid !== this.observed) {
      this.resize?.disconnect();
      // The grid's height and scroll position are read and restored in the observer's callback,
      // which runs once layout is done: here, right after a render, either would force a layout of
      // the whole page within this task (on the 1M dashboard's load, 63 ms, after every panel's
      // first render: the load's longest task). The callback comes before the next paint.
      let restored = false;
      this.resize = new ResizeObserver(() => {
        const h = grid.clientHeight;
        if (h > 0 && h !== this.viewport) this.viewport = h;
        if (!restored && h > 0) {
          restored = true;
          if (this.listTop !== 0) grid.scrollTop = this.listTop;
        }
      });
      this.resize.observe(grid);
      this.observed = grid;
    }
    const [first, last] = this.range();
    this.pages.need(first, last);
  }

  private grid(): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>('.grid');
  }

  private bodyHeight(): number {
    return Math.max(ROW_HEIGHT, this.viewport - HEAD_HEIGHT);
  }

  /** Rows to render: the visible ones plus the overscan. */
  private range(): [number, number] {
    const n = this.pages.reachable;
    if (n === 0) return [0, 0];
    const first = Math.max(0, Math.floor(this.listTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(n - 1, Math.floor((this.listTop + this.bodyHeight()) / ROW_HEIGHT) + OVERSCAN);
    return [first, last];
  }

  private handleScroll(e: Event): void {
    const grid = e.currentTarget as HTMLElement;
    cancelAnimationFrame(this.scrollFrame);
    this.scrollFrame = requestAnimationFrame(() => {
      this.scrollFrame = 0;
      this.listTop = grid.scrollTop;
    });
  }

  /** Scrolls so that row `i` is fully visible below the sticky header. */
  private reveal(i: number): void {
    const top = i * ROW_HEIGHT;
    const h = this.bodyHeight();
    let next = this.listTop;
    if (top < next) next = top;
    else if (top + ROW_HEIGHT > next + h) next = top + ROW_HEIGHT - h;
    if (next !== this.listTop) {
      this.listTop = next;
      const grid = this.grid();
      if (grid) grid.scrollTop = next;
    }
  }

  private handleFocus(): void {
    // Coming back to the list after scrolling with the mouse: the active row is the first one in view.
    const firstVisible = Math.ceil(this.listTop / ROW_HEIGHT);
    const lastVisible = Math.floor((this.listTop + this.bodyHeight()) / ROW_HEIGHT) - 1;
    if (this.active < firstVisible || this.active > lastVisible) this.active = Math.min(firstVisible, Math.max(0, this.pages.reachable - 1));
  }

  private handleKeydown(e: KeyboardEvent): void {
    const n = this.pages.reachable;
    if (n === 0) return;
    const step = Math.max(1, Math.floor(this.bodyHeight() / ROW_HEIGHT) - 1);
    let next = this.active;
    switch (e.key) {
      case 'ArrowDown': next += 1; break;
      case 'ArrowUp': next -= 1; break;
      case 'PageDown': next += step; break;
      case 'PageUp': next -= step; break;
      case 'Home': next = 0; break;
      case 'End': next = n - 1; break;
      case 'Enter':
      case ' ':
        e.preventDefault();
        this.open(this.active);
        return;
      default:
        return;
    }
    e.preventDefault();
    this.active = Math.max(0, Math.min(n - 1, next));
    this.reveal(this.active);
  }

  /** Opens the client at list position `index`: tells the page (a following cl-client-card shows it). */
  open(index: number): void {
    this.active = index;
    const row = this.pages.row(index);
    if (!row || row.clientId === null) return;
    this.opened = row.clientId;
    this.dispatchEvent(new CustomEvent<ClientOpenDetail>('cl-client-open', { detail: { clientId: row.clientId }, bubbles: true, composed: true }));
  }

  /** Turns a rule chip on or off (null: show every at-risk client). */
  toggleRule(id: string | null): void {
    const next = id === null ? [] : this.ruleFilter.includes(id) ? this.ruleFilter.filter((r) => r !== id) : [...this.ruleFilter, id];
    this.ruleFilter = next;
    const conditions = this.chipConditions(next);
    this.dispatchEvent(new CustomEvent<RuleFilterDetail>('cl-rule-filter', { detail: { ruleIds: next, conditions }, bubbles: true, composed: true }));
  }

  private setSort(sort: ChurnWatchSort): void {
    this.sort = sort;
    this.dispatchEvent(new CustomEvent<{ sort: ChurnWatchSort }>('cl-sort-change', { detail: { sort }, bubbles: true, composed: true }));
  }

  private sortLabel(s: ChurnWatchSort): string {
    switch (s) {
      case 'aum': return msg('Rules hit, then AUM', { id: 'churn.sort.aum' });
      case 'assetOutflow3m': return msg('Rules hit, then asset outflow', { id: 'churn.sort.outflow' });
      case 'revenue': return msg('Rules hit, then revenue', { id: 'churn.sort.revenue' });
    }
  }

  private name(values: AtRiskRow['values']): string {
    const n = values?.name;
    if (typeof n !== 'string') return '—';
    return this.masking.show('name', n);
  }

  private money(v: unknown): string {
    return typeof v === 'number' ? formatCurrency(v, this.currency, undefined, { maximumFractionDigits: 0 }) : '—';
  }

  private scoreText(s: number): string {
    return s >= 0 && s <= 1 ? formatPercent(s, undefined, 0) : formatNumber(s, { maximumFractionDigits: 2 });
  }

  private scoreTitle(score: ClientScore): string {
    const up = msg('Raises the risk:', { id: 'churn.model.up' });
    const down = msg('Lowers it:', { id: 'churn.model.down' });
    return [`${up} ${score.reasons.join('; ')}`, ...(score.protective?.length ? [`${down} ${score.protective.join('; ')}`] : [])].join('\n');
  }

  /** The model line: what scores the list, or a button to train a model. */
  private renderModel() {
    const dataset = this.source.value;
    if (this.model === 'off' || !dataset || !dataset.columns.includes(CHURN_TARGET)) return nothing;
    const state = this.modelState;
    const train = (label: string) => html`<button type="button" class="model-train" @click=${() => this.trainModel()}>${label}</button>`;
    switch (state.status) {
      case 'none':
        return html`<p class="model" role="status">${msg('Rules only. A model can score every client and say why.', { id: 'churn.model.none' })} ${train(msg('Train churn model', { id: 'churn.model.train' }))}</p>`;
      case 'training':
        return html`<p class="model" role="status">${msg(str`Training the churn model… ${formatPercent(state.progress, undefined, 0)}`, { id: 'churn.model.training' })}
          <progress max="1" .value=${state.progress} aria-label=${msg('Training progress', { id: 'churn.model.progress' })}></progress>
          <button type="button" @click=${() => this.models()?.cancel(dataset)}>${msg('Cancel', { id: 'churn.model.cancel' })}</button></p>`;
      case 'error':
        return html`<p class="model error" role="alert">${msg(str`The churn model could not be trained: ${state.error.message}`, { id: 'churn.model.error' })} ${train(msg('Try again', { id: 'churn.model.retry' }))}</p>`;
      case 'ready': {
        const m = state.model;
        const kind = m.kind === 'gbdt' ? msg('gradient-boosted trees', { id: 'churn.model.gbdt' }) : msg('logistic regression', { id: 'churn.model.logistic' });
        const auc = formatNumber(m.metrics.auc, { maximumFractionDigits: 3 });
        const failed = this.pages.modelError;
        return html`<p class="model" role="status">${msg(str`Scored by a churn model (${kind}, cross-validated AUC ${auc} on ${formatNumber(m.metrics.rows)} clients).`, { id: 'churn.model.ready' })}
          ${failed ? html`<span class="error">${msg(str`Scores unavailable: ${failed.message}`, { id: 'churn.model.score-error' })}</span>` : nothing}
          ${train(msg('Retrain', { id: 'churn.model.retrain' }))}</p>`;
      }
    }
  }

  private renderChips(v: ChurnRulesResult) {
    const book = v.rows;
    const share = (n: number) => (book > 0 ? formatPercent(n / book) : '—');
    const none = this.ruleFilter.length === 0;
    return html`<div class="chips" role="group" aria-label=${msg('Show clients hitting', { id: 'churn.chips' })}>
      <button type="button" class="chip" aria-pressed=${none ? 'true' : 'false'} @click=${() => this.toggleRule(null)}>
        ${none ? html`<span class="tick" aria-hidden="true">✓</span>` : nothing}
        ${msg('Any rule', { id: 'churn.any-rule' })}
        <span class="count">${formatNumber(v.any)}</span><span class="sr-only"> ${msg('clients,', { id: 'churn.chip-clients' })}</span>
        <span class="share">${share(v.any)}</span><span class="sr-only"> ${msg('of the book', { id: 'churn.chip-book' })}</span>
      </button>
      ${v.rules.map((r, j) => {
        const on = this.ruleFilter.includes(r.id);
        const view = this.views()[j] ?? ruleView(r);
        return html`<button type="button" class="chip" data-rule=${r.id} aria-pressed=${on ? 'true' : 'false'} @click=${() => this.toggleRule(r.id)}>
          ${on ? html`<span class="tick" aria-hidden="true">✓</span>` : nothing}
          ${ruleName(view)}
          <span class="count">${formatNumber(r.clients)}</span><span class="sr-only"> ${msg('clients,', { id: 'churn.chip-clients' })}</span>
          <span class="share">${share(r.clients)}</span><span class="sr-only"> ${msg('of the book', { id: 'churn.chip-book' })}</span>
        </button>`;
      })}
    </div>`;
  }

  private renderRow(i: number, views: readonly RuleView[], withScore: boolean) {
    const row = this.pages.row(i);
    const pos = styleProps({ transform: `translateY(${i * ROW_HEIGHT}px)` });
    const cls = `row ${i === this.active ? 'active' : ''}`;
    if (!row) {
      return html`<div role="row" id="${this.uid}-r${i}" class="${cls} loading-row" aria-rowindex=${i + 2} style=${pos}>
        <div role="gridcell" class="cell">${msg('Loading…', { id: 'churn.row-loading' })}</div>
      </div>`;
    }
    const reasons = row.ruleIds.map((id) => views.find((r) => r.id === id)).filter((r): r is RuleView => !!r).map((r) => ruleReason(r, row.values, this.asOf));
    const score = (row.clientId !== null ? this.scores?.get(row.clientId) : undefined) ?? row.score;
    return html`<div role="row" id="${this.uid}-r${i}" class=${cls} aria-rowindex=${i + 2} aria-selected=${row.clientId !== null && row.clientId === this.opened ? 'true' : 'false'}
      style=${pos} data-client=${row.clientId ?? ''} @click=${() => this.open(i)}>
      <div role="gridcell" class="cell id c-id">${row.clientId === null ? '—' : this.masking.show('clientId', row.clientId)}</div>
      <div role="gridcell" class="cell name" title=${this.name(row.values)}>${this.name(row.values)}</div>
      <div role="gridcell" class="cell c-seg">${row.values?.segment ?? '—'}</div>
      <div role="gridcell" class="cell num">${this.money(row.values?.aum)}</div>
      <div role="gridcell" class="cell reasons">
        <span class="hits" title=${msg(str`${row.rulesHit} rules hit`, { id: 'churn.hits' })}>${row.rulesHit}</span>
        <span class="reason-list">${reasons.map((t) => html`<span title=${t}>${t}</span>`)}</span>
      </div>
      ${withScore
        ? html`<div role="gridcell" class="cell score">
            ${score
              ? html`<span class="num">${this.scoreText(score.score)}</span>${score.reasons.length ? html`<span class="why" title=${this.scoreTitle(score)}>${score.reasons[0]}</span>` : nothing}`
              : html`<span>—</span>`}
          </div>`
        : nothing}
    </div>`;
  }

  private renderList() {
    const total = this.pages.total;
    if (this.pages.error) return html`<p class="error" role="alert">${this.pages.error.message}</p>`;
    if (total === undefined) return html`<div class="placeholder" aria-hidden="true"></div>`;
    if (total === 0) {
      return html`<p class="empty">${this.ruleFilter.length
        ? msg('No client hits every selected rule.', { id: 'churn.none-selected' })
        : msg('No client hits a churn rule. Nobody to call today.', { id: 'churn.none' })}</p>`;
    }
    const n = this.pages.reachable;
    const views = this.views();
    const withScore = (!!this.scores && this.scores.size > 0) || this.modelState.status === 'ready';
    const [first, last] = this.range();
    const indices: number[] = [];
    for (let i = first; i <= last; i++) indices.push(i);
    const activeShown = this.active >= first && this.active <= last;
    const listed = this.ruleFilter.length
      ? html`<p class="note listed" role="status">${msg(str`${formatNumber(total)} clients hit every selected rule.`, { id: 'churn.listed' })}</p>`
      : nothing;
    // Rows are keyed by list position (repeat): a row scrolling into view is new DOM, the rows still
    // in view are left alone, so a scroll step costs a few rows, not a rewrite of all of them.
    return html`${listed}<div class="grid ${withScore ? 'with-score' : ''} ${this.pages.showStale ? 'stale' : ''}" role="grid" tabindex="0"
        aria-busy=${this.pages.stale ? 'true' : 'false'}
        aria-label=${msg('Clients at risk', { id: 'churn.list' })} aria-rowcount=${n + 1}
        aria-activedescendant=${activeShown ? `${this.uid}-r${this.active}` : nothing}
        @scroll=${this.handleScroll} @keydown=${this.handleKeydown} @focus=${this.handleFocus}>
        <div role="rowgroup" class="head">
          <div role="row" class="row head-row" aria-rowindex="1">
            <div role="columnheader" class="cell c-id">${msg('Client', { id: 'churn.col.client' })}</div>
            <div role="columnheader" class="cell">${msg('Name', { id: 'churn.col.name' })}</div>
            <div role="columnheader" class="cell c-seg">${msg('Segment', { id: 'churn.col.segment' })}</div>
            <div role="columnheader" class="cell num">${msg('AUM', { id: 'churn.col.aum' })}</div>
            <div role="columnheader" class="cell">${msg('Why at risk', { id: 'churn.col.reasons' })}</div>
            ${withScore ? html`<div role="columnheader" class="cell">${msg('Model score', { id: 'churn.col.score' })}</div>` : nothing}
          </div>
        </div>
        <div role="rowgroup" class="body" style=${styleProps({ height: `${n * ROW_HEIGHT}px` })}>
          ${repeat(indices, (i) => i, (i) => this.renderRow(i, views, withScore))}
        </div>
      </div>
      ${total > MAX_AT_RISK_PAGE_END
        ? html`<p class="note">${msg(str`Showing the first ${formatNumber(MAX_AT_RISK_PAGE_END)} of ${formatNumber(total)} clients; narrow the list with the rule chips or the page's filters.`, { id: 'churn.capped' })}</p>`
        : nothing}
      <p class="note">${msg('Arrow keys, Page Up / Down, Home and End move through the list; Enter opens the client.', { id: 'churn.keys' })}</p>`;
  }

  private csv(v: ChurnRulesResult) {
    const header = [v.by ?? 'group', 'clients', 'at_risk', ...v.rules.map((r) => r.id)];
    const rows = [['(all)', v.rows, v.any, ...v.rules.map((r) => r.clients)], ...v.groups.map((g) => [g.key, g.rows, g.any, ...g.perRule])];
    return { header, rows };
  }

  override render() {
    const v = this.summary.value;
    const subtitle = v
      ? msg(str`${formatNumber(v.any)} of ${formatNumber(v.rows)} clients at risk (${v.rows > 0 ? formatPercent(v.any / v.rows) : '—'} of the book)`, { id: 'churn.subtitle' })
      : undefined;
    const dataset = this.source.value;
    const sorts = SORTS.filter((s) => !dataset || dataset.columns.includes(s));
    const controls = html`<label class="inline">${msg('Order', { id: 'churn.order' })}
      <select .value=${this.sort} @change=${(e: Event) => this.setSort((e.target as HTMLSelectElement).value as ChurnWatchSort)}>
        ${sorts.map((s) => html`<option value=${s} ?selected=${s === this.sort}>${this.sortLabel(s)}</option>`)}
      </select></label>`;
    return this.panel.render(this.source, this.summary, {
      title: msg('Churn watch', { id: 'churn.title' }),
      subtitle,
      filename: 'clientlens-churn-watch',
      controls,
      isEmpty: false,
      chart: () => (v ? html`${this.renderModel()}${this.renderChips(v)}${this.renderList()}` : nothing),
      table: () => (v ? this.table.render((t) => t.renderTable(v, this.views(), this.masking)) : nothing),
      csv: () => this.csv(v!),
    });
  }
}
