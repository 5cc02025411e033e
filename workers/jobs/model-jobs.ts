/**
 * Model jobs served by the data worker: train and score churn models, fit CLV (BG/NBD +
 * Gamma-Gamma), fit behavioural clusters. Every job checkpoints (yields, can be cancelled,
 * reports progress) between Newton steps, trees, folds, Lloyd passes and chunks.
 *
 * Where the rows come from (v1, documented limitation):
 * - Scoring is partitioned like the kernels: every worker scores the rows it owns
 *   (`score-churn` on each partition; results carry each chunk's global row offset).
 * - Fitting needs all rows in one place. A fitting job reads either `chunks` (Arrow IPC bytes,
 *   moved in) or, when none are given, the rows this worker holds of `datasetId`. The main thread
 *   gathers a dataset for training by running `model-gather` on every partition (each worker sends
 *   back IPC bytes of just the columns the model reads, transferred, not copied) and passing all
 *   the buffers, transferred again, to one worker's fitting job. Distributed fitting (partial
 *   gradients / histograms reduced across workers) is the natural v2: the kernels' map/reduce
 *   shape fits IRLS and histogram GBDT, but is not done here.
 * Arguments are untrusted messages: each job checks their shape and says what is wrong.
 */
import { tableToIPC, type Table } from 'apache-arrow';
import { chunkToTable, ownBuffer } from '../../src/dataset/ipc-chunks.js';
import type { JobContext } from '../job-host.js';
import type { DatasetStore } from '../dataset-store.js';
import { planColumns, type FeatureSpec } from '../models/features.js';
import { scoreChurn, trainChurnModel, type ChurnModel, type ChurnScores, type ChurnTrainOptions } from '../models/churn-model.js';
import { summariseTransactions, transactionLogFromTables, type LogColumns } from '../models/rfm-summary.js';
import { fitBgNbd, probabilityAlive, expectedTransactions, type BgNbdFit } from '../models/bgnbd.js';
import { customerLifetimeValue, expectedAverageValue, fitGammaGamma, type ClvOptions, type GammaGammaFit } from '../models/gamma-gamma.js';
import { fitClusters, type ClusterModel, type KMeansOptions } from '../models/kmeans.js';
import type { FitHooks } from '../models/common.js';
import { explainRow, type RowExplanation } from '../models/explain-row.js';

