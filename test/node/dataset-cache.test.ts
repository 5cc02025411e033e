// Cache logic in Node over fake-indexeddb. The same cache is also tested in real Chromium
// (test/browser/dataset-cache.test.ts); this file covers the bookkeeping quickly.
import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import { xxHash32 } from 'js-xxhash';
import { afterEach, describe, expect, it } from 'vitest';
import { openDB } from 'idb';
import { DatasetCache, type CacheWarning } from '../../src/cache/dataset-cache.js';
import { chooseEvictions, type DatasetManifest } from '../../src/cache/cache-manifest.js';

let dbCounter = 0;
const opened: DatasetCache[] = [];

async function openCache(budgetBytes?: number) {
  const warnings: CacheWarning[] = [];
  const cache = await DatasetCache.open({ name: `test-cache-${++dbCounter}`, budgetBytes }, (w) => warnings.push(w));
  opened.push(cache);
  return { cache, warnings };
}

function bytes(n: number, seed: number): ArrayBuffer {
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i++) a[i] = (i * 31 + seed) & 255;
  return a.buffer;
}

const schema = [{ name: 'clientId', type: 'Utf8' }];

afterEach(() => {
  for (const c of opened.splice(0)) c.close();
});

describe('DatasetCache', () => {
  it('round-trips chunks with a manifest whose digests match an independent XXH32 (seeds 0 and 1)', async () => {
    const { cache } = await openCache();
    const chunks = [bytes(1000, 1), bytes(500, 2)];
    const hex8 = (x: number) => x.toString(16).padStart(8, '0');
    const expected = chunks.map((c) => `xxh32x2:${hex8(xxHash32(new Uint8Array(c), 0))}${hex8(xxHash32(new Uint8Array(c), 1))}`);
    const put = await cache.put({ id: 'd1', version: 'v1', schema, chunkRows: [10, 5], chunks });
    expect(put.stored).toBe('indexeddb');
    expect(put.manifest.chunks.map((c) => c.digest)).toEqual(expected);
    expect(put.manifest.rows).toBe(15);
    expect(put.manifest.bytes).toBe(1500);

    const got = await cache.get('d1', 'v1');
    expect(got).toBeDefined();
    expect(got!.chunks.map((c) => Buffer.from(c).equals(Buffer.from(bytes(c.byteLength, c.byteLength === 1000 ? 1 : 2))))).toEqual([true, true]);
  });

  it('returns the newest version when no version is asked for, and lists every entry', async () => {
    const { cache } = await openCache();
    await cache.put({ id: 'd', version: 'old', schema, chunkRows: [1], chunks: [bytes(10, 1)] });
    await new Promise((r) => setTimeout(r, 5));
    await cache.put({ id: 'd', version: 'new', schema, chunkRows: [1], chunks: [bytes(10, 2)] });
    expect((await cache.get('d'))!.manifest.version).toBe('new');
    expect((await cache.list()).map((m) => m.version).sort()).toEqual(['new', 'old']);
    expect(await cache.get('other')).toBeUndefined();
  });

  it('discards an entry whose chunk was altered, and says so', async () => {
    const { cache, warnings } = await openCache();
    await cache.put({ id: 'd', version: 'v', schema, chunkRows: [1, 1], chunks: [bytes(100, 1), bytes(100, 2)] });
    const raw = await openDB(cache.name);
    const chunk = new Uint8Array(await ((await raw.get('chunks', ['d@v', 1])) as Blob).arrayBuffer());
    chunk[50] ^= 0xff;
    await raw.put('chunks', new Blob([chunk]), ['d@v', 1]);
    raw.close();

    expect(await cache.open('d', 'v'), 'sizes still match: open cannot tell').toBeDefined();
    expect(await cache.get('d', 'v')).toBeUndefined();
    expect(warnings.map((w) => w.code)).toContain('corrupt');
    expect(warnings.find((w) => w.code === 'corrupt')!.message).toContain('chunk 2 fails its checksum');
    expect(await cache.list()).toEqual([]);
  });

  it('serves an entry written before chunk digests were XXH32 (SHA-256 per chunk, named sha256), and still catches damage in one', async () => {
    const { cache, warnings } = await openCache();
    const chunks = [bytes(300, 1), bytes(200, 2)];
    const sha = chunks.map((c) => createHash('sha256').update(new Uint8Array(c)).digest('hex'));
    const checksum = createHash('sha256').update(sha.join('\n')).digest('hex');
    const raw = await openDB(cache.name);
    for (const [version, damaged] of [['v', false], ['w', true]] as const) {
      const key = `old@${version}`;
      // The record as the earlier writer left it, field names included.
      await raw.put('manifests', { key, id: 'old', version, schema, rows: 2, bytes: 500, chunks: chunks.map((c, i) => ({ rows: 1, bytes: c.byteLength, sha256: sha[i] })), checksum, created: Date.now(), lastAccess: Date.now() });
      for (let i = 0; i < 2; i++) {
        const b = new Uint8Array(chunks[i]).slice();
        if (damaged && i === 1) b[7] ^= 4;
        await raw.put('chunks', new Blob([b]), [key, i]);
      }
    }
    raw.close();
    const got = await cache.get('old', 'v');
    expect(got?.manifest.chunks.map((c) => c.digest)).toEqual(sha);
    expect(got!.chunks.map((c) => new Uint8Array(c))).toEqual(chunks.map((c) => new Uint8Array(c)));
    expect((await cache.list()).find((m) => m.version === 'v')!.chunks[0].digest).toBe(sha[0]);
    expect(await cache.get('old', 'w')).toBeUndefined();
    expect(warnings.find((w) => w.code === 'corrupt')?.message).toContain('chunk 2 fails its checksum');
  });

  it('discards an entry with a missing or truncated chunk (a half-written entry)', async () => {
    const { cache, warnings } = await openCache();
    await cache.put({ id: 'a', version: 'v', schema, chunkRows: [1, 1], chunks: [bytes(100, 1), bytes(100, 2)] });
    await cache.put({ id: 'b', version: 'v', schema, chunkRows: [1], chunks: [bytes(100, 3)] });
    const raw = await openDB(cache.name);
    await raw.delete('chunks', ['a@v', 1]);
    await raw.put('chunks', bytes(60, 3), ['b@v', 0]);
    raw.close();
    expect(await cache.get('a', 'v')).toBeUndefined();
    expect(await cache.get('b', 'v')).toBeUndefined();
    const messages = warnings.filter((w) => w.code === 'corrupt').map((w) => w.message).join('\n');
    expect(messages).toContain('chunk 2 of 2 is missing');
    expect(messages).toContain('chunk 1 has 60 bytes, 100 expected');
  });

  it('evicts the least recently used entries to stay within its budget', async () => {
    const { cache, warnings } = await openCache(250);
    await cache.put({ id: 'a', version: '1', schema, chunkRows: [1], chunks: [bytes(100, 1)] });
    await new Promise((r) => setTimeout(r, 5));
    await cache.put({ id: 'b', version: '1', schema, chunkRows: [1], chunks: [bytes(100, 2)] });
    await new Promise((r) => setTimeout(r, 5));
    await cache.get('a'); // a is now more recently used than b
    await new Promise((r) => setTimeout(r, 5));
    await cache.put({ id: 'c', version: '1', schema, chunkRows: [1], chunks: [bytes(100, 3)] });
    expect((await cache.list()).map((m) => m.id).sort()).toEqual(['a', 'c']);
    expect(warnings.filter((w) => w.code === 'evicted').map((w) => w.key)).toEqual(['b@1']);
  });

  it('does not cache an entry larger than the whole budget, and warns', async () => {
    const { cache, warnings } = await openCache(50);
    const r = await cache.put({ id: 'big', version: '1', schema, chunkRows: [1], chunks: [bytes(100, 1)] });
    expect(r.stored).toBe('none');
    expect(warnings[0].code).toBe('too-large');
    expect(await cache.get('big')).toBeUndefined();
  });

  it('evicts and clears on request', async () => {
    const { cache } = await openCache();
    await cache.put({ id: 'a', version: '1', schema, chunkRows: [1], chunks: [bytes(10, 1)] });
    await cache.put({ id: 'a', version: '2', schema, chunkRows: [1], chunks: [bytes(10, 1)] });
    await cache.put({ id: 'b', version: '1', schema, chunkRows: [1], chunks: [bytes(10, 1)] });
    expect(await cache.evict('a')).toBe(2);
    expect((await cache.list()).map((m) => m.key)).toEqual(['b@1']);
    await cache.clear();
    expect(await cache.list()).toEqual([]);
    const raw = await openDB(cache.name);
    expect(await raw.count('chunks')).toBe(0);
    raw.close();
  });

  it('keeps working in memory when told not to persist', async () => {
    const warnings: CacheWarning[] = [];
    const cache = await DatasetCache.open({ storage: 'memory' }, (w) => warnings.push(w));
    expect(cache.backend).toBe('memory');
    const r = await cache.put({ id: 'm', version: '1', schema, chunkRows: [2], chunks: [bytes(10, 4)] });
    expect(r.stored).toBe('memory');
    const got = await cache.get('m');
    expect(new Uint8Array(got!.chunks[0])[3]).toBe((3 * 31 + 4) & 255);
  });

  it('validates what it is given, naming the field', async () => {
    const { cache } = await openCache();
    await expect(cache.put({ id: '', version: '1', schema, chunkRows: [1], chunks: [bytes(1, 1)] })).rejects.toThrow(/id must be/);
    await expect(cache.put({ id: 'x', version: '1', schema, chunkRows: [1, 2], chunks: [bytes(1, 1)] })).rejects.toThrow(/chunkRows has 2 entries for 1 chunks/);
    await expect(DatasetCache.open({ budgetBytes: -5 })).rejects.toThrow(/budgetBytes/);
  });
});

describe('chooseEvictions', () => {
  const m = (key: string, bytes: number, lastAccess: number): DatasetManifest =>
    ({ key, id: key, version: '1', schema: [], rows: 0, bytes, chunks: [], checksum: '', created: lastAccess, lastAccess }) as DatasetManifest;

  it('picks least recently used entries until the newcomer fits', () => {
    const existing = [m('a', 100, 3), m('b', 100, 1), m('c', 100, 2)];
    expect(chooseEvictions(existing, 150, 300)!.map((v) => v.key)).toEqual(['b', 'c']);
    expect(chooseEvictions(existing, 0, 300)).toEqual([]);
    expect(chooseEvictions(existing, 301, 300)).toBeNull();
  });

  it('does not count the entry being replaced', () => {
    expect(chooseEvictions([m('a', 200, 1), m('b', 50, 2)], 200, 260, 'a')).toEqual([]);
  });
});
