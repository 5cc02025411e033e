// Gathered columns' buffers are reused once their view has left the cache and no job holds views
// (filtered-rows.ts, useViews): answers must not change, a view evicted while a job holds it must
// keep its columns until that job ends, and buffers must actually come back for later filters.
import { describe, expect, it } from 'vitest';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { runKernelSplit, tableRows } from '../../workers/kernels/run-local.js';
import { getKernel } from '../../workers/kernels/index.js';
import { BURST_GAP_MS, clearViewBufferPool, filterRows, filteredViewStats, setFilteredViewCache, useViews, viewBufferStats } from '../../workers/kernels/filtered-rows.js';
import type { RecordBatch } from 'apache-arrow';
import type { FilterSpec } from '../../workers/kernels/filter.js';

const tables = generatePortfolio({ rows: 140_000, seed: 5 });
const eq = (column: string, value: string): FilterSpec => ({ all: [{ column, op: 'eq', value }] });
const retail = eq('clientType', 'retail');
const mass = eq('tier', 'mass');
const app = eq('channel', 'app');
const east = eq('region', '华东');
const north = eq('region', '华北');
/** Recycling happens a task after the last holder lets go. */
const nextTask = () => new Promise((r) => setTimeout(r, 0));
const aumOf = (batch: RecordBatch) => batch.getChild('aum')!.data[0].values as Float64Array;
/** The pause between two filter changes (a new burst of jobs). */
const nextChange = () => new Promise((r) => setTimeout(r, BURST_GAP_MS + 5));
/** Runs `read` as a worker's job of `filter` does: holding its views, then a task for recycling. */
async function asJob(filter: FilterSpec, read: () => void): Promise<void> {
  const release = useViews(filter);
  try {
    read();
  } finally {
    release();
  }
  await nextTask();
}

describe('reused buffers of filtered views', () => {
  it('gives the answers of fresh buffers through broad and narrow filter changes', async () => {
    const queries: [string, Record<string, unknown>][] = [
      ['kpis', {}],
      ['profitability', { by: 'segment' }],
      ['whale-curve', { points: 20, topN: 5 }],
      ['churn-rules', { rules: [{ id: 'inactive', kind: 'inactivity', threshold: 90 }, { id: 'outflow', kind: 'asset-outflow', threshold: 0.5 }], asOf: '2026-06-30', by: 'segment' }],
    ];
    const reused = viewBufferStats.reused;
    for (const filter of [retail, mass, app, retail, east, mass, retail]) {
      for (const [name, spec] of queries) {
        // As a worker's job holds them.
        const release = useViews();
        let got: unknown;
        try {
          got = await runKernelSplit(getKernel(name), tables, { ...spec, filter }, 2);
        } finally {
          release();
        }
        await nextTask();
        setFilteredViewCache(false);
        try {
          expect(got, `${name} ${JSON.stringify(filter)}`).toEqual(await runKernelSplit(getKernel(name), tables, { ...spec, filter }, 2));
        } finally {
          setFilteredViewCache(true);
        }
      }
    }
    expect(viewBufferStats.reused - reused, 'later filters gather into earlier filters\' buffers').toBeGreaterThan(0);
  });

  it('keeps a view evicted while a job holds it intact until that job ends, then reuses its buffers', async () => {
    // Batches of their own: the first test's views of `tables` are still in the cache.
    const rows = tableRows(generatePortfolio({ rows: 140_000, seed: 6 }));
    clearViewBufferPool();
    const job = useViews();
    const held = filterRows(rows, retail);
    const before = held.map(({ batch }) => Float64Array.from(aumOf(batch)));
    // Two narrow filters evict it from the cache (a batch keeps two), and another job comes and goes.
    for (const f of [east, north]) for (const { batch } of filterRows(rows, f)) aumOf(batch);
    const other = useViews();
    other();
    await nextTask();
    // Another broad filter's columns fit the evicted view's buffers: it would take them if they were free.
    for (const { batch } of filterRows(rows, mass)) aumOf(batch);
    held.forEach(({ batch }, i) => expect(aumOf(batch), `batch ${i} still holds its column`).toEqual(before[i]));
    job();
    await nextTask();
    // Nothing holds views now: the retired buffers come back for the next filter's gathers.
    const reused = viewBufferStats.reused;
    for (const { batch } of filterRows(rows, retail)) aumOf(batch);
    expect(viewBufferStats.reused).toBeGreaterThan(reused);
  });
});

