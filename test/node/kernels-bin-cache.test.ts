// The per-batch cache of bin codes (bin-codes.ts) must never change an answer: rollups by tier and
// bins with the cache equal those without it across filter changes, for several binnings of the
// same column (in one query and across queries, more than a batch keeps), for the same cut points
// under other labels, and for the rows of a replacing dataset; and it must actually serve repeated
// queries (hits), or it is not worth its memory. The cached answers themselves are checked against
// DuckDB in kernels-segment-rollup.test.ts (the cache is on there).
import { describe, expect, it } from 'vitest';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { rollupWithCache } from './support/cached-rollup.js';
import type { RollupResult } from '../../workers/kernels/segment-rollup.js';
import { binCodeCacheStats, setBinCodeCache } from '../../workers/kernels/bin-codes.js';
import { DEFAULT_ASSET_SCALE, DEFAULT_RISK_PREFERENCE } from '../../workers/kernels/dimension.js';

const tables = generatePortfolio({ rows: 6000, seed: 11 });
const measures = [{ agg: 'count', as: 'n' }, { column: 'aum', agg: 'sum', as: 'aum' }, { column: 'revenue', agg: 'median', as: 'medRev' }];
const filters = [
  undefined,
  { all: [{ column: 'clientType', op: 'eq', value: 'corporate' }] },
  { all: [{ column: 'aum', op: 'gt', value: 100_000 }] },
  undefined,
];

function rollup(t: typeof tables, by: unknown, filter: unknown, cached: boolean, parts = 1): Promise<RollupResult> {
  return rollupWithCache(setBinCodeCache, t, { by, measures, filter }, cached, parts);
}

const assetScale = { bins: DEFAULT_ASSET_SCALE };
const risk = { bins: DEFAULT_RISK_PREFERENCE };

describe('bin code cache', () => {
  it('gives the uncached answer through filter changes, and serves the repeats from the cache', async () => {
    const hits = binCodeCacheStats.hits;
    for (const by of [[{ tier: {} }], [assetScale, risk]]) {
      for (const filter of filters) {
        const plain = await rollup(tables, by, filter, false);
        expect(await rollup(tables, by, filter, true)).toEqual(plain);
        expect(await rollup(tables, by, filter, true, 3)).toEqual(plain);
      }
    }
    // Every batch of a repeated query (same rows or view, same binning) came from the cache.
    const batches = tables.reduce((n, t) => n + t.batches.length, 0);
    expect(binCodeCacheStats.hits - hits).toBeGreaterThanOrEqual(batches * filters.length);
  });

  it('keeps binnings of one column apart, in one query and across more queries than a batch keeps', async () => {
    // Tiers and asset scale both bin aum, at other cut points, in the same query.
    const both = [{ tier: {} }, assetScale];
    for (const filter of filters) expect(await rollup(tables, both, filter, true)).toEqual(await rollup(tables, both, filter, false));
    for (let s = 0; s < 5; s++) {
      const edges = [10_000 * (s + 1), 250_000 + 1000 * s];
      const by = [{ bins: { column: 'aum', edges, labels: ['a', 'b', 'c'] } }];
      expect(await rollup(tables, by, undefined, true)).toEqual(await rollup(tables, by, undefined, false));
    }
    expect(await rollup(tables, [{ tier: {} }], filters[2], true)).toEqual(await rollup(tables, [{ tier: {} }], filters[2], false));
  });

  it('shares codes between the same cut points under other labels, and keeps the labels', async () => {
    await rollup(tables, [assetScale], undefined, true);
    const relabelled = [{ bins: { ...DEFAULT_ASSET_SCALE, labels: ['x low', 'x mid', 'x high'] } }];
    const hits = binCodeCacheStats.hits;
    const r = await rollup(tables, relabelled, undefined, true);
    expect(binCodeCacheStats.hits).toBeGreaterThan(hits);
    expect(r).toEqual(await rollup(tables, relabelled, undefined, false));
    expect(r.levels[0].labels).toEqual(['x low', 'x mid', 'x high']);
  });

  it('computes afresh for the rows of a replacing dataset', async () => {
    await rollup(tables, [{ tier: {} }], undefined, true);
    const next = generatePortfolio({ rows: 6000, seed: 12 });
    for (const filter of filters) expect(await rollup(next, [{ tier: {} }, risk], filter, true)).toEqual(await rollup(next, [{ tier: {} }, risk], filter, false));
  });
});
