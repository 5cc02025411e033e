/**
 * Behavioural clusters: k-means on standardised features, seeded and deterministic, with a
 * per-cluster profile in original units and a silhouette score to help choose k.
 *
 * - Features go through the same FeaturePlan as the churn models (features.ts): numeric columns
 *   (median-imputed, missing indicators) and one-hot categories, each standardised to mean 0 and
 *   sd 1 so that no column dominates the distance because of its unit.
 * - Initialisation: k-means++ (Arthur & Vassilvitskii 2007): the first centre is a uniformly drawn
 *   row, each next one a row drawn with probability proportional to its squared distance to the
 *   nearest centre so far. All draws come from one seeded Rng: same data + seed -> same clusters.
 *   `restarts` (default 3) seedings are each run to convergence and the lowest-inertia one is kept.
 *   Above 200,000 rows these restarts run on an evenly strided sample of 100,000 rows and the
 *   winner's centres start the full run (a fixed point of Lloyd on the full data, reached in a few
 *   full passes instead of dozens).
 * - Lloyd iterations accelerated with Hamerly's distance bounds (exact: the same assignments as
 *   plain Lloyd, but most points are skipped once clusters settle). An empty cluster is re-seeded
 *   with the point farthest from its centre.
 * - Stops when no point changes cluster, or when the centres moved by less than `tolerance` in
 *   total (sum of squared shifts, standardised units; default 1e-4, scikit-learn's criterion), or
 *   after `maxIterations` (default 100; reported as converged: false, not an error: the partition
 *   is still usable). A final exact pass assigns every row to its nearest final centre.
 * - Clusters are renumbered by size, largest first, so labels are stable for display.
 * - Silhouette (Rousseeuw 1987) on a seeded sample of `silhouetteSample` rows (default 2,000):
 *   for each sampled point, a = mean distance to the sampled points of its own cluster, b = lowest
 *   mean distance to the sampled points of another cluster, s = (b - a) / max(a, b) (0 for a
 *   point alone in its cluster in the sample). The mean s is in [-1, 1]; higher is better
 *   separated. Computing it on a sample keeps it O(sample²) whatever the data size.
 */
import type { Table } from 'apache-arrow';
import { Rng } from '../../src/generate/random.js';
import { buildDesign, fitFeaturePlan, FeatureError, forEachDesignBlock, standardize, type FeaturePlan, type FeatureSpec } from './features.js';
import { ModelFitError, type FitHooks } from './common.js';

export interface KMeansOptions {
  readonly k: number;
  readonly seed?: number;
  readonly maxIterations?: number;
  readonly tolerance?: number;
  readonly silhouetteSample?: number;
  /** k-means++ restarts; the run with the lowest inertia is kept. Default 3. */
  readonly restarts?: number;
}

export interface KMeansResult {
  readonly k: number;
  readonly d: number;
  /** k x d centres in standardised units. */
  readonly centroids: Float64Array;
  readonly labels: Int32Array;
  readonly sizes: Int32Array;
  readonly inertia: number;
  /** Lloyd passes of the winning start (on the sample above 200,000 rows) plus those on all rows. */
  readonly iterations: number;
  readonly converged: boolean;
}

function dist2(z: Float64Array, i: number, c: Float64Array, k: number, d: number): number {
  let s = 0;
  const a = i * d, b = k * d;
  for (let j = 0; j < d; j++) {
    const t = z[a + j] - c[b + j];
    s += t * t;
  }
  return s;
}

