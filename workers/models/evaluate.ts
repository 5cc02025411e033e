/**
 * How good a churn model is, measured on data it did not see.
 *
 * - `stratifiedFolds`: k folds that each hold the same share of positives (seeded shuffle of the
 *   positives and of the negatives separately, then dealt round-robin), so a fold never lacks a
 *   class even when churn is rare.
 * - `crossValidate`: fits on k-1 folds, predicts the held-out fold; returns the out-of-fold
 *   predictions of every row, the AUC of each fold, and the pooled out-of-fold AUC.
 * - `rocAuc`: area under the ROC curve = P(score of a random positive > score of a random
 *   negative) + ½ P(tie): the Mann-Whitney statistic, i.e. the rank-based AUC with tied scores
 *   given their average rank. Computed by sorting positives and negatives separately (native
 *   typed-array sorts) and merging: O(n log n), no comparator calls.
 * - `calibrationTable`: rows sorted by predicted probability, cut into `groups` (default 10)
 *   groups of equal size (deciles); per group the mean predicted probability and the observed rate.
 *   A well-calibrated model has the two close in every group.
 * - `liftTable`: rows sorted by score, highest first, cut into deciles; per decile the observed
 *   rate, its lift over the base rate, and cumulative figures (the share of all positives found in
 *   the top deciles - what an RM team reaches by calling the top of the list).
 * Scores must be finite: a NaN score is a bug upstream and throws, it is never averaged in.
 */
import type { FitHooks } from './common.js';
import { Rng } from '../../src/generate/random.js';

function checkInputs(scores: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (scores.length !== labels.length) throw new Error(`scores (${scores.length}) and labels (${labels.length}) differ in length.`);
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) throw new Error(`Score ${i} is ${scores[i]}; every score must be a finite number.`);
  }
}

/** Scores of positives and of negatives, each sorted ascending. */
function splitSorted(scores: ArrayLike<number>, labels: ArrayLike<number>): { pos: Float64Array; neg: Float64Array } {
  let np = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]) np++;
  const pos = new Float64Array(np), neg = new Float64Array(labels.length - np);
  let a = 0, b = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]) pos[a++] = scores[i];
    else neg[b++] = scores[i];
  }
  return { pos: pos.sort(), neg: neg.sort() };
}

/** Rank-based ROC AUC with ties averaged. Throws when a class is absent. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkInputs(scores, labels);
  const { pos, neg } = splitSorted(scores, labels);
  if (pos.length === 0 || neg.length === 0) throw new Error(`AUC needs both classes; got ${pos.length} positives and ${neg.length} negatives.`);
  let wins = 0;
  let j = 0;
  for (let i = 0; i < pos.length; ) {
    const v = pos[i];
    let k = i;
    while (k < pos.length && pos[k] === v) k++;
    while (j < neg.length && neg[j] < v) j++;
    let e = j;
    while (e < neg.length && neg[e] === v) e++;
    wins += (k - i) * (j + 0.5 * (e - j));
    i = k;
  }
  return wins / (pos.length * neg.length);
}

/** Labels in ascending score order (ties: negatives first), with the sorted scores. */
function orderByScore(scores: ArrayLike<number>, labels: ArrayLike<number>): { s: Float64Array; l: Uint8Array } {
  const { pos, neg } = splitSorted(scores, labels);
  const n = pos.length + neg.length;
  const s = new Float64Array(n), l = new Uint8Array(n);
  let a = 0, b = 0;
  for (let k = 0; k < n; k++) {
    if (b < neg.length && (a >= pos.length || neg[b] <= pos[a])) s[k] = neg[b++];
    else {
      s[k] = pos[a++];
      l[k] = 1;
    }
  }
  return { s, l };
}

export interface CalibrationRow {
  /** 1 = lowest predicted probabilities. */
  readonly group: number;
  readonly count: number;
  readonly meanPredicted: number;
  readonly observedRate: number;
  readonly minPredicted: number;
  readonly maxPredicted: number;
}

export function calibrationTable(probabilities: ArrayLike<number>, labels: ArrayLike<number>, groups = 10): CalibrationRow[] {
  checkInputs(probabilities, labels);
  const { s, l } = orderByScore(probabilities, labels);
  const n = s.length;
  const out: CalibrationRow[] = [];
  for (let g = 0; g < groups; g++) {
    const a = Math.floor((g * n) / groups), b = Math.floor(((g + 1) * n) / groups);
    if (b <= a) continue;
    let sp = 0, sy = 0;
    for (let k = a; k < b; k++) {
      sp += s[k];
      sy += l[k];
    }
    out.push({ group: g + 1, count: b - a, meanPredicted: sp / (b - a), observedRate: sy / (b - a), minPredicted: s[a], maxPredicted: s[b - 1] });
  }
  return out;
}

export interface LiftRow {
  /** 1 = highest scores. */
  readonly decile: number;
  readonly count: number;
  readonly positives: number;
  readonly rate: number;
  /** rate / base rate. */
  readonly lift: number;
  readonly cumulativeRate: number;
  readonly cumulativeLift: number;
  /** Share of all positives found in deciles 1..this one. */
  readonly captured: number;
}

