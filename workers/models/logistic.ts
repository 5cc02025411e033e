/**
 * L2-regularised logistic regression fitted by Newton's method (iteratively reweighted least
 * squares), with per-client contributions for reasons.
 *
 * Model: P(y = 1 | x) = σ(β0 + Σ_j β_j z_j), z_j = (x_j - mean_j) / sd_j, the standardisation of
 * the feature plan (features.ts), applied on the fly so the design is never copied. Coefficients
 * live on the standardised scale, which makes one penalty fair to every feature; `originalScale`
 * converts them to per-unit effects for display.
 *
 * Objective (minimised): J(β) = -Σ_i [y_i ln p_i + (1 - y_i) ln(1 - p_i)] + (λ/2) Σ_{j>=1} β_j²
 * (the intercept is not penalised). Newton step: (X'WX + λI') Δ = X'(y - p) - λβ', W = p(1 - p),
 * solved by Cholesky. Each pass over the rows accumulates the upper triangle of X'WX, the gradient
 * and J at the current β. If J went up (possible far from the optimum with λ = 0), the step is
 * halved and the pass repeated. Converged when the largest |Δ_j| < tolerance (default 1e-6 on the
 * standardised scale; the error left after such a Newton step is of order 1e-12). Non-convergence after maxIterations, or a Hessian that is not positive
 * definite (collinear features with λ = 0), throws ModelFitError saying what to change. With
 * λ > 0 the objective is strictly convex and Newton converges in a handful of steps.
 *
 * Reasons: contribution_j = β_j (x_j - mean_j) / sd_j, so logit = β0 + Σ_j contribution_j exactly;
 * β0 is the log-odds of a client at the training means. Positive contributions push the score up.
 */
import { ModelFitError, type FitHooks } from './common.js';

export interface LogisticOptions {
  /** L2 penalty λ on standardised coefficients; default 1. */
  readonly l2?: number;
  /** Newton iterations before giving up; default 50. */
  readonly maxIterations?: number;
  /** Convergence: largest coefficient change (standardised scale); default 1e-6. Newton converges quadratically, so the error left is of order tolerance². */
  readonly tolerance?: number;
}

export interface LogisticModel {
  readonly kind: 'logistic';
  readonly intercept: number;
  /** Coefficients on the standardised scale, one per design column. */
  readonly coef: Float64Array;
  readonly mean: Float64Array;
  readonly sd: Float64Array;
  readonly l2: number;
  readonly iterations: number;
}

export interface TrainingData {
  /** Row-major n x p design in original units. */
  readonly x: Float64Array;
  readonly n: number;
  readonly p: number;
  /** 0/1 labels. */
  readonly y: Uint8Array;
}

/** In-place Cholesky of the symmetric matrix in the upper triangle of A (P x P); returns false if not positive definite. */
function cholesky(A: Float64Array, P: number, L: Float64Array): boolean {
  L.fill(0);
  for (let j = 0; j < P; j++) {
    let d = A[j * P + j];
    for (let k = 0; k < j; k++) d -= L[j * P + k] * L[j * P + k];
    if (!(d > 1e-12 * Math.max(1, A[j * P + j]))) return false;
    const ljj = Math.sqrt(d);
    L[j * P + j] = ljj;
    for (let i = j + 1; i < P; i++) {
      let s = A[j * P + i]; // upper triangle holds A[j][i] = A[i][j]
      for (let k = 0; k < j; k++) s -= L[i * P + k] * L[j * P + k];
      L[i * P + j] = s / ljj;
    }
  }
  return true;
}

/** Solves L L' d = g. */
function cholSolve(L: Float64Array, P: number, g: Float64Array, d: Float64Array): void {
  for (let i = 0; i < P; i++) {
    let s = g[i];
    for (let k = 0; k < i; k++) s -= L[i * P + k] * d[k];
    d[i] = s / L[i * P + i];
  }
  for (let i = P - 1; i >= 0; i--) {
    let s = d[i];
    for (let k = i + 1; k < P; k++) s -= L[k * P + i] * d[k];
    d[i] = s / L[i * P + i];
  }
}

