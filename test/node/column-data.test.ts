import { describe, expect, it } from 'vitest';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { columnData } from '../../workers/kernels/column-data.js';
import { filterRows } from '../../workers/kernels/filtered-rows.js';

describe('columnData', () => {
  const [table] = generatePortfolio({ rows: 3_000, seed: 11 });
  const batch = table.batches[0];
  const names = batch.schema.fields.map((f) => f.name);

  it('gives the data getChild gives, for every column of a batch and of a slice of it', () => {
    const slice = batch.slice(100, 900);
    for (const b of [batch, slice]) {
      const same = names.filter((n) => columnData(b, n) === b.getChild(n)!.data[0]);
      expect(same).toEqual(names);
    }
  });

  it('reads the filtered views through getChild', () => {
    const [view] = filterRows([{ batch, rowOffset: 0 }], { all: [{ column: 'region', op: 'eq', value: String(batch.getChild('region')!.get(0)) }] });
    const region = columnData(view.batch, 'region');
    expect(region.length).toBe(view.batch.numRows);
    expect(region.length).toBeLessThan(batch.numRows);
  });

  it('names the missing column and the ones there are', () => {
    expect(() => columnData(batch, 'nope')).toThrow(/Column "nope" is not in this batch \(columns: clientId/);
  });
});
