/**
 * Order-preserving buckets of float64 values, for selecting ranks without sorting every value:
 * a histogram of bucket counts finds the bucket that holds a given rank, and only that bucket's
 * values need exact treatment.
 *
 * The bucket of a finite double is the top FLOAT_BUCKET_BITS bits of its order-preserving 32-bit
 * high word (sign bit flipped for non-negatives, all bits flipped for negatives), so x < y implies
 * bucket(x) <= bucket(y). Buckets are log-spaced: 2^(FLOAT_BUCKET_BITS - 12) per power of two, a
 * relative width of 1/256 at 20 bits, whatever the scale of the data. -0 must be normalised to +0
 * first (x + 0) so that the two zeros share a bucket: ZERO_BUCKET, the lowest bucket of the
 * non-negatives (it also holds positives below about 2^-1015).
 *
 * Bucket counts travel between threads as sparse lists (only occupied buckets, ascending), since
 * real data occupy a few thousand of the 2^20 buckets.
 */

export const FLOAT_BUCKET_BITS = 20;
export const FLOAT_BUCKETS = 1 << FLOAT_BUCKET_BITS;
const SHIFT = 32 - FLOAT_BUCKET_BITS;
export const ZERO_BUCKET = 0x80000000 >>> SHIFT;

/** Bucket of the double whose high 32 bits (as an unsigned word) are `hi`. */
export function bucketOfHighWord(hi: number): number {
  return (hi & 0x80000000 ? ~hi : hi | 0x80000000) >>> SHIFT;
}

// One double's words, reused by bucketOf: it holds nothing between calls (a fresh pair of typed
// arrays per call cost the RFM reduce about 35 ms for 14,000 values).
const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);

/** Bucket of a finite double x (-0 already +0). */
export function bucketOf(x: number): number {
  scratch[0] = x;
  return bucketOfHighWord(scratchWords[1]); // little-endian, as every word loop here assumes
}

/** Occupied buckets of a histogram, ascending, with their counts. */
export interface SparseCounts {
  readonly buckets: Uint32Array;
  readonly counts: Float64Array;
}

/**
 * A full-width histogram of bucket counts and a mark per block of BLOCK_BUCKETS buckets: whoever
 * adds to counts[b] sets blocks[b >>> BLOCK_BITS] to 1. Reading the occupied buckets then visits
 * the marked blocks only: real data occupy a few thousand buckets in a few dozen blocks, and two
 * passes over all 2^20 counts (8 MB read) took each worker 13-17 ms per whale-curve query on the
 * 1M dashboard, a tenth of its work in a filter change.
 */
export interface BucketHistogram {
  readonly counts: Uint32Array;
  readonly blocks: Uint8Array;
}

/** Buckets per block: 2^8, one power of two of values (see the bucket layout above). */
export const BLOCK_BITS = 8;
const BLOCK_BUCKETS = 1 << BLOCK_BITS;

/** A zeroed histogram with no block marked. */
export function newBucketHistogram(): BucketHistogram {
  return { counts: new Uint32Array(FLOAT_BUCKETS), blocks: new Uint8Array(FLOAT_BUCKETS >>> BLOCK_BITS) };
}

/** Adds the bucket of each of values[0..n) to `hist` (values finite, -0 already +0). */
export function countBuckets(values: Float64Array, n: number, hist: BucketHistogram): void {
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  const { counts, blocks } = hist;
  for (let i = 1; i < 2 * n; i += 2) {
    const hi = words[i];
    const b = (hi & 0x80000000 ? ~hi : hi | 0x80000000) >>> SHIFT;
    counts[b]++;
    blocks[b >>> BLOCK_BITS] = 1;
  }
}

export function sparseCounts(hist: BucketHistogram): SparseCounts {
  const k = occupiedBuckets(hist.counts, hist.blocks);
  const buckets = new Uint32Array(k);
  const counts = new Float64Array(k);
  listOccupied(hist.counts, hist.blocks, buckets, counts);
  return { buckets, counts };
}

// Both passes are leaf functions with nothing after their loops: a long loop is compiled while it
// runs (on-stack replacement), and code after it that had no type feedback then sent every call
// back to the interpreter (see workers/jobs/kernel-priming.ts).
function occupiedBuckets(hist: Uint32Array, blocks: Uint8Array): number {
  let k = 0;
  for (let blk = 0; blk < blocks.length; blk++) {
    if (blocks[blk] === 0) continue;
    for (let b = blk << BLOCK_BITS, end = b + BLOCK_BUCKETS; b < end; b++) if (hist[b] !== 0) k++;
  }
  return k;
}

