/**
 * The demo's Vite dev server with a reverse proxy in front of a ClickHouse server, as the README
 * recommends for browsers: `/clickhouse/...` on the page's own origin is forwarded to the engine,
 * so the page's requests (with their Authorization header) are same-origin and need no CORS
 * preflight, which ClickHouse 18.16 does not answer.
 */
import { createServer, type ViteDevServer } from 'vite';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
// @ts-expect-error plain ES module without types
import { chromiumArgs, chromiumPath } from '../../../scripts/chromium-path.mjs';

export interface ProxiedPages {
  readonly url: string;
  readonly browser: Browser;
  /** Requests forwarded to the engine so far (the page really asked ClickHouse). */
  readonly forwarded: number;
  open(path: string): Promise<{ page: Page; errors: string[] }>;
  close(): Promise<void>;
}

export async function startProxiedPages(engineUrl: string): Promise<ProxiedPages> {
  let forwarded = 0;
  const server: ViteDevServer = await createServer({
    configFile: new URL('../../../vite.config.ts', import.meta.url).pathname,
    mode: 'development',
    logLevel: 'error',
    server: { port: 0, hmr: false, proxy: { '/clickhouse': { target: engineUrl, rewrite: (p: string) => p.replace(/^\/clickhouse/, ''), configure: (proxy) => proxy.on('proxyReq', () => void forwarded++) } } },
  });
  await server.listen();
  const url = server.resolvedUrls!.local[0];
  const browser = await puppeteer.launch({ executablePath: chromiumPath(), headless: true, args: chromiumArgs });
  return {
    url,
    browser,
    get forwarded() {
      return forwarded;
    },
    async open(path) {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`pageerror: ${(e as Error).message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
      });
      page.on('response', (r) => {
        if (r.status() >= 400) errors.push(`HTTP ${r.status()} ${r.url()}`);
      });
      await page.goto(new URL(path, url).href, { waitUntil: 'load' });
      return { page, errors };
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
