// Warming the workers' filtered code paths (src/query/query-warmer.ts, workers/jobs/kernel-warm-job.ts):
// the page sends the panels' queries once, after they have quietened, never after a filtered query;
// the worker runs each with a filter of its own over its rows, counts the ones that do not fit, stops
// when cancelled, and leaves every later answer as it was.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DatasetStore } from '../../workers/dataset-store.js';
import type { JobContext } from '../../workers/job-host.js';
import { kernelWarmJob } from '../../workers/jobs/kernel-warm-job.js';
import { kernelJob } from '../../workers/jobs/kernel-job.js';
import { filterRows, filteredViewStats, setFilteredViewCache } from '../../workers/kernels/filtered-rows.js';
import { rowMaskStats, setRowMaskCache } from '../../workers/kernels/filter.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { MAX_WARM_QUERIES, QUIET_MS, QueryWarmer, type WarmQuery } from '../../src/query/query-warmer.js';

function context(cancelAfter?: number): { ctx: JobContext; checkpoints: () => number } {
  let checkpoints = 0;
  const controller = new AbortController();
  const ctx: JobContext = {
    signal: controller.signal,
    progress: () => {},
    checkpoint: async () => {
      checkpoints++;
      if (cancelAfter !== undefined && checkpoints > cancelAfter) controller.abort(new DOMException('Job cancelled', 'AbortError'));
      controller.signal.throwIfAborted();
    },
    transfer: (v) => v,
  };
  return { ctx, checkpoints: () => checkpoints };
}

describe('QueryWarmer (page side)', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  function warmer() {
    const sent: (readonly WarmQuery[])[] = [];
    const signals: AbortSignal[] = [];
    const w = new QueryWarmer(async (q, signal) => void (sent.push(q), signals.push(signal)));
    return { w, sent, signals };
  }

  it('sends the distinct queries once, QUIET_MS after the last one started', () => {
    const { w, sent } = warmer();
    w.note('kpis', {});
    vi.advanceTimersByTime(QUIET_MS - 1);
    w.note('segment-rollup', { by: { column: 'region' } });
    w.note('kpis', {});
    vi.advanceTimersByTime(QUIET_MS - 1);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([[{ kernel: 'kpis', spec: {} }, { kernel: 'segment-rollup', spec: { by: { column: 'region' } } }]]);
    w.note('funnel', {});
    vi.advanceTimersByTime(10 * QUIET_MS);
    expect(sent).toHaveLength(1);
  });

  it('never warms once a query with a page filter was seen, and stops a warm-up under way', () => {
    const a = warmer();
    a.w.note('kpis', {});
    a.w.note('kpis', { filter: { all: [{ column: 'region', op: 'eq', value: '华北' }] } });
    vi.advanceTimersByTime(10 * QUIET_MS);
    expect(a.sent).toEqual([]);
    // An empty filter is no filter.
    const b = warmer();
    b.w.note('kpis', { filter: { all: [] } });
    vi.advanceTimersByTime(QUIET_MS);
    expect(b.sent).toHaveLength(1);
    expect(b.signals[0].aborted).toBe(false);
    b.w.note('funnel', {});
    expect(b.signals[0].aborted).toBe(false);
    b.w.note('kpis', { filter: { any: [{ column: 'segment', op: 'eq', value: 'SME' }] } });
    expect(b.signals[0].aborted).toBe(true);
  });

  it('keeps at most MAX_WARM_QUERIES, and dispose before the quiet sends nothing', () => {
    const { w, sent } = warmer();
    for (let i = 0; i < MAX_WARM_QUERIES + 5; i++) w.note('kpis', { i });
    vi.advanceTimersByTime(QUIET_MS);
    expect(sent[0]).toHaveLength(MAX_WARM_QUERIES);
    const other = warmer();
    other.w.note('kpis', {});
    other.w.dispose();
    vi.advanceTimersByTime(10 * QUIET_MS);
    expect(other.sent).toEqual([]);
  });
});