/** k-means++ seeding (sync: it is all hot loops). */
function seedCentres(z: Float64Array, n: number, d: number, k: number, rng: Rng): Float64Array {
  const centres = new Float64Array(k * d);
  const D = new Float64Array(n);
  const first = rng.int(n);
  centres.set(z.subarray(first * d, first * d + d), 0);
  let total = 0;
  for (let i = 0; i < n; i++) total += D[i] = dist2(z, i, centres, 0, d);
  for (let c = 1; c < k; c++) {
    if (!(total > 0)) throw new ModelFitError(`k-means with k = ${k}: the data has only ${c} distinct point${c === 1 ? '' : 's'}; choose a smaller k.`);
    let target = rng.uniform() * total;
    let pick = n - 1;
    for (let i = 0; i < n; i++) {
      target -= D[i];
      if (target < 0) {
        pick = i;
        break;
      }
    }
    centres.set(z.subarray(pick * d, pick * d + d), c * d);
    total = 0;
    for (let i = 0; i < n; i++) {
      const v = dist2(z, i, centres, c, d);
      if (v < D[i]) D[i] = v;
      total += D[i];
    }
  }
  return centres;
}

/** Euclidean distance between row i of z and centre c. */
function dist(z: Float64Array, i: number, centres: Float64Array, c: number, d: number): number {
  return Math.sqrt(dist2(z, i, centres, c, d));
}

/**
 * Lloyd's algorithm with Hamerly's bounds (Hamerly 2010, "Making k-means even faster"): per point
 * an upper bound u on the distance to its own centre and a lower bound l on the distance to any
 * other centre. When centres move by δ, u grows by its centre's δ and l shrinks by the largest δ
 * of the other centres; a point whose u is at most max(l, half the distance from its centre to the
 * nearest other centre) cannot change cluster and costs O(1). Assignments are exactly Lloyd's.
 * Centre sums are updated incrementally when points move.
 */
class Hamerly {
  readonly u: Float64Array;
  readonly l: Float64Array;
  readonly sums: Float64Array;
  readonly counts: Int32Array;
  readonly delta: Float64Array;
  readonly half: Float64Array;

  constructor(
    readonly z: Float64Array,
    readonly n: number,
    readonly d: number,
    readonly k: number,
    readonly centres: Float64Array,
    readonly labels: Int32Array,
  ) {
    this.u = new Float64Array(n);
    this.l = new Float64Array(n);
    this.sums = new Float64Array(k * d);
    this.counts = new Int32Array(k);
    this.delta = new Float64Array(k);
    this.half = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      let c1 = 0, d1 = Infinity, d2 = Infinity;
      for (let c = 0; c < k; c++) {
        const v = dist(z, i, centres, c, d);
        if (v < d1) {
          d2 = d1;
          d1 = v;
          c1 = c;
        } else if (v < d2) d2 = v;
      }
      labels[i] = c1;
      this.u[i] = d1;
      this.l[i] = d2;
      this.counts[c1]++;
      for (let j = 0; j < d; j++) this.sums[c1 * d + j] += z[i * d + j];
    }
  }

  /** Moves centres to their means (re-seeding empty ones), updates bounds; returns Σ δ². */
  moveCentres(): number {
    const { z, n, d, k, centres, labels, sums, counts, delta, u, l } = this;
    for (let c = 0; c < k; c++) {
      if (counts[c] > 0) continue;
      // Empty cluster: re-seed with the point farthest from its centre (in a cluster of 2 or more).
      let far = -1, farD = -1;
      for (let i = 0; i < n; i++) {
        if (counts[labels[i]] <= 1) continue;
        const v = dist(z, i, centres, labels[i], d);
        if (v > farD) {
          farD = v;
          far = i;
        }
      }
      if (far < 0) continue;
      const old = labels[far];
      counts[old]--;
      counts[c]++;
      for (let j = 0; j < d; j++) {
        sums[old * d + j] -= z[far * d + j];
        sums[c * d + j] += z[far * d + j];
      }
      labels[far] = c;
      u[far] = 0;
      l[far] = 0;
    }
    let shift = 0;
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) {
        delta[c] = 0;
        continue;
      }
      let s = 0;
      for (let j = 0; j < d; j++) {
        const v = sums[c * d + j] / counts[c];
        const t = v - centres[c * d + j];
        s += t * t;
        centres[c * d + j] = v;
      }
      delta[c] = Math.sqrt(s);
      shift += s;
    }
    let r1 = 0;
    for (let c = 1; c < k; c++) if (delta[c] > delta[r1]) r1 = c;
    let max2 = 0;
    for (let c = 0; c < k; c++) if (c !== r1 && delta[c] > max2) max2 = delta[c];
    const max1 = delta[r1];
    for (let i = 0; i < n; i++) {
      const a = labels[i];
      u[i] += delta[a];
      l[i] -= a === r1 ? max2 : max1;
    }
    return shift;
  }

  /** One assignment pass; returns the number of points that changed cluster. */
  assign(): number {
    const { z, n, d, k, centres, labels, sums, counts, u, l, half } = this;
    half.fill(Infinity);
    for (let a = 0; a < k; a++) {
      for (let b = a + 1; b < k; b++) {
        let s = 0;
        for (let j = 0; j < d; j++) {
          const t = centres[a * d + j] - centres[b * d + j];
          s += t * t;
        }
        const h = 0.5 * Math.sqrt(s);
        if (h < half[a]) half[a] = h;
        if (h < half[b]) half[b] = h;
      }
    }
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const a = labels[i];
      const m = half[a] > l[i] ? half[a] : l[i];
      if (u[i] <= m) continue;
      u[i] = dist(z, i, centres, a, d);
      if (u[i] <= m) continue;
      let c1 = a, d1 = u[i], d2 = Infinity;
      for (let c = 0; c < k; c++) {
        if (c === a) continue;
        const v = dist(z, i, centres, c, d);
        if (v < d1 || (v === d1 && c < c1)) {
          d2 = d1;
          d1 = v;
          c1 = c;
        } else if (v < d2) d2 = v;
      }
      if (c1 !== a) {
        changed++;
        labels[i] = c1;
        counts[a]--;
        counts[c1]++;
        for (let j = 0; j < d; j++) {
          const v = z[i * d + j];
          sums[a * d + j] -= v;
          sums[c1 * d + j] += v;
        }
      }
      u[i] = d1;
      l[i] = d2;
    }
    return changed;
  }
}

