// Logistic regression checked against independent computations: the optimality condition, a
// plain gradient-descent fit, a problem solved by hand, and the failures it must name.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/generate/random.js';
import { ModelFitError } from '../../workers/models/common.js';
import { fitLogistic, logisticContributions, logitOfRow, originalScale, predictLogistic, sigmoid } from '../../workers/models/logistic.js';

function synthetic(n: number, p: number, seed: number) {
  const rng = new Rng(seed, 3, 0);
  const x = new Float64Array(n * p);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let eta = -0.5;
    for (let j = 0; j < p; j++) {
      // Mixed scales and offsets, a 0/1 column when j is odd.
      const v = j % 2 ? (rng.uniform() < 0.3 ? 1 : 0) : 50 + 20 * (j + 1) * rng.normal();
      x[i * p + j] = v;
      eta += j % 2 ? 0.8 * v : 0.04 * (v - 50);
    }
    y[i] = rng.uniform() < sigmoid(eta) ? 1 : 0;
  }
  return { x, y, n, p };
}

function scalingOf(x: Float64Array, n: number, p: number) {
  const mean = new Array(p).fill(0), sd = new Array(p).fill(0);
  for (let j = 0; j < p; j++) {
    for (let i = 0; i < n; i++) mean[j] += x[i * p + j] / n;
    for (let i = 0; i < n; i++) sd[j] += (x[i * p + j] - mean[j]) ** 2 / n;
    sd[j] = Math.sqrt(sd[j]);
  }
  return { mean, sd };
}

/** Gradient of the penalised log-likelihood on the standardised scale, computed independently. */
function penalisedGradient(data: ReturnType<typeof synthetic>, s: ReturnType<typeof scalingOf>, b0: number, b: ArrayLike<number>, l2: number): number[] {
  const { x, y, n, p } = data;
  const g = new Array(p + 1).fill(0);
  for (let i = 0; i < n; i++) {
    let eta = b0;
    const z = [];
    for (let j = 0; j < p; j++) {
      z.push((x[i * p + j] - s.mean[j]) / s.sd[j]);
      eta += b[j] * z[j];
    }
    const r = y[i] - 1 / (1 + Math.exp(-eta));
    g[0] += r;
    for (let j = 0; j < p; j++) g[j + 1] += r * z[j];
  }
  for (let j = 0; j < p; j++) g[j + 1] -= l2 * b[j];
  return g;
}

