// Clusters as a segmentation: the rollup grouped by a fitted k-means model's cluster dimension
// must give the fit's own cluster sizes and per-cluster means (the fit counts its Lloyd labels; the
// kernel re-assigns every row to the nearest centre from the plan carried in the spec), the same
// answer split over workers, readable unique labels, and clear errors for a damaged model.
import { describe, expect, it } from 'vitest';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { fitClusters } from '../../workers/models/kmeans.js';
import { runKernelLocal, runKernelSplit, schemaOfTable } from '../../workers/kernels/run-local.js';
import { segmentRollup, type RollupResult } from '../../workers/kernels/segment-rollup.js';
import { SpecError } from '../../workers/kernels/kernel.js';
import { clusterDimension, clusterLabels } from '../../src/models/cluster-segmentation.js';
import { DEFAULT_CLUSTER_FEATURES } from '../../src/models/fit-clusters.js';

const tables = generatePortfolio({ rows: 8000, seed: 3 });
const schema = schemaOfTable(tables[0]);
const { model } = await fitClusters(tables, { numeric: [...DEFAULT_CLUSTER_FEATURES] }, { k: 5, seed: 1 });
const dim = clusterDimension(model);
const spec = { by: dim, measures: [{ agg: 'count', as: 'n' }, { column: 'aum', agg: 'mean', as: 'aum' }, { column: 'productsHeld', agg: 'mean', as: 'products' }] };

describe('cluster dimension', () => {
  it('the fit converged (else Lloyd labels and nearest centres may differ)', () => {
    expect(model.converged).toBe(true);
    expect(model.k).toBe(5);
  });

  it('groups every client into the fit\'s clusters with the fit\'s sizes and means', async () => {
    const r = await runKernelLocal<RollupResult>(segmentRollup, tables, spec);
    const labels = clusterLabels(model);
    expect(r.groups.map((g) => g.keys[0])).toEqual(labels);
    expect(r.groups.reduce((s, g) => s + g.count, 0)).toBe(8000);
    const aumAt = model.plan.numeric.find((n) => n.column === 'aum')!.index;
    const prodAt = model.plan.numeric.find((n) => n.column === 'productsHeld')!.index;
    for (const p of model.profiles) {
      const g = r.groups[p.cluster];
      expect(g.count, `cluster ${p.cluster}`).toBe(p.size);
      // The profile means are of imputed values; aum and productsHeld have no nulls in the generator.
      expect(g.values.aum!).toBeCloseTo(p.means[aumAt], 6);
      expect(g.values.products!).toBeCloseTo(p.means[prodAt], 9);
    }
  });

  it('gives the same answer when the rows are split over workers', async () => {
    const one = await runKernelLocal<RollupResult>(segmentRollup, tables, spec);
    const three = await runKernelSplit<RollupResult>(segmentRollup, tables, spec, 3);
    expect(three.groups).toEqual(one.groups);
  });

  // Under a filter keeping under a quarter of the rows the rollup reads filtered views and picks
  // the stored batches' cluster codes by row; the unfiltered rollup by cluster x region (every row,
  // no view) must hold the same figures in its region's cells.
  it('under a selective filter, gives the clusters of the rows that pass', async () => {
    const region = tables[0].getChild('region')!.get(0) as string;
    const filtered = await runKernelSplit<RollupResult>(segmentRollup, tables, { ...spec, filter: { all: [{ column: 'region', op: 'eq', value: region }] } }, 2);
    const crossed = await runKernelLocal<RollupResult>(segmentRollup, tables, { ...spec, by: [dim, { column: 'region' }] });
    const total = filtered.groups.reduce((s, g) => s + g.count, 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThan(0.25 * 8000);
    for (const g of filtered.groups) {
      const cell = crossed.groups.find((c) => c.keys[0] === g.keys[0] && c.keys[1] === region)!;
      expect(g.count, String(g.keys[0])).toBe(cell.count);
      expect(g.values.aum).toBe(cell.values.aum);
      expect(g.values.products).toBe(cell.values.products);
    }
  });

  it('labels say what sets a cluster apart, uniquely, in English and Chinese', () => {
    const en = clusterLabels(model, 'en');
    expect(new Set(en).size).toBe(5);
    for (const [i, l] of en.entries()) expect(l).toMatch(new RegExp(`^C${i + 1} · (high|low|long inactive|recently active|close to average)`));
    expect(clusterLabels(model, 'zh-CN').join('')).toMatch(/[\u4e00-\u9fff]/);
  });

  it('rejects a damaged model naming the field', () => {
    const bad = (cluster: unknown) => () => segmentRollup.validate({ by: { cluster }, measures: [{ agg: 'count', as: 'n' }] }, schema);
    const c = dim as { cluster: { plan: unknown; centroids: number[]; labels: string[] } };
    expect(bad({ ...c.cluster, centroids: c.cluster.centroids.slice(1) })).toThrow(SpecError);
    expect(bad({ ...c.cluster, centroids: c.cluster.centroids.slice(1) })).toThrow(/by.cluster.centroids/);
    expect(bad({ ...c.cluster, centroids: c.cluster.centroids.map((v, i) => (i === 0 ? NaN : v)) })).toThrow(/centroids\[0\]/);
    const plan = c.cluster.plan as { numeric: { column: string }[] };
    expect(bad({ ...c.cluster, plan: { ...plan, numeric: [{ ...plan.numeric[0], column: 'nope' }, ...plan.numeric.slice(1)] } })).toThrow(/numeric\[0\]\.column.*"nope"/);
    expect(bad({ ...c.cluster, labels: ['a', 'a', 'b', 'c', 'd'] })).toThrow(SpecError);
    expect(bad({ ...c.cluster, extra: 1 })).toThrow(SpecError);
  });
});
