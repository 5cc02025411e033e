// Customer lifetime value: the RFM summary, BG/NBD and Gamma-Gamma reproduce the published CDNOW
// results (Fader, Hardie & Lee 2005; Fader & Hardie 2013), plus independent numerical checks.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/generate/random.js';
import { generateTransactions } from '../../src/generate/transactions.js';
import { summariseTransactions, transactionLogFromTables, type TransactionLog } from '../../workers/models/rfm-summary.js';
import {
  bgnbdLogLik, bgnbdNegLogLikGradient, expectedTransactions, expectedTransactionsNew, fitBgNbd, probabilityAlive,
} from '../../workers/models/bgnbd.js';
import {
  customerLifetimeValue, expectedAverageValue, fitGammaGamma, gammaGammaLogLik, gammaGammaNegLogLikGradient,
} from '../../workers/models/gamma-gamma.js';
import { hyp2f1, logGamma, digamma } from '../../workers/models/special.js';
import { numericGradient } from '../../workers/models/optimize.js';
import { ModelFitError } from '../../workers/models/common.js';

const text = (path: string) => readFileSync(new URL(`../../../shared/datasets/${path}`, import.meta.url), 'utf8');
const day = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / 86_400_000;
const yyyymmdd = (s: string) => day(+s.slice(0, 4), +s.slice(4, 6), +s.slice(6, 8));

/** CDNOW_sample.txt: master id, sample id (1..2357), date YYYYMMDD, CDs, dollar value. */
function cdnowSample(): TransactionLog {
  const lines = text('cdnow/CDNOW_sample.txt').split(/\r?\n/).filter((l) => l.trim());
  const customer = new Int32Array(lines.length), d = new Int32Array(lines.length), value = new Float64Array(lines.length);
  lines.forEach((l, i) => {
    const f = l.trim().split(/\s+/);
    customer[i] = +f[1] - 1;
    d[i] = yyyymmdd(f[2]);
    value[i] = +f[4];
  });
  return { customer, day: d, value, customers: 2357 };
}

// Calibration: the 39 weeks 1997-01-01 .. 1997-09-30; holdout: 1997-10-01 .. 1998-06-30 (FHL 2005).
const CAL_END = day(1997, 9, 30);
const HOLD_END = day(1998, 6, 30);

function publishedSummary() {
  const rows = text('cdnow/cdnow_customers_summary_with_transactions.csv').trim().split(/\r?\n/).slice(1).map((l) => l.split(',').map(Number));
  return { id: rows.map((r) => r[0]), x: rows.map((r) => r[1]), tx: rows.map((r) => r[2]), T: rows.map((r) => r[3]), zbar: rows.map((r) => r[4]) };
}

describe('RFM summary of a transaction log', () => {
  it('reproduces the published CDNOW calibration summary from the raw transactions', () => {
    const s = summariseTransactions(cdnowSample(), { calibrationEnd: CAL_END, holdoutEnd: HOLD_END });
    const pub = publishedSummary();
    expect(s.n).toBe(2357);
    expect(pub.x.length).toBe(2357);
    let repeaters = 0;
    for (let j = 0; j < s.n; j++) {
      expect(s.customer[j]).toBe(pub.id[j] - 1);
      expect(s.x[j]).toBe(pub.x[j]);
      expect(Math.abs(s.tx[j] - pub.tx[j])).toBeLessThanOrEqual(0.0051);
      expect(Math.abs(s.T[j] - pub.T[j])).toBeLessThanOrEqual(0.0051);
      expect(Math.abs(s.monetary[j] - pub.zbar[j])).toBeLessThanOrEqual(0.0051);
      if (s.x[j] > 0) repeaters++;
    }
    expect(repeaters).toBe(946);
    expect(s.holdoutLength).toBeCloseTo(273 / 7, 12);
  });

  it('aggregates same-day purchases, sorts unordered logs, and skips customers born after the calibration end', () => {
    // Customer 0: two purchases on day 10 (one transaction), then days 12 and 12, 20; customer 1 starts after the end.
    const log: TransactionLog = {
      customer: Int32Array.of(0, 1, 0, 0, 0, 0),
      day: Int32Array.of(20, 40, 10, 12, 10, 12),
      value: Float64Array.of(5, 9, 1, 2, 3, 4),
      customers: 2,
    };
    const s = summariseTransactions(log, { calibrationEnd: 30, periodDays: 1 });
    expect(s.n).toBe(1);
    expect(s.notYetBorn).toBe(1);
    expect(s.x[0]).toBe(2);
    expect(s.tx[0]).toBe(10);
    expect(s.T[0]).toBe(20);
    expect(s.monetary[0]).toBe((2 + 4 + 5) / 2);
  });
});

