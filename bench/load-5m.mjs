#!/usr/bin/env node
// `npm run bench:5m [-- --rows N --json]`: the demo dashboard with a 5M-client book in headless
// Chromium, first visit (generate in the workers, cache in IndexedDB, score, draw) and second
// visit (from the cache): time to every panel drawn, and the peak resident memory of the whole
// browser (every Chromium process: page, workers, GPU, network), sampled from /proc every 200 ms,
// next to the Arrow size of the data. Exit code 1 when the peak passes 3x the Arrow size or the
// page reports an error, so a run can be used as a check.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'vite';
import puppeteer from 'puppeteer-core';
import { chromiumArgs, chromiumPath } from '../scripts/chromium-path.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--rows');
const rows = Number(at >= 0 ? args[at + 1] : 5_000_000);
const json = args.includes('--json');

/** Resident bytes of `root` and every process below it. */
function treeRss(root) {
  const parent = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const inTree = (pid) => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = parent.get(p) ?? 0, hops++) if (p === root) return true;
    return false;
  };
  let bytes = 0;
  for (const pid of parent.keys()) {
    if (!inTree(pid)) continue;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) bytes += Number(m[1]) * 1024;
    } catch {
      // Gone.
    }
  }
  return bytes;
}

const allDrawn = () => {
  const panels = [...document.querySelectorAll('cl-kpi, cl-segments, cl-funnel, cl-profitability')];
  return panels.length > 0 && panels.every((p) => p.value !== undefined && !p.shadowRoot?.querySelector('[aria-busy="true"]'));
};

const server = await createServer({ configFile: new URL('../vite.config.ts', import.meta.url).pathname, mode: 'development', logLevel: 'error', server: { port: 0, hmr: false } });
await server.listen();
const url = `${server.resolvedUrls.local[0]}?rows=${rows}`;
// Each visit in a browser of its own (one profile, so the second finds the first's cache): the
// peak of a visit is then its own, not what the previous page left for the GC or the IndexedDB
// writer to release.
const profile = mkdtempSync(join(tmpdir(), 'clientlens-5m-'));
const errors = [];
const visits = [];
try {
  for (const visit of ['first (generate + cache)', 'second (from the cache)']) {
    const browser = await puppeteer.launch({ executablePath: chromiumPath(), headless: true, args: chromiumArgs, userDataDir: profile, protocolTimeout: 1_800_000 });
    const pid = browser.process().pid;
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, treeRss(pid))), 200);
    try {
      const page = await browser.newPage();
      page.on('pageerror', (e) => errors.push(e.message));
      const t0 = Date.now();
      await page.goto(url);
      await page.waitForFunction(allDrawn, { timeout: 1_800_000, polling: 200 });
      const ms = Date.now() - t0;
      const data = await page.evaluate(() => {
        const d = window.clientlensHub?.current;
        return d ? { rows: d.rows, bytes: d.bytes, cached: d.cached, origin: d.origin } : null;
      });
      const drawnPeak = Math.max(peak, treeRss(pid));
      visits.push({ visit, ms, peakBytes: drawnPeak, arrowBytes: data?.bytes ?? NaN, rows: data?.rows ?? NaN, origin: data?.origin, cached: data?.cached });
    } finally {
      clearInterval(sampler);
      await browser.close();
    }
  }
} finally {
  await server.close();
  rmSync(profile, { recursive: true, force: true });
}

const mb = (b) => `${(b / 2 ** 20).toFixed(0)} MB`;
if (json) console.log(JSON.stringify({ visits, errors }));
else {
  console.log(`dashboard with ${rows.toLocaleString('en')} clients (headless Chromium, every process):`);
  for (const v of visits) {
    console.log(`  ${v.visit}: every panel drawn in ${(v.ms / 1000).toFixed(1)} s; peak memory ${mb(v.peakBytes)} = ${(v.peakBytes / v.arrowBytes).toFixed(2)} x the Arrow data (${mb(v.arrowBytes)}, ${v.rows.toLocaleString('en')} rows, ${v.origin})`);
  }
  if (errors.length) console.log(`  page errors: ${errors.join(' | ')}`);
}
const over = visits.some((v) => !(v.peakBytes < 3 * v.arrowBytes)) || visits.some((v) => v.rows !== rows);
process.exit(errors.length || over ? 1 : 0);
