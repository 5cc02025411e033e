// Kernel benchmark (issue 3, "Benchmark"): clientlens kernels on one thread and on a 2-worker pool,
// against DuckDB-WASM, Arquero and a plain typed-array loop (the floor), on generated portfolios.
//
//   node bench/kernels.mjs [--rows 1000000,10000000] [--runs 5] [--json]
//                          [--engines clientlens-1,clientlens-pool,duckdb-wasm,arquero,floor]
//                          [--workloads segment-rollup,asset-loyalty,churn-rules,rfm,funnel,whale-curve]
//                          [--trace-pool] [--settle 5000]
//
// Every engine's answer is checked against clientlens-1 (counts exactly, sums to 1e-9 relative)
// before timing; a mismatch is printed and the workload marked MISMATCH. Timing: one warm-up, then
// the median of --runs runs, each from a collected heap once the process is quiet (--settle: at most that many ms); clientlens-1 and clientlens-pool run in alternation and cl1/pool is the
// median of the paired runs' ratios (timePaired). Data loading (DuckDB insert, Arquero fromArrow, IPC to the pool's
// workers) is excluded. --trace-pool prints, per workload, where the pool's time goes (median
// over the timed runs): validate, message to the workers, map per worker, message back, reduce. With --json, stdout is ONE JSON array of {workload, engine, rows, ms}
// records (tables go to stderr). Each engine's figure comes with the cores it got: the process's CPU
// time per run over its wall time (median), so a starved pool shows up as about 1 core. Before the
// timings, a plain compute loop on one thread and on two tells how much two threads can get done
// here at all (two free cores: 2.0; vCPUs sharing a core or a busy machine: less).
//
// Fairness notes: clientlens kernels compute a little more than the others are asked for
// (asset-loyalty: top-50 corner list; churn-rules: the top-100 at-risk page; whale-curve: top-10
// list); the other engines compute the key figures that are compared.
import { createServer } from 'vite';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { loadavg, cpus } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Table, tableToIPC } from 'apache-arrow';
import * as aq from 'arquero';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const ROWS = opt('rows', '1000000').split(',').map((s) => Number(s.replace(/_/g, '')));
const RUNS = Number(opt('runs', '5'));
const JSON_OUT = args.includes('--json');
const TRACE_POOL = args.includes('--trace-pool');
// After the collection that starts each timed run, V8 sweeps the freed pages on background threads;
// a run started at once shares the two cores with that sweep (the pool's messages then reached a
// worker 0.3-11 ms late at 10M). Each run waits until the process is quiet, at most --settle ms
// (0: no wait). See quiet().
const SETTLE_MS = Number(opt('settle', '5000'));
if (!(Number.isFinite(SETTLE_MS) && SETTLE_MS >= 0)) throw new RangeError(`--settle must be a number of milliseconds >= 0; got "${opt('settle', '5000')}".`);
const ENGINES = opt('engines', 'clientlens-1,clientlens-pool,duckdb-wasm,arquero,floor').split(',');
// Both clientlens engines asked for: they are timed in alternation (timePaired).
const PAIRED = ENGINES.includes('clientlens-1') && ENGINES.includes('clientlens-pool');
const WORKLOADS = opt('workloads', 'segment-rollup,asset-loyalty,churn-rules,rfm,funnel,whale-curve').split(',');
const clock = () => performance.timeOrigin + performance.now();
const log = (...a) => (JSON_OUT ? console.error(...a) : console.log(...a));

const configFile = new URL('../vite.config.ts', import.meta.url).pathname;
const vite = await createServer({ configFile, mode: 'bench', logLevel: 'error', server: { middlewareMode: true, hmr: false } });
const gen = await vite.ssrLoadModule('/src/generate/portfolio.ts');
const local = await vite.ssrLoadModule('/workers/kernels/run-local.ts');
const { getKernel } = await vite.ssrLoadModule('/workers/kernels/index.ts');
const { DEFAULT_ASSET_SCALE } = await vite.ssrLoadModule('/workers/kernels/dimension.ts');
const { splitFilter } = await vite.ssrLoadModule('/workers/kernels/filtered-rows.ts');

const AS_OF = '2026-06-30';
const AS_OF_DAY = Date.UTC(2026, 5, 30) / 86_400_000;
const ASSET_EDGES = DEFAULT_ASSET_SCALE.edges; // [50000, 500000]
const STEPS = ['prospect', 'new', 'growing', 'mature'];
const STAGE_LEVEL = { prospect: 0, new: 1, growing: 2, mature: 3, declining: 1, dormant: 1, churned: 1, 'win-back': 1 };
const WHALE_POINTS = 100;

// ---------------------------------------------------------------------------------------------
// Column access for the floor loops

