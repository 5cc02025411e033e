// Answers kept with a cache entry for the next visit, in Node over fake-indexeddb: the cache's
// answer store (src/cache/dataset-cache.ts), the page's book of them (src/query/answer-book.ts) and
// how shared queries serve one and recompute it behind (src/query/shared-query.ts). The same path
// runs in real Chromium with real workers and elements in test/browser/kept-answers.test.ts.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDB } from 'idb';
import { DatasetCache, MAX_STORED_ANSWERS } from '../../src/cache/dataset-cache.js';
import { AnswerBook, WRITE_AFTER_QUIET_MS } from '../../src/query/answer-book.js';
import { REVALIDATE_PRIORITY, sharedQuery } from '../../src/query/shared-query.js';
import type { Dataset } from '../../src/dataset/data-hub.js';

let counter = 0;
const opened: DatasetCache[] = [];
const schema = [{ name: 'clientId', type: 'Utf8' }];

async function cacheWithEntry(options: { encrypt?: boolean; storage?: 'memory' } = {}) {
  const cache = await DatasetCache.open({ name: `answers-${++counter}`, ...options });
  opened.push(cache);
  const put = await cache.put({ id: 'book', version: 'v1', schema, chunkRows: [2], chunks: [new Uint8Array([1, 2, 3]).buffer] });
  return { cache, key: put.manifest.key };
}

afterEach(() => {
  for (const c of opened.splice(0)) c.close();
});

describe('DatasetCache answers', () => {
  it('keeps answers with their entry, for the code that computed them', async () => {
    const { cache, key } = await cacheWithEntry();
    const value = { groups: [{ label: 'mass', count: 3, sums: new Float64Array([1.5, 2]) }] };
    await cache.writeAnswers(key, 'build-a', [['q1', value], ['q2', 7]]);
    const read = await cache.readAnswers(key, 'build-a');
    expect([...read.keys()].sort()).toEqual(['q1', 'q2']);
    expect(read.get('q1')).toEqual(value);
    expect(read.get('q1')).not.toBe(value);
    // Another build's answers are not served, and are gone after the read.
    expect((await cache.readAnswers(key, 'build-b')).size).toBe(0);
    expect((await cache.readAnswers(key, 'build-a')).size).toBe(0);
  });

  it('keeps the newest MAX_STORED_ANSWERS per entry', async () => {
    const { cache, key } = await cacheWithEntry();
    let now = 1_000;
    const realNow = Date.now;
    Date.now = () => now;
    try {
      for (let i = 0; i < MAX_STORED_ANSWERS + 5; i++) {
        now += 10;
        await cache.writeAnswers(key, 'c', [[`q${i}`, i]]);
      }
    } finally {
      Date.now = realNow;
    }
    const read = await cache.readAnswers(key, 'c');
    expect(read.size).toBe(MAX_STORED_ANSWERS);
    for (let i = 0; i < 5; i++) expect(read.has(`q${i}`), `q${i}, among the oldest`).toBe(false);
    expect(read.get(`q${MAX_STORED_ANSWERS + 4}`)).toBe(MAX_STORED_ANSWERS + 4);
    const db = await openDB(cache.name);
    expect(await db.count('answers')).toBe(MAX_STORED_ANSWERS);
    db.close();
  });

  it('drops an entry\'s answers with the entry, and keeps none for an entry that is not there', async () => {
    const { cache, key } = await cacheWithEntry();
    await cache.writeAnswers(key, 'c', [['q', 1]]);
    await cache.writeAnswers('other@v1', 'c', [['q', 2]]);
    expect(await cache.evict('book')).toBe(1);
    const db = await openDB(cache.name);
    expect(await db.count('answers')).toBe(0);
    db.close();
    const again = await cache.put({ id: 'book', version: 'v1', schema, chunkRows: [2], chunks: [new Uint8Array([1, 2, 3]).buffer] });
    expect((await cache.readAnswers(again.manifest.key, 'c')).size).toBe(0);
  });

  it('clear() removes answers too', async () => {
    const { cache, key } = await cacheWithEntry();
    await cache.writeAnswers(key, 'c', [['q', 1]]);
    await cache.clear();
    const db = await openDB(cache.name);
    expect(await db.count('answers')).toBe(0);
    db.close();
  });

  it('keeps no answers when it encrypts or holds data in memory only', async () => {
    for (const options of [{ encrypt: true }, { storage: 'memory' as const }]) {
      const { cache, key } = await cacheWithEntry(options);
      expect(cache.keepsAnswers, JSON.stringify(options)).toBe(false);
      await cache.writeAnswers(key, 'c', [['q', 1]]);
      expect((await cache.readAnswers(key, 'c')).size).toBe(0);
    }
  });
});

