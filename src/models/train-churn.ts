/**
 * Trains a churn model on a loaded dataset, off the main thread: every worker sends the columns the
 * model reads (Arrow IPC, moved, not copied), and one worker fits the model on all of them (the
 * fitting job's contract, see workers/jobs/model-jobs.ts). Cancellable; progress covers both steps.
 */
import type { DataHub, Dataset } from '../dataset/data-hub.js';
import type { FeatureSpec } from '../../workers/models/features.js';
import type { ChurnModel, ChurnTrainOptions } from '../../workers/models/churn-model.js';
import type { GatherResult, TrainChurnArgs } from '../../workers/jobs/model-jobs.js';
import { planColumns } from '../../workers/models/features.js';
import { defaultChurnFeatures } from './default-churn-features.js';

export interface TrainChurnOptions extends ChurnTrainOptions {
  /** Features and target; default: defaultChurnFeatures(dataset.schema). */
  readonly spec?: FeatureSpec;
  readonly signal?: AbortSignal;
  readonly onProgress?: (fraction: number) => void;
}

/** Share of the progress bar the gathering step takes. */
const GATHER_SHARE = 0.1;

export async function trainChurn(hub: DataHub, dataset: Dataset, options: TrainChurnOptions = {}): Promise<ChurnModel> {
  const { spec = defaultChurnFeatures(dataset.schema), signal, onProgress, ...train } = options;
  const columns = planColumns(spec);
  const missing = columns.filter((c) => !dataset.columns.includes(c));
  if (missing.length) throw new Error(`The churn model reads ${missing.map((m) => `"${m}"`).join(', ')}, which the dataset "${dataset.id}" does not have.`);
  const parts = await dataset.runOnPartitions<GatherResult>('model-gather', () => ({ datasetId: dataset.key, columns }), {
    signal,
    onProgress: onProgress && ((f) => onProgress(f * GATHER_SHARE)),
  });
  const chunks = parts.flatMap((p) => p.chunks);
  const args: TrainChurnArgs = { chunks, spec, options: train };
  return hub.pool.run<ChurnModel>('train-churn', args, {
    signal,
    transfer: chunks,
    onProgress: onProgress && ((f) => onProgress(GATHER_SHARE + f * (1 - GATHER_SHARE))),
  });
}
