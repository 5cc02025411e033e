// The per-worker caches of filtered views (filtered-rows.ts) and of row masks (filter.ts) must never
// change an answer: kernels that leave filtering to the runner, kernels that filter by a mask
// themselves and tag dimensions (a mask per rule) give the uncached results through a series of
// filter changes (including one back to an earlier filter, more filters than a batch keeps, and no
// filter), on rows split as over workers, and on the rows of a replacing dataset; and repeated
// filters must hit.
import { describe, expect, it } from 'vitest';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { runKernelSplit } from '../../workers/kernels/run-local.js';
import { getKernel } from '../../workers/kernels/index.js';
import { filteredViewStats, setFilteredViewCache } from '../../workers/kernels/filtered-rows.js';
import { rowMaskStats, setRowMaskCache } from '../../workers/kernels/filter.js';

const tables = generatePortfolio({ rows: 5000, seed: 21 });
const corporate = { all: [{ column: 'clientType', op: 'eq', value: 'corporate' }] };
const rich = { all: [{ column: 'aum', op: 'gt', value: 200_000 }], any: [{ column: 'segment', op: 'ne', value: 'retail' }, { column: 'churned', op: 'eq', value: false }] };
// Same `all` as rich, other `any`: a cache keyed on part of the filter would mix them up.
const richOther = { all: rich.all, any: [{ column: 'clientType', op: 'eq', value: 'retail' }] };
const recent = { all: [{ column: 'lastTxnDate', op: 'gte', value: '2026-01-01' }] };
const filters = [corporate, rich, richOther, corporate, recent, rich, undefined, corporate];
const queries: [string, Record<string, unknown>][] = [
  ['kpis', {}],
  ['profitability', { revenue: 'revenue', cost: 'costToServe', by: 'segment' }],
  ['whale-curve', { revenue: 'revenue', cost: 'costToServe', points: 20, topN: 5 }],
  ['funnel', { steps: ['prospect', 'new', 'growing', 'mature'], by: 'segment', stageColumn: 'lifecycleStage' }],
  // Filter by a mask of their own:
  ['segment-rollup', { by: { column: 'region' }, measures: [{ column: 'aum', agg: 'sum' }, { column: 'revenue', agg: 'median' }] }],
  ['asset-loyalty', {}],
  // Tag rules: one mask per rule and batch, the same at every query.
  ['segment-rollup', {
    by: { tag: { rules: [
      { label: 'rich', when: { all: [{ column: 'aum', op: 'gte', value: 300_000 }] } },
      { label: 'corporate', when: corporate },
      { label: 'recent', when: recent },
    ] } },
    measures: [{ column: 'revenue', agg: 'sum' }],
  }],
];

async function run(t: typeof tables, name: string, spec: Record<string, unknown>, filter: unknown, cached: boolean): Promise<unknown> {
  setFilteredViewCache(cached);
  setRowMaskCache(cached);
  try {
    return await runKernelSplit(getKernel(name), t, filter ? { ...spec, filter } : spec, 2);
  } finally {
    setFilteredViewCache(true);
    setRowMaskCache(true);
  }
}

describe('filtered view and row mask caches', () => {
  it('gives the uncached answers through filter changes, and reuses views across kernels', async () => {
    const hits = filteredViewStats.hits;
    const maskHits = rowMaskStats.hits;
    for (const filter of filters) {
      for (const [name, spec] of queries) expect(await run(tables, name, spec, filter, true), `${name} ${JSON.stringify(filter)}`).toEqual(await run(tables, name, spec, filter, false));
    }
    expect(filteredViewStats.hits - hits).toBeGreaterThan(0);
    expect(rowMaskStats.hits - maskHits).toBeGreaterThan(0);
  });

  it('gives the uncached answers through more filters than a batch keeps masks, each asked again', async () => {
    // More filters than a batch keeps masks (8), each asked again after the next one evicted an older.
    const many = Array.from({ length: 12 }, (_, k) => ({ all: [{ column: 'aum', op: 'gt', value: 20_000 * k }] }));
    const probe: [string, Record<string, unknown>][] = [['kpis', {}], ['segment-rollup', { by: { column: 'tier' }, measures: [{ column: 'revenue', agg: 'sum' }] }]];
    for (let k = 0; k < many.length; k++) {
      for (const filter of [many[k], many[Math.max(0, k - 7)], many[Math.max(0, k - 1)]]) {
        for (const [name, spec] of probe) expect(await run(tables, name, spec, filter, true), `${name} ${JSON.stringify(filter)}`).toEqual(await run(tables, name, spec, filter, false));
      }
    }
  });

  it('keeps the page filter\'s mask intact while a tag dimension evaluates more masks than a batch keeps', async () => {
    // The rollup holds the page filter's mask while its tag rules ask the same batch for theirs.
    const rules = Array.from({ length: 10 }, (_, k) => ({ label: `over ${k}`, when: { all: [{ column: 'aum', op: 'gte', value: 400_000 - 35_000 * k }] } }));
    const spec = { by: { tag: { rules } }, measures: [{ column: 'revenue', agg: 'sum' }] };
    for (const filter of [corporate, recent, corporate]) {
      expect(await run(tables, 'segment-rollup', spec, filter, true), JSON.stringify(filter)).toEqual(await run(tables, 'segment-rollup', spec, filter, false));
    }
  });

  it('builds new views for the rows of a replacing dataset', async () => {
    for (const [name, spec] of queries) await run(tables, name, spec, corporate, true);
    const next = generatePortfolio({ rows: 5000, seed: 22 });
    for (const [name, spec] of queries) expect(await run(next, name, spec, corporate, true)).toEqual(await run(next, name, spec, corporate, false));
  });
});
