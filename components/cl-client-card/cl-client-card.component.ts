import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { styles } from './cl-client-card.styles.js';
import { DatasetController } from '../shared/dataset-controller.js';
import { clientRuleHits } from './client-rules.js';
import { MaskingController } from '../shared/masking-controller.js';
import { stageLabel, valueLabel } from '../shared/field-labels.js';
import { DEFAULT_AS_OF, dayOf, daysInactive, ruleName, ruleReason, ruleView } from '../cl-churn-watch/churn-reasons.js';
import type { ClientOpenDetail } from '../cl-churn-watch/cl-churn-watch.component.js';
import type { DataHub, Dataset } from '../../src/dataset/data-hub.js';
import { LatestQuery } from '../../src/query/latest-query.js';
import { runKernel } from '../../src/query/run-kernel.js';
import { formatCurrency, formatDay, formatNumber } from '../../src/i18n/format.js';
import { DEFAULT_CHURN_RULES, type ChurnRuleInput } from '../../workers/kernels/churn-rule-kinds.js';
import type { ClientLookupResult, ClientValues } from '../../workers/kernels/client-lookup.js';
import { ChurnModels } from '../../src/models/churn-models.js';
import { announceDataAccess } from '../../src/privacy/data-access.js';
import { explainRows } from '../../src/models/models-on-demand.js';
import { CHURN_TARGET } from '../../src/models/default-churn-features.js';
import type { Disposable } from '../../src/lifecycle/disposable.js';
import type { ChurnModel } from '../../workers/models/churn-model.js';

/** A product proposed to the client, with its risk level (1 = lowest, 5 = highest). */
export interface SuitabilityProduct {
  readonly name: string;
  readonly riskLevel: number;
}

export interface ClientLoadDetail {
  readonly clientId: string;
  readonly found: boolean;
}

/** One product against the client's risk-assessment level. */
export interface SuitabilityCheck {
  readonly product: SuitabilityProduct;
  /** 'mismatch': product riskier than the client's level; 'unknown': no assessment or a bad level. */
  readonly status: 'suitable' | 'mismatch' | 'unknown';
}

/** DOMAIN.md "Suitability": a product may be recommended only up to the client's own risk level. */
export function checkSuitability(clientLevel: number | null, products: readonly SuitabilityProduct[]): SuitabilityCheck[] {
  return products.map((product) => {
    const p = product.riskLevel;
    const valid = Number.isInteger(p) && p >= 1 && p <= 5;
    if (!valid || clientLevel === null) return { product, status: 'unknown' };
    return { product, status: p > clientLevel ? 'mismatch' : 'suitable' };
  });
}

interface Shown {
  readonly clientId: string;
  readonly result: ClientLookupResult;
  /** Rule ids hit; null when the rules could not be evaluated (see rulesError). */
  readonly hits: string[] | null;
  readonly rulesError?: Error;
  /** The page's churn model's score and reasons for this client, when there is a model. */
  readonly model?: { readonly score: number; readonly up: readonly string[]; readonly down: readonly string[] };
  readonly modelError?: Error;
}

/**
 * @summary One client's 360° view: who (tags for segment, tier, lifecycle stage), holdings, value
 * to the bank, activity, churn risk with the reasons of each rule hit (and a model's reasons when
 * given), and a suitability check of proposed products against the client's risk level, with
 * mismatches flagged in words, not only colour.
 *
 * @attr client-id - The client to show.
 * @attr follow - Show the client of every `cl-client-open` event on the page (e.g. from cl-churn-watch).
 * @attr mask - Show the name masked ("王*").
 * @attr currency - ISO currency of money figures (default CNY).
 * @attr as-of - The day the data describes (YYYY-MM-DD), for days without a transaction (default 2026-06-30).
 * @attr products - JSON list of { name, riskLevel } to check (also a property).
 * @attr src - Load this CSV/JSON/Arrow URL instead of the page's current dataset.
 * @attr mapping - JSON field mapping for src.
 * @attr theme - light | dark | high-contrast.
 * @prop reasons - A model's reasons for this client's score (explainability), shown under churn risk.
 * @prop score - The model's score for this client (0..1), shown with the reasons.
 * @prop rules - The churn rules (default: DOMAIN's two default rules).
 * @prop data - A Dataset to show.
 *
 * @event cl-client-load - A client was looked up. detail: { clientId, found }.
 * @csspart base - The card. @csspart title - The client's name.
 */
