/**
 * The views of cl-profitability that load on demand (issue 5): profit and cost-to-income by
 * segment, the whale curve, CLTV vs CAC with the model lifetime value, and every view's table. The
 * element draws its default view, the waterfall, itself; it loads this module when the user (or a
 * non-default `view` attribute) asks for another view or for the table.
 *
 * Contract: the element hands each function a ProfitViewHost, a snapshot of what the views read,
 * taken when it renders; the functions return templates and keep no state of their own.
 */
import { html, svg, nothing } from 'lit';
import { msg, str } from '@lit/localize';
import { scaleBand, scaleLinear, scaleLog, scaleSymlog } from 'd3-scale';
import { area, line } from 'd3-shape';
import { handleRovingKeys } from '../shared/roving-focus.js';
import { chartMarks, type TooltipController } from '../shared/tooltip.js';
import type { FitAnswer } from '../shared/fit-state.js';
import type { ClvFitResult } from '../../workers/jobs/clv-jobs.js';
import type { ProfitabilityResult, ProfitabilityStats } from '../../workers/kernels/profitability.js';
import type { WhaleCurveResult, WhalePoint } from '../../workers/kernels/whale-curve.js';
import { formatNumber, formatPercent } from '../../src/i18n/format.js';
import { DEFAULT_CLTV_CAC_TARGET, groupLabel, groupTip, isWhale, keyOf, markClass, money, moneyFull, multiple, ordered, ratio, type ProfitResult } from './profit-format.js';
import { fieldName } from '../shared/field-labels.js';
import { textWidth } from '../shared/text-width.js';
import type { ProfitView } from './cl-profitability.component.js';

/** What the views read of the element, as it is when it renders. */
export interface ProfitViewHost {
  readonly view: ProfitView;
  readonly by: string;
  readonly currency: string;
  readonly width: number;
  readonly selected: string | null | undefined;
  readonly cltvCacTarget: number;
  readonly tip: TooltipController;
  /** The element's shadow root (the views find their marks in it for keyboard use). */
  readonly renderRoot: ParentNode;
  /** Selects a segment (null clears; selecting the selected one clears it). */
  select(label: string | null): void;
  /** The stats the waterfall shows: the selected segment's, else the whole book's. */
  scopeStats(r: ProfitabilityResult): ProfitabilityStats;
  scopeLabel(): string;
  /** The model lifetime value fit (cltv view with clv="model"), undefined when not asked for. */
  clvModel(): FitAnswer<ClvFitResult> | undefined;
}

/** The chart of any view but the waterfall (and the whale curve while its answer is the last one). */
export function renderChart(el: ProfitViewHost, r: ProfitResult) {
  if (isWhale(r)) return renderWhale(el, r);
  // While a whale query runs, the last profitability result stays on screen as bars.
  return el.view === 'cltv' ? renderCltv(el, r) : renderSegments(el, r);
}

function clvOf(el: ProfitViewHost, key: string | null): ClvFitResult['groups'][number] | undefined {
  return el.clvModel()?.value?.groups.find((g) => g.label === key);
}

