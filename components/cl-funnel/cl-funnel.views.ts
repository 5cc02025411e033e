/**
 * The views of cl-funnel that load on demand (issue 5): one funnel with its steps left to right
 * (orientation="vertical"), one funnel per category side by side (split-by), and the table. The
 * element draws its default view, one horizontal funnel, itself; it loads this module when a
 * non-default option or the user asks for one of these.
 */
import { html, svg, nothing } from 'lit';
import { msg, str } from '@lit/localize';
import { scaleBand, scaleLinear } from 'd3-scale';
import { formatNumber } from '../../src/i18n/format.js';
import type { FunnelResult } from '../../workers/kernels/funnel.js';
import { days, funnelsOf, markClass, pct, stepKeys, tipText, type Funnel, type FunnelViewHost } from './funnel-parts.js';
import { fieldName, stageLabel } from '../shared/field-labels.js';

/** One funnel, steps left to right as columns. */
export function renderVertical(el: FunnelViewHost, f: Funnel) {
  const w = Math.max(280, el.width - 40);
  const top = 22;
  const plotH = 190;
  const below = f.steps.some((s) => s.medianDaysFromPrevious !== null) ? 62 : 48;
  const h = top + plotH + below;
  const xb = scaleBand<string>().domain(f.steps.map((s) => s.label)).range([0, w]).paddingInner(0.34).paddingOuter(0.1);
  const max = Math.max(1, ...f.steps.map((s) => s.count));
  const y = scaleLinear().domain([0, max]).range([plotH, 0]);
  const order = f.steps.map((s) => ({ f, s }));
  const bw = xb.bandwidth();
  const gapW = xb.step() - bw;
  return html`<div class="chart-wrap">
    <svg data-chart width=${w} height=${h} viewBox="0 0 ${w} ${h}" role="group" aria-label=${msg('Funnel chart', { id: 'funnel.chart' })} @keydown=${stepKeys(el, order)}>
      <g class="connectors" aria-hidden="true">
        ${f.steps.slice(1).map((s, i) => {
          const x0 = xb(f.steps[i].label)! + bw;
          const x1 = xb(s.label)!;
          return svg`<path class="connector" d="M${x0},${top + y(f.steps[i].count)} L${x1},${top + y(s.count)} L${x1},${top + plotH} L${x0},${top + plotH} Z"></path>
            ${gapW > 40 ? svg`<text x=${(x0 + x1) / 2} y=${top + plotH - 10} text-anchor="middle">${pct(s.conversionFromPrevious)}</text>` : nothing}`;
        })}
      </g>
      <g class="steps">
        ${f.steps.map((s, k) => {
          const x0 = xb(s.label)!;
          const bh = Math.max(1, plotH - y(s.count));
          return svg`<g>
            <rect class=${markClass(el, s, f)} x=${x0} y=${top + plotH - bh} width=${bw} height=${bh} rx="3"
              tabindex=${k === 0 ? 0 : -1} role="button" aria-pressed=${el.selected === s.label ? 'true' : 'false'} aria-label=${tipText(s, f, k).replace(/\n/g, ', ')}
              @click=${() => el.select(s.label, f.category)} @mouseenter=${(e: MouseEvent) => el.tip.show(e, tipText(s, f, k))} @mouseleave=${() => el.tip.hide()}
              @focus=${(e: FocusEvent) => el.tip.show(e, tipText(s, f, k))} @blur=${() => el.tip.hide()}></rect>
            <text class="count" x=${x0 + bw / 2} y=${top + plotH - bh - 6} text-anchor="middle">${formatNumber(s.count)}</text>
            <text x=${x0 + bw / 2} y=${top + plotH + 15} text-anchor="middle">${stageLabel(s.label)}</text>
            <text class="muted" x=${x0 + bw / 2} y=${top + plotH + 30} text-anchor="middle">${k === 0 ? msg('clients entering', { id: 'funnel.entering' }) : msg(str`${pct(s.conversionFromFirst)} of first`, { id: 'funnel.of-first' })}</text>
            ${k > 0 ? svg`<text class="drop" x=${x0 + bw / 2} y=${top + plotH + 44} text-anchor="middle">${msg(str`−${formatNumber(s.dropOff ?? 0)} drop off`, { id: 'funnel.drop-off' })}</text>` : nothing}
            ${s.medianDaysFromPrevious !== null ? svg`<text class="muted" x=${x0 + bw / 2} y=${top + plotH + 58} text-anchor="middle">${days(s.medianDaysFromPrevious)}</text>` : nothing}
          </g>`;
        })}
      </g>
    </svg>
    ${el.tip.render()}
  </div>`;
}

/**
 * One small funnel per category, side by side (wrapping into rows), on one SVG so it exports as
 * one chart. Bar widths are shares of each funnel's first step, so shapes compare across
 * categories of very different sizes; counts are printed under the bars.
 */
