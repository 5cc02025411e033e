import { expect } from 'chai';
import type { Table } from 'apache-arrow';
import '../../src/index.js';
import { configureDefaultHub, formatCurrency, formatNumber, formatPercent, setLocale, type ClKpi } from '../../src/index.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { seriousViolations } from '../../test/browser/support/axe.js';
import { until } from '../../test/browser/support/until.js';

const ROWS = 20_000;
const hub = await configureDefaultHub({ cache: { name: `kpi-test-${Date.now()}` }, workers: 2 });
const dataset = await hub.load({ kind: 'generate', options: { rows: ROWS } });
hub.setCurrent(dataset);

/** The same portfolio generated here, for figures counted without any kernel. */
const tables: Table[] = generatePortfolio({ rows: ROWS });

/** Headline figures counted row by row through apache-arrow's accessors (DOMAIN.md definitions). */
function expected(keep: (row: (name: string) => unknown) => boolean = () => true) {
  let clients = 0, aum = 0, revenue = 0, cost = 0, churnKnown = 0, churned = 0, respondents = 0, promoters = 0, detractors = 0;
  for (const t of tables) {
    for (let i = 0; i < t.numRows; i++) {
      const get = (name: string) => t.getChild(name)!.get(i);
      if (!keep(get)) continue;
      clients++;
      const a = get('aum') as number | null;
      if (a !== null && Number.isFinite(a)) aum += a;
      const r = get('revenue') as number | null;
      if (r !== null && Number.isFinite(r)) revenue += r;
      const c = get('costToServe') as number | null;
      if (c !== null && Number.isFinite(c)) cost += c;
      const ch = get('churned') as boolean | null;
      if (ch !== null) {
        churnKnown++;
        if (ch) churned++;
      }
      const nps = get('npsScore') as number | null;
      if (nps !== null && Number.isFinite(nps)) {
        respondents++;
        if (nps >= 9) promoters++;
        else if (nps <= 6) detractors++;
      }
    }
  }
  return { clients, aum, costToIncome: cost / revenue, churnRate: churned / churnKnown, nps: ((promoters - detractors) / respondents) * 100 };
}

function mount(attrs: Record<string, string> = {}): ClKpi {
  const el = document.createElement('cl-kpi');
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  document.body.append(el);
  return el;
}

async function drawn(el: ClKpi): Promise<void> {
  await until(() => el.value !== undefined && !el.shadowRoot!.querySelector('[aria-busy="true"]') && !!el.shadowRoot!.querySelector('.tiles'), 'the tiles to draw');
  await el.updateComplete;
}

/** Each tile's value text by metric. */
function tiles(el: ClKpi): Record<string, string> {
  const out: Record<string, string> = {};
  for (const li of el.shadowRoot!.querySelectorAll<HTMLElement>('.tile')) out[li.dataset.metric!] = li.querySelector('.value, .na')!.textContent!.trim();
  return out;
}