/** Rows for a fitting job: moved-in IPC chunks, or this worker's partition of a dataset. */
export interface RowSource {
  readonly datasetId?: string;
  readonly chunks?: ArrayBuffer[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function tablesOf(store: DatasetStore, args: RowSource, job: string): Table[] {
  if (args.chunks !== undefined) {
    if (!Array.isArray(args.chunks) || !args.chunks.every((c) => c instanceof ArrayBuffer)) throw new Error(`${job}: "chunks" must be a list of ArrayBuffers (Arrow IPC).`);
    return args.chunks.map((c) => chunkToTable(c));
  }
  if (typeof args.datasetId !== 'string') throw new Error(`${job}: give "datasetId" (rows held by this worker) or "chunks" (rows moved in).`);
  return store.chunks(args.datasetId).map((c) => c.table);
}

function hooksOf(ctx: JobContext): FitHooks {
  return { checkpoint: () => ctx.checkpoint(), progress: (f) => ctx.progress(f) };
}

function checkSpec(spec: unknown, job: string): FeatureSpec {
  if (!isObject(spec)) throw new Error(`${job}: "spec" must be a feature spec object like {"numeric": ["aum"], "target": {"column": "churned"}}.`);
  for (const key of ['numeric', 'categorical'] as const) {
    const v = spec[key];
    if (v !== undefined && !(Array.isArray(v) && v.every((c) => typeof c === 'string'))) throw new Error(`${job}: spec.${key} must be a list of column names.`);
  }
  return spec as FeatureSpec;
}

// ------------------------------------------------------------------------------------------
// model-gather: this worker's rows of a dataset, only the columns a model reads.

export interface GatherArgs {
  readonly datasetId: string;
  readonly columns: string[];
}

export interface GatherResult {
  readonly chunks: ArrayBuffer[];
  readonly rowOffsets: number[];
  readonly rows: number;
}

export function gatherJob(store: DatasetStore) {
  return async (args: GatherArgs, ctx: JobContext): Promise<GatherResult> => {
    if (!isObject(args) || typeof args.datasetId !== 'string') throw new Error('model-gather: "datasetId" must be a string.');
    if (!Array.isArray(args.columns) || args.columns.length === 0 || !args.columns.every((c) => typeof c === 'string')) throw new Error('model-gather: "columns" must be a non-empty list of column names.');
    const chunks: ArrayBuffer[] = [];
    const rowOffsets: number[] = [];
    let rows = 0;
    for (const chunk of store.chunks(args.datasetId)) {
      const missing = args.columns.filter((c) => !chunk.table.schema.fields.some((f) => f.name === c));
      if (missing.length) throw new Error(`model-gather: dataset "${args.datasetId}" has no column ${missing.map((m) => `"${m}"`).join(', ')}.`);
      chunks.push(ownBuffer(tableToIPC(chunk.table.select(args.columns), 'stream')));
      rowOffsets.push(chunk.rowOffset);
      rows += chunk.table.numRows;
      await ctx.checkpoint();
    }
    return ctx.transfer({ chunks, rowOffsets, rows }, chunks);
  };
}

/** The columns to gather for a feature spec (features and target). */
export { planColumns };

// ------------------------------------------------------------------------------------------
// train-churn

export interface TrainChurnArgs extends RowSource {
  readonly spec: FeatureSpec;
  readonly options?: ChurnTrainOptions;
}

export function trainChurnJob(store: DatasetStore) {
  return async (args: TrainChurnArgs, ctx: JobContext): Promise<ChurnModel> => {
    if (!isObject(args)) throw new Error('train-churn: arguments must be an object.');
    const spec = checkSpec(args.spec, 'train-churn');
    const tables = tablesOf(store, args, 'train-churn');
    await ctx.checkpoint();
    return trainChurnModel(tables, spec, args.options ?? {}, hooksOf(ctx));
  };
}

// ------------------------------------------------------------------------------------------
// score-churn: on every partition.

export interface ScoreChurnArgs {
  readonly datasetId: string;
  readonly model: ChurnModel;
  /** Reasons up and down per client; default 3. */
  readonly reasons?: number;
}

export interface ScoreChurnResult extends ChurnScores {
  /** Global row number of the first row of each of this worker's chunks, and their row counts. */
  readonly rowOffsets: number[];
  readonly chunkRows: number[];
}

export function scoreChurnJob(store: DatasetStore) {
  return async (args: ScoreChurnArgs, ctx: JobContext): Promise<ScoreChurnResult> => {
    if (!isObject(args) || typeof args.datasetId !== 'string') throw new Error('score-churn: "datasetId" must be a string.');
    if (!isObject(args.model) || !isObject(args.model.plan) || !isObject(args.model.model)) throw new Error('score-churn: "model" must be a trained churn model (from train-churn or the model store).');
    const chunks = store.chunks(args.datasetId);
    const scores = await scoreChurn(args.model, chunks.map((c) => c.table), { reasons: args.reasons ?? 3 }, hooksOf(ctx));
    const out: ScoreChurnResult = { ...scores, rowOffsets: chunks.map((c) => c.rowOffset), chunkRows: chunks.map((c) => c.table.numRows) };
    return ctx.transfer(out, [
      scores.probability.buffer, scores.upGroup.buffer, scores.upContribution.buffer, scores.downGroup.buffer, scores.downContribution.buffer, scores.upValue.buffer, scores.downValue.buffer,
    ] as ArrayBuffer[]);
  };
}

// ------------------------------------------------------------------------------------------
// explain-rows: on every partition; each worker answers for the requested rows it holds.

/** Most rows one request may explain (a list page or a card, not a whole dataset). */
export const MAX_EXPLAIN_ROWS = 2000;

export interface ExplainRowsArgs {
  readonly datasetId: string;
  readonly model: ChurnModel;
  /** Global row numbers (as the kernels report them, e.g. client-lookup's `row`). */
  readonly rows: number[];
  /** Reasons up and down per client; default 3. */
  readonly top?: number;
  readonly locale?: 'en' | 'zh-CN';
}

export interface ExplainedRow extends RowExplanation {
  readonly row: number;
}

export function explainRowsJob(store: DatasetStore) {
  return async (args: ExplainRowsArgs, ctx: JobContext): Promise<ExplainedRow[]> => {
    if (!isObject(args) || typeof args.datasetId !== 'string') throw new Error('explain-rows: "datasetId" must be a string.');
    if (!isObject(args.model) || !isObject(args.model.plan) || !isObject(args.model.model)) throw new Error('explain-rows: "model" must be a trained churn model (from train-churn or the model store).');
    if (!Array.isArray(args.rows) || args.rows.length > MAX_EXPLAIN_ROWS || !args.rows.every((r) => Number.isInteger(r) && r >= 0)) {
      throw new Error(`explain-rows: "rows" must be a list of at most ${MAX_EXPLAIN_ROWS} global row numbers (whole numbers >= 0).`);
    }
    const locale = args.locale === 'zh-CN' ? 'zh-CN' : 'en';
    const out: ExplainedRow[] = [];
    for (const chunk of store.chunks(args.datasetId)) {
      const end = chunk.rowOffset + chunk.table.numRows;
      for (const row of args.rows) {
        if (row < chunk.rowOffset || row >= end) continue;
        out.push({ row, ...explainRow(args.model, chunk.table, row - chunk.rowOffset, { top: args.top ?? 3, locale }) });
      }
      await ctx.checkpoint();
    }
    return out;
  };
}

// ------------------------------------------------------------------------------------------
// fit-clv

export interface FitClvArgs extends RowSource {
  readonly columns: LogColumns;
  /** Last day of the calibration period: a day number (days since 1970-01-01) or 'YYYY-MM-DD'. */
  readonly calibrationEnd: number | string;
  readonly holdoutEnd?: number | string;
  /** Days per model period; default 7. */
  readonly periodDays?: number;
  /** Horizon of the expected-transactions figure, in periods; default 52. */
  readonly horizon?: number;
  readonly clv?: ClvOptions;
}

export interface FitClvResult {
  readonly bgnbd: BgNbdFit;
  /** null when Gamma-Gamma could not be fitted (then `gammaGammaError` says why and CLV is absent). */
  readonly gammaGamma: GammaGammaFit | null;
  readonly gammaGammaError?: string;
  readonly customers: number;
  readonly ids: (string | number)[];
  readonly x: Float64Array;
  readonly tx: Float64Array;
  readonly T: Float64Array;
  readonly monetary: Float64Array;
  readonly pAlive: Float64Array;
  readonly expected: Float64Array;
  readonly expectedValue: Float64Array | null;
  readonly clv: Float64Array | null;
  readonly horizon: number;
}

function dayOf(v: number | string, name: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const t = Date.parse(`${v}T00:00:00Z`);
    if (!Number.isNaN(t)) return Math.round(t / 86_400_000);
  }
  throw new Error(`fit-clv: "${name}" must be a day number or a date "YYYY-MM-DD"; got ${JSON.stringify(v)}.`);
}

export function fitClvJob(store: DatasetStore) {
  return async (args: FitClvArgs, ctx: JobContext): Promise<FitClvResult> => {
    if (!isObject(args) || !isObject(args.columns)) throw new Error('fit-clv: "columns" must name the customer, date and value columns, e.g. {"customer": "clientId", "date": "date", "value": "amount"}.');
    const calibrationEnd = dayOf(args.calibrationEnd, 'calibrationEnd');
    const holdoutEnd = args.holdoutEnd === undefined ? undefined : dayOf(args.holdoutEnd, 'holdoutEnd');
    const horizon = args.horizon ?? 52;
    if (!(horizon > 0)) throw new Error(`fit-clv: "horizon" must be a positive number of periods; got ${horizon}.`);
    const tables = tablesOf(store, args, 'fit-clv');
    const log = transactionLogFromTables(tables, args.columns);
    await ctx.checkpoint();
    const s = summariseTransactions(log, { calibrationEnd, holdoutEnd, periodDays: args.periodDays });
    ctx.progress(0.2);
    await ctx.checkpoint();
    const bg = fitBgNbd(s);
    ctx.progress(0.5);
    await ctx.checkpoint();
    let gg: GammaGammaFit | null = null;
    let ggError: string | undefined;
    if (log.value) {
      try {
        gg = fitGammaGamma(s);
      } catch (e) {
        ggError = e instanceof Error ? e.message : String(e);
      }
    } else ggError = 'No value column was given, so spend and CLV are not estimated.';
    await ctx.checkpoint();
    const n = s.n;
    const pAlive = new Float64Array(n), expected = new Float64Array(n);
    const expectedValue = gg ? new Float64Array(n) : null, clv = gg ? new Float64Array(n) : null;
    for (let i = 0; i < n; i++) {
      pAlive[i] = probabilityAlive(bg.params, s.x[i], s.tx[i], s.T[i]);
      expected[i] = expectedTransactions(bg.params, horizon, s.x[i], s.tx[i], s.T[i]);
      if (gg) {
        // When q <= 1 the model has no population mean spend: customers without a repeat purchase
        // get the observed mean repeat spend (gg.warnings says so).
        expectedValue![i] = expectedAverageValue(gg.params, s.x[i], s.monetary[i], gg.observedMeanValue);
        clv![i] = customerLifetimeValue(bg.params, gg.params, { x: s.x[i], tx: s.tx[i], T: s.T[i], monetary: s.monetary[i] }, { ...args.clv, fallbackValue: gg.observedMeanValue });
      }
      if ((i & 4095) === 4095) {
        ctx.progress(0.5 + (0.5 * i) / n);
        await ctx.checkpoint();
      }
    }
    const ids = log.ids ? Array.from(s.customer, (c) => log.ids![c]) : Array.from(s.customer);
    const out: FitClvResult = {
      bgnbd: bg, gammaGamma: gg, gammaGammaError: ggError, customers: n, ids,
      x: s.x, tx: s.tx, T: s.T, monetary: s.monetary, pAlive, expected, expectedValue, clv, horizon,
    };
    const buffers = [s.x, s.tx, s.T, s.monetary, pAlive, expected, ...(expectedValue ? [expectedValue, clv!] : [])].map((a) => a.buffer as ArrayBuffer);
    return ctx.transfer(out, buffers);
  };
}

// ------------------------------------------------------------------------------------------
// kmeans

export interface KMeansArgs extends RowSource {
  readonly spec: FeatureSpec;
  readonly options: KMeansOptions;
}

export function kmeansJob(store: DatasetStore) {
  return async (args: KMeansArgs, ctx: JobContext): Promise<{ model: ClusterModel; labels: Int32Array }> => {
    if (!isObject(args)) throw new Error('kmeans: arguments must be an object.');
    const spec = checkSpec(args.spec, 'kmeans');
    if (!isObject(args.options) || typeof args.options.k !== 'number') throw new Error('kmeans: "options" must give k, e.g. {"k": 5, "seed": 1}.');
    const tables = tablesOf(store, args, 'kmeans');
    await ctx.checkpoint();
    const out = await fitClusters(tables, spec, args.options, hooksOf(ctx));
    return ctx.transfer(out, [out.labels.buffer as ArrayBuffer]);
  };
}
