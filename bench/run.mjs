#!/usr/bin/env node
// `npm run bench [-- --rows N --repeat N --json]`: serves the project with Vite, runs
// bench/browser-bench.ts in headless Chromium, prints the figures (a table, or JSON with --json).
import { createServer } from 'vite';
import puppeteer from 'puppeteer-core';
import { chromiumArgs, chromiumPath } from '../scripts/chromium-path.mjs';
import { generatePortfolio } from './node-generate.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const json = args.includes('--json');
const rows = Number(opt('rows', 1_000_000));
const repeat = Number(opt('repeat', 3));

const server = await createServer({ configFile: new URL('../vite.config.ts', import.meta.url).pathname, mode: 'bench', logLevel: 'error', server: { port: 0 } });
await server.listen();
const url = server.resolvedUrls.local[0];
const browser = await puppeteer.launch({ executablePath: chromiumPath(), headless: true, args: chromiumArgs, protocolTimeout: 900_000 });
let result;
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  await page.goto(`${url}bench/index.html?rows=${rows}&repeat=${repeat}`);
  await page.waitForFunction(() => window.__bench, { timeout: 900_000, polling: 500 });
  result = await page.evaluate(() => window.__bench);
} finally {
  await browser.close();
  await server.close();
}
if (result.error) {
  console.error(result.error);
  process.exit(1);
}

// Node reference: the same generator, single-threaded, no workers.
const node = await generatePortfolio(rows);
result.figures.push({ name: `generate ${rows.toLocaleString('en')} clients in Node (1 thread, reference)`, ms: node.ms, runs: [node.ms], note: `${node.chunks} chunks` });

if (json) {
  console.log(JSON.stringify({ rows, repeat, cores: result.cores, browser: result.userAgent, figures: result.figures }, null, 2));
} else {
  console.log(`clientlens data-spine benchmarks: ${rows.toLocaleString('en')} rows, median of ${repeat}, ${result.cores} cores, ${result.userAgent.match(/(Headless)?Chrome\/[\d.]+/)?.[0]}`);
  const w = Math.max(...result.figures.map((f) => f.name.length));
  for (const f of result.figures) {
    const target = f.target ? `  target < ${f.target} ms: ${f.ms < f.target ? 'met' : 'MISSED'}` : '';
    console.log(`  ${f.name.padEnd(w)}  ${f.ms.toFixed(0).padStart(6)} ms${target}${f.note ? `  (${f.note})` : ''}`);
  }
}