export function liftTable(scores: ArrayLike<number>, labels: ArrayLike<number>, groups = 10): LiftRow[] {
  checkInputs(scores, labels);
  const { l } = orderByScore(scores, labels);
  const n = l.length;
  let total = 0;
  for (let k = 0; k < n; k++) total += l[k];
  const base = total / n;
  const out: LiftRow[] = [];
  let cumN = 0, cumP = 0;
  for (let g = 0; g < groups; g++) {
    // Highest first: group g covers the g-th tenth from the top.
    const hi = n - Math.floor((g * n) / groups), lo = n - Math.floor(((g + 1) * n) / groups);
    if (hi <= lo) continue;
    let pos = 0;
    for (let k = lo; k < hi; k++) pos += l[k];
    const count = hi - lo;
    cumN += count;
    cumP += pos;
    out.push({
      decile: g + 1, count, positives: pos, rate: pos / count, lift: base > 0 ? pos / count / base : 0,
      cumulativeRate: cumP / cumN, cumulativeLift: base > 0 ? cumP / cumN / base : 0, captured: total > 0 ? cumP / total : 0,
    });
  }
  return out;
}

/** Mean log-loss (probabilities clipped to [1e-15, 1 - 1e-15]). */
export function logLoss(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkInputs(probabilities, labels);
  let s = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - 1e-15, Math.max(1e-15, probabilities[i]));
    s -= labels[i] ? Math.log(p) : Math.log(1 - p);
  }
  return s / labels.length;
}

/** Mean squared error of probabilities (Brier score). */
export function brierScore(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkInputs(probabilities, labels);
  let s = 0;
  for (let i = 0; i < labels.length; i++) s += (probabilities[i] - labels[i]) ** 2;
  return s / labels.length;
}

/**
 * Fold (0..k-1) of each row of `y`, stratified by class, seeded. With `rows`, only those rows get
 * a fold and the others get -1.
 */
export function stratifiedFolds(y: Uint8Array, k: number, seed: number, rows: Int32Array | null = null): Int32Array {
  if (!(Number.isInteger(k) && k >= 2)) throw new Error(`Cross-validation needs k >= 2 folds; got ${k}.`);
  const fold = new Int32Array(y.length).fill(rows ? -1 : 0);
  const pos: number[] = [], neg: number[] = [];
  const m = rows ? rows.length : y.length;
  for (let r = 0; r < m; r++) {
    const i = rows ? rows[r] : r;
    (y[i] ? pos : neg).push(i);
  }
  if (pos.length < k || neg.length < k) {
    throw new Error(`${k}-fold cross-validation needs at least ${k} rows of each class; got ${pos.length} positive and ${neg.length} negative.`);
  }
  const rng = new Rng(seed, 0xcf01d, 0);
  let deal = 0;
  for (const group of [pos, neg]) {
    for (let i = group.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = group[i];
      group[i] = group[j];
      group[j] = t;
    }
    // Continue dealing where the positives stopped, so fold sizes differ by at most one.
    for (const i of group) fold[i] = deal++ % k;
  }
  return fold;
}

export interface CrossValidation {
  readonly folds: number;
  /** Out-of-fold probability per row (rows not in any fold: NaN, and they are excluded). */
  readonly oof: Float64Array;
  readonly foldAuc: number[];
  /** AUC of the pooled out-of-fold predictions. */
  readonly auc: number;
  readonly aucMean: number;
  readonly aucSd: number;
}

/**
 * k-fold cross-validation. `fitPredict(train, test)` fits on the `train` rows and returns the
 * probabilities of the `test` rows, in order.
 */
export async function crossValidate(
  y: Uint8Array,
  k: number,
  seed: number,
  fitPredict: (train: Int32Array, test: Int32Array, fold: number) => Promise<Float64Array>,
  rows: Int32Array | null = null,
  hooks: FitHooks = {},
): Promise<CrossValidation> {
  const fold = stratifiedFolds(y, k, seed, rows);
  const oof = new Float64Array(y.length).fill(NaN);
  const foldAuc: number[] = [];
  for (let f = 0; f < k; f++) {
    let nt = 0, nv = 0;
    for (let i = 0; i < fold.length; i++) {
      if (fold[i] === f) nv++;
      else if (fold[i] >= 0) nt++;
    }
    const train = new Int32Array(nt), test = new Int32Array(nv);
    nt = nv = 0;
    for (let i = 0; i < fold.length; i++) {
      if (fold[i] === f) test[nv++] = i;
      else if (fold[i] >= 0) train[nt++] = i;
    }
    const pred = await fitPredict(train, test, f);
    const labels = new Uint8Array(nv);
    for (let r = 0; r < nv; r++) {
      oof[test[r]] = pred[r];
      labels[r] = y[test[r]];
    }
    foldAuc.push(rocAuc(pred, labels));
    hooks.progress?.((f + 1) / k);
    await hooks.checkpoint?.();
  }
  const used = rows ?? null;
  const scores = used ? Float64Array.from(used, (i) => oof[i]) : oof;
  const labels = used ? Uint8Array.from(used, (i) => y[i]) : y;
  const mean = foldAuc.reduce((a, b) => a + b, 0) / k;
  const sd = Math.sqrt(foldAuc.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, k - 1));
  return { folds: k, oof, foldAuc, auc: rocAuc(scores, labels), aucMean: mean, aucSd: sd };
}
