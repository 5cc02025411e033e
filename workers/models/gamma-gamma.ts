/**
 * Gamma-Gamma model of spend per transaction, and customer lifetime value with BG/NBD.
 *
 * Model (Fader, Hardie & Lee 2005, "RFM and CLV: Using Iso-Value Curves for Customer Base
 * Analysis", JMR 42(4):415-430; Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary Value",
 * brucehardie.com/notes/025): a customer's transaction values are Gamma(p, ν); ν ~ Gamma(q, γ)
 * across customers. The data per customer is x (repeat transactions, x > 0) and z̄, the mean of
 * their repeat transaction values. Density of z̄ (the note's eq. 3), in logs:
 *   ln f(z̄ | x) = ln Γ(px+q) - ln Γ(px) - ln Γ(q) + q ln γ + (px-1) ln z̄ + px ln x - (px+q) ln(γ + x z̄)
 * Fitted by maximum likelihood with BFGS on (ln p, ln q, ln γ) and the analytic gradient. Only
 * customers with x > 0 and z̄ > 0 enter the fit (a mean of zero cannot come from a Gamma).
 *
 * Published CDNOW values (946 customers with x > 0 in the 39-week calibration): p = 6.25,
 * q = 3.74, γ = 15.44 (Fader & Hardie 2013; CLVTools' correctness test reproduces them with
 * LL = -4055.9177). Tested in test/node/models-clv.test.ts.
 *
 * The model assumes spend per transaction is independent of frequency; the fit reports the
 * Pearson correlation of x and z̄ among the customers used, as the note recommends checking it.
 *
 * Expected average spend (the note's eq. 5), a weighted mean of the population mean and the
 * customer's own mean:
 *   E[M | p, q, γ, x, z̄] = (q-1)/(px+q-1) · γp/(q-1) + px/(px+q-1) · z̄   ( = p(γ + x z̄)/(px+q-1) )
 * For a customer with no repeat purchase (x = 0) it is the population mean γp/(q-1) (needs q > 1).
 *
 * CLV (the discounted-cash-flow form that the `lifetimes` package uses): with a monthly discount
 * rate d, a horizon of M months, a month of L model periods (weeks: L = 365.25/12/7 ≈ 4.348), and a
 * margin m on spend,
 *   CLV = m · E[M] · Σ_{k=1..M} ( E[Y(kL)] - E[Y((k-1)L)] ) / (1 + d)^k
 * where E[Y(t)] is the BG/NBD conditional expected number of transactions in (T, T+t]. Each month's
 * expected purchases are discounted to today. It is an expectation, not a promise of revenue.
 */
import { digamma, logGamma } from './special.js';
import { minimizeBfgs } from './optimize.js';
import { expectedTransactions, type BgNbdParams } from './bgnbd.js';
import { ModelFitError } from './common.js';

export interface GammaGammaParams {
  readonly p: number;
  readonly q: number;
  readonly gamma: number;
}

export interface SpendData {
  /** Repeat transactions per customer. */
  readonly x: ArrayLike<number>;
  /** Mean repeat-transaction value per customer. */
  readonly monetary: ArrayLike<number>;
}

export interface GammaGammaFit {
  readonly params: GammaGammaParams;
  readonly logLik: number;
  /** Customers used (x > 0 and mean value > 0). */
  readonly customers: number;
  /** Customers left out because x = 0 or the mean value was not positive. */
  readonly excluded: number;
  /** Pearson correlation of x and mean value among the customers used (should be near 0). */
  readonly frequencyValueCorrelation: number;
  readonly iterations: number;
  /** Plain-language notes, e.g. q <= 1 (population mean spend infinite: see expectedAverageValue). */
  readonly warnings: string[];
  /** Plain mean of the repeat-transaction values of the customers used (a fallback spend). */
  readonly observedMeanValue: number;
}

interface Prepared {
  readonly n: number;
  readonly x: Float64Array;
  readonly m: Float64Array;
  /** Distinct x and, per distinct x: customer count and Σ ln z̄. */
  readonly xs: Float64Array;
  readonly counts: Float64Array;
  readonly sumLogM: Float64Array;
  readonly excluded: number;
}

