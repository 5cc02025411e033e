// Shared kernel queries (src/query/shared-query.ts): one run per key for concurrent callers, a
// caller's abort leaves the others their answer, the last one out cancels the run, recent answers
// are served without a run, `fresh` forces one, and closing the dataset forgets everything.
import { describe, expect, it } from 'vitest';
import { sharedQuery, RECENT_ANSWERS } from '../../src/query/shared-query.js';
import type { Dataset } from '../../src/dataset/data-hub.js';

function fakeDataset() {
  const listeners = new Set<() => void>();
  const ds = { onDispose: (l: () => void) => (listeners.add(l), { dispose: () => listeners.delete(l) }) };
  return { dataset: ds as unknown as Dataset, dispose: () => listeners.forEach((l) => l()) };
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('sharedQuery', () => {
  it('runs once for callers of one key, and serves the answer again afterwards', async () => {
    const { dataset } = fakeDataset();
    let runs = 0;
    const gate = deferred<number>();
    const start = () => (runs++, gate.promise);
    const a = sharedQuery(dataset, 'k', start);
    const b = sharedQuery(dataset, 'k', start);
    const other = sharedQuery(dataset, 'k2', async () => (runs++, 7));
    gate.resolve(42);
    expect(await Promise.all([a, b, other])).toEqual([42, 42, 7]);
    expect(runs).toBe(2);
    expect(await sharedQuery(dataset, 'k', start)).toBe(42);
    expect(runs).toBe(2);
    expect(await sharedQuery(dataset, 'k', async () => (runs++, 43), { fresh: true })).toBe(43);
    expect(await sharedQuery(dataset, 'k', start)).toBe(43);
  });

  it('cancels the run only when every caller has left', async () => {
    const { dataset } = fakeDataset();
    let runSignal: AbortSignal | undefined;
    const gate = deferred<string>();
    const start = (s: AbortSignal) => ((runSignal = s), gate.promise);
    const c1 = new AbortController(), c2 = new AbortController();
    const p1 = sharedQuery(dataset, 'k', start, { signal: c1.signal });
    const p2 = sharedQuery(dataset, 'k', start, { signal: c2.signal });
    c1.abort(new DOMException('superseded', 'AbortError'));
    await expect(p1).rejects.toMatchObject({ name: 'AbortError' });
    expect(runSignal!.aborted).toBe(false);
    gate.resolve('done');
    expect(await p2).toBe('done');

    let second: AbortSignal | undefined;
    const c3 = new AbortController();
    const p3 = sharedQuery(dataset, 'k3', (s) => ((second = s), new Promise<string>(() => {})), { signal: c3.signal });
    c3.abort(new DOMException('gone', 'AbortError'));
    await expect(p3).rejects.toMatchObject({ name: 'AbortError' });
    expect(second!.aborted).toBe(true);
    // A later caller of the cancelled key starts a new run.
    expect(await sharedQuery(dataset, 'k3', async () => 'again')).toBe('again');
  });

  it('passes progress to every caller, does not keep failures, and keeps a bounded number of answers', async () => {
    const { dataset } = fakeDataset();
    const seen: number[] = [];
    const gate = deferred<number>();
    let report!: (f: number) => void;
    const p1 = sharedQuery(dataset, 'p', (_s, progress) => ((report = progress), gate.promise), { onProgress: (f) => seen.push(f) });
    const p2 = sharedQuery(dataset, 'p', () => gate.promise, { onProgress: (f) => seen.push(-f) });
    report(0.5);
    gate.resolve(1);
    await Promise.all([p1, p2]);
    expect(seen).toEqual([0.5, -0.5]);

    await expect(sharedQuery(dataset, 'bad', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await sharedQuery(dataset, 'bad', async () => 'ok')).toBe('ok');

    let runs = 0;
    for (let i = 0; i <= RECENT_ANSWERS; i++) await sharedQuery(dataset, `n${i}`, async () => (runs++, i));
    await sharedQuery(dataset, 'n0', async () => (runs++, -1));
    expect(runs).toBe(RECENT_ANSWERS + 2);
  });

  it('forgets a closed dataset\'s answers and cancels its runs', async () => {
    const { dataset, dispose } = fakeDataset();
    await sharedQuery(dataset, 'k', async () => 1);
    let signal: AbortSignal | undefined;
    void sharedQuery(dataset, 'slow', (s) => ((signal = s), new Promise(() => {}))).catch(() => {});
    dispose();
    expect(signal!.aborted).toBe(true);
    expect(await sharedQuery(dataset, 'k', async () => 2)).toBe(2);
  });
});
