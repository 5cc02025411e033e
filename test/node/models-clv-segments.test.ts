// Model CLV by segment, as the profitability panel shows it: the two worker jobs (per-partition
// summaries, one fit) against an independent path on the same generated book (the whole
// transaction log summarised at once, each client's segment looked up by id, the same models
// fitted, CLV averaged per segment by hand); and a clear refusal for data without a log.
import { describe, expect, it } from 'vitest';
import { tableFromArrays } from 'apache-arrow';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { generateTransactions } from '../../src/generate/transactions.js';
import { clvFitGroupsJob, clvSummariesJob } from '../../workers/jobs/clv-jobs.js';
import { summariseTransactions, transactionLogFromTables } from '../../workers/models/rfm-summary.js';
import { fitBgNbd, probabilityAlive } from '../../workers/models/bgnbd.js';
import { customerLifetimeValue, fitGammaGamma } from '../../workers/models/gamma-gamma.js';
import type { JobContext } from '../../workers/job-host.js';
import type { DatasetStore } from '../../workers/dataset-store.js';

const ROWS = 140_000; // two generator chunks, so the split over "workers" is real
const tables = generatePortfolio({ rows: ROWS, seed: 9 });
const chunkRows = tables[0].numRows;
const storeOf = (ts: typeof tables) => ({ chunks: () => ts.map((table, index) => ({ table, index, rowOffset: index * chunkRows })) }) as unknown as DatasetStore;
const ctx = { progress() {}, checkpoint: async () => {}, transfer: <T>(x: T) => x } as unknown as JobContext;

describe('model CLV by segment', () => {
  it('equals an independent fit of the whole log, segment by segment', async () => {
    // Two "workers", as the pool splits rows: chunks [0] and [1..].
    expect(tables.length).toBe(2);
    const parts = [await clvSummariesJob(storeOf(tables.slice(0, 1)))({ datasetId: 'd', by: 'segment' }, ctx)];
    if (tables.length > 1) {
      const rest = { chunks: () => tables.slice(1).map((table, i) => ({ table, index: i + 1, rowOffset: (i + 1) * chunkRows })) } as unknown as DatasetStore;
      parts.push(await clvSummariesJob(rest)({ datasetId: 'd', by: 'segment' }, ctx));
    }
    const labels = [...new Set(parts.flatMap((p) => p.labels))];
    const cat = (f: (p: (typeof parts)[number]) => ArrayLike<number>) => Float64Array.from(parts.flatMap((p) => Array.from(f(p))));
    const group = Int32Array.from(parts.flatMap((p) => Array.from(p.group, (g) => (g < 0 ? -1 : labels.indexOf(p.labels[g])))));
    const got = await clvFitGroupsJob()({ x: cat((p) => p.x), tx: cat((p) => p.tx), T: cat((p) => p.T), monetary: cat((p) => p.monetary), group, labels }, ctx);

    // Independent: the whole log at once.
    const logs = tables.map((_, k) => generateTransactions({ rows: ROWS, seed: 9 }, k));
    const log = transactionLogFromTables(logs, { customer: 'clientId', date: 'date', value: 'amount' });
    const asOfDay = Math.round(Date.parse('2026-06-30T00:00:00Z') / 86_400_000);
    const s = summariseTransactions(log, { calibrationEnd: asOfDay, periodDays: 7 });
    const segmentOf = new Map<string, string>();
    for (const t of tables) for (let i = 0; i < t.numRows; i++) segmentOf.set(t.getChild('clientId')!.get(i), t.getChild('segment')!.get(i));
    const bg = fitBgNbd(s);
    const gg = fitGammaGamma(s);
    expect(got.bgnbd.params.r).toBeCloseTo(bg.params.r, 6);
    expect(got.bgnbd.logLik).toBeCloseTo(bg.logLik, 4);
    expect(got.gammaGamma.params.q).toBeCloseTo(gg.params.q, 6);
    const sums = new Map<string, { n: number; clv: number; alive: number }>();
    for (let j = 0; j < s.n; j++) {
      const seg = segmentOf.get(String(log.ids![s.customer[j]]))!;
      const c = customerLifetimeValue(bg.params, gg.params, { x: s.x[j], tx: s.tx[j], T: s.T[j], monetary: s.monetary[j] }, { fallbackValue: gg.observedMeanValue });
      const e = sums.get(seg) ?? { n: 0, clv: 0, alive: 0 };
      e.n++;
      e.clv += c;
      e.alive += probabilityAlive(bg.params, s.x[j], s.tx[j], s.T[j]);
      sums.set(seg, e);
    }
    expect(got.groups.map((g) => g.label)).toEqual([...sums.keys()].sort());
    for (const g of got.groups) {
      const e = sums.get(g.label)!;
      expect(g.clients, g.label).toBe(e.n);
      expect(g.meanClv / (e.clv / e.n)).toBeCloseTo(1, 6);
      expect(g.meanPAlive).toBeCloseTo(e.alive / e.n, 6);
    }
    expect(got.clients + parts.reduce((n, p) => n + p.withoutTransactions, 0)).toBe(ROWS);
  });

  it('says that data without a transaction log cannot have a model CLV', async () => {
    const plain = tableFromArrays({ clientId: ['a', 'b'], segment: ['x', 'y'] });
    const store = { chunks: () => [{ table: plain, index: 0, rowOffset: 0 }] } as unknown as DatasetStore;
    await expect(clvSummariesJob(store)({ datasetId: 'd', by: 'segment' }, ctx)).rejects.toThrow(/needs the clients' transaction log/);
  });
});
