/**
 * The table view of cl-churn-watch, loaded on demand the first time it is shown (issue 5): clients
 * hitting each rule, and per group of `by` with the group's size. The element's default view, the
 * rule chips and the at-risk list, does not wait on it.
 */
import { html, nothing } from 'lit';
import { msg, str } from '@lit/localize';
import { formatNumber, formatPercent } from '../../src/i18n/format.js';
import type { ChurnRulesResult } from '../../workers/kernels/churn-rules.js';
import type { MaskingController } from '../shared/masking-controller.js';
import { fieldName, valueLabel } from '../shared/field-labels.js';
import { ruleName, ruleView, type RuleView } from './churn-reasons.js';

export function renderTable(v: ChurnRulesResult, views: readonly RuleView[], masking: MaskingController) {
  const share = (n: number, of: number | null) => (of !== null && of > 0 ? formatPercent(n / of) : '—');
  const by = v.by === null ? '' : fieldName(v.by);
  return html`<table class="data">
      <caption class="sr-only">${msg('Clients hitting each rule', { id: 'churn.table.rules' })}</caption>
      <thead><tr><th scope="col">${msg('Rule', { id: 'churn.col.rule' })}</th><th scope="col" class="num">${msg('Clients', { id: 'churn.col.clients' })}</th><th scope="col" class="num">${msg('Share of the book', { id: 'churn.col.share' })}</th><th scope="col" class="num">${msg('No data', { id: 'churn.col.missing' })}</th></tr></thead>
      <tbody>
        ${v.rules.map((r, j) => html`<tr><th scope="row">${ruleName(views[j] ?? ruleView(r))}</th><td class="num">${formatNumber(r.clients)}</td><td class="num">${share(r.clients, v.rows)}</td><td class="num">${formatNumber(r.missing + r.nan)}</td></tr>`)}
        <tr><th scope="row">${msg('Any rule', { id: 'churn.any-rule' })}</th><td class="num">${formatNumber(v.any)}</td><td class="num">${share(v.any, v.rows)}</td><td class="num">—</td></tr>
      </tbody>
    </table>
    ${v.by && v.groups.length
      ? html`<h3>${msg(str`By ${by}`, { id: 'churn.table.by' })}</h3>
          <table class="data">
            <thead><tr><th scope="col">${by.charAt(0).toUpperCase() + by.slice(1)}</th><th scope="col" class="num">${msg('Clients', { id: 'churn.col.clients' })}</th><th scope="col" class="num">${msg('At risk', { id: 'churn.col.at-risk' })}</th>${v.rules.map((r, j) => html`<th scope="col" class="num">${ruleName(views[j] ?? ruleView(r))}</th>`)}</tr></thead>
            <tbody>${v.groups.map((g) => html`<tr><th scope="row">${g.key === null ? '—' : valueLabel(v.by, masking.label(v.by, g.key))}</th><td class="num">${g.rows === null ? '—' : formatNumber(g.rows)}</td><td class="num">${formatNumber(g.any)} (${share(g.any, g.rows)})</td>${g.perRule.map((c) => html`<td class="num">${formatNumber(c)}</td>`)}</tr>`)}</tbody>
          </table>`
      : nothing}`;
}