function prepare(data: SpendData): Prepared {
  const all = data.x.length;
  if (data.monetary.length !== all) throw new Error(`x and monetary must have the same length (${all}, ${data.monetary.length}).`);
  let n = 0;
  for (let i = 0; i < all; i++) if (data.x[i] > 0 && data.monetary[i] > 0 && Number.isFinite(data.monetary[i])) n++;
  const x = new Float64Array(n), m = new Float64Array(n);
  const groupOf = new Map<number, number>();
  const xsList: number[] = [], counts: number[] = [], sums: number[] = [];
  let j = 0;
  for (let i = 0; i < all; i++) {
    const xi = data.x[i], mi = data.monetary[i];
    if (!(xi > 0 && mi > 0 && Number.isFinite(mi))) continue;
    x[j] = xi;
    m[j] = mi;
    let g = groupOf.get(xi);
    if (g === undefined) {
      g = xsList.length;
      groupOf.set(xi, g);
      xsList.push(xi);
      counts.push(0);
      sums.push(0);
    }
    counts[g]++;
    sums[g] += Math.log(mi);
    j++;
  }
  return { n, x, m, xs: Float64Array.from(xsList), counts: Float64Array.from(counts), sumLogM: Float64Array.from(sums), excluded: all - n };
}

function negLogLik(d: Prepared, theta: Float64Array, grad: Float64Array | null): number {
  const p = Math.exp(theta[0]), q = Math.exp(theta[1]), gamma = Math.exp(theta[2]);
  const lgQ = logGamma(q), psiQ = digamma(q), lnG = Math.log(gamma);
  let ll = 0, gp = 0, gq = 0, gg = 0;
  for (let g = 0; g < d.xs.length; g++) {
    const x = d.xs[g], c = d.counts[g], px = p * x;
    ll += c * (logGamma(px + q) - logGamma(px) - lgQ + q * lnG + px * Math.log(x)) + (px - 1) * d.sumLogM[g];
    if (grad) {
      const psiPxQ = digamma(px + q);
      gp += c * x * (psiPxQ - digamma(px) + Math.log(x)) + x * d.sumLogM[g];
      gq += c * (psiPxQ - psiQ + lnG);
      gg += (c * q) / gamma;
    }
  }
  const { x, m, n } = d;
  for (let i = 0; i < n; i++) {
    const px = p * x[i];
    const denom = gamma + x[i] * m[i];
    const lnD = Math.log(denom);
    ll -= (px + q) * lnD;
    if (grad) {
      gp -= x[i] * lnD;
      gq -= lnD;
      gg -= (px + q) / denom;
    }
  }
  if (grad) {
    grad[0] = -gp * p;
    grad[1] = -gq * q;
    grad[2] = -gg * gamma;
  }
  return -ll;
}

export function gammaGammaLogLik(params: GammaGammaParams, data: SpendData): number {
  return -negLogLik(prepare(data), Float64Array.of(Math.log(params.p), Math.log(params.q), Math.log(params.gamma)), null);
}

/** Negative log-likelihood and gradient in (ln p, ln q, ln γ), for tests. */
export function gammaGammaNegLogLikGradient(theta: ArrayLike<number>, data: SpendData): { value: number; gradient: Float64Array } {
  const g = new Float64Array(3);
  const value = negLogLik(prepare(data), Float64Array.from(theta), g);
  return { value, gradient: g };
}

export interface GammaGammaFitOptions {
  /** Default p = 1, q = 1, γ = 1 (as lifetimes and CLVTools start). */
  readonly start?: GammaGammaParams;
  readonly maxIterations?: number;
}