export class ClClientCard extends LitElement {
  static override styles = styles;

  static override properties = {
    clientId: { type: String, attribute: 'client-id', reflect: true },
    follow: { type: Boolean, reflect: true },
    mask: { type: Boolean, reflect: true },
    currency: { type: String },
    asOf: { type: String, attribute: 'as-of' },
    products: { type: Object },
    reasons: { attribute: false },
    score: { type: Number },
    rules: { type: Object },
    src: { type: String },
    mapping: { type: Object },
    theme: { type: String, reflect: true },
    data: { attribute: false },
    hub: { attribute: false },
    shown: { state: true },
    pending: { state: true },
    error: { state: true },
  };

  clientId?: string;
  follow = false;
  mask = false;
  currency = 'CNY';
  asOf = DEFAULT_AS_OF;
  products: readonly SuitabilityProduct[] = [];
  reasons?: readonly string[];
  score?: number;
  rules: readonly ChurnRuleInput[] = DEFAULT_CHURN_RULES;
  src?: string;
  mapping?: Record<string, string>;
  theme?: string;
  data?: Dataset;
  hub?: DataHub;
  private shown?: Shown;
  private pending = false;
  private error?: Error;

  private readonly source = new DatasetController(this);
  private readonly masking = new MaskingController(this);
  private readonly latest = new LatestQuery();
  private key?: string;
  private listening = false;
  private modelSub?: Disposable;
  private restoredFor?: string;

  constructor() {
    super();
    updateWhenLocaleChanges(this);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.listen(this.follow);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.listen(false);
    this.latest.dispose();
    this.key = undefined;
    this.modelSub?.dispose();
    this.modelSub = undefined;
    this.restoredFor = undefined;
  }

  /** The page's churn models (shared with cl-churn-watch); a saved model is restored once per dataset. */
  private models(dataset: Dataset): ChurnModels | undefined {
    const hub = this.source.hub;
    if (!hub || !dataset.columns.includes(CHURN_TARGET)) return undefined;
    const models = ChurnModels.of(hub);
    // Only while connected: an update that runs after removal must not subscribe again.
    if (this.isConnected) this.modelSub ??= models.onChange((key) => key === this.source.value?.key && this.requestUpdate());
    if (this.restoredFor !== dataset.key) {
      this.restoredFor = dataset.key;
      void models.restore(dataset);
    }
    return models;
  }

  /** The client shown (its lookup result), if any. */
  get value(): ClientLookupResult | undefined {
    return this.shown?.result;
  }

  private readonly handleOpen = (e: Event): void => {
    const id = (e as CustomEvent<ClientOpenDetail>).detail?.clientId;
    if (typeof id === 'string' && id !== '') this.clientId = id;
  };