const SAMPLE_FIRST_ABOVE = 200_000;
const SAMPLE_ROWS = 100_000;

/** Lloyd passes until no point moves, the centres settle, or maxIter; checkpoints between passes. */
async function lloyd(h: Hamerly, maxIter: number, tol: number, hooks: FitHooks, from: number): Promise<{ iterations: number; converged: boolean }> {
  for (let it = 0; it < maxIter; it++) {
    const shift = h.moveCentres();
    const changed = h.assign();
    hooks.progress?.(from + (1 - from) * Math.min(0.95, (it + 1) / 30));
    if (changed === 0 || shift <= tol) return { iterations: it + 1, converged: true };
    await hooks.checkpoint?.();
  }
  return { iterations: maxIter, converged: false };
}

/** k-means on a standardised row-major matrix z (n x d). */
export async function kmeans(z: Float64Array, n: number, d: number, options: KMeansOptions, hooks: FitHooks = {}): Promise<KMeansResult> {
  const k = options.k;
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`k must be a whole number >= 1; got ${k}.`);
  if (n < k) throw new ModelFitError(`k-means needs at least k = ${k} rows; got ${n}.`);
  const maxIter = options.maxIterations ?? 100;
  const tol = options.tolerance ?? 1e-4;
  const rng = new Rng(options.seed ?? 1, 0x6b6d, 0);
  // Initial centres: the best (lowest inertia) of `restarts` k-means++ + Lloyd runs, on an evenly
  // strided sample of 100,000 rows when the data is larger than 200,000 rows (each pass over all
  // rows is the expensive part; the full run then starts near a fixed point and needs few passes).
  const restarts = options.restarts ?? 3;
  if (!(Number.isInteger(restarts) && restarts >= 1)) throw new Error(`restarts must be a whole number >= 1; got ${restarts}.`);
  let src = z, m = n;
  if (n > SAMPLE_FIRST_ABOVE) {
    const step = Math.floor(n / SAMPLE_ROWS);
    m = Math.floor(n / step);
    src = new Float64Array(m * d);
    for (let r = 0; r < m; r++) src.set(z.subarray(r * step * d, r * step * d + d), r * d);
  }
  let centres: Float64Array = new Float64Array(0);
  let bestInertia = Infinity;
  let startIterations = 0;
  for (let r = 0; r < restarts; r++) {
    const c = seedCentres(src, m, d, k, rng);
    const lab = new Int32Array(m);
    const run = await lloyd(new Hamerly(src, m, d, k, c, lab), maxIter, tol, {}, 0);
    const inertia = lloydAssign(src, m, d, k, c, lab);
    if (inertia < bestInertia) {
      bestInertia = inertia;
      centres = c;
      startIterations = run.iterations;
    }
    hooks.progress?.((0.5 * (r + 1)) / restarts);
    await hooks.checkpoint?.();
  }
  const labels = new Int32Array(n);
  const final = await lloyd(new Hamerly(z, n, d, k, centres, labels), maxIter, tol, hooks, 0.5);
  // Passes of the winning start plus the passes on the full data.
  const iterations = startIterations + final.iterations;
  const converged = final.converged;
  // Final exact assignment against the final centres, so labels and centres agree.
  const inertia = lloydAssign(z, n, d, k, centres, labels);
  // Renumber clusters by size, largest first.
  const sizes = new Int32Array(k);
  for (let i = 0; i < n; i++) sizes[labels[i]]++;
  const order = Array.from({ length: k }, (_, c) => c).sort((a, b) => sizes[b] - sizes[a] || a - b);
  const newId = new Int32Array(k);
  order.forEach((old, nw) => (newId[old] = nw));
  const outCentres = new Float64Array(k * d);
  const outSizes = new Int32Array(k);
  order.forEach((old, nw) => {
    outCentres.set(centres.subarray(old * d, old * d + d), nw * d);
    outSizes[nw] = sizes[old];
  });
  for (let i = 0; i < n; i++) labels[i] = newId[labels[i]];
  return { k, d, centroids: outCentres, labels, sizes: outSizes, inertia, iterations, converged };
}

