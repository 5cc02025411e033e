// BatchMemo (workers/kernels/batch-memo.ts): one computation per batch and key, never another
// batch's or key's value.
import { describe, expect, it } from 'vitest';
import { tableFromArrays } from 'apache-arrow';
import { BatchMemo } from '../../workers/kernels/batch-memo.js';

describe('BatchMemo', () => {
  it('computes once per batch and key, and keeps batches and keys apart', () => {
    const [a, b] = [tableFromArrays({ x: Float64Array.of(1, 2) }).batches[0], tableFromArrays({ x: Float64Array.of(3) }).batches[0]];
    const memo = new BatchMemo<string>();
    const calls: string[] = [];
    const get = (batch: typeof a, key: string) => memo.get(batch, key, () => (calls.push(`${batch.numRows}:${key}`), `${batch.numRows}:${key}`));
    expect([get(a, 'k'), get(a, 'k'), get(b, 'k'), get(a, 'j'), get(b, 'k')]).toEqual(['2:k', '2:k', '1:k', '2:j', '1:k']);
    expect(calls).toEqual(['2:k', '1:k', '2:j']);
  });
});
