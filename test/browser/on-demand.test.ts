// Code that loads on demand (issue 5): each part is not fetched while the elements show their
// defaults, is fetched when a user action or a non-default option needs it, and works; a part that
// fails to load says so in the element and loads on "Try again". The dev server serves sources, so
// each part shows as its own module request. Order matters: the first test needs a page where
// nothing has asked for any part yet.
import { expect } from 'chai';
import { LitElement, html } from 'lit';
import type { ClChurnWatch, ClCommandPalette, ClFunnel, ClProfitability, ClSegments, DataHub } from '../../src/index.js';
import { OnDemand } from '../../components/shared/on-demand.js';
import { CHURN_MODEL_DB_NAME } from '../../src/models/churn-models.js';
import { until } from './support/until.js';

// Room for every module the page fetches (the default buffer holds 250 entries, fewer than the
// sources of `clientlens`): a full buffer would drop the very entries these tests look for.
performance.setResourceTimingBufferSize(100_000);

const PARTS: Record<string, RegExp> = {
  'profitability views': /\/components\/cl-profitability\/cl-profitability\.views\.ts$/,
  'segments views': /\/components\/cl-segments\/cl-segments\.views\.ts$/,
  'd3-hierarchy (treemap)': /\/node_modules\/d3-hierarchy\//,
  'funnel views': /\/components\/cl-funnel\/cl-funnel\.views\.ts$/,
  'churn table': /\/components\/cl-churn-watch\/churn-table\.ts$/,
  'palette list': /\/components\/cl-command-palette\/(palette-list|fuzzy)\.ts$/,
  'export code': /\/src\/export\/(download|csv)\.ts$/,
  'model code': /\/(src\/models\/(model-code|train-churn|explain-rows|fit-clusters|clv-by-segment)|workers\/models\/model-store)\.ts$/,
};

/** The parts this page has fetched so far. */
function fetched(): string[] {
  const paths = performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname);
  return Object.keys(PARTS).filter((k) => paths.some((p) => PARTS[k].test(p)));
}

function mount<T extends HTMLElement>(tag: string, attrs: Record<string, string> = {}): T {
  const el = document.createElement(tag) as T;
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  document.body.append(el);
  return el;
}

const root = (el: Element) => el.shadowRoot!;
/** The element shows a result and nothing is loading (a part on its way is aria-busy too). */
const drawn = (el: Element, selector = 'svg[data-chart] .mark') => !!root(el).querySelector(selector) && !root(el).querySelector('[aria-busy="true"]');

function showTable(el: Element): void {
  [...root(el).querySelectorAll<HTMLButtonElement>('.seg button')].find((b) => b.textContent!.trim() === 'Table')!.click();
}