function lloydAssign(z: Float64Array, n: number, d: number, k: number, centres: Float64Array, labels: Int32Array): number {
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    let own = 0;
    let bestD = dist2(z, i, centres, 0, d);
    for (let c = 1; c < k; c++) {
      const v = dist2(z, i, centres, c, d);
      if (v < bestD) {
        bestD = v;
        own = c;
      }
    }
    labels[i] = own;
    inertia += bestD;
  }
  return inertia;
}

/** Mean silhouette of a seeded sample of rows (see file comment). NaN when k < 2. */
export function silhouetteScore(z: Float64Array, n: number, d: number, labels: Int32Array, k: number, sample = 2000, seed = 1): number {
  if (k < 2) return NaN;
  const s = Math.min(n, sample);
  let rowsOf: Int32Array;
  if (s === n) rowsOf = Int32Array.from({ length: n }, (_, i) => i);
  else {
    const perm = Int32Array.from({ length: n }, (_, i) => i);
    const rng = new Rng(seed, 0x511, 0);
    for (let a = 0; a < s; a++) {
      const b = a + rng.int(n - a);
      const t = perm[a];
      perm[a] = perm[b];
      perm[b] = t;
    }
    rowsOf = perm.slice(0, s).sort();
  }
  const clusterSize = new Int32Array(k);
  for (let a = 0; a < s; a++) clusterSize[labels[rowsOf[a]]]++;
  const sumTo = new Float64Array(k);
  let total = 0;
  for (let a = 0; a < s; a++) {
    const i = rowsOf[a];
    sumTo.fill(0);
    for (let b = 0; b < s; b++) {
      if (a === b) continue;
      const j = rowsOf[b];
      let q = 0;
      for (let t = 0; t < d; t++) {
        const v = z[i * d + t] - z[j * d + t];
        q += v * v;
      }
      sumTo[labels[j]] += Math.sqrt(q);
    }
    const own = labels[i];
    if (clusterSize[own] <= 1) continue; // s(i) = 0
    const A = sumTo[own] / (clusterSize[own] - 1);
    let B = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && clusterSize[c] > 0) B = Math.min(B, sumTo[c] / clusterSize[c]);
    if (!Number.isFinite(B)) continue;
    const m = Math.max(A, B);
    total += m > 0 ? (B - A) / m : 0;
  }
  return total / s;
}

