import { expect } from 'chai';
import type { Table } from 'apache-arrow';
import '../../src/index.js';
import { configureDefaultHub, formatNumber, setLocale, type ClProfitability, type ProfitSelectDetail, type ProfitView } from '../../src/index.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { seriousViolations } from '../../test/browser/support/axe.js';
import { until } from '../../test/browser/support/until.js';

const ROWS = 30_000;
// One hub for this page, with its own cache database so runs do not see each other's entries.
const hub = await configureDefaultHub({ cache: { name: `profitability-test-${Date.now()}` }, workers: 2 });
const dataset = await hub.load({ kind: 'generate', options: { rows: ROWS } });
hub.setCurrent(dataset);

/** The same portfolio, generated here on the main thread, for figures computed without any kernel. */
const tables: Table[] = generatePortfolio({ rows: ROWS });

interface Sums { clients: number; revenue: number; cost: number; profit: number; destroyers: number; positive: number; cacSum: number; cacN: number }

/** Per segment and in total ('*'), straight from the generated rows. */
function sums(): Map<string, Sums> {
  const out = new Map<string, Sums>();
  const at = (k: string) => {
    let s = out.get(k);
    if (!s) out.set(k, (s = { clients: 0, revenue: 0, cost: 0, profit: 0, destroyers: 0, positive: 0, cacSum: 0, cacN: 0 }));
    return s;
  };
  for (const t of tables) {
    const seg = t.getChild('segment')!, rev = t.getChild('revenue')!, cost = t.getChild('costToServe')!, cac = t.getChild('acquisitionCost')!;
    for (let i = 0; i < t.numRows; i++) {
      const r = rev.get(i) as number | null, c = cost.get(i) as number | null;
      if (r === null || c === null) continue;
      const a = cac.get(i) as number | null;
      for (const s of [at(seg.get(i) as string), at('*')]) {
        s.clients++;
        s.revenue += r;
        s.cost += c;
        s.profit += r - c;
        if (r - c < 0) s.destroyers++;
        if (r - c > 0) s.positive++;
        if (a !== null) {
          s.cacSum += a;
          s.cacN++;
        }
      }
    }
  }
  return out;
}
const expected = sums();

function mount(attrs: Record<string, string> = {}): ClProfitability {
  const el = document.createElement('cl-profitability');
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  document.body.append(el);
  return el;
}

/** Waits until the view's own result is drawn (not pending, the right kernel's result). */
async function drawn(el: ClProfitability): Promise<void> {
  await until(
    () => el.value !== undefined && ('points' in el.value) === (el.view === 'whale') && !el.shadowRoot!.querySelector('[aria-busy="true"]') && !!el.shadowRoot!.querySelector('[data-chart]'),
    `the ${el.view} view to draw`,
  );
  await el.updateComplete;
}

function text(el: Element): string {
  return el.shadowRoot!.textContent!.replace(/\s+/g, ' ');
}

async function showTable(el: ClProfitability): Promise<HTMLTableElement> {
  const btn = [...el.shadowRoot!.querySelectorAll('button')].find((b) => ['Table', '表格'].includes(b.textContent!.trim()))!;
  btn.click();
  // The tables load on demand the first time one is shown.
  await until(() => !!el.shadowRoot!.querySelector('table.data'), 'the table');
  return el.shadowRoot!.querySelector<HTMLTableElement>('table.data')!;
}

/** Rows (by their header cell) of a table, as cell texts. */
function rowsOf(table: HTMLTableElement): Map<string, string[]> {
  return new Map([...table.tBodies[0].rows].map((r) => [r.cells[0].textContent!.trim(), [...r.cells].slice(1).map((c) => c.textContent!.trim())]));
}

/** A formatted amount ("CN¥1,234.56", "-CN¥3.10") back to a number. */
function amount(s: string): number {
  return Number(s.replace(/[^0-9.-]/g, ''));
}

/** Money shown to the cent equals the independent sum (float sums in another order may differ in the last bits). */
function expectMoney(shown: string, value: number, what: string): void {
  expect(Math.abs(amount(shown) - value), `${what}: shown ${shown}, computed ${value}`).to.be.below(0.0151);
}

