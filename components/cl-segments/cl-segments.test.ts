import { expect } from 'chai';
import { seriousViolations } from '../../test/browser/support/axe.js';
import '../../src/index.js';
import { configureDefaultHub, setLocale, type ClSegments, type ClKpi, type DataHub } from '../../src/index.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { DEFAULT_TIER_THRESHOLDS } from '../../src/schema/wealth-tiers.js';
import { fitClusters } from '../../workers/models/kmeans.js';
import { DEFAULT_CLUSTER_FEATURES } from '../../src/models/fit-clusters.js';
import { STALE_STATUS_DELAY_MS } from '../shared/kernel-controller.js';

const ROWS = 60_000;
const hub: DataHub = await configureDefaultHub({ cache: { name: `segments-test-${Date.now()}` }, workers: 2 });
const dataset = await hub.load({ kind: 'generate', options: { rows: ROWS } });
hub.setCurrent(dataset);

/** Independent reference: tiers and sums straight from the generator's tables, on this thread. */
function reference() {
  const byTier = new Map<string, { count: number; aum: number }>();
  const labels = ['mass', 'mass-affluent', 'affluent', 'hnw', 'uhnw'];
  let corporate = 0;
  for (const t of generatePortfolio({ rows: ROWS })) {
    const aum = t.getChild('aum')!;
    const type = t.getChild('clientType')!;
    for (let i = 0; i < t.numRows; i++) {
      const a = aum.get(i) as number;
      let k = 0;
      while (k < DEFAULT_TIER_THRESHOLDS.length && a >= DEFAULT_TIER_THRESHOLDS[k]) k++;
      const e = byTier.get(labels[k]) ?? { count: 0, aum: 0 };
      e.count++;
      e.aum += a;
      byTier.set(labels[k], e);
      if (type.get(i) === 'corporate') corporate++;
    }
  }
  return { byTier, corporate };
}
const ref = reference();

