/**
 * Exact quantiles that merge across partitions.
 *
 * Partial: every worker keeps, per group, the group's values sorted ascending (one Float64Array
 * of all groups' values, cut into segments by `offsets`). Reduce never concatenates and sorts
 * everything: `selectKth` finds the k-th smallest value of the union of k sorted arrays by
 * repeated partition around a pivot, with binary searches only (O(log n) rounds of O(m log n)).
 *
 * Method (the same as DuckDB's `quantile_cont` and `median` for DOUBLE): for n values sorted
 * x[0..n-1] and q in [0, 1], RN = q * (n - 1), lo = x[floor(RN)], hi = x[ceil(RN)],
 * d = RN - floor(RN); result = lo when floor(RN) = ceil(RN), else lo * (1 - d) + hi * d. This is
 * the form DuckDB 1.4 evaluates (checked bit for bit, e.g. 0.1 and 0.7 at q 0.3 give
 * 0.27999999999999997, -1e308 and 1e308 at q 0.5 give 0, -Infinity and 50000 give -Infinity;
 * the other textbook form lo + (hi - lo) * d differs in all three). `median` is q = 0.5. No
 * values -> null. NaN must be removed by the caller (kernels exclude and count NaN); -0 is
 * returned as 0, so the answer cannot depend on which of two equal zeros a split selects.
 */

/** Values grouped by `slots` (slot per value, 0..groups-1), each group sorted ascending. */
export interface SortedGroups {
  /** offsets[g]..offsets[g+1] is group g's segment of `values`. */
  readonly offsets: Int32Array;
  readonly values: Float64Array;
}

/**
 * Counting sort by group, then a numeric sort of each segment. `slots` and `values` are the first
 * `length` entries of parallel arrays (value i belongs to group slots[i]).
 */
export function sortByGroup(slots: Int32Array, values: Float64Array, length: number, groups: number): SortedGroups {
  const offsets = new Int32Array(groups + 1);
  for (let i = 0; i < length; i++) offsets[slots[i] + 1]++;
  for (let g = 0; g < groups; g++) offsets[g + 1] += offsets[g];
  const out = new Float64Array(length);
  const fill = offsets.slice(0, groups);
  for (let i = 0; i < length; i++) out[fill[slots[i]]++] = values[i];
  let largest = 0;
  for (let g = 0; g < groups; g++) largest = Math.max(largest, offsets[g + 1] - offsets[g]);
  const scratch = new Uint32Array(largest >= RADIX_MIN ? largest * 2 : 0);
  for (let g = 0; g < groups; g++) {
    if (offsets[g + 1] - offsets[g] > 1) sortFloat64(out.subarray(offsets[g], offsets[g + 1]), scratch);
  }
  return { offsets, values: out };
}

/** Below this length the built-in sort is as fast as the radix sort's fixed costs. */
const RADIX_MIN = 512;

/**
 * Sorts doubles (no NaN) ascending in place, in the order of Float64Array.prototype.sort (-0
 * before +0). Large arrays use an LSD radix sort on the IEEE-754 bits mapped to unsigned order
 * (negative: all bits flipped; positive: sign bit set), six passes of 11 bits, skipping passes
 * whose digit is the same for every value; about 5x faster than the built-in comparison sort.
 * `scratch` must hold at least 2 * a.length words when a.length >= RADIX_MIN.
 */
export function sortFloat64(a: Float64Array, scratch?: Uint32Array): void {
  const n = a.length;
  if (n < RADIX_MIN) {
    a.sort();
    return;
  }
  let src = new Uint32Array(a.buffer, a.byteOffset, n * 2);
  let dst = scratch && scratch.length >= n * 2 ? scratch.subarray(0, n * 2) : new Uint32Array(n * 2);
  const original = src;
  for (let i = 0; i < n; i++) {
    const hi = src[2 * i + 1];
    if (hi & 0x80000000) {
      src[2 * i] = ~src[2 * i];
      src[2 * i + 1] = ~hi;
    } else {
      src[2 * i + 1] = hi | 0x80000000;
    }
  }
  const hist = new Int32Array(6 * 2048);
  for (let i = 0; i < n; i++) {
    const lo = src[2 * i], hi = src[2 * i + 1];
    hist[lo & 0x7ff]++;
    hist[2048 + ((lo >>> 11) & 0x7ff)]++;
    hist[4096 + (lo >>> 22)]++;
    hist[6144 + (hi & 0x7ff)]++;
    hist[8192 + ((hi >>> 11) & 0x7ff)]++;
    hist[10240 + (hi >>> 22)]++;
  }
  for (let pass = 0; pass < 6; pass++) {
    const base = pass * 2048;
    let trivial = false;
    for (let d = 0; d < 2048; d++) {
      const c = hist[base + d];
      if (c === n) trivial = true;
      if (c !== 0) break;
    }
    if (trivial) continue;
    // Exclusive prefix sums: start position of each digit.
    let sum = 0;
    for (let d = 0; d < 2048; d++) {
      const c = hist[base + d];
      hist[base + d] = sum;
      sum += c;
    }
    scatter(src, dst, n, pass < 3 ? 0 : 1, (pass % 3) * 11, hist, base);
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== original) original.set(src);
  for (let i = 0; i < n; i++) {
    const hi = original[2 * i + 1];
    if (hi & 0x80000000) {
      original[2 * i + 1] = hi & 0x7fffffff;
    } else {
      original[2 * i] = ~original[2 * i];
      original[2 * i + 1] = ~hi;
    }
  }
}