/** Buffers allocated for `second`'s gathers when it comes a filter change after `first`'s (fresh batches, empty pool). */
async function allocatedBySecond(seed: number, first: FilterSpec, second: FilterSpec): Promise<number> {
  const rows = tableRows(generatePortfolio({ rows: 140_000, seed }));
  clearViewBufferPool();
  await asJob(first, () => filterRows(rows, first).forEach(({ batch }) => aumOf(batch)));
  await nextChange();
  const allocated = viewBufferStats.allocated;
  await asJob(second, () => filterRows(rows, second).forEach(({ batch }) => aumOf(batch)));
  return viewBufferStats.allocated - allocated;
}

describe('buffers of views no job holds', () => {
  // Gathers into fresh memory cost ~10x those into pooled buffers in Chromium's workers: a broad
  // filter after another must find the first one's buffers free.
  it('are freed by the next filter\'s view, so one broad filter after another allocates nothing', async () => {
    // Mass keeps fewer rows than retail: retail's buffers fit it.
    expect(await allocatedBySecond(8, retail, mass)).toBe(0);
  });

  // Cross-filtering: a panel with a selection queries without its own condition, the others with
  // it, so one filter change runs jobs of two filters; a worker may wait between them for the
  // page (a merge, a next stage) as long as it waits between two changes.
  it('are kept for every filter of one filter change, across the worker\'s waits within it', async () => {
    const rows = tableRows(generatePortfolio({ rows: 140_000, seed: 10 }));
    const both: FilterSpec = { all: [...retail.all!, ...mass.all!] };
    const misses = filteredViewStats.misses;
    for (let job = 0; job < 6; job++) {
      const filter = job % 2 ? both : retail;
      if (job === 3) await nextChange();
      const release = useViews(filter);
      filterRows(rows, filter).forEach(({ batch }) => aumOf(batch));
      release();
    }
    expect(filteredViewStats.misses - misses, 'views made').toBe(2 * rows.length);
  });

  it('are sized for the whole batch when a view keeps over half of it, so any broad view fits them', async () => {
    // 76% of the rows, then 88%: sized to their own rows (in 64 KiB steps), the first's buffers
    // were a step too small for the second's columns.
    const notMassAffluent: FilterSpec = { all: [{ column: 'tier', op: 'ne', value: 'mass-affluent' }] };
    expect(await allocatedBySecond(9, notMassAffluent, retail)).toBe(0);
  });

  it('go back to the pool while jobs of another filter still run, and views a job holds stay intact', async () => {
    const rows = tableRows(generatePortfolio({ rows: 140_000, seed: 7 }));
    clearViewBufferPool();
    // A job of the retail filter runs, gathers, and ends.
    const retailJob = useViews(retail);
    for (const { batch } of filterRows(rows, retail)) aumOf(batch);
    retailJob();
    await nextTask();
    // The jobs of the next filters (east, then north) hold their own views only; north's evicts retail's.
    const eastJob = useViews(east);
    const eastViews = filterRows(rows, east);
    const eastBefore = eastViews.map(({ batch }) => Float64Array.from(aumOf(batch)));
    const northJob = useViews(north);
    for (const { batch } of filterRows(rows, north)) aumOf(batch);
    await nextTask();
    // Mass's columns fit retail's buffers: they are free although east's and north's jobs still run.
    const reused = viewBufferStats.reused;
    for (const { batch } of filterRows(rows, mass)) aumOf(batch);
    expect(viewBufferStats.reused - reused, 'mass gathers into retail\'s buffers').toBeGreaterThan(0);
    // Mass evicted east's views while east's job still held them: they keep their columns.
    eastViews.forEach(({ batch }, i) => expect(aumOf(batch), `east batch ${i}`).toEqual(eastBefore[i]));
    await nextTask();
    for (const { batch } of filterRows(rows, app)) aumOf(batch);
    eastViews.forEach(({ batch }, i) => expect(aumOf(batch), `east batch ${i} after another filter`).toEqual(eastBefore[i]));
    eastJob();
    northJob();
  });
});
