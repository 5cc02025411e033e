// Answers kept with a cached dataset for the next visit (src/query/answer-book.ts), in real
// Chromium with real IndexedDB, workers and elements: a returning visit draws the last visit's
// answers from the cache, recomputes them behind, and a kept answer that is wrong is replaced on
// screen by the recomputed one.
import { expect } from 'chai';
import { openDB } from 'idb';
import '../../src/index.js';
import { DataHub, type Dataset } from '../../src/index.js';
import type { RollupResult } from '../../workers/kernels/segment-rollup.js';
import { until } from './support/until.js';

const name = `kept-answers-${Date.now()}-${Math.random().toString(36).slice(2)}`;
const source = { kind: 'generate', options: { rows: 200_000 } } as const;

interface Stored {
  query: string;
  at: number;
  value: unknown;
}

async function storedAnswers(): Promise<Stored[]> {
  const db = await openDB(name);
  try {
    return db.objectStoreNames.contains('answers') ? await db.getAll('answers') : [];
  } finally {
    db.close();
  }
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const t0 = performance.now();
  while (!(await check())) {
    if (performance.now() - t0 > 30_000) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

type Segments = HTMLElement & { hub?: DataHub; by: string; value?: RollupResult };
type ChurnWatch = HTMLElement & { hub?: DataHub; model: string; total?: number };

/** One visit: a hub on the shared cache, an element on the dataset (a tier chart unless told); `fn` sees both. */
async function visit<T, E extends HTMLElement = Segments>(fn: (dataset: Dataset, chart: E) => Promise<T>, tag = 'cl-segments', props: object = { by: 'tier' }): Promise<T> {
  const hub = await DataHub.create({ cache: { name }, workers: 2 });
  const dataset = await hub.load(source);
  const chart = Object.assign(document.createElement(tag), { hub, ...props }) as unknown as E;
  try {
    const result = fn(dataset, chart);
    document.body.append(chart);
    hub.setCurrent(dataset);
    return await result;
  } finally {
    chart.remove();
    await dataset.release();
    await hub.dispose();
  }
}

/**
 * The distinct values `read` gives after each of `element`'s updates, in order, from now on
 * (undefined ones left out). Hooks Lit's `updated` on this one instance.
 */
function rendered<T>(element: HTMLElement, read: () => T | undefined): T[] {
  const seen: T[] = [];
  const host = element as unknown as { updated(changed: Map<PropertyKey, unknown>): void };
  const own = host.updated.bind(host);
  host.updated = (changed) => {
    own(changed);
    const value = read();
    if (value !== undefined && seen.at(-1) !== value) seen.push(value);
  };
  return seen;
}

const rollupOf = (stored: Stored[]) => stored.find((s) => s.query.includes('|segment-rollup|'));

describe('answers kept with a cached dataset', () => {
  let computed: RollupResult;

  it('a first visit computes its answers and keeps them with the cache entry', async () => {
    computed = await visit(async (dataset, chart) => {
      expect(dataset.origin).to.equal('generated');
      expect(dataset.answers?.size).to.equal(0);
      await until(() => chart.value !== undefined, 'the chart\'s answer');
      await eventually(async () => rollupOf(await storedAnswers()) !== undefined, 'the answer in IndexedDB');
      return chart.value!;
    });
    expect(rollupOf(await storedAnswers())!.value).to.deep.equal(computed);
  });

  it('a returning visit draws the kept answer, recomputes it and keeps the recomputed one', async () => {
    const before = rollupOf(await storedAnswers())!;
    await visit(async (dataset, chart) => {
      expect(dataset.origin).to.equal('cache');
      const kept = dataset.answers!.size;
      expect(kept).to.be.greaterThan(0);
      await until(() => chart.value !== undefined, 'the chart\'s answer');
      expect(dataset.answers!.size, 'answers left unserved').to.equal(kept - 1);
      expect(chart.value).to.deep.equal(computed);
      // Its recomputation is written back, later than the first visit's.
      await eventually(async () => rollupOf(await storedAnswers())!.at > before.at, 'the recomputed answer in IndexedDB');
      expect(rollupOf(await storedAnswers())!.value).to.deep.equal(computed);
    });
  });

  it('a kept answer that is wrong shows only until its recomputation replaces it', async () => {
    // Stands in for an answer a code change made wrong (the tests run unbundled, so the code id
    // that keeps another build's answers out is the same here).
    const db = await openDB(name);
    const tx = db.transaction('answers', 'readwrite');
    const records = (await tx.store.getAll()) as Stored[];
    const record = rollupOf(records)!;
    const wrong = structuredClone(record.value) as { groups: { count: number }[] };
    wrong.groups[0].count += 12_345;
    const keys = await tx.store.getAllKeys();
    await tx.store.put({ ...record, value: wrong }, keys[records.indexOf(record)]);
    await tx.done;
    db.close();

    const seen = await visit(async (_dataset, chart) => {
      // Every update's first group count, recorded as the element renders it (polling could miss
      // the kept answer on a fast machine, where its recomputation lands within one poll).
      const counts = rendered(chart, () => chart.value?.groups[0].count);
      await until(() => counts.at(-1) === computed.groups[0].count, 'the recomputed answer on screen');
      expect(chart.value).to.deep.equal(computed);
      return counts;
    });
    expect(seen).to.deep.equal([computed.groups[0].count + 12_345, computed.groups[0].count]);
  });

  it('the churn list fetches its first page again when the kept page turns out different', async () => {
    const churn = { model: 'off' };
    const isFirstPage = (s: Stored) => s.query.includes('|churn-rules|') && s.query.includes('"offset":0');
    // This visit keeps the list's first page.
    const total = await visit<number, ChurnWatch>(async (_d, list) => {
      await until(() => list.total !== undefined, 'the list\'s first page');
      await eventually(async () => (await storedAnswers()).some(isFirstPage), 'the first page in IndexedDB');
      return list.total!;
    }, 'cl-churn-watch', churn);
    const db = await openDB(name);
    const tx = db.transaction('answers', 'readwrite');
    const records = (await tx.store.getAll()) as Stored[];
    const record = records.find(isFirstPage)!;
    const wrong = structuredClone(record.value) as { atRisk: { total: number } };
    wrong.atRisk.total += 777;
    await tx.store.put({ ...record, value: wrong }, (await tx.store.getAllKeys())[records.indexOf(record)]);
    await tx.done;
    db.close();

    const seen = await visit<number[], ChurnWatch>(async (_d, list) => {
      const totals = rendered(list, () => list.total);
      await until(() => totals.at(-1) === total, 'the refetched first page on screen');
      return totals;
    }, 'cl-churn-watch', churn);
    expect(seen).to.deep.equal([total + 777, total]);
  });

  after(async () => {
    const { DatasetCache } = await import('../../src/cache/dataset-cache.js');
    await (await DatasetCache.open({ name })).destroy();
  });
});
