// Code that loads on demand (issue 5) in the pages that embed clientlens: the panels' default views
// fetch none of it; a non-default view, the table, the palette's list fetch theirs when asked, under
// a strict CSP with Trusted Types, from the sources (dev server) and from the built standalone
// bundle; a load that fails says so in the element and loads on "Try again" (or the next export),
// with no unhandled error.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
// @ts-expect-error plain ES module without types
import { chromiumArgs, chromiumPath } from '../../scripts/chromium-path.mjs';
import { startPages, waitForText, watchPage, type PageSession } from './support/page-server.js';
import { serveBundlePage, type BundlePage } from './support/bundle-page.js';

/** The on-demand modules, as sources (`cl-funnel.views.ts`) or built chunks (`cl-funnel.views-3xQ.js`). */
const ON_DEMAND = ['cl-profitability.views', 'cl-segments.views', 'cl-funnel.views', 'cl-client-card.views', 'churn-table', 'palette-list', 'download', 'model-code'] as const;
const onDemand = (requests: readonly string[]) =>
  ON_DEMAND.filter((m) => requests.some((u) => new URL(u).pathname.split('/').pop()!.match(new RegExp(`^${m.replace('.', '\\.')}[.-]`))));

const PANELS = '<cl-profitability></cl-profitability><cl-segments></cl-segments><cl-funnel></cl-funnel><cl-churn-watch></cl-churn-watch><cl-client-card follow></cl-client-card><cl-command-palette></cl-command-palette>';

/** Adds the panels to the page's dashboard (createElement: Trusted Types forbid markup strings). */
async function addPanels(page: Page): Promise<void> {
  await page.evaluate(() => {
    const dash = document.querySelector('cl-dashboard')!;
    for (const tag of ['cl-profitability', 'cl-segments', 'cl-funnel', 'cl-churn-watch', 'cl-client-card', 'cl-command-palette']) dash.append(document.createElement(tag));
    document.querySelector('cl-client-card')!.setAttribute('follow', '');
  });
}

/** Every panel drew its default view, and the palette has its host (its shortcut shows). */
async function defaultViewsDrawn(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const q = (tag: string, sel: string) => document.querySelector(tag)?.shadowRoot?.querySelector(sel);
      return !!q('cl-profitability', 'svg[data-chart] .mark') && !!q('cl-segments', 'svg[data-chart] .mark') && !!q('cl-funnel', 'svg[data-chart] .mark')
        && !!q('cl-churn-watch', '[role="grid"] [data-client]') && !!q('cl-client-card', '.empty') && !!q('cl-command-palette', 'button.open kbd');
    },
    { timeout: 120_000 },
  );
}

/** The user asks for the other views, a table and the palette. */
async function askForTheRest(page: Page): Promise<void> {
  await page.evaluate(() => {
    (document.querySelector('cl-profitability') as unknown as { view: string }).view = 'whale';
    (document.querySelector('cl-segments') as unknown as { view: string }).view = 'treemap';
    (document.querySelector('cl-funnel') as unknown as { orientation: string }).orientation = 'vertical';
    const watch = document.querySelector('cl-churn-watch')!.shadowRoot!;
    [...watch.querySelectorAll<HTMLButtonElement>('.seg button')].find((b) => b.textContent!.trim() === 'Table')!.click();
    void (document.querySelector('cl-command-palette') as unknown as { show(): Promise<void> }).show();
    // A client opened from the churn list: the card (following the page's opens) shows it.
    watch.querySelector<HTMLElement>('[role="row"][data-client]')!.click();
  });
  await page.waitForFunction(
    () => {
      const root = (tag: string) => document.querySelector(tag)!.shadowRoot!;
      const settled = (tag: string) => !root(tag).querySelector('.loading-part');
      return !!root('cl-profitability').querySelector('path.curve') && !!root('cl-segments').querySelector('.tiles .mark')
        && settled('cl-funnel') && !!root('cl-funnel').querySelector('svg[data-chart] .mark')
        && !!root('cl-churn-watch').querySelector('table.data') && root('cl-command-palette').querySelectorAll('[role="option"]').length > 0
        && !!root('cl-client-card').querySelector('.sections');
    },
    { timeout: 60_000 },
  );
}

/** Default views fetch no on-demand module; asking for the rest loads each part once, cleanly. */
async function expectLoadedOnlyWhenAsked(page: Page, errors: string[], requests: string[]): Promise<void> {
  await defaultViewsDrawn(page);
  expect(onDemand(requests)).toEqual([]);
  await askForTheRest(page);
  expect(onDemand(requests).sort()).toEqual(['churn-table', 'cl-client-card.views', 'cl-funnel.views', 'cl-profitability.views', 'cl-segments.views', 'palette-list']);
  expect(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)).toEqual([]);
  expect(errors).toEqual([]);
  await page.close();
}

