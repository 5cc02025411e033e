import { expect } from 'chai';
import type { Table } from 'apache-arrow';
import '../../src/index.js';
import { configureDefaultHub, formatNumber, formatPercent, setLocale, type ClFunnel, type FunnelSelectDetail } from '../../src/index.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { seriousViolations } from '../../test/browser/support/axe.js';
import { until } from '../../test/browser/support/until.js';

const ROWS = 30_000;
// One hub for this page, with its own cache database so runs do not see each other's entries.
const hub = await configureDefaultHub({ cache: { name: `funnel-test-${Date.now()}` }, workers: 2 });
const dataset = await hub.load({ kind: 'generate', options: { rows: ROWS } });
hub.setCurrent(dataset);

/** The same portfolio, generated here on the main thread, for counts made without any kernel. */
const tables: Table[] = generatePortfolio({ rows: ROWS });

/** Stage level on the default lifecycle path; off-path stages count as having reached 'new'. */
const LEVEL: Record<string, number> = { prospect: 0, new: 1, declining: 1, dormant: 1, churned: 1, 'win-back': 1, growing: 2, mature: 3 };

/** Clients who reached each default step, counted from the generated rows (optionally one segment). */
function reached(segment?: string): number[] {
  const out = [0, 0, 0, 0];
  for (const t of tables) {
    const stage = t.getChild('lifecycleStage')!;
    const seg = t.getChild('segment')!;
    for (let i = 0; i < t.numRows; i++) {
      if (segment !== undefined && seg.get(i) !== segment) continue;
      const level = LEVEL[stage.get(i) as string];
      for (let k = 0; k <= level; k++) out[k]++;
    }
  }
  return out;
}

function mount(attrs: Record<string, string> = {}): ClFunnel {
  const el = document.createElement('cl-funnel');
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  document.body.append(el);
  return el;
}

/** Waits for a drawn (not pending) result. */
async function drawn(el: ClFunnel): Promise<void> {
  await until(() => el.value !== undefined && !el.shadowRoot!.querySelector('[aria-busy="true"]') && !!el.shadowRoot!.querySelector('[data-chart]'), 'the funnel to draw');
  await el.updateComplete;
}

function text(el: Element): string {
  return el.shadowRoot!.textContent!.replace(/\s+/g, ' ');
}

async function showTable(el: ClFunnel): Promise<HTMLTableElement> {
  const btn = [...el.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent!.trim() === 'Table' || b.textContent!.trim() === '表格')!;
  btn.click();
  // The table loads on demand the first time it is shown.
  await until(() => !!el.shadowRoot!.querySelector('table.data'), 'the table');
  return el.shadowRoot!.querySelector<HTMLTableElement>('table.data')!;
}

/** Table rows as arrays of cell texts. */
function cells(table: HTMLTableElement): string[][] {
  return [...table.tBodies[0].rows].map((r) => [...r.cells].map((c) => c.textContent!.trim()));
}