function batchesOf(tables) {
  const out = [];
  for (const t of tables) for (const b of t.batches) out.push(b);
  return out;
}
function col(batch, name) {
  const d = batch.getChild(name).data[0];
  return { v: d.values, bits: d.nullCount > 0 ? d.nullBitmap : null, off: d.offset, dict: d.dictionary };
}
const valid = (c, i) => c.bits === null || ((c.bits[(c.off + i) >> 3] >> ((c.off + i) & 7)) & 1) === 1;
function dictLabels(dict) {
  const out = [];
  for (let i = 0; i < dict.length; i++) out.push(dict.get(i));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Workloads: spec, key figures of the clientlens result, floor, SQL, arquero.
// Key figures: names starting with "n:" are counts (exact), others sums/ratios (1e-9 relative).

const segmentRollup = {
  name: 'segment-rollup',
  kernel: 'segment-rollup',
  spec: {
    by: { column: 'segment' },
    measures: [{ agg: 'count' }, { column: 'aum', agg: 'sum' }, { column: 'revenue', agg: 'sum' }, { column: 'costToServe', agg: 'sum' }],
    ratios: [{ as: 'costIncome', numerator: 'sum_costToServe', denominator: 'sum_revenue' }],
  },
  key(r) {
    const k = {};
    for (const g of r.groups) {
      const s = g.keys[0];
      k[`n:${s}`] = g.count;
      k[`aum:${s}`] = g.values.sum_aum;
      k[`rev:${s}`] = g.values.sum_revenue;
      k[`cost:${s}`] = g.values.sum_costToServe;
      k[`ratio:${s}`] = g.values.costIncome;
    }
    return k;
  },
  fromGroups(rows) {
    const k = {};
    for (const r of rows) {
      const s = r.segment ?? '(missing)';
      k[`n:${s}`] = Number(r.n);
      k[`aum:${s}`] = r.aum;
      k[`rev:${s}`] = r.rev;
      k[`cost:${s}`] = r.cost;
      k[`ratio:${s}`] = r.rev === 0 || r.rev == null ? null : r.cost / r.rev;
    }
    return k;
  },
  floor(tables) {
    let labels = null, n = null, aum, rev, cost;
    for (const b of batchesOf(tables)) {
      const s = col(b, 'segment'), a = col(b, 'aum').v, r = col(b, 'revenue').v, c = col(b, 'costToServe').v;
      if (labels === null) {
        labels = dictLabels(s.dict);
        const G = labels.length;
        n = new Float64Array(G); aum = new Float64Array(G); rev = new Float64Array(G); cost = new Float64Array(G);
      }
      const codes = s.v, len = b.numRows;
      for (let i = 0; i < len; i++) {
        const g = codes[i];
        n[g]++; aum[g] += a[i]; rev[g] += r[i]; cost[g] += c[i];
      }
    }
    return this.fromGroups(labels.map((segment, g) => ({ segment, n: n[g], aum: aum[g], rev: rev[g], cost: cost[g] })).filter((x) => x.n > 0));
  },
  sql: `SELECT segment, count(*) AS n, sum(aum) AS aum, sum(revenue) AS rev, sum(costToServe) AS cost FROM t GROUP BY segment`,
  fromSql(rows) { return this.fromGroups(rows); },
  arquero(t) {
    return this.fromGroups(t.groupby('segment').rollup({ n: aq.op.count(), aum: aq.op.sum('aum'), rev: aq.op.sum('revenue'), cost: aq.op.sum('costToServe') }).objects());
  },
};

const assetLoyalty = {
  name: 'asset-loyalty',
  kernel: 'asset-loyalty',
  spec: {},
  key(r) {
    const k = {};
    for (const c of r.cells) {
      if (c.count === 0) continue;
      k[`n:${c.asset}/${c.loyalty}`] = c.count;
      k[`aum:${c.asset}/${c.loyalty}`] = c.aum;
      k[`rev:${c.asset}/${c.loyalty}`] = c.revenue;
    }
    return k;
  },
  fromCells(rows) {
    const A = ['low', 'mid', 'high', '(missing)'], L = ['low', 'medium', 'high', '(missing)'];
    const k = {};
    for (const r of rows) {
      if (!(Number(r.n) > 0)) continue;
      const id = `${A[r.a]}/${L[r.l]}`;
      k[`n:${id}`] = Number(r.n);
      k[`aum:${id}`] = r.aum;
      k[`rev:${id}`] = r.rev;
    }
    return k;
  },
  floor(tables) {
    const n = new Float64Array(16), aum = new Float64Array(16), rev = new Float64Array(16);
    const e0 = ASSET_EDGES[0], e1 = ASSET_EDGES[1];
    for (const b of batchesOf(tables)) {
      const ac = col(b, 'aum'), pc = col(b, 'productsHeld'), tc = col(b, 'txnCount12m'), rc = col(b, 'revenue');
      const a = ac.v, p = pc.v, t = tc.v, r = rc.v, len = b.numRows;
      const anyNull = ac.bits || pc.bits || tc.bits || rc.bits;
      for (let i = 0; i < len; i++) {
        const x = a[i];
        let ai = x === x ? +(x >= e0) + +(x >= e1) : 3;
        let li = +(p[i] >= 3) + +(t[i] >= 24);
        if (anyNull) {
          if (!valid(ac, i)) ai = 3;
          if (!valid(pc, i) || !valid(tc, i)) li = 3;
        }
        const c = ai * 4 + li;
        n[c]++;
        if (x === x && (!anyNull || valid(ac, i))) aum[c] += x;
        if (!anyNull || valid(rc, i)) rev[c] += r[i];
      }
    }
    const rows = [];
    for (let c = 0; c < 16; c++) rows.push({ a: c >> 2, l: c & 3, n: n[c], aum: aum[c], rev: rev[c] });
    return this.fromCells(rows);
  },
  sql: `SELECT a, l, count(*) AS n, sum(aum) AS aum, sum(revenue) AS rev FROM (
      SELECT CASE WHEN aum IS NULL OR isnan(aum) THEN 3 WHEN aum >= ${ASSET_EDGES[1]} THEN 2 WHEN aum >= ${ASSET_EDGES[0]} THEN 1 ELSE 0 END AS a,
             CASE WHEN productsHeld IS NULL OR txnCount12m IS NULL THEN 3 ELSE (productsHeld >= 3)::INT + (txnCount12m >= 24)::INT END AS l,
             aum, revenue FROM t) GROUP BY a, l`,
  fromSql(rows) { return this.fromCells(rows); },
  arquero(t) {
    const e0 = ASSET_EDGES[0], e1 = ASSET_EDGES[1];
    return this.fromCells(
      t.params({ e0, e1 })
        .derive({ a: (d, $) => (d.aum == null || d.aum !== d.aum ? 3 : d.aum >= $.e1 ? 2 : d.aum >= $.e0 ? 1 : 0), l: (d) => (d.productsHeld == null || d.txnCount12m == null ? 3 : (d.productsHeld >= 3 ? 1 : 0) + (d.txnCount12m >= 24 ? 1 : 0)) })
        .groupby('a', 'l')
        .rollup({ n: aq.op.count(), aum: aq.op.sum('aum'), rev: aq.op.sum('revenue') })
        .objects(),
    );
  },
};

const churnRules = {
  name: 'churn-rules',
  kernel: 'churn-rules',
  spec: { by: 'segment', asOf: AS_OF },
  key(r) {
    const k = { 'n:any': r.any, 'n:inactive': r.rules[0].clients, 'n:outflow': r.rules[1].clients };
    for (const g of r.groups) {
      k[`n:any:${g.key}`] = g.any;
      k[`n:inactive:${g.key}`] = g.perRule[0];
      k[`n:outflow:${g.key}`] = g.perRule[1];
    }
    return k;
  },
  fromGroups(rows) {
    const k = { 'n:any': 0, 'n:inactive': 0, 'n:outflow': 0 };
    for (const r of rows) {
      if (!(Number(r.any) > 0)) continue;
      const s = r.segment ?? null;
      k['n:any'] += Number(r.any); k['n:inactive'] += Number(r.inactive); k['n:outflow'] += Number(r.outflow);
      k[`n:any:${s}`] = Number(r.any);
      k[`n:inactive:${s}`] = Number(r.inactive);
      k[`n:outflow:${s}`] = Number(r.outflow);
    }
    return k;
  },
  floor(tables) {
    let labels = null, any, ina, out;
    const cut = AS_OF_DAY - 90;
    for (const b of batchesOf(tables)) {
      const s = col(b, 'segment'), dc = col(b, 'lastTxnDate'), oc = col(b, 'assetOutflow3m');
      if (labels === null) {
        labels = dictLabels(s.dict);
        any = new Float64Array(labels.length); ina = new Float64Array(labels.length); out = new Float64Array(labels.length);
      }
      const codes = s.v, d = dc.v, o = oc.v, len = b.numRows;
      for (let i = 0; i < len; i++) {
        const h1 = d[i] <= cut && valid(dc, i) ? 1 : 0;
        const h2 = o[i] > 0.5 && valid(oc, i) ? 1 : 0;
        const g = codes[i];
        ina[g] += h1; out[g] += h2; any[g] += h1 | h2;
      }
    }
    return this.fromGroups(labels.map((segment, g) => ({ segment, any: any[g], inactive: ina[g], outflow: out[g] })));
  },
  sql: `SELECT segment, count(*) FILTER (WHERE h1 OR h2) AS any, count(*) FILTER (WHERE h1) AS inactive, count(*) FILTER (WHERE h2) AS outflow FROM (
      SELECT segment, coalesce(${AS_OF_DAY} - (lastTxnDate - DATE '1970-01-01') >= 90, false) AS h1, coalesce(assetOutflow3m > 0.5 AND NOT isnan(assetOutflow3m), false) AS h2 FROM t)
      GROUP BY segment`,
  fromSql(rows) { return this.fromGroups(rows); },
  arquero(t) {
    return this.fromGroups(
      t.params({ cut: AS_OF_DAY - 90 })
        .derive({ h1: (d, $) => (d.lastTxnDate != null && aq.op.floor(+d.lastTxnDate / 86400000) <= $.cut ? 1 : 0), h2: (d) => (d.assetOutflow3m != null && d.assetOutflow3m > 0.5 ? 1 : 0) })
        .groupby('segment')
        .rollup({ any: (d) => aq.op.sum(d.h1 || d.h2 ? 1 : 0), inactive: aq.op.sum('h1'), outflow: aq.op.sum('h2') })
        .objects(),
    );
  },
};

const funnel = {
  name: 'funnel',
  kernel: 'funnel',
  spec: { stageColumn: 'lifecycleStage', steps: STEPS },
  key(r) {
    const k = { 'n:missing': r.outside.missing };
    r.steps.forEach((s) => (k[`n:${s.label}`] = s.count));
    return k;
  },
  fromHist(hist, missing) {
    const k = { 'n:missing': missing };
    for (let s = 0; s < STEPS.length; s++) {
      let c = 0;
      for (let l = s; l < STEPS.length; l++) c += hist[l];
      k[`n:${STEPS[s]}`] = c;
    }
    return k;
  },
  floor(tables) {
    const hist = new Float64Array(STEPS.length + 1);
    let lut = null, dictSeen = null;
    for (const b of batchesOf(tables)) {
      const s = col(b, 'lifecycleStage');
      if (s.dict !== dictSeen) {
        dictSeen = s.dict;
        lut = Int32Array.from(dictLabels(s.dict), (l) => STAGE_LEVEL[l] ?? STEPS.length);
      }
      const codes = s.v, len = b.numRows;
      if (s.bits === null) for (let i = 0; i < len; i++) hist[lut[codes[i]]]++;
      else for (let i = 0; i < len; i++) hist[valid(s, i) ? lut[codes[i]] : STEPS.length]++;
    }
    return this.fromHist(hist, hist[STEPS.length]);
  },
  sql: `SELECT lifecycleStage AS stage, count(*) AS n FROM t GROUP BY lifecycleStage`,
  fromStageCounts(rows) {
    const hist = new Float64Array(STEPS.length + 1);
    for (const r of rows) hist[r.stage == null ? STEPS.length : STAGE_LEVEL[r.stage] ?? STEPS.length] += Number(r.n);
    return this.fromHist(hist, hist[STEPS.length]);
  },
  fromSql(rows) { return this.fromStageCounts(rows); },
  arquero(t) {
    return this.fromStageCounts(t.groupby({ stage: (d) => d.lifecycleStage }).count({ as: 'n' }).objects());
  },
};

const whale = {
  name: 'whale-curve',
  kernel: 'whale-curve',
  spec: {},
  key(r) {
    const k = { 'n:clients': r.clients, total: r.totalProfit, 'n:peak': r.peak ? r.peak.clients : 0, peakProfit: r.peak ? r.peak.cumulativeProfit : 0, 'n:destroyers': r.valueDestroyers.clients, loss: r.valueDestroyers.loss };
    for (const p of r.points) if (p.clients % 1 === 0) k[`cum:${p.clientShare.toFixed(2)}`] = p.cumulativeProfit;
    return k;
  },
  /** From profits sorted descending. */
  fromSorted(desc, N) {
    let total = 0, pos = 0, neg = 0, loss = 0;
    const cum = new Float64Array(N + 1);
    for (let i = 0; i < N; i++) {
      const p = desc[i];
      cum[i + 1] = cum[i] + p;
      if (p > 0) pos++;
      else if (p < 0) { neg++; loss -= p; }
    }
    total = cum[N];
    const k = { 'n:clients': N, total, 'n:peak': pos, peakProfit: cum[pos], 'n:destroyers': neg, loss };
    if (N > 0) for (let i = 0; i <= WHALE_POINTS; i++) k[`cum:${(i / WHALE_POINTS).toFixed(2)}`] = cum[Math.floor((i * N) / WHALE_POINTS)];
    return k;
  },
  floor(tables) {
    let N = 0;
    for (const t of tables) N += t.numRows;
    const prof = new Float64Array(N);
    let n = 0;
    for (const b of batchesOf(tables)) {
      const rc = col(b, 'revenue'), cc = col(b, 'costToServe');
      const r = rc.v, c = cc.v, len = b.numRows, nulls = rc.bits || cc.bits;
      for (let i = 0; i < len; i++) {
        if (nulls && (!valid(rc, i) || !valid(cc, i))) continue;
        const p = r[i] - c[i];
        if (p - p === 0) prof[n++] = p;
      }
    }
    const s = prof.subarray(0, n).sort().reverse();
    return this.fromSorted(s, n);
  },
  sql: `SELECT revenue - costToServe AS p FROM t WHERE revenue IS NOT NULL AND costToServe IS NOT NULL AND isfinite(revenue - costToServe) ORDER BY p DESC`,
  sqlRaw: true,
  fromSqlTable(res) {
    const v = res.getChildAt(0).toArray();
    return this.fromSorted(v, v.length);
  },
  arquero(t) {
    const v = t.derive({ p: (d) => d.revenue - d.costToServe }).filter((d) => d.revenue != null && d.costToServe != null && aq.op.is_finite(d.p)).orderby(aq.desc('p')).array('p', Float64Array);
    return this.fromSorted(v, v.length);
  },
};

const rfm = {
  name: 'rfm',
  kernel: 'rfm',
  spec: {},
  key(r) {
    const k = { 'n:scored': r.scored, 'n:excluded': r.excluded };
    for (const c of r.cells) {
      k[`n:${c.code}`] = c.count;
      if (c.count > 0) k[`m:${c.code}`] = c.monetary;
    }
    return k;
  },
  fromCells(rows, scored, excluded) {
    const k = { 'n:scored': scored, 'n:excluded': excluded };
    for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) for (let m = 1; m <= 5; m++) k[`n:${100 * r + 10 * f + m}`] = 0;
    for (const x of rows) {
      const code = 100 * x.r + 10 * x.f + x.m;
      k[`n:${code}`] = Number(x.n);
      if (Number(x.n) > 0) k[`m:${code}`] = x.money;
    }
    return k;
  },
  floor(tables) {
    let N = 0;
    for (const t of tables) N += t.numRows;
    const D = new Int32Array(N), F = new Int32Array(N), M = new Float64Array(N);
    let n = 0;
    for (const b of batchesOf(tables)) {
      const dc = col(b, 'lastTxnDate'), fc = col(b, 'txnCount12m'), mc = col(b, 'revenue');
      const d = dc.v, f = fc.v, m = mc.v, len = b.numRows, nulls = dc.bits || fc.bits || mc.bits;
      for (let i = 0; i < len; i++) {
        const x = m[i];
        if (x - x !== 0) continue;
        if (nulls && (!valid(dc, i) || !valid(fc, i) || !valid(mc, i))) continue;
        D[n] = d[i]; F[n] = f[i]; M[n] = x + 0; n++;
      }
    }
    const excluded = N - n;
    // NTILE(5) starts of quintiles 2..5; boundary key = (value, tie index) at global rank s_j.
    const q = Math.floor(n / 5), rem = n % 5;
    const starts = [1, 2, 3, 4].map((j) => j * q + Math.min(j, rem));
    const bounds = (arr) => {
      const sorted = arr.slice(0, n).sort();
      return starts.map((s) => {
        if (s >= n) return { v: Infinity, need: 0 };
        const v = sorted[s];
        let lo = 0, hi = s; // first index with sorted[i] === v
        while (lo < hi) { const mid = (lo + hi) >> 1; if (sorted[mid] < v) lo = mid + 1; else hi = mid; }
        return { v, need: s - lo };
      });
    };
    const bd = bounds(D), bf = bounds(F), bm = bounds(M);
    const cnt = new Float64Array(125), money = new Float64Array(125);
    const ties = new Float64Array(12);
    const score = (x, b, o) => {
      let s = 1;
      for (let j = 0; j < 4; j++) {
        const bj = b[j];
        if (x > bj.v) s++;
        else if (x === bj.v) { if (ties[o + j]++ >= bj.need) s++; }
      }
      return s;
    };
    for (let i = 0; i < n; i++) {
      const r = score(D[i], bd, 0), f = score(F[i], bf, 4), m = score(M[i], bm, 8);
      const c = (r - 1) * 25 + (f - 1) * 5 + m - 1;
      cnt[c]++; money[c] += M[i];
    }
    const rows = [];
    for (let c = 0; c < 125; c++) rows.push({ r: Math.floor(c / 25) + 1, f: (Math.floor(c / 5) % 5) + 1, m: (c % 5) + 1, n: cnt[c], money: money[c] });
    return this.fromCells(rows, n, excluded);
  },
  sql: `WITH s AS (SELECT rowid AS rn, lastTxnDate AS d, txnCount12m AS f, revenue AS m,
                 (lastTxnDate IS NOT NULL AND txnCount12m IS NOT NULL AND revenue IS NOT NULL AND isfinite(revenue)) AS ok FROM t),
        q AS (SELECT NTILE(5) OVER (ORDER BY d, rn) AS r, NTILE(5) OVER (ORDER BY f, rn) AS f, NTILE(5) OVER (ORDER BY m, rn) AS mm, m FROM s WHERE ok)
        SELECT r, f, mm AS m, count(*) AS n, sum(m) AS money, (SELECT count(*) FROM s WHERE NOT ok) AS excluded FROM q GROUP BY ALL`,
  fromSql(rows) {
    const scored = rows.reduce((s, r) => s + Number(r.n), 0);
    return this.fromCells(rows, scored, rows.length ? Number(rows[0].excluded) : 0);
  },
  arquero(t) {
    const s = t.derive({ rn: () => aq.op.row_number() }).filter((d) => d.lastTxnDate != null && d.txnCount12m != null && d.revenue != null && aq.op.is_finite(d.revenue));
    // Arquero's ntile() does not split like SQL NTILE (first n mod 5 tiles one row larger), so the
    // tile is computed from row_number() over each ordering with SQL's rule.
    const n = s.numRows(), qq = Math.floor(n / 5), big = (n % 5) * (qq + 1);
    const tile = (d, $) => { const k = aq.op.row_number() - 1; return k < $.big ? Math.floor(k / ($.qq + 1)) + 1 : $.rem + Math.floor((k - $.big) / $.qq) + 1; };
    const q = s.params({ qq, big, rem: n % 5 })
      .orderby('lastTxnDate', 'rn').derive({ r: tile })
      .orderby('txnCount12m', 'rn').derive({ f: tile })
      .orderby('revenue', 'rn').derive({ m: tile })
      .unorder()
      .groupby('r', 'f', 'm').rollup({ n: aq.op.count(), money: aq.op.sum('revenue') });
    return this.fromCells(q.objects(), s.numRows(), t.numRows() - s.numRows());
  },
};

