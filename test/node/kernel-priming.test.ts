// Priming (workers/jobs/kernel-priming.ts): before a worker first runs a query shape over its rows it
// runs the same stage over a few rows and drops the answer. The priming run must change nothing the
// real run computes (kernels keep scratch between queries: the whale curve's and RFM's histograms).
import { describe, expect, it } from 'vitest';
import { DatasetStore } from '../../workers/dataset-store.js';
import type { JobContext } from '../../workers/job-host.js';
import { kernelJob } from '../../workers/jobs/kernel-job.js';
import { PRIME_CONTEXT, PRIME_ROWS, primeKey, primeOnce, primedKeys, primingRows } from '../../workers/jobs/kernel-priming.js';
import { filterRows, splitFilter } from '../../workers/kernels/filtered-rows.js';
import { getKernel } from '../../workers/kernels/index.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';

const ctx: JobContext = { signal: new AbortController().signal, progress: () => {}, checkpoint: async () => {}, transfer: (v) => v };

describe('priming rows', () => {
  it('are the first PRIME_ROWS rows of the first two batches, with their row numbers', () => {
    const tables = generatePortfolio({ rows: 200_000, seed: 5 });
    const store = new DatasetStore();
    let offset = 0;
    tables.forEach((table, index) => {
      store.put('ds', { index, rowOffset: offset, table });
      offset += table.numRows;
    });
    const rows = store.rows('ds');
    expect(rows.length).toBeGreaterThan(2);
    const few = primingRows(rows);
    expect(few).toHaveLength(2);
    few.forEach(({ batch, rowOffset }, b) => {
      expect(rowOffset).toBe(rows[b].rowOffset);
      expect(batch.numRows).toBe(PRIME_ROWS);
      // Fresh batches (nothing cached per batch survives them), same values.
      expect(batch).not.toBe(rows[b].batch);
      for (const name of ['clientId', 'aum', 'segment', 'churned']) {
        const got = batch.getChild(name)!.toArray();
        expect(Array.from(got), name).toEqual(Array.from(rows[b].batch.getChild(name)!.toArray()).slice(0, PRIME_ROWS));
      }
    });
  });
});

describe('primeOnce', () => {
  it('runs once per key, ignores a failure and skips a worker without rows', async () => {
    const rows = [{ batch: generatePortfolio({ rows: 100, seed: 1 })[0].batches[0], rowOffset: 0 }];
    let runs = 0;
    const fail = async () => {
      runs++;
      throw new Error('bad spec');
    };
    await expect(primeOnce('test|a', rows, fail)).resolves.toBeUndefined();
    await primeOnce('test|a', rows, fail);
    expect(runs).toBe(1);
    await primeOnce('test|b', [], fail);
    expect(runs).toBe(1);
    expect(primedKeys().has('test|a')).toBe(true);
  });

  it('keys a native-filter spec without its filter, and tells filtered from unfiltered', () => {
    const region = (value: string) => ({ by: { column: 'segment' }, filter: { all: [{ column: 'region', op: 'eq', value }] } });
    expect(primeKey('segment-rollup', 'first', region('华北'), false)).toBe(primeKey('segment-rollup', 'first', region('华南'), false));
    expect(primeKey('segment-rollup', 'first', region('华北'), false)).not.toBe(primeKey('segment-rollup', 'first', { by: { column: 'segment' } }, false));
    expect(primeKey('kpis', 'first', {}, true)).not.toBe(primeKey('kpis', 'first', {}, false));
  });
});

describe('a kernel job after its priming run', () => {
  const tables = generatePortfolio({ rows: 150_000, seed: 21 });
  const store = new DatasetStore();
  let offset = 0;
  tables.forEach((table, index) => {
    store.put('ds', { index, rowOffset: offset, table });
    offset += table.numRows;
  });
  const schema = store.schema('ds');
  const filter = { all: [{ column: 'region', op: 'eq', value: '华南' }] };
  const queries: [string, Record<string, unknown>][] = [
    ['whale-curve', { points: 20 }],
    ['rfm', {}],
    ['segment-rollup', { by: { column: 'segment' }, measures: [{ column: 'aum', agg: 'median' }, { column: 'revenue', agg: 'sum' }] }],
    ['churn-rules', { by: 'segment', asOf: '2026-06-30' }],
    ['kpis', {}],
  ];

  // The expected partial is computed first, straight from the kernel on the same rows: a priming
  // run that left a kept histogram dirty, or a cached view of its few rows behind, changes the job's.
  it.each(queries)('%s gives the partial the kernel gives without one, filtered or not', async (name, base) => {
    for (const spec of [base, { ...base, filter }]) {
      const kernel = getKernel(name);
      const split = splitFilter(kernel, spec, schema);
      const valid = kernel.validate(split.spec, schema);
      const selected = filterRows(store.rows('ds'), split.filter);
      const expected = kernel.prepare
        ? { stage: 'prepare', partial: await kernel.prepare.map(selected, valid, PRIME_CONTEXT) }
        : { stage: 'map', partial: await kernel.map(selected, valid, undefined, PRIME_CONTEXT) };
      const key = primeKey(name, 'first', split.spec, split.filter !== undefined);
      expect(primedKeys().has(key)).toBe(false);
      const got = await kernelJob(store)({ datasetId: 'ds', kernel: name, spec, stage: 'first' }, ctx);
      expect(primedKeys().has(key)).toBe(true);
      expect(got, `${name} ${JSON.stringify(spec)}`).toEqual(expected);
    }
  });
});

describe('a kernel with a shape of its own', () => {
  const table = generatePortfolio({ rows: 20_000, seed: 8 })[0];
  const store = new DatasetStore();
  store.put('ds', { index: 0, rowOffset: 0, table });
  const ids = table.getChild('clientId')!;
  const page = (from: number) => Array.from({ length: 30 }, (_, i) => ids.get(from + 97 * i) as string);

  it('is primed once for pages of different clients, again for other columns, and still finds each page', async () => {
    const lookup = (clientIds: string[], columns: string[]) => kernelJob(store)({ datasetId: 'ds', kernel: 'client-lookup', spec: { clientIds, columns }, stage: 'first' }, ctx) as Promise<{ partial: { counts: number[] } }>;
    const before = primedKeys().size;
    const first = await lookup(page(0), ['aum']);
    expect(primedKeys().size).toBe(before + 1);
    const second = await lookup(page(5_000), ['aum']);
    expect(primedKeys().size, 'a new page of ids is the same shape').toBe(before + 1);
    await lookup(page(9_000), ['aum', 'segment']);
    expect(primedKeys().size, 'other columns are another shape').toBe(before + 2);
    for (const r of [first, second]) expect(r.partial.counts).toEqual(new Array(30).fill(1));
  });
});