describe('special functions', () => {
  it('log-gamma and digamma match known values', () => {
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(logGamma(1 / 3)).toBeCloseTo(Math.log(2.678938534707747), 13);
    for (const x of [0.243, 0.793, 2.426, 17.5]) expect(logGamma(x + 1) - logGamma(x)).toBeCloseTo(Math.log(x), 12);
    expect(digamma(1)).toBeCloseTo(-0.5772156649015329, 12);
    expect(digamma(0.5)).toBeCloseTo(-1.9635100260214235, 12);
  });

  it('2F1 agrees with its Euler integral, on both sides of the transformation it uses', () => {
    // 2F1(a,b;c;z) = Γ(c)/(Γ(b)Γ(c-b)) ∫ t^(b-1) (1-t)^(c-b-1) (1-zt)^(-a) dt, c > b > 0 (Simpson,
    // 10^6 steps: the (1-t)^(c-b-1) factor makes the quadrature converge slowly, hence relative 1e-5).
    const integral = (a: number, b: number, c: number, z: number) => {
      const N = 1_000_000;
      let s = 0;
      for (let k = 0; k <= N; k++) {
        const t = k / N;
        const w = k === 0 || k === N ? 1 : k % 2 ? 4 : 2;
        const f = t === 0 || t === 1 ? 0 : Math.exp((b - 1) * Math.log(t) + (c - b - 1) * Math.log(1 - t) - a * Math.log(1 - z * t));
        s += w * f;
      }
      return (s / (3 * N)) * Math.exp(logGamma(c) - logGamma(b) - logGamma(c - b));
    };
    for (const [a, b, c, z] of [[1.5, 2, 3.5, 0.4], [3.2, 2.5, 4.5, 0.8], [6.2, 4.4, 5.5, 0.6], [0.5, 1.5, 2.5, 0.95]]) {
      expect(Math.abs(hyp2f1(a, b, c, z) / integral(a, b, c, z) - 1)).toBeLessThan(1e-5);
    }
  });
});

