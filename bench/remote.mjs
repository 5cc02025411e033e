// Remote-engine benchmark (issue 8): time from spec to result for each translated workload on a
// two-shard ClickHouse cluster (two clickhouse-server processes on loopback, Distributed table),
// next to the local kernel on one thread in Node (runKernelLocal) while the data fits.
//
//   node bench/remote.mjs [--rows 1000000,10000000,50000000] [--runs 3] [--local-max 10000000]
//                         [--load-max 10000000] [--workloads rollup-tier,...] [--data-dir DIR] [--json]
//
// Data: up to --load-max rows, the generated portfolio itself is loaded from Node over HTTP
// (the same rows the local kernels read). Above it, --load-max generated rows are loaded and then
// copied inside ClickHouse (INSERT ... SELECT with shifted _row and suffixed clientId) until the
// row count is reached: the same distributions, not new random rows, and no local figure.
// --data-dir keeps the cluster's files in DIR: a later run with the same --rows and --load-max
// reuses the loaded table instead of loading it again (one --rows value per DIR at a time).
// Every remote answer is compared with the local one (1e-9 relative) before timing when both hold
// the same rows (below --load-max); with copied rows the local kernel reads a generated portfolio
// of the same size (timed, not compared).
// Timing: one warm-up, then the median of --runs runs; the remote figure includes HTTP, the
// query on both shards, the merge and building the result object. Both shards share this
// machine's cores with Node: on a real cluster each shard has its own.
// With --json, stdout is ONE JSON array of {workload, engine, rows, ms, note?} records.
import { createServer } from 'vite';
import { cpus, loadavg } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const ROWS = opt('rows', '1000000').split(',').map((s) => Number(s.replace(/_/g, '')));
const RUNS = Number(opt('runs', '3'));
const LOCAL_MAX = Number(opt('local-max', '10000000'));
const LOAD_MAX = Number(opt('load-max', '10000000'));
const JSON_OUT = args.includes('--json');
const DATA_DIR = opt('data-dir', '');
/** --workloads a,b: run only these (names as printed). */
const ONLY = opt('workloads', '') ? opt('workloads', '').split(',') : null;
const log = (...a) => (JSON_OUT ? console.error(...a) : console.log(...a));

const WORKLOADS = {
  'rollup-tier': { kernel: 'segment-rollup', spec: { by: { tier: {} }, measures: [{ agg: 'count' }, { column: 'aum', agg: 'sum' }, { column: 'revenue', agg: 'mean' }, { column: 'costToServe', agg: 'sum' }, { column: 'revenue', agg: 'sum' }], ratios: [{ as: 'cti', numerator: 'sum_costToServe', denominator: 'sum_revenue' }], share: true } },
  'rollup-region-x-segment': { kernel: 'segment-rollup', spec: { by: [{ column: 'region' }, { column: 'segment' }], measures: [{ column: 'aum', agg: 'sum' }, { column: 'deposits', agg: 'sum' }] } },
  'rollup-median-by-tier': { kernel: 'segment-rollup', spec: { by: { tier: {} }, measures: [{ column: 'revenue', agg: 'median' }, { column: 'aum', agg: 'quantile', q: 0.9 }] } },
  'rollup-filtered-tags': { kernel: 'segment-rollup', spec: { by: [{ tag: { rules: [{ label: 'sleepy', when: { all: [{ column: 'lastTxnDate', op: 'lt', value: '2026-04-01' }] } }] } }, { column: 'channel' }], measures: [{ column: 'aum', agg: 'sum' }], filter: { all: [{ column: 'aum', op: 'gte', value: 50000 }] } } },
  // What relationship managers open: rule counts per region and the first at-risk page.
  'churn-rules-by-region-page': { kernel: 'churn-rules', spec: { asOf: '2026-06-30', by: 'region', groupSizes: true, limit: 100 } },
  'churn-rules-deep-page': { kernel: 'churn-rules', spec: { asOf: '2026-06-30', rules: [{ id: 'inactive', kind: 'inactivity' }, { id: 'outflow', kind: 'asset-outflow' }, { id: 'nps', kind: 'low-satisfaction' }, { id: 'late', kind: 'late-payments' }], offset: 5000, limit: 100 } },
  'profitability-by-segment': { kernel: 'profitability', spec: { by: 'segment' } },
  'whale-curve': { kernel: 'whale-curve', spec: { points: 100, topN: 10 } },
  'asset-loyalty': { kernel: 'asset-loyalty', spec: { topN: 50 } },
  'kpis': { kernel: 'kpis', spec: {} },
  'client-lookup-page': { kernel: 'client-lookup', spec: { clientIds: ['C00000001', 'C00000500', 'C00000999', 'nobody'] } },
  'funnel-stage-by-segment': { kernel: 'funnel', spec: { stageColumn: 'lifecycleStage', steps: ['prospect', 'new', 'growing', 'mature'], by: 'segment', cohort: 'quarter', cohortColumn: 'openDate' } },
  'rfm-by-segment': { kernel: 'rfm', spec: { by: 'segment' } },
};

