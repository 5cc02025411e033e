/**
 * Bin codes of a numeric column (tiers, asset scale, any `bins` dimension), kept per stored batch.
 *
 * The panels of a dashboard run several rollups on the same rows after each filter change, and
 * several of them bin the same column at the same cut points (wealth tiers, asset scale); a
 * dashboard profile showed binning at ~5% of worker time. Codes are therefore cached per batch
 * object (a stored batch, or a filtered view that filtered-rows.ts shares between the panels of one
 * filter) and per (column, cut points). Weakly keyed by the batch, so entries go with it; at most
 * BINNINGS_PER_BATCH binnings per batch, oldest out, since each holds 4 bytes per row.
 *
 * The cached array is returned as is: callers must treat codes as read-only.
 */
import { RecordBatch } from 'apache-arrow';
import { viewBuffer } from './filtered-rows.js';

const BINNINGS_PER_BATCH = 3;
const cache = new WeakMap<RecordBatch, Map<string, Int32Array>>();
let cacheEnabled = true;
/** Batches binned (misses) and served from the cache (hits), for tests and profiling. */
export const binCodeCacheStats = { hits: 0, misses: 0 };

/** For tests: turns the cache on or off; results must not depend on it. */
export function setBinCodeCache(enabled: boolean): void {
  cacheEnabled = enabled;
}

/** Cache key of a binning: the codes depend on the column and the cut points only (not labels). */
export function binningKey(column: string, cuts: Float64Array): string {
  // String(x) round-trips a double exactly; -0 and 0 bin alike, and both print "0".
  return `${column}\u0000${Array.from(cuts, String).join(',')}`;
}

/**
 * Codes of `batch`'s column `column` (values v, validity bitmap at offset) for cut points `cuts`:
 * from the cache, or computed into a new array and cached. `key` is binningKey(column, cuts).
 */
export function cachedBinCodes(
  batch: RecordBatch, key: string, v: Float64Array | Int32Array, bitmap: Uint8Array | null, offset: number, cuts: Float64Array,
): Int32Array {
  const cacheable = cacheEnabled && batch instanceof RecordBatch;
  let byKey = cacheable ? cache.get(batch) : undefined;
  const hit = byKey?.get(key);
  if (hit) {
    binCodeCacheStats.hits++;
    return hit;
  }
  binCodeCacheStats.misses++;
  // A filtered view's codes go into a buffer of the view's (pooled with its columns); every row is written.
  const out = new Int32Array(viewBuffer(batch, 4 * batch.numRows), 0, batch.numRows);
  binCodes(v, bitmap, offset, cuts, out);
  if (cacheable) {
    if (!byKey) cache.set(batch, (byKey = new Map()));
    if (byKey.size >= BINNINGS_PER_BATCH) byKey.delete(byKey.keys().next().value!);
    byKey.set(key, out);
  }
  return out;
}

/**
 * Bin index per row: the number of cut points <= x (so x equal to a cut point is in the higher
 * bin); null and NaN -> cuts.length + 1 (missing). Specialised for short cut lists (tiers have 4).
 */
export function binCodes(v: Float64Array | Int32Array, bitmap: Uint8Array | null, offset: number, cuts: Float64Array, out: Int32Array): void {
  const n = out.length;
  const e = cuts.length;
  const missing = e + 1;
  if (e <= 4) {
    // Branch-free: the bin is the number of cut points <= x (cuts ascending); absent cuts are NaN,
    // which no comparison passes. Data-dependent loop exits mispredict on mixed data.
    const c0 = e > 0 ? cuts[0] : NaN, c1 = e > 1 ? cuts[1] : NaN, c2 = e > 2 ? cuts[2] : NaN, c3 = e > 3 ? cuts[3] : NaN;
    for (let i = 0; i < n; i++) {
      const x = v[i];
      // Unary plus on a comparison compiles without a branch (a ternary would mispredict).
      const k = +(x >= c0) + +(x >= c1) + +(x >= c2) + +(x >= c3);
      out[i] = x === x ? k : missing;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const x = v[i];
      let k = 0;
      while (k < e && x >= cuts[k]) k++;
      out[i] = x === x ? k : missing;
    }
  }
  if (bitmap !== null) {
    for (let i = 0; i < n; i++) {
      const j = offset + i;
      if (((bitmap[j >> 3] >> (j & 7)) & 1) === 0) out[i] = missing;
    }
  }
}
