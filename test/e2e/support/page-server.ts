/**
 * End-to-end support: the demo's Vite dev server and headless Chromium (the system one), so pages
 * are exercised exactly as a portal team would serve them.
 */
import { createServer, type ViteDevServer } from 'vite';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
// @ts-expect-error plain ES module without types
import { chromiumArgs, chromiumPath } from '../../../scripts/chromium-path.mjs';

export interface PageSession {
  readonly url: string;
  readonly browser: Browser;
  /** `requests`: every URL the page requested, in order (recorded from before navigation). */
  open(path: string): Promise<{ page: Page; errors: string[]; requests: string[] }>;
  close(): Promise<void>;
}

export async function startPages(): Promise<PageSession> {
  const server: ViteDevServer = await createServer({
    configFile: new URL('../../../vite.config.ts', import.meta.url).pathname,
    mode: 'development',
    logLevel: 'error',
    server: { port: 0, hmr: false },
  });
  await server.listen();
  const url = server.resolvedUrls!.local[0];
  const browser = await puppeteer.launch({ executablePath: chromiumPath(), headless: true, args: chromiumArgs });
  return {
    url,
    browser,
    async open(path) {
      const page = await browser.newPage();
      const { errors, requests } = watchPage(page);
      await page.goto(new URL(path, url).href, { waitUntil: 'load' });
      return { page, errors, requests };
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/**
 * Records what went wrong on a page (uncaught errors, console errors, HTTP responses >= 400; a
 * failed load shows as its response, not again as its console line) and every URL it requested,
 * from before navigation. /favicon.ico is not held against a page: the browser asks for it on its
 * own when the page names no icon.
 */
export function watchPage(page: Page): { errors: string[]; requests: string[] } {
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('request', (r) => void requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(`pageerror: ${(e as Error).message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && new URL(r.url()).pathname !== '/favicon.ico') errors.push(`HTTP ${r.status()} ${r.url()}`);
  });
  return { errors, requests };
}

/** Waits until some element inside any shadow root shows `text`. */
export function waitForText(page: Page, text: string, timeout = 60_000): Promise<unknown> {
  return page.waitForFunction(
    (t: string) => {
      // Text of the light DOM and of every shadow root, however deeply nested.
      const walk = (root: Document | ShadowRoot): boolean =>
        ((root instanceof Document ? root.body : root).textContent ?? '').includes(t) || [...root.querySelectorAll('*')].some((el) => el.shadowRoot !== null && walk(el.shadowRoot));
      return walk(document);
    },
    { timeout },
    text,
  );
}
