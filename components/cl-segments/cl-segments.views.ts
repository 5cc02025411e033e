/**
 * The views of cl-segments that load on demand (issue 5): the treemap, the asset size x loyalty
 * matrix with its "high assets, low stickiness" corner, and the table. The element draws its
 * default view, the bars, itself; it loads this module when a non-default `view` or the user asks
 * for one of these (with d3-hierarchy, which only the treemap needs).
 */
import { html, svg, nothing } from 'lit';
import { styleProps } from '../shared/style-props.js';
import { inkOn } from '../shared/label-ink.js';
import { fitText, textWidth } from '../shared/text-width.js';
import { msg, str } from '@lit/localize';
import { scaleSequential } from 'd3-scale';
import { hierarchy, treemap, treemapSquarify } from 'd3-hierarchy';
import { handleRovingKeys } from '../shared/roving-focus.js';
import { chartMarks } from '../shared/tooltip.js';
import { bandLabel } from '../shared/field-labels.js';
import { formatCurrency, formatNumber, formatPercent } from '../../src/i18n/format.js';
import type { RollupResult } from '../../workers/kernels/segment-rollup.js';
import type { AssetLoyaltyResult } from '../../workers/kernels/asset-loyalty.js';
import { formatValue, tipText, type Row, type SegmentViewHost } from './segment-parts.js';

export function renderTreemap(el: SegmentViewHost, rows: Row[]) {
  const w = Math.max(240, el.width - 40);
  const h = Math.round(Math.min(420, Math.max(220, w * 0.5)));
  const root = treemap<{ children?: Row[] } | Row>().tile(treemapSquarify).size([w, h]).paddingInner(2)(
    hierarchy<{ children?: Row[] } | Row>({ children: rows.filter((r) => r.value > 0) }).sum((d) => ('value' in d ? d.value : 0)),
  );
  const color = scaleSequential((t: number) => `hsl(212, 70%, ${62 - t * 32}%)`).domain([0, rows.length ? Math.max(...rows.map((r) => r.value)) : 1]);
  const sel = el.selected;
  const leaves = root.leaves();
  return html`<div class="chart-wrap">
    <svg data-chart width=${w} height=${h} viewBox="0 0 ${w} ${h}" role="group" aria-label=${msg('Segments treemap', { id: 'seg.treemap' })} @keydown=${(e: KeyboardEvent) => handleRovingKeys(e, chartMarks(el), { onActivate: (i) => el.select((leaves[i].data as Row).label), onEscape: () => el.select(null) })}>
      <g class="tiles">
        ${leaves.map((leaf, i) => {
          const r = leaf.data as Row;
          const tw = leaf.x1 - leaf.x0;
          const th = leaf.y1 - leaf.y0;
          const fill = color(r.value);
          const ink = inkOn(fill);
          // A long name is cut to the tile (the tooltip and aria-label carry it whole); no label where the count does not fit.
          const value = formatValue(el, r.value);
          const name = th > 34 && textWidth(value) <= tw - 12 ? fitText(r.shown, tw - 12) : '';
          return svg`<g transform="translate(${leaf.x0},${leaf.y0})">
            <rect class="mark ${sel && sel !== r.label ? 'dim' : ''} ${sel === r.label ? 'selected' : ''}" width=${tw} height=${th} style=${styleProps({ fill })} rx="2"
              tabindex=${i === 0 ? 0 : -1} role="button" aria-pressed=${sel === r.label ? 'true' : 'false'} aria-label=${tipText(el, r).replace(/\n/g, ', ')}
              @click=${() => el.select(r.label)} @mouseenter=${(e: MouseEvent) => el.tip.show(e, tipText(el, r))} @mouseleave=${() => el.tip.hide()}
              @focus=${(e: FocusEvent) => el.tip.show(e, tipText(el, r))} @blur=${() => el.tip.hide()}></rect>
            ${name
              ? svg`<text class="tile-label" x="6" y="16" style=${styleProps({ fill: ink })}>${name}</text><text class="tile-label" x="6" y="30" style=${styleProps({ fill: ink })}>${value}</text>`
              : nothing}
          </g>`;
        })}
      </g>
    </svg>
    ${el.tip.render()}
  </div>`;
}

