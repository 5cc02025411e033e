/**
 * Data-spine benchmarks, run in headless Chromium by bench/run.mjs (or open /bench/ in the dev
 * server). Every figure is wall-clock time as the page sees it; work happens in the worker pool.
 */
import { DataHub } from '../src/dataset/data-hub.js';
import { chunkCount, generatePortfolioChunk } from '../src/generate/portfolio.js';
import type { Table } from 'apache-arrow';

interface Figure {
  readonly name: string;
  readonly ms: number;
  readonly runs: number[];
  readonly target?: number;
  readonly note?: string;
}

const params = new URLSearchParams(location.search);
const ROWS = Number(params.get('rows') ?? 1_000_000);
const REPEAT = Number(params.get('repeat') ?? 3);
const log = document.querySelector('#log')!;
const say = (s: string) => (log.textContent += `\n${s}`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const uid = () => `bench-${Date.now()}-${Math.random().toString(36).slice(2)}`;

async function generateFigure(workers: number): Promise<Figure> {
  const runs: number[] = [];
  for (let r = 0; r < REPEAT; r++) {
    const hub = await DataHub.create({ workers, cache: false });
    await hub.pool.runOnEach('drop-dataset', () => ({ datasetId: 'warm-up' }));
    const t0 = performance.now();
    const d = await hub.load({ kind: 'generate', options: { rows: ROWS } }, { useCache: false });
    runs.push(performance.now() - t0);
    if (d.rows !== ROWS) throw new Error(`generated ${d.rows} rows, expected ${ROWS}`);
    await hub.dispose();
  }
  return { name: `generate ${ROWS.toLocaleString('en')} clients, ${workers} worker${workers > 1 ? 's' : ''}`, ms: median(runs), runs, target: 3000 };
}

const CSV_COLUMNS = ['clientId', 'name', 'clientType', 'segment', 'region', 'aum', 'deposits', 'loans', 'revenue', 'costToServe', 'assetOutflow3m', 'productsHeld', 'txnCount12m', 'lastTxnDate', 'openDate'];

function iso(days: number | null): string {
  return days === null ? '' : new Date(days * 86_400_000).toISOString().slice(0, 10);
}

/** A 15-column CSV of the generated clients, built once (not timed). */
function buildCsv(): ArrayBuffer {
  const lines: string[] = [CSV_COLUMNS.join(',')];
  for (let c = 0; c < chunkCount(ROWS); c++) {
    const t: Table = generatePortfolioChunk({ rows: ROWS }, c);
    const cols = CSV_COLUMNS.map((n) => t.getChild(n)!);
    for (let i = 0; i < t.numRows; i++) {
      const cells = cols.map((col, j) => {
        const v = col.get(i);
        if (v === null || v === undefined) return '';
        if (j === 13 || j === 14) return iso(typeof v === 'number' ? Math.floor(v / 86_400_000) : Math.floor((v as Date).getTime() / 86_400_000));
        const s = String(v);
        return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
      });
      lines.push(cells.join(','));
    }
  }
  return new TextEncoder().encode(lines.join('\n')).buffer as ArrayBuffer;
}

async function csvFigure(): Promise<Figure[]> {
  const csv = buildCsv();
  const runs: number[] = [];
  const whole: number[] = [];
  let rows = 0;
  for (let r = 0; r < REPEAT; r++) {
    const hub = await DataHub.create({ workers: 2, cache: false });
    const d = await hub.load({ kind: 'bytes', name: `bench-${r}.csv`, bytes: csv.slice(0) }, { useCache: false });
    const step = d.steps.find((s) => s.step === 'ingest')!;
    runs.push(step.detail!.parseMs!);
    whole.push(step.ms);
    rows = d.rows;
    await hub.dispose();
  }
  if (rows !== ROWS) throw new Error(`CSV ingest kept ${rows} rows, expected ${ROWS}`);
  return [
    { name: `CSV ${ROWS.toLocaleString('en')} rows x 15 columns -> Arrow, in a worker`, ms: median(runs), runs, target: 4000, note: `${(csv.byteLength / 1024 / 1024).toFixed(0)} MiB of CSV` },
    { name: `same, plus cutting, serialising and hashing chunks for the cache`, ms: median(whole), runs: whole },
  ];
}

async function cacheFigures(): Promise<Figure[]> {
  const name = uid();
  const writer = await DataHub.create({ workers: 2, cache: { name } });
  const first = await writer.load({ kind: 'generate', options: { rows: ROWS } });
  const bytes = first.bytes;
  await writer.dispose();
  const warm: number[] = [];
  const cold: number[] = [];
  for (let r = 0; r < REPEAT; r++) {
    // Warm pool: workers already started, as on a page whose elements are up.
    const hub = await DataHub.create({ workers: 2, cache: { name } });
    await hub.pool.runOnEach('drop-dataset', () => ({ datasetId: 'warm-up' }));
    const t0 = performance.now();
    const d = await hub.load({ kind: 'generate', options: { rows: ROWS } });
    warm.push(performance.now() - t0);
    say(`  steps: ${d.steps.map((s) => `${s.step} ${s.ms.toFixed(0)} ms`).join(', ')}`);
    if (d.origin !== 'cache') throw new Error('expected a cache hit');
    await hub.dispose();
    // Cold: including the workers' start-up.
    const t1 = performance.now();
    const hub2 = await DataHub.create({ workers: 2, cache: { name } });
    await hub2.load({ kind: 'generate', options: { rows: ROWS } });
    cold.push(performance.now() - t1);
    await hub2.dispose();
  }
  return [
    { name: `cached ${ROWS.toLocaleString('en')} clients: IndexedDB -> ready in 2 workers`, ms: median(warm), runs: warm, target: 500, note: `${(bytes / 1024 / 1024).toFixed(0)} MiB, checksums verified` },
    { name: `same, including worker start-up`, ms: median(cold), runs: cold },
  ];
}

async function main() {
  const figures: Figure[] = [];
  say(`rows=${ROWS} repeat=${REPEAT} cores=${navigator.hardwareConcurrency}`);
  for (const step of [() => generateFigure(1), () => generateFigure(2), csvFigure, cacheFigures]) {
    const out = await step();
    for (const f of [out].flat()) {
      figures.push(f);
      say(`${f.name}: ${f.ms.toFixed(0)} ms`);
    }
  }
  (window as unknown as { __bench: unknown }).__bench = { figures, userAgent: navigator.userAgent, cores: navigator.hardwareConcurrency };
}

main().catch((err) => {
  (window as unknown as { __bench: unknown }).__bench = { error: String(err?.stack ?? err) };
  say(`failed: ${err}`);
});