describe('<cl-kpi>', () => {
  afterEach(async () => {
    document.querySelectorAll('cl-kpi').forEach((e) => e.remove());
    hub.filters.clear();
    await setLocale('en');
  });

  it('shows the headline figures of the data, counted independently', async () => {
    const el = mount();
    await drawn(el);
    const want = expected();
    const got = tiles(el);
    expect(got.clients).to.equal(formatNumber(want.clients));
    expect(got.aum).to.equal(formatCurrency(want.aum, 'CNY', undefined, { notation: 'compact', maximumFractionDigits: 1 }));
    expect(got.churnRate).to.equal(formatPercent(want.churnRate));
    expect(got.retentionRate).to.equal(formatPercent(1 - want.churnRate));
    expect(got.nps).to.equal(formatNumber(want.nps, { maximumFractionDigits: 1, signDisplay: 'exceptZero' }));
    expect(got.costToIncome).to.equal(formatNumber(want.costToIncome, { maximumFractionDigits: 2, minimumFractionDigits: 2 }));
    // The kernel's own figures agree to float rounding, not just once formatted.
    expect(el.value!.clients).to.equal(want.clients);
    expect(el.value!.nps).to.be.closeTo(want.nps, 1e-9);
    expect(el.value!.aum! / want.aum).to.be.closeTo(1, 1e-12);
  });

  it('follows the page filters set by the host', async () => {
    const el = mount();
    await drawn(el);
    hub.filters.set('host', [{ column: 'clientType', op: 'eq', value: 'corporate' }]);
    await until(() => el.value?.clients === expected((row) => row('clientType') === 'corporate').clients && !el.shadowRoot!.querySelector('[aria-busy="true"]'), 'the filtered figures');
    await el.updateComplete;
    const want = expected((row) => row('clientType') === 'corporate');
    expect(want.clients).to.be.within(1, ROWS - 1);
    expect(tiles(el).clients).to.equal(formatNumber(want.clients));
    expect(tiles(el).churnRate).to.equal(formatPercent(want.churnRate));
  });

  it('shows only the metrics asked for, and a trend against a baseline coloured by whether it is good news', async () => {
    const el = mount({ metrics: 'churnRate,nps' });
    await drawn(el);
    expect(Object.keys(tiles(el))).to.deep.equal(['churnRate', 'nps']);
    const { churnRate, nps } = el.value!;
    // A higher churn rate before and a higher NPS before: churn improved, NPS worsened.
    el.baseline = { churnRate: churnRate! + 0.05, nps: nps! + 10 };
    await el.updateComplete;
    const churnTile = el.shadowRoot!.querySelector('[data-metric="churnRate"] .delta')!;
    const npsTile = el.shadowRoot!.querySelector('[data-metric="nps"] .delta')!;
    expect(churnTile.classList.contains('good'), 'a falling churn rate is good').to.equal(true);
    expect(churnTile.textContent).to.contain('-5 pp');
    expect(npsTile.classList.contains('bad'), 'a falling NPS is bad').to.equal(true);
    expect(npsTile.textContent).to.contain('-10');
  });

  it('says a metric is not in the data instead of showing 0', async () => {
    const csv = 'clientId,aum,revenue,costToServe\nA1,100,10,4\nA2,300,20,6\n';
    const small = await hub.load({ kind: 'bytes', bytes: new TextEncoder().encode(csv).buffer as ArrayBuffer, name: 'small.csv' });
    const el = mount();
    el.data = small;
    await drawn(el);
    const got = tiles(el);
    expect(got.clients).to.equal(formatNumber(2));
    expect(got.costToIncome).to.equal(formatNumber(10 / 30, { maximumFractionDigits: 2, minimumFractionDigits: 2 }));
    for (const m of ['churnRate', 'nps', 'crossSellRate']) expect(got[m], m).to.equal('not in this data');
    small.release();
  });

  it('has a table view and a CSV of the same figures, is keyboard reachable and passes axe', async () => {
    const el = mount();
    await drawn(el);
    const tableBtn = [...el.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent!.trim() === 'Table')!;
    tableBtn.focus();
    expect(el.shadowRoot!.activeElement).to.equal(tableBtn);
    tableBtn.click();
    await el.updateComplete;
    const rows = [...el.shadowRoot!.querySelectorAll('table.data tbody tr')].map((r) => r.querySelector('td')!.textContent!.trim());
    expect(rows[0]).to.equal(formatNumber(expected().clients));
    expect(await seriousViolations(el)).to.deep.equal([]);
  });

  it('puts two tiles a row on a phone-width panel, each figure inside its tile', async () => {
    const el = mount({ style: 'display:block;width:340px' });
    await drawn(el);
    const tiles = [...el.shadowRoot!.querySelectorAll<HTMLElement>('.tile')];
    const rows = new Map<number, number>();
    for (const t of tiles) rows.set(Math.round(t.getBoundingClientRect().top), (rows.get(Math.round(t.getBoundingClientRect().top)) ?? 0) + 1);
    expect([...rows.values()].every((n) => n === 2 || n === tiles.length % 2), `tiles per row: ${[...rows.values()]}`).to.equal(true);
    for (const v of el.shadowRoot!.querySelectorAll<HTMLElement>('.tile .value')) {
      const tile = v.closest('.tile')!.getBoundingClientRect();
      expect(v.scrollWidth, v.textContent!).to.be.at.most(v.clientWidth + 1);
      expect(v.getBoundingClientRect().right, v.textContent!).to.be.at.most(tile.right);
    }
  });

  it('speaks Simplified Chinese with Chinese number formats', async () => {
    await setLocale('zh-CN');
    const el = mount();
    await drawn(el);
    expect(el.shadowRoot!.textContent).to.contain('客户');
    expect(tiles(el).clients).to.equal(new Intl.NumberFormat('zh-CN').format(expected().clients));
  });
});
