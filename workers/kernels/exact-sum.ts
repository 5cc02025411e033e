/**
 * Exact sums of doubles, so that a sum merged from worker partials is bit-identical whatever the
 * split, and no less accurate than a single pass.
 *
 * Why: floating-point addition is not associative; summing partial sums (a + b) + c after a split
 * rounds differently from one pass over the rows. Kernels therefore sum each record batch in a
 * plain typed-array loop (fast; depends only on that batch's rows) and fold the batch sums into an
 * exact accumulator. The accumulator holds the exact mathematical sum of everything added, as a
 * Shewchuk expansion (non-overlapping doubles, increasing magnitude), and `exactValue` rounds that
 * exact value once, correctly (round-half-even), in the manner of Python's math.fsum. Since the
 * batch sums are the same however batches are dealt to workers (runKernelSplit and the pool cut
 * between batches), so is the result.
 *
 * Representation (structured-cloneable, a plain number[]): index 0 accumulates non-finite inputs
 * (Infinity, -Infinity, NaN, by ordinary addition, so +Inf + -Inf = NaN as in SQL); indices 1..
 * are the expansion. If the exact sum of finite inputs passes ~1.8e308 on the way (intermediate
 * overflow), the result is that overflow's signed Infinity.
 */

export type ExactSum = number[];

export function newExactSum(): ExactSum {
  return [0];
}

/** Adds `x` exactly. */
export function exactAdd(acc: ExactSum, x: number): void {
  if (!Number.isFinite(x)) {
    acc[0] += x;
    return;
  }
  let w = 1;
  const n = acc.length;
  for (let r = 1; r < n; r++) {
    let y = acc[r];
    if (Math.abs(x) < Math.abs(y)) {
      const t = x;
      x = y;
      y = t;
    }
    const hi = x + y;
    const lo = y - (hi - x);
    if (lo !== 0) acc[w++] = lo;
    x = hi;
  }
  if (!Number.isFinite(x)) {
    // Intermediate overflow: the expansion is no longer meaningful.
    acc.length = 1;
    acc[0] += x;
    return;
  }
  acc.length = w;
  if (x !== 0) acc.push(x);
}

/** Adds every term of `b` into `a` exactly. */
export function exactMerge(a: ExactSum, b: ExactSum): void {
  a[0] += b[0];
  for (let r = 1; r < b.length; r++) exactAdd(a, b[r]);
}

/** The exact sum, correctly rounded to a double. An empty accumulator is 0. */
export function exactValue(acc: ExactSum): number {
  if (acc[0] !== 0 || Number.isNaN(acc[0])) return acc[0];
  let n = acc.length - 1; // number of expansion terms, at acc[1..n]
  if (n === 0) return 0;
  let hi = acc[n];
  let lo = 0;
  while (n > 1) {
    const x = hi;
    n--;
    const y = acc[n];
    hi = x + y;
    const yr = hi - x;
    lo = y - yr;
    if (lo !== 0) break;
  }
  // Round half to even across the rest: if the remainder and the next term push the same way,
  // the halfway case rounds away.
  if (n > 1 && ((lo < 0 && acc[n - 1] < 0) || (lo > 0 && acc[n - 1] > 0))) {
    const y = lo * 2;
    const x = hi + y;
    const yr = x - hi;
    if (y === yr) hi = x;
  }
  return hi;
}