const ALL = [segmentRollup, assetLoyalty, churnRules, rfm, funnel, whale].filter((w) => WORKLOADS.includes(w.name));

// ---------------------------------------------------------------------------------------------
// Engines

function compare(ref, got) {
  const bad = [];
  for (const key of new Set([...Object.keys(ref), ...Object.keys(got)])) {
    const a = ref[key], b = got[key];
    if (a == null || b == null) {
      if ((a ?? null) !== (b ?? null)) bad.push(`${key}: ${a} vs ${b}`);
      continue;
    }
    if (key.startsWith('n:')) {
      if (a !== b) bad.push(`${key}: ${a} vs ${b}`);
    } else if (!(Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) || a === b)) {
      bad.push(`${key}: ${a} vs ${b} (rel ${(Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b))).toExponential(2)})`);
    }
  }
  return bad;
}

async function openDuck(tables) {
  const duckdb = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs');
  const dir = require.resolve('@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm').replace(/duckdb-mvp\.wasm$/, '');
  const bundles = {
    mvp: { mainModule: `${dir}duckdb-mvp.wasm`, mainWorker: `${dir}duckdb-node-mvp.worker.cjs` },
    eh: { mainModule: `${dir}duckdb-eh.wasm`, mainWorker: `${dir}duckdb-node-eh.worker.cjs` },
  };
  const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
  await db.instantiate(() => {});
  const conn = db.connect();
  tables.forEach((t, i) => conn.insertArrowFromIPCStream(tableToIPC(t, 'stream'), { name: 't', create: i === 0 }));
  return {
    raw: (sql) => conn.query(sql),
    query(sql) {
      return conn.query(sql).toArray().map((row) => {
        const o = row.toJSON();
        for (const k in o) if (typeof o[k] === 'bigint') o[k] = Number(o[k]);
        return o;
      });
    },
    close() { conn.close(); db.reset(); },
  };
}