export function fitGammaGamma(data: SpendData, options: GammaGammaFitOptions = {}): GammaGammaFit {
  const d = prepare(data);
  if (d.n < 10) {
    throw new ModelFitError(`Gamma-Gamma needs at least 10 customers with a repeat transaction of positive value; got ${d.n} (of ${data.x.length}).`);
  }
  // Starting point: method of moments for the population mean spend, shape 1 otherwise.
  let meanM = 0;
  for (let i = 0; i < d.n; i++) meanM += d.m[i];
  meanM /= d.n;
  const s = options.start ?? { p: 1, q: 2, gamma: meanM };
  const result = minimizeBfgs((theta, grad) => negLogLik(d, theta, grad), [Math.log(s.p), Math.log(s.q), Math.log(s.gamma)], {
    maxIterations: options.maxIterations ?? 1000,
  });
  const [p, q, gamma] = Array.from(result.x, Math.exp);
  if (!result.converged || ![p, q, gamma].every((v) => Number.isFinite(v) && v > 0)) {
    throw new ModelFitError(
      `Gamma-Gamma maximum likelihood did not converge after ${result.iterations} iterations (${result.reason}; ` +
        `p = ${p.toPrecision(4)}, q = ${q.toPrecision(4)}, γ = ${gamma.toPrecision(4)}). Spend values that barely vary between customers can cause this.`,
    );
  }
  // Correlation between frequency and mean value (independence assumption check).
  let sx = 0, sm = 0;
  for (let i = 0; i < d.n; i++) {
    sx += d.x[i];
    sm += d.m[i];
  }
  const mx = sx / d.n, mm = sm / d.n;
  let cxx = 0, cmm = 0, cxm = 0;
  for (let i = 0; i < d.n; i++) {
    const a = d.x[i] - mx, b = d.m[i] - mm;
    cxx += a * a;
    cmm += b * b;
    cxm += a * b;
  }
  const corr = cxx > 0 && cmm > 0 ? cxm / Math.sqrt(cxx * cmm) : 0;
  const warnings: string[] = [];
  if (!(q > 1)) {
    warnings.push(
      `q = ${q.toPrecision(3)} <= 1: spend per transaction is so heavy-tailed across customers that the model's population mean is infinite. ` +
        'Customers without a repeat purchase have no model-based spend; pass the observed mean repeat spend as a fallback (observedMeanValue).',
    );
  }
  if (Math.abs(corr) > 0.3) warnings.push(`Frequency and spend per transaction are correlated (r = ${corr.toFixed(2)}); the Gamma-Gamma model assumes they are independent.`);
  return {
    params: { p, q, gamma }, logLik: -result.f, customers: d.n, excluded: d.excluded, frequencyValueCorrelation: corr, iterations: result.iterations,
    warnings, observedMeanValue: meanM,
  };
}

/**
 * E[M | x, z̄]: expected value of a future transaction of this customer. For a customer without a
 * repeat purchase it is the population mean γp/(q-1); when q <= 1 that mean is infinite and
 * `fallback` is returned instead (NaN when none is given, never a made-up number).
 */
export function expectedAverageValue(params: GammaGammaParams, x: number, monetary: number, fallback = NaN): number {
  const { p, q, gamma } = params;
  if (x <= 0 || !(monetary > 0)) {
    if (!(q > 1)) return fallback;
    return (gamma * p) / (q - 1);
  }
  return (p * (gamma + x * monetary)) / (p * x + q - 1);
}

export interface ClvOptions {
  /** Months of future purchases counted; default 12. */
  readonly months?: number;
  /** Monthly discount rate, e.g. 0.01 for 1% a month; default 0.01. */
  readonly monthlyDiscount?: number;
  /** Model time units per month; default 365.25 / 12 / 7 (weeks). */
  readonly periodsPerMonth?: number;
  /** Share of spend that is profit; default 1 (CLV in revenue terms). */
  readonly margin?: number;
  /** Spend per transaction for customers without a repeat purchase when q <= 1 (see expectedAverageValue). */
  readonly fallbackValue?: number;
}

/** Discounted expected value of a customer's purchases over the next `months` months (see file comment). */
export function customerLifetimeValue(
  bgnbd: BgNbdParams,
  gg: GammaGammaParams,
  customer: { x: number; tx: number; T: number; monetary: number },
  options: ClvOptions = {},
): number {
  const months = options.months ?? 12;
  const d = options.monthlyDiscount ?? 0.01;
  const L = options.periodsPerMonth ?? 365.25 / 12 / 7;
  const margin = options.margin ?? 1;
  if (!(d >= 0)) throw new Error(`monthlyDiscount must be >= 0; got ${d}.`);
  if (!(Number.isInteger(months) && months >= 1)) throw new Error(`months must be a whole number >= 1; got ${months}.`);
  const spend = expectedAverageValue(gg, customer.x, customer.monetary, options.fallbackValue);
  if (Number.isNaN(spend)) return NaN;
  let clv = 0;
  let prev = 0;
  let discount = 1;
  for (let k = 1; k <= months; k++) {
    const cum = expectedTransactions(bgnbd, k * L, customer.x, customer.tx, customer.T);
    discount /= 1 + d;
    clv += (cum - prev) * discount;
    prev = cum;
  }
  return margin * spend * clv;
}