describe('<cl-profitability>', () => {
  afterEach(() => {
    document.querySelectorAll('cl-profitability').forEach((e) => e.remove());
    hub.filters.clear();
  });

  it('shows the waterfall revenue -> cost to serve -> profit of the whole book', async () => {
    const el = mount();
    await drawn(el);
    expect(el.shadowRoot!.querySelectorAll('[data-chart] .mark')).to.have.length(3);
    const all = expected.get('*')!;
    expect(text(el)).to.contain(formatNumber(all.clients));
    const rows = rowsOf(await showTable(el));
    expectMoney(rows.get('Revenue')![0], all.revenue, 'revenue');
    expectMoney(rows.get('Cost to serve')![0], -all.cost, 'cost');
    expectMoney(rows.get('Profit')![0], all.profit, 'profit');
    expect(rows.get('Cost-to-income')![0]).to.equal(formatNumber(all.cost / all.revenue, { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
  });

  it('shows profit and cost-to-income by segment with the figures of the data', async () => {
    const el = mount({ view: 'segments' });
    await drawn(el);
    expect(el.shadowRoot!.querySelectorAll('[data-chart] .mark')).to.have.length(6);
    const rows = rowsOf(await showTable(el));
    for (const seg of ['Personal', 'Premier', 'SME']) {
      const e = expected.get(seg)!;
      const [clients, revenue, cost, profit, cti, destroyers] = rows.get(seg)!;
      expect(clients, seg).to.equal(formatNumber(e.clients));
      expectMoney(revenue, e.revenue, `${seg} revenue`);
      expectMoney(cost, e.cost, `${seg} cost`);
      expectMoney(profit, e.profit, `${seg} profit`);
      expect(cti, `${seg} cost-to-income`).to.equal(formatNumber(e.cost / e.revenue, { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
      expect(destroyers, `${seg} value destroyers`).to.equal(formatNumber(e.destroyers));
    }
  });

  it('draws the whale curve with its peak and the value destroyers counted', async () => {
    const el = mount({ view: 'whale' });
    await drawn(el);
    const all = expected.get('*')!;
    expect(el.shadowRoot!.querySelector('[data-chart] path.curve')).to.not.equal(null);
    expect(el.shadowRoot!.querySelector('[data-chart] .mark.peak')).to.not.equal(null);
    expect(text(el)).to.contain(`${formatNumber(all.destroyers)} value destroyers`).and.contain('Peak').and.contain('Ends at');
    const table = await showTable(el);
    const peak = [...table.tBodies[0].rows].find((r) => r.cells[0].textContent!.startsWith('Peak'))!;
    expect(peak.cells[1].textContent!.trim()).to.equal(formatNumber(all.positive));
    const destroyers = rowsOf(el.shadowRoot!.querySelectorAll<HTMLTableElement>('table.data')[1]);
    expect(destroyers.get('Value destroyers')![0]).to.equal(formatNumber(all.destroyers));
    expectMoney(destroyers.get('Total profit')![0], all.profit, 'total profit');
  });

  it('plots CLTV against CAC per segment with the guide line', async () => {
    const el = mount({ view: 'cltv' });
    await drawn(el);
    expect(el.shadowRoot!.querySelectorAll('[data-chart] circle.mark')).to.have.length(6);
    expect(el.shadowRoot!.querySelector('[data-chart] path.guide')!.getAttribute('d')).to.match(/^M/);
    expect(text(el)).to.contain('CLTV = 3 × CAC');
    const rows = rowsOf(await showTable(el));
    const e = expected.get('Premier')!;
    const [, meanProfit, cltv, cac] = rows.get('Premier')!;
    expectMoney(meanProfit, e.profit / e.clients, 'Premier mean profit');
    expectMoney(cltv, (5 * e.profit) / e.clients, 'Premier CLTV (5 x profit with the default retention and discount rate)');
    expectMoney(cac, e.cacSum / e.cacN, 'Premier CAC');
  });

  it('adds the model lifetime value (BG/NBD + Gamma-Gamma) per segment next to the formula', async () => {
    const el = mount({ view: 'cltv', clv: 'model' });
    await drawn(el);
    await until(() => text(el).includes('Model lifetime value (BG/NBD + Gamma-Gamma on'), 'the model CLV', 120_000);
    expect(text(el)).to.match(/r [\d.]+ · α [\d.]+ · a [\d.]+ · b [\d.]+/);
    const table = await showTable(el);
    const head = [...table.tHead!.rows[0].cells].map((c) => c.textContent!.trim());
    expect(head.slice(-2)).to.deep.equal(['P(alive)', 'Model CLV (12 months)']);
    const rows = rowsOf(table);
    expect(rows.size).to.equal(6);
    for (const [label, cells] of rows) {
      const alive = Number(cells[5].replace('%', ''));
      expect(alive, label).to.be.within(1, 100);
      expect(amount(cells[6]), label).to.be.greaterThan(0);
    }
    expect(await seriousViolations(el)).to.deep.equal([]);
  });

  it('selects a segment from the keyboard: emits cl-profit-select, filters the page, and the whale curve follows it', async () => {
    const el = mount({ view: 'segments' });
    await drawn(el);
    const marks = [...el.shadowRoot!.querySelectorAll<SVGElement>('[data-chart] .mark')];
    marks[0].focus();
    marks[0].dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true, composed: true }));
    expect(el.shadowRoot!.activeElement).to.equal(marks[1]);
    const selected = new Promise<CustomEvent<ProfitSelectDetail>>((resolve) => document.addEventListener('cl-profit-select', (e) => resolve(e as CustomEvent<ProfitSelectDetail>), { once: true }));
    marks[1].dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    const e = await selected;
    expect(e.bubbles && e.composed).to.equal(true);
    expect(e.detail).to.deep.equal({ by: 'segment', segment: 'Institutional', conditions: [{ column: 'segment', op: 'eq', value: 'Institutional' }] });
    expect(hub.filters.combined()?.all).to.deep.equal(e.detail.conditions);
    await el.updateComplete;
    expect(marks[1].getAttribute('aria-pressed')).to.equal('true');
    // The waterfall and whale curve of the selected segment.
    el.view = 'waterfall' as ProfitView;
    await drawn(el);
    expect(text(el)).to.contain('segment: Institutional');
    el.view = 'whale';
    await drawn(el);
    expect((el.value as { clients: number }).clients).to.equal(expected.get('Institutional')!.clients);
  });

  it('speaks Simplified Chinese and formats money for the locale', async () => {
    await setLocale('zh-CN');
    try {
      const el = mount();
      await drawn(el);
      expect(text(el)).to.contain('收入、服务成本与利润').and.contain('全部客户').and.contain('服务成本').and.contain('成本收入比');
      expect(text(el)).to.match(/¥[\d.]+(万|亿)/);
    } finally {
      await setLocale('en');
    }
  });

  it('keeps the whale curve\'s and the scatter\'s labels off the axis and inside the chart when narrow, in Chinese', async () => {
    const overlap = (a: DOMRect, b: DOMRect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    await setLocale('zh-CN');
    try {
      for (const width of [340, 420]) {
        for (const [view, selector] of [['whale', '.peak-label'], ['cltv', '.point-label']] as const) {
          const el = mount({ view, style: `display:block;width:${width}px` });
          await drawn(el);
          // Drawn first at the default width, then again at the host's once it is observed.
          const chart = () => el.shadowRoot!.querySelector<SVGSVGElement>('[data-chart]');
          await until(() => (chart()?.viewBox.baseVal.width ?? Infinity) <= width, 'the chart at the host\'s width');
          const svg = chart()!;
          // The value axis: its tick labels sit left of the plot, anchored at their end.
          const ticks = [...svg.querySelectorAll<SVGTextElement>('.axis text[text-anchor="end"]')].map((t) => t.getBBox());
          const plotLeft = Math.max(...ticks.map((b) => b.x + b.width));
          const right = svg.viewBox.baseVal.width;
          const labels = [...svg.querySelectorAll<SVGTextElement>(selector)];
          expect(labels.length, `${view} labels`).to.be.above(0);
          for (const label of labels) {
            const b = label.getBBox();
            const where = `${view} at ${width}px: "${label.textContent}" at ${Math.round(b.x)}-${Math.round(b.x + b.width)}`;
            expect(ticks.some((t) => overlap(t, b)), `${where} covers a tick label`).to.equal(false);
            expect(b.x >= plotLeft && b.x + b.width <= right, `${where}, plot ${Math.round(plotLeft)}-${Math.round(right)}`).to.equal(true);
          }
          el.remove();
        }
      }
    } finally {
      await setLocale('en');
    }
  });

  it('keeps the two column heads of profit by segment apart when narrow, in English and Chinese', async () => {
    for (const locale of ['en', 'zh-CN']) {
      await setLocale(locale);
      try {
        for (const width of [340, 390, 480]) {
          const el = mount({ view: 'segments', style: `display:block;width:${width}px` });
          await drawn(el);
          await until(() => (el.shadowRoot!.querySelector<SVGSVGElement>('[data-chart]')?.viewBox.baseVal.width ?? Infinity) <= width, 'the narrow chart');
          const [profit, cti] = [...el.shadowRoot!.querySelectorAll<SVGTextElement>('[data-chart] text.head')].map((t) => t.getBBox());
          expect(profit.x + profit.width, `${locale} at ${width}px: the profit head ends before the cost-to-income head`).to.be.at.most(cti.x - 4);
          el.remove();
        }
      } finally {
        await setLocale('en');
      }
    }
  });

  it('outlines labels that cross grid lines in the panel\'s colour, on screen and in the exported SVG', async () => {
    const blobs: Blob[] = [];
    const createObjectURL = URL.createObjectURL;
    URL.createObjectURL = (obj: Blob | MediaSource) => {
      if (obj instanceof Blob) blobs.push(obj);
      return createObjectURL.call(URL, obj);
    };
    try {
      const el = mount({ view: 'whale', theme: 'high-contrast' });
      await drawn(el);
      const label = el.shadowRoot!.querySelector<SVGTextElement>('[data-chart] .peak-label')!;
      const surface = getComputedStyle(el.shadowRoot!.querySelector('.panel')!).backgroundColor;
      const style = getComputedStyle(label);
      expect(style.paintOrder, 'the outline is drawn under the text').to.match(/^stroke/);
      expect(style.stroke).to.equal(surface);
      expect(style.fill).to.not.equal(surface);
      [...el.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent!.trim() === 'SVG')!.click();
      await until(() => blobs.length > 0, 'the SVG download');
      const doc = new DOMParser().parseFromString(await blobs[0].text(), 'image/svg+xml');
      const exported = [...doc.querySelectorAll('text')].find((t) => t.textContent === label.textContent)!;
      expect(exported.getAttribute('paint-order')).to.match(/^stroke/);
      expect(exported.getAttribute('stroke')).to.equal(surface);
      expect(exported.getAttribute('fill')).to.equal(style.fill);
    } finally {
      URL.createObjectURL = createObjectURL;
    }
  });

  it('names the missing fields when the data has no revenue or cost', async () => {
    const bytes = new TextEncoder().encode('clientId,segment,aum\nA1,Personal,100\nA2,Premier,250\n').buffer as ArrayBuffer;
    const small = await hub.load({ kind: 'bytes', name: 'no-revenue.csv', bytes });
    const el = mount();
    el.data = small;
    await until(() => !!el.shadowRoot?.querySelector('[role="alert"]'), 'the error message');
    const alert = el.shadowRoot!.querySelector('[role="alert"]')!.textContent!;
    expect(alert).to.contain('cl-profitability').and.contain('"revenue"').and.contain('"costToServe"');
    await small.release();
  });

  it('has no serious or critical accessibility violations in any view', async () => {
    for (const view of ['waterfall', 'segments', 'whale', 'cltv'] as const) {
      const el = mount({ view, theme: view === 'cltv' ? 'high-contrast' : view === 'whale' ? 'dark' : '' });
      await drawn(el);
      expect(await seriousViolations(el), view).to.deep.equal([]);
      await showTable(el);
      expect(await seriousViolations(el), `${view} table`).to.deep.equal([]);
      el.remove();
    }
  });
});
