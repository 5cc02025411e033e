#!/usr/bin/env node
// `npm run bench:dashboard [-- --rows N --json --dev --first-after MS --pages P]`: the demo's dashboard in headless Chromium
// with N clients cached: time from navigation to every panel drawn (on a reload, and in a new tab after
// the filters), time for a filter change to
// redraw every panel (the first one, new ones after it, ones set again, broad ones), the main thread's long
// tasks (PerformanceObserver 'longtask') while panels recompute, and how long the renderers' threads ran
// and waited for a core meanwhile (bench/thread-times.mjs).
//
// By default the page is bench/dashboard.html: the demo's panels from the production standalone
// bundle (built first with `vite build --mode bundle`), served as static files, as a portal would
// serve them. `--dev` times the demo page itself on the Vite dev server instead (unbundled modules,
// Lit in dev mode: slower to start, not what users get).
import { createServer, build } from 'vite';
import { createServer as createHttpServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import puppeteer from 'puppeteer-core';
import { availableParallelism, loadavg } from 'node:os';
import { chromiumArgs, chromiumPath } from '../scripts/chromium-path.mjs';
import { sampleRendererMemory } from './renderer-memory.mjs';
import { measureThreadTimes } from './thread-times.mjs';

const args = process.argv.slice(2);
// Without --rows, indexOf is -1 and args[0] (e.g. --json) would be read as the row count.
const rowsAt = args.indexOf('--rows');
const rows = Number(rowsAt >= 0 ? args[rowsAt + 1] : 1_000_000);
const json = args.includes('--json');

const dev = args.includes('--dev');
// The first filter comes this long after every panel is drawn, as a user's first click comes after
// a look at the page: the workers use that idle time to compile the code a filter takes
// (src/query/query-warmer.ts). --first-after 0 changes the filter at once.
const firstAt = args.indexOf('--first-after');
const firstAfterMs = Number(firstAt >= 0 ? args[firstAt + 1] : 3000);
if (!(Number.isFinite(firstAfterMs) && firstAfterMs >= 0)) throw new RangeError(`--first-after must be a number of milliseconds >= 0; got "${args[firstAt + 1]}".`);
// The filter changes run on this many pages (the reloaded one, then new tabs), and each figure is
// the median over them: one page's first filter change is one sample, and on a shared 2-core VM the
// same filter on the same build took 88-147 ms from one page to the next.
const pagesAt = args.indexOf('--pages');
const pages = Number(pagesAt >= 0 ? args[pagesAt + 1] : 3);
if (!(Number.isInteger(pages) && pages >= 1)) throw new RangeError(`--pages must be a whole number >= 1; got "${args[pagesAt + 1]}".`);
const loadAtStart = loadavg()[0];
const cores = availableParallelism();

/**
 * How fast this machine is right now, for reading the figures: the same build's figures move by
 * 300-600 ms between runs on a shared 2-core VM, with nothing else running in it. A fixed compute
 * loop, and the first touch of 64 MB of fresh memory (one write per 4 KiB page: page faults and
 * zeroing, which the workers pay for every new buffer), timed in this process before the runs and
 * after them; a run whose figures are slow with these slow too was slowed by the machine.
 */
function machineCheck() {
  let t = performance.now();
  let x = 1;
  for (let i = 0; i < 50_000_000; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  const loopMs = performance.now() - t;
  t = performance.now();
  const fresh = new Float64Array(8 << 20);
  for (let i = 0; i < fresh.length; i += 512) fresh[i] = x;
  const touchMs = performance.now() - t;
  return { loopMs: Math.round(loopMs), touchMs: Math.round(touchMs) };
}
const machineAtStart = machineCheck();
const root = new URL('..', import.meta.url).pathname;
const configFile = join(root, 'vite.config.ts');

/**
 * Serves the project's files as they are (the built bundle, the bench page), as a production web
 * server serves static files: with validators (an ETag and Last-Modified from the file's size and
 * time, as nginx makes them), 304 to a request that names the current ETag, and `cache-control:
 * no-cache` so that the browser asks every time. A returning visit then reuses the scripts the
 * browser has, and V8's code cache for them, as a user's next visit does. `validators = false`
 * (the bench's last load, "code not cached") serves every file as new: the browser compiles
 * every script from its source again.
 */
async function staticServer() {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.map': 'application/json', '.svg': 'image/svg+xml' };
  const served = { validators: true };
  const http = createHttpServer(async (req, res) => {
    const path = normalize(join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
    if (!path.startsWith(root)) return void res.writeHead(403).end();
    try {
      const file = await stat(path);
      const headers = { 'content-type': types[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-cache' };
      if (served.validators) {
        const etag = `"${Math.floor(file.mtimeMs / 1000).toString(16)}-${file.size.toString(16)}"`;
        if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag, 'cache-control': 'no-cache' }).end();
        Object.assign(headers, { etag, 'last-modified': file.mtime.toUTCString() });
      }
      res.writeHead(200, headers).end(await readFile(path));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${http.address().port}/bench/dashboard.html?rows=${rows}`, served, close: () => new Promise((r) => http.close(r)) };
}

let server;
let url;
if (dev) {
  // A Vite dependency cache of its own, so another dev server's re-optimising cannot reload the page.
  const vite = await createServer({ configFile, mode: 'development', cacheDir: join(root, 'node_modules/.vite-bench'), logLevel: 'error', server: { port: 0, hmr: false } });
  await vite.listen();
  server = vite;
  url = `${vite.resolvedUrls.local[0]}?rows=${rows}`;
} else {
  if (!json) console.log('building the standalone bundle (vite build --mode bundle)...');
  await build({ configFile, mode: 'bundle', logLevel: 'error' });
  server = await staticServer();
  url = server.url;
}
const browser = await puppeteer.launch({ executablePath: chromiumPath(), headless: true, args: chromiumArgs, protocolTimeout: 900_000 });

/**
 * Panels that draw from a kernel; "drawn" = has a value, is not busy, and (the churn list) has no
 * row still waiting for its page of clients.
 */
const observeLongTasks = () => {
  window.__longTasks = [];
  new PerformanceObserver((list) => list.getEntries().forEach((e) => window.__longTasks.push([e.startTime, e.duration]))).observe({ type: 'longtask', buffered: true });
};

/**
 * Runs before the page's scripts: empties the answers kept with the cache (the 'answers' store of
 * the default cache database, src/cache/dataset-cache.ts), so the load computes every answer. The
 * page's own cache opens the database after this; it waits for the clear (IndexedDB orders them).
 */
const forgetAnswers = () => {
  const open = indexedDB.open('clientlens-cache');
  open.onsuccess = () => {
    const db = open.result;
    if (db.objectStoreNames.contains('answers')) db.transaction('answers', 'readwrite').objectStore('answers').clear();
    db.close();
  };
};

const allDrawn = () => {
  const panels = [...document.querySelectorAll('cl-kpi, cl-segments, cl-funnel, cl-profitability, cl-churn-watch')];
  return panels.length > 0 && panels.every((p) => p.value !== undefined && !p.shadowRoot?.querySelector('[aria-busy="true"], .loading-row'));
};

/**
 * A load's long tasks, split where the loaded dataset reached the panels (bench/dashboard.html
 * notes it): before, the page starts and reads the cache (no score is computing yet); after, the
 * panels' scores compute and their answers are drawn, which the target is about. A task is counted
 * where it starts. A page that does not note it (the demo page, with --dev) has every long task
 * counted as one while scores compute.
 */
/**
 * Where a cached load's time went, from the loaded dataset's own step timings (Dataset.steps) and
 * the moment it reached the panels: the page starting until the cache is opened, reading the cache
 * and moving its chunks into the workers (the Blobs are read at ~380 MB/s here, whichever way they
 * are read), then the panels' answers and drawing; and how much the renderers' resident memory grew
 * in the last two (`memory`: bench/renderer-memory.mjs, started with the navigation). Null on a
 * page that does not note them.
 */
async function loadPhases(page, totalMs, memory) {
  const p = await page.evaluate(() => {
    const d = window.clientlensHub?.current;
    if (!d || window.__scoringFrom === undefined) return null;
    const ms = (name) => d.steps.find((s) => s.step === name)?.ms ?? 0;
    return { toPanels: window.__scoringFrom, read: ms('cache-read') + ms('distribute'), bytes: d.chunks.reduce((n, c) => n + c.bytes, 0) };
  });
  memory.stop();
  const grew = (from, to) => {
    const [a, b] = [memory.mibAt(from), memory.mibAt(to)];
    return a === null || b === null ? null : Math.round(b - a);
  };
  return p && {
    startMs: Math.round(p.toPanels - p.read), readMs: Math.round(p.read), mib: Math.round(p.bytes / 2 ** 20), answersMs: Math.round(totalMs - p.toPanels),
    readGrewMiB: grew(p.toPanels - p.read, p.toPanels), answersGrewMiB: grew(p.toPanels, totalMs),
  };
}

async function loadTasks(page) {
  const { tasks, from } = await page.evaluate(() => ({ tasks: window.__longTasks.splice(0), from: window.__scoringFrom ?? null }));
  const after = (t) => from === null || t[0] >= from;
  return { startUp: tasks.filter((t) => !after(t)).map(([, ms]) => ms), scoring: tasks.filter(after).map(([, ms]) => ms) };
}

try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  await page.evaluateOnNewDocument(observeLongTasks);
  // First visit generates and caches the portfolio (not measured).
  await page.goto(url);
  await page.waitForFunction(allDrawn, { timeout: 600_000, polling: 100 });
  // Second visit: the figure the issue asks for, with the data cached. It comes as soon as the first
  // visit has drawn, before that visit keeps its answers (src/query/answer-book.ts writes them once
  // answers have stopped for a second): the reload computes every answer, as the new tabs with no
  // answers kept do below (measured here: nothing kept at the reload; reloading six seconds later
  // drew from the kept answers in 1.3-1.4 s against 1.9-2.3 s).
  const t0 = Date.now();
  const loadMemory = sampleRendererMemory();
  await page.goto(url);
  await page.waitForFunction(allDrawn, { timeout: 600_000, polling: 50 });
  const loadMs = Date.now() - t0;
  const loadLongTasks = await loadTasks(page);
  const loadSplit = await loadPhases(page, loadMs, loadMemory);
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  // Filter changes from the host page, as a click on a segment would make. The first one is the
  // figure the issue asks for (the workers' code paths for filtered rows are still cold); later
  // filters the page has not seen before show the usual case; a filter set again is answered from
  // the recent answers (src/query/shared-query.ts).
  const broadFilters = [['clientType', 'retail'], ['tier', 'mass'], ['channel', 'app']];
  const filterPhase = async (page) => {
    // Each change's thread times (bench/thread-times.mjs), by kind of change.
    const threads = { first: [], fresh: [], broad: [] };
    const changeFilter = async (conditions, kind) => {
      const times = measureThreadTimes();
      const ms = await changeFilterOnce(conditions);
      if (kind) threads[kind].push(times.stop());
      return ms;
    };
    const changeFilterOnce = (conditions) =>
      page.evaluate(async (drawnSrc, conditions) => {
        const drawn = new Function(`return (${drawnSrc})()`);
        const hub = window.clientlensHub;
        if (!hub) return null;
        const t = performance.now();
        hub.filters.set('bench', conditions);
        await new Promise((r) => setTimeout(r, 0));
        while (!drawn()) await new Promise((r) => setTimeout(r, 5));
        return performance.now() - t;
      }, allDrawn.toString(), conditions);
    await new Promise((r) => setTimeout(r, firstAfterMs));
    // Drawn from the answers kept with the cache (src/query/answer-book.ts), the panels' queries run
    // again after the load, behind what is on screen: its long tasks are those until the first filter.
    const recomputeLongTasks = (await page.evaluate(() => window.__longTasks.splice(0))).map(([, ms]) => ms);
    const first = await changeFilter([{ column: 'clientType', op: 'eq', value: 'corporate' }], 'first');
    const fresh = [];
    for (const region of ['华北', '华南', '西南', '华中', '华东']) {
      await changeFilter([]);
      fresh.push(await changeFilter([{ column: 'region', op: 'eq', value: region }], 'fresh'));
    }
    const seen = [];
    for (let i = 0; i < 3; i++) {
      seen.push(await changeFilter([{ column: 'clientType', op: 'eq', value: 'corporate' }]));
      seen.push(await changeFilter([{ column: 'region', op: 'eq', value: '华北' }]));
    }
    // Broad filters keep most clients: every kernel then runs over most rows, and the kernels that
    // read filtered columns gather most of each (the target applies to them too).
    const broad = {};
    for (const [column, value] of broadFilters) {
      await changeFilter([]);
      broad[`${column}=${value}`] = await changeFilter([{ column, op: 'eq', value }], 'broad');
    }
    const longTasks = (await page.evaluate(() => window.__longTasks.splice(0))).map(([, ms]) => ms);
    return { first, fresh, seen, broad, threads, longTasks, recomputeLongTasks, changes: 1 + 2 * fresh.length + seen.length + 2 * broadFilters.length };
  };
  const phases = [await filterPhase(page)];
  // The same cached load in a new tab, as a user opening the dashboard gets it (the reload above also
  // pays for tearing down the first page's workers, their heaps of ~1M rows, on the same cores).
  await page.close();
  const newTabLoad = async ({ keptAnswers = true, thenFilter = false } = {}) => {
    await new Promise((r) => setTimeout(r, 2000));
    const tab = await browser.newPage();
    await tab.setViewport({ width: 1280, height: 900 });
    await tab.evaluateOnNewDocument(observeLongTasks);
    if (!keptAnswers) await tab.evaluateOnNewDocument(forgetAnswers);
    const t = Date.now();
    const memory = sampleRendererMemory();
    const threadTimes = measureThreadTimes();
    await tab.goto(url);
    await tab.waitForFunction(allDrawn, { timeout: 600_000, polling: 50 });
    const ms = Date.now() - t;
    const threads = threadTimes.stop();
    const tasks = await loadTasks(tab);
    const split = await loadPhases(tab, ms, memory);
    const phase = thenFilter ? await filterPhase(tab) : undefined;
    // This visit's answers are kept once answers have stopped coming for 1 s and the page is idle
    // (at most 2 s more); later loads expect them.
    if (!keptAnswers) await new Promise((r) => setTimeout(r, 4000));
    await tab.close();
    return { ms, tasks, phase, split, threads };
  };
  // The other pages' filters start from a load with no answers kept: a page that found the last
  // page's filter answers kept would draw them at once (and recompute them behind), which is not
  // the work this measures. Their loads are those of a first visit after the data changed.
  const computedLoads = [];
  for (let i = 1; i < pages; i++) computedLoads.push(await newTabLoad({ keptAnswers: false, thenFilter: true }));
  if (computedLoads.length === 0) computedLoads.push(await newTabLoad({ keptAnswers: false }));
  phases.push(...computedLoads.flatMap((l) => (l.phase ? [l.phase] : [])));
  const newTabLoads = [];
  for (let i = 0; i < pages; i++) newTabLoads.push(await newTabLoad());
  const newTabLoadMs = median(newTabLoads.map((l) => l.ms));
  const newTabLongTasks = { scoring: newTabLoads.flatMap((l) => l.tasks.scoring), startUp: newTabLoads.flatMap((l) => l.tasks.startUp) };
  const filterMs = median(phases.map((p) => p.first));
  const newFilterMs = phases.flatMap((p) => p.fresh);
  const seenFilterMs = phases.flatMap((p) => p.seen);
  const broadFilterMs = Object.fromEntries(broadFilters.map(([c, v]) => [`${c}=${v}`, median(phases.map((p) => p.broad[`${c}=${v}`]))]));
  const filterLongTasks = phases.flatMap((p) => p.longTasks);
  const recomputeLongTasks = phases[0].recomputeLongTasks; // the other pages kept no answers
  const computed = { ms: median(computedLoads.map((l) => l.ms)), tasks: { scoring: computedLoads.flatMap((l) => l.tasks.scoring) } };
  // Once more with every script served as new (the dev server's modules are never cached this way).
  let coldCode = null;
  if (server.served) {
    server.served.validators = false;
    coldCode = await newTabLoad();
  }
  // Medians of each phase over the loads of one kind (the phases of one load need not sum to the medians' sum).
  const splitOf = (loads) => {
    const splits = loads.map((l) => l.split).filter(Boolean);
    if (!splits.length) return null;
    return Object.fromEntries(Object.keys(splits[0]).map((k) => [k, median(splits.map((x) => x[k]))]));
  };
  const loadPhaseMs = { reload: loadSplit, newTabKept: splitOf(newTabLoads), newTabComputed: splitOf(computedLoads) };
  // Medians per thread group of the ran and waited milliseconds (null where /proc has no schedstats).
  const threadsOf = (samples) => {
    const xs = samples.filter(Boolean);
    if (!xs.length) return null;
    return Object.fromEntries(Object.keys(xs[0]).map((g) => [g, { runMs: Math.round(median(xs.map((x) => x[g].runMs))), waitMs: Math.round(median(xs.map((x) => x[g].waitMs))) }]));
  };
  const threadMs = {
    newTabComputed: threadsOf(computedLoads.map((l) => l.threads)),
    firstFilter: threadsOf(phases.flatMap((p) => p.threads.first)),
    newFilter: threadsOf(phases.flatMap((p) => p.threads.fresh)),
    broadFilter: threadsOf(phases.flatMap((p) => p.threads.broad)),
  };
  const [load1, load5] = loadavg();
  const result = {
    rows, page: dev ? 'dev' : 'bundle', pages, loadMs, newTabLoadMs, newTabLoadSamplesMs: newTabLoads.map((l) => l.ms), firstAfterMs, filterMs,
    filterSamplesMs: phases.map((p) => p.first),
    newFilterMedianMs: filterMs === null ? null : median(newFilterMs),
    seenFilterMedianMs: filterMs === null ? null : median(seenFilterMs),
    broadFilterMs,
    broadFilterSamplesMs: Object.fromEntries(Object.keys(broadFilterMs).map((f) => [f, phases.map((p) => p.broad[f])])),
    longTasksDuringLoad: loadLongTasks.scoring.length, longestTaskLoadMs: Math.max(0, ...loadLongTasks.scoring),
    longTasksDuringLoadStartUp: loadLongTasks.startUp.length, longestTaskLoadStartUpMs: Math.max(0, ...loadLongTasks.startUp),
    longTasksDuringFilters: filterLongTasks.length, longestTaskFilterMs: Math.max(0, ...filterLongTasks),
    longTasksDuringNewTabLoad: newTabLongTasks.scoring.length, longestTaskNewTabLoadMs: Math.max(0, ...newTabLongTasks.scoring),
    longTasksDuringNewTabStartUp: newTabLongTasks.startUp.length, longestTaskNewTabStartUpMs: Math.max(0, ...newTabLongTasks.startUp),
    newTabComputedLoadMs: computed.ms, newTabComputedLoadSamplesMs: computedLoads.map((l) => l.ms),
    longTasksDuringComputedLoad: computed.tasks.scoring.length, longestTaskComputedLoadMs: Math.max(0, ...computed.tasks.scoring),
    longTasksWhileRecomputing: recomputeLongTasks.length, longestTaskWhileRecomputingMs: Math.max(0, ...recomputeLongTasks),
    loadPhaseMs, threadMs,
    newTabColdCodeLoadMs: coldCode?.ms ?? null,
    longTasksDuringColdCodeLoad: coldCode?.tasks.scoring.length ?? null, longestTaskColdCodeLoadMs: coldCode ? Math.max(0, ...coldCode.tasks.scoring) : null,
    longestTaskColdCodeStartUpMs: coldCode ? Math.max(0, ...coldCode.tasks.startUp) : null,
    loadAverage: [loadAtStart, load1, load5].map((x) => +x.toFixed(2)),
    machine: { atStart: machineAtStart, atEnd: machineCheck() },
  };
  if (json) console.log(JSON.stringify(result));
  else {
    const ms = (x) => (x === null ? 'not measured' : `${Math.round(x)} ms`);
    const tasks = (n, longest) => `${n} (longest ${Math.round(longest)} ms)`;
    console.log(`dashboard with ${rows.toLocaleString('en')} clients cached (headless Chromium, ${dev ? 'dev server, demo page' : 'production bundle, bench/dashboard.html'}):`);
    const of = (xs) => (xs.length > 1 ? ` (median of ${xs.length}: ${xs.map((x) => Math.round(x)).join(', ')})` : '');
    console.log(`  page load to every panel drawn: ${loadMs} ms on a reload (right after the first visit, whose answers were not kept yet: every answer computed), ${newTabLoadMs} ms in a new tab with the answers kept${of(result.newTabLoadSamplesMs)} (target < 2000 ms)`);
    console.log(`  the same in a new tab with no answers kept (each panel computes its answer during the load, as on a first visit after the data changed): ${computed.ms} ms${of(result.newTabComputedLoadSamplesMs)}; long tasks while scores compute ${tasks(computed.tasks.scoring.length, result.longestTaskComputedLoadMs)}`);
    const grew = (mib) => (mib === null ? '' : `renderers grew ${mib} MiB`);
    const phase = (x) => (x ? `page start ${x.startMs} ms, cache to workers ${x.readMs} ms (${[`${x.mib} MiB`, grew(x.readGrewMiB)].filter(Boolean).join(', ')}), answers and drawing ${x.answersMs} ms${x.answersGrewMiB === null ? '' : ` (${grew(x.answersGrewMiB)})`}` : 'not noted');
    console.log(`  where the load went (medians): new tab with answers kept: ${phase(loadPhaseMs.newTabKept)}; with none kept: ${phase(loadPhaseMs.newTabComputed)}; the reload: ${phase(loadPhaseMs.reload)}`);
    if (coldCode) console.log(`  the same in a new tab with the scripts served as new (no HTTP or code cache for them): ${coldCode.ms} ms; long tasks while scores compute ${coldCode.tasks.scoring.length} (longest ${Math.round(result.longestTaskColdCodeLoadMs)} ms), before ${coldCode.tasks.startUp.length} (longest ${Math.round(result.longestTaskColdCodeStartUpMs)} ms)`);
    console.log(`  first filter change on a page (${firstAfterMs} ms after every panel was drawn) to every panel redrawn: ${ms(filterMs)}${of(result.filterSamplesMs)} (target < 150 ms)`);
    console.log(`  a new filter after that (median of ${newFilterMs.length}): ${ms(result.newFilterMedianMs)}; a filter set again (median of ${seenFilterMs.length}): ${ms(result.seenFilterMedianMs)}`);
    console.log(`  broad filters (each keeps most clients): ${Object.entries(broadFilterMs).map(([f, x]) => `${f} ${ms(x)}${pages > 1 ? ` (${result.broadFilterSamplesMs[f].map((y) => Math.round(y)).join(', ')})` : ''}`).join('; ')} (target < 150 ms)`);
    console.log(`  long tasks (> 50 ms) on the main thread while scores compute: ${tasks(filterLongTasks.length, result.longestTaskFilterMs)} during the ${phases.reduce((n, p) => n + p.changes, 0)} filter changes on ${pages} page${pages > 1 ? 's' : ''}; from the dataset reaching the panels to every panel drawn, ${tasks(loadLongTasks.scoring.length, result.longestTaskLoadMs)} on the reload, ${tasks(newTabLongTasks.scoring.length, result.longestTaskNewTabLoadMs)} in the ${newTabLoads.length} new tab loads; after the reload, while the kept answers were recomputed (until the first filter), ${tasks(recomputeLongTasks.length, result.longestTaskWhileRecomputingMs)}`);
    console.log(`  long tasks before that (the page starting, the cache read; no score computing yet): ${tasks(loadLongTasks.startUp.length, result.longestTaskLoadStartUpMs)} on the reload, ${tasks(newTabLongTasks.startUp.length, result.longestTaskNewTabStartUpMs)} in the new tabs`);
    if (threadMs.broadFilter) {
      const groups = { main: "the page's main thread", workers: 'its workers', pool: "the renderer's thread pool (V8's compilers and collector, rasterising)", other: 'other renderer threads' };
      const line = (t) => Object.entries(groups).map(([g, name]) => `${name} ${t[g].runMs} / ${t[g].waitMs}`).join(', ');
      console.log(`  where the CPU went (bench/thread-times.mjs; ms ran / ms waited for a free core, summed over each group's threads, medians): a broad filter change: ${line(threadMs.broadFilter)}; a new filter: ${line(threadMs.newFilter)}; a first filter: ${line(threadMs.firstFilter)}; a new tab with no answers kept: ${line(threadMs.newTabComputed)} (${cores} cores: ${cores} ms of CPU per ms of wall time)`);
    }
    console.log(`  load average: ${result.loadAverage[0]} at start, ${result.loadAverage[1]} (1 min) / ${result.loadAverage[2]} (5 min) at the end; other work on the machine slows every figure`);
    const { atStart, atEnd } = result.machine;
    console.log(`  machine check (this process, before / after the runs): a fixed compute loop ${atStart.loopMs} / ${atEnd.loopMs} ms, first touch of 64 MB of fresh memory ${atStart.touchMs} / ${atEnd.touchMs} ms`);
  }
} finally {
  await browser.close();
  await server.close();
}
