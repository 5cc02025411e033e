// BatchMemo (workers/kernels/batch-memo.ts): one computation per batch and key, never another
// batch's or key's value, and at most `perBatch` keys kept per batch (least recently used out).
import { describe, expect, it } from 'vitest';
import { tableFromArrays, type RecordBatch } from 'apache-arrow';
import { BatchMemo } from '../../workers/kernels/batch-memo.js';

const batchOf = (...x: number[]) => tableFromArrays({ x: Float64Array.from(x) }).batches[0];

describe('BatchMemo', () => {
  it('computes once per batch and key, and keeps batches and keys apart', () => {
    const [a, b] = [batchOf(1, 2), batchOf(3)];
    const memo = new BatchMemo<string>();
    const calls: string[] = [];
    const get = (batch: RecordBatch, key: string) => memo.get(batch, key, () => (calls.push(`${batch.numRows}:${key}`), `${batch.numRows}:${key}`));
    expect([get(a, 'k'), get(a, 'k'), get(b, 'k'), get(a, 'j'), get(b, 'k')]).toEqual(['2:k', '2:k', '1:k', '2:j', '1:k']);
    expect(calls).toEqual(['2:k', '1:k', '2:j']);
  });

  it('keeps at most perBatch keys per batch, the least recently used leaving first', () => {
    const a = batchOf(1);
    const memo = new BatchMemo<string>(2);
    const calls: string[] = [];
    const get = (key: string) => memo.get(a, key, () => (calls.push(key), key));
    for (const key of ['p', 'q', 'p', 'r', 'p', 'q']) get(key);
    // 'q' left when 'r' came ('p' had been used since); then 'r' left when 'q' came back.
    expect(calls).toEqual(['p', 'q', 'r', 'q']);
  });
});
