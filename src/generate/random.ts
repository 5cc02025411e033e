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
 * - The integer sequence (`nextU32`) is bit-identical on every JS engine: it uses only integer
 *   operations (Math.imul, shifts, xor, exact sums wrapped to 32 bits).
 * - `uniform` is an exact function of that sequence (u32 / 2^32, exact in float64).
 * - `normal` (ziggurat), `lognormal`, `exponential` and `poisson` also use Math.log / Math.exp /
 *   Math.sqrt, in their rare slow paths and in the ziggurat tables built at load. sqrt is correctly
 *   rounded by IEEE 754; log and exp are not mandated to be, but V8, SpiderMonkey and
 *   JavaScriptCore all ship fdlibm-derived implementations. No sin/cos are involved.
 * - `weighted` uses an alias table built with + - * / only, so it is exact everywhere.
 *
 * Speed: the generator draws ~30 numbers and ~8 normals per client. The ziggurat's fast path (99%
 * of draws) is one integer draw, a compare and a multiply, where the polar method needs ~2.5
 * uniforms, a log and a sqrt per pair; the alias table picks in O(1) where a binary search over
 * 200 branches mispredicts ~8 branches.
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

  /**
   * Standard normal deviate: Marsaglia and Tsang's ziggurat with 128 strips. One 32-bit draw gives
   * the strip (low 7 bits) and, independently, a signed 25-bit abscissa (high bits).
   */
  normal(): number {
    const h = this.nextU32() | 0;
    const strip = h & 127;
    const j = h >> 7;
    if (Math.abs(j) < ZIG_K[strip]) return j * ZIG_W[strip];
    return this.normalSlow(j, strip);
  }

  /** Ziggurat slow path: the wedges and the tail beyond ZIG_R. */
  private normalSlow(j: number, strip: number): number {
    for (;;) {
      if (strip === 0) {
        // Tail: Marsaglia's method for x > R.
        let x: number;
        let y: number;
        do {
          x = -Math.log(this.uniformPos()) / ZIG_R;
          y = -Math.log(this.uniformPos());
        } while (y + y < x * x);
        return j > 0 ? ZIG_R + x : -ZIG_R - x;
      }
      const x = j * ZIG_W[strip];
      if (ZIG_F[strip] + this.uniform() * (ZIG_F[strip - 1] - ZIG_F[strip]) < Math.exp(-0.5 * x * x)) return x;
      const h = this.nextU32() | 0;
      strip = h & 127;
      j = h >> 7;
      if (Math.abs(j) < ZIG_K[strip]) return j * ZIG_W[strip];
    }
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

  /** Index drawn with the probabilities of a `weightTable` (alias method: one uniform, O(1)). */
  weighted(table: WeightTable): number {
    const x = this.uniform() * table.prob.length;
    const i = Math.floor(x);
    return x - i < table.prob[i] ? i : table.alias[i];
  }
}

// Ziggurat tables (Marsaglia and Tsang 2000): 128 strips of equal area V under exp(-x^2/2), the
// base strip (0) including the tail beyond R. ZIG_K: integer thresholds below which a draw lies
// inside a strip's inner rectangle; ZIG_W: abscissa scale; ZIG_F: exp(-x^2/2) at strip edges.
const ZIG_R = 3.442619855899;
const ZIG_V = 9.91256303526217e-3;
const ZIG_SCALE = 2 ** 24; // |j| < 2^24 for the 25-bit signed abscissa
const ZIG_K = new Float64Array(128);
const ZIG_W = new Float64Array(128);
const ZIG_F = new Float64Array(128);
{
  let dn = ZIG_R;
  let tn = dn;
  const q = ZIG_V / Math.exp(-0.5 * dn * dn);
  ZIG_K[0] = Math.floor((dn / q) * ZIG_SCALE);
  ZIG_K[1] = 0;
  ZIG_W[0] = q / ZIG_SCALE;
  ZIG_W[127] = dn / ZIG_SCALE;
  ZIG_F[0] = 1;
  ZIG_F[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(ZIG_V / dn + Math.exp(-0.5 * dn * dn)));
    ZIG_K[i + 1] = Math.floor((dn / tn) * ZIG_SCALE);
    tn = dn;
    ZIG_F[i] = Math.exp(-0.5 * dn * dn);
    ZIG_W[i] = dn / ZIG_SCALE;
  }
}

/** Alias table for `Rng.weighted` (Walker / Vose). */
export interface WeightTable {
  /** Probability of keeping column i (else its alias). */
  readonly prob: Float64Array;
  readonly alias: Int32Array;
}

/**
 * Alias table drawing index i with probability weights[i] / sum. Weights must be finite, >= 0 and
 * not all zero; a zero weight is never drawn.
 */
export function weightTable(weights: readonly number[]): WeightTable {
  const n = weights.length;
  if (n === 0) throw new Error('weightTable: needs at least one weight.');
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i];
    if (!Number.isFinite(w) || w < 0) throw new Error(`weightTable: weight ${i} is ${w}; weights must be finite and >= 0.`);
    total += w;
  }
  if (total <= 0) throw new Error('weightTable: weights are all zero.');
  const scaled = weights.map((w) => (w * n) / total);
  const prob = new Float64Array(n).fill(1);
  const alias = Int32Array.from({ length: n }, (_, i) => i);
  const small: number[] = [];
  const large: number[] = [];
  scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
  while (small.length > 0 && large.length > 0) {
    const s = small.pop()!;
    const l = large.pop()!;
    prob[s] = scaled[s];
    alias[s] = l;
    scaled[l] = scaled[l] + scaled[s] - 1;
    (scaled[l] < 1 ? small : large).push(l);
  }
  // Leftovers hold probability 1 up to rounding (prob and alias already say "keep").
  return { prob, alias };
}