async function openPool(tables, parts = 2) {
  const batches = batchesOf(tables);
  const workers = [];
  let rowOffset = 0;
  for (let p = 0; p < parts; p++) {
    const mine = batches.slice(Math.floor((p * batches.length) / parts), Math.floor(((p + 1) * batches.length) / parts));
    const w = new Worker(new URL('./kernels-worker.mjs', import.meta.url), { workerData: { configFile } });
    const queue = [];
    w.on('message', (m) => {
      if (m.t) m.t.push(clock()); // [worker received, worker done, main received]
      queue.shift()(m);
    });
    w.on('error', (e) => { while (queue.length) queue.shift()({ ok: false, error: String(e) }); });
    const call = (msg, transfer) => new Promise((resolve, reject) => {
      queue.push((m) => (m.ok ? resolve(m) : reject(new Error(m.error))));
      w.postMessage(msg, transfer);
    });
    await new Promise((resolve) => queue.push(resolve)); // ready
    const ipc = tableToIPC(new Table(mine), 'stream');
    await call({ type: 'load', ipc, rowOffset }, [ipc.buffer]);
    for (const b of mine) rowOffset += b.numRows;
    workers.push({ w, call });
  }
  const schema = local.schemaOfTable(tables[0]);
  const traces = [];
  // One stage on every worker: [sent, worker received, worker done, main received] per worker.
  const stage = async (msg) => {
    const sent = clock();
    const replies = await Promise.all(workers.map((x) => x.call(msg)));
    return { values: replies.map((m) => m.value), times: replies.map((m) => [sent, ...m.t]) };
  };
  return {
    traces,
    async run(kernelName, spec) {
      const t0 = clock();
      // As src/query/run-kernel.ts: validate here, send the caller's spec (workers validate again).
      const kernel = getKernel(kernelName);
      const v = kernel.validate(splitFilter(kernel, spec, schema).spec, schema);
      const t1 = clock();
      let params, prep = null;
      if (kernel.prepare) {
        prep = await stage({ type: 'prepare', kernel: kernelName, spec });
        params = kernel.prepare.reduce(prep.values, v);
      }
      const map = await stage({ type: 'map', kernel: kernelName, spec, params });
      const t2 = clock();
      const result = kernel.reduce(map.values, v, params);
      traces.push({ total: clock() - t0, validate: t1 - t0, prep: prep?.times ?? null, map: map.times, reduce: clock() - t2 });
      return result;
    },
    async close() {
      for (const x of workers) { await x.call({ type: 'close' }); await x.w.terminate(); }
    },
  };
}

