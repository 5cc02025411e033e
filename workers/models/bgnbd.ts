/**
 * BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy
 * Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2):275-284).
 *
 * Story: while alive, a customer buys at Poisson rate λ, λ ~ Gamma(r, α) across customers; after
 * each purchase they drop out with probability p, p ~ Beta(a, b). Data per customer: x repeat
 * purchases, recency t_x, age T (see rfm-summary.ts for the CDNOW conventions).
 *
 * Likelihood (FHL 2005, eq. 6), in logs for stability:
 *   L = B(a, b+x)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+T)^(r+x))
 *     + [x > 0] · B(a+1, b+x-1)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+t_x)^(r+x))
 *   ln L = ln Γ(r+x) - ln Γ(r) + r ln α + ln Γ(a+b) + ln Γ(b+x) - ln Γ(b) - ln Γ(a+b+x)
 *        + ln( (α+T)^-(r+x) + [x > 0] · a/(b+x-1) · (α+t_x)^-(r+x) )      (log-sum-exp)
 * Fitted by maximum likelihood with BFGS on (ln r, ln α, ln a, ln b) and the analytic gradient
 * (digamma terms); the gamma-function terms depend on x only, so they are computed once per
 * distinct x per evaluation and the per-customer work is two logs and one exp.
 *
 * Published CDNOW values (2,357 customers, 39-week calibration 1997-01-01..1997-09-30):
 * r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = -9582.4 (FHL 2005, section 4; reproduced by
 * CLVTools' correctness tests: r = 0.2425945, α = 4.4136019, a = 0.7929199, b = 2.4258881,
 * LL = -9582.429). test/node/models-clv.test.ts checks this implementation against them.
 *
 * Quantities for a customer (FHL 2005):
 * - P(alive | x, t_x, T) = 1 / (1 + [x > 0] · a/(b+x-1) · ((α+T)/(α+t_x))^(r+x))       (eq. 13 in
 *   the technical note; FHL 2005 appendix)
 * - E[Y(t) | x, t_x, T], expected transactions in (T, T+t] (eq. 10):
 *   (a+b+x-1)/(a-1) · [1 - ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x-1; t/(α+T+t))] · P(alive)
 * - E[X(t)] for a new customer (eq. 7): (a+b-1)/(a-1) · [1 - (α/(α+t))^r · 2F1(r, b; a+b-1; t/(α+t))]
 * Time is in the units of the summary (weeks for CDNOW).
 */
import { digamma, hyp2f1, logGamma } from './special.js';
import { minimizeBfgs } from './optimize.js';
import { ModelFitError } from './common.js';

export { ModelFitError };

export interface BgNbdParams {
  readonly r: number;
  readonly alpha: number;
  readonly a: number;
  readonly b: number;
}

export interface FrequencyData {
  /** Repeat transactions per customer (integers >= 0). */
  readonly x: ArrayLike<number>;
  /** Recency t_x per customer (0 <= t_x <= T). */
  readonly tx: ArrayLike<number>;
  /** Age T per customer. */
  readonly T: ArrayLike<number>;
}

export interface BgNbdFit {
  readonly params: BgNbdParams;
  readonly logLik: number;
  readonly customers: number;
  readonly iterations: number;
  readonly evaluations: number;
  /**
   * Plain-language notes on a fit that converged to the edge of the parameter space, e.g. data with
   * almost no drop-out (bank accounts that all stay active), where P(alive) is near 1 for everyone.
   */
  readonly warnings: string[];
}

/** Validated data with the customers grouped by distinct x (gamma terms are per x). */
interface Prepared {
  readonly n: number;
  readonly x: Float64Array;
  readonly tx: Float64Array;
  readonly T: Float64Array;
  /** Distinct x values and their customer counts. */
  readonly xs: Float64Array;
  readonly counts: Float64Array;
}

function prepare(data: FrequencyData): Prepared {
  const n = data.x.length;
  if (data.tx.length !== n || data.T.length !== n) throw new Error(`x, tx and T must have the same length (${n}, ${data.tx.length}, ${data.T.length}).`);
  const x = Float64Array.from(data.x);
  const tx = Float64Array.from(data.tx);
  const T = Float64Array.from(data.T);
  const groupOf = new Map<number, number>();
  const xsList: number[] = [];
  const countList: number[] = [];
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    if (!(Number.isInteger(xi) && xi >= 0)) throw new Error(`Customer ${i}: frequency x must be a whole number >= 0; got ${xi}.`);
    if (!(T[i] >= 0) || !Number.isFinite(T[i])) throw new Error(`Customer ${i}: age T must be >= 0; got ${T[i]}.`);
    if (!(tx[i] >= 0 && tx[i] <= T[i] + 1e-9)) throw new Error(`Customer ${i}: recency t_x = ${tx[i]} must lie in [0, T = ${T[i]}].`);
    if (xi === 0 && tx[i] !== 0) throw new Error(`Customer ${i}: recency must be 0 when there is no repeat transaction; got ${tx[i]}.`);
    let g = groupOf.get(xi);
    if (g === undefined) {
      g = xsList.length;
      groupOf.set(xi, g);
      xsList.push(xi);
      countList.push(0);
    }
    countList[g]++;
  }
  return { n, x, tx, T, xs: Float64Array.from(xsList), counts: Float64Array.from(countList) };
}

