#!/usr/bin/env node
// Dev aid: open a page of the running demo in headless Chromium and save a PNG to look at.
// Usage: node scripts/screenshot.mjs <url> <out.png> [waitForText] [width]
import puppeteer from 'puppeteer-core';
import { chromiumArgs, chromiumPath } from './chromium-path.mjs';

const [url, out = '/tmp/shot.png', waitFor, width = '1200'] = process.argv.slice(2);
const browser = await puppeteer.launch({ executablePath: chromiumPath(), headless: true, args: chromiumArgs });
try {
  const page = await browser.newPage();
  page.on('console', (m) => console.log(`[page ${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
  await page.setViewport({ width: Number(width), height: 900 });
  await page.goto(url, { waitUntil: 'load' });
  if (waitFor) {
    await page.waitForFunction(
      (text) => {
        const walk = (root) => [...root.querySelectorAll('*')].some((el) => (el.shadowRoot && walk(el.shadowRoot)) || (el.children.length === 0 && el.textContent?.includes(text)));
        return walk(document);
      },
      { timeout: 120_000 },
      waitFor,
    );
  }
  await page.screenshot({ path: out, fullPage: true });
  console.log(`saved ${out}`);
} finally {
  await browser.close();
}