/** Medians of the pool's stages over traced runs (ms): where a run's time goes. */
function traceSummary(traces) {
  const f = (x) => x.toFixed(2);
  const parts = [`total ${f(median(traces.map((t) => t.total)))}`, `validate ${f(median(traces.map((t) => t.validate)))}`];
  for (const key of ['prep', 'map']) {
    if (!traces[0][key]) continue;
    const n = traces[0][key].length;
    for (let w = 0; w < n; w++) {
      const at = (t) => t[key][w];
      parts.push(`${key}[${w}] to-worker ${f(median(traces.map((t) => at(t)[1] - at(t)[0])))} run ${f(median(traces.map((t) => at(t)[2] - at(t)[1])))} back ${f(median(traces.map((t) => at(t)[3] - at(t)[2])))}`);
    }
  }
  parts.push(`reduce ${f(median(traces.map((t) => t.reduce)))}`);
  return parts.join(', ');
}

/** A full garbage collection of this thread, for a clean start before each timed run. */
function collector() {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  // A plain major collection: gc() without options collects "all available garbage", which also
  // throws away compiled code, so every run then paid V8's compilers again (at 1M the churn rules
  // on one thread took 42 ms instead of 18-20, the whale curve 98 instead of 65).
  return () => gc({ type: 'major' });
}