describe('BG/NBD (Fader, Hardie & Lee 2005) on CDNOW', () => {
  const s = summariseTransactions(cdnowSample(), { calibrationEnd: CAL_END, holdoutEnd: HOLD_END });
  const fit = fitBgNbd(s);

  it('reproduces the published parameters and log-likelihood', () => {
    // FHL 2005: r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = -9582.4.
    expect(fit.params.r).toBeCloseTo(0.243, 3);
    expect(fit.params.alpha).toBeCloseTo(4.414, 2);
    expect(fit.params.a).toBeCloseTo(0.793, 3);
    expect(fit.params.b).toBeCloseTo(2.426, 2);
    expect(fit.logLik).toBeCloseTo(-9582.4, 1);
    // Finer: CLVTools' estimates r = 0.2425945, α = 4.4136019, a = 0.7929199, b = 2.4258881, LL = -9582.429.
    expect(Math.abs(fit.params.r - 0.2425945)).toBeLessThan(2e-5);
    expect(Math.abs(fit.params.alpha - 4.4136019)).toBeLessThan(5e-4);
    expect(Math.abs(fit.params.a - 0.7929199)).toBeLessThan(2e-4);
    expect(Math.abs(fit.params.b - 2.4258881)).toBeLessThan(1e-3);
    expect(Math.abs(fit.logLik - -9582.429)).toBeLessThan(5e-3);
    expect(fit.warnings).toEqual([]);
  });

  it('gives the published conditional expectation and a sensible aggregate holdout forecast', () => {
    // FHL 2005, section 5: a customer with x = 2, t_x = 30.43, T = 38.86 is expected to make 1.226
    // transactions in the next 39 weeks.
    expect(expectedTransactions(fit.params, 39, 2, 30.43, 38.86)).toBeCloseTo(1.226, 3);
    expect(probabilityAlive(fit.params, 0, 0, 38.86)).toBe(1);
    expect(probabilityAlive(fit.params, 2, 30.43, 38.86)).toBeGreaterThan(probabilityAlive(fit.params, 2, 5, 38.86));
    let forecast = 0, actual = 0;
    for (let j = 0; j < s.n; j++) {
      forecast += expectedTransactions(fit.params, s.holdoutLength, s.x[j], s.tx[j], s.T[j]);
      actual += s.holdoutX![j];
    }
    // Sanity check, not a published figure: the 39-week holdout has 1,882 transaction days; the
    // summed conditional expectations come to about 1,650 (within 15%).
    expect(Math.abs(forecast / actual - 1)).toBeLessThan(0.15);
    expect(expectedTransactionsNew(fit.params, 39)).toBeGreaterThan(0);
  });

  it('fits the published summary file (rounded values) to the same optimum, and its analytic gradient is right', () => {
    const pub = publishedSummary();
    const f2 = fitBgNbd({ x: pub.x, tx: pub.tx, T: pub.T });
    expect(f2.params.r).toBeCloseTo(fit.params.r, 3);
    expect(f2.logLik).toBeCloseTo(-9582.4, 1);
    expect(bgnbdLogLik({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, s)).toBeCloseTo(-9582.4, 0);
    const theta = [Math.log(0.5), Math.log(6), Math.log(1.2), Math.log(3.3)];
    const { gradient } = bgnbdNegLogLikGradient(theta, s);
    const numeric = numericGradient((t) => bgnbdNegLogLikGradient(t, s).value, theta);
    for (let k = 0; k < 4; k++) expect(gradient[k]).toBeCloseTo(numeric[k], 3);
  });

  it('recovers the parameters of data simulated from the model', () => {
    const truth = { r: 0.6, alpha: 5, a: 1.5, b: 4 };
    const rng = new Rng(12, 0, 0);
    const gamma = (shape: number) => {
      // Marsaglia-Tsang for shape >= 1; boost for shape < 1.
      const k = shape < 1 ? shape + 1 : shape;
      const d = k - 1 / 3, c = 1 / Math.sqrt(9 * d);
      for (;;) {
        const z = rng.normal(), v = (1 + c * z) ** 3;
        if (v <= 0) continue;
        if (Math.log(rng.uniformPos()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return shape < 1 ? d * v * rng.uniformPos() ** (1 / shape) : d * v;
      }
    };
    const n = 15000;
    const x = new Float64Array(n), tx = new Float64Array(n), T = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const lambda = gamma(truth.r) / truth.alpha;
      const ga = gamma(truth.a), gb = gamma(truth.b);
      const p = ga / (ga + gb);
      T[i] = 20 + 32 * rng.uniform();
      let t = 0;
      for (;;) {
        t += rng.exponential(1 / lambda);
        if (t > T[i]) break;
        x[i]++;
        tx[i] = t;
        if (rng.uniform() < p) break; // drops out after this purchase
      }
    }
    const f = fitBgNbd({ x, tx, T });
    expect(f.params.r / truth.r).toBeGreaterThan(0.85);
    expect(f.params.r / truth.r).toBeLessThan(1.15);
    expect(f.params.alpha / truth.alpha).toBeGreaterThan(0.8);
    expect(f.params.alpha / truth.alpha).toBeLessThan(1.2);
    expect(f.params.a / (f.params.a + f.params.b)).toBeCloseTo(truth.a / (truth.a + truth.b), 1);
  });

  it('says why it cannot fit', () => {
    const none = { x: new Array(20).fill(0), tx: new Array(20).fill(0), T: new Array(20).fill(30) };
    expect(() => fitBgNbd(none)).toThrow(ModelFitError);
    expect(() => fitBgNbd(none)).toThrow(/No customer made a repeat transaction/);
    expect(() => fitBgNbd({ x: [1, 0], tx: [2, 0], T: [5, 5] })).toThrow(/at least 10 customers/);
    expect(() => fitBgNbd({ x: [1], tx: [9], T: [5] })).toThrow(/recency t_x = 9 must lie in \[0, T = 5\]/);
  });
});

describe('Gamma-Gamma (Fader & Hardie 2013) and CLV', () => {
  const log = cdnowSample();
  const s = summariseTransactions(log, { calibrationEnd: CAL_END });

  it('reproduces the published parameters on the 946 CDNOW repeat customers', () => {
    const fit = fitGammaGamma(s);
    // Published: p = 6.25, q = 3.74, γ = 15.44 (CLVTools reproduces them with LL = -4055.9177).
    expect(fit.customers).toBe(946);
    expect(fit.params.p).toBeCloseTo(6.25, 1);
    expect(Math.abs(fit.params.p - 6.25)).toBeLessThan(0.01);
    expect(Math.abs(fit.params.q - 3.74)).toBeLessThan(0.01);
    expect(Math.abs(fit.params.gamma - 15.44)).toBeLessThan(0.02);
    expect(Math.abs(fit.logLik - -4055.9177)).toBeLessThan(0.02);
    const pub = publishedSummary();
    expect(gammaGammaLogLik({ p: 6.25, q: 3.74, gamma: 15.44 }, { x: pub.x, monetary: pub.zbar })).toBeCloseTo(-4055.92, 1);
    const theta = [Math.log(2), Math.log(3), Math.log(10)];
    const { gradient } = gammaGammaNegLogLikGradient(theta, s);
    const numeric = numericGradient((t) => gammaGammaNegLogLikGradient(t, s).value, theta);
    for (let k = 0; k < 3; k++) expect(gradient[k]).toBeCloseTo(numeric[k], 3);
  });

  it('expected spend shrinks a customer mean towards the population mean; CLV discounts monthly purchases', () => {
    const gg = fitGammaGamma(s).params;
    const bg = fitBgNbd(s).params;
    const pop = (gg.gamma * gg.p) / (gg.q - 1);
    const e = expectedAverageValue(gg, 2, 100);
    expect(e).toBeGreaterThan(pop);
    expect(e).toBeLessThan(100);
    expect(expectedAverageValue(gg, 0, 0)).toBeCloseTo(pop, 12);
    const c = { x: 2, tx: 30.43, T: 38.86, monetary: 22.35 };
    const undiscounted = customerLifetimeValue(bg, gg, c, { months: 12, monthlyDiscount: 0 });
    const L = 365.25 / 12 / 7;
    expect(undiscounted).toBeCloseTo(expectedAverageValue(gg, 2, 22.35) * expectedTransactions(bg, 12 * L, 2, 30.43, 38.86), 10);
    const discounted = customerLifetimeValue(bg, gg, c, { months: 12, monthlyDiscount: 0.01 });
    expect(discounted).toBeLessThan(undiscounted);
    expect(discounted).toBeGreaterThan(undiscounted / 1.01 ** 12);
    expect(customerLifetimeValue(bg, gg, c, { months: 12, monthlyDiscount: 0.01, margin: 0.3 })).toBeCloseTo(0.3 * discounted, 10);
  });

  it('needs customers with repeat purchases of positive value', () => {
    expect(() => fitGammaGamma({ x: [0, 0, 1], monetary: [0, 0, 5] })).toThrow(/at least 10 customers with a repeat transaction/);
  });
});

describe('CLV on other transaction logs', () => {
  it('fits the generated portfolio transaction log read from Arrow', () => {
    const t = generateTransactions({ rows: 3000, seed: 7 }, 0);
    const log = transactionLogFromTables([t], { customer: 'clientId', date: 'date', value: 'amount' });
    expect(log.customers).toBeGreaterThan(2500);
    const asOf = day(2026, 6, 30);
    const s = summariseTransactions(log, { calibrationEnd: asOf - 182, holdoutEnd: asOf });
    const fit = fitBgNbd(s);
    expect(fit.params.r).toBeGreaterThan(0);
    let forecast = 0, actual = 0;
    for (let j = 0; j < s.n; j++) {
      forecast += expectedTransactions(fit.params, s.holdoutLength, s.x[j], s.tx[j], s.T[j]);
      actual += s.holdoutX![j];
    }
    expect(forecast / actual).toBeGreaterThan(0.5);
    expect(forecast / actual).toBeLessThan(2);
    expect(fitGammaGamma(s).customers).toBeGreaterThan(1000);
  });

  it('fits the Berka (PKDD 99) account transactions and warns that accounts barely drop out', () => {
    const lines = text('berka_pkdd99/trans_1993-01_to_1994-03_partial.asc').trim().split(/\r?\n/).slice(1);
    const index = new Map<string, number>();
    const customer = new Int32Array(lines.length), d = new Int32Array(lines.length), value = new Float64Array(lines.length);
    lines.forEach((l, i) => {
      const f = l.split(';');
      if (!index.has(f[1])) index.set(f[1], index.size);
      customer[i] = index.get(f[1])!;
      d[i] = day(1900 + +f[2].slice(0, 2), +f[2].slice(2, 4), +f[2].slice(4, 6));
      value[i] = +f[5];
    });
    const s = summariseTransactions({ customer, day: d, value, customers: index.size }, { calibrationEnd: day(1993, 12, 31), holdoutEnd: day(1994, 3, 30) });
    const fit = fitBgNbd(s);
    expect(fit.warnings.join()).toMatch(/almost no drop-out/);
    expect(fitGammaGamma(s).customers).toBeGreaterThan(1000);
  });
});
