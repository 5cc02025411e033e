import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPages, waitForText, type PageSession } from './support/page-server.js';

describe('embedding pages (demo/embed) in real Chromium', () => {
  let pages: PageSession;
  beforeAll(async () => {
    pages = await startPages();
  }, 120_000);
  afterAll(() => pages?.close());

  it('plain.html: a script tag and tags are enough', async () => {
    const { page, errors } = await pages.open('/embed/plain.html');
    await waitForText(page, 'Cross-sell rate');
    const clients = await page.evaluate(() => (document.querySelector('cl-kpi') as unknown as { value?: { clients: number } }).value?.clients);
    expect(clients).toBe(50_000);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('strict-csp.html: works under a strict CSP with Trusted Types and reports no violation', async () => {
    const { page, errors } = await pages.open('/embed/strict-csp.html');
    await waitForText(page, 'Cross-sell rate');
    const violations = await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
