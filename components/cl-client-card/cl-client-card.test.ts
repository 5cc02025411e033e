import { expect } from 'chai';
import { seriousViolations } from '../../test/browser/support/axe.js';
import '../../src/index.js';
import { configureDefaultHub, formatCurrency, formatDay, formatNumber, setLocale, type ClClientCard, type DataHub } from '../../src/index.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';

const ROWS = 100_000;
const AS_OF_DAY = Date.UTC(2026, 5, 30) / 86_400_000;
const hub: DataHub = await configureDefaultHub({ cache: { name: `client-card-test-${Date.now()}` }, workers: 2 });
const dataset = await hub.load({ kind: 'generate', options: { rows: ROWS } });
hub.setCurrent(dataset);

type Row = Record<string, unknown>;
/** Rows straight from the generator's tables (Arrow's own row accessor; dates as epoch ms). */
const tables = generatePortfolio({ rows: ROWS });
const rowAt = (i: number): Row => tables[Math.floor(i / tables[0].numRows)].get(i % tables[0].numRows)!.toJSON() as Row;
const dayOf = (ms: unknown) => (ms === null ? null : Math.round((ms as number) / 86_400_000));
/** DOMAIN.md's default rules, computed here: no transaction for 90+ days; outflow above 50%. */
const rulesOf = (r: Row) => ({
  quiet: r.lastTxnDate !== null && AS_OF_DAY - dayOf(r.lastTxnDate)! >= 90,
  outflow: r.assetOutflow3m !== null && (r.assetOutflow3m as number) > 0.5,
});

function find(pred: (r: Row) => boolean): Row {
  for (let i = 0; i < ROWS; i++) {
    const r = rowAt(i);
    if (pred(r)) return r;
  }
  throw new Error('no such row');
}
const both = find((r) => rulesOf(r).quiet && rulesOf(r).outflow);
const calm = find((r) => !rulesOf(r).quiet && !rulesOf(r).outflow && (r.loans as number) > 0 && r.riskLevel === 2);
const prospect = find((r) => r.lifecycleStage === 'prospect');

function mount(html: string): ClClientCard {
  const wrap = document.createElement('div');
  wrap.innerHTML = html;
  document.body.append(wrap);
  return wrap.firstElementChild as ClClientCard;
}

const text = (el: Element) => el.shadowRoot!.textContent!.replace(/\s+/g, ' ');
const money = (v: unknown) => formatCurrency(v as number, 'CNY', 'en', { maximumFractionDigits: 0 });