async function settled(el: ClSegments | ClKpi): Promise<void> {
  for (let i = 0; i < 400; i++) {
    await el.updateComplete;
    const busy = el.shadowRoot?.querySelector('[aria-busy="true"]');
    if (el.value && !busy) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${el.localName} did not settle`);
}

async function until<T>(probe: () => T | null | undefined, ms = 20_000): Promise<T> {
  const t0 = performance.now();
  for (;;) {
    const v = probe();
    if (v) return v;
    if (performance.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

function mount<T extends HTMLElement>(html: string): T {
  const wrap = document.createElement('div');
  wrap.innerHTML = html;
  document.body.append(wrap);
  return wrap.firstElementChild as T;
}

describe('<cl-segments>', () => {
  afterEach(() => {
    document.body.replaceChildren();
    hub.filters.clear();
  });

  it('shows client counts per wealth tier equal to an independent count', async () => {
    const el = mount<ClSegments>('<cl-segments by="tier"></cl-segments>');
    await settled(el);
    const bars = [...el.shadowRoot!.querySelectorAll('[data-chart] .mark')];
    expect(bars.length).to.equal(5);
    el.shadowRoot!.querySelectorAll<HTMLButtonElement>('.seg button')[1].click(); // Table view
    await settled(el); // the table loads on demand the first time
    const rows = [...el.shadowRoot!.querySelectorAll('table.data tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent!.trim()));
    // The table names the tiers in words; the reference counts by the data's values.
    const tierOf: Record<string, string> = { Mass: 'mass', 'Mass affluent': 'mass-affluent', Affluent: 'affluent', 'High net worth': 'hnw', 'Ultra high net worth': 'uhnw' };
    expect(rows.map((r) => r[0])).to.deep.equal(Object.keys(tierOf));
    for (const [label, count] of rows.map((r) => [r[0], Number(r[1].replace(/,/g, ''))] as const)) {
      expect(count, label).to.equal(ref.byTier.get(tierOf[label])!.count);
    }
  });

  it('segments by behavioural cluster: the sizes of a fit of the same rows on this thread', async () => {
    const el = mount<ClSegments>('<cl-segments by="cluster" clusters="4"></cl-segments>');
    await settled(el);
    const { model } = await fitClusters(generatePortfolio({ rows: ROWS }), { numeric: [...DEFAULT_CLUSTER_FEATURES] }, { k: 4, seed: 1 });
    const bars = [...el.shadowRoot!.querySelectorAll('[data-chart] .mark')];
    expect(bars.length).to.equal(4);
    expect(el.shadowRoot!.textContent).to.match(/4 clusters by k-means on 6 behaviour measures; silhouette 0\.\d+/);
    el.shadowRoot!.querySelectorAll<HTMLButtonElement>('.seg button')[1].click(); // Table view
    await settled(el); // the table loads on demand the first time
    const rows = [...el.shadowRoot!.querySelectorAll('table.data tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent!.trim()));
    expect(rows.map((r) => r[0].slice(0, 4))).to.deep.equal(['C1 ·', 'C2 ·', 'C3 ·', 'C4 ·']);
    expect(rows.map((r) => Number(r[1].replace(/,/g, '')))).to.deep.equal(model.profiles.map((p) => p.size));
    expect(await seriousViolations(el)).to.deep.equal([]);
  });

  it('says what is wrong with a bad number of clusters', async () => {
    const el = mount<ClSegments>('<cl-segments by="cluster" clusters="40"></cl-segments>');
    await until(() => el.shadowRoot?.querySelector('[role="alert"]'));
    expect(el.shadowRoot!.querySelector('[role="alert"]')!.textContent).to.contain('from 2 to 12; got 40');
  });

  it('filters every other panel when a segment is chosen with the keyboard, and says so', async () => {
    const seg = mount<ClSegments>('<cl-segments by="clientType"></cl-segments>');
    const kpi = mount<ClKpi>('<cl-kpi></cl-kpi>');
    await settled(seg);
    await settled(kpi);
    expect(kpi.value!.clients).to.equal(ROWS);
    const marks = [...seg.shadowRoot!.querySelectorAll<SVGElement>('[data-chart] .mark')];
    // Shown as a word of the UI language; the event and the filter carry the data's value.
    const corporateIndex = marks.findIndex((m) => m.getAttribute('aria-label')!.startsWith('Corporate'));
    expect(corporateIndex).to.be.at.least(0);
    const picked = new Promise<CustomEvent>((resolve) => seg.addEventListener('cl-segment-select', (e) => resolve(e as CustomEvent), { once: true }));
    marks[0].focus();
    for (let i = 0; i < corporateIndex; i++) seg.shadowRoot!.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true, composed: true }));
    seg.shadowRoot!.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    const event = await picked;
    expect(event.detail.segment).to.equal('corporate');
    expect(event.detail.conditions).to.deep.equal([{ column: 'clientType', op: 'eq', value: 'corporate' }]);
    await new Promise((r) => setTimeout(r, 50));
    await settled(kpi);
    expect(kpi.value!.clients).to.equal(ref.corporate);
    // The chart that made the selection keeps showing every segment.
    expect(seg.shadowRoot!.querySelectorAll('[data-chart] .mark').length).to.equal(marks.length);
  });

  it('calls out the high-assets, low-stickiness corner of the asset x loyalty matrix', async () => {
    const el = mount<ClSegments>('<cl-segments view="matrix"></cl-segments>');
    await settled(el);
    expect(el.shadowRoot!.querySelectorAll('[data-chart] [role="gridcell"]').length).to.equal(9);
    expect(el.shadowRoot!.querySelector('.callout')).to.not.equal(null);
    expect(el.shadowRoot!.querySelector('[role="note"]')!.textContent).to.contain('High assets, low stickiness');
  });

  it('draws the matrix and treemap labels readable on their cells in every theme (4.5:1)', async () => {
    // WCAG 2 contrast of two computed colours ("rgb(r, g, b)"), computed here.
    const luminance = (css: string) => {
      const [r, g, b] = css.match(/[\d.]+/g)!.slice(0, 3).map(Number);
      const lin = (v: number) => (v / 255 <= 0.04045 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const contrast = (a: string, b: string) => {
      const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
      return (x + 0.05) / (y + 0.05);
    };
    for (const theme of ['light', 'dark', 'high-contrast']) {
      for (const [view, label] of [['matrix', '.cell-label'], ['treemap', '.tile-label']] as const) {
        const el = mount<ClSegments>(`<cl-segments view="${view}" by="region" theme="${theme}"></cl-segments>`);
        await settled(el);
        const labels = await until(() => {
          const found = [...el.shadowRoot!.querySelectorAll<SVGTextElement>(`[data-chart] ${label}`)];
          return found.length ? found : null;
        });
        for (const text of labels) {
          let cell = text.previousElementSibling;
          while (cell && cell.localName !== 'rect') cell = cell.previousElementSibling;
          const ratio = contrast(getComputedStyle(text).fill, getComputedStyle(cell!).fill);
          expect(ratio, `${theme} ${view} "${text.textContent}": ${getComputedStyle(text).fill} on ${getComputedStyle(cell!).fill}`).to.be.at.least(4.5);
        }
        el.parentElement!.remove();
      }
    }
  });

  it('labels a treemap tile only where the label fits inside it, on a narrow chart and with long names', async () => {
    let shown = 0;
    // A bank's own segment names can be long, and a tile of a tenth of the chart is narrow.
    const names = ['Mass', 'Small and medium enterprises', 'Ultra high net worth individuals', '高净值客户（私人银行部）'];
    const csv = ['clientId,segment', ...Array.from({ length: 100 }, (_, i) => `C${i},${names[i < 55 ? 0 : i < 75 ? 1 : i < 88 ? 2 : 3]}`)].join('\n');
    const long = await hub.load({ kind: 'bytes', name: 'long-names.csv', bytes: new TextEncoder().encode(csv).buffer as ArrayBuffer });
    for (const [by, width, data] of [['region', 340], ['segment', 340], ['tier', 340], ['segment', 280], ['segment', 340, long], ['segment', 600, long]] as const) {
      const el = mount<ClSegments>(`<cl-segments view="treemap" by="${by}" style="display:block;width:${width}px"></cl-segments>`);
      if (data) el.data = data;
      await settled(el);
      // Drawn first at the default width, then again at the host's once it is observed.
      const tiles = await until(() => {
        const found = [...el.shadowRoot!.querySelectorAll<SVGRectElement>('[data-chart] rect.mark')];
        return found.length && el.shadowRoot!.querySelector<SVGSVGElement>('[data-chart]')!.viewBox.baseVal.width <= width ? found : null;
      });
      for (const tile of tiles) {
        const w = Number(tile.getAttribute('width')), h = Number(tile.getAttribute('height'));
        // A tile with room for a few characters and the count is named, if only in part.
        if (w >= 70 && h >= 40) expect(tile.parentElement!.querySelector('.tile-label')?.textContent, `${by} at ${width}px: a ${Math.round(w)} x ${Math.round(h)} tile's label`).to.match(/\S/);
        for (const label of tile.parentElement!.querySelectorAll<SVGTextElement>('.tile-label')) {
          const b = label.getBBox();
          expect(b.x >= 0 && b.y >= 0 && b.x + b.width <= w && b.y + b.height <= h, `${by} at ${width}px: "${label.textContent}" (${Math.round(b.width)} x ${Math.round(b.height)} at ${Math.round(b.x)},${Math.round(b.y)}) in a ${Math.round(w)} x ${Math.round(h)} tile`).to.equal(true);
          shown++;
        }
      }
      el.parentElement!.remove();
    }
    await long.release();
    expect(shown, 'labels shown on some tiles').to.be.above(4);
  });

  it('keeps the matrix\'s column labels apart on a narrow chart, in English and Chinese', async () => {
    for (const locale of ['en', 'zh-CN']) {
      await setLocale(locale);
      try {
        for (const width of [340, 390, 700]) {
          const el = mount<ClSegments>(`<cl-segments view="matrix" style="display:block;width:${width}px"></cl-segments>`);
          await settled(el);
          await until(() => {
            const chart = el.shadowRoot!.querySelector<SVGSVGElement>('[data-chart]');
            return chart && chart.querySelector('.cells .mark') && chart.viewBox.baseVal.width <= width ? chart : null;
          });
          const heads = [...el.shadowRoot!.querySelectorAll<SVGTextElement>('[data-chart] .axis text[text-anchor="middle"]')].map((t) => ({ text: t.textContent!, box: t.getBBox() }));
          expect(heads.length, 'column labels').to.be.at.least(3);
          // Every two labels on one line are apart.
          for (const a of heads) {
            for (const b of heads) {
              if (a === b || Math.abs(a.box.y - b.box.y) > 2 || a.box.x > b.box.x) continue;
              expect(a.box.x + a.box.width, `${locale} at ${width}px: "${a.text}" runs into "${b.text}"`).to.be.at.most(b.box.x - 2);
            }
          }
          el.parentElement!.remove();
        }
      } finally {
        await setLocale('en');
      }
    }
  });

  it('draws its charts at their own size, never scaled: chart text stays at the type scale\'s 11 px', async () => {
    // Bars fill a 500 px panel; the matrix has a maximum width, which a 1000 px panel exceeds.
    for (const [view, width] of [['bars', 500], ['matrix', 1000], ['treemap', 700]] as const) {
      const el = mount<ClSegments>(`<cl-segments view="${view}" by="region" style="display:block;width:${width}px"></cl-segments>`);
      await settled(el);
      const svg = await until(() => {
        const chart = el.shadowRoot!.querySelector<SVGSVGElement>('[data-chart]');
        return chart && chart.viewBox.baseVal.width <= width ? chart : null;
      });
      const box = svg.getBoundingClientRect();
      expect(box.width, `${view}: drawn width against its viewBox`).to.be.closeTo(svg.viewBox.baseVal.width, 0.01);
      expect(box.height, `${view}: drawn height against its viewBox`).to.be.closeTo(svg.viewBox.baseVal.height, 0.01);
      const label = svg.querySelector('text')!;
      // Scaled, the browser draws the text at 11 px times the scale, in a font strike of its own.
      expect(label.getBoundingClientRect().height / label.getBBox().height, `${view}: text on screen against its own units`).to.be.closeTo(1, 0.001);
      el.parentElement!.remove();
    }
  });

  it('says which field is missing instead of drawing nothing', async () => {
    const el = mount<ClSegments>('<cl-segments by="tier" measure="walletShare"></cl-segments>');
    el.measure = 'walletShare';
    await el.updateComplete;
    el.by = 'notAColumn';
    for (let i = 0; i < 100 && !el.shadowRoot!.querySelector('[role="alert"]'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(el.shadowRoot!.querySelector('[role="alert"]')!.textContent).to.contain('notAColumn');
  });

  it('has no serious or critical accessibility violations (axe)', async () => {
    const el = mount<ClSegments>('<cl-segments by="tier"></cl-segments>');
    await settled(el);
    expect(await seriousViolations(el)).to.deep.equal([]);
  });

  it('keeps the last chart while a filter recomputes, and says "Updating…" only once it takes a while', async () => {
    const el = mount<ClSegments>('<cl-segments by="tier"></cl-segments>');
    await settled(el);
    const root = el.shadowRoot!;
    // What the chart says, not its geometry: the host's width may still settle meanwhile (a
    // ResizeObserver frame late on a busy machine redraws the same bars wider).
    const chart = () => [...root.querySelectorAll('.panel-body [data-chart] .mark')].map((m) => m.getAttribute('aria-label')).join(' | ');
    const before = chart();
    expect(before, 'bars drawn').to.contain('clients');
    // The pool's answers are held until released: a recompute that takes as long as the test wants.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const pool = hub.pool!;
    const run = pool.run;
    pool.run = ((...args: Parameters<typeof run>) => run.apply(pool, args).then(async (v) => (await gate, v))) as typeof run;
    try {
      const t0 = performance.now();
      hub.filters.set('test', [{ column: 'region', op: 'eq', value: String(generatePortfolio({ rows: 10 })[0].getChild('region')!.get(0)) }]);
      await new Promise((r) => setTimeout(r, 30));
      await el.updateComplete;
      const early = { status: root.querySelector('.status') === null, elapsed: performance.now() - t0 };
      expect(root.querySelector('[aria-busy="true"]'), 'busy at once').to.exist;
      expect(chart(), 'the last chart stays').to.equal(before);
      // A slow page may reach this check after the delay; then the status may rightly show.
      expect(early.status || early.elapsed >= STALE_STATUS_DELAY_MS, 'no status flash before the delay').to.equal(true);
      const status = await until(() => root.querySelector('.status.over'), 5_000);
      expect(performance.now() - t0).to.be.at.least(STALE_STATUS_DELAY_MS);
      expect(status.textContent).to.contain('Updating');
      expect(root.querySelector('.panel-body.stale'), 'the chart is dimmed').to.exist;
      expect(root.querySelector('.panel-body')!.querySelector('[data-chart]')).to.exist;
    } finally {
      release();
      pool.run = run;
    }
    await settled(el);
    expect(root.querySelector('.status'), 'status gone with the answer').to.equal(null);
    expect(root.querySelector('.panel-body.stale'), 'no longer dimmed').to.equal(null);
    expect(chart(), 'the new answer is drawn').not.to.equal(before);
  });

  it('speaks Simplified Chinese', async () => {
    await setLocale('zh-CN');
    try {
      const el = mount<ClSegments>('<cl-segments by="tier"></cl-segments>');
      await settled(el);
      expect(el.shadowRoot!.querySelector('h2')!.textContent).to.contain('财富等级');
      // The library's own values and fields in Chinese too; filters keep the values themselves.
      const bars = () => [...el.shadowRoot!.querySelectorAll('svg[data-chart] text')].map((t) => t.textContent!.trim());
      expect(bars()).to.include.members(['大众', '大众富裕', '富裕', '高净值']);
      el.by = 'region';
      await settled(el);
      await until(() => el.shadowRoot!.querySelector('h2')!.textContent!.includes('按地区划分的客户') || null);
      el.view = 'matrix';
      await until(() => el.shadowRoot!.querySelector('svg[role="grid"]'));
      expect(bars()).to.include.members(['忠诚度 低', '忠诚度 中', '忠诚度 高', '资产 低', '资产 中', '资产 高']);
    } finally {
      await setLocale('en');
    }
  });

  it('says the called-out corner is empty under a filter that leaves no client in it, rather than "0 clients holding —"', async () => {
    const el = mount<ClSegments>('<cl-segments view="matrix"></cl-segments>');
    await settled(el);
    expect(el.shadowRoot!.querySelector('[role="note"]')!.textContent).to.contain('call them first');
    try {
      // Mass-tier clients hold little: none is in the high-assets row.
      hub.filters.set('test', [{ column: 'tier', op: 'eq', value: 'mass' }]);
      await new Promise((r) => setTimeout(r, 50));
      await settled(el);
      const note = el.shadowRoot!.querySelector('[role="note"]')!.textContent!;
      expect(note).to.contain('no client in this cell under the current filters');
      expect(note).to.not.contain('—');
    } finally {
      hub.filters.clear();
      // Later tests time filter changes: this one's answers must be in first.
      await new Promise((r) => setTimeout(r, 50));
      await settled(el);
    }
  });
});