describe('kernel-warm job (worker side)', () => {
  const store = new DatasetStore();
  const tables = generatePortfolio({ rows: 6000, seed: 12 });
  let offset = 0;
  tables.forEach((table, index) => {
    store.put('ds', { index, rowOffset: offset, table });
    offset += table.numRows;
  });
  const queries: WarmQuery[] = [
    { kernel: 'kpis', spec: {} },
    { kernel: 'segment-rollup', spec: { by: { column: 'segment' }, measures: [{ column: 'aum', agg: 'median' }] } },
    { kernel: 'whale-curve', spec: { points: 20 } },
    { kernel: 'funnel', spec: { stageColumn: 'lifecycleStage', steps: ['prospect', 'new', 'growing', 'mature'] } },
    { kernel: 'churn-rules', spec: { by: 'segment', asOf: '2026-06-30' } },
  ];

  it('runs every query with a category filter of its own and counts the ones that do not fit', async () => {
    const bad: WarmQuery[] = [{ kernel: 'segment-rollup', spec: { by: { column: 'noSuchColumn' } } }, { kernel: 'no-such-kernel', spec: {} }];
    const result = await kernelWarmJob(store)({ datasetId: 'ds', queries: [...queries, ...bad] }, context().ctx);
    expect(result.warmed).toBe(queries.length);
    expect(result.failed).toBe(bad.length);
    // Several rounds, no two alike: "a category column = one of its values" first (narrow), then
    // "!=" the same values (broad), each passing part of the rows.
    expect(result.filters.length).toBeGreaterThan(2);
    const conds = result.filters.map((f) => f.all![0]);
    expect(new Set(conds.map((c) => `${c.column}${c.op}${String(c.value)}`)).size).toBe(conds.length);
    const firstBroad = conds.findIndex((c) => c.op === 'ne');
    expect(firstBroad).toBeGreaterThan(0);
    expect(conds.map((c) => c.op)).toEqual(conds.map((_, i) => (i < firstBroad ? 'eq' : 'ne')));
    for (const cond of conds) {
      expect(String(tables[0].schema.fields.find((f) => f.name === cond.column)!.type)).toMatch(/^Dictionary</);
      const values = tables[0].getChild(cond.column)!.toArray() as string[];
      expect(values).toContain(cond.value);
      expect(values.every((v) => v === cond.value)).toBe(false);
    }
  });

  // A user's filter that happens to be one the warm-up used must be computed for the user, not
  // come out of the caches by chance (the benchmark's first filter was one of them).
  it('leaves none of its masks or filtered views in the caches', async () => {
    const result = await kernelWarmJob(store)({ datasetId: 'ds', queries }, context().ctx);
    const rows = store.rows('ds');
    for (const filter of result.filters) {
      const views = { ...filteredViewStats };
      const masks = { ...rowMaskStats };
      filterRows(rows, filter);
      expect(filteredViewStats.hits - views.hits).toBe(0);
      expect(filteredViewStats.misses - views.misses).toBe(rows.length);
      expect(rowMaskStats.hits - masks.hits).toBe(0);
    }
  });

  it('stops at a checkpoint when cancelled', async () => {
    const { ctx, checkpoints } = context(2);
    await expect(kernelWarmJob(store)({ datasetId: 'ds', queries }, ctx)).rejects.toThrow(/cancelled/);
    expect(checkpoints()).toBe(3);
  });

  // The warm-up leaves masks and filtered views in the per-batch caches: the answers after it must
  // be the ones computed with no cache at all.
  it('leaves the answers of later queries, filtered or not, as they were', async () => {
    const run = kernelJob(store);
    const warmed = await kernelWarmJob(store)({ datasetId: 'ds', queries }, context().ctx);
    const filter = { all: [{ ...warmed.filters[0].all![0] }] };
    for (const q of queries) {
      for (const spec of [q.spec, { ...(q.spec as object), filter }]) {
        const args = { datasetId: 'ds', kernel: q.kernel, spec, stage: 'first' as const };
        const after = await run(args, context().ctx);
        setFilteredViewCache(false);
        setRowMaskCache(false);
        try {
          expect(after, `${q.kernel} ${JSON.stringify(spec)}`).toEqual(await run(args, context().ctx));
        } finally {
          setFilteredViewCache(true);
          setRowMaskCache(true);
        }
      }
    }
  });
});
