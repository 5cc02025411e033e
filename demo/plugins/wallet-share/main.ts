/**
 * Example plugin 2: wallet share scored by a worker kernel (wallet-share.kernel.ts, declared in the
 * manifest so it needs no activation) and shown in a panel. The panel and the command run the
 * kernel through `ctx.runKernel`: on the current dataset, in every worker, with the page's filters,
 * a time budget and cancellation when a newer run starts.
 */
import { LitElement, css, html, nothing, svg } from 'lit';
import type { Disposable, PluginContext } from '../../../src/plugins/plugin-api.js';
import type { WalletShareResult } from './wallet-share.kernel.js';

let ctx: PluginContext | undefined;

function context(): PluginContext {
  if (!ctx) throw new Error('The wallet share plugin is not active.');
  return ctx;
}

async function compute(signal?: AbortSignal): Promise<WalletShareResult> {
  const c = context();
  const filter = c.hub.filters.combined();
  return c.runKernel<WalletShareResult>('acme.walletShare', filter ? { filter } : {}, { signal });
}

/**
 * @summary Wallet share of the bank's clients, bucketed.
 */
export class WalletSharePanel extends LitElement {
  static override styles = css`
    :host { display: block; font-family: var(--cl-font, system-ui, sans-serif); color: var(--cl-color-text, #1c2430); }
    section { background: var(--cl-color-surface, #fff); border: 1px solid var(--cl-color-border, #d5dbe3); border-radius: var(--cl-radius, 8px); padding: 0.9rem 1rem; }
    h2 { font-size: 1rem; margin: 0 0 0.4rem; }
    .muted { color: var(--cl-color-muted, #5b6675); font-size: 0.85rem; }
    rect { fill: var(--cl-color-accent, #0b63c5); }
    text { font-size: 11px; fill: currentColor; }
  `;
  static override properties = { result: { state: true }, error: { state: true } };

  result?: WalletShareResult;
  error?: string;
  private subs: Disposable[] = [];
  private abort?: AbortController;

  override connectedCallback(): void {
    super.connectedCallback();
    const c = context();
    const rerun = () => void this.refresh();
    this.subs.push(c.hub.onCurrentChange(rerun), c.hub.filters.onChange(rerun));
    void this.refresh();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.subs.forEach((s) => void s.dispose());
    this.abort?.abort();
  }

  async refresh(): Promise<void> {
    this.abort?.abort();
    if (!context().hub.current) return;
    const abort = (this.abort = new AbortController());
    try {
      this.result = await compute(abort.signal);
      this.error = undefined;
    } catch (err) {
      // A failing kernel marks the plugin failed (the host shows the badge); cancellations are expected.
      if ((err as Error).name !== 'AbortError') this.error = (err as Error).message;
    }
  }

  override render() {
    const c = context();
    const r = this.result;
    const fmt = new Intl.NumberFormat(c.locale);
    const max = Math.max(1, ...(r?.buckets.map((b) => b.count) ?? [1]));
    return html`<section aria-labelledby="t">
      <h2 id="t">${c.localize('panel')}</h2>
      ${!c.hub.current ? html`<p class="muted">${c.localize('no-data')}</p>` : nothing}
      ${this.error ? html`<p role="alert">${this.error}</p>` : nothing}
      ${r
        ? html`<p class="muted" data-clients=${r.clients}>${c.localize('mean')}: ${r.mean === null ? '—' : new Intl.NumberFormat(c.locale, { style: 'percent', maximumFractionDigits: 1 }).format(r.mean)} ·
              ${fmt.format(r.clients)} ${c.localize('clients')} · ${fmt.format(r.skipped)} ${c.localize('skipped')}</p>
            <svg role="img" aria-label=${r.buckets.map((b) => `${b.label}: ${b.count}`).join(', ')} viewBox="0 0 320 ${r.buckets.length * 22}" width="100%">
              ${r.buckets.map(
                (b, i) => svg`<text x="0" y=${i * 22 + 14}>${b.label}</text>
                  <rect x="70" y=${i * 22 + 3} height="16" width=${(200 * b.count) / max}></rect>
                  <text x=${76 + (200 * b.count) / max} y=${i * 22 + 14}>${fmt.format(b.count)}</text>`,
              )}
            </svg>`
        : nothing}
    </section>`;
  }
}

export function activate(context: PluginContext): void {
  ctx = context;
  context.subscriptions.push(
    context.registerPanel('acme-wallet-share', WalletSharePanel),
    context.registerCommand('acme.walletShare.compute', () => compute()),
  );
}

export function deactivate(): void {
  ctx = undefined;
}