export interface ClusterProfile {
  /** 0 = largest cluster. */
  readonly cluster: number;
  readonly size: number;
  readonly share: number;
  /** Mean of each design column in original units (shares for 0/1 columns), plan column order. */
  readonly means: readonly number[];
}

export interface ClusterModel {
  readonly plan: FeaturePlan;
  readonly k: number;
  /** Standardised centres (k x d), for assigning new rows. */
  readonly centroids: Float64Array;
  readonly profiles: readonly ClusterProfile[];
  readonly inertia: number;
  readonly silhouette: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * Fits clusters on tables: feature plan (no target), standardise, k-means, profiles, silhouette.
 * Returns the model and every row's cluster.
 */
export async function fitClusters(tables: readonly Table[], spec: FeatureSpec, options: KMeansOptions, hooks: FitHooks = {}): Promise<{ model: ClusterModel; labels: Int32Array }> {
  if (spec.target) throw new FeatureError('Clustering takes no target column; remove spec.target.');
  const plan = fitFeaturePlan(tables, { ...spec, minRows: spec.minRows ?? Math.max(2, options.k) });
  const design = buildDesign(tables, plan, false);
  const z = standardize(design, plan);
  await hooks.checkpoint?.();
  const r = await kmeans(z, design.n, design.p, options, hooks);
  const p = design.p;
  const sums = new Float64Array(r.k * p);
  for (let i = 0; i < design.n; i++) {
    const c = r.labels[i];
    for (let j = 0; j < p; j++) sums[c * p + j] += design.x[i * p + j];
  }
  const profiles: ClusterProfile[] = [];
  for (let c = 0; c < r.k; c++) {
    const size = r.sizes[c];
    profiles.push({ cluster: c, size, share: size / design.n, means: Array.from({ length: p }, (_, j) => (size > 0 ? sums[c * p + j] / size : NaN)) });
  }
  const silhouette = silhouetteScore(z, design.n, p, r.labels, r.k, options.silhouetteSample ?? 2000, options.seed ?? 1);
  hooks.progress?.(1);
  return {
    model: { plan, k: r.k, centroids: r.centroids, profiles, inertia: r.inertia, silhouette, iterations: r.iterations, converged: r.converged },
    labels: r.labels,
  };
}

/** Nearest cluster of every row of new tables. */
export function assignClusters(model: ClusterModel, tables: readonly Table[]): Int32Array {
  let total = 0;
  for (const t of tables) total += t.numRows;
  const out = new Int32Array(total);
  const p = model.plan.columns.length;
  const mean = model.plan.columns.map((c) => c.mean);
  const inv = model.plan.columns.map((c) => 1 / c.sd);
  const z = new Float64Array(p);
  forEachDesignBlock(tables, model.plan, false, (x, _y, n, first) => {
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < p; j++) z[j] = (x[r * p + j] - mean[j]) * inv[j];
      let bestC = 0, bestD = Infinity;
      for (let c = 0; c < model.k; c++) {
        const v = dist2(z, 0, model.centroids, c, p);
        if (v < bestD) {
          bestD = v;
          bestC = c;
        }
      }
      out[first + r] = bestC;
    }
  });
  return out;
}
