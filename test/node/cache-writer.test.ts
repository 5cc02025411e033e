// CacheWriter (entries written chunk by chunk, manifest last) over fake-indexeddb.
import 'fake-indexeddb/auto';
import { xxHash32 } from 'js-xxhash';
import { afterEach, describe, expect, it } from 'vitest';
import { openDB } from 'idb';
import { DatasetCache, type CacheWarning } from '../../src/cache/dataset-cache.js';

let counter = 0;
const opened: DatasetCache[] = [];

async function openCache() {
  const warnings: CacheWarning[] = [];
  const cache = await DatasetCache.open({ name: `writer-test-${++counter}` }, (w) => warnings.push(w));
  opened.push(cache);
  return { cache, warnings };
}

const hex8 = (x: number) => x.toString(16).padStart(8, '0');

function chunk(index: number, n: number) {
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i++) a[i] = (i * 13 + index * 101) & 255;
  return { index, rows: n / 10, bytes: n, digest: `xxh32x2:${hex8(xxHash32(a, 0))}${hex8(xxHash32(a, 1))}`, data: a.buffer };
}

const schema = [{ name: 'clientId', type: 'Utf8' }];

async function records(name: string): Promise<{ manifests: number; chunks: number }> {
  const raw = await openDB(name);
  const out = { manifests: await raw.count('manifests'), chunks: await raw.count('chunks') };
  raw.close();
  return out;
}

afterEach(() => {
  for (const c of opened.splice(0)) c.close();
});

describe('CacheWriter', () => {
  it('shows nothing until the manifest is committed, then the whole entry', async () => {
    const { cache } = await openCache();
    const w = await cache.beginWrite('d', 'v');
    await w.write(chunk(1, 200));
    await w.write(chunk(0, 100));
    expect(await records(cache.name)).toEqual({ manifests: 0, chunks: 2 });
    expect(await cache.get('d', 'v')).toBeUndefined();
    const put = await w.commit({ schema, chunkCount: 2 });
    expect(put.stored).toBe('indexeddb');
    expect(put.manifest.chunks.map((c) => c.bytes)).toEqual([100, 200]);
    const got = await cache.get('d', 'v');
    expect(got!.chunks.map((c) => Buffer.from(c).equals(Buffer.from(chunk(got!.chunks.indexOf(c), c.byteLength).data)))).toEqual([true, true]);
  });

  it('abort leaves no records, and a replaced entry is gone from the start of its rewrite', async () => {
    const { cache } = await openCache();
    await cache.put({ id: 'd', version: 'v', schema, chunkRows: [1], chunks: [chunk(0, 50).data] });
    const w = await cache.beginWrite('d', 'v');
    expect(await cache.get('d', 'v'), 'no old manifest beside new chunks').toBeUndefined();
    await w.write(chunk(0, 100));
    await w.abort();
    expect(await records(cache.name)).toEqual({ manifests: 0, chunks: 0 });
    await w.write(chunk(1, 100));
    expect(await records(cache.name), 'writes after abort are ignored').toEqual({ manifests: 0, chunks: 0 });
  });

  it('does not commit when a chunk record vanished meanwhile, and says so', async () => {
    const { cache, warnings } = await openCache();
    const w = await cache.beginWrite('d', 'v');
    await w.write(chunk(0, 100));
    await w.write(chunk(1, 100));
    const raw = await openDB(cache.name);
    await raw.delete('chunks', ['d@v', 1]);
    raw.close();
    const put = await w.commit({ schema, chunkCount: 2 });
    expect(put.stored).toBe('none');
    expect(warnings.map((w) => w.message).join('\n')).toContain('disappeared while it was written');
    expect(await records(cache.name)).toEqual({ manifests: 0, chunks: 0 });
    expect(await cache.get('d', 'v')).toBeUndefined();
  });

  it('refuses to commit with a chunk never written, naming it', async () => {
    const { cache } = await openCache();
    const w = await cache.beginWrite('d', 'v');
    await w.write(chunk(0, 10));
    await w.write(chunk(2, 10));
    await expect(w.commit({ schema, chunkCount: 3 })).rejects.toThrow(/missing 1/);
    expect(await cache.list()).toEqual([]);
  });

  it('adopts records a worker wrote itself', async () => {
    const { cache } = await openCache();
    const w = await cache.beginWrite('d', 'v');
    const c = chunk(0, 300);
    const raw = await openDB(cache.name);
    await raw.put('chunks', new Blob([c.data]), ['d@v', 0]);
    raw.close();
    await w.adopt({ index: 0, rows: c.rows, bytes: c.bytes, digest: c.digest });
    expect((await w.commit({ schema, chunkCount: 1 })).stored).toBe('indexeddb');
    expect(new Uint8Array((await cache.get('d', 'v'))!.chunks[0])).toEqual(new Uint8Array(c.data));
  });

  it('moves to memory on a storage error: what was on disk is read back and removed', async () => {
    const { cache, warnings } = await openCache();
    const w = await cache.beginWrite('d', 'v');
    await w.write(chunk(0, 100));
    await w.fail({ name: 'QuotaExceededError', message: 'over quota' });
    expect(w.backend).toBe('memory');
    await w.write(chunk(1, 100));
    expect(await records(cache.name)).toEqual({ manifests: 0, chunks: 0 });
    expect((await w.commit({ schema, chunkCount: 2 })).stored).toBe('memory');
    expect(warnings.find((x) => x.code === 'quota')!.message).toContain('stays in memory');
    const got = await cache.get('d', 'v');
    expect(got!.chunks.map((c) => new Uint8Array(c))).toEqual([new Uint8Array(chunk(0, 100).data), new Uint8Array(chunk(1, 100).data)]);
  });

  it('validates what it is given, naming the field', async () => {
    const { cache } = await openCache();
    const w = await cache.beginWrite('d', 'v');
    await expect(w.write({ ...chunk(0, 10), digest: 'nope' })).rejects.toThrow(/digest of chunk 0 must be "xxh32x2:" followed by 16 lowercase hex digits .*; got "nope"/);
    await expect(w.write({ ...chunk(0, 10), index: -1 })).rejects.toThrow(/index must be/);
    await w.write(chunk(0, 10));
    await expect(w.write(chunk(0, 10))).rejects.toThrow(/already written/);
    await w.abort();
    await expect(cache.beginWrite('', 'v')).rejects.toThrow(/id must be a non-empty string/);
  });
});
