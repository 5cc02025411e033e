// Boosted trees: beats logistic regression where the signal is not linear, is deterministic for
// a seed, and its path attributions add up to the score.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/generate/random.js';
import { binDesign, fitGbdt, gbdtContributions, gbdtLogitOfRow, predictGbdt } from '../../workers/models/gbdt.js';
import { fitLogistic, predictLogistic, sigmoid } from '../../workers/models/logistic.js';
import { crossValidate, rocAuc } from '../../workers/models/evaluate.js';

/** Churn depends on an interaction and a threshold: no linear boundary captures it. */
function nonlinear(n: number, seed: number) {
  const rng = new Rng(seed, 9, 0);
  const p = 4;
  const x = new Float64Array(n * p), y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng.normal(), b = rng.normal(), c = rng.uniform() * 10, d = rng.normal();
    x.set([a, b, c, d], i * p);
    const eta = 2.5 * Math.sign(a * b) + (c > 7 ? 1.5 : -0.5) + 0.2 * d - 0.5;
    y[i] = rng.uniform() < sigmoid(eta) ? 1 : 0;
  }
  return { x, y, n, p };
}

function scaling(x: Float64Array, n: number, p: number) {
  const mean = new Array(p).fill(0), sd = new Array(p).fill(0);
  for (let j = 0; j < p; j++) {
    for (let i = 0; i < n; i++) mean[j] += x[i * p + j] / n;
    for (let i = 0; i < n; i++) sd[j] += (x[i * p + j] - mean[j]) ** 2 / n;
    sd[j] = Math.sqrt(sd[j]);
  }
  return { mean, sd };
}

describe('gradient-boosted trees', () => {
  it('beats logistic regression on a non-linear problem (5-fold CV AUC)', async () => {
    const data = nonlinear(4000, 1);
    const s = scaling(data.x, data.n, data.p);
    const binned = binDesign(data.x, data.n, data.p);
    const lr = await crossValidate(data.y, 5, 1, async (train, test) => predictLogistic(await fitLogistic(data, s, {}, train), data.x, data.n, test));
    const gb = await crossValidate(data.y, 5, 1, async (train, test) => predictGbdt(await fitGbdt(data, {}, train, {}, binned), data.x, data.n, test));
    expect(lr.auc).toBeLessThan(0.7);
    expect(gb.auc).toBeGreaterThan(0.8);
    expect(gb.auc - lr.auc).toBeGreaterThan(0.15);
  });

  it('is deterministic for a seed and changes with it', async () => {
    const data = nonlinear(1500, 2);
    const a = await fitGbdt(data, { trees: 20, seed: 5 });
    const b = await fitGbdt(data, { trees: 20, seed: 5 });
    const c = await fitGbdt(data, { trees: 20, seed: 6 });
    expect(a.value).toEqual(b.value);
    expect(a.threshold).toEqual(b.threshold);
    expect(c.value).not.toEqual(a.value);
  });

  it('scores raw values exactly as training routed bin codes, and attributions add up to the log-odds', async () => {
    const data = nonlinear(2000, 3);
    const m = await fitGbdt(data, { trees: 30, maxDepth: 4 });
    const prob = predictGbdt(m, data.x, data.n);
    // In-sample AUC of a boosted model on this signal is high; predictions are probabilities.
    expect(rocAuc(prob, data.y)).toBeGreaterThan(0.85);
    const out = new Float64Array(data.p);
    for (const i of [0, 5, 999, 1999]) {
      const bias = gbdtContributions(m, data.x, i * data.p, out);
      const total = bias + out.reduce((a, v) => a + v, 0);
      expect(total).toBeCloseTo(gbdtLogitOfRow(m, data.x, i * data.p), 12);
    }
    // The interaction features carry the attribution; the near-noise feature d carries little.
    const mag = new Float64Array(data.p);
    for (let i = 0; i < 500; i++) {
      gbdtContributions(m, data.x, i * data.p, out);
      for (let j = 0; j < data.p; j++) mag[j] += Math.abs(out[j]);
    }
    expect(mag[3]).toBeLessThan(mag[0]);
    expect(mag[3]).toBeLessThan(mag[2]);
  });

  it('checks its options', async () => {
    const data = nonlinear(200, 4);
    await expect(fitGbdt(data, { maxDepth: 12 })).rejects.toThrow(/maxDepth must be a whole number 1..8/);
    await expect(fitGbdt(data, { learningRate: 0 })).rejects.toThrow(/learningRate/);
  });
});
