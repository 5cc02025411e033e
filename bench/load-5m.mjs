#!/usr/bin/env node
// `npm run bench:5m [-- --rows N --json]`: the demo dashboard with a 5M-client book in headless
// Chromium, first visit (generate in the workers, cache in IndexedDB, score, draw) and second
// visit (from the cache): time to every panel drawn, and the peak memory of the whole browser
// (every Chromium process: page, workers, GPU, network), sampled from /proc every 200 ms, next to
// the Arrow size of the data. The figure checked is the sum of proportional set sizes (Pss: shared
// pages counted once); the RSS sum (shared pages counted in every process mapping them) is printed
// beside it, and the split by process type at the peak. Exit code 1 when the Pss peak passes 3x
// the Arrow size or the page reports an error, so a run can be used as a check.
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
// `--timeline`: every sample (time since navigation, Pss per process type), to see when the peak happens.
const timeline = args.includes('--timeline');

/**
 * Memory of `root` and every process below it, now. `pss` is the proportional set size (from
 * /proc/PID/smaps_rollup): a page shared by n processes counts 1/n in each, so the sum counts the
 * shared memory that carries Blobs and IPC between the page, its workers and the browser process
 * (and the shared library pages) once. `rss` sums VmRSS, which counts such a page in every process
 * that maps it: an upper bound, printed so nothing is hidden. `byType` splits both by Chromium's
 * process type (`--type=` on the command line; none means the browser process).
 */
function treeMemory(root) {
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
  const total = { rss: 0, pss: 0, byType: {} };
  for (const pid of parent.keys()) {
    if (!inTree(pid)) continue;
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0) * 1024;
      const type = /--type=([\w-]+)/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '))?.[1] ?? 'browser';
      const [rss, pss] = [kb('Rss'), kb('Pss')];
      total.rss += rss;
      total.pss += pss;
      const t = (total.byType[type] ??= { processes: 0, rss: 0, pss: 0 });
      t.processes++;
      t.rss += rss;
      t.pss += pss;
    } catch {
      // Gone.
    }
  }
  return total;
}

/** Peak of the Pss sum (with the split by process type at that moment) and, separately, of the RSS sum. */
class PeakTracker {
  pss = { pss: 0, rss: 0, byType: {} };
  rss = 0;
  samples = [];
  t0 = Date.now();
  sample(root) {
    const now = treeMemory(root);
    if (timeline) this.samples.push({ ms: Date.now() - this.t0, pss: now.pss, byType: Object.fromEntries(Object.entries(now.byType).map(([t, m]) => [t, m.pss])) });
    if (now.pss > this.pss.pss) this.pss = now;
    this.rss = Math.max(this.rss, now.rss);
  }
}

const allDrawn = () => {
  const panels = [...document.querySelectorAll('cl-kpi, cl-segments, cl-funnel, cl-profitability')];
  return panels.length > 0 && panels.every((p) => p.value !== undefined && !p.shadowRoot?.querySelector('[aria-busy="true"]'));
};

// A dependency cache of its own: another Vite server re-optimising the shared one mid-visit makes
// the page reload, and the visit then waits forever for panels that were torn down.
const server = await createServer({ configFile: new URL('../vite.config.ts', import.meta.url).pathname, mode: 'development', logLevel: 'error', cacheDir: join(tmpdir(), 'clientlens-5m-vite'), server: { port: 0, hmr: false } });
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
    const peak = new PeakTracker();
    const sampler = setInterval(() => peak.sample(pid), 200);
    try {
      const page = await browser.newPage();
      page.on('pageerror', (e) => errors.push(e.message));
      const t0 = Date.now();
      await page.goto(url);
      await page.waitForFunction(allDrawn, { timeout: 1_800_000, polling: 200 });
      const ms = Date.now() - t0;
      const data = await page.evaluate(() => {
        const d = window.clientlensHub?.current;
        return d ? { rows: d.rows, bytes: d.bytes, cached: d.cached, origin: d.origin, steps: d.steps.map((s) => `${s.step} ${(s.ms / 1000).toFixed(1)} s`).join(', ') } : null;
      });
      peak.sample(pid);
      visits.push({ visit, ms, peakBytes: peak.pss.pss, peakRssBytes: peak.rss, peakByType: peak.pss.byType, arrowBytes: data?.bytes ?? NaN, rows: data?.rows ?? NaN, origin: data?.origin, cached: data?.cached, steps: data?.steps, samples: peak.samples });
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
    console.log(`  ${v.visit}: every panel drawn in ${(v.ms / 1000).toFixed(1)} s; peak memory (Pss sum) ${mb(v.peakBytes)} = ${(v.peakBytes / v.arrowBytes).toFixed(2)} x the Arrow data (${mb(v.arrowBytes)}, ${v.rows.toLocaleString('en')} rows, ${v.origin}); peak RSS sum ${mb(v.peakRssBytes)} = ${(v.peakRssBytes / v.arrowBytes).toFixed(2)} x`);
    const types = Object.entries(v.peakByType).sort((a, b) => b[1].pss - a[1].pss);
    console.log(`    load steps: ${v.steps}`);
    if (timeline) for (const x of v.samples) console.log(`    ${(x.ms / 1000).toFixed(1).padStart(6)} s  Pss ${mb(x.pss).padStart(8)}  ${Object.entries(x.byType).map(([t, b]) => `${t} ${mb(b)}`).join(', ')}`);
    console.log(`    at the Pss peak: ${types.map(([t, m]) => `${t} (${m.processes}) Pss ${mb(m.pss)} / RSS ${mb(m.rss)}`).join('; ')}`);
  }
  if (errors.length) console.log(`  page errors: ${errors.join(' | ')}`);
}
const over = visits.some((v) => !(v.peakBytes < 3 * v.arrowBytes)) || visits.some((v) => v.rows !== rows);
process.exit(errors.length || over ? 1 : 0);
