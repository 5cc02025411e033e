/**
 * A small, fast, seeded pseudo-random generator for the synthetic data generators.
 *
 * Why not Math.random: generated data must be reproducible (same seed -> same bytes) and must
 * not depend on which worker produced which chunk, so every chunk owns an independent generator
 * keyed by integers (seed, stream, substream).
 *
 * Core: sfc32 (Chris Doty-Humphrey's "small fast counting" generator, 128-bit state, passes
 * PractRand/BigCrush, period >= 2^32 guaranteed by its counter). Its state is initialised from the
 * key with the splitmix32 finaliser, a bijection on 32-bit words, so different
 * (seed, stream, substream) keys always start from different states.
 *
 * Determinism contract:
 * - The integer sequence (`nextU32`) is bit-identical on every JS engine: it uses only
 *   Math.imul, `| 0` and `>>> 0`.
 * - `uniform` is an exact function of that sequence (u32 / 2^32, exact in float64).
 * - `normal`, `lognormal` and `poisson` also call Math.log / Math.sqrt / Math.exp. sqrt is
 *   correctly rounded by IEEE 754; log and exp are not mandated to be, but V8, SpiderMonkey and
 *   JavaScriptCore all ship fdlibm-derived implementations. The polar normal method is used
 *   (not Box-Muller) so no sin/cos are involved.
 */

/** splitmix32 finaliser; a bijection on uint32 (add, xor-shift and odd multiplies are invertible). */
export function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z ^= z >>> 16;
  z = Math.imul(z, 0x21f0aaad);
  z ^= z >>> 15;
  z = Math.imul(z, 0x735a2d97);
  z ^= z >>> 15;
  return z >>> 0;
}

const TWO_POW_32 = 4294967296;

export class Rng {
  /**
   * sfc32 state words a, b, c, d. An Int32Array rather than four number fields: V8 keeps the
   * words unboxed and stores wrap to int32 by themselves.
   */
  private readonly s = new Int32Array(4);
  /** Spare deviate of the polar method (it yields two at a time). */
  private spare = 0.5;
  private hasSpare = false;

  /**
   * @param seed      any integer (taken modulo 2^32)
   * @param stream    what the numbers are for (e.g. clients vs transactions)
   * @param substream which part of the data (e.g. the chunk index)
   */
  constructor(seed: number, stream = 0, substream = 0) {
    // Each key word goes through a different bijection, so the key -> state map is injective.
    this.s[0] = mix32(seed >>> 0);
    this.s[1] = mix32((stream ^ 0x85ebca6b) >>> 0);
    this.s[2] = mix32((substream ^ 0xc2b2ae35) >>> 0);
    this.s[3] = 1;
    // Warm-up, as recommended for sfc32, so that similar keys decorrelate.
    for (let i = 0; i < 15; i++) this.nextU32();
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.s;
    const a = s[0], b = s[1], c = s[2], d = s[3];
    // a, b, c, d are int32, so the sums below are exact before `| 0` wraps them.
    const t = (a + b + d) | 0;
    s[3] = d + 1;
    s[0] = b ^ (b >>> 9);
    s[1] = c + (c << 3);
    s[2] = ((c << 21) | (c >>> 11)) + t;
    return t >>> 0;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  uniform(): number {
    return this.nextU32() / TWO_POW_32;
  }

  /** Uniform in (0, 1]: safe to take the log of. */
  uniformPos(): number {
    return (this.nextU32() + 1) / TWO_POW_32;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Integer in [0, n) for 1 <= n <= 2^32 (multiply-shift; bias < n / 2^32, irrelevant here). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.uniform() < p;
  }

  /** Standard normal deviate (Marsaglia polar method). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    this.hasSpare = true;
    return u * f;
  }

  /** exp(N(mu, sigma^2)): median e^mu. */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal());
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(this.uniformPos());
  }

  /**
   * Poisson deviate. Exact for mean < 30 by inversion (one uniform, walking the CDF up from 0 with
   * p(k) = p(k-1) * mean / k); above that a rounded normal approximation, which is what synthetic
   * counts need and keeps the cost constant.
   */
  poisson(mean: number): number {
    if (!(mean > 0)) return 0;
    if (mean < 30) {
      const u = this.uniform();
      let k = 0;
      let p = Math.exp(-mean);
      let cdf = p;
      // `p > 0` ends the walk if rounding leaves the summed CDF just below u.
      while (u >= cdf && p > 0) {
        k++;
        p *= mean / k;
        cdf += p;
      }
      return k;
    }
    const x = Math.round(mean + Math.sqrt(mean) * this.normal());
    return x < 0 ? 0 : x;
  }

  /** Index drawn with the probabilities a `cumulativeWeights` table encodes. */
  weighted(cumulative: Float64Array): number {
    const u = this.uniform();
    const n = cumulative.length;
    // Short tables: a linear scan beats a binary search.
    if (n <= 16) {
      for (let i = 0; i < n - 1; i++) if (u < cumulative[i]) return i;
      return n - 1;
    }
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (u < cumulative[mid]) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/**
 * Normalised cumulative distribution for `Rng.weighted`. Weights must be finite, >= 0, and not all
 * zero; the last entry is exactly 1 so every uniform in [0, 1) maps to an index.
 */
export function cumulativeWeights(weights: readonly number[]): Float64Array {
  if (weights.length === 0) throw new Error('cumulativeWeights: needs at least one weight.');
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    if (!Number.isFinite(w) || w < 0) throw new Error(`cumulativeWeights: weight ${i} is ${w}; weights must be finite and >= 0.`);
    total += w;
  }
  if (total <= 0) throw new Error('cumulativeWeights: weights are all zero.');
  const out = new Float64Array(weights.length);
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i];
    out[i] = acc / total;
  }
  out[weights.length - 1] = 1;
  return out;
}