describe('code on demand', () => {
  let hub: DataHub;

  before(async () => {
    // A browser that never saved a model: restoring must not load the model code (other test
    // files of this run may have saved one).
    await new Promise<void>((resolve) => {
      const req = indexedDB.deleteDatabase(CHURN_MODEL_DB_NAME);
      req.onsuccess = req.onerror = req.onblocked = () => resolve();
    });
    const lens = await import('../../src/index.js');
    hub = await lens.configureDefaultHub({ cache: { name: `on-demand-test-${Date.now()}` }, workers: 2 });
    hub.setCurrent(await hub.load({ kind: 'generate', options: { rows: 20_000 } }));
  });
  after(() => document.querySelectorAll('body > *').forEach((e) => e.remove()));

  it('draws every panel\'s default view, and gives the palette its host, fetching none of the parts', async () => {
    const els = [mount('cl-profitability'), mount('cl-segments'), mount('cl-funnel')];
    const watch = mount<ClChurnWatch>('cl-churn-watch');
    const palette = mount<ClCommandPalette>('cl-command-palette');
    await until(() => els.every((el) => drawn(el)) && drawn(watch, '[role="grid"]') && palette.pluginHost !== undefined, 'the default views');
    // The churn list looked for a saved model of this data (there is none) without the model code.
    await until(() => root(watch).textContent!.includes('Train churn model'), 'the offer to train a model');
    await new Promise((r) => setTimeout(r, 300));
    expect(fetched()).to.deep.equal([]);
  });

  // On the 1M dashboard the views' code was fetched and compiled only after each panel's first
  // answer, on the way to drawing it. (The segments' matrix is left out: its views bring
  // d3-hierarchy, which the treemap test below needs unfetched.)
  it('fetches the views of a non-default layout when the element starts, before it has any data', async () => {
    const lens = await import('../../src/index.js');
    const empty = await lens.DataHub.create({ cache: false, workers: 1 });
    try {
      const els = [document.createElement('cl-funnel'), document.createElement('cl-profitability')];
      els[0].setAttribute('split-by', 'segment');
      els[1].setAttribute('view', 'whale');
      for (const el of els) Object.assign(el, { hub: empty });
      document.body.append(...els);
      await until(() => fetched().includes('funnel views') && fetched().includes('profitability views'), 'the views of both layouts');
      expect(els.map((el) => (el as ClFunnel | ClProfitability).value)).to.deep.equal([undefined, undefined]);
      els.forEach((el) => el.remove());
    } finally {
      empty.dispose();
    }
  });

  it('loads the profitability views for a non-default view, and draws it', async () => {
    const el = document.querySelector<ClProfitability>('cl-profitability')!;
    el.view = 'whale';
    await until(() => drawn(el, 'path.curve'), 'the whale curve');
    expect(fetched()).to.include('profitability views');
    el.view = 'cltv';
    await until(() => drawn(el, 'path.guide'), 'CLTV vs CAC');
  });

  it('loads the segments views (and d3-hierarchy) for the treemap, and draws it', async () => {
    const el = document.querySelector<ClSegments>('cl-segments')!;
    expect(fetched()).to.not.include('d3-hierarchy (treemap)');
    el.view = 'treemap';
    await until(() => drawn(el, '.tiles .mark'), 'the treemap');
    expect(fetched()).to.include.members(['segments views', 'd3-hierarchy (treemap)']);
    // Coloured through CSSOM (style-props.ts), not a style attribute a strict CSP would block.
    expect(root(el).querySelector<SVGRectElement>('.tiles .mark')!.style.fill).to.match(/^rgb|^hsl/);
  });

  it('loads the funnel views for the vertical layout, and draws it', async () => {
    const el = document.querySelector<ClFunnel>('cl-funnel')!;
    el.orientation = 'vertical';
    await until(() => fetched().includes('funnel views') && drawn(el), 'the vertical funnel');
  });

  it('loads the churn table when the table is first shown', async () => {
    const el = document.querySelector<ClChurnWatch>('cl-churn-watch')!;
    showTable(el);
    await until(() => !!root(el).querySelector('table.data'), 'the table');
    expect(fetched()).to.include('churn table');
    expect(root(el).querySelector('table.data tbody tr')!.textContent).to.contain('No transaction for 90 days');
  });

  it('loads the palette\'s list when the palette first opens', async () => {
    const palette = document.querySelector<ClCommandPalette>('cl-command-palette')!;
    expect(fetched()).to.not.include('palette list');
    await palette.show();
    expect(root(palette).querySelector('dialog')!.open).to.equal(true);
    expect(root(palette).querySelectorAll('[role="option"]').length).to.be.greaterThan(0);
    expect(fetched()).to.include('palette list');
    palette.hide();
  });

  it('loads the export code on the first export, and downloads the file', async () => {
    expect(fetched()).to.not.include('export code');
    const el = document.querySelector<ClSegments>('cl-segments')!;
    const made: Blob[] = [];
    const createObjectURL = URL.createObjectURL;
    URL.createObjectURL = (obj: Blob | MediaSource) => (obj instanceof Blob && made.push(obj), createObjectURL.call(URL, obj));
    try {
      [...root(el).querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent!.trim() === 'CSV')!.click();
      await until(() => made.length > 0, 'the CSV download');
    } finally {
      URL.createObjectURL = createObjectURL;
    }
    expect(fetched()).to.include('export code');
    expect(made[0].type).to.match(/^text\/csv/);
    expect(await made[0].text()).to.match(/^tier,clients,/);
  });

  it('loads the model code when a churn model is trained, then scores the list', async () => {
    expect(fetched()).to.not.include('model code');
    const el = document.querySelector<ClChurnWatch>('cl-churn-watch')!;
    [...root(el).querySelectorAll<HTMLButtonElement>('.seg button')].find((b) => b.textContent!.trim() === 'Chart')!.click();
    await el.trainModel();
    expect(fetched()).to.include('model code');
    await until(() => !!root(el).querySelector('.grid.with-score .score .num'), 'model scores in the list', 60_000);
  });
});

describe('OnDemand (components/shared/on-demand.ts)', () => {
  let attempts = 0;
  // Fails once, as a dropped connection would, then loads.
  const flaky = () =>
    ++attempts === 1
      ? new Promise<never>((_, reject) => setTimeout(() => reject(new TypeError('Failed to fetch dynamically imported module: /views.js')), 100))
      : Promise.resolve({ text: 'the view' });

  class OnDemandProbe extends LitElement {
    readonly view = new OnDemand(this, flaky);
    override render() {
      return this.view.render((m) => html`<p class="ok">${m.text}</p>`);
    }
  }
  customElements.define('on-demand-probe', OnDemandProbe);

  it('says a failed load where the part goes, with no unhandled rejection, and loads on "Try again"; a later element finds it at once', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: PromiseRejectionEvent) => unhandled.push(e.reason);
    window.addEventListener('unhandledrejection', onUnhandled);
    try {
      const el = mount<OnDemandProbe>('on-demand-probe');
      await el.updateComplete;
      expect(root(el).querySelector('[role="status"][aria-busy="true"]')!.textContent).to.equal('Loading…');
      await until(() => !!root(el).querySelector('[role="alert"]'), 'the alert');
      expect(root(el).querySelector('[role="alert"]')!.textContent).to.contain('This part could not be loaded: Failed to fetch dynamically imported module: /views.js').and.contain('Try again');
      root(el).querySelector<HTMLButtonElement>('[role="alert"] button')!.click();
      await until(() => !!root(el).querySelector('.ok'), 'the part after trying again');
      expect(attempts).to.equal(2);
      const later = mount<OnDemandProbe>('on-demand-probe');
      await later.updateComplete;
      expect(root(later).querySelector('.ok')!.textContent, 'no loading line for a loaded part').to.equal('the view');
      expect(attempts).to.equal(2);
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).to.deep.equal([]);
    } finally {
      window.removeEventListener('unhandledrejection', onUnhandled);
    }
  });
});
