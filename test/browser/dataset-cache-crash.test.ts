/**
 * A first visit stopped while it streams a generated book into the cache (the tab closed, the
 * renderer gone): chunk records are on disk, the manifest is not. Nothing of it may be served, its
 * records must be swept by the next write, and the next load must regenerate the same data.
 */
import { expect } from 'chai';
import { openDB } from 'idb';
import { DataHub } from '../../src/dataset/data-hub.js';
import { chunkCount, generatePortfolioChunk } from '../../src/generate/portfolio.js';
import { generatedIdentity } from '../../src/dataset/data-source.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Per-column sums straight from the generator, on this thread: no pool, no cache. */
function expectedSums(rows: number) {
  let aum = 0;
  let products = 0;
  for (let c = 0; c < chunkCount(rows); c++) {
    const t = generatePortfolioChunk({ rows }, c);
    const a = t.getChild('aum')!;
    const p = t.getChild('productsHeld')!;
    for (let i = 0; i < t.numRows; i++) {
      aum += a.get(i) ?? 0;
      products += p.get(i) ?? 0;
    }
  }
  return { aum, products };
}

async function counts(name: string, key: string) {
  const db = await openDB(name);
  const range = IDBKeyRange.bound([key, 0], [key, Infinity]);
  const out = { manifests: await db.count('manifests'), chunks: await db.count('chunks', range) };
  db.close();
  return out;
}

describe('DatasetCache: a write cut short by a closed page', () => {
  it('leaves no usable entry; the orphaned chunks are swept and the next load regenerates the same data', async () => {
    const name = `crash-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const rows = 1_000_000;
    const total = chunkCount(rows);
    const { id, version } = generatedIdentity({ rows });
    const key = `${id}@${version}`;
    let finished = false;
    let backend: string | undefined;
    const onMessage = (e: MessageEvent) => {
      finished ||= e.data?.done === true;
      backend ??= e.data?.backend;
    };
    addEventListener('message', onMessage);

    const frame = document.createElement('iframe');
    frame.src = `/test/browser/fixtures/generate-into-cache.html?name=${encodeURIComponent(name)}&rows=${rows}`;
    document.body.append(frame);
    // Opening the database from here before the page has created it would create it at an older
    // version and hold up the page's upgrade: wait until the page's cache is open.
    for (let i = 0; i < 1200 && !backend; i++) await sleep(25);
    expect(backend).to.equal('indexeddb');
    let written = 0;
    for (let i = 0; i < 1200 && written === 0; i++) {
      await sleep(25);
      written = (await counts(name, key).catch(() => ({ chunks: 0 }))).chunks;
    }
    frame.remove();
    removeEventListener('message', onMessage);
    expect(finished, 'the page was removed before it finished').to.equal(false);

    const cut = await counts(name, key);
    expect(cut.manifests, 'no manifest: nothing to serve').to.equal(0);
    expect(cut.chunks).to.be.greaterThan(0).and.lessThan(total);

    // The closed page's lock goes when its document does; wait for that, as a next visit would.
    for (let i = 0; i < 200 && (await navigator.locks.query()).held?.some((l) => l.name?.endsWith(key)); i++) await sleep(25);

    const hub = await DataHub.create({ cache: { name }, workers: 2 });
    const small = await hub.load({ kind: 'generate', options: { rows: 5000 } });
    expect(small.cached).to.equal('indexeddb');
    expect((await counts(name, key)).chunks, 'swept by the next write').to.equal(0);

    const d = await hub.load({ kind: 'generate', options: { rows } });
    expect(d.origin).to.equal('generated');
    expect(d.steps.find((s) => s.step === 'cache-read')?.detail?.hit).to.equal(false);
    expect(d.cached).to.equal('indexeddb');
    const expected = expectedSums(rows);
    const got = await d.summarise(['aum', 'productsHeld']);
    expect(got.rows).to.equal(rows);
    expect(got.sums.productsHeld.sum).to.equal(expected.products);
    expect(Math.abs(got.sums.aum.sum - expected.aum) <= 1e-9 * Math.abs(expected.aum)).to.equal(true);
    await hub.dispose();

    expect(await counts(name, key)).to.deep.equal({ manifests: 2, chunks: total });
    const again = await DataHub.create({ cache: { name }, workers: 2 });
    const cached = await again.load({ kind: 'generate', options: { rows } });
    expect(cached.origin).to.equal('cache');
    expect((await cached.summarise(['productsHeld'])).sums.productsHeld.sum).to.equal(expected.products);
    await again.dispose();
  });
});