describe('on-demand code in demo/embed/strict-csp.html (sources, dev server)', () => {
  let pages: PageSession;
  beforeAll(async () => {
    pages = await startPages();
  }, 120_000);
  afterAll(() => pages?.close());

  it('default views fetch none of it; the other views, a table and the palette load theirs, with no CSP violation', async () => {
    const { page, errors, requests } = await pages.open('/embed/strict-csp.html');
    await waitForText(page, 'Cross-sell rate');
    await addPanels(page);
    await expectLoadedOnlyWhenAsked(page, errors, requests);
  });
});

describe('on-demand code with the standalone bundle (vite build --mode bundle) under a strict CSP', () => {
  let served: BundlePage;
  let browser: Browser;
  beforeAll(async () => {
    served = await serveBundlePage(`<cl-dashboard><cl-dataset-loader rows="20000"></cl-dataset-loader>${PANELS}</cl-dashboard>`);
    browser = await puppeteer.launch({ executablePath: chromiumPath(), headless: true, args: chromiumArgs });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });
  afterEach(() => served?.refuse(null));

  async function open() {
    const page = await browser.newPage();
    const { errors, requests } = watchPage(page);
    await page.goto(served.url, { waitUntil: 'load' });
    return { page, errors, requests };
  }

  it('default views fetch none of it; the other views, a table and the palette load theirs, with no CSP violation', async () => {
    const { page, errors, requests } = await open();
    await expectLoadedOnlyWhenAsked(page, errors, requests);
  });

  it('a part whose load fails says so where it goes, with no unhandled error, and loads on "Try again"', async () => {
    served.refuse(/\/(cl-profitability\.views|palette-list|download)-[\w-]+\.js$/);
    const { page, errors } = await open();
    await defaultViewsDrawn(page);
    const exportCsv = () =>
      page.evaluate(() => [...document.querySelector('cl-segments')!.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent!.trim() === 'CSV')!.click());
    await page.evaluate(() => {
      (document.querySelector('cl-profitability') as unknown as { view: string }).view = 'whale';
      void (document.querySelector('cl-command-palette') as unknown as { show(): Promise<void> }).show();
    });
    await exportCsv();
    const alert = await page.waitForFunction(() => document.querySelector('cl-profitability')!.shadowRoot!.querySelector('[role="alert"]')?.textContent, { timeout: 30_000 });
    expect(await alert.jsonValue()).toMatch(/This part could not be loaded: .*cl-profitability\.views.*Try again/s);
    const status = await page.waitForFunction(() => document.querySelector('cl-command-palette')!.shadowRoot!.querySelector('.status.visible')?.textContent, { timeout: 30_000 });
    expect(await status.jsonValue()).toMatch(/The command palette could not be loaded: .*palette-list/);
    expect(await page.evaluate(() => document.querySelector('cl-command-palette')!.shadowRoot!.querySelector('dialog')!.open)).toBe(false);
    const exportAlert = await page.waitForFunction(() => document.querySelector('cl-segments')!.shadowRoot!.querySelector('[role="alert"]')?.textContent, { timeout: 30_000 });
    expect(await exportAlert.jsonValue()).toMatch(/The export could not be made: .*download/);

    // The connection is back: "Try again" loads the view; opening the palette again loads its list.
    served.refuse(null);
    await page.evaluate(() => {
      const retry = [...document.querySelector('cl-profitability')!.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent!.trim() === 'Try again')!;
      retry.click();
      void (document.querySelector('cl-command-palette') as unknown as { show(): Promise<void> }).show();
    });
    await exportCsv();
    await page.waitForFunction(
      () => !!document.querySelector('cl-profitability')!.shadowRoot!.querySelector('path.curve') && document.querySelector('cl-command-palette')!.shadowRoot!.querySelectorAll('[role="option"]').length > 0
        && !document.querySelector('cl-segments')!.shadowRoot!.querySelector('[role="alert"]'),
      { timeout: 30_000 },
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a worker part whose load fails fails the job that needs it, naming the file, and loads with the next such job", async () => {
    // Generating is a part the workers load with their first generate job (workers/data-worker.ts).
    served.refuse(/\/generate-job-[\w-]+\.js$/);
    const { page, errors } = await open();
    // Row counts no other test generates: their datasets are not in the page's cache.
    const loadRows = (rows: number) =>
      page.evaluate((rows) => {
        const loader = document.querySelector('cl-dataset-loader')!;
        return new Promise<string>((resolve) => {
          loader.addEventListener('cl-dataset-load', () => resolve('loaded'), { once: true });
          loader.addEventListener('cl-dataset-error', (e) => resolve(`error: ${(e as CustomEvent<{ message: string }>).detail.message}`), { once: true });
          loader.setAttribute('rows', String(rows));
        });
      }, rows);
    expect(await loadRows(12_345)).toMatch(/^error: .*generate-job-[\w-]+\.js/);
    const alert = await page.evaluate(() => document.querySelector('cl-dataset-loader')!.shadowRoot!.querySelector('[role="alert"]')?.textContent);
    expect(alert).toMatch(/Could not load the data\..*generate-job/s);

    served.refuse(null);
    expect(await loadRows(12_346)).toBe('loaded');
    expect(errors).toEqual([]);
    await page.close();
  });
});