/** Group g's sorted values (a view, no copy). */
export function segment(s: SortedGroups, g: number): Float64Array {
  return s.values.subarray(s.offsets[g], s.offsets[g + 1]);
}

/** First index in [lo, hi) whose value is >= x, or > x when `upper` (lower / upper bound). */
function bound(a: Float64Array, lo: number, hi: number, x: number, upper: boolean): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (upper ? a[mid] <= x : a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The k-th smallest (0-based) value of the union of sorted arrays (no NaN). Each round takes the
 * weighted median of the active windows' middle values as pivot, so at least a quarter of the
 * remaining values is discarded per round.
 */
export function selectKth(arrays: readonly Float64Array[], k: number): number {
  const m = arrays.length;
  const lo = new Int32Array(m);
  const hi = new Int32Array(m);
  let total = 0;
  for (let j = 0; j < m; j++) {
    hi[j] = arrays[j].length;
    total += arrays[j].length;
  }
  if (!(k >= 0 && k < total) || !Number.isInteger(k)) throw new RangeError(`selectKth: k = ${k} is outside 0..${total - 1}.`);
  const lt = new Int32Array(m);
  const le = new Int32Array(m);
  let active: number[] = [];
  for (let j = 0; j < m; j++) if (hi[j] > 0) active.push(j);
  const mids = new Float64Array(m);
  for (;;) {
    if (active.length === 1) {
      const j = active[0];
      return arrays[j][lo[j] + k];
    }
    // Weighted median of the windows' middle values.
    for (const j of active) mids[j] = arrays[j][(lo[j] + hi[j]) >>> 1];
    const order = active.slice().sort((a, b) => (mids[a] < mids[b] ? -1 : mids[a] > mids[b] ? 1 : a - b));
    let acc = 0;
    let pivot = mids[order[order.length - 1]];
    for (const j of order) {
      acc += hi[j] - lo[j];
      if (2 * acc >= total) {
        pivot = mids[j];
        break;
      }
    }
    let nLt = 0;
    let nLe = 0;
    for (const j of active) {
      lt[j] = bound(arrays[j], lo[j], hi[j], pivot, false);
      le[j] = bound(arrays[j], lt[j], hi[j], pivot, true);
      nLt += lt[j] - lo[j];
      nLe += le[j] - lo[j];
    }
    if (k < nLt) {
      for (const j of active) hi[j] = lt[j];
      total = nLt;
    } else if (k < nLe) {
      return pivot;
    } else {
      for (const j of active) lo[j] = le[j];
      k -= nLe;
      total -= nLe;
    }
    active = active.filter((j) => hi[j] > lo[j]);
  }
}

/**
 * quantile_cont over the union of sorted arrays (see the file comment); null when they hold no
 * values. `q` must be in [0, 1].
 */
export function quantileCont(arrays: readonly Float64Array[], q: number): number | null {
  let n = 0;
  const nonEmpty: Float64Array[] = [];
  for (const a of arrays) {
    if (a.length > 0) {
      n += a.length;
      nonEmpty.push(a);
    }
  }
  if (n === 0) return null;
  const rn = q * (n - 1);
  const f = Math.floor(rn);
  const c = Math.ceil(rn);
  const lo = selectKth(nonEmpty, f);
  if (f === c) return lo + 0;
  const hi = selectKth(nonEmpty, c);
  const d = rn - f;
  return lo * (1 - d) + hi * d + 0;
}

/** One radix pass: moves (lo, hi) pairs by the 11-bit digit of word `word` (0 lo, 1 hi) at `shift`. */
function scatter(src: Uint32Array, dst: Uint32Array, n: number, word: number, shift: number, start: Int32Array, base: number): void {
  for (let i = 0; i < n; i++) {
    const w = src[2 * i + word];
    const pos = start[base + ((w >>> shift) & 0x7ff)]++;
    dst[2 * pos] = src[2 * i];
    dst[2 * pos + 1] = src[2 * i + 1];
  }
}