function listOccupied(hist: Uint32Array, blocks: Uint8Array, buckets: Uint32Array, counts: Float64Array): void {
  let k = 0;
  for (let blk = 0; blk < blocks.length; blk++) {
    if (blocks[blk] === 0) continue;
    for (let b = blk << BLOCK_BITS, end = b + BLOCK_BUCKETS; b < end; b++) {
      if (hist[b] !== 0) {
        buckets[k] = b;
        counts[k++] = hist[b];
      }
    }
  }
}

/**
 * Full-width scratch kept between queries: a histogram of FLOAT_BUCKETS counts is 4 MB, a
 * region table 2 MB. Fresh ones per query cost each worker a thousand page faults and the worker
 * pool's threads a heap of external memory to collect, on every filter change. One query at a time
 * holds each (a prepare that interleaves with another at a checkpoint gets a fresh one), and a
 * histogram is given back only zeroed, by sparseCountsAndRelease; one dropped by a failed or
 * cancelled query is simply left to the collector.
 */
let spareHist: BucketHistogram | null = null;
let spareTable: Uint16Array | null = null;

/** A zeroed histogram with no block marked; give it back with sparseCountsAndRelease. */
export function takeBucketHistogram(): BucketHistogram {
  const h = spareHist ?? newBucketHistogram();
  spareHist = null;
  return h;
}

/** sparseCounts(hist), then hist zeroed (only its occupied buckets are touched) for the next query. */
export function sparseCountsAndRelease(hist: BucketHistogram): SparseCounts {
  const sparse = sparseCounts(hist);
  const { buckets } = sparse;
  const { counts, blocks } = hist;
  for (let k = 0; k < buckets.length; k++) counts[buckets[k]] = 0;
  blocks.fill(0);
  spareHist = hist;
  return sparse;
}

/** A table of FLOAT_BUCKETS entries with unspecified contents: the taker writes every entry it reads. */
export function takeBucketTable(): Uint16Array {
  const t = spareTable ?? new Uint16Array(FLOAT_BUCKETS);
  spareTable = null;
  return t;
}

export function releaseBucketTable(table: Uint16Array): void {
  spareTable = table;
}

/** The sum of sparse histograms, ascending (fresh arrays, whatever the number of parts). */
export function mergeSparseCounts(parts: readonly SparseCounts[]): SparseCounts {
  let buckets = new Uint32Array(0);
  let counts = new Float64Array(0);
  for (const part of parts) {
    const outBuckets = new Uint32Array(buckets.length + part.buckets.length);
    const outCounts = new Float64Array(outBuckets.length);
    const k = mergeInto(buckets, counts, part.buckets, part.counts, outBuckets, outCounts);
    buckets = outBuckets.subarray(0, k);
    counts = outCounts.subarray(0, k);
  }
  return { buckets: buckets.slice(), counts: counts.slice() };
}

// Two sorted lists into one, a leaf loop over typed arrays only: the reduce gets one part from its
// own worker and others through structured clone, objects of different shapes, and a loop that
// read them through the parts array ran at about 0.6 us a bucket (10 ms per whale-curve reduce).
function mergeInto(ab: Uint32Array, ac: Float64Array, bb: Uint32Array, bc: Float64Array, outB: Uint32Array, outC: Float64Array): number {
  let i = 0, j = 0, k = 0;
  while (i < ab.length || j < bb.length) {
    const x = i < ab.length ? ab[i] : 0xffffffff;
    const y = j < bb.length ? bb[j] : 0xffffffff;
    if (x <= y) {
      outB[k] = x;
      outC[k] = ac[i++] + (x === y ? bc[j++] : 0);
    } else {
      outB[k] = y;
      outC[k] = bc[j++];
    }
    k++;
  }
  return k;
}

/**
 * The bucket holding each rank of `ranks` (1-based, counted from the largest value, ascending)
 * in a merged histogram; ranks must be in 1..total.
 */
export function bucketsOfRanksFromTop(h: SparseCounts, ranks: readonly number[]): number[] {
  const out: number[] = [];
  let above = 0;
  let b = h.buckets.length - 1;
  for (const k of ranks) {
    while (b >= 0 && above + h.counts[b] < k) above += h.counts[b--];
    if (b < 0) throw new RangeError(`bucketsOfRanksFromTop: rank ${k} is beyond the ${above} counted values.`);
    out.push(h.buckets[b]);
  }
  return out;
}
