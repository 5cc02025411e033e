// The per-worker cache of nearest-centre codes (cluster-dimension.ts) must never change an answer:
// rollups by cluster with the cache equal those without it across filter changes, a second model
// on the same rows, a relabelled model, and new rows after a dataset is replaced; and it must
// actually serve repeated queries (hits), or it is not worth its memory.
import { describe, expect, it } from 'vitest';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { fitClusters } from '../../workers/models/kmeans.js';
import { rollupWithCache } from './support/cached-rollup.js';
import type { RollupResult } from '../../workers/kernels/segment-rollup.js';
import { clusterCodeCacheStats, setClusterCodeCache } from '../../workers/kernels/cluster-dimension.js';
import { clusterDimension } from '../../src/models/cluster-segmentation.js';
import { DEFAULT_CLUSTER_FEATURES } from '../../src/models/fit-clusters.js';

const tables = generatePortfolio({ rows: 6000, seed: 11 });
const { model } = await fitClusters(tables, { numeric: [...DEFAULT_CLUSTER_FEATURES] }, { k: 4, seed: 1 });
const { model: other } = await fitClusters(tables, { numeric: [...DEFAULT_CLUSTER_FEATURES] }, { k: 6, seed: 2 });
const measures = [{ agg: 'count', as: 'n' }, { column: 'aum', agg: 'sum', as: 'aum' }];
const filters = [
  undefined,
  { all: [{ column: 'clientType', op: 'eq', value: 'corporate' }] },
  { all: [{ column: 'aum', op: 'gt', value: 100_000 }] },
  undefined,
];

function rollup(t: typeof tables, by: unknown, filter: unknown, cached: boolean, parts = 1): Promise<RollupResult> {
  return rollupWithCache(setClusterCodeCache, t, { by, measures, filter }, cached, parts);
}

describe('cluster code cache', () => {
  it('gives the uncached answer through filter changes, and serves the repeats from the cache', async () => {
    const dim = clusterDimension(model);
    const hits = clusterCodeCacheStats.hits;
    for (const filter of filters) {
      const plain = await rollup(tables, dim, filter, false);
      expect(await rollup(tables, dim, filter, true)).toEqual(plain);
      expect(await rollup(tables, dim, filter, true, 3)).toEqual(plain);
    }
    // Every batch of every query after the first came from the cache.
    const batches = tables.reduce((n, t) => n + t.batches.length, 0);
    expect(clusterCodeCacheStats.hits - hits).toBeGreaterThanOrEqual(batches * (filters.length * 2 - 1));
  });

  it('keeps models apart on the same rows: another model, or the same centres relabelled', async () => {
    const a = clusterDimension(model) as { cluster: { plan: unknown; centroids: number[]; labels: string[] } };
    const b = clusterDimension(other);
    await rollup(tables, a, undefined, true); // warm with the first model
    for (const filter of filters) expect(await rollup(tables, b, filter, true)).toEqual(await rollup(tables, b, filter, false));
    const moved = { cluster: { ...a.cluster, centroids: a.cluster.centroids.map((v, i) => (i === 0 ? v + 0.75 : v)) } };
    expect(await rollup(tables, moved, undefined, true)).toEqual(await rollup(tables, moved, undefined, false));
    const relabelled = { cluster: { ...a.cluster, labels: a.cluster.labels.map((l) => `x ${l}`) } };
    const r = await rollup(tables, relabelled, filters[1], true);
    expect(r).toEqual(await rollup(tables, relabelled, filters[1], false));
    expect(r.groups[0].keys[0]).toMatch(/^x /);
    // More models than a batch keeps, then the first again: still the right codes.
    for (let s = 0; s < 5; s++) {
      const m = { cluster: { ...a.cluster, centroids: a.cluster.centroids.map((v, i) => (i === s ? v - 0.5 : v)) } };
      expect(await rollup(tables, m, undefined, true)).toEqual(await rollup(tables, m, undefined, false));
    }
    expect(await rollup(tables, a, filters[2], true)).toEqual(await rollup(tables, a, filters[2], false));
  });

  it('computes afresh for the rows of a replacing dataset', async () => {
    const dim = clusterDimension(model);
    await rollup(tables, dim, undefined, true);
    const next = generatePortfolio({ rows: 6000, seed: 12 });
    for (const filter of filters) expect(await rollup(next, dim, filter, true)).toEqual(await rollup(next, dim, filter, false));
  });
});
