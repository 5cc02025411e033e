// Evaluation: AUC against hand-computed values and a brute-force pair count, folds, calibration, lift.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/generate/random.js';
import { calibrationTable, crossValidate, liftTable, rocAuc, stratifiedFolds } from '../../workers/models/evaluate.js';

/** P(score+ > score-) + ½ P(tie), over all pairs: the definition, O(n²). */
function bruteAuc(s: ArrayLike<number>, y: ArrayLike<number>): number {
  let wins = 0, pairs = 0;
  for (let i = 0; i < s.length; i++) {
    if (!y[i]) continue;
    for (let j = 0; j < s.length; j++) {
      if (y[j]) continue;
      pairs++;
      wins += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

describe('ROC AUC', () => {
  it('matches hand-computed examples, with ties counted as half', () => {
    // Pairs (pos, neg): (0.35, 0.1) win, (0.35, 0.4) loss, (0.8, 0.1) win, (0.8, 0.4) win -> 3/4.
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    // (0.5, 0.5) tie = 1/2, (0.5, 0.2) win, (0.9, 0.5) win, (0.9, 0.2) win -> 3.5/4.
    expect(rocAuc([0.5, 0.5, 0.2, 0.9], [1, 0, 0, 1])).toBe(0.875);
    expect(rocAuc([1, 1, 1, 1], [0, 1, 0, 1])).toBe(0.5);
    expect(rocAuc([0.9, 0.8, 0.1, 0.2], [1, 1, 0, 0])).toBe(1);
  });

  it('equals the pair count on random data with many ties', () => {
    const rng = new Rng(3, 0, 0);
    const s = Float64Array.from({ length: 700 }, () => Math.round(rng.uniform() * 20) / 20);
    const y = Uint8Array.from(s, (v) => (rng.uniform() < 0.2 + 0.5 * v ? 1 : 0));
    expect(rocAuc(s, y)).toBeCloseTo(bruteAuc(s, y), 12);
  });

  it('refuses a missing class and non-finite scores', () => {
    expect(() => rocAuc([0.1, 0.2], [0, 0])).toThrow(/both classes/);
    expect(() => rocAuc([0.1, NaN], [0, 1])).toThrow(/finite/);
  });
});

describe('folds, calibration and lift', () => {
  it('stratifies folds by class, deterministically for a seed', () => {
    const y = Uint8Array.from({ length: 1003 }, (_, i) => (i % 7 === 0 ? 1 : 0));
    const a = stratifiedFolds(y, 5, 42);
    const b = stratifiedFolds(y, 5, 42);
    expect(a).toEqual(b);
    expect(stratifiedFolds(y, 5, 43)).not.toEqual(a);
    const pos = new Array(5).fill(0), all = new Array(5).fill(0);
    a.forEach((f, i) => {
      all[f]++;
      pos[f] += y[i];
    });
    expect(Math.max(...pos) - Math.min(...pos)).toBeLessThanOrEqual(1);
    expect(Math.max(...all) - Math.min(...all)).toBeLessThanOrEqual(1);
    expect(() => stratifiedFolds(Uint8Array.of(1, 0, 0, 0, 0, 0), 5, 1)).toThrow(/at least 5 rows of each class/);
  });

  it('builds decile calibration and lift tables', () => {
    // 1000 rows, probability i/1000, label 1 exactly for the top 100: perfect ranking, base rate 10%.
    const p = Float64Array.from({ length: 1000 }, (_, i) => (i + 0.5) / 1000);
    const y = Uint8Array.from({ length: 1000 }, (_, i) => (i >= 900 ? 1 : 0));
    const cal = calibrationTable(p, y);
    expect(cal).toHaveLength(10);
    expect(cal.reduce((a, r) => a + r.count, 0)).toBe(1000);
    expect(cal[0].meanPredicted).toBeCloseTo(0.05, 10);
    expect(cal[9].observedRate).toBe(1);
    expect(cal[8].observedRate).toBe(0);
    const lift = liftTable(p, y);
    expect(lift[0]).toMatchObject({ decile: 1, count: 100, positives: 100, rate: 1, lift: 10, captured: 1 });
    expect(lift[9].cumulativeLift).toBeCloseTo(1, 12);
    expect(lift[1].lift).toBe(0);
  });

  it('cross-validates: every row gets one out-of-fold prediction', async () => {
    const rng = new Rng(8, 0, 0);
    const score = Float64Array.from({ length: 500 }, () => rng.uniform());
    const y = Uint8Array.from(score, (v) => (rng.uniform() < v ? 1 : 0));
    const seen = new Uint8Array(500);
    const cv = await crossValidate(y, 5, 1, async (train, test) => {
      for (const i of test) seen[i]++;
      expect(train.length + test.length).toBe(500);
      return Float64Array.from(test, (i) => score[i]);
    });
    expect([...seen].every((c) => c === 1)).toBe(true);
    expect(cv.auc).toBeCloseTo(rocAuc(score, y), 12);
    expect(cv.foldAuc).toHaveLength(5);
  });
});