describe('AnswerBook', () => {
  it('serves each stored answer once, and writes built-in kernels\' answers in one batch', async () => {
    const writes: (readonly (readonly [string, unknown])[])[] = [];
    const book = new AnswerBook(new Map([['k', 1]]), async (a) => void writes.push(a), { quietMs: 0 });
    expect(book.take('k')).toEqual({ value: 1 });
    expect(book.take('k')).toBeUndefined();
    book.keep('segment-rollup', 'a', 1);
    book.keep('funnel', 'b', 2);
    book.keep('acme-wallet-share', 'c', 3); // a plugin's kernel: its code may change under the same name
    book.keep('funnel', 'b', 4);
    await new Promise((r) => setTimeout(r, 5));
    expect(writes).toEqual([[['a', 1], ['b', 4]]]);
  });

  it('keeps at most MAX_STORED_ANSWERS in a page\'s life, and writes what is pending when disposed', async () => {
    const written: string[] = [];
    const book = new AnswerBook(new Map(), async (a) => void written.push(...a.map(([k]) => k)), { quietMs: 0 });
    for (let i = 0; i < MAX_STORED_ANSWERS + 3; i++) book.keep('kpis', `q${i}`, i);
    book.dispose();
    book.keep('kpis', 'late', 0);
    await new Promise((r) => setTimeout(r, 5));
    expect(written).toHaveLength(MAX_STORED_ANSWERS);
    expect(written).not.toContain('late');
  });
});

