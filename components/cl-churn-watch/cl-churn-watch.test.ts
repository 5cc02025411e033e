import { expect } from 'chai';
import { seriousViolations } from '../../test/browser/support/axe.js';
import '../../src/index.js';
import { configureDefaultHub, formatCurrency, setLocale, type ClChurnWatch, type ClClientCard, type ClientOpenDetail, type DataHub, type RuleFilterDetail } from '../../src/index.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { STALE_STATUS_DELAY_MS } from '../shared/kernel-controller.js';

const ROWS = 100_000;
const AS_OF_DAY = Date.UTC(2026, 5, 30) / 86_400_000;
const hub: DataHub = await configureDefaultHub({ cache: { name: `churn-watch-test-${Date.now()}` }, workers: 2 });
const dataset = await hub.load({ kind: 'generate', options: { rows: ROWS } });
hub.setCurrent(dataset);

interface Ref {
  id: string;
  name: string;
  aum: number | null;
  hits: number;
  quiet: boolean;
  outflow: boolean;
  daysInactive: number | null;
  outflowShare: number | null;
}

/**
 * Independent reference, straight from the generator's tables on this thread: DOMAIN.md's default
 * rules (no transaction for 90 days: asOf - lastTxnDate >= 90; more than half of assets moved out:
 * assetOutflow3m > 0.5), as-of 2026-06-30, ranked by rules hit, then AUM, then id.
 */
