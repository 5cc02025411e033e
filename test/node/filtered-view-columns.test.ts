// The columns of a filtered view, read back value by value against the stored rows the filter
// keeps, found here by reading the filter's column directly. Batches are sliced at odd offsets so
// that validity and boolean bits start mid-byte, and the filters keep every share of the rows from
// a few to nearly all, so the bit gathers end on every position within a byte.
import { describe, expect, it } from 'vitest';
import { makeVector, type RecordBatch } from 'apache-arrow';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { filterRows, setFilteredViewCache } from '../../workers/kernels/filtered-rows.js';
import type { FilterSpec } from '../../workers/kernels/filter.js';

const table = generatePortfolio({ rows: 20_000, seed: 11 })[0];
// Offsets 0, 3 and 13: bits of a slice start mid-byte.
const batches = [[0, 6_001], [6_004, 7_000], [13_017, 20_000]].map(([from, to]) => table.slice(from, to).batches[0] as RecordBatch);
const COLUMNS = ['aum', 'npsScore', 'churned', 'riskLevel', 'assetOutflow3m', 'lastTxnDate', 'clientId', 'tier'];

const filters: [string, FilterSpec, (row: (c: string) => unknown) => boolean][] = [
  ['tier = mass', { all: [{ column: 'tier', op: 'eq', value: 'mass' }] }, (r) => r('tier') === 'mass'],
  ['tier <> mass', { all: [{ column: 'tier', op: 'ne', value: 'mass' }] }, (r) => r('tier') !== 'mass'],
  ['aum > 1', { all: [{ column: 'aum', op: 'gt', value: 1 }] }, (r) => (r('aum') as number | null) !== null && (r('aum') as number) > 1],
  ['npsScore known', { all: [{ column: 'npsScore', op: 'notNull' }] }, (r) => r('npsScore') !== null],
  ['clientType = corporate', { all: [{ column: 'clientType', op: 'eq', value: 'corporate' }] }, (r) => r('clientType') === 'corporate'],
];

describe('filtered view columns', () => {
  for (const [name, filter, keep] of filters) {
    it(`hold the kept rows' values, nulls and booleans (${name})`, () => {
      setFilteredViewCache(false);
      try {
        const views = filterRows(batches.map((batch, b) => ({ batch, rowOffset: b * 10_000 })), filter);
        let kept = 0;
        for (const [b, batch] of batches.entries()) {
          const expected: number[] = [];
          for (let i = 0; i < batch.numRows; i++) if (keep((c) => batch.getChild(c)!.get(i))) expected.push(i);
          kept += expected.length;
          const view = views[b].batch;
          expect(view.numRows, `batch ${b}`).toBe(expected.length);
          for (const column of COLUMNS) {
            const got = makeVector(view.getChild(column)!.data[0]);
            const source = batch.getChild(column)!;
            const want = expected.map((i) => source.get(i));
            expect([...got], `${column}, batch ${b}`).toEqual(want);
            expect(got.nullCount, `${column} nulls, batch ${b}`).toBe(want.filter((v) => v === null).length);
          }
        }
        expect(kept).toBeGreaterThan(0);
        expect(kept).toBeLessThan(table.numRows);
      } finally {
        setFilteredViewCache(true);
      }
    });
  }
});