  private listen(on: boolean): void {
    if (on === this.listening) return;
    this.listening = on;
    if (on) document.addEventListener('cl-client-open', this.handleOpen);
    else document.removeEventListener('cl-client-open', this.handleOpen);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('follow') && this.isConnected) this.listen(this.follow);
    // Lit still runs an update requested before the element was removed; a lookup started then
    // would outlive the element (disconnectedCallback already cancelled and forgot its query).
    if (!this.isConnected) return;
    const dataset = this.source.value;
    const id = this.clientId?.trim();
    if (!dataset || !id) {
      if (this.key !== undefined) {
        this.latest.dispose();
        this.key = undefined;
        this.pending = false;
        this.error = undefined;
        this.shown = undefined;
      }
      return;
    }
    const state = this.models(dataset)?.state(dataset);
    const model = state?.status === 'ready' ? state : undefined;
    const key = `${dataset.key}|${id}|${JSON.stringify(this.rules)}|${this.asOf}|${model?.trainedAt ?? ''}`;
    if (key === this.key) return;
    this.key = key;
    void this.load(dataset, id, key, model?.model);
  }

  private async load(dataset: Dataset, clientId: string, key: string, model?: ChurnModel): Promise<void> {
    // The card reads every column of the client (its 360 view).
    announceDataAccess(this, dataset, 'client-lookup', dataset.columns);
    this.pending = true;
    this.error = undefined;
    let shown: Shown;
    try {
      const result = await this.latest.run((signal) => runKernel<ClientLookupResult>(dataset, 'client-lookup', { clientId }, { signal }));
      if (key !== this.key) return;
      shown = { clientId, result, hits: null };
      if (result.found) {
        try {
          shown = { ...shown, hits: await this.latest.run((signal) => clientRuleHits(dataset, clientId, result.values, this.rules, this.asOf, signal)) };
        } catch (err) {
          if ((err as Error)?.name === 'AbortError') throw err;
          shown = { ...shown, rulesError: err as Error };
        }
        if (model) {
          const row = result.row;
          try {
            const e = (await this.latest.run((signal) => explainRows(dataset, model, [row], { locale: document.documentElement.lang || navigator.language, signal }))).get(row);
            if (e) shown = { ...shown, model: { score: e.probability, up: e.up.map((r) => r.text), down: e.down.map((r) => r.text) } };
          } catch (err) {
            if ((err as Error)?.name === 'AbortError') throw err;
            shown = { ...shown, modelError: err as Error };
          }
        }
      }
    } catch (err) {
      if ((err as Error)?.name === 'AbortError' || key !== this.key) return;
      this.error = err as Error;
      this.pending = false;
      return;
    }
    if (key !== this.key) return;
    this.shown = shown;
    this.pending = false;
    this.dispatchEvent(new CustomEvent<ClientLoadDetail>('cl-client-load', { detail: { clientId, found: shown.result.found }, bubbles: true, composed: true }));
  }

  private money(v: unknown, options: Intl.NumberFormatOptions = {}): string {
    return typeof v === 'number' ? formatCurrency(v, this.currency, undefined, { maximumFractionDigits: 0, ...options }) : '—';
  }

  private count(v: unknown): string {
    return typeof v === 'number' ? formatNumber(v) : '—';
  }

  private date(v: unknown): string {
    const d = dayOf(v);
    return d === null ? '—' : formatDay(d);
  }

  private displayName(values: ClientValues, clientId: string): string {
    return typeof values.name === 'string' && values.name.trim() ? this.masking.show('name', values.name) : this.masking.show('clientId', clientId);
  }

  private renderTags(v: ClientValues) {
    const tags: [string, string][] = [];
    const s = (x: unknown) => (typeof x === 'string' ? x : null);
    if (s(v.segment)) tags.push([msg('Segment', { id: 'card.tag.segment' }), s(v.segment)!]);
    if (s(v.tier)) tags.push([msg('Tier', { id: 'card.tag.tier' }), valueLabel('tier', s(v.tier)!)]);
    if (s(v.lifecycleStage)) tags.push([msg('Lifecycle', { id: 'card.tag.lifecycle' }), stageLabel(s(v.lifecycleStage)!)]);
    if (s(v.clientType)) tags.push([msg('Type', { id: 'card.tag.type' }), valueLabel('clientType', s(v.clientType)!)]);
    if (s(v.region)) tags.push([msg('Region', { id: 'card.tag.region' }), s(v.region)!]);
    if (typeof v.riskLevel === 'number') tags.push([msg('Risk level', { id: 'card.tag.risk' }), String(v.riskLevel)]);
    if (!tags.length) return nothing;
    return html`<ul class="tags" aria-label=${msg('Tags', { id: 'card.tags' })}>
      ${tags.map(([k, t]) => html`<li class="tag"><span class="k">${k}${msg(': ', { id: 'card.tag-sep' })}</span>${t}</li>`)}
    </ul>`;
  }

  private dl(items: [string, string, string?][]) {
    return html`<dl>${items.map(([k, val, cls]) => html`<div><dt>${k}</dt><dd class=${cls ?? ''}>${val}</dd></div>`)}</dl>`;
  }

  private renderHoldings(v: ClientValues) {
    return html`<section class="box" aria-labelledby="h-holdings">
      <h3 id="h-holdings">${msg('Holdings', { id: 'card.holdings' })}</h3>
      ${this.dl([
        [msg('Assets under management', { id: 'card.aum' }), this.money(v.aum)],
        [msg('Deposits', { id: 'card.deposits' }), this.money(v.deposits)],
        [msg('Loans', { id: 'card.loans' }), this.money(v.loans)],
        [msg('Products held', { id: 'card.products-held' }), this.count(v.productsHeld)],
      ])}
    </section>`;
  }

  private renderValue(v: ClientValues) {
    const rev = typeof v.revenue === 'number' ? v.revenue : null;
    const cost = typeof v.costToServe === 'number' ? v.costToServe : null;
    const profit = rev !== null && cost !== null ? rev - cost : null;
    const cti = rev !== null && cost !== null && rev > 0 ? cost / rev : null;
    return html`<section class="box" aria-labelledby="h-value">
      <h3 id="h-value">${msg('Value to the bank (12 months)', { id: 'card.value' })}</h3>
      ${this.dl([
        [msg('Revenue', { id: 'card.revenue' }), this.money(rev)],
        [msg('Cost to serve', { id: 'card.cost' }), this.money(cost)],
        [msg('Profit', { id: 'card.profit' }), this.money(profit), profit !== null && profit < 0 ? 'neg' : undefined],
        [msg('Cost-to-income', { id: 'card.cti' }), cti === null ? '—' : formatNumber(cti, { maximumFractionDigits: 2, minimumFractionDigits: 2 })],
      ])}
    </section>`;
  }

  private renderActivity(v: ClientValues) {
    const days = daysInactive(v, this.asOf);
    const last = v.lastTxnDate === null || v.lastTxnDate === undefined
      ? msg('never', { id: 'card.never' })
      : days === null ? this.date(v.lastTxnDate) : msg(str`${this.date(v.lastTxnDate)} (${formatNumber(days)} days ago)`, { id: 'card.last-txn-ago' });
    const items: [string, string][] = [
      [msg('Last transaction', { id: 'card.last-txn' }), last],
      [msg('Transactions (12 months)', { id: 'card.txn-12m' }), this.count(v.txnCount12m)],
    ];
    if ('openDate' in v) items.push([msg('Client since', { id: 'card.since' }), this.date(v.openDate)]);
    if ('channel' in v) items.push([msg('Preferred channel', { id: 'card.channel' }), typeof v.channel === 'string' ? valueLabel('channel', v.channel) : '—']);
    if ('rm' in v) items.push([msg('Relationship manager', { id: 'card.rm' }), typeof v.rm === 'string' ? this.masking.show('rm', v.rm) : msg('branch pool', { id: 'card.rm-pool' })]);
    return html`<section class="box" aria-labelledby="h-activity">
      <h3 id="h-activity">${msg('Activity', { id: 'card.activity' })}</h3>
      ${this.dl(items)}
    </section>`;
  }

  private renderRisk(shown: Shown, v: ClientValues) {
    const views = this.rules.map(ruleView);
    const hit = shown.hits ? views.filter((r) => shown.hits!.includes(r.id)) : [];
    let rules: TemplateResult;
    if (shown.rulesError) rules = html`<p class="error" role="alert">${msg(str`The churn rules could not be checked: ${shown.rulesError.message}`, { id: 'card.rules-error' })}</p>`;
    else if (hit.length === 0) rules = html`<p class="risk-none"><span aria-hidden="true">✓ </span>${msg(str`No churn rule hit (${views.map((r) => ruleName(r)).join('; ')}).`, { id: 'card.no-rule' })}</p>`;
    else {
      rules = html`<ul class="plain" aria-label=${msg('Churn rules hit', { id: 'card.rules-hit' })}>
        ${hit.map((r) => html`<li class="hit"><span aria-hidden="true">⚠ </span>${ruleReason(r, v, this.asOf)}</li>`)}
      </ul>`;
    }
    // Reasons and a score set by the host page win over the page's own model.
    const hostSet = this.reasons !== undefined || typeof this.score === 'number';
    const reasons = hostSet ? (this.reasons ?? []) : (shown.model?.up ?? []);
    const score = hostSet ? this.score : shown.model?.score;
    const protective = hostSet ? [] : (shown.model?.down ?? []);
    return html`<section class="box wide" aria-labelledby="h-risk">
      <h3 id="h-risk">${msg('Churn risk', { id: 'card.risk' })}</h3>
      ${rules}
      ${reasons.length || typeof score === 'number'
        ? html`<h4>${typeof score === 'number'
              ? msg(str`Model score ${formatNumber(score, { style: 'percent', maximumFractionDigits: 0 })}; reasons`, { id: 'card.model-score' })
              : msg('Model reasons', { id: 'card.model-reasons' })}</h4>
            ${reasons.length ? html`<ul class="plain" aria-label=${msg('Raises the risk', { id: 'card.model-up' })}>${reasons.map((r) => html`<li class="up"><span aria-hidden="true">▲ </span>${r}</li>`)}</ul>` : nothing}
            ${protective.length ? html`<ul class="plain" aria-label=${msg('Lowers the risk', { id: 'card.model-down' })}>${protective.map((r) => html`<li class="down"><span aria-hidden="true">▼ </span>${r}</li>`)}</ul>` : nothing}`
        : nothing}
      ${!hostSet && shown.modelError ? html`<p class="error" role="alert">${msg(str`The model could not score this client: ${shown.modelError.message}`, { id: 'card.model-error' })}</p>` : nothing}
    </section>`;
  }

  private renderSuitability(v: ClientValues) {
    const level = typeof v.riskLevel === 'number' && Number.isFinite(v.riskLevel) ? v.riskLevel : null;
    const checks = checkSuitability(level, this.products ?? []);
    const mismatches = checks.filter((c) => c.status !== 'suitable');
    let summary: TemplateResult | typeof nothing = nothing;
    if (checks.length === 0) summary = html`<p class="muted">${msg('No products proposed to check.', { id: 'card.no-products' })}</p>`;
    else if (level === null) {
      summary = html`<div class="alert" role="alert"><span class="icon" aria-hidden="true">⚠</span><span><strong>${msg('Suitability cannot be confirmed', { id: 'card.suit.unknown-title' })}</strong>: ${msg('the client has no risk assessment on file; no product may be recommended until one is done.', { id: 'card.suit.unknown' })}</span></div>`;
    } else if (mismatches.length) {
      summary = html`<div class="alert" role="alert"><span class="icon" aria-hidden="true">⚠</span><span><strong>${msg('Suitability mismatch', { id: 'card.suit.mismatch-title' })}</strong>: ${msg(str`${mismatches.length} of ${checks.length} products are riskier than the client's risk level (${level}).`, { id: 'card.suit.mismatch' })}</span></div>`;
    } else {
      summary = html`<div class="okay" role="status"><span class="icon" aria-hidden="true">✓</span><span>${msg(str`All ${checks.length} products are within the client's risk level (${level}).`, { id: 'card.suit.ok' })}</span></div>`;
    }
    return html`<section class="box wide" aria-labelledby="h-suit">
      <h3 id="h-suit">${msg('Suitability', { id: 'card.suitability' })}</h3>
      <p class="muted">${level === null ? msg('Client risk level: not assessed', { id: 'card.client-level-none' }) : msg(str`Client risk level: ${level} of 5`, { id: 'card.client-level' })}</p>
      ${summary}
      ${checks.length
        ? html`<table class="data">
            <thead><tr>
              <th scope="col">${msg('Product', { id: 'card.col.product' })}</th>
              <th scope="col" class="num">${msg('Product risk', { id: 'card.col.product-risk' })}</th>
              <th scope="col">${msg('Check', { id: 'card.col.check' })}</th>
            </tr></thead>
            <tbody>${checks.map((c) => html`<tr data-status=${c.status}>
              <th scope="row">${c.product.name}</th>
              <td class="num">${Number.isFinite(c.product.riskLevel) ? c.product.riskLevel : '—'}</td>
              ${c.status === 'suitable'
                ? html`<td class="suitable"><span aria-hidden="true">✓ </span>${msg('Suitable', { id: 'card.suit.row-ok' })}</td>`
                : c.status === 'mismatch'
                  ? html`<td class="mismatch"><span aria-hidden="true">✗ </span>${msg(str`Mismatch: product risk ${c.product.riskLevel} is above the client's ${level}`, { id: 'card.suit.row-mismatch' })}</td>`
                  : html`<td class="mismatch"><span aria-hidden="true">? </span>${level === null ? msg('Not assessed', { id: 'card.suit.row-unassessed' }) : msg('Invalid product risk level (1 to 5)', { id: 'card.suit.row-invalid' })}</td>`}
            </tr>`)}</tbody>
          </table>`
        : nothing}
    </section>`;
  }

  private renderBody(): TemplateResult {
    const data = this.source;
    if (data.error) return html`<p class="error" role="alert">${msg(str`Could not load the data: ${data.error.message}`, { id: 'panel.data-error' })}</p>`;
    if (!data.value) {
      return data.loading
        ? html`<div class="status" role="status">${msg('Loading data…', { id: 'panel.loading-data' })}</div>`
        : html`<p class="empty">${msg('Load client data to see this panel.', { id: 'panel.no-data' })}</p>`;
    }
    if (!this.clientId?.trim()) {
      return html`<p class="empty">${msg('No client chosen. Open a client from a list (click or Enter) to see the 360° view here.', { id: 'card.none' })}</p>`;
    }
    if (this.error) return html`<p class="error" role="alert">${msg(str`Could not look up the client: ${this.error.message}`, { id: 'card.error' })}</p>`;
    const shown = this.shown;
    if (!shown) return html`<div class="status" role="status">${msg('Looking up the client…', { id: 'card.loading' })}</div><div class="placeholder" aria-hidden="true"></div>`;
    if (!shown.result.found) {
      return html`<p class="empty" role="status">${msg(str`No client with the id "${this.masking.show('clientId', shown.clientId)}" in this data.`, { id: 'card.not-found' })}</p>`;
    }
    const v = shown.result.values;
    return html`<div class="sections">
      ${this.renderHoldings(v)} ${this.renderValue(v)} ${this.renderActivity(v)} ${this.renderRisk(shown, v)} ${this.renderSuitability(v)}
    </div>`;
  }

  override render() {
    const shown = this.shown?.result.found ? this.shown : undefined;
    const v = shown?.result.found ? shown.result.values : undefined;
    const title = v && shown ? this.displayName(v, shown.clientId) : msg('Client', { id: 'card.title' });
    return html`<section part="base" class="panel" aria-labelledby="card-title" aria-busy=${this.pending || this.source.loading ? 'true' : 'false'}>
      <header>
        <div class="who">
          <h2 id="card-title" part="title">${title}</h2>
          ${shown ? html`<span class="id">${msg(str`ID ${this.masking.show('clientId', shown.clientId)}`, { id: 'card.id' })}</span>` : nothing}
        </div>
        ${v ? this.renderTags(v) : nothing}
      </header>
      ${this.pending && this.shown ? html`<div class="status" role="status">${msg('Updating…', { id: 'panel.updating' })}</div>` : nothing}
      <div class="panel-body ${this.pending && this.shown ? 'stale' : ''}" part="body">${this.renderBody()}</div>
    </section>`;
  }
}