function reference(): Ref[] {
  const out: Ref[] = [];
  for (const t of generatePortfolio({ rows: ROWS })) {
    const [id, name, aum, last, outflow] = ['clientId', 'name', 'aum', 'lastTxnDate', 'assetOutflow3m'].map((c) => t.getChild(c)!);
    for (let i = 0; i < t.numRows; i++) {
      const ms = last.get(i) as number | null;
      const days = ms === null ? null : AS_OF_DAY - Math.round(ms / 86_400_000);
      const o = outflow.get(i) as number | null;
      const quiet = days !== null && days >= 90;
      const out50 = o !== null && !Number.isNaN(o) && o > 0.5;
      if (quiet || out50) out.push({ id: id.get(i), name: name.get(i), aum: aum.get(i), hits: Number(quiet) + Number(out50), quiet, outflow: out50, daysInactive: days, outflowShare: o });
    }
  }
  return out.sort((a, b) => b.hits - a.hits || (a.aum === null ? 1 : b.aum === null ? -1 : b.aum - a.aum) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
const ref = reference();

function mount<T extends HTMLElement>(html: string): T {
  const wrap = document.createElement('div');
  wrap.innerHTML = html;
  document.body.append(wrap);
  return wrap.firstElementChild as T;
}

async function until<T>(what: string, probe: () => T | undefined | null | false, ms = 30_000): Promise<T> {
  const t0 = performance.now();
  for (;;) {
    const v = probe();
    if (v) return v;
    if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const grid = (el: ClChurnWatch) => el.shadowRoot!.querySelector<HTMLElement>('[role="grid"]')!;
const bodyRows = (el: ClChurnWatch) => [...el.shadowRoot!.querySelectorAll<HTMLElement>('.body [role="row"]')];
const text = (el: Element) => el.shadowRoot!.textContent!.replace(/\s+/g, ' ');

/** The list is up and every rendered row is loaded. */
async function listed(el: ClChurnWatch): Promise<void> {
  await until('the list', () => el.shadowRoot?.querySelector('[role="grid"]'));
  await until('loaded rows', () => {
    const rows = bodyRows(el);
    return rows.length > 0 && rows.every((r) => r.dataset.client);
  });
  await el.updateComplete;
}

function key(target: HTMLElement, k: string): void {
  target.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, composed: true, cancelable: true }));
}

function activeRow(el: ClChurnWatch): HTMLElement | null {
  const id = grid(el).getAttribute('aria-activedescendant');
  return id ? el.shadowRoot!.getElementById(id) : null;
}

describe('<cl-churn-watch>', () => {
  afterEach(() => {
    document.body.replaceChildren();
    hub.filters.clear();
  });

  it('lists as many clients at risk as an independent count of the generated book, with counts per rule', async () => {
    const el = mount<ClChurnWatch>('<cl-churn-watch></cl-churn-watch>');
    await listed(el);
    expect(ref.length).to.be.greaterThan(5000);
    expect(el.total).to.equal(ref.length);
    expect(grid(el).getAttribute('aria-rowcount')).to.equal(String(ref.length + 1));
    expect(el.value!.rows).to.equal(ROWS);
    expect(el.value!.rules.map((r) => r.clients)).to.deep.equal([ref.filter((r) => r.quiet).length, ref.filter((r) => r.outflow).length]);
    const t = text(el);
    expect(t).to.contain(`${ref.length.toLocaleString('en-US')} of 100,000 clients at risk`);
    expect(t).to.contain('No transaction for 90 days').and.contain('Asset outflow above 50%');
  });

  it('shows each row: id, name, segment, AUM in the currency, and the reasons in words', async () => {
    const el = mount<ClChurnWatch>('<cl-churn-watch currency="CNY"></cl-churn-watch>');
    await listed(el);
    for (const [k, row] of bodyRows(el).slice(0, 5).entries()) {
      const r = ref[k];
      expect(row.dataset.client).to.equal(r.id);
      const cells = [...row.querySelectorAll('[role="gridcell"]')].map((c) => c.textContent!.replace(/\s+/g, ' ').trim());
      expect(cells[0]).to.equal(r.id);
      expect(cells[1]).to.equal(r.name);
      expect(cells[3]).to.equal(formatCurrency(r.aum!, 'CNY', 'en', { maximumFractionDigits: 0 }));
      if (r.quiet) expect(cells[4]).to.contain(`${r.daysInactive!.toLocaleString('en-US')} days without a transaction`);
      if (r.outflow) expect(cells[4]).to.contain(`${Math.round(r.outflowShare! * 100)}% of assets moved out in 3 months`);
    }
  });

  it('keeps every column inside the list on a phone-width panel (the reasons shortened, not cut off)', async () => {
    for (const width of [300, 360, 420]) {
      const el = mount<ClChurnWatch>(`<cl-churn-watch style="display:block;width:${width}px"></cl-churn-watch>`);
      await listed(el);
      const edge = grid(el).getBoundingClientRect().right;
      for (const row of bodyRows(el).slice(0, 5)) {
        const cells = [...row.querySelectorAll<HTMLElement>('[role="gridcell"]')].filter((c) => c.getBoundingClientRect().width > 0);
        expect(cells.length, `cells shown at ${width}px`).to.be.greaterThanOrEqual(3);
        for (const c of cells) expect(c.getBoundingClientRect().right, `${c.className} at ${width}px`).to.be.at.most(edge + 0.5);
        // The AUM is a figure: shown whole, never cut to an ellipsis.
        const aum = row.querySelector<HTMLElement>('.cell.num')!;
        expect(aum.scrollWidth, `AUM "${aum.textContent}" at ${width}px`).to.be.at.most(aum.clientWidth);
      }
      el.parentElement!.remove();
    }
  });

  it('shows each reason\'s figure on a phone-width panel, in English and in Chinese (a cut reason keeps its number)', async () => {
    let checked = 0;
    for (const locale of ['en', 'zh-CN']) {
      await setLocale(locale);
      try {
        const el = mount<ClChurnWatch>('<cl-churn-watch style="display:block;width:340px"></cl-churn-watch>');
        await listed(el);
        for (const row of bodyRows(el).slice(0, 6)) {
          for (const span of row.querySelectorAll<HTMLElement>('.reason-list > span')) {
            // The reason's text node (Lit puts a comment marker before it).
            const node = [...span.childNodes].find((n): n is Text => n instanceof Text && n.data.trim() !== '')!;
            // The client's own figure: a share if there is one ("84%", not the "3" of "in 3 months"), else the first number.
            const m = (/\d[\d,.]*%/.exec(node.data) ?? /\d[\d,.]*/.exec(node.data))!;
            expect(m, `a figure in "${node.data}"`).to.not.equal(null);
            const figure = document.createRange();
            figure.setStart(node, m.index);
            figure.setEnd(node, m.index + m[0].length);
            // Left of where an ellipsis would start (about one em from the box's edge).
            const room = span.getBoundingClientRect().right - 12;
            expect(figure.getBoundingClientRect().right, `${locale}: "${m[0]}" of "${node.data}" visible`).to.be.at.most(room);
            checked++;
          }
        }
        el.parentElement!.remove();
      } finally {
        await setLocale('en');
      }
    }
    expect(checked).to.be.above(10);
  });

  it('keeps only the visible rows in the DOM while scrolling to the end of 100k clients', async () => {
    const el = mount<ClChurnWatch>('<cl-churn-watch></cl-churn-watch>');
    await listed(el);
    const g = grid(el);
    const end = g.scrollHeight - g.clientHeight;
    const counts: number[] = [];
    for (const f of [0.1, 0.35, 0.6, 0.85, 1]) {
      g.scrollTop = Math.round(end * f);
      await until('rows at the new position', () => {
        const rows = bodyRows(el);
        const first = Number(rows[0]?.getAttribute('aria-rowindex')) - 2;
        return first >= Math.floor((g.scrollTop / 52) - 8) && rows.every((r) => r.dataset.client);
      });
      counts.push(bodyRows(el).length);
    }
    expect(Math.max(...counts), `rows in the DOM: ${counts}`).to.be.lessThan(40);
    const rows = bodyRows(el);
    const last = rows.at(-1)!;
    expect(last.getAttribute('aria-rowindex')).to.equal(String(ref.length + 1));
    expect(last.dataset.client).to.equal(ref.at(-1)!.id);
    expect(rows.at(-2)!.dataset.client).to.equal(ref.at(-2)!.id);
  });

  it('fills a tall list from its height, learnt without forcing a layout inside a render', async () => {
    const el = mount<ClChurnWatch>('<cl-churn-watch style="--cl-churn-watch-height: 60rem"></cl-churn-watch>');
    // Layout reads and scroll writes made while the element renders force a layout of the whole
    // page in that task (the 1M dashboard's longest task at load).
    let rendering = false;
    let forced = 0;
    const instance = el as unknown as { performUpdate(): void };
    const performUpdate = instance.performUpdate;
    instance.performUpdate = function (this: unknown) {
      rendering = true;
      try {
        return performUpdate.call(this);
      } finally {
        rendering = false;
      }
    };
    const height = Object.getOwnPropertyDescriptor(Element.prototype, 'clientHeight')!;
    const scroll = Object.getOwnPropertyDescriptor(Element.prototype, 'scrollTop')!;
    Object.defineProperty(Element.prototype, 'clientHeight', { ...height, get(this: Element) { if (rendering) forced++; return height.get!.call(this); } });
    Object.defineProperty(Element.prototype, 'scrollTop', { ...scroll, set(this: Element, v: number) { if (rendering) forced++; scroll.set!.call(this, v); } });
    try {
      await listed(el);
      const g = grid(el);
      await until('rows down to the bottom of the list', () => bodyRows(el).length * 52 >= g.clientHeight);
    } finally {
      Object.defineProperty(Element.prototype, 'clientHeight', height);
      Object.defineProperty(Element.prototype, 'scrollTop', scroll);
    }
    expect(grid(el).clientHeight, 'the list is taller than the default 26rem').to.be.greaterThan(900);
    expect(forced, 'layout reads or scroll writes while rendering').to.equal(0);
  });

  it('moves the active row with the keyboard and opens the client with Enter; a following card shows it', async () => {
    const el = mount<ClChurnWatch>('<cl-churn-watch></cl-churn-watch>');
    const card = mount<ClClientCard>('<cl-client-card follow></cl-client-card>');
    await listed(el);
    const g = grid(el);
    g.focus();
    for (let i = 0; i < 3; i++) key(g, 'ArrowDown');
    await el.updateComplete;
    expect(activeRow(el)!.dataset.client).to.equal(ref[3].id);
    key(g, 'ArrowUp');
    await el.updateComplete;
    expect(activeRow(el)!.dataset.client).to.equal(ref[2].id);

    key(g, 'PageDown');
    await el.updateComplete;
    const afterPage = Number(activeRow(el)!.getAttribute('aria-rowindex')) - 2;
    expect(afterPage).to.be.greaterThan(4);
    expect(g.scrollTop, 'the active row was scrolled into view').to.be.greaterThan(0);

    key(g, 'End');
    await until('the last row', () => activeRow(el)?.getAttribute('aria-rowindex') === String(ref.length + 1) && activeRow(el)?.dataset.client);
    expect(activeRow(el)!.dataset.client).to.equal(ref.at(-1)!.id);
    key(g, 'Home');
    await until('the first row', () => activeRow(el)?.dataset.client === ref[0].id);
    expect(g.scrollTop).to.equal(0);

    key(g, 'ArrowDown');
    await el.updateComplete;
    const opened = new Promise<CustomEvent<ClientOpenDetail>>((resolve) => document.addEventListener('cl-client-open', (e) => resolve(e as CustomEvent<ClientOpenDetail>), { once: true }));
    const loaded = new Promise((resolve) => card.addEventListener('cl-client-load', resolve, { once: true }));
    key(g, 'Enter');
    const e = await opened;
    expect(e.detail.clientId).to.equal(ref[1].id);
    expect(e.bubbles && e.composed).to.equal(true);
    await loaded;
    await card.updateComplete;
    const t = text(card);
    expect(t).to.contain(ref[1].name).and.contain(ref[1].id);
    expect(t).to.contain(formatCurrency(ref[1].aum!, 'CNY', 'en', { maximumFractionDigits: 0 }));
    if (ref[1].quiet) expect(t).to.contain(`${ref[1].daysInactive!.toLocaleString('en-US')} days without a transaction`);
    expect(activeRow(el)!.getAttribute('aria-selected')).to.equal('true');
  });

  it('opens a client on click too', async () => {
    const el = mount<ClChurnWatch>('<cl-churn-watch></cl-churn-watch>');
    await listed(el);
    const opened = new Promise<CustomEvent<ClientOpenDetail>>((resolve) => el.addEventListener('cl-client-open', (e) => resolve(e), { once: true }));
    bodyRows(el)[4].click();
    expect((await opened).detail.clientId).to.equal(ref[4].id);
  });

  it('filters by rule with the chips, and puts the same filter on the other panels', async () => {
    const el = mount<ClChurnWatch>('<cl-churn-watch></cl-churn-watch>');
    await listed(el);
    const chip = el.shadowRoot!.querySelector<HTMLButtonElement>('.chip[data-rule="outflow-50pct"]')!;
    const filtered = new Promise<CustomEvent<RuleFilterDetail>>((resolve) => el.addEventListener('cl-rule-filter', resolve, { once: true }));
    const before = grid(el);
    chip.click();
    expect((await filtered).detail.ruleIds).to.deep.equal(['outflow-50pct']);
    await el.updateComplete;
    expect(grid(el), 'the list stays on screen (stale) while the new one loads').to.equal(before);
    const outflow = ref.filter((r) => r.outflow);
    await until('the filtered list', () => el.total === outflow.length);
    await listed(el);
    expect(bodyRows(el)[0].dataset.client).to.equal(outflow[0].id);
    expect(chip.getAttribute('aria-pressed')).to.equal('true');
    expect(JSON.stringify(hub.filters.combined())).to.contain('assetOutflow3m');
    // Both chips: clients hitting both rules.
    el.shadowRoot!.querySelector<HTMLButtonElement>('.chip[data-rule="inactive-90d"]')!.click();
    await until('both rules', () => el.total === ref.filter((r) => r.hits === 2).length);
    // "Any rule" clears the filter.
    el.shadowRoot!.querySelector<HTMLButtonElement>('.chip:not([data-rule])')!.click();
    await until('all again', () => el.total === ref.length);
    expect(hub.filters.combined()).to.equal(undefined);
  });

  it('keeps the last list while a filter recomputes, and dims it only once it takes a while', async () => {
    const el = mount<ClChurnWatch>('<cl-churn-watch></cl-churn-watch>');
    await listed(el);
    const before = bodyRows(el).slice(0, 5).map((r) => r.dataset.client);
    // The pool's answers are held until released: a recompute that takes as long as the test wants.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const run = hub.pool.run;
    hub.pool.run = ((...args: Parameters<typeof run>) => run.apply(hub.pool, args).then(async (v) => (await gate, v))) as typeof run;
    try {
      const t0 = performance.now();
      hub.filters.set('test', [{ column: 'clientType', op: 'eq', value: 'corporate' }]);
      await new Promise((r) => setTimeout(r, 30));
      await el.updateComplete;
      const early = { dimmed: grid(el).classList.contains('stale'), elapsed: performance.now() - t0 };
      expect(grid(el).getAttribute('aria-busy'), 'busy at once').to.equal('true');
      expect(bodyRows(el).slice(0, 5).map((r) => r.dataset.client), 'the last list stays').to.deep.equal(before);
      // A slow page may reach this check after the delay; then the list may rightly be dimmed.
      expect(!early.dimmed || early.elapsed >= STALE_STATUS_DELAY_MS, 'not dimmed before the delay').to.equal(true);
      await until('the list dimmed', () => grid(el).classList.contains('stale'), 5_000);
      expect(performance.now() - t0).to.be.at.least(STALE_STATUS_DELAY_MS);
    } finally {
      release();
      hub.pool.run = run;
    }
    await until('the corporate list', () => el.total !== undefined && el.total < ref.length && grid(el).getAttribute('aria-busy') === 'false');
    expect(grid(el).classList.contains('stale'), 'no longer dimmed').to.equal(false);
  });

  it('shows a filter set again from the recent answers, with no worker job', async () => {
    const el = mount<ClChurnWatch>('<cl-churn-watch></cl-churn-watch>');
    await listed(el);
    const corporate = [{ column: 'clientType', op: 'eq' as const, value: 'corporate' }];
    hub.filters.set('test', corporate);
    await until('the corporate list', () => el.total !== undefined && el.total < ref.length && !el.shadowRoot!.querySelector('[aria-busy="true"]'));
    await listed(el);
    const first = bodyRows(el).slice(0, 5).map((r) => r.dataset.client);
    hub.filters.set('test', [{ column: 'clientType', op: 'eq', value: 'retail' }]);
    await until('the retail list', () => bodyRows(el)[0]?.dataset.client !== first[0] && !el.shadowRoot!.querySelector('[aria-busy="true"]'));
    await listed(el);
    const jobs: string[] = [];
    const run = hub.pool.run.bind(hub.pool);
    hub.pool.run = ((name: string, args?: unknown, options?: object) => (jobs.push(name), run(name, args, options))) as typeof hub.pool.run;
    try {
      hub.filters.set('test', corporate);
      await until('the corporate list again', () => bodyRows(el)[0]?.dataset.client === first[0]);
      await listed(el);
      expect(bodyRows(el).slice(0, 5).map((r) => r.dataset.client)).to.deep.equal(first);
      expect(jobs).to.deep.equal([]);
    } finally {
      hub.pool.run = run;
    }
  });

  it('re-ranks through the kernel when the order changes', async () => {
    const el = mount<ClChurnWatch>('<cl-churn-watch sort="assetOutflow3m"></cl-churn-watch>');
    await listed(el);
    const byOutflow = [...ref].sort((a, b) => b.hits - a.hits || (b.outflowShare ?? -1) - (a.outflowShare ?? -1) || (a.id < b.id ? -1 : 1));
    expect(bodyRows(el).slice(0, 5).map((r) => r.dataset.client)).to.deep.equal(byOutflow.slice(0, 5).map((r) => r.id));
  });

  it('adds a model score column with the first reason when scores are given', async () => {
    const el = mount<ClChurnWatch>('<cl-churn-watch></cl-churn-watch>');
    el.scores = new Map([[ref[0].id, { score: 0.83, reasons: ['Deposits fell 40% in 6 months', 'Card use down'] }]]);
    await listed(el);
    expect(el.shadowRoot!.querySelector('.with-score')).to.not.equal(null);
    const cell = bodyRows(el)[0].querySelector('.score')!;
    expect(cell.textContent).to.contain('83%').and.contain('Deposits fell 40% in 6 months');
  });

  it('takes its rules from the rules property (here: 180 days without a transaction)', async () => {
    const el = mount<ClChurnWatch>('<cl-churn-watch></cl-churn-watch>');
    el.rules = [{ id: 'dormant', kind: 'inactivity', threshold: 180 }];
    await until('the new rules', () => el.value?.rules.length === 1 && el.total !== undefined);
    expect(el.total).to.equal(ref.filter((r) => r.daysInactive !== null && r.daysInactive >= 180).length);
    expect(text(el)).to.contain('No transaction for 180 days');
  });

  it('comes back from its table view where the list was scrolled to', async () => {
    const el = mount<ClChurnWatch>('<cl-churn-watch></cl-churn-watch>');
    await listed(el);
    const button = (label: string) => [...el.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent === label)!;
    const before = grid(el);
    before.scrollTop = 52 * 400;
    await until('rows at row 400', () => bodyRows(el).some((r) => r.dataset.client === ref[400].id));
    button('Table').click();
    await until('the table', () => el.shadowRoot!.querySelector('table.data'));
    button('Chart').click();
    await until('the list again', () => el.shadowRoot!.querySelector('[role="grid"]'));
    expect(grid(el), 'a new grid').not.to.equal(before);
    await until('the list at row 400 again', () => grid(el).scrollTop === 52 * 400 && bodyRows(el).some((r) => r.dataset.client === ref[400].id));
  });

  it('has a table view: clients per rule, and per segment with its size', async () => {
    const el = mount<ClChurnWatch>('<cl-churn-watch></cl-churn-watch>');
    await listed(el);
    [...el.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent === 'Table')!.click();
    // The table loads on demand the first time it is shown.
    await until('the table', () => el.shadowRoot!.querySelector('table.data'));
    const tables = el.shadowRoot!.querySelectorAll('table.data');
    expect(tables.length).to.equal(2);
    const ruleRows = [...tables[0].querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent!.trim()).join(' | '));
    expect(ruleRows[0]).to.contain(`No transaction for 90 days | ${ref.filter((r) => r.quiet).length.toLocaleString('en-US')}`);
    expect(ruleRows[2]).to.contain(`Any rule | ${ref.length.toLocaleString('en-US')}`);
    const groups = el.value!.groups;
    expect(groups.reduce((s, g) => s + (g.rows ?? 0), 0)).to.equal(ROWS);
    expect(groups.reduce((s, g) => s + g.any, 0)).to.equal(ref.length);
    expect(tables[1].querySelectorAll('tbody tr').length).to.equal(groups.length);
  });

  it('names the problem when a rule is wrong, instead of going blank', async () => {
    const el = mount<ClChurnWatch>('<cl-churn-watch></cl-churn-watch>');
    el.rules = [{ id: 'x', kind: 'bogus' as 'inactivity' }];
    const alert = await until('the error', () => el.shadowRoot?.querySelector('[role="alert"]'));
    expect(alert.textContent).to.contain('rules[0].kind');
  });

  it('speaks Simplified Chinese', async () => {
    await setLocale('zh-CN');
    try {
      const el = mount<ClChurnWatch>('<cl-churn-watch></cl-churn-watch>');
      await listed(el);
      const t = text(el);
      expect(t).to.contain('流失预警').and.contain('90 天无交易').and.contain('风险原因');
      expect(t).to.contain(`${ref.length.toLocaleString('zh-CN')} 位有流失风险`);
    } finally {
      await setLocale('en');
    }
  });

  it('has no serious or critical accessibility violations', async () => {
    const el = mount<ClChurnWatch>('<cl-churn-watch></cl-churn-watch>');
    el.scores = new Map([[ref[0].id, { score: 0.5, reasons: ['x'] }]]);
    await listed(el);
    expect(await seriousViolations(el)).to.deep.equal([]);
    for (const theme of ['dark', 'high-contrast']) {
      el.setAttribute('theme', theme);
      await el.updateComplete;
      expect(await seriousViolations(el), theme).to.deep.equal([]);
    }
  });

  it('shows hostile names as text, never as markup', async () => {
    const evil = '<img src=x onerror="window.__pwned=1">';
    const csv = `clientId,name,aum,lastTxnDate,assetOutflow3m\nE1,"${evil.replace(/"/g, '""')}",100,2025-01-01,0.9\nE2,ok,5,2026-06-29,0.1\n`;
    const hostile = await hub.load({ kind: 'file', file: new File([csv], 'evil.csv', { type: 'text/csv' }) });
    try {
      const el = mount<ClChurnWatch>('<cl-churn-watch></cl-churn-watch>');
      el.data = hostile;
      await listed(el);
      expect(el.total).to.equal(1);
      expect(bodyRows(el)[0].textContent).to.contain(evil);
      expect(el.shadowRoot!.querySelector('img')).to.equal(null);
      expect((window as { __pwned?: number }).__pwned).to.equal(undefined);
    } finally {
      hostile.release();
    }
  });
});
