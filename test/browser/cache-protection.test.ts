import { expect } from 'chai';
import { openDB } from 'idb';
import { DatasetCache } from '../../src/cache/dataset-cache.js';
import { DataHub } from '../../src/dataset/data-hub.js';
import { generatePortfolioChunk } from '../../src/generate/portfolio.js';

const unique = (p: string) => `${p}-${Date.now()}-${Math.random().toString(36).slice(2)}`;

/** Every byte IndexedDB holds for a database, as one string per record (lossy UTF-8 is fine for search). */
async function rawRecords(name: string): Promise<string[]> {
  const db = await openDB(name);
  const out: string[] = [];
  for (const store of db.objectStoreNames) {
    for (const value of await db.getAll(store)) {
      if (value instanceof Blob) out.push(new TextDecoder().decode(await value.arrayBuffer()));
      else out.push(JSON.stringify(value, (_k, v) => (v instanceof ArrayBuffer ? new TextDecoder().decode(v) : v)));
    }
  }
  db.close();
  return out;
}

describe('protecting cached client data', () => {
  it('encrypts cached datasets: the raw IndexedDB records hold no client name or id, and the data still loads', async () => {
    const name = unique('enc');
    const rows = 20_000;
    const table = generatePortfolioChunk({ rows }, 0);
    const names = [0, 17, 999, 12345].map((i) => String(table.getChild('name')!.get(i)));
    const ids = [0, 17, 999, 12345].map((i) => String(table.getChild('clientId')!.get(i)));

    const hub = await DataHub.create({ workers: 2, cache: { name, encrypt: true } });
    const first = await hub.load({ kind: 'generate', options: { rows } });
    expect(first.cached).to.equal('indexeddb');
    await hub.dispose();

    const raw = (await rawRecords(name)).join('\n');
    expect(raw.length).to.be.greaterThan(rows * 10);
    for (const s of [...names, ...ids]) expect(raw.includes(s), `found "${s}" at rest`).to.equal(false);

    // Control: without encryption the same search does find them, so the search itself works.
    const plainName = unique('plain');
    const plainHub = await DataHub.create({ workers: 1, cache: { name: plainName } });
    await plainHub.load({ kind: 'generate', options: { rows } });
    await plainHub.dispose();
    expect((await rawRecords(plainName)).join('\n').includes(ids[1])).to.equal(true);

    const again = await DataHub.create({ workers: 2, cache: { name, encrypt: true } });
    const d = await again.load({ kind: 'generate', options: { rows } });
    expect(d.origin).to.equal('cache');
    expect((await d.summarise(['productsHeld'])).rows).to.equal(rows);
    await again.dispose();
  });

  it('the key cannot be read out of the page', async () => {
    const name = unique('key');
    const cache = await DatasetCache.open({ name, encrypt: true });
    await cache.put({ id: 'x', version: '1', schema: [], chunkRows: [1], chunks: [new Uint8Array([1, 2, 3]).buffer] });
    cache.close();
    const db = await openDB(name);
    const [record] = await db.getAll('keys');
    db.close();
    expect(record.key).to.be.instanceOf(CryptoKey);
    expect(record.key.extractable).to.equal(false);
    let refused = false;
    try {
      await crypto.subtle.exportKey('raw', record.key);
    } catch {
      refused = true;
    }
    expect(refused).to.equal(true);
  });

  it('drops entries older than the time-to-live', async () => {
    const name = unique('ttl');
    const warnings: string[] = [];
    const cache = await DatasetCache.open({ name, ttlMs: 100 }, (w) => warnings.push(w.code));
    await cache.put({ id: 'x', version: '1', schema: [], chunkRows: [1], chunks: [new Uint8Array([1]).buffer] });
    expect(await cache.get('x', '1')).to.not.equal(undefined);
    await new Promise((r) => setTimeout(r, 150));
    expect(await cache.get('x', '1')).to.equal(undefined);
    expect(warnings).to.include('expired');
    expect(await cache.list()).to.deep.equal([]);
    cache.close();
  });

  it('destroy removes every trace: entries, key and the database', async () => {
    const name = unique('destroy');
    const cache = await DatasetCache.open({ name, encrypt: true });
    await cache.put({ id: 'x', version: '1', schema: [], chunkRows: [1], chunks: [new Uint8Array([9]).buffer] });
    await cache.destroy();
    const names = (await indexedDB.databases()).map((d) => d.name);
    expect(names).to.not.include(name);
  });

  it('two connections writing the same dataset at once leave one whole copy', async () => {
    const name = unique('tabs');
    const a = await DatasetCache.open({ name });
    const b = await DatasetCache.open({ name });
    const chunk = () => crypto.getRandomValues(new Uint8Array(65_536)).buffer;
    const chunksA = [chunk(), chunk(), chunk()];
    const chunksB = [chunk(), chunk(), chunk()];
    await Promise.all([
      a.put({ id: 'same', version: '1', schema: [], chunkRows: [1, 1, 1], chunks: chunksA }),
      b.put({ id: 'same', version: '1', schema: [], chunkRows: [1, 1, 1], chunks: chunksB }),
    ]);
    const list = await a.list();
    expect(list.length).to.equal(1);
    const got = await a.get('same', '1');
    expect(got, 'a whole, verified entry').to.not.equal(undefined);
    const firsts = got!.chunks.map((c) => new Uint8Array(c)[0]);
    const fromA = chunksA.map((c) => new Uint8Array(c)[0]);
    const fromB = chunksB.map((c) => new Uint8Array(c)[0]);
    expect([JSON.stringify(fromA), JSON.stringify(fromB)], 'not a mix of both writers').to.include(JSON.stringify(firsts));
    a.close();
    b.close();
  });
});