/**
 * Negative log-likelihood and its gradient with respect to (ln r, ln α, ln a, ln b).
 * Scratch arrays are passed in so repeated evaluations allocate nothing.
 */
function negLogLik(p: Prepared, theta: Float64Array, grad: Float64Array | null, scratch: Float64Array[]): number {
  const r = Math.exp(theta[0]), alpha = Math.exp(theta[1]), a = Math.exp(theta[2]), b = Math.exp(theta[3]);
  const G = p.xs.length;
  const [constX, dR, dA, dB] = scratch;
  const lnAlpha = Math.log(alpha), lnA = Math.log(a);
  const lgR = logGamma(r), lgAB = logGamma(a + b), lgB = logGamma(b);
  const psiR = digamma(r), psiAB = digamma(a + b), psiB = digamma(b);
  let ll = 0;
  let gr = 0, gal = 0, ga = 0, gb = 0;
  // Per distinct x: the gamma-function part of ln L and of its gradient.
  for (let g = 0; g < G; g++) {
    const x = p.xs[g], c = p.counts[g];
    constX[g] = logGamma(r + x) - lgR + r * lnAlpha + lgAB + logGamma(b + x) - lgB - logGamma(a + b + x);
    ll += c * constX[g];
    if (grad) {
      dR[g] = digamma(r + x) - psiR + lnAlpha;
      dA[g] = psiAB - digamma(a + b + x);
      dB[g] = psiAB + digamma(b + x) - psiB - digamma(a + b + x);
      gr += c * dR[g];
      gal += c * (r / alpha);
      ga += c * dA[g];
      gb += c * dB[g];
    }
  }
  const { x, tx, T, n } = p;
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    const rx = r + xi;
    const lnAT = Math.log(alpha + T[i]);
    const a3 = -rx * lnAT;
    if (xi > 0) {
      const lnAtx = Math.log(alpha + tx[i]);
      const a4 = lnA - Math.log(b + xi - 1) - rx * lnAtx;
      const hi = a3 > a4 ? a3 : a4;
      const e = Math.exp(-Math.abs(a3 - a4));
      ll += hi + Math.log1p(e);
      if (grad) {
        // w: weight of the second (dropped-out-after-last-purchase) term.
        const w = a4 >= a3 ? 1 / (1 + e) : e / (1 + e);
        gr += -(1 - w) * lnAT - w * lnAtx;
        gal += -(1 - w) * rx / (alpha + T[i]) - w * rx / (alpha + tx[i]);
        ga += w / a;
        gb += -w / (b + xi - 1);
      }
    } else {
      ll += a3;
      if (grad) {
        gr += -lnAT;
        gal += -rx / (alpha + T[i]);
      }
    }
  }
  if (grad) {
    grad[0] = -gr * r;
    grad[1] = -gal * alpha;
    grad[2] = -ga * a;
    grad[3] = -gb * b;
  }
  return -ll;
}

function scratchFor(p: Prepared): Float64Array[] {
  const G = p.xs.length;
  return [new Float64Array(G), new Float64Array(G), new Float64Array(G), new Float64Array(G)];
}

/** Total log-likelihood of the data under `params`. */
export function bgnbdLogLik(params: BgNbdParams, data: FrequencyData): number {
  const p = prepare(data);
  const theta = Float64Array.of(Math.log(params.r), Math.log(params.alpha), Math.log(params.a), Math.log(params.b));
  return -negLogLik(p, theta, null, scratchFor(p));
}

/** Gradient of the negative log-likelihood in log-parameters (exposed for tests). */
export function bgnbdNegLogLikGradient(theta: ArrayLike<number>, data: FrequencyData): { value: number; gradient: Float64Array } {
  const p = prepare(data);
  const g = new Float64Array(4);
  const value = negLogLik(p, Float64Array.from(theta), g, scratchFor(p));
  return { value, gradient: g };
}

export interface BgNbdFitOptions {
  /** Starting values; default r = 1, α = mean T / max(mean x, 0.1), a = 1, b = 3. */
  readonly start?: BgNbdParams;
  readonly maxIterations?: number;
}

/**
 * Maximum-likelihood fit. Throws ModelFitError with the reason when the data cannot identify the
 * model (too few customers, nobody repeat-purchased) or the optimiser does not converge.
 */