describe('AnswerBook writes', () => {
  afterEach(() => void vi.useRealTimers());

  it('wait until answers have stopped coming for quietMs, so a filter change\'s answers are stored after it is drawn', async () => {
    vi.useFakeTimers();
    const writes: string[][] = [];
    const book = new AnswerBook(new Map(), async (a) => void writes.push(a.map(([k]) => k)));
    book.keep('kpis', 'a', 1);
    await vi.advanceTimersByTimeAsync(WRITE_AFTER_QUIET_MS - 100);
    book.keep('funnel', 'b', 2); // the same burst: the wait starts again
    await vi.advanceTimersByTimeAsync(WRITE_AFTER_QUIET_MS - 100);
    expect(writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(100);
    expect(writes).toEqual([['a', 'b']]);
    book.keep('kpis', 'c', 3);
    book.dispose(); // a closing page does not wait
    expect(writes).toEqual([['a', 'b'], ['c']]);
    await vi.advanceTimersByTimeAsync(WRITE_AFTER_QUIET_MS * 3);
    expect(writes).toHaveLength(2);
  });
});

describe('sharedQuery with kept answers', () => {
  function datasetWith(stored: Map<string, unknown>) {
    const kept: (readonly [string, unknown])[] = [];
    const answers = new AnswerBook(stored, async (a) => void kept.push(...a), { quietMs: 0 });
    const listeners = new Set<() => void>();
    const dataset = { answers, onDispose: (l: () => void) => (listeners.add(l), { dispose: () => listeners.delete(l) }) } as unknown as Dataset;
    return { dataset, kept, dispose: () => listeners.forEach((l) => l()) };
  }

  it('serves a kept answer at once, recomputes it below the page\'s queries, and tells callers when it changed', async () => {
    const { dataset, kept } = datasetWith(new Map([['k', { n: 1 }]]));
    const priorities: (number | undefined)[] = [];
    let finish!: (v: unknown) => void;
    const start = (_s: AbortSignal, _p: (f: number) => void, priority?: number) => (priorities.push(priority), new Promise((r) => (finish = r)));
    const revised: unknown[] = [];
    expect(await sharedQuery(dataset, 'k', start, { kernel: 'kpis', onRevised: (v) => revised.push(['first', v]) })).toEqual({ n: 1 });
    await new Promise((r) => setTimeout(r, 5));
    expect(priorities).toEqual([REVALIDATE_PRIORITY]);
    // A second caller while it recomputes gets the same answer and is told too.
    expect(await sharedQuery(dataset, 'k', start, { kernel: 'kpis', onRevised: (v) => revised.push(['second', v]) })).toEqual({ n: 1 });
    expect(priorities).toHaveLength(1);
    finish({ n: 2 });
    await new Promise((r) => setTimeout(r, 5));
    expect(revised).toEqual([['first', { n: 2 }], ['second', { n: 2 }]]);
    // The new answer is the page's from now on, and is kept for the next visit.
    expect(await sharedQuery(dataset, 'k', start, { kernel: 'kpis' })).toEqual({ n: 2 });
    expect(kept).toEqual([['k', { n: 2 }]]);
  });

  it('recomputes only once the page is idle, so drawing the kept answers has the cores to itself', async () => {
    const idle: (() => void)[] = [];
    vi.stubGlobal('requestIdleCallback', (cb: () => void) => idle.push(cb));
    vi.stubGlobal('cancelIdleCallback', () => {});
    try {
      const { dataset } = datasetWith(new Map([['a', 1], ['b', 2]]));
      const started: string[] = [];
      const start = (key: string) => async () => (started.push(key), 0);
      expect(await sharedQuery(dataset, 'a', start('a'), { kernel: 'kpis' })).toBe(1);
      expect(await sharedQuery(dataset, 'b', start('b'), { kernel: 'kpis' })).toBe(2);
      await new Promise((r) => setTimeout(r, 5));
      expect(started).toEqual([]);
      idle.splice(0).forEach((cb) => cb());
      await new Promise((r) => setTimeout(r, 5));
      expect(started).toEqual(['a', 'b']);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('says nothing when the recomputed answer is the same (typed arrays compared by value)', async () => {
    const { dataset } = datasetWith(new Map([['k', { sums: new Float64Array([1, 2]) }]]));
    const revised: unknown[] = [];
    await sharedQuery(dataset, 'k', async () => ({ sums: new Float64Array([1, 2]) }), { kernel: 'kpis', onRevised: (v) => revised.push(v) });
    await new Promise((r) => setTimeout(r, 5));
    expect(revised).toEqual([]);
  });

  it('computes instead when asked fresh, or for a caller that names no kernel', async () => {
    const { dataset } = datasetWith(new Map([['a', 'kept'], ['b', 'kept']]));
    expect(await sharedQuery(dataset, 'a', async () => 'computed', { kernel: 'kpis', fresh: true })).toBe('computed');
    expect(await sharedQuery(dataset, 'b', async () => 'computed')).toBe('computed');
  });

  it('stops recomputing when the dataset is closed', async () => {
    const { dataset, dispose } = datasetWith(new Map([['k', 1]]));
    let signal!: AbortSignal;
    await sharedQuery(dataset, 'k', (s) => ((signal = s), new Promise(() => {})), { kernel: 'kpis' });
    await new Promise((r) => setTimeout(r, 5));
    expect(signal.aborted).toBe(false);
    dispose();
    expect(signal.aborted).toBe(true);
  });

  it('never starts a recomputation when the dataset is closed before the page was idle', async () => {
    const { dataset, dispose } = datasetWith(new Map([['k', 1]]));
    let started = false;
    await sharedQuery(dataset, 'k', () => ((started = true), new Promise(() => {})), { kernel: 'kpis' });
    dispose();
    await new Promise((r) => setTimeout(r, 5));
    expect(started).toBe(false);
  });
});
