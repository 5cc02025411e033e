// Row numbers under a page filter: kernels that report rows (the churn at-risk list, the whale
// curve's top clients, RFM's quintile boundaries) must give each row's global number in the
// dataset, not its position among the rows that passed the filter. The churn-watch list scores
// a client's row with the churn model, so a wrong number would explain another client.
import { describe, expect, it } from 'vitest';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { runKernelSplit } from '../../workers/kernels/run-local.js';
import { churnRulesKernel, type ChurnRulesResult } from '../../workers/kernels/churn-rules.js';
import { whaleCurveKernel, type WhaleCurveResult } from '../../workers/kernels/whale-curve.js';
import { rfmKernel, type RfmResult } from '../../workers/kernels/rfm.js';

const tables = generatePortfolio({ rows: 80_000, seed: 4 });
const idAt = (row: number): string => {
  let r = row;
  for (const t of tables) {
    if (r < t.numRows) return t.getChild('clientId')!.get(r) as string;
    r -= t.numRows;
  }
  throw new RangeError(`row ${row} is past the end`);
};
const filter = { all: [{ column: 'segment', op: 'eq', value: 'Premier' }] };

describe('row numbers under a page filter', () => {
  for (const parts of [1, 3]) {
    it(`churn-rules at-risk rows hold the listed clients (${parts} part(s))`, async () => {
      const r = await runKernelSplit<ChurnRulesResult>(churnRulesKernel, tables, { asOf: '2026-06-30', limit: 200, filter }, parts);
      expect(r.atRisk.clients.length).toBeGreaterThan(50);
      for (const c of r.atRisk.clients) expect(idAt(c.row), `row ${c.row}`).toBe(c.clientId);
      // Some listed row must lie past the first Premier rows, or the check could pass on packed numbers by luck.
      expect(Math.max(...r.atRisk.clients.map((c) => c.row))).toBeGreaterThan(r.atRisk.clients.length);
    });

    it(`whale-curve top rows hold the listed clients (${parts} part(s))`, async () => {
      const r = await runKernelSplit<WhaleCurveResult>(whaleCurveKernel, tables, { topN: 20, filter }, parts);
      expect(r.top.length).toBe(20);
      for (const c of r.top) expect(idAt(c.row)).toBe(c.clientId);
    });
  }

  it('RFM boundary rows are rows of the filtered clients', async () => {
    const r = await runKernelSplit<RfmResult>(rfmKernel, tables, { asOf: '2026-06-30', filter }, 2);
    const rows = Object.values(r.boundaries ?? {}).flat().map((b) => (b as { row: number }).row);
    expect(rows.length).toBeGreaterThan(0);
    const premier = new Set<number>();
    let offset = 0;
    for (const t of tables) {
      const seg = t.getChild('segment')!;
      for (let i = 0; i < t.numRows; i++) if (seg.get(i) === 'Premier') premier.add(offset + i);
      offset += t.numRows;
    }
    for (const row of rows) expect(premier.has(row), `row ${row}`).toBe(true);
  });
});
