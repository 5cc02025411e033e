/**
 * A blocked version upgrade, in real Chromium IndexedDB: another frame (standing in for an old tab)
 * holds the cache database open at version 1 and ignores `versionchange`, so the cache's upgrade
 * to version 2 is blocked for as long as that frame lives. The cache must not hang: it waits a
 * bounded time, falls back to memory with a warning naming the cause, and the data shown is whole.
 */
import { expect } from 'chai';
import { DatasetCache, type CacheWarning } from '../../src/cache/dataset-cache.js';
import { DataHub } from '../../src/dataset/data-hub.js';
import { chunkCount, generatePortfolioChunk } from '../../src/generate/portfolio.js';

const uniqueName = () => `blocked-upgrade-${Date.now()}-${Math.random().toString(36).slice(2)}`;

/** An old tab: a same-origin frame whose connection stays open at version 1 and never yields. */
async function holdOldVersion(name: string): Promise<{ frame: HTMLIFrameElement; db: IDBDatabase }> {
  const frame = document.createElement('iframe');
  document.body.append(frame);
  const idb = frame.contentWindow!.indexedDB;
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = idb.open(name, 1);
    req.onupgradeneeded = () => req.result.createObjectStore('manifests', { keyPath: 'key' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  // What an old build without a `versionchange` handler does: nothing.
  db.onversionchange = null;
  return { frame, db };
}

/** Resolves with the value, or rejects naming what hung. */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} hung for over ${ms} ms`)), ms))]);
}

function expectedSums(rows: number) {
  let aum = 0;
  let products = 0;
  for (let c = 0; c < chunkCount(rows); c++) {
    const t = generatePortfolioChunk({ rows }, c);
    const a = t.getChild('aum')!, p = t.getChild('productsHeld')!;
    for (let i = 0; i < t.numRows; i++) {
      aum += a.get(i) ?? 0;
      products += p.get(i) ?? 0;
    }
  }
  return { aum, products };
}

describe('DatasetCache: a version upgrade blocked by another tab', () => {
  it('gives up after blockedWaitMs, keeps data in memory and says why', async () => {
    const name = uniqueName();
    const old = await holdOldVersion(name);
    try {
      const warnings: CacheWarning[] = [];
      const t0 = performance.now();
      const cache = await within(10_000, 'DatasetCache.open', DatasetCache.open({ name, blockedWaitMs: 300 }, (w) => warnings.push(w)));
      const waited = performance.now() - t0;
      console.log(`blocked upgrade: gave up after ${Math.round(waited)} ms (budget 300 ms)`);
      expect(waited).to.be.below(5000);
      expect(cache.backend).to.equal('memory');
      const blocked = warnings.find((w) => w.code === 'blocked');
      expect(blocked, JSON.stringify(warnings)).to.not.equal(undefined);
      expect(blocked!.message).to.contain('older version').and.contain('memory').and.contain(name);

      // Whole data, from memory.
      const chunks = [new Uint8Array([1, 2, 3]).buffer, new Uint8Array([4, 5]).buffer];
      const put = await within(5000, 'put', cache.put({ id: 'd', version: '1', schema: [{ name: 'clientId', type: 'Utf8' }], chunkRows: [3, 2], chunks }));
      expect(put.stored).to.equal('memory');
      const got = await within(5000, 'get', cache.get('d', '1'));
      expect(got!.chunks.map((c) => [...new Uint8Array(c)])).to.deep.equal([[1, 2, 3], [4, 5]]);
      cache.close();
    } finally {
      old.db.close();
      old.frame.remove();
    }
  });

  it('leaves nothing holding the database: once the old tab closes, the next page caches on disk', async () => {
    const name = uniqueName();
    const old = await holdOldVersion(name);
    const first = await within(10_000, 'DatasetCache.open', DatasetCache.open({ name, blockedWaitMs: 200 }));
    expect(first.backend).to.equal('memory');
    old.db.close();
    old.frame.remove();
    // The abandoned upgrade now completes and its connection is closed at once; a later open
    // (which would be blocked by a leftover connection at version 2 only on a further upgrade)
    // gets a working database.
    const warnings: CacheWarning[] = [];
    const second = await within(10_000, 'second open', DatasetCache.open({ name, blockedWaitMs: 200 }, (w) => warnings.push(w)));
    expect(second.backend, JSON.stringify(warnings)).to.equal('indexeddb');
    const put = await second.put({ id: 'd', version: '1', schema: [{ name: 'clientId', type: 'Utf8' }], chunkRows: [1], chunks: [new Uint8Array([7]).buffer] });
    expect(put.stored).to.equal('indexeddb');
    second.close();
    first.close();
    // Deleting the database is blocked by any open connection; it must go through.
    await within(10_000, 'deleteDatabase', new Promise<void>((resolve, reject) => {
      const req = indexedDB.deleteDatabase(name);
      req.onsuccess = () => resolve();
      req.onerror = () => reject(req.error);
    }));
  });

  it('a DataHub with the default wait loads the whole portfolio from memory', async () => {
    const name = uniqueName();
    const rows = 20_000;
    const old = await holdOldVersion(name);
    try {
      const t0 = performance.now();
      const hub = await within(15_000, 'DataHub.create', DataHub.create({ cache: { name }, workers: 2 }));
      console.log(`blocked upgrade: DataHub ready after ${Math.round(performance.now() - t0)} ms with the default wait`);
      expect(hub.startupWarnings.map((w) => w.code)).to.include('blocked');
      const d = await within(30_000, 'load', hub.load({ kind: 'generate', options: { rows } }));
      expect(d.rows).to.equal(rows);
      expect(d.cached).to.equal('memory');
      const got = await d.summarise(['aum', 'productsHeld']);
      const want = expectedSums(rows);
      expect(got.rows).to.equal(rows);
      expect(got.sums.productsHeld.sum).to.equal(want.products);
      expect(Math.abs(got.sums.aum.sum - want.aum)).to.be.below(1e-6 * want.aum);
      await hub.dispose();
    } finally {
      old.db.close();
      old.frame.remove();
    }
  });
});