export function renderMatrix(el: SegmentViewHost, m: AssetLoyaltyResult) {
  const w = Math.max(260, Math.min(el.width - 40, 640));
  const left = 90;
  const cellW = (w - left) / m.loyaltyBands.length;
  // "loyalty medium" over each column, or where those would run together (a phone), "Loyalty" once
  // over the columns and each band under it.
  const columnLabels = m.loyaltyBands.map((l) => msg(str`loyalty ${bandLabel(l)}`, { id: 'seg.loyalty' }));
  const stacked = columnLabels.some((t) => textWidth(t) > cellW - 8);
  const top = stacked ? 38 : 24;
  const cellH = 58;
  const h = top + cellH * m.assetBands.length + 24;
  const assets = [...m.assetBands].reverse(); // high assets on top
  const max = Math.max(1, ...m.cells.map((c) => c.count));
  const color = scaleSequential((t: number) => `hsl(212, 65%, ${94 - t * 50}%)`).domain([0, max]);
  const corner = m.highAssetsLowStickiness;
  const cellOf = (a: string, l: string) => m.cells.find((c) => c.asset === a && c.loyalty === l);
  const ordered = assets.flatMap((a) => m.loyaltyBands.map((l) => ({ a, l, c: cellOf(a, l) })));
  const tip = (a: string, l: string, count: number, aum: number | null) =>
    `${msg(str`Assets ${bandLabel(a)}, loyalty ${bandLabel(l)}`, { id: 'seg.cell' })}\n${msg(str`${formatNumber(count)} clients`, { id: 'seg.clients' })}${aum === null ? '' : `\nAUM ${formatCurrency(aum, el.currency, undefined, { notation: 'compact' })}`}`;
  return html`<div class="chart-wrap">
    <svg data-chart width=${w} height=${h} viewBox="0 0 ${w} ${h}" role="grid" aria-label=${msg('Asset size by loyalty', { id: 'seg.matrix' })}
      @keydown=${(e: KeyboardEvent) => handleRovingKeys(e, chartMarks(el), { columns: m.loyaltyBands.length, onActivate: (i) => el.select(ordered[i].a), onEscape: () => el.select(null) })}>
      <g class="axis">
        ${stacked ? svg`<text x=${left + (w - left) / 2} y=${top - 24} text-anchor="middle">${msg('Loyalty', { id: 'seg.col.loyalty' })}</text>` : nothing}
        ${m.loyaltyBands.map((l, j) => svg`<text x=${left + cellW * j + cellW / 2} y=${top - 8} text-anchor="middle">${stacked ? bandLabel(l) : columnLabels[j]}</text>`)}
        ${assets.map((a, i) => svg`<text x=${left - 8} y=${top + cellH * i + cellH / 2} text-anchor="end" dominant-baseline="middle">${msg(str`assets ${bandLabel(a)}`, { id: 'seg.assets' })}</text>`)}
      </g>
      <g class="cells">
        ${ordered.map(({ a, l, c }, k) => {
          const i = Math.floor(k / m.loyaltyBands.length);
          const j = k % m.loyaltyBands.length;
          const count = c?.count ?? 0;
          const x = left + cellW * j;
          const y = top + cellH * i;
          const fill = color(count);
          return svg`<rect class="mark ${el.selected && el.selected !== a ? 'dim' : ''}" x=${x + 1} y=${y + 1} width=${cellW - 2} height=${cellH - 2} style=${styleProps({ fill })} rx="3"
              tabindex=${k === 0 ? 0 : -1} role="gridcell" aria-label=${tip(a, l, count, c?.aum ?? null).replace(/\n/g, ', ')}
              @click=${() => el.select(a)} @mouseenter=${(e: MouseEvent) => el.tip.show(e, tip(a, l, count, c?.aum ?? null))} @mouseleave=${() => el.tip.hide()}
              @focus=${(e: FocusEvent) => el.tip.show(e, tip(a, l, count, c?.aum ?? null))} @blur=${() => el.tip.hide()}></rect>
            <text class="cell-label" x=${x + cellW / 2} y=${y + cellH / 2} text-anchor="middle" dominant-baseline="middle" style=${styleProps({ fill: inkOn(fill) })}>${formatNumber(count)}</text>
            ${a === corner.asset && l === corner.loyalty
              ? svg`<rect class="callout" x=${x - 1} y=${y - 1} width=${cellW + 2} height=${cellH + 2} rx="4"></rect>`
              : nothing}`;
        })}
      </g>
    </svg>
    ${el.tip.render()}
    <div class="corner" role="note">
      <strong>${msg('High assets, low stickiness', { id: 'seg.corner' })}</strong>:
      ${corner.count === 0
        ? msg('no client in this cell under the current filters.', { id: 'seg.corner-none' })
        : msg(str`${formatNumber(corner.count)} clients holding ${corner.aum === null ? '—' : formatCurrency(corner.aum, el.currency, undefined, { notation: 'compact' })}; call them first.`, { id: 'seg.corner-text' })}
    </div>
  </div>`;
}

export function renderTable(el: SegmentViewHost, value: RollupResult | AssetLoyaltyResult, rows: readonly Row[]) {
  if ('cells' in value) {
    return html`<table class="data">
      <thead><tr><th scope="col">${msg('Assets', { id: 'seg.col.assets' })}</th><th scope="col">${msg('Loyalty', { id: 'seg.col.loyalty' })}</th><th scope="col" class="num">${msg('Clients', { id: 'seg.col.clients' })}</th><th scope="col" class="num">AUM</th><th scope="col" class="num">${msg('Revenue', { id: 'seg.col.revenue' })}</th></tr></thead>
      <tbody>${value.cells.map((c) => html`<tr><td>${bandLabel(c.asset)}</td><td>${bandLabel(c.loyalty)}</td><td class="num">${formatNumber(c.count)}</td><td class="num">${c.aum === null ? '—' : formatCurrency(c.aum, el.currency)}</td><td class="num">${c.revenue === null ? '—' : formatCurrency(c.revenue, el.currency)}</td></tr>`)}</tbody>
    </table>`;
  }
  return html`<table class="data">
    <thead><tr><th scope="col">${msg('Segment', { id: 'seg.col.segment' })}</th><th scope="col" class="num">${msg('Clients', { id: 'seg.col.clients' })}</th><th scope="col" class="num">${el.measure && el.agg !== 'count' ? `${el.measure} (${el.agg})` : msg('Clients', { id: 'seg.col.clients' })}</th><th scope="col" class="num">${msg('Share', { id: 'seg.col.share' })}</th></tr></thead>
    <tbody>${rows.map((r) => html`<tr><th scope="row">${r.shown}</th><td class="num">${formatNumber(r.count)}</td><td class="num">${formatValue(el, r.value)}</td><td class="num">${r.share === null ? '—' : formatPercent(r.share)}</td></tr>`)}</tbody>
  </table>`;
}
