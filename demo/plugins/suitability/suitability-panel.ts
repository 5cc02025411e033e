import { LitElement, css, html, nothing } from 'lit';
import type { Disposable } from '../../../src/plugins/plugin-api.js';
import { pluginContext } from './main.js';

interface Product {
  readonly name: string;
  readonly risk: number;
}

/** What the panel shows, also returned by the summary command. */
export interface SuitabilitySummary {
  readonly product: string;
  readonly productRisk: number;
  readonly suitable: number;
  readonly unsuitable: number;
  readonly unknown: number;
  /** Clients by risk level 1..5. */
  readonly byLevel: readonly number[];
}

// The rollup groups clients into risk levels 1..5 (bins at 2, 3, 4, 5) plus a missing group.
const RISK_BINS = { column: 'riskLevel', edges: [2, 3, 4, 5], labels: ['1', '2', '3', '4', '5'], missingLabel: 'unknown' };

interface Rollup {
  readonly groups: readonly { readonly keys: readonly string[]; readonly count: number }[];
}

/**
 * @summary Suitability check: clients whose risk level allows the chosen product, and those it does not.
 * @attr product - Overrides the product (element-scope setting) by name.
 */
export class SuitabilityPanel extends LitElement {
  static override styles = css`
    :host { display: block; font-family: var(--cl-font, system-ui, sans-serif); color: var(--cl-color-text, #1c2430); }
    section { background: var(--cl-color-surface, #fff); border: 1px solid var(--cl-color-border, #d5dbe3); border-radius: var(--cl-radius, 8px); padding: 0.9rem 1rem; }
    h2 { font-size: 1rem; margin: 0 0 0.5rem; }
    .row { display: flex; gap: 1.5rem; flex-wrap: wrap; align-items: baseline; }
    .figure { font-size: 1.4rem; font-weight: 650; font-variant-numeric: tabular-nums; }
    .ok { color: var(--cl-color-ok, #1b7f3b); }
    .bad { color: var(--cl-color-danger, #b3261e); }
    .muted { color: var(--cl-color-muted, #5b6675); font-size: 0.85rem; }
    select { font: inherit; }
    table { border-collapse: collapse; margin-top: 0.6rem; font-size: 0.85rem; }
    th, td { padding: 0.15rem 0.6rem; text-align: right; border-bottom: 1px solid var(--cl-color-border, #d5dbe3); }
    th:first-child, td:first-child { text-align: left; }
  `;

  static override properties = { product: { type: String }, summary: { state: true }, error: { state: true } };

  product?: string;
  summary?: SuitabilitySummary;
  error?: string;
  private subs: Disposable[] = [];
  private abort?: AbortController;

  override connectedCallback(): void {
    super.connectedCallback();
    const ctx = pluginContext();
    const rerun = () => void this.compute();
    this.subs.push(ctx.hub.onCurrentChange(rerun), ctx.hub.filters.onChange(rerun), ctx.settings.onDidChange(rerun), ctx.onDidChangeLocale(() => this.requestUpdate()));
    void this.compute();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.subs.forEach((s) => void s.dispose());
    this.subs = [];
    this.abort?.abort();
  }

  private chosen(): Product {
    const ctx = pluginContext();
    const products = ctx.settings.get<Product[]>('products');
    const name = this.product ?? ctx.settings.get<string>('product', { element: this });
    return products.find((p) => p.name === name) ?? products[0];
  }

  private async compute(): Promise<void> {
    const ctx = pluginContext();
    const dataset = ctx.hub.current;
    this.abort?.abort();
    if (!dataset) return void (this.summary = undefined);
    if (!dataset.columns.includes('riskLevel')) return void (this.error = ctx.localize('missing'));
    const abort = (this.abort = new AbortController());
    const filter = ctx.hub.filters.combined();
    try {
      const r = await ctx.runKernel<Rollup>('segment-rollup', { by: { bins: RISK_BINS }, ...(filter ? { filter } : {}) }, { signal: abort.signal });
      const byLevel = [1, 2, 3, 4, 5].map((l) => r.groups.find((g) => g.keys[0] === String(l))?.count ?? 0);
      const unknown = r.groups.find((g) => g.keys[0] === 'unknown')?.count ?? 0;
      const product = this.chosen();
      this.summary = {
        product: product.name,
        productRisk: product.risk,
        suitable: byLevel.slice(product.risk - 1).reduce((a, b) => a + b, 0),
        unsuitable: byLevel.slice(0, product.risk - 1).reduce((a, b) => a + b, 0),
        unknown,
        byLevel,
      };
      this.error = undefined;
      this.dispatchEvent(new CustomEvent('acme-suitability-change', { detail: this.summary, bubbles: true, composed: true }));
    } catch (err) {
      if ((err as Error).name !== 'AbortError') this.error = (err as Error).message;
    }
  }

  private async choose(e: Event): Promise<void> {
    await pluginContext().settings.update('product', (e.target as HTMLSelectElement).value, { scope: 'element', element: this });
  }

  override render() {
    const ctx = pluginContext();
    const t = (k: string) => ctx.localize(k);
    const fmt = new Intl.NumberFormat(ctx.locale);
    const products = ctx.settings.get<Product[]>('products');
    const chosen = this.chosen();
    const s = this.summary;
    return html`<section aria-labelledby="title">
      <h2 id="title">${t('panel.title')}</h2>
      <label>${t('product')}
        <select @change=${this.choose}>
          ${products.map((p) => html`<option value=${p.name} ?selected=${p.name === chosen.name}>${p.name} (R${p.risk})</option>`)}
        </select>
      </label>
      ${this.error ? html`<p role="alert">${this.error}</p>` : nothing}
      ${!ctx.hub.current ? html`<p class="muted">${t('no-data')}</p>` : nothing}
      ${s
        ? html`<div class="row" data-product=${s.product}>
              <div><div class="muted">${t('suitable')}</div><div class="figure ok" data-figure="suitable">${fmt.format(s.suitable)}</div></div>
              <div><div class="muted">${t('unsuitable')}</div><div class="figure bad" data-figure="unsuitable">${fmt.format(s.unsuitable)}</div></div>
              ${s.unknown ? html`<div><div class="muted">${t('unknown')}</div><div class="figure">${fmt.format(s.unknown)}</div></div>` : nothing}
            </div>
            <table>
              <thead><tr><th scope="col">${t('level')}</th><th scope="col">${t('clients')}</th><th scope="col"></th></tr></thead>
              <tbody>
                ${s.byLevel.map((n, i) => html`<tr><td>${i + 1}</td><td>${fmt.format(n)}</td><td class=${i + 1 >= s.productRisk ? 'ok' : 'bad'}>${i + 1 >= s.productRisk ? t('suitable') : t('unsuitable')}</td></tr>`)}
              </tbody>
            </table>`
        : nothing}
    </section>`;
  }
}