function renderClvModel(el: ProfitViewHost) {
  const fit = el.clvModel();
  if (!fit) return nothing;
  if (fit.error) return html`<p class="note error" role="alert">${msg(str`Model lifetime value unavailable: ${fit.error.message}`, { id: 'profit.clv.error' })}</p>`;
  if (!fit.value) return html`<p class="note" role="status">${msg('Fitting the lifetime-value model (BG/NBD + Gamma-Gamma) on the transaction log…', { id: 'profit.clv.fitting' })}</p>`;
  const r = fit.value;
  const p = r.bgnbd.params;
  return html`<div class="note model-clv">
    <p>${msg(str`Model lifetime value (BG/NBD + Gamma-Gamma on ${formatNumber(r.clients)} clients' transactions, whole book): expected discounted transaction value over the next ${r.months} months, mean per client.`, { id: 'profit.clv.note' })}
      <span class="params">r ${formatNumber(p.r, { maximumFractionDigits: 3 })} · α ${formatNumber(p.alpha, { maximumFractionDigits: 3 })} · a ${formatNumber(p.a, { maximumFractionDigits: 3 })} · b ${formatNumber(p.b, { maximumFractionDigits: 3 })}</span></p>
    <ul>${r.groups.map((g) => html`<li><span class="group">${groupLabel(el.by, g.label)}</span>: ${Number.isFinite(g.meanClv) ? money(g.meanClv, el.currency) : '—'} · ${msg(str`P(alive) ${formatPercent(g.meanPAlive, undefined, 0)}`, { id: 'profit.clv.alive' })}</li>`)}</ul>
  </div>`;
}

function renderSegments(el: ProfitViewHost, r: ProfitabilityResult) {
  const groups = ordered(r, el.by);
  const w = Math.max(300, el.width - 40);
  const left = Math.round(Math.min(150, Math.max(90, w * 0.2)));
  const ctiW = Math.round(Math.min(190, Math.max(120, w * 0.26)));
  const profitW = w - left - ctiW - 16;
  const rowH = 28;
  const top = 22;
  const h = top + groups.length * rowH + 6;
  const lo = Math.min(0, ...groups.map((g) => g.profit));
  const hi = Math.max(0, ...groups.map((g) => g.profit));
  // Room for the value label on the side a bar grows to.
  const x = scaleLinear().domain([lo, hi === lo ? lo + 1 : hi]).nice().range([left + (lo < 0 ? 56 : 0), left + profitW - 56]);
  const ctiX = w - ctiW;
  // Scaled to the largest ratio (not to 1), so small ratios stay comparable; the break-even line shows when in range.
  const ctiMax = Math.max(0.1, ...groups.map((g) => g.costToIncome ?? 0)) * 1.15;
  const cx = scaleLinear().domain([0, ctiMax]).range([ctiX, w - 36]);
  const y = scaleBand<string>().domain(groups.map((g) => keyOf(g))).range([top, h - 6]).padding(0.22);
  const bh = y.bandwidth();
  // "Profit (12 months)", or "Profit" where that would run into the next column's head (a phone).
  const fullHead = msg('Profit (12 months)', { id: 'profit.head.profit' });
  const profitHead = textWidth(fullHead) + 12 <= ctiX - left ? fullHead : msg('Profit', { id: 'profit.profit' });
  return html`<div class="chart-wrap">
    <svg data-chart width=${w} height=${h} viewBox="0 0 ${w} ${h}" role="group" aria-label=${msg(str`Profit and cost-to-income by ${fieldName(el.by)}`, { id: 'profit.title.segments' })}
      @keydown=${(e: KeyboardEvent) => handleRovingKeys(e, chartMarks(el), { onActivate: (i) => el.select(keyOf(groups[i])), onEscape: () => el.select(null) })}>
      <text class="head" x=${left} y="11">${profitHead}</text>
      <text class="head" x=${ctiX} y="11">${msg('Cost-to-income', { id: 'profit.cti' })}</text>
      <line class="zero" x1=${x(0)} x2=${x(0)} y1=${top - 2} y2=${h - 4}></line>
      ${ctiMax >= 1 ? svg`<line class="guide" x1=${cx(1)} x2=${cx(1)} y1=${top - 2} y2=${h - 4}></line>` : nothing}
      ${groups.map((g, i) => {
        const key = keyOf(g);
        const y0 = y(key)!;
        const x0 = Math.min(x(0), x(g.profit));
        const bw = Math.max(1, Math.abs(x(g.profit) - x(0)));
        const t = el.tip.handlers(groupTip(el.by, g, el.currency));
        const cti = g.costToIncome;
        return svg`<g>
          <text x=${left - 8 - (lo < 0 ? 0 : 0)} y=${y0 + bh / 2} text-anchor="end" dominant-baseline="middle">${groupLabel(el.by, g.key)}</text>
          <rect class=${markClass(el.selected, key, g.profit < 0 ? 'neg' : '')} x=${x0} y=${y0} width=${bw} height=${bh} rx="2"
            tabindex=${i === 0 ? 0 : -1} role="button" aria-pressed=${el.selected === key ? 'true' : 'false'} aria-label=${groupTip(el.by, g, el.currency).replace(/\n/g, ', ')}
            @click=${() => el.select(key)} @mouseenter=${t.enter} @mouseleave=${t.leave} @focus=${t.focus} @blur=${t.leave}></rect>
          <text x=${g.profit < 0 ? x0 - 4 : x0 + bw + 4} y=${y0 + bh / 2} text-anchor=${g.profit < 0 ? 'end' : 'start'} dominant-baseline="middle">${money(g.profit, el.currency)}</text>
          ${cti === null
            ? svg`<text class="muted" x=${ctiX} y=${y0 + bh / 2} dominant-baseline="middle">—</text>`
            : svg`<rect class="cti ${cti > 1 ? 'over' : ''}" x=${ctiX} y=${y0 + bh * 0.2} width=${Math.max(1, cx(Math.max(0, Math.min(cti, ctiMax))) - ctiX)} height=${bh * 0.6} rx="2" aria-hidden="true"></rect>
              <text x=${cx(Math.max(0, Math.min(cti, ctiMax))) + 4} y=${y0 + bh / 2} dominant-baseline="middle">${ratio(cti)}</text>`}
        </g>`;
      })}
    </svg>
    ${el.tip.render()}
  </div>`;
}

function renderWhale(el: ProfitViewHost, r: WhaleCurveResult) {
  if (r.clients === 0 || !r.peak) return html`<p class="empty">${msg('No clients match the current filters.', { id: 'profit.whale.empty' })}</p>`;
  const w = Math.max(300, el.width - 40);
  const h = Math.round(Math.min(320, Math.max(230, w * 0.42)));
  const ml = 66, mr = 16, mt = 24, mb = 38;
  const pts = r.points;
  const x = scaleLinear().domain([0, 1]).range([ml, w - mr]);
  const lo = Math.min(0, ...pts.map((p) => p.cumulativeProfit));
  const hi = Math.max(0, r.peak.cumulativeProfit);
  // Headroom above the peak for its label.
  const y = scaleLinear().domain([lo, hi === lo ? lo + 1 : hi * 1.2]).nice().range([h - mb, mt]);
  const areaPath = area<WhalePoint>().x((p) => x(p.clientShare)).y0(y(0)).y1((p) => y(p.cumulativeProfit))(pts) ?? '';
  const linePath = line<WhalePoint>().x((p) => x(p.clientShare)).y((p) => y(p.cumulativeProfit))(pts) ?? '';
  const peak = r.peak;
  const end = pts[pts.length - 1];
  const step = Math.max(1, Math.round((pts.length - 1) / 10));
  const deciles = pts.filter((_, i) => i > 0 && i % step === 0);
  const share = (p: WhalePoint) => formatPercent(p.clientShare, undefined, 0);
  const tip = (p: WhalePoint) =>
    msg(str`The most profitable ${share(p)} of clients (${formatNumber(p.clients)}) earn ${money(p.cumulativeProfit, el.currency)}`, { id: 'profit.whale.point' }) +
    (p.profitShare === null ? '' : `\n${msg(str`${formatPercent(p.profitShare, undefined, 0)} of total profit`, { id: 'profit.whale.share' })}`);
  const marks = [...deciles.filter((p) => p.clientShare < peak.clientShare), peak, ...deciles.filter((p) => p.clientShare >= peak.clientShare)];
  const px = x(peak.clientShare), py = y(peak.cumulativeProfit);
  const peakText = msg(str`Peak ${money(peak.cumulativeProfit, el.currency)} at ${share(peak)} of clients`, { id: 'profit.whale.peak' });
  // Beside the peak (right of a peak in the first third, else left), kept inside the plot: on a
  // narrow chart (a phone) the label is wider than the room beside the peak and ran over the ticks.
  const peakWidth = textWidth(peakText);
  const peakRight = px < ml + (w - ml - mr) * 0.35;
  const peakX = Math.max(ml + 4, Math.min(peakRight ? px + 10 : px - 10 - peakWidth, w - mr - peakWidth));
  // The band's name goes at its top, or at its foot when the peak's label (on a peak far left) is there.
  const destroyersText = msg('value destroyers', { id: 'profit.whale.destroyers' });
  const destroyersWidth = textWidth(destroyersText);
  const dx = (px + x(1)) / 2 - destroyersWidth / 2;
  const underPeakLabel = dx < peakX + peakWidth && peakX < dx + destroyersWidth && Math.abs(py - 10 - (mt + 12)) < 14;
  const destroyersY = underPeakLabel ? h - mb - 8 : mt + 12;
  const ex = x(1), ey = y(end.cumulativeProfit);
  const endBelow = end.cumulativeProfit < peak.cumulativeProfit;
  const ticks = y.ticks(5);
  const top20 = pts.reduce<WhalePoint | undefined>((best, p) => (p.clients > 0 && (!best || Math.abs(p.clientShare - 0.2) < Math.abs(best.clientShare - 0.2)) ? p : best), undefined);
  return html`<div class="chart-wrap">
    <svg data-chart width=${w} height=${h} viewBox="0 0 ${w} ${h}" role="group" aria-label=${msg('Cumulative profit by share of clients, most profitable first', { id: 'profit.whale.label' })}
      @keydown=${(e: KeyboardEvent) => handleRovingKeys(e, chartMarks(el), { onActivate: () => {} })}>
      <g class="grid axis">
        ${ticks.map((t) => svg`<line x1=${ml} x2=${w - mr} y1=${y(t)} y2=${y(t)}></line><text x=${ml - 6} y=${y(t)} text-anchor="end" dominant-baseline="middle">${money(t, el.currency)}</text>`)}
        ${[0, 0.25, 0.5, 0.75, 1].map((t) => svg`<text x=${x(t)} y=${h - mb + 15} text-anchor="middle">${formatPercent(t, undefined, 0)}</text>`)}
        <text x=${(ml + w - mr) / 2} y=${h - 4} text-anchor="middle">${msg('Share of clients, most profitable first', { id: 'profit.whale.x' })}</text>
        <text x=${ml} y="11">${msg('Cumulative profit', { id: 'profit.whale.y' })}</text>
      </g>
      ${r.valueDestroyers.clients > 0
        ? svg`<rect class="destroyers" x=${px} y=${mt} width=${Math.max(0, x(1) - px)} height=${h - mb - mt} aria-hidden="true"></rect>
          ${x(1) - px > destroyersWidth + 8 ? svg`<text class="danger" x=${(px + x(1)) / 2} y=${destroyersY} text-anchor="middle">${destroyersText}</text>` : nothing}`
        : nothing}
      <line class="zero" x1=${ml} x2=${w - mr} y1=${y(0)} y2=${y(0)}></line>
      <path class="curve-area" d=${areaPath} aria-hidden="true"></path>
      <path class="curve" d=${linePath} aria-hidden="true"></path>
      <text class="strong halo peak-label" x=${peakX} y=${py - 10}>${peakText}</text>
      <text class="strong halo" x=${ex - 8} y=${endBelow ? ey + 18 : ey - 10} text-anchor="end">${msg(str`Ends at ${money(end.cumulativeProfit, el.currency)}`, { id: 'profit.whale.end' })}</text>
      ${marks.map((p, i) => {
        const isPeak = p === peak;
        const t = el.tip.handlers(isPeak ? `${msg('Peak', { id: 'profit.whale.peak-short' })}\n${tip(p)}` : tip(p));
        return svg`<circle class="mark ${isPeak ? 'peak' : 'dot'}" cx=${x(p.clientShare)} cy=${y(p.cumulativeProfit)} r=${isPeak ? 6 : 3.5}
          tabindex=${i === 0 ? 0 : -1} role="img" aria-label=${(isPeak ? `${msg('Peak', { id: 'profit.whale.peak-short' })}: ` : '') + tip(p).replace(/\n/g, ', ')}
          @mouseenter=${t.enter} @mouseleave=${t.leave} @focus=${t.focus} @blur=${t.leave}></circle>`;
      })}
    </svg>
    ${el.tip.render()}
    <p class="note">
      <strong>${msg(str`${formatNumber(r.valueDestroyers.clients)} value destroyers`, { id: 'profit.destroyers' })}</strong>
      ${msg(str`(${formatPercent(r.valueDestroyers.clientShare ?? 0)} of clients) lose ${money(r.valueDestroyers.loss, el.currency)} a year.`, { id: 'profit.whale.loss' })}
      ${top20 && top20.profitShare !== null ? msg(str`The most profitable ${share(top20)} of clients earn ${formatPercent(top20.profitShare, undefined, 0)} of the total profit.`, { id: 'profit.whale.top' }) : nothing}
    </p>
  </div>`;
}

/** Groups with a CAC and a CLTV to plot. */
function cltvGroups(el: ProfitViewHost, r: ProfitabilityResult): ProfitabilityStats[] {
  return ordered(r, el.by).filter((g) => g.cac !== null && g.cac > 0 && g.meanCltv !== null);
}

function renderCltv(el: ProfitViewHost, r: ProfitabilityResult) {
  const groups = cltvGroups(el, r);
  const missing = ordered(r, el.by).filter((g) => !groups.includes(g));
  if (groups.length === 0) return html`<p class="empty">${msg('No acquisition cost in this data: CLTV vs CAC needs the acquisitionCost field.', { id: 'profit.cltv.no-cac' })}</p>`;
  const target = el.cltvCacTarget > 0 ? el.cltvCacTarget : DEFAULT_CLTV_CAC_TARGET;
  const w = Math.max(300, el.width - 40);
  const h = Math.round(Math.min(340, Math.max(240, w * 0.48)));
  const ml = 66, mr = 20, mt = 22, mb = 40;
  const cacs = groups.map((g) => g.cac!);
  const cltvs = groups.map((g) => g.meanCltv!);
  const x = scaleLog().domain([Math.min(...cacs) / 1.8, Math.max(...cacs) * 1.8]).range([ml, w - mr]);
  // The guide line shows at least where the costliest segment is judged.
  const yLo = Math.min(...cltvs, target * Math.max(...cacs));
  const yHi = Math.max(...cltvs, target * Math.max(...cacs));
  const positive = yLo > 0;
  const y = positive
    ? scaleLog().domain([yLo / 1.8, yHi * 1.8]).range([h - mb, mt])
    : scaleSymlog().constant(Math.max(1, Math.min(...cacs) / 10)).domain([Math.min(yLo * 1.3, 0), yHi * 1.8]).range([h - mb, mt]);
  const [y0, y1] = y.domain();
  const guide: [number, number][] = [];
  const [d0, d1] = x.domain();
  for (let i = 0; i <= 60; i++) {
    const c = d0 * (d1 / d0) ** (i / 60);
    const v = target * c;
    if (v >= y0 && v <= y1) guide.push([x(c), y(v)]);
  }
  const guidePath = line()(guide) ?? '';
  const xt = logTicks(d0, d1, (w - ml - mr) / 60);
  const yt = positive ? logTicks(y0, y1, (h - mt - mb) / 28) : symlogTicks(y0, y1, (v) => y(v), 24);
  const tip = (g: ProfitabilityStats) =>
    [
      groupLabel(el.by, g.key),
      `${msg('Acquisition cost (CAC)', { id: 'profit.cac' })}: ${money(g.cac!, el.currency)}`,
      `${msg('Lifetime value (CLTV)', { id: 'profit.cltv' })}: ${money(g.meanCltv!, el.currency)}`,
      `CLTV / CAC: ${multiple(g.cltvToCac)}`,
    ].join('\n');
  const last = guide[guide.length - 1];
  const guideText = msg(str`CLTV = ${formatNumber(target)} × CAC`, { id: 'profit.cltv.guide' });
  const guideLabel = last ? { x: last[0] - 4, y: last[1] - 8, anchor: 'end' as const, text: guideText } : null;
  // Labels stay inside the plot: on a narrow chart, a point near the axis put its label over the ticks.
  const labels = placeLabels(
    groups.map((g) => ({ x: x(g.cac!), y: y(g.meanCltv!), text: `${groupLabel(el.by, g.key)} · ${multiple(g.cltvToCac)}`, short: groupLabel(el.by, g.key) })),
    guideLabel ? [labelBox(guideLabel)] : [],
    { x0: ml, x1: w, y0: mt - 8, y1: h - mb },
  );
  return html`<div class="chart-wrap">
    <svg data-chart width=${w} height=${h} viewBox="0 0 ${w} ${h}" role="group" aria-label=${msg(str`Lifetime value vs acquisition cost by ${fieldName(el.by)}`, { id: 'profit.title.cltv' })}
      @keydown=${(e: KeyboardEvent) => handleRovingKeys(e, chartMarks(el), { onActivate: (i) => el.select(keyOf(groups[i])), onEscape: () => el.select(null) })}>
      <g class="grid axis">
        ${yt.map((t) => svg`<line x1=${ml} x2=${w - mr} y1=${y(t)} y2=${y(t)}></line><text x=${ml - 6} y=${y(t)} text-anchor="end" dominant-baseline="middle">${money(t, el.currency)}</text>`)}
        ${xt.map((t) => svg`<line x1=${x(t)} x2=${x(t)} y1=${mt} y2=${h - mb}></line><text x=${x(t)} y=${h - mb + 15} text-anchor="middle">${money(t, el.currency)}</text>`)}
        <text x=${(ml + w - mr) / 2} y=${h - 4} text-anchor="middle">${msg('Acquisition cost (CAC), mean per client', { id: 'profit.cltv.x' })}</text>
        <text x=${ml} y="11">${msg('Lifetime value (CLTV), mean per client', { id: 'profit.cltv.y' })}</text>
      </g>
      ${!positive && y0 < 0 ? svg`<line class="zero" x1=${ml} x2=${w - mr} y1=${y(0)} y2=${y(0)}></line>` : nothing}
      <path class="guide" d=${guidePath} aria-hidden="true"></path>
      ${guideLabel ? svg`<text class="muted halo" x=${guideLabel.x} y=${guideLabel.y} text-anchor="end" dominant-baseline="middle">${guideText}</text>` : nothing}
      ${groups.map((g, i) => {
        const key = keyOf(g);
        const gx = x(g.cac!), gy = y(g.meanCltv!);
        const t = el.tip.handlers(tip(g));
        const label = labels[i];
        return svg`<circle class=${markClass(el.selected, key, `point ${g.cltvToCac !== null && g.cltvToCac >= target ? 'above' : 'below'}`)} cx=${gx} cy=${gy} r="7"
            tabindex=${i === 0 ? 0 : -1} role="button" aria-pressed=${el.selected === key ? 'true' : 'false'} aria-label=${tip(g).replace(/\n/g, ', ')}
            @click=${() => el.select(key)} @mouseenter=${t.enter} @mouseleave=${t.leave} @focus=${t.focus} @blur=${t.leave}></circle>
          <text class="halo point-label" x=${label.x} y=${label.y} text-anchor=${label.anchor} dominant-baseline="middle">${label.text}</text>`;
      })}
    </svg>
    ${el.tip.render()}
    <p class="note">
      ${msg(str`CLTV = ${formatNumber(r.cltvMultiple, { maximumFractionDigits: 2 })} × annual profit (retention ${formatPercent(r.retention, undefined, 0)}, discount rate ${formatPercent(r.discountRate, undefined, 0)}). Green: at or above the guide line.`, { id: 'profit.cltv.note' })}
      ${missing.length ? msg(str`Not shown (no acquisition cost): ${missing.map((g) => groupLabel(el.by, g.key)).join(', ')}.`, { id: 'profit.cltv.missing' }) : nothing}
    </p>
    ${renderClvModel(el)}
  </div>`;
}

export function renderTable(el: ProfitViewHost, r: ProfitResult) {
  if (isWhale(r)) {
    const step = Math.max(1, Math.round((r.points.length - 1) / 10));
    const rows = r.points.filter((_, i) => i % step === 0);
    return html`<table class="data">
        <thead><tr><th scope="col" class="num">${msg('Share of clients', { id: 'profit.col.client-share' })}</th><th scope="col" class="num">${msg('Clients', { id: 'profit.col.clients' })}</th><th scope="col" class="num">${msg('Cumulative profit', { id: 'profit.whale.y' })}</th><th scope="col" class="num">${msg('Share of total profit', { id: 'profit.col.profit-share' })}</th></tr></thead>
        <tbody>
          ${rows.map((p) => html`<tr><td class="num">${formatPercent(p.clientShare, undefined, 0)}</td><td class="num">${formatNumber(p.clients)}</td><td class="num">${moneyFull(p.cumulativeProfit, el.currency)}</td><td class="num">${p.profitShare === null ? '—' : formatPercent(p.profitShare)}</td></tr>`)}
          ${r.peak ? html`<tr><th scope="row" class="num">${msg('Peak', { id: 'profit.whale.peak-short' })} (${formatPercent(r.peak.clientShare)})</th><td class="num">${formatNumber(r.peak.clients)}</td><td class="num">${moneyFull(r.peak.cumulativeProfit, el.currency)}</td><td class="num">${r.peak.profitShare === null ? '—' : formatPercent(r.peak.profitShare)}</td></tr>` : nothing}
        </tbody>
      </table>
      <table class="data">
        <tbody>
          <tr><th scope="row">${msg('Value destroyers', { id: 'profit.col.destroyers' })}</th><td class="num">${formatNumber(r.valueDestroyers.clients)}</td></tr>
          <tr><th scope="row">${msg('Their loss', { id: 'profit.col.loss' })}</th><td class="num">${moneyFull(r.valueDestroyers.loss, el.currency)}</td></tr>
          <tr><th scope="row">${msg('Total profit', { id: 'profit.col.total-profit' })}</th><td class="num">${moneyFull(r.totalProfit, el.currency)}</td></tr>
        </tbody>
      </table>`;
  }
  if (el.view === 'waterfall') {
    const s = el.scopeStats(r);
    return html`<table class="data">
      <caption>${el.scopeLabel()}</caption>
      <thead><tr><th scope="col">${msg('Step', { id: 'profit.col.step' })}</th><th scope="col" class="num">${msg('Amount', { id: 'profit.col.amount' })}</th><th scope="col" class="num">${msg('Running total', { id: 'profit.col.running' })}</th></tr></thead>
      <tbody>
        <tr><th scope="row">${msg('Revenue', { id: 'profit.revenue' })}</th><td class="num">${moneyFull(s.revenue, el.currency)}</td><td class="num">${moneyFull(s.revenue, el.currency)}</td></tr>
        <tr><th scope="row">${msg('Cost to serve', { id: 'profit.cost' })}</th><td class="num">${moneyFull(-s.cost, el.currency)}</td><td class="num">${moneyFull(s.revenue - s.cost, el.currency)}</td></tr>
        <tr><th scope="row">${msg('Profit', { id: 'profit.profit' })}</th><td class="num">${moneyFull(s.profit, el.currency)}</td><td class="num">${moneyFull(s.profit, el.currency)}</td></tr>
        <tr><th scope="row">${msg('Cost-to-income', { id: 'profit.cti' })}</th><td class="num">${ratio(s.costToIncome)}</td><td></td></tr>
        <tr><th scope="row">${msg('Clients', { id: 'profit.col.clients' })}</th><td class="num">${formatNumber(s.clients)}</td><td></td></tr>
      </tbody>
    </table>`;
  }
  if (el.view === 'cltv') {
    const model = el.clvModel()?.value;
    const modelCells = (key: string | null) => {
      const m = clvOf(el, key);
      return html`<td class="num">${m ? formatPercent(m.meanPAlive, undefined, 1) : '—'}</td><td class="num">${m && Number.isFinite(m.meanClv) ? moneyFull(m.meanClv, el.currency) : '—'}</td>`;
    };
    return html`<table class="data">
      <thead><tr><th scope="col">${fieldName(el.by)}</th><th scope="col" class="num">${msg('Clients', { id: 'profit.col.clients' })}</th><th scope="col" class="num">${msg('Mean profit per client', { id: 'profit.mean-profit' })}</th><th scope="col" class="num">CLTV</th><th scope="col" class="num">CAC</th><th scope="col" class="num">CLTV / CAC</th>${model ? html`<th scope="col" class="num">P(alive)</th><th scope="col" class="num">${msg(str`Model CLV (${model.months} months)`, { id: 'profit.clv.col' })}</th>` : nothing}</tr></thead>
      <tbody>${ordered(r, el.by).map((g) => html`<tr><th scope="row">${groupLabel(el.by, g.key)}</th><td class="num">${formatNumber(g.clients)}</td><td class="num">${g.meanProfit === null ? '—' : moneyFull(g.meanProfit, el.currency)}</td><td class="num">${g.meanCltv === null ? '—' : moneyFull(g.meanCltv, el.currency)}</td><td class="num">${g.cac === null ? '—' : moneyFull(g.cac, el.currency)}</td><td class="num">${multiple(g.cltvToCac)}</td>${model ? modelCells(g.key) : nothing}</tr>`)}</tbody>
    </table>`;
  }
  const rows = [...ordered(r, el.by), r.total];
  return html`<table class="data">
    <thead><tr><th scope="col">${fieldName(el.by)}</th><th scope="col" class="num">${msg('Clients', { id: 'profit.col.clients' })}</th><th scope="col" class="num">${msg('Revenue', { id: 'profit.revenue' })}</th><th scope="col" class="num">${msg('Cost to serve', { id: 'profit.cost' })}</th><th scope="col" class="num">${msg('Profit', { id: 'profit.profit' })}</th><th scope="col" class="num">${msg('Cost-to-income', { id: 'profit.cti' })}</th><th scope="col" class="num">${msg('Value destroyers', { id: 'profit.col.destroyers' })}</th></tr></thead>
    <tbody>${rows.map((g) => html`<tr><th scope="row">${g === r.total ? msg('Total', { id: 'profit.total' }) : groupLabel(el.by, g.key)}</th><td class="num">${formatNumber(g.clients)}</td><td class="num">${moneyFull(g.revenue, el.currency)}</td><td class="num">${moneyFull(g.cost, el.currency)}</td><td class="num">${moneyFull(g.profit, el.currency)}</td><td class="num">${ratio(g.costToIncome)}</td><td class="num">${formatNumber(g.valueDestroyers)}</td></tr>`)}</tbody>
  </table>`;
}

/** Ticks at 1, 2, 5 x 10^k inside [lo, hi] (lo > 0), thinned to at most `max`. */
function logTicks(lo: number, hi: number, max: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  if (out.length < 3) {
    // A narrow range (one or two decades' marks): every integer multiple instead.
    const all: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) for (let m = 1; m < 10; m++) if (m * 10 ** e >= lo && m * 10 ** e <= hi) all.push(m * 10 ** e);
    return all.length <= max ? all : out;
  }
  if (out.length <= max) return out;
  const decades = out.filter((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9);
  return decades.length >= 2 ? decades : out.filter((_, i) => i % Math.ceil(out.length / Math.max(1, max)) === 0);
}

/** Ticks for a symlog axis: 0 and +-1, 2, 5 x 10^k inside [lo, hi], at least `gap` pixels apart. */
function symlogTicks(lo: number, hi: number, pos: (v: number) => number, gap: number): number[] {
  const mag = Math.max(Math.abs(lo), Math.abs(hi), 1);
  const cands: number[] = [0];
  for (let e = 0; e <= Math.ceil(Math.log10(mag)); e++) for (const m of [1, 2, 5]) cands.push(m * 10 ** e, -m * 10 ** e);
  // Zero first, then round decades from the largest down, then the 5s and 2s between them.
  const rank = (v: number) => (v === 0 ? -1 : [1, 5, 2].indexOf(Math.round(Math.abs(v) / 10 ** Math.floor(Math.log10(Math.abs(v))))));
  const inside = cands.filter((v) => v >= lo && v <= hi).sort((a, b) => rank(a) - rank(b) || Math.abs(b) - Math.abs(a));
  const kept: number[] = [];
  for (const v of inside) if (kept.every((k) => Math.abs(pos(k) - pos(v)) >= gap)) kept.push(v);
  return kept.sort((a, b) => a - b);
}

interface PointLabel {
  readonly x: number;
  readonly y: number;
  readonly anchor: 'start' | 'end' | 'middle';
  readonly text: string;
}

interface Box {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

/** The box a label of 11px text covers. */
function labelBox(l: PointLabel): Box {
  const width = textWidth(l.text);
  const x0 = l.anchor === 'start' ? l.x : l.anchor === 'end' ? l.x - width : l.x - width / 2;
  return { x0, x1: x0 + width, y0: l.y - 7, y1: l.y + 7 };
}

const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/**
 * Places a label next to each point: right, left, above or below it (then the same a line up or
 * down), the first spot inside `bounds` that covers no point, no other label and no obstacle; when
 * the full text fits nowhere (a crowded, narrow chart), the short text. Returns the labels in the
 * points' order.
 */
function placeLabels(points: readonly { x: number; y: number; text: string; short: string }[], obstacles: Box[], bounds: Box): PointLabel[] {
  const taken: Box[] = [...obstacles, ...points.map((p) => ({ x0: p.x - 7, x1: p.x + 7, y0: p.y - 7, y1: p.y + 7 }))];
  const out: PointLabel[] = new Array(points.length);
  const order = points.map((p, i) => i).sort((a, b) => points[a].y - points[b].y);
  const inside = (b: Box) => b.x0 >= bounds.x0 && b.x1 <= bounds.x1 && b.y0 >= bounds.y0 && b.y1 <= bounds.y1;
  for (const i of order) {
    const { x, y } = points[i];
    const spots: PointLabel[] = [];
    for (const text of [points[i].text, points[i].short]) {
      for (const dy of [0, -13, 13, -26, 26]) {
        spots.push({ x: x + 10, y: y + dy, anchor: 'start', text }, { x: x - 10, y: y + dy, anchor: 'end', text });
        if (dy === 0) spots.push({ x, y: y - 15, anchor: 'middle', text }, { x, y: y + 16, anchor: 'middle', text });
      }
    }
    const free = (s: PointLabel) => inside(labelBox(s)) && !taken.some((t) => overlaps(t, labelBox(s)));
    const pick = spots.find(free) ?? spots.find((s) => s.text === points[i].short && inside(labelBox(s))) ?? spots[0];
    taken.push(labelBox(pick));
    out[i] = pick;
  }
  return out;
}