async function shows(el: ClClientCard, id: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    await el.updateComplete;
    if (el.value?.clientId === id && !el.shadowRoot!.querySelector('[aria-busy="true"]')) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the card did not show ${id}`);
}

/** Value of the <dd> next to a <dt> with this label. */
function field(el: ClClientCard, label: string): string {
  const dt = [...el.shadowRoot!.querySelectorAll('dt')].find((d) => d.textContent!.trim() === label);
  if (!dt) throw new Error(`no field "${label}"`);
  return dt.nextElementSibling!.textContent!.trim();
}

describe('<cl-client-card>', () => {
  afterEach(() => document.body.replaceChildren());

  it('says no client is chosen until it has one', async () => {
    const el = mount('<cl-client-card></cl-client-card>');
    await el.updateComplete;
    await new Promise((r) => setTimeout(r, 50));
    await el.updateComplete;
    expect(text(el)).to.contain('No client chosen');
  });

  it("shows a client's tags, holdings, value and activity exactly as the generated table holds them", async () => {
    const r = calm;
    const el = mount(`<cl-client-card client-id="${r.clientId}"></cl-client-card>`);
    await shows(el, r.clientId as string);
    const t = text(el);
    expect(el.shadowRoot!.querySelector('h2')!.textContent).to.equal(r.name);
    expect(t).to.contain(`ID ${r.clientId}`).and.contain(`Segment: ${r.segment}`).and.contain('Risk level: 2');
    expect(field(el, 'Assets under management')).to.equal(money(r.aum));
    expect(field(el, 'Deposits')).to.equal(money(r.deposits));
    expect(field(el, 'Loans')).to.equal(money(r.loans));
    expect(field(el, 'Products held')).to.equal(formatNumber(r.productsHeld as number, {}, 'en'));
    expect(field(el, 'Revenue')).to.equal(money(r.revenue));
    expect(field(el, 'Cost to serve')).to.equal(money(r.costToServe));
    expect(field(el, 'Profit')).to.equal(money((r.revenue as number) - (r.costToServe as number)));
    expect(field(el, 'Transactions (12 months)')).to.equal(formatNumber(r.txnCount12m as number, {}, 'en'));
    const last = dayOf(r.lastTxnDate)!;
    expect(field(el, 'Last transaction')).to.equal(`${formatDay(last, 'en')} (${AS_OF_DAY - last} days ago)`);
    expect(field(el, 'Client since')).to.equal(formatDay(dayOf(r.openDate)!, 'en'));
    expect(t).to.contain('No churn rule hit');
  });

  it('lists the churn rules the client hits, with reasons in words, and a model\'s reasons when given', async () => {
    const r = both;
    const el = mount(`<cl-client-card client-id="${r.clientId}"></cl-client-card>`);
    el.reasons = ['Deposits fell 40% in 6 months', 'Stopped using the card'];
    el.score = 0.91;
    await shows(el, r.clientId as string);
    const hits = [...el.shadowRoot!.querySelectorAll('li.hit')].map((li) => li.textContent!.replace(/\s+/g, ' ').trim());
    expect(hits).to.deep.equal([
      `⚠ ${AS_OF_DAY - dayOf(r.lastTxnDate)!} days without a transaction`,
      `⚠ ${Math.round((r.assetOutflow3m as number) * 100)}% of assets moved out in 3 months`,
    ]);
    expect(text(el)).to.contain('Model score 91%').and.contain('Deposits fell 40% in 6 months').and.contain('Stopped using the card');
  });

  it('flags a product riskier than the client in words, not only colour', async () => {
    const el = mount(`<cl-client-card client-id="${calm.clientId}"></cl-client-card>`);
    el.products = [{ name: 'Deposit plus', riskLevel: 1 }, { name: 'Balanced fund', riskLevel: 2 }, { name: 'Equity fund', riskLevel: 4 }];
    await shows(el, calm.clientId as string);
    const alert = el.shadowRoot!.querySelector('[role="alert"]')!;
    expect(alert.textContent!.replace(/\s+/g, ' ')).to.contain('Suitability mismatch').and.contain("1 of 3 products are riskier than the client's risk level (2)");
    const rows = [...el.shadowRoot!.querySelectorAll('tbody tr')];
    expect(rows.map((tr) => tr.getAttribute('data-status'))).to.deep.equal(['suitable', 'suitable', 'mismatch']);
    expect(rows[2].textContent).to.contain("Mismatch: product risk 4 is above the client's 2");

    el.products = [{ name: 'Deposit plus', riskLevel: 1 }];
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[role="alert"]')).to.equal(null);
    expect(text(el)).to.contain("All 1 products are within the client's risk level (2)");
  });

  it('takes the products from a JSON attribute, and refuses any product for a client never assessed', async () => {
    const el = mount(`<cl-client-card client-id="${prospect.clientId}" products='[{"name":"Money market","riskLevel":1}]'></cl-client-card>`);
    await shows(el, prospect.clientId as string);
    expect(el.shadowRoot!.querySelector('[role="alert"]')!.textContent).to.contain('Suitability cannot be confirmed');
    expect(text(el)).to.contain('Client risk level: not assessed');
    expect(field(el, 'Last transaction')).to.equal('never');
  });

  it('says so when the id is not in the data, and shows the next client when the id changes', async () => {
    const el = mount('<cl-client-card client-id="NOBODY-1"></cl-client-card>');
    await shows(el, 'NOBODY-1');
    expect(el.value!.found).to.equal(false);
    expect(text(el)).to.contain('No client with the id "NOBODY-1" in this data.');
    el.clientId = calm.clientId as string;
    await shows(el, calm.clientId as string);
    expect(el.shadowRoot!.querySelector('h2')!.textContent).to.equal(calm.name);
  });

  it('follows cl-client-open events from anywhere on the page while it has the follow attribute', async () => {
    const el = mount('<cl-client-card follow></cl-client-card>');
    const host = document.createElement('div');
    document.body.append(host);
    const inner = host.attachShadow({ mode: 'open' }).appendChild(document.createElement('span'));
    inner.dispatchEvent(new CustomEvent('cl-client-open', { detail: { clientId: both.clientId }, bubbles: true, composed: true }));
    await shows(el, both.clientId as string);
    el.follow = false;
    await el.updateComplete;
    inner.dispatchEvent(new CustomEvent('cl-client-open', { detail: { clientId: calm.clientId }, bubbles: true, composed: true }));
    await new Promise((r) => setTimeout(r, 100));
    expect(el.clientId).to.equal(both.clientId);
  });

  it('masks the name when asked', async () => {
    const el = mount(`<cl-client-card mask client-id="${calm.clientId}"></cl-client-card>`);
    await shows(el, calm.clientId as string);
    const name = calm.name as string;
    expect(el.shadowRoot!.querySelector('h2')!.textContent).to.equal(`${[...name][0]}${'*'.repeat(Math.min([...name].length - 1, 4))}`);
    expect(text(el)).to.not.contain(name);
  });

  it('speaks Simplified Chinese', async () => {
    await setLocale('zh-CN');
    try {
      const el = mount(`<cl-client-card client-id="${both.clientId}"></cl-client-card>`);
      el.products = [{ name: '权益基金', riskLevel: 5 }];
      await shows(el, both.clientId as string);
      const t = text(el);
      expect(t).to.contain('持仓').and.contain('流失风险').and.contain('适当性不匹配').and.contain('天无交易').and.contain('的资产近 3 个月流出');
    } finally {
      await setLocale('en');
    }
  });

  it('has no serious or critical accessibility violations, in every theme', async () => {
    const el = mount(`<cl-client-card client-id="${both.clientId}"></cl-client-card>`);
    el.products = [{ name: 'Equity fund', riskLevel: 5 }, { name: 'Deposit', riskLevel: 1 }];
    el.reasons = ['Deposits fell'];
    await shows(el, both.clientId as string);
    for (const theme of ['light', 'dark', 'high-contrast']) {
      el.setAttribute('theme', theme);
      await el.updateComplete;
      expect(await seriousViolations(el), theme).to.deep.equal([]);
    }
  });

  it('shows hostile names, ids and product names as text, never as markup', async () => {
    const evil = '<img src=x onerror="window.__pwned=1">';
    const csv = `clientId,name,aum,riskLevel\n"<b>E1</b>","${evil.replace(/"/g, '""')}",100,1\n`;
    const hostile = await hub.load({ kind: 'file', file: new File([csv], 'evil-card.csv', { type: 'text/csv' }) });
    try {
      const el = mount('<cl-client-card></cl-client-card>');
      el.data = hostile;
      el.clientId = '<b>E1</b>';
      el.products = [{ name: '<script>window.__pwned=2</script>', riskLevel: 3 }];
      await shows(el, '<b>E1</b>');
      expect(el.shadowRoot!.querySelector('h2')!.textContent).to.equal(evil);
      expect(text(el)).to.contain('<b>E1</b>').and.contain('<script>');
      expect(el.shadowRoot!.querySelector('img, b, script')).to.equal(null);
      expect((window as { __pwned?: number }).__pwned).to.equal(undefined);
    } finally {
      void hostile.release();
    }
  });
});