export function fitBgNbd(data: FrequencyData, options: BgNbdFitOptions = {}): BgNbdFit {
  const p = prepare(data);
  if (p.n < 10) throw new ModelFitError(`BG/NBD needs at least 10 customers; got ${p.n}.`);
  let repeaters = 0, sumX = 0, sumT = 0;
  for (let i = 0; i < p.n; i++) {
    if (p.x[i] > 0) repeaters++;
    sumX += p.x[i];
    sumT += p.T[i];
  }
  if (repeaters === 0) throw new ModelFitError(`No customer made a repeat transaction in the calibration period (${p.n} customers); BG/NBD cannot estimate purchase and drop-out rates from first purchases alone.`);
  if (repeaters === p.n) throw new ModelFitError(`Every one of the ${p.n} customers made a repeat transaction; the drop-out process is not identified (check the calibration period).`);
  if (!(sumT > 0)) throw new ModelFitError('All customers have age T = 0: the calibration period ends on their first purchase day.');
  const s = options.start ?? { r: 1, alpha: Math.max(1e-3, sumT / p.n / Math.max(sumX / p.n, 0.1)), a: 1, b: 3 };
  const scratch = scratchFor(p);
  const result = minimizeBfgs((theta, grad) => negLogLik(p, theta, grad, scratch), [Math.log(s.r), Math.log(s.alpha), Math.log(s.a), Math.log(s.b)], {
    maxIterations: options.maxIterations ?? 500,
  });
  const [r, alpha, a, b] = Array.from(result.x, Math.exp);
  if (!result.converged || ![r, alpha, a, b].every((v) => Number.isFinite(v) && v > 0)) {
    throw new ModelFitError(
      `BG/NBD maximum likelihood did not converge after ${result.iterations} iterations (${result.reason}; largest gradient ${result.gradMax.toExponential(2)}; ` +
        `r = ${r.toPrecision(4)}, α = ${alpha.toPrecision(4)}, a = ${a.toPrecision(4)}, b = ${b.toPrecision(4)}). ` +
        'Parameters running to 0 or infinity usually mean the data has too little repeat behaviour for the model.',
    );
  }
  const warnings: string[] = [];
  const dropout = a / (a + b);
  if (dropout < 1e-4) {
    warnings.push(
      `The data shows almost no drop-out (mean drop-out probability per transaction ${dropout.toExponential(1)}): P(alive) is close to 1 for every customer, ` +
        'so the model cannot tell lost customers from quiet ones here. Use a longer calibration period or a transaction type that clients stop using when they leave.',
    );
  }
  if (r > 1e3 || alpha > 1e5) warnings.push(`Purchase rates barely vary between customers (r = ${r.toPrecision(3)}, α = ${alpha.toPrecision(3)}); the heterogeneity estimate is unreliable.`);
  return { params: { r, alpha, a, b }, logLik: -result.f, customers: p.n, iterations: result.iterations, evaluations: result.evaluations, warnings };
}

/** Probability that a customer with (x, t_x, T) is still alive at T. */
export function probabilityAlive(params: BgNbdParams, x: number, tx: number, T: number): number {
  if (x === 0) return 1;
  const { r, alpha, a, b } = params;
  const logOdds = Math.log(a / (b + x - 1)) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  return 1 / (1 + Math.exp(logOdds));
}

/** Expected transactions in (T, T + t] for a customer with (x, t_x, T). */
export function expectedTransactions(params: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  if (t <= 0) return 0;
  const { r, alpha, a, b } = params;
  const z = t / (alpha + T + t);
  const lead = (a + b + x - 1) / (a - 1);
  const powTerm = Math.exp((r + x) * (Math.log(alpha + T) - Math.log(alpha + T + t)));
  const bracket = 1 - powTerm * hyp2f1(r + x, b + x, a + b + x - 1, z);
  return lead * bracket * probabilityAlive(params, x, tx, T);
}

/** Expected transactions in (0, t] for a customer just acquired (eq. 7). */
export function expectedTransactionsNew(params: BgNbdParams, t: number): number {
  if (t <= 0) return 0;
  const { r, alpha, a, b } = params;
  return ((a + b - 1) / (a - 1)) * (1 - Math.pow(alpha / (alpha + t), r) * hyp2f1(r, b, a + b - 1, t / (alpha + t)));
}

/** P(alive) and expected transactions over `horizon` for every customer of a summary. */
export function scoreCustomers(params: BgNbdParams, data: FrequencyData, horizon: number): { pAlive: Float64Array; expected: Float64Array } {
  const n = data.x.length;
  const pAlive = new Float64Array(n);
  const expected = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    pAlive[i] = probabilityAlive(params, data.x[i], data.tx[i], data.T[i]);
    expected[i] = expectedTransactions(params, horizon, data.x[i], data.tx[i], data.T[i]);
  }
  return { pAlive, expected };
}
