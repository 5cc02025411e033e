import { describe, expect, it } from 'vitest';
import { CHECKPOINT_MS, throttledCheckpoint } from '../../workers/throttled-checkpoint.js';

describe('job checkpoints', () => {
  it('yield to the host only once CHECKPOINT_MS have passed since the last yield', async () => {
    let now = 1000;
    let yields = 0;
    const host = { checkpoint: async () => { yields++; now += 0.5; } };
    const checkpoint = throttledCheckpoint(host, CHECKPOINT_MS, () => now);
    // Batches of 1 ms: the first yield comes after CHECKPOINT_MS, then one per CHECKPOINT_MS.
    for (let b = 0; b < 40; b++) {
      now += 1;
      await checkpoint();
    }
    expect(yields).toBeGreaterThanOrEqual(Math.floor(40 / (CHECKPOINT_MS + 1)));
    expect(yields).toBeLessThanOrEqual(Math.ceil(40 / CHECKPOINT_MS));
    // A slow batch yields at every checkpoint.
    const before = yields;
    for (let b = 0; b < 5; b++) {
      now += CHECKPOINT_MS;
      await checkpoint();
    }
    expect(yields - before).toBe(5);
  });

  it('pass the host checkpoint\'s cancellation through', async () => {
    let now = 0;
    const host = { checkpoint: () => Promise.reject(new DOMException('cancelled', 'AbortError')) };
    const checkpoint = throttledCheckpoint(host, 8, () => now);
    await expect(checkpoint()).resolves.toBeUndefined(); // within the interval: no yield
    now = 8;
    await expect(checkpoint()).rejects.toThrow('cancelled');
  });
});