/**
 * Median wall time of RUNS runs after a warm-up, and the median CPU time the process spent per run
 * (all threads): cpu / wall is the number of cores the run actually got, which tells a pool that
 * was starved of a second core (busy machine) from one that did not split its work.
 */
async function time(fn) {
  await fn(); // warm-up
  await quiet(60_000);
  const gc = collector();
  const ms = [], cpu = [];
  for (let i = 0; i < RUNS; i++) record(await measure(fn, gc), ms, cpu);
  return { ms: median(ms), cpu: median(cpu) };
}

/**
 * Waits until this process's threads are quiet (under QUIET_CORES of a core over a 50 ms window),
 * at most `maxMs`, and returns the ms waited. Two kinds of background work otherwise share the two
 * cores with a timed run: the sweep after the collection that starts each run (with Arquero's
 * tables in the heap, far longer than a fixed pause), and DuckDB-WASM's module, which goes on being
 * compiled to optimised code on V8's background threads after it loads and after its first queries
 * (dynamic tiering). At 1M, without this wait, the single-thread floor loop ran on 1.8 cores'
 * worth of process time and took twice as long.
 */
const QUIET_CORES = 0.15;
let waitedForQuiet = 0;
async function quiet(maxMs) {
  const t0 = performance.now();
  while (performance.now() - t0 < maxMs) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    await new Promise((r) => setTimeout(r, 50));
    const c = process.cpuUsage(c0);
    if ((c.user + c.system) / 1000 / (performance.now() - w0) < QUIET_CORES) break;
  }
  const waited = performance.now() - t0;
  waitedForQuiet += waited;
  return waited;
}

