import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPages, waitForText, type PageSession } from './support/page-server.js';

describe('the demo on a phone (390 px wide)', () => {
  let pages: PageSession;
  beforeAll(async () => {
    pages = await startPages();
  }, 120_000);
  afterAll(() => pages?.close());

  for (const [locale, theme, kpi, picked] of [['zh-CN', 'light', '交叉销售率', 0], ['en', 'high-contrast', 'Cross-sell rate', 2]] as const) {
    it(`scrolls only down, never sideways, and a ?theme=${theme} link shows that theme picked (${locale})`, async () => {
      const { page, errors } = await pages.open('about:blank');
      await page.setViewport({ width: 390, height: 844 });
      await page.goto(new URL(`/?rows=10000&locale=${locale}&theme=${theme}`, pages.url).href, { waitUntil: 'load' });
      await waitForText(page, kpi, 90_000);
      await page.waitForFunction(
        () => [...document.querySelectorAll('cl-kpi, cl-segments, cl-funnel, cl-profitability, cl-churn-watch')].every((p) => (p as unknown as { value?: unknown }).value !== undefined),
        { timeout: 90_000 },
      );
      // Everything wider than the screen, light DOM and shadow roots alike.
      const wide = await page.evaluate(() => {
        const out: string[] = [];
        const walk = (root: Document | ShadowRoot) => {
          for (const el of root.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.width > 0 && (r.right > innerWidth + 0.5 || r.left < -0.5)) out.push(`${el.localName}.${String((el as HTMLElement).className)} ${Math.round(r.left)}..${r.right.toFixed(1)}`);
            if (el.shadowRoot) walk(el.shadowRoot);
          }
        };
        walk(document);
        return out;
      });
      expect(wide).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      expect(await page.evaluate(() => (document.querySelector('#theme') as HTMLSelectElement).selectedIndex)).toBe(picked);
      expect(errors).toEqual([]);
      await page.close();
    }, 180_000);
  }
});
