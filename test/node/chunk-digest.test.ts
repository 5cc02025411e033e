// The cache's chunk digest against another XXH32 implementation (js-xxhash) and against the
// published XXH32 test vectors; and the legacy SHA-256 digests old entries carry.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { xxHash32 } from 'js-xxhash';
import { chunkDigest, digestMatches, digestProblem } from '../../src/cache/chunk-digest.js';

const hex8 = (x: number) => x.toString(16).padStart(8, '0');
const reference = (b: Uint8Array) => `xxh32x2:${hex8(xxHash32(b, 0))}${hex8(xxHash32(b, 1))}`;

function bytes(n: number, seed: number): Uint8Array<ArrayBuffer> {
  const a = new Uint8Array(n);
  let x = seed * 2654435761;
  for (let i = 0; i < n; i++) a[i] = (x = Math.imul(x ^ (x >>> 13), 0x5bd1e995) + i) >>> 24;
  return a;
}

describe('chunkDigest', () => {
  it('is XXH32 with seeds 0 and 1, as another implementation computes them, at every length near the 16-byte stripes', () => {
    for (let n = 0; n <= 100; n++) for (const seed of [1, 2]) expect(chunkDigest(bytes(n, seed)), `length ${n}`).toBe(reference(bytes(n, seed)));
    const big = bytes(1_000_003, 7);
    expect(chunkDigest(big)).toBe(reference(big));
    expect(chunkDigest(big.buffer)).toBe(reference(big));
  });

  it('gives the published XXH32 values', () => {
    expect(chunkDigest(new Uint8Array(0))).toBe('xxh32x2:02cc5d050b2cb792');
    expect(chunkDigest(new TextEncoder().encode('abc')).slice(8, 16)).toBe('32d153ff');
    expect(chunkDigest(new TextEncoder().encode('Nobody inspects the spammish repetition')).slice(8, 16)).toBe('e2293b2f');
  });

  it('reads a view at any byte offset (an unaligned view is copied, not misread)', () => {
    const whole = bytes(4099, 3);
    for (const start of [1, 2, 3, 4, 5]) {
      const view = whole.subarray(start, start + 4000);
      expect(chunkDigest(view), `offset ${start}`).toBe(reference(view.slice()));
    }
  });

  it('changes when one bit changes anywhere, stripes and tail alike', () => {
    const a = bytes(1037, 9);
    const before = chunkDigest(a);
    for (const at of [0, 15, 16, 511, 1023, 1024, 1030, 1036]) {
      const b = a.slice();
      b[at] ^= 0x10;
      expect(chunkDigest(b), `bit at byte ${at}`).not.toBe(before);
    }
  });
});

describe('digestMatches', () => {
  it('checks this digest and the SHA-256 hex that entries written before it carry', async () => {
    const a = bytes(5000, 4);
    const altered = a.slice();
    altered[4321] ^= 1;
    const sha = createHash('sha256').update(a).digest('hex');
    expect(await digestMatches(a, reference(a))).toBe(true);
    expect(await digestMatches(altered, reference(a))).toBe(false);
    expect(await digestMatches(a, sha)).toBe(true);
    expect(await digestMatches(altered, sha)).toBe(false);
    expect(await digestMatches(a, 'md5:whatever')).toBe(false);
  });

  it('says what a recorded digest must look like', () => {
    expect(digestProblem(reference(bytes(3, 1)))).toBeNull();
    expect(digestProblem('a'.repeat(64))).toBeNull();
    expect(digestProblem('xxh32x2:123')).toMatch(/16 lowercase hex digits/);
    expect(digestProblem(undefined)).toMatch(/xxh32x2:/);
  });
});
