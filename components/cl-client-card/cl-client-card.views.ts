/**
 * The client card's 360 view of a found client (tags, holdings, value, activity, churn risk,
 * suitability), loaded on demand (components/shared/on-demand.ts) the first time a card looks a
 * client up, alongside the lookup: a page that never opens a client does not load it. The card's
 * other states (no data, no client, looking up, not found, errors) draw without it.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { msg, str } from '@lit/localize';
import { stageLabel, valueLabel } from '../shared/field-labels.js';
import type { MaskingController } from '../shared/masking-controller.js';
import { dayOf, daysInactive, ruleName, ruleReason, ruleView } from '../cl-churn-watch/churn-reasons.js';
import { formatCurrency, formatDay, formatNumber } from '../../src/i18n/format.js';
import type { ChurnRuleInput } from '../../workers/kernels/churn-rule-kinds.js';
import type { ClientLookupResult, ClientValues } from '../../workers/kernels/client-lookup.js';
import { checkSuitability, type SuitabilityProduct } from './suitability.js';

/** A looked-up client, with its rule hits and the page model's score, as the card shows it. */
export interface Shown {
  readonly clientId: string;
  readonly result: ClientLookupResult;
  /** Rule ids hit; null when the rules could not be evaluated (see rulesError). */
  readonly hits: string[] | null;
  readonly rulesError?: Error;
  /** The page's churn model's score and reasons for this client, when there is a model. */
  readonly model?: { readonly score: number; readonly up: readonly string[]; readonly down: readonly string[] };
  readonly modelError?: Error;
}

/** What the views read from the card. */
export interface ClientViewHost {
  readonly currency: string;
  readonly asOf: string;
  readonly rules: readonly ChurnRuleInput[];
  readonly products: readonly SuitabilityProduct[];
  readonly reasons?: readonly string[];
  readonly score?: number;
}

type Masking = Pick<MaskingController, 'show'>;

/** The tags under the client's name (segment, tier, lifecycle stage, type, region, risk level). */
export function renderTags(host: ClientViewHost, masking: Masking, v: ClientValues) {
  return new ClientView(host, masking).renderTags(v);
}

/** The sections of a found client's card (`v`: its values). */
export function renderClient(host: ClientViewHost, masking: Masking, shown: Shown, v: ClientValues): TemplateResult {
  const view = new ClientView(host, masking);
  return html`<div class="sections">
    ${view.renderHoldings(v)} ${view.renderValue(v)} ${view.renderActivity(v)} ${view.renderRisk(shown, v)} ${view.renderSuitability(v)}
  </div>`;
}

class ClientView {
  constructor(
    private readonly host: ClientViewHost,
    private readonly masking: Masking,
  ) {}

  money(v: unknown, options: Intl.NumberFormatOptions = {}): string {
    return typeof v === 'number' ? formatCurrency(v, this.host.currency, undefined, { maximumFractionDigits: 0, ...options }) : '—';
  }

  count(v: unknown): string {
    return typeof v === 'number' ? formatNumber(v) : '—';
  }

  date(v: unknown): string {
    const d = dayOf(v);
    return d === null ? '—' : formatDay(d);
  }

  renderTags(v: ClientValues) {
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

  dl(items: [string, string, string?][]) {
    return html`<dl>${items.map(([k, val, cls]) => html`<div><dt>${k}</dt><dd class=${cls ?? ''}>${val}</dd></div>`)}</dl>`;
  }

  renderHoldings(v: ClientValues) {
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

  renderValue(v: ClientValues) {
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

  renderActivity(v: ClientValues) {
    const days = daysInactive(v, this.host.asOf);
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

  renderRisk(shown: Shown, v: ClientValues) {
    const views = this.host.rules.map(ruleView);
    const hit = shown.hits ? views.filter((r) => shown.hits!.includes(r.id)) : [];
    let rules: TemplateResult;
    if (shown.rulesError) rules = html`<p class="error" role="alert">${msg(str`The churn rules could not be checked: ${shown.rulesError.message}`, { id: 'card.rules-error' })}</p>`;
    else if (hit.length === 0) rules = html`<p class="risk-none"><span aria-hidden="true">✓ </span>${msg(str`No churn rule hit (${views.map((r) => ruleName(r)).join('; ')}).`, { id: 'card.no-rule' })}</p>`;
    else {
      rules = html`<ul class="plain" aria-label=${msg('Churn rules hit', { id: 'card.rules-hit' })}>
        ${hit.map((r) => html`<li class="hit"><span aria-hidden="true">⚠ </span>${ruleReason(r, v, this.host.asOf)}</li>`)}
      </ul>`;
    }
    // Reasons and a score set by the host page win over the page's own model.
    const hostSet = this.host.reasons !== undefined || typeof this.host.score === 'number';
    const reasons = hostSet ? (this.host.reasons ?? []) : (shown.model?.up ?? []);
    const score = hostSet ? this.host.score : shown.model?.score;
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

  renderSuitability(v: ClientValues) {
    const level = typeof v.riskLevel === 'number' && Number.isFinite(v.riskLevel) ? v.riskLevel : null;
    const checks = checkSuitability(level, this.host.products ?? []);
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
}