/** Numerically stable log(1 + e^t). */
function softplus(t: number): number {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

/**
 * Fits the model on the rows `rows` of `data` (all rows when omitted). `mean` / `sd` are the
 * plan's standardisation (FeaturePlan.columns[j].mean / .sd).
 *
 * Speed (documented because it shapes the code): a pass costs O(n · nnz²) where nnz is the number
 * of non-zero entries of a row. Numeric columns are standardised on the fly ("dense"); 0/1 columns
 * (one-hot levels, missing indicators; detected from the data) are kept raw, so a row only touches
 * the levels it has. Sums are accumulated in that mixed "u-space" (u_j = z_j for dense columns,
 * u_j = x_j for 0/1 columns) and mapped to the standardised space exactly with the affine map
 * z = M u (z_j = (u_j - mean_j · u_0) / sd_j for a 0/1 column, u_0 = 1 the intercept):
 * Hessian M A M', gradient M g_u, linear predictor (M'β)'u. On more than 100,000 rows a fit on a
 * strided sample of 50,000 rows gives the starting point, so the full data needs 2-3 passes.
 */
export async function fitLogistic(
  data: TrainingData,
  scaling: { mean: ArrayLike<number>; sd: ArrayLike<number> },
  options: LogisticOptions = {},
  rows: Int32Array | null = null,
  hooks: FitHooks = {},
): Promise<LogisticModel> {
  const { x, p, y } = data;
  const l2 = options.l2 ?? 1;
  const maxIter = options.maxIterations ?? 50;
  const tol = options.tolerance ?? 1e-6;
  if (!(l2 >= 0)) throw new Error(`l2 must be >= 0; got ${l2}.`);
  if (scaling.mean.length !== p || scaling.sd.length !== p) throw new Error(`Scaling has ${scaling.mean.length} means and ${scaling.sd.length} sds for ${p} columns.`);
  const mean = Float64Array.from(scaling.mean);
  const sd = Float64Array.from(scaling.sd);
  for (let j = 0; j < p; j++) {
    if (!(sd[j] > 0 && Number.isFinite(sd[j]) && Number.isFinite(mean[j]))) throw new Error(`Design column ${j} has standard deviation ${sd[j]} and mean ${mean[j]}; constant columns must be dropped first (the feature plan does).`);
  }
  const m = rows ? rows.length : data.n;
  let pos = 0;
  for (let r = 0; r < m; r++) pos += y[rows ? rows[r] : r];
  if (pos === 0 || pos === m) throw new ModelFitError(`Logistic regression needs both classes among its ${m} training rows; got ${pos} positives.`);

  // Which columns are 0/1 (sparse in u-space).
  const binary = new Uint8Array(p).fill(1);
  for (let r = 0; r < m; r++) {
    const base = (rows ? rows[r] : r) * p;
    for (let j = 0; j < p; j++) {
      const v = x[base + j];
      if (v !== 0 && v !== 1) binary[j] = 0;
    }
  }
  const beta = new Float64Array(p + 1);
  beta[0] = Math.log(pos / (m - pos));
  const denseCols: number[] = [], binaryCols: number[] = [];
  for (let j = 0; j < p; j++) (binary[j] ? binaryCols : denseCols).push(j);
  const ctx: NewtonContext = {
    x, p, y, mean, sd, binary, l2, inv: Float64Array.from(sd, (v) => 1 / v), denseCols: Int32Array.from(denseCols), binaryCols: Int32Array.from(binaryCols),
  };
  let iterations = 0;
  if (m > 100_000) {
    const step = Math.floor(m / 50_000);
    const sample = new Int32Array(Math.floor(m / step));
    for (let k = 0; k < sample.length; k++) sample[k] = rows ? rows[k * step] : k * step;
    try {
      iterations += await newton(ctx, sample, beta, 1e-4, maxIter, hooks, 0, 0.5);
    } catch (e) {
      if (!(e instanceof ModelFitError)) throw e;
      // The sample could not be fitted (e.g. separation in it): start from the base rate instead.
      beta.fill(0);
      beta[0] = Math.log(pos / (m - pos));
    }
  }
  iterations += await newton(ctx, rows, beta, tol, maxIter, hooks, m > 100_000 ? 0.5 : 0, 1);
  return { kind: 'logistic', intercept: beta[0], coef: beta.slice(1), mean, sd, l2, iterations };
}

interface NewtonContext {
  readonly x: Float64Array;
  readonly p: number;
  readonly y: Uint8Array;
  readonly mean: Float64Array;
  readonly sd: Float64Array;
  readonly binary: Uint8Array;
  readonly l2: number;
  /** 1 / sd. */
  readonly inv: Float64Array;
  /** Design columns standardised on the fly, and 0/1 columns kept raw. */
  readonly denseCols: Int32Array;
  readonly binaryCols: Int32Array;
}

/** Newton iterations from `beta` (updated in place) until max |Δ| < tol; returns iterations used. */
async function newton(c: NewtonContext, rows: Int32Array | null, beta: Float64Array, tol: number, maxIter: number, hooks: FitHooks, from: number, to: number): Promise<number> {
  const { x, p, mean, binary, l2, inv } = c;
  const P = p + 1;
  const m = rows ? rows.length : x.length / p;
  const prevBeta = new Float64Array(P);
  const delta = new Float64Array(P);
  const A = new Float64Array(P * P);
  const gu = new Float64Array(P);
  const H = new Float64Array(P * P);
  const L = new Float64Array(P * P);
  const g = new Float64Array(P);
  const gamma = new Float64Array(P);
  let prevObj = Infinity;
  let halvings = 0;
  let lastMaxDelta = Infinity;

  for (let iter = 1; iter <= maxIter; iter++) {
    // γ = M'β: the linear predictor in u-space.
    gamma[0] = beta[0];
    for (let j = 0; j < p; j++) {
      if (binary[j]) {
        gamma[j + 1] = beta[j + 1] * inv[j];
        gamma[0] -= beta[j + 1] * mean[j] * inv[j];
      } else gamma[j + 1] = beta[j + 1];
    }
    const obj0 = accumulate(c, rows, m, gamma, A, gu);
    let obj = obj0;
    // Back to the standardised space: g = M g_u, H = M A M' (A symmetric from its upper triangle).
    for (let a = 0; a < P; a++) for (let b = 0; b < a; b++) A[a * P + b] = A[b * P + a];
    g[0] = gu[0];
    for (let j = 0; j < p; j++) g[j + 1] = binary[j] ? (gu[j + 1] - mean[j] * gu[0]) * inv[j] : gu[j + 1];
    // T = M A (row a of M: e_a for the intercept and dense columns; (e_a - mean e_0)/sd for 0/1).
    for (let a = 0; a < P; a++) {
      const j = a - 1;
      const bin = a > 0 && binary[j];
      for (let b = 0; b < P; b++) L[a * P + b] = bin ? (A[a * P + b] - mean[j] * A[b]) * inv[j] : A[a * P + b];
    }
    // H = T M' (column b of M' = row b of M).
    for (let a = 0; a < P; a++) {
      for (let b = a; b < P; b++) {
        const j = b - 1;
        H[a * P + b] = b > 0 && binary[j] ? (L[a * P + b] - mean[j] * L[a * P]) * inv[j] : L[a * P + b];
      }
    }
    let pen = 0;
    for (let j = 1; j < P; j++) {
      pen += beta[j] * beta[j];
      g[j] -= l2 * beta[j];
      H[j * P + j] += l2;
    }
    obj += 0.5 * l2 * pen;
    if (!Number.isFinite(obj)) throw new ModelFitError('Logistic regression diverged (the objective is not finite); check for extreme feature values.');

    if (obj > prevObj * (1 + 1e-12) + 1e-12 && halvings < 30) {
      // The last step overshot: go back half way and evaluate again.
      halvings++;
      for (let k = 0; k < P; k++) {
        delta[k] *= 0.5;
        beta[k] = prevBeta[k] + delta[k];
      }
      await hooks.checkpoint?.();
      continue;
    }
    halvings = 0;
    prevObj = obj;
    if (!cholesky(H, P, L)) {
      let big = 0;
      for (let k = 1; k < P; k++) big = Math.max(big, Math.abs(beta[k]));
      throw new ModelFitError(
        big > 15
          ? `Logistic regression did not converge: coefficients grow without bound (largest ${big.toFixed(1)} on the standardised scale), which means a feature separates the classes perfectly. Increase the L2 penalty or remove that feature.`
          : 'Logistic regression cannot solve its Newton step: the features are collinear (one is a combination of others) and the L2 penalty is 0. Use a positive l2 or drop the redundant feature.',
      );
    }
    cholSolve(L, P, g, delta);
    let maxDelta = 0;
    for (let k = 0; k < P; k++) {
      prevBeta[k] = beta[k];
      beta[k] += delta[k];
      maxDelta = Math.max(maxDelta, Math.abs(delta[k]));
    }
    lastMaxDelta = maxDelta;
    hooks.progress?.(from + (to - from) * Math.min(0.95, iter / 8));
    if (maxDelta < tol) return iter;
    await hooks.checkpoint?.();
  }
  let biggest = 1;
  for (let k = 1; k < P; k++) if (Math.abs(beta[k]) > Math.abs(beta[biggest])) biggest = k;
  throw new ModelFitError(
    `Logistic regression did not converge in ${maxIter} Newton iterations (last coefficient change ${lastMaxDelta.toExponential(2)}, ` +
      `largest coefficient ${beta[biggest]?.toExponential(2)} on design column ${biggest - 1}). Coefficients growing without bound mean a feature ` +
      'separates the classes perfectly; increase the L2 penalty or remove that feature.',
  );
}

/**
 * One pass over the rows: Σ w u u' (upper triangle, into A), Σ (y - p) u (into gu), and the
 * negative log-likelihood, at linear predictor γ'u. Dense columns (and the intercept) accumulate
 * into a compact matrix with direct indexing, the fast path for numeric data; a row's non-zero
 * 0/1 columns add their cross terms through short index lists. A plain function, not inside the
 * async Newton loop: V8 optimises hot loops of ordinary functions far better than loops that run
 * in an async function's body.
 */
function accumulate(c: NewtonContext, rows: Int32Array | null, m: number, gamma: Float64Array, A: Float64Array, gu: Float64Array): number {
  const { x, p, y, mean, inv, denseCols, binaryCols } = c;
  const P = p + 1;
  const nd = denseCols.length + 1; // + intercept
  const nb = binaryCols.length;
  const DD = new Float64Array(nd * nd);
  const gd = new Float64Array(nd);
  const zd = new Float64Array(nd);
  const gammaD = new Float64Array(nd);
  gammaD[0] = gamma[0];
  for (let a = 1; a < nd; a++) gammaD[a] = gamma[denseCols[a - 1] + 1];
  const active = new Int32Array(nb);
  zd[0] = 1;
  A.fill(0);
  gu.fill(0);
  let obj = 0;
  for (let r = 0; r < m; r++) {
    const i = rows ? rows[r] : r;
    const base = i * p;
    let eta = gammaD[0];
    for (let a = 1; a < nd; a++) {
      const j = denseCols[a - 1];
      const u = (x[base + j] - mean[j]) * inv[j];
      zd[a] = u;
      eta += gammaD[a] * u;
    }
    let na = 0;
    for (let k = 0; k < nb; k++) {
      const j = binaryCols[k];
      if (x[base + j] !== 0) {
        active[na++] = j + 1;
        eta += gamma[j + 1];
      }
    }
    const yi = y[i];
    obj += softplus(eta) - yi * eta;
    const e = Math.exp(-Math.abs(eta));
    const prob = eta >= 0 ? 1 / (1 + e) : e / (1 + e);
    const w = prob * (1 - prob);
    const res = yi - prob;
    for (let a = 0; a < nd; a++) {
      const za = zd[a];
      gd[a] += res * za;
      const wa = w * za;
      const row = a * nd;
      for (let b = a; b < nd; b++) DD[row + b] += wa * zd[b];
    }
    if (na > 0) {
      // Cross terms: dense x active (stored at [dense u-index, active u-index]), active x active.
      for (let k = 0; k < na; k++) {
        const ia = active[k];
        gu[ia] += res;
        const rowA = ia * P;
        for (let b = k; b < na; b++) A[rowA + active[b]] += w;
        for (let a = 0; a < nd; a++) {
          const ua = a === 0 ? 0 : denseCols[a - 1] + 1;
          // Upper triangle: the smaller u-index is the row.
          if (ua < ia) A[ua * P + ia] += w * zd[a];
          else A[ia * P + ua] += w * zd[a];
        }
      }
    }
  }
  // Scatter the compact dense block into A.
  for (let a = 0; a < nd; a++) {
    const ua = a === 0 ? 0 : denseCols[a - 1] + 1;
    gu[ua] += gd[a];
    for (let b = a; b < nd; b++) {
      const ub = b === 0 ? 0 : denseCols[b - 1] + 1;
      if (ua <= ub) A[ua * P + ub] += DD[a * nd + b];
      else A[ub * P + ua] += DD[a * nd + b];
    }
  }
  return obj;
}

/** Linear predictor (log-odds) of one design row. */
export function logitOfRow(model: LogisticModel, x: Float64Array, offset: number): number {
  let eta = model.intercept;
  const { coef, mean, sd } = model;
  for (let j = 0; j < coef.length; j++) eta += (coef[j] * (x[offset + j] - mean[j])) / sd[j];
  return eta;
}

export function sigmoid(t: number): number {
  const e = Math.exp(-Math.abs(t));
  return t >= 0 ? 1 / (1 + e) : e / (1 + e);
}

/** Probabilities for rows of a design (all rows, or `rows`). */
export function predictLogistic(model: LogisticModel, x: Float64Array, n: number, rows: Int32Array | null = null): Float64Array {
  const p = model.coef.length;
  const m = rows ? rows.length : n;
  const out = new Float64Array(m);
  for (let r = 0; r < m; r++) out[r] = sigmoid(logitOfRow(model, x, (rows ? rows[r] : r) * p));
  return out;
}

/**
 * Per-column contributions to the log-odds of one row (written into `out`, length p); returns the
 * base value (intercept). base + Σ out = logit exactly.
 */
export function logisticContributions(model: LogisticModel, x: Float64Array, offset: number, out: Float64Array): number {
  const { coef, mean, sd } = model;
  for (let j = 0; j < coef.length; j++) out[j] = (coef[j] * (x[offset + j] - mean[j])) / sd[j];
  return model.intercept;
}

/** Coefficients per original unit of each design column, and the matching intercept. */
export function originalScale(model: LogisticModel): { intercept: number; coef: Float64Array } {
  const coef = Float64Array.from(model.coef, (c, j) => c / model.sd[j]);
  let intercept = model.intercept;
  for (let j = 0; j < coef.length; j++) intercept -= coef[j] * model.mean[j];
  return { intercept, coef };
}
