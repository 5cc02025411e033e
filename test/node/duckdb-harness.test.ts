import { describe, expect, it } from 'vitest';
import { tableFromArrays } from 'apache-arrow';
import { openDuckDB } from './support/duckdb.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';

describe('DuckDB reference harness', () => {
  it('reads generated chunks with nulls, categories and dates as SQL values', async () => {
    const db = await openDuckDB();
    const chunks = generatePortfolio({ rows: 70_000 });
    db.load('clients', chunks);
    const [r] = db.query(`SELECT count(*) AS n, count(npsScore) AS nps, sum(aum) AS aum, max(lastTxnDate) AS last, count(DISTINCT tier) AS tiers FROM clients`);
    let aum = 0;
    let nps = 0;
    let last = -Infinity;
    for (const t of chunks) {
      const a = t.getChild('aum')!;
      const n = t.getChild('npsScore')!;
      const d = t.getChild('lastTxnDate')!;
      for (let i = 0; i < t.numRows; i++) {
        aum += a.get(i) ?? 0;
        if (n.get(i) !== null) nps++;
        const day = d.data[0].values[i] as number;
        if (d.get(i) !== null && day > last) last = day;
      }
    }
    expect(r.n).toBe(70_000);
    expect(r.nps).toBe(nps);
    expect(Math.abs((r.aum as number) - aum) / aum).toBeLessThan(1e-9);
    expect(r.last).toBe(last);
    expect(r.tiers).toBeGreaterThan(1);
    db.load('tiny', [tableFromArrays({ x: new Float64Array([1, 2]) })]);
    expect(db.query('SELECT sum(x) AS s FROM tiny')[0].s).toBe(3);
    await db.close();
  });
});