describe('logistic regression (Newton / IRLS)', () => {
  it('reaches a point where the gradient of the penalised log-likelihood is zero', async () => {
    const data = synthetic(3000, 5, 11);
    const s = scalingOf(data.x, data.n, data.p);
    const m = await fitLogistic(data, s, { l2: 2 });
    const g = penalisedGradient(data, s, m.intercept, m.coef, 2);
    for (const v of g) expect(Math.abs(v)).toBeLessThan(1e-6);
    expect(m.iterations).toBeLessThan(12);
  });

  it('agrees with a plain gradient-descent fit of the same objective', async () => {
    const data = synthetic(200, 3, 5);
    const s = scalingOf(data.x, data.n, data.p);
    const l2 = 0.5;
    const m = await fitLogistic(data, s, { l2, tolerance: 1e-10 });
    // Gradient ascent on the penalised log-likelihood, step 1/n, many iterations.
    let b0 = 0;
    const b = [0, 0, 0];
    for (let it = 0; it < 30000; it++) {
      const g = penalisedGradient(data, s, b0, b, l2);
      b0 += (2 * g[0]) / data.n;
      for (let j = 0; j < 3; j++) b[j] += (2 * g[j + 1]) / data.n;
    }
    expect(m.intercept).toBeCloseTo(b0, 6);
    for (let j = 0; j < 3; j++) expect(m.coef[j]).toBeCloseTo(b[j], 6);
  });

  it('reproduces a problem solved by hand: one 0/1 feature and no penalty give the group rates', async () => {
    // Group x = 0: 3 of 10 positive; group x = 1: 7 of 10 positive. The MLE fits both rates exactly:
    // logit(0.3) = ln(3/7) at x = 0, and the coefficient per unit is ln(7/3) - ln(3/7) = 2 ln(7/3).
    const x = new Float64Array(20), y = new Uint8Array(20);
    for (let i = 0; i < 20; i++) {
      x[i] = i < 10 ? 0 : 1;
      y[i] = i < 10 ? (i < 3 ? 1 : 0) : i < 17 ? 1 : 0;
    }
    const m = await fitLogistic({ x, y, n: 20, p: 1 }, { mean: [0.5], sd: [0.5] }, { l2: 0, tolerance: 1e-12 });
    const pr = predictLogistic(m, x, 20);
    expect(pr[0]).toBeCloseTo(0.3, 10);
    expect(pr[15]).toBeCloseTo(0.7, 10);
    const o = originalScale(m);
    expect(o.intercept).toBeCloseTo(Math.log(3 / 7), 9);
    expect(o.coef[0]).toBeCloseTo(2 * Math.log(7 / 3), 9);
  });

  it('gives per-client contributions that add up to the log-odds', async () => {
    const data = synthetic(500, 4, 2);
    const s = scalingOf(data.x, data.n, data.p);
    const m = await fitLogistic(data, s);
    const out = new Float64Array(4);
    for (const i of [0, 17, 311]) {
      const base = logisticContributions(m, data.x, i * 4, out);
      expect(base + out.reduce((a, b) => a + b, 0)).toBeCloseTo(logitOfRow(m, data.x, i * 4), 12);
      const o = originalScale(m);
      let eta = o.intercept;
      for (let j = 0; j < 4; j++) eta += o.coef[j] * data.x[i * 4 + j];
      expect(eta).toBeCloseTo(logitOfRow(m, data.x, i * 4), 9);
    }
  });

  it('fits on a subset of rows (cross-validation folds) exactly as on a copy of those rows', async () => {
    const data = synthetic(400, 3, 9);
    const s = scalingOf(data.x, data.n, data.p);
    const rows = Int32Array.from({ length: 200 }, (_, k) => 2 * k);
    const a = await fitLogistic(data, s, {}, rows);
    const x = new Float64Array(600), y = new Uint8Array(200);
    rows.forEach((i, k) => {
      x.set(data.x.subarray(i * 3, i * 3 + 3), k * 3);
      y[k] = data.y[i];
    });
    const b = await fitLogistic({ x, y, n: 200, p: 3 }, s);
    expect(a.intercept).toBeCloseTo(b.intercept, 10);
    for (let j = 0; j < 3; j++) expect(a.coef[j]).toBeCloseTo(b.coef[j], 10);
  });

  it('names perfect separation and collinearity instead of returning wild coefficients', async () => {
    const n = 60;
    const x = Float64Array.from({ length: n }, (_, i) => i);
    const y = Uint8Array.from({ length: n }, (_, i) => (i >= 30 ? 1 : 0));
    const s = scalingOf(x, n, 1);
    const err = await fitLogistic({ x, y, n, p: 1 }, s, { l2: 0, maxIterations: 40 }).catch((e) => e);
    expect(err).toBeInstanceOf(ModelFitError);
    expect(err.message).toMatch(/separates the classes perfectly/);
    // With a penalty the same data fits fine.
    await expect(fitLogistic({ x, y, n, p: 1 }, s, { l2: 1 })).resolves.toMatchObject({ kind: 'logistic' });

    const data = synthetic(300, 2, 4);
    const x2 = new Float64Array(900);
    for (let i = 0; i < 300; i++) {
      x2[i * 3] = data.x[i * 2];
      x2[i * 3 + 1] = data.x[i * 2 + 1];
      x2[i * 3 + 2] = data.x[i * 2]; // a copy of column 0
    }
    const s2 = scalingOf(x2, 300, 3);
    const err2 = await fitLogistic({ x: x2, y: data.y, n: 300, p: 3 }, s2, { l2: 0 }).catch((e) => e);
    expect(err2).toBeInstanceOf(ModelFitError);
    expect(err2.message).toMatch(/collinear/);
  });

  it('refuses a single class', async () => {
    const x = Float64Array.from({ length: 10 }, (_, i) => i);
    await expect(fitLogistic({ x, y: new Uint8Array(10), n: 10, p: 1 }, { mean: [4.5], sd: [2.9] })).rejects.toThrow(/both classes/);
  });
});
