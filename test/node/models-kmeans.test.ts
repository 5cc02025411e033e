// k-means++: recovers well-separated clusters, is deterministic for a seed, and its silhouette
// matches a direct computation.
import { describe, expect, it } from 'vitest';
import { Float64, Table, vectorFromArray } from 'apache-arrow';
import { Rng } from '../../src/generate/random.js';
import { fitClusters, assignClusters, kmeans, silhouetteScore } from '../../workers/models/kmeans.js';
import { ModelFitError } from '../../workers/models/common.js';

/** Three blobs of 1500, 1000 and 500 clients in (aum, txn) with very different units. */
function blobs(seed: number) {
  const rng = new Rng(seed, 4, 0);
  const centres = [[50_000, 5], [400_000, 40], [1_500_000, 12]];
  const sizes = [1500, 1000, 500];
  const aum: number[] = [], txn: number[] = [], truth: number[] = [];
  sizes.forEach((size, c) => {
    for (let i = 0; i < size; i++) {
      aum.push(centres[c][0] + 20_000 * rng.normal());
      txn.push(centres[c][1] + 1.5 * rng.normal());
      truth.push(c);
    }
  });
  const table = new Table({ aum: vectorFromArray(aum, new Float64()), txn: vectorFromArray(txn, new Float64()) });
  return { table, truth, centres };
}

describe('k-means', () => {
  it('recovers well-separated clusters and profiles them in original units', async () => {
    const { table, truth, centres } = blobs(1);
    const { model, labels } = await fitClusters([table], { numeric: ['aum', 'txn'] }, { k: 3, seed: 7 });
    // Clusters are numbered by size, like the blobs.
    let agree = 0;
    labels.forEach((l, i) => (agree += l === truth[i] ? 1 : 0));
    expect(agree / labels.length).toBeGreaterThan(0.99);
    expect(model.profiles.map((p) => p.size)).toEqual([1500, 1000, 500]);
    model.profiles.forEach((p, c) => {
      expect(Math.abs(p.means[0] - centres[c][0])).toBeLessThan(5000);
      expect(Math.abs(p.means[1] - centres[c][1])).toBeLessThan(0.5);
    });
    expect(model.silhouette).toBeGreaterThan(0.7);
    expect(assignClusters(model, [table])).toEqual(labels);
  });

  it('is deterministic for a seed', async () => {
    const { table } = blobs(2);
    const a = await fitClusters([table], { numeric: ['aum', 'txn'] }, { k: 5, seed: 3 });
    const b = await fitClusters([table], { numeric: ['aum', 'txn'] }, { k: 5, seed: 3 });
    expect(a.labels).toEqual(b.labels);
    expect(a.model.centroids).toEqual(b.model.centroids);
    expect(a.model.silhouette).toBe(b.model.silhouette);
  });

  it('computes the silhouette as its definition says', async () => {
    const rng = new Rng(5, 0, 0);
    const n = 150, d = 3;
    const z = Float64Array.from({ length: n * d }, (_, k) => rng.normal() + (Math.floor(k / d) % 3) * 2);
    const r = await kmeans(z, n, d, { k: 3, seed: 1 });
    const dist = (i: number, j: number) => Math.hypot(...Array.from({ length: d }, (_, t) => z[i * d + t] - z[j * d + t]));
    let total = 0;
    for (let i = 0; i < n; i++) {
      const mean = (c: number) => {
        const others = [...Array(n).keys()].filter((j) => j !== i && r.labels[j] === c);
        return others.reduce((s, j) => s + dist(i, j), 0) / others.length;
      };
      const a = mean(r.labels[i]);
      const b = Math.min(...[0, 1, 2].filter((c) => c !== r.labels[i]).map(mean));
      total += (b - a) / Math.max(a, b);
    }
    expect(silhouetteScore(z, n, d, r.labels, 3, 2000, 1)).toBeCloseTo(total / n, 12);
  });

  it('refuses a k larger than the number of distinct points', async () => {
    const z = Float64Array.from({ length: 20 }, (_, i) => (i < 10 ? 0 : 1));
    await expect(kmeans(z, 20, 1, { k: 3 })).rejects.toThrow(ModelFitError);
    await expect(kmeans(z, 20, 1, { k: 3 })).rejects.toThrow(/only 2 distinct points/);
  });
});
