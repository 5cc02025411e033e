// The worker jobs, run in Node with a DatasetStore and a stand-in JobContext: gather -> train on
// one worker -> score on each partition; CLV and clusters; cancellation through checkpoints.
import { describe, expect, it } from 'vitest';
import { Table } from 'apache-arrow';
import { DatasetStore } from '../../workers/dataset-store.js';
import type { JobContext } from '../../workers/job-host.js';
import { fitClvJob, gatherJob, kmeansJob, planColumns, scoreChurnJob, trainChurnJob } from '../../workers/jobs/model-jobs.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { generateTransactions } from '../../src/generate/transactions.js';
import type { FeatureSpec } from '../../workers/models/features.js';

function context(options: { cancelAfter?: number } = {}) {
  const progress: number[] = [];
  let checkpoints = 0;
  const controller = new AbortController();
  const ctx: JobContext = {
    signal: controller.signal,
    progress: (f) => progress.push(f),
    checkpoint: async () => {
      checkpoints++;
      if (options.cancelAfter !== undefined && checkpoints > options.cancelAfter) controller.abort(new DOMException('Job cancelled', 'AbortError'));
      controller.signal.throwIfAborted();
    },
    transfer: (v) => v,
  };
  return { ctx, progress, count: () => checkpoints };
}

/** Two "workers", each holding half of the chunks, as planPartitions would give them. */
function partitioned(tables: Table[]): DatasetStore[] {
  const stores = [new DatasetStore(), new DatasetStore()];
  let offset = 0;
  tables.forEach((table, index) => {
    stores[index < tables.length / 2 ? 0 : 1].put('ds', { index, rowOffset: offset, table });
    offset += table.numRows;
  });
  return stores;
}

const spec: FeatureSpec = {
  numeric: ['assetOutflow3m', 'lastTxnDate', 'productsHeld', 'txnCount12m', 'npsScore'],
  categorical: ['tier'],
  target: { column: 'churned' },
  asOfDay: Date.UTC(2026, 5, 30) / 86_400_000,
};

describe('model jobs', () => {
  // Its two record batches (65,536 + 14,464 rows) as two chunks, one per "worker".
  const tables = generatePortfolio({ rows: 80_000, seed: 3 }).flatMap((t) => t.batches.map((b) => new Table(b)));
  const stores = partitioned(tables);

  it('gathers the model columns from each partition, trains on one worker, scores every partition', async () => {
    const gathered = [];
    for (const store of stores) gathered.push(await gatherJob(store)({ datasetId: 'ds', columns: planColumns(spec) }, context().ctx));
    expect(gathered.reduce((a, g) => a + g.rows, 0)).toBe(80_000);
    const train = context();
    const model = await trainChurnJob(new DatasetStore())({ chunks: gathered.flatMap((g) => g.chunks), spec, options: { kind: 'logistic', folds: 3 } }, train.ctx);
    expect(model.metrics.auc).toBeGreaterThan(0.7);
    expect(train.count()).toBeGreaterThan(5);
    expect(train.progress[train.progress.length - 1]).toBeGreaterThan(0.9);
    let scored = 0;
    for (const store of stores) {
      const r = await scoreChurnJob(store)({ datasetId: 'ds', model, reasons: 2 }, context().ctx);
      expect(r.rowOffsets[0]).toBe(scored);
      expect(r.probability.length).toBe(r.chunkRows.reduce((a, b) => a + b, 0));
      expect(r.upGroup.length).toBe(2 * r.rows);
      scored += r.rows;
    }
    expect(scored).toBe(80_000);
  });

  it('stops at a checkpoint when the job is cancelled', async () => {
    const { ctx } = context({ cancelAfter: 3 });
    const err = await trainChurnJob(stores[0])({ datasetId: 'ds', spec, options: { kind: 'gbdt', folds: 3 } }, ctx).catch((e) => e);
    expect(err).toBeInstanceOf(DOMException);
    expect((err as DOMException).name).toBe('AbortError');
  });

  it('fits CLV on a transaction log held by the worker', async () => {
    const store = new DatasetStore();
    store.put('tx', { index: 0, rowOffset: 0, table: generateTransactions({ rows: 5000, seed: 2 }, 0) });
    const r = await fitClvJob(store)(
      { datasetId: 'tx', columns: { customer: 'clientId', date: 'date', value: 'amount' }, calibrationEnd: '2026-03-31', horizon: 13, clv: { months: 12, monthlyDiscount: 0.01 } },
      context().ctx,
    );
    expect(r.customers).toBeGreaterThan(4000);
    expect(r.ids[0]).toMatch(/\S/);
    expect(r.bgnbd.params.r).toBeGreaterThan(0);
    expect(r.gammaGamma).not.toBeNull();
    expect(r.clv!.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    expect(r.pAlive.every((v) => v > 0 && v <= 1)).toBe(true);
    await expect(fitClvJob(store)({ datasetId: 'tx', columns: { customer: 'clientId', date: 'date' }, calibrationEnd: '31/03/2026' }, context().ctx)).rejects.toThrow(/day number or a date "YYYY-MM-DD"/);
  });

  it('fits clusters on a partition', async () => {
    const r = await kmeansJob(stores[0])({ datasetId: 'ds', spec: { numeric: ['aum', 'txnCount12m', 'productsHeld'] }, options: { k: 4, seed: 1 } }, context().ctx);
    expect(r.model.profiles).toHaveLength(4);
    expect(r.labels.length).toBe(stores[0].chunks('ds').reduce((a, c) => a + c.table.numRows, 0));
    expect(r.model.silhouette).toBeGreaterThan(0);
    await expect(kmeansJob(stores[0])({ datasetId: 'ds', spec: { numeric: ['aum'] }, options: {} as never }, context().ctx)).rejects.toThrow(/must give k/);
  });
});