const configFile = new URL('../vite.config.ts', import.meta.url).pathname;
const vite = await createServer({ configFile, mode: 'bench', logLevel: 'error', server: { middlewareMode: true, hmr: false } });
const gen = await vite.ssrLoadModule('/src/generate/portfolio.ts');
const local = await vite.ssrLoadModule('/workers/kernels/run-local.ts');
const registry = await vite.ssrLoadModule('/workers/kernels/index.ts');
const remote = await vite.ssrLoadModule('/src/remote/clickhouse-engine.ts');
const support = await vite.ssrLoadModule('/test/node/support/clickhouse-cluster.ts');
const close = await vite.ssrLoadModule('/test/node/support/close-to.ts');

async function time(fn) {
  await fn();
  const ms = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return ms[Math.floor(ms.length / 2)];
}

const records = [];
const cluster = await support.startClickHouseCluster(DATA_DIR ? { dir: DATA_DIR } : {});
// What the kept directory holds: { rows, loadRows } of the last complete load.
const marker = DATA_DIR ? join(DATA_DIR, 'clientlens-loaded.json') : null;
const loaded = () => (marker && existsSync(marker) ? JSON.parse(readFileSync(marker, 'utf8')) : null);
try {
  for (const rows of ROWS) {
    const loadRows = Math.min(rows, LOAD_MAX);
    const reuse = loaded()?.rows === rows && loaded()?.loadRows === loadRows;
    const runLocal = rows <= LOCAL_MAX;
    // Same rows on both sides: answers compared. Copied rows remotely: the local kernel reads the
    // generated portfolio of that size (same distributions), timed but not compared.
    const same = rows === loadRows;
    let t0 = performance.now();
    let tables = null;
    log(`\n${rows.toLocaleString('en-US')} rows:`);
    if (!reuse || (runLocal && same)) {
      tables = gen.generatePortfolio({ rows: loadRows });
      log(`  generated ${loadRows.toLocaleString('en-US')} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const note = rows > loadRows ? `${loadRows.toLocaleString('en-US')} generated rows copied inside ClickHouse` : undefined;
    if (reuse) log(`  reusing the table loaded in ${DATA_DIR}`);
    else {
      if (marker && existsSync(marker)) writeFileSync(marker, 'null');
      t0 = performance.now();
      await cluster.loadClients('clients', tables);
      log(`  loaded into ClickHouse (2 shards) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      if (rows > loadRows) {
        t0 = performance.now();
        // 18.16 has no SELECT * REPLACE: spell the columns out.
        const names = (await cluster.exec("SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'clients_local' FORMAT TSV")).trim().split('\n');
        const expr = (copy) => names.map((n) => (n === '_row' ? `_row + ${copy * loadRows}` : n === 'clientId' ? `concat(clientId, '-c${copy}')` : `\`${n}\``)).join(', ');
        for (let copy = 1; copy * loadRows < rows; copy++) {
          const take = Math.min(loadRows, rows - copy * loadRows);
          for (let s = 0; s < 2; s++) {
            await cluster.exec(`INSERT INTO clients_local SELECT ${expr(copy)} FROM clients_local WHERE _row < ${take}`, s);
          }
        }
        log(`  copied inside ClickHouse to ${rows.toLocaleString('en-US')} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s (${note})`);
      }
      if (marker) writeFileSync(marker, JSON.stringify({ rows, loadRows }));
    }
    const engine = await remote.connectClickHouse({ url: cluster.urls[0], table: 'clients', rowColumn: '_row', timeoutMs: 600_000 });
    const localTables = runLocal && !same ? gen.generatePortfolio({ rows }) : tables;
    for (const [name, w] of Object.entries(WORKLOADS)) {
      if (ONLY && !ONLY.includes(name)) continue;
      const kernel = registry.getKernel(w.kernel);
      if (runLocal) {
        if (same) {
          const diff = close.firstDifference(await engine.run(w.kernel, w.spec), await local.runKernelLocal(kernel, tables, w.spec));
          if (diff) log(`  MISMATCH ${name}: ${diff}`);
        }
        const ms = await time(() => local.runKernelLocal(kernel, localTables, w.spec));
        records.push({ workload: name, engine: 'local-node-1-thread', rows, ms });
      }
      let ms;
      try {
        ms = await time(() => engine.run(w.kernel, w.spec));
      } catch (err) {
        // One workload the engine refuses (e.g. an array past ClickHouse's size limit at 50M rows)
        // is a figure too: say so and go on with the others.
        const error = err instanceof Error ? err.message.slice(0, 160) : String(err);
        records.push({ workload: name, engine: 'clickhouse-2-shards', rows, ms: null, error });
        log(`  ${name.padEnd(26)} clickhouse  FAILED: ${error}`);
        continue;
      }
      records.push({ workload: name, engine: 'clickhouse-2-shards', rows, ms, ...(note ? { note } : {}) });
      const l = records.find((r) => r.workload === name && r.rows === rows && r.engine === 'local-node-1-thread');
      log(`  ${name.padEnd(26)} clickhouse ${ms.toFixed(0).padStart(7)} ms   local ${l ? l.ms.toFixed(0).padStart(7) + ' ms' : '      -'}`);
    }
    await engine.dispose();
  }
} finally {
  await cluster.stop();
  await vite.close();
}
log(`\nmachine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load ${loadavg().map((x) => x.toFixed(1)).join(' ')}; both shards and Node share them.`);
if (JSON_OUT) console.log(JSON.stringify(records));