/** One run from a collected, settled heap (SETTLE_MS): its wall time and the CPU time of every thread, in ms. */
async function measure(fn, gc) {
  gc();
  if (SETTLE_MS > 0) await quiet(SETTLE_MS);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { ms, cpu: (c.user + c.system) / 1000 };
}

function record(r, ms, cpu) {
  ms.push(r.ms);
  cpu.push(r.cpu);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * clientlens-1 and the pool timed in alternation (one of each per round, the order swapped every
 * round), after a warm-up of each: the pool's speed-up is the median of the rounds' ratios. Timed
 * one after the other, a machine whose speed drifts between minutes (a shared 2-vCPU VM swung the
 * 10M ratios by 40% between quiet runs) gives each engine a different machine; in alternation both
 * meet the same one.
 */
async function timePaired(one, pool) {
  // Each run starts from a collected heap: clientlens-1 allocates on this thread, and in
  // alternation its garbage was otherwise collected during the pool's next run, on its clock.
  const gc = collector();
  await one();
  await pool();
  await quiet(60_000);
  const a = [], b = [], ca = [], cb = [], ratio = [];
  for (let i = 0; i < RUNS; i++) {
    if (i % 2 === 0) {
      record(await measure(one, gc), a, ca);
      record(await measure(pool, gc), b, cb);
    } else {
      record(await measure(pool, gc), b, cb);
      record(await measure(one, gc), a, ca);
    }
    ratio.push(a[i] / b[i]);
  }
  return { one: { ms: median(a), cpu: median(ca) }, pool: { ms: median(b), cpu: median(cb) }, speedup: median(ratio) };
}

/**
 * How much two threads get done on this machine compared with one, on a fixed compute loop that
 * touches no shared memory: 2.0 on two free cores; less when the vCPUs share a physical core, run
 * at a lower clock together, or other work takes a core. No pool can beat it, so it is printed
 * beside cl1/pool.
 */
async function machineParallelism() {
  const src = `const { parentPort } = require('node:worker_threads');
    parentPort.on('message', (ms) => {
      let x = 1, n = 0;
      const end = Date.now() + ms;
      while (Date.now() < end) { for (let i = 0; i < 100000; i++) x = (Math.imul(x, 1103515245) + 12345) | 0; n++; }
      parentPort.postMessage(n + (x & 0));
    });`;
  const workers = [new Worker(src, { eval: true }), new Worker(src, { eval: true })];
  const spin = (w, ms) => new Promise((r) => { w.once('message', r); w.postMessage(ms); });
  try {
    await Promise.all(workers.map((w) => spin(w, 100))); // warm-up
    const ratios = [];
    for (let i = 0; i < 3; i++) {
      const one = await spin(workers[0], 300);
      const two = (await Promise.all(workers.map((w) => spin(w, 300)))).reduce((a, b) => a + b, 0);
      ratios.push(two / one);
    }
    return ratios.sort((a, b) => a - b)[1];
  } finally {
    for (const w of workers) await w.terminate();
  }
}

// ---------------------------------------------------------------------------------------------
// Main

const records = [];
const summary = [];
for (const rows of ROWS) {
  log(`\n== ${rows.toLocaleString('en-US')} rows; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} (${cpus().length} CPUs) ==`);
  if (PAIRED) log(`machine: two threads do ${(await machineParallelism()).toFixed(2)}x the work of one on a plain compute loop (the most a 2-worker pool can gain here)`);
  let t0 = performance.now();
  const tables = gen.generatePortfolio({ rows });
  log(`generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  t0 = performance.now();
  const duck = ENGINES.includes('duckdb-wasm') ? await openDuck(tables) : null;
  if (duck) log(`duckdb-wasm loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  t0 = performance.now();
  let aqt = null;
  if (ENGINES.includes('arquero')) {
    try {
      aqt = aq.fromArrow(tables[0]);
      for (let i = 1; i < tables.length; i++) aqt = aqt.concat(aq.fromArrow(tables[i]));
      log(`arquero loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } catch (e) {
      log(`arquero: load failed: ${e.message}`);
    }
  }
  t0 = performance.now();
  let pool = null;
  if (ENGINES.includes('clientlens-pool')) {
    try {
      pool = await openPool(tables, 2);
      log(`clientlens-pool (2 worker_threads) loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } catch (e) {
      log(`clientlens-pool: not measured (${e.message})`);
    }
  }

  const table = [];
  for (const w of ALL) {
    const kernel = getKernel(w.kernel);
    const engines = {
      'clientlens-1': async () => w.key(await local.runKernelLocal(kernel, tables, w.spec)),
      'clientlens-pool': pool ? async () => w.key(await pool.run(w.kernel, w.spec)) : null,
      'duckdb-wasm': duck ? async () => (w.sqlRaw ? w.fromSqlTable(duck.raw(w.sql)) : w.fromSql(duck.query(w.sql))) : null,
      arquero: aqt ? async () => w.arquero(aqt) : null,
      floor: async () => w.floor(tables),
    };
    const ref = await engines['clientlens-1']();
    const row = { workload: w.name, ms: {}, cores: {}, notes: [] };
    for (const name of ENGINES) {
      const fn = engines[name];
      if (!fn) { row.ms[name] = null; continue; }
      let got;
      try {
        got = await fn();
      } catch (e) {
        row.notes.push(`${name}: ERROR ${e.message.split('\n')[0]}`);
        row.ms[name] = null;
        continue;
      }
      const bad = name === 'clientlens-1' ? [] : compare(ref, got);
      if (bad.length) {
        row.notes.push(`${name}: MISMATCH vs clientlens-1 (${bad.length} figures): ${bad.slice(0, 4).join('; ')}`);
        log(`!! ${w.name} / ${name}: MISMATCH vs clientlens-1 (${bad.length} figures): ${bad.slice(0, 4).join('; ')}`);
        row.mismatch = true;
      }
      if (name === 'clientlens-pool' && pool) pool.traces.length = 0;
      // With both clientlens engines, they are timed together in alternation (timePaired), when
      // the pool's turn comes; clientlens-1's own slot only checks its answer.
      const paired = PAIRED && (name === 'clientlens-1' || name === 'clientlens-pool');
      if (paired && name === 'clientlens-1') continue;
      let ms, cpu;
      if (paired) {
        const p = await timePaired(engines['clientlens-1'], fn);
        row.ms['clientlens-1'] = p.one.ms;
        row.cores['clientlens-1'] = p.one.cpu / p.one.ms;
        records.push({ workload: w.name, engine: 'clientlens-1', rows, ms: Math.round(p.one.ms * 100) / 100 });
        row.speedup = p.speedup;
        ({ ms, cpu } = p.pool);
      } else ({ ms, cpu } = await time(fn));
      row.ms[name] = ms;
      row.cores[name] = cpu / ms;
      if (name === 'clientlens-pool' && pool && TRACE_POOL) log(`  ${w.name} pool trace: ${traceSummary(pool.traces.slice(1))}`);
      records.push({ workload: w.name, engine: name, rows, ms: Math.round(ms * 100) / 100 });
    }
    table.push(row);
    log(`  (waited ${(waitedForQuiet / 1000).toFixed(1)} s in all for background work in this process to finish before the timed runs)`);
    waitedForQuiet = 0;
    log(`  ${w.name}: ${ENGINES.map((e) => `${e} ${row.ms[e] == null ? '-' : `${row.ms[e].toFixed(1)} (${row.cores[e].toFixed(2)} cores)`}`).join(', ')}${row.mismatch ? '  [MISMATCH]' : ''}`);
  }

  // Table
  const f = (x) => (x == null ? 'n/m' : x.toFixed(1));
  const r = (a, b) => (a == null || b == null ? 'n/m' : (a / b).toFixed(2));
  const head = ['workload', ...ENGINES.map((e) => `${e} ms`), 'cl1/floor', 'duck/cl1', 'duck/pool', 'cl1/pool', 'check'];
  const lines = table.map((t) => [t.workload, ...ENGINES.map((e) => f(t.ms[e])), r(t.ms['clientlens-1'], t.ms.floor), r(t.ms['duckdb-wasm'], t.ms['clientlens-1']), r(t.ms['duckdb-wasm'], t.ms['clientlens-pool']), t.speedup != null ? t.speedup.toFixed(2) : r(t.ms['clientlens-1'], t.ms['clientlens-pool']), t.mismatch ? 'MISMATCH' : t.notes.length ? 'ERROR' : 'ok']);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (l) => '| ' + l.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  log(`\nrows = ${rows.toLocaleString('en-US')}, median of ${RUNS} runs after 1 warm-up, load average now ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  log(fmt(head));
  log('|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|');
  for (const l of lines) log(fmt(l));
  for (const t of table) for (const n of t.notes) log(`  note ${t.workload}: ${n}`);
  // Targets
  const ok = (b) => (b == null ? 'n/m' : b ? 'MET' : 'NOT MET');
  for (const t of table) {
    const cl = t.ms['clientlens-1'];
    const floorT = cl != null && t.ms.floor != null ? cl / t.ms.floor <= 1.5 : null;
    // The pool is what a user gets; the single worker's ratio is in the table.
    const pl = t.ms['clientlens-pool'];
    const duckT = pl != null && t.ms['duckdb-wasm'] != null ? t.ms['duckdb-wasm'] / pl >= 4 : null;
    const speedup = t.speedup ?? (cl != null && t.ms['clientlens-pool'] != null ? cl / t.ms['clientlens-pool'] : null);
    const poolT = rows >= 10_000_000 && speedup != null ? speedup >= 1.6 : null;
    summary.push({ rows, workload: t.workload, floorT, duckT, poolT });
    log(`  targets ${t.workload.padEnd(15)} cl1 <= 1.5x floor: ${ok(floorT).padEnd(7)}  >= 4x faster than DuckDB (pool): ${ok(duckT).padEnd(7)}  pool >= 1.6x (10M only): ${ok(poolT)}${t.mismatch ? '  (answers MISMATCH: see notes)' : ''}`);
  }

  if (pool) await pool.close();
  if (duck) duck.close();
}
await vite.close();
if (JSON_OUT) console.log(JSON.stringify(records));
