import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { styles } from './cl-client-card.styles.js';
import { DatasetController } from '../shared/dataset-controller.js';
import { OnDemand } from '../shared/on-demand.js';
import { clientRuleHits } from './client-rules.js';
import { MaskingController } from '../shared/masking-controller.js';
import { DEFAULT_AS_OF } from '../cl-churn-watch/churn-reasons.js';
import type { ClientOpenDetail } from '../cl-churn-watch/cl-churn-watch.component.js';
import type { DataHub, Dataset } from '../../src/dataset/data-hub.js';
import { LatestQuery } from '../../src/query/latest-query.js';
import { runKernel } from '../../src/query/run-kernel.js';
import { DEFAULT_CHURN_RULES, type ChurnRuleInput } from '../../workers/kernels/churn-rule-kinds.js';
import type { ClientLookupResult, ClientValues } from '../../workers/kernels/client-lookup.js';
import { ChurnModels } from '../../src/models/churn-models.js';
import { announceDataAccess } from '../../src/privacy/data-access.js';
import { explainRows } from '../../src/models/models-on-demand.js';
import { CHURN_TARGET } from '../../src/models/default-churn-features.js';
import type { Disposable } from '../../src/lifecycle/disposable.js';
import type { ChurnModel } from '../../workers/models/churn-model.js';
import type { Shown } from './cl-client-card.views.js';
import type { SuitabilityProduct } from './suitability.js';

/** The found client's sections (a module constant: loads are shared per loader, see OnDemand). */
const loadViews = () => import('./cl-client-card.views.js');

export { checkSuitability, type SuitabilityCheck, type SuitabilityProduct } from './suitability.js';

export interface ClientLoadDetail {
  readonly clientId: string;
  readonly found: boolean;
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
 * @event cl-client-load - A client was looked up and is shown. detail: { clientId, found }.
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
  private readonly views = new OnDemand(this, loadViews);
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
    // The view loads while the client is looked up, not after.
    this.views.get();
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
    // Shown with its view, not as a loading line first: 'cl-client-load' means the card shows the client.
    await this.views.whenReady();
    if (key !== this.key) return;
    this.shown = shown;
    this.pending = false;
    this.dispatchEvent(new CustomEvent<ClientLoadDetail>('cl-client-load', { detail: { clientId, found: shown.result.found }, bubbles: true, composed: true }));
  }

  private displayName(values: ClientValues, clientId: string): string {
    return typeof values.name === 'string' && values.name.trim() ? this.masking.show('name', values.name) : this.masking.show('clientId', clientId);
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
    return this.views.render((m) => m.renderClient(this, this.masking, shown, v));
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
        ${v ? (this.views.get()?.renderTags(this, this.masking, v) ?? nothing) : nothing}
      </header>
      ${this.pending && this.shown ? html`<div class="status" role="status">${msg('Updating…', { id: 'panel.updating' })}</div>` : nothing}
      <div class="panel-body ${this.pending && this.shown ? 'stale' : ''}" part="body">${this.renderBody()}</div>
    </section>`;
  }
}
