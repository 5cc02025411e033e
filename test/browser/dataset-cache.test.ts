import { expect } from 'chai';
import { executeServerCommand } from '@web/test-runner-commands';
import { openDB } from 'idb';
import { DatasetCache, type CacheWarning } from '../../src/cache/dataset-cache.js';

const schema = [{ name: 'clientId', type: 'Utf8' }];
let counter = 0;
const uniqueName = () => `browser-cache-${Date.now()}-${++counter}`;

/** Incompressible bytes: Chromium compresses IndexedDB values, so a pattern would not fill a quota. */
function noise(n: number): ArrayBuffer {
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(a.subarray(i, Math.min(n, i + 65536)));
  return a.buffer;
}

function pattern(n: number, seed: number): ArrayBuffer {
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i++) a[i] = (i * 7 + seed) & 255;
  return a.buffer;
}

async function open(name = uniqueName(), budgetBytes?: number) {
  const warnings: CacheWarning[] = [];
  const cache = await DatasetCache.open({ name, budgetBytes }, (w) => warnings.push(w));
  return { cache, warnings, name };
}

describe('DatasetCache in real Chromium IndexedDB', () => {
  it('stores and returns a large multi-chunk entry intact', async () => {
    const { cache } = await open();
    const chunks = Array.from({ length: 6 }, (_, i) => pattern(8 * 1024 * 1024, i));
    const put = await cache.put({ id: 'big', version: '1', schema, chunkRows: chunks.map(() => 1000), chunks });
    expect(put.stored).to.equal('indexeddb');
    cache.close();

    const again = await open(cache.name);
    const got = await again.cache.get('big', '1');
    expect(got!.chunks.length).to.equal(6);
    for (let i = 0; i < 6; i++) {
      const a = new Uint8Array(got!.chunks[i]);
      expect(a.length).to.equal(8 * 1024 * 1024);
      expect([a[0], a[12345], a[a.length - 1]]).to.deep.equal([(0 + i) & 255, (12345 * 7 + i) & 255, ((a.length - 1) * 7 + i) & 255]);
    }
    again.cache.close();
  });

  it('discards a corrupted entry and never returns it', async () => {
    const { cache, warnings } = await open();
    await cache.put({ id: 'c', version: '1', schema, chunkRows: [1], chunks: [pattern(4096, 9)] });
    const raw = await openDB(cache.name);
    const stored = new Uint8Array(await ((await raw.get('chunks', ['c@1', 0])) as Blob).arrayBuffer());
    stored[100] ^= 1;
    await raw.put('chunks', new Blob([stored]), ['c@1', 0]);
    raw.close();
    expect(await cache.get('c', '1')).to.equal(undefined);
    expect(warnings.some((w) => w.code === 'corrupt')).to.equal(true);
    const check = await openDB(cache.name);
    expect(await check.count('chunks')).to.equal(0);
    expect(await check.count('manifests')).to.equal(0);
    check.close();
    cache.close();
  });

  it('falls back to memory when the quota is exceeded, leaving nothing partial on disk', async () => {
    // A real quota enforced by Chromium (DevTools protocol), not a mocked error. Chromium applies it
    // only to an origin that has not used storage yet, so the probe runs on 127.0.0.1, in its own
    // top-level window (a frame's storage would be partitioned under this page's site).
    const origin = `http://127.0.0.1:${location.port}`;
    await executeServerCommand('set-storage-quota', { origin, bytes: 2 * 1024 * 1024 });
    const result = new Promise<any>((resolve) => addEventListener('message', (e) => e.origin === origin && resolve(e.data), { once: false }));
    const probe = window.open(`${origin}/test/browser/fixtures/quota-probe.html`, 'quota-probe');
    expect(probe, 'the probe window opened').to.not.equal(null);
    try {
      const r = await result;
      expect(r.error).to.equal(undefined);
      expect(r.stored).to.equal('memory');
      const quota = r.warnings.find((w: CacheWarning) => w.code === 'quota');
      expect(quota, JSON.stringify(r.warnings)).to.not.equal(undefined);
      expect(quota.message).to.contain('Storage quota exceeded').and.contain('"q"');
      expect(r.gotHead).to.deep.equal(r.head);
      expect(r.onDisk, 'no partial chunks on disk').to.equal(0);
    } finally {
      probe?.close();
      await executeServerCommand('set-storage-quota', { origin, bytes: null });
    }
  });

  it('keeps working in memory when IndexedDB is missing (private mode, sandboxed frame)', async () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'indexedDB')!;
    Object.defineProperty(globalThis, 'indexedDB', { value: undefined, configurable: true });
    try {
      const { cache, warnings } = await open();
      expect(cache.backend).to.equal('memory');
      expect(warnings[0].code).to.equal('unavailable');
      await cache.put({ id: 'm', version: '1', schema, chunkRows: [1], chunks: [pattern(64, 1)] });
      expect((await cache.get('m'))!.chunks[0].byteLength).to.equal(64);
    } finally {
      Object.defineProperty(globalThis, 'indexedDB', saved);
    }
  });

  it('keeps working in memory when IndexedDB refuses to open', async () => {
    const original = indexedDB.open;
    indexedDB.open = () => {
      throw new DOMException('The user denied permission to access the database.', 'SecurityError');
    };
    try {
      const { cache, warnings } = await open();
      expect(cache.backend).to.equal('memory');
      expect(warnings[0].message).to.contain('SecurityError');
    } finally {
      indexedDB.open = original;
    }
  });

  it('survives its database being deleted under the open page', async () => {
    const { cache, name } = await open();
    await cache.put({ id: 'd', version: '1', schema, chunkRows: [1], chunks: [pattern(64, 1)] });
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.deleteDatabase(name);
      req.onsuccess = () => resolve();
      req.onerror = () => reject(req.error);
    });
    expect(await cache.get('d', '1')).to.equal(undefined);
    const put = await cache.put({ id: 'd', version: '2', schema, chunkRows: [1], chunks: [pattern(64, 2)] });
    expect(put.stored).to.equal('indexeddb');
    expect((await cache.get('d'))!.manifest.version).to.equal('2');
    cache.close();
  });
});