describe('<cl-funnel>', () => {
  afterEach(() => {
    document.querySelectorAll('cl-funnel, cl-profitability').forEach((e) => e.remove());
    hub.filters.clear();
  });

  it('shows the lifecycle funnel with the counts, conversions and drop-off of the data', async () => {
    const el = mount();
    await drawn(el);
    const exp = reached();
    expect(el.shadowRoot!.querySelectorAll('[data-chart] .mark')).to.have.length(4);
    expect(text(el)).to.contain(formatNumber(exp[0])).and.contain(formatNumber(exp[3]));
    const rows = cells(await showTable(el));
    expect(rows.map((r) => r[0])).to.deep.equal(['Prospect', 'New', 'Growing', 'Mature']);
    rows.forEach((r, k) => {
      expect(r[1], `clients at step ${k}`).to.equal(formatNumber(exp[k]));
      expect(r[2], `step conversion at step ${k}`).to.equal(k === 0 ? '—' : formatPercent(exp[k] / exp[k - 1]));
      expect(r[3], `overall conversion at step ${k}`).to.equal(formatPercent(exp[k] / exp[0]));
      expect(r[4], `drop-off at step ${k}`).to.equal(k === 0 ? '—' : formatNumber(exp[k - 1] - exp[k]));
    });
  });

  it('draws one funnel per category side by side with split-by', async () => {
    const el = mount({ 'split-by': 'segment' });
    await drawn(el);
    const panels = el.shadowRoot!.querySelectorAll('.panel-multiple');
    expect(panels.length).to.equal(6);
    const premier = reached('Premier');
    const rows = cells(await showTable(el)).filter((r) => r[0] === 'Premier');
    expect(rows.map((r) => r[2])).to.deep.equal(premier.map((n) => formatNumber(n)));
  });

  it('shows the median days between dated steps', async () => {
    const el = mount({ steps: 'Opened:openDate,Last transaction:lastTxnDate' });
    await drawn(el);
    // Clients with both dates (in order, as the generator guarantees), gaps in days.
    const gaps: number[] = [];
    let opened = 0;
    for (const t of tables) {
      const open = t.getChild('openDate')!, last = t.getChild('lastTxnDate')!;
      for (let i = 0; i < t.numRows; i++) {
        const a = open.get(i) as number | Date | null, b = last.get(i) as number | Date | null;
        if (a === null) continue;
        opened++;
        if (b !== null && +b >= +a) gaps.push(Math.round((+b - +a) / 86_400_000));
      }
    }
    gaps.sort((x, y) => x - y);
    const n = gaps.length;
    const median = n % 2 ? gaps[(n - 1) / 2] : (gaps[n / 2 - 1] + gaps[n / 2]) / 2;
    expect(text(el)).to.contain('Conversion funnel').and.contain(`median ${formatNumber(median, { maximumFractionDigits: 1 })} days`);
    const rows = cells(await showTable(el));
    expect(rows.map((r) => [r[0], r[1]])).to.deep.equal([['Opened', formatNumber(opened)], ['Last transaction', formatNumber(n)]]);
    expect(rows[1][5]).to.equal(formatNumber(median, { maximumFractionDigits: 1 }));
  });

  it('selects a step from the keyboard: emits cl-funnel-select and filters the page to the clients who reached it', async () => {
    const el = mount();
    const other = mount({ steps: 'growing,mature' });
    await drawn(el);
    await drawn(other);
    const marks = [...el.shadowRoot!.querySelectorAll<SVGElement>('[data-chart] .mark')];
    expect(marks.map((m) => m.getAttribute('tabindex'))).to.deep.equal(['0', '-1', '-1', '-1']);
    marks[0].focus();
    const selected = new Promise<CustomEvent<FunnelSelectDetail>>((resolve) => document.addEventListener('cl-funnel-select', (e) => resolve(e as CustomEvent<FunnelSelectDetail>), { once: true }));
    for (const key of ['ArrowDown', 'ArrowDown']) {
      (el.shadowRoot!.activeElement as SVGElement).dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, composed: true }));
    }
    expect(el.shadowRoot!.activeElement).to.equal(marks[2]);
    marks[2].dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    const e = await selected;
    expect(e.bubbles && e.composed).to.equal(true);
    expect(e.detail.step).to.equal('growing');
    expect(e.detail.conditions).to.deep.equal([{ column: 'lifecycleStage', op: 'in', values: ['growing', 'mature'] }]);
    expect(hub.filters.combined()?.all).to.deep.equal(e.detail.conditions);
    await el.updateComplete;
    expect(marks[2].getAttribute('aria-pressed')).to.equal('true');
    // Another panel now counts only those clients; the selecting funnel still shows every step.
    const exp = reached();
    await until(() => other.value?.steps[0].count === exp[2], 'the other funnel to apply the filter');
    expect(el.value!.steps[0].count).to.equal(exp[0]);
    // Escape clears the selection and the filter.
    marks[2].dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
    expect(hub.filters.combined()).to.equal(undefined);
  });

  it('speaks Simplified Chinese', async () => {
    await setLocale('zh-CN');
    try {
      const el = mount();
      await drawn(el);
      expect(text(el)).to.contain('客户生命周期漏斗').and.contain('潜在客户').and.contain('成熟期');
      const table = await showTable(el);
      expect(table.tHead!.textContent).to.contain('步骤转化率');
      // Split by a field of the library's own vocabulary: the field and its values in Chinese.
      el.splitBy = 'clientType';
      await until(() => text(el).includes('按客户类型拆分') && text(el).includes('零售') && text(el).includes('对公'), 'the split by client type in Chinese');
    } finally {
      await setLocale('en');
    }
  });

  it('says so when the page filters leave no client (empty state, not an error)', async () => {
    const el = mount();
    await drawn(el);
    hub.filters.set('test-host', [{ column: 'segment', op: 'in', values: [] }]);
    await until(() => text(el).includes('No clients match the current filters.'), 'the empty state');
    expect(el.shadowRoot!.querySelector('[role="alert"]')).to.equal(null);
    hub.filters.set('test-host', []);
    await drawn(el);
    expect(el.value!.steps[0].count).to.equal(ROWS);
  });

  it('names the missing field when the data has no lifecycle stage', async () => {
    const bytes = new TextEncoder().encode('clientId,segment,revenue\nA1,Personal,100\nA2,Premier,250\n').buffer as ArrayBuffer;
    const small = await hub.load({ kind: 'bytes', name: 'no-stage.csv', bytes });
    const el = mount();
    el.data = small;
    await until(() => !!el.shadowRoot?.querySelector('[role="alert"]'), 'the error message');
    const alert = el.shadowRoot!.querySelector('[role="alert"]')!.textContent!;
    expect(alert).to.contain('cl-funnel').and.contain('lifecycleStage').and.contain('Lifecycle stage');
    await small.release();
  });

  it('has no serious or critical accessibility violations (chart and table)', async () => {
    const el = mount();
    await drawn(el);
    expect(await seriousViolations(el)).to.deep.equal([]);
    await showTable(el);
    expect(await seriousViolations(el)).to.deep.equal([]);
    const split = mount({ 'split-by': 'clientType', theme: 'dark' });
    await drawn(split);
    expect(await seriousViolations(split)).to.deep.equal([]);
  });
});