export function renderMultiples(el: FunnelViewHost, funnels: Funnel[]) {
  const w = Math.max(280, el.width - 40);
  const steps = funnels[0]?.steps.map((s) => s.label) ?? [];
  const left = Math.round(Math.min(110, Math.max(70, w * 0.14)));
  const minPanel = 132;
  const cols = Math.max(1, Math.min(funnels.length, Math.floor((w - left) / minPanel)));
  // Panels keep a readable width when there are few of them (one category after a filter).
  const panelW = Math.min(260, (w - left) / cols);
  const headH = 34;
  const stepH = 40;
  const barH = 16;
  const panelH = headH + steps.length * stepH + 6;
  const rows = Math.ceil(funnels.length / cols);
  const h = rows * panelH + (rows - 1) * 12;
  const order = funnels.flatMap((f) => f.steps.map((s) => ({ f, s })));
  let n = 0;
  return html`<div class="chart-wrap">
    <svg data-chart width=${w} height=${h} viewBox="0 0 ${w} ${h}" role="group" aria-label=${msg('Funnels side by side', { id: 'funnel.multiples' })} @keydown=${stepKeys(el, order)}>
      ${Array.from({ length: rows }, (_, r) => svg`<g class="axis" transform="translate(0, ${r * (panelH + 12)})">
        ${steps.map((label, k) => svg`<text x=${left - 8} y=${headH + k * stepH + barH / 2} text-anchor="end" dominant-baseline="middle">${stageLabel(label)}</text>`)}
      </g>`)}
      ${funnels.map((f, i) => {
        const px = left + (i % cols) * panelW;
        const py = Math.floor(i / cols) * (panelH + 12);
        const inner = panelW - 12;
        const cx = px + panelW / 2;
        return svg`<g class="panel-multiple">
          <rect class="frame" x=${px + 3} y=${py} width=${panelW - 6} height=${panelH} rx="4"></rect>
          <text class="panel-title" x=${cx} y=${py + 14} text-anchor="middle">${f.shown}</text>
          <text class="muted" x=${cx} y=${py + 27} text-anchor="middle">${msg(str`${formatNumber(f.steps[0]?.count ?? 0)} clients`, { id: 'funnel.clients' })}</text>
          ${f.steps.map((s, k) => {
            const share = s.conversionFromFirst ?? 0;
            const bw = Math.max(2, share * inner);
            const by = py + headH + k * stepH;
            const idx = n++;
            return svg`<rect class=${markClass(el, s, f)} x=${cx - bw / 2} y=${by} width=${bw} height=${barH} rx="2"
                tabindex=${idx === 0 ? 0 : -1} role="button" aria-pressed=${el.selected === s.label && el.selectedCategory === f.category ? 'true' : 'false'} aria-label=${tipText(s, f, k).replace(/\n/g, ', ')}
                @click=${() => el.select(s.label, f.category)} @mouseenter=${(e: MouseEvent) => el.tip.show(e, tipText(s, f, k))} @mouseleave=${() => el.tip.hide()}
                @focus=${(e: FocusEvent) => el.tip.show(e, tipText(s, f, k))} @blur=${() => el.tip.hide()}></rect>
              <text x=${cx} y=${by + barH + 12} text-anchor="middle">${formatNumber(s.count)}${k > 0 ? svg`<tspan class="muted" dx="4">${pct(s.conversionFromPrevious)}</tspan>` : nothing}</text>`;
          })}
        </g>`;
      })}
    </svg>
    ${el.tip.render()}
  </div>`;
}

export function renderTable(r: FunnelResult) {
  const funnels = r.by ? [{ category: null, shown: null, rows: r.rows, steps: r.steps }, ...funnelsOf(r)] : funnelsOf(r);
  const timed = r.mode === 'timestamp';
  const split = r.by !== null;
  return html`<table class="data">
    <thead><tr>
      ${split ? html`<th scope="col">${fieldName(r.by!.column)}</th>` : nothing}
      <th scope="col">${msg('Step', { id: 'funnel.col.step' })}</th>
      <th scope="col" class="num">${msg('Clients', { id: 'funnel.col.clients' })}</th>
      <th scope="col" class="num">${msg('Step conversion', { id: 'funnel.col.step-conversion' })}</th>
      <th scope="col" class="num">${msg('Overall conversion', { id: 'funnel.col.overall' })}</th>
      <th scope="col" class="num">${msg('Drop-off', { id: 'funnel.col.drop-off' })}</th>
      ${timed ? html`<th scope="col" class="num">${msg('Median days from previous', { id: 'funnel.col.median-days' })}</th>` : nothing}
    </tr></thead>
    <tbody>
      ${funnels.flatMap((f, fi) =>
        f.steps.map(
          (s) => html`<tr>
            ${split ? html`<td>${fi === 0 ? msg('All clients', { id: 'funnel.all' }) : f.shown}</td>` : nothing}
            <th scope="row">${stageLabel(s.label)}</th>
            <td class="num">${formatNumber(s.count)}</td>
            <td class="num">${pct(s.conversionFromPrevious)}</td>
            <td class="num">${pct(s.conversionFromFirst)}</td>
            <td class="num">${s.dropOff === null ? '—' : formatNumber(s.dropOff)}</td>
            ${timed ? html`<td class="num">${s.medianDaysFromPrevious === null ? '—' : formatNumber(s.medianDaysFromPrevious, { maximumFractionDigits: 1 })}</td>` : nothing}
          </tr>`,
        ),
      )}
    </tbody>
  </table>`;
}
