import { expect } from 'chai';
import { openDB } from 'idb';
import { DataHub, DataLoadError } from '../../src/dataset/data-hub.js';
import { chunkCount, generatePortfolioChunk } from '../../src/generate/portfolio.js';

const cacheName = () => `hub-test-${Date.now()}-${Math.random().toString(36).slice(2)}`;

/** Sums computed here, on the main thread, straight from the generator: no pool, no cache. */
function expectedSums(rows: number) {
  let count = 0;
  let aum = 0;
  let products = 0;
  let productsCount = 0;
  for (let c = 0; c < chunkCount(rows); c++) {
    const t = generatePortfolioChunk({ rows }, c);
    count += t.numRows;
    const a = t.getChild('aum')!;
    const p = t.getChild('productsHeld')!;
    for (let i = 0; i < t.numRows; i++) {
      aum += a.get(i) ?? 0;
      const v = p.get(i);
      if (v !== null) {
        products += v;
        productsCount++;
      }
    }
  }
  return { count, aum, products, productsCount };
}

function close(a: number, b: number, rel = 1e-9): boolean {
  return Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));
}

describe('DataHub: generate -> IndexedDB -> workers, in real Chromium', () => {
  it('round-trips a 1M-client portfolio through IndexedDB into the workers intact', async () => {
    const name = cacheName();
    const rows = 1_000_000;
    const expected = expectedSums(rows);

    const first = await DataHub.create({ cache: { name }, workers: 2 });
    const d1 = await first.load({ kind: 'generate', options: { rows } });
    expect(d1.origin).to.equal('generated');
    expect(d1.cached).to.equal('indexeddb');
    expect(d1.rows).to.equal(rows);
    await first.dispose();

    const second = await DataHub.create({ cache: { name }, workers: 2 });
    const d2 = await second.load({ kind: 'generate', options: { rows } });
    expect(d2.origin).to.equal('cache');
    expect(d2.steps.map((s) => s.step)).to.deep.equal(['cache-read', 'distribute']);
    expect(d2.steps[0].detail?.hit).to.equal(true);
    expect(d2.partitions.map((p) => p.rows).reduce((a, b) => a + b)).to.equal(rows);

    const got = await d2.summarise(['aum', 'productsHeld']);
    expect(got.rows).to.equal(expected.count);
    expect(got.sums.aum.count).to.equal(expected.count);
    expect(close(got.sums.aum.sum, expected.aum), `${got.sums.aum.sum} vs ${expected.aum}`).to.equal(true);
    expect(got.sums.productsHeld.sum).to.equal(expected.products);
    expect(got.sums.productsHeld.count).to.equal(expected.productsCount);

    // A worker lost after loading reloads its partition from the cache before its next job.
    second.pool.terminateWorker(0, 'test');
    const again = await d2.summarise(['productsHeld']);
    expect(again.sums.productsHeld.sum).to.equal(expected.products);
    await second.dispose();
  });

  it('never uses a damaged cache entry: workers catch the bad checksum, the data is rebuilt', async () => {
    const name = cacheName();
    const rows = 150_000;
    const first = await DataHub.create({ cache: { name }, workers: 2 });
    await first.load({ kind: 'generate', options: { rows } });
    await first.dispose();

    const raw = await openDB(name);
    const key = (await raw.getAllKeys('chunks'))[1];
    const bytes = new Uint8Array(await ((await raw.get('chunks', key)) as Blob).arrayBuffer());
    bytes[Math.floor(bytes.length / 2)] ^= 0x40;
    await raw.put('chunks', new Blob([bytes]), key);
    raw.close();

    const second = await DataHub.create({ cache: { name }, workers: 2 });
    const warnings: string[] = [];
    second.onCacheWarning((w) => warnings.push(`${w.code}: ${w.message}`));
    const d = await second.load({ kind: 'generate', options: { rows } });
    expect(d.origin).to.equal('generated');
    expect(warnings.join('\n')).to.contain('corrupt').and.contain('chunk 2 fails its checksum');
    const expected = expectedSums(rows);
    expect((await d.summarise(['productsHeld'])).sums.productsHeld.sum).to.equal(expected.products);
    await second.dispose();
  });

  it('shares one load between callers asking for the same portfolio', async () => {
    const hub = await DataHub.create({ cache: { name: cacheName() }, workers: 2 });
    const [a, b] = await Promise.all([hub.load({ kind: 'generate', options: { rows: 5000 } }), hub.load({ kind: 'generate', options: { rows: 5000 } })]);
    expect(a).to.equal(b);
    await a.release();
    expect(a.isDisposed, 'still used by b').to.equal(false);
    await b.release();
    expect(a.isDisposed).to.equal(true);
    await hub.dispose();
  });

  it('cancels a load, and the hub keeps working afterwards', async () => {
    const hub = await DataHub.create({ cache: { name: cacheName() }, workers: 2 });
    const controller = new AbortController();
    const pending = hub.load({ kind: 'generate', options: { rows: 2_000_000 } }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    let error: Error | undefined;
    try {
      await pending;
    } catch (err) {
      error = err as Error;
    }
    expect(error?.name).to.equal('AbortError');
    const small = await hub.load({ kind: 'generate', options: { rows: 1000 } });
    expect(small.rows).to.equal(1000);
    await hub.dispose();
  });

  it('ingests a CSV in a worker, reports dirty rows, and serves the clean ones', async () => {
    const hub = await DataHub.create({ cache: { name: cacheName() }, workers: 2 });
    const csv = ['CustomerId;Surname;Balance;Products', '1;王伟;1000,50;2', '2;Smith;abc;1', '3;"Li; Na";250;3', ''].join('\n');
    const bytes = new TextEncoder().encode(csv).buffer as ArrayBuffer;
    const d = await hub.load({ kind: 'bytes', name: 'clients.csv', bytes, ingest: { mapping: { clientId: 'CustomerId', name: 'Surname', aum: 'Balance', productsHeld: 'Products' }, decimal: ',' } });
    expect(d.origin).to.equal('ingested');
    expect(d.report!.rowsRead).to.equal(3);
    expect(d.report!.dirtyRows).to.equal(1);
    const bad = d.report!.issues.find((i) => i.code === 'unparseable-number')!;
    expect(bad.column).to.equal('Balance');
    expect(bad.rows).to.deep.equal([2]);
    const sums = await d.summarise(['aum', 'productsHeld']);
    expect(sums.rows).to.equal(2);
    expect(sums.sums.aum.sum).to.equal(1250.5);
    expect(sums.sums.productsHeld.sum).to.equal(5);
    await hub.dispose();
  });

  it('refuses a file without a client id with an error naming what is missing', async () => {
    const hub = await DataHub.create({ cache: { name: cacheName() }, workers: 1 });
    const bytes = new TextEncoder().encode('age,balance\n30,100\n').buffer as ArrayBuffer;
    let error: DataLoadError | undefined;
    try {
      await hub.load({ kind: 'bytes', name: 'no-id.csv', bytes });
    } catch (err) {
      error = err as DataLoadError;
    }
    expect(error).to.be.instanceOf(DataLoadError);
    expect(error!.message).to.contain('clientId');
    await hub.dispose();
  });

  it('reports a failed fetch with the URL and status', async () => {
    const hub = await DataHub.create({ cache: { name: cacheName() }, workers: 1 });
    let error: Error | undefined;
    try {
      await hub.load({ kind: 'url', url: '/no/such/file.csv' });
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).to.contain('/no/such/file.csv').and.contain('404');
    await hub.dispose();
  });
});
