/**
 * The model functions of `clientlens/core` with their code (model-code.ts) loaded on the first
 * call rather than with every page: same names, signatures and results as the implementations.
 * A page that never trains, restores or explains a model, nor fits clusters or lifetime value,
 * never fetches it.
 */
import type { DataHub, Dataset } from '../dataset/data-hub.js';
import type { ChurnModel } from '../../workers/models/churn-model.js';
import type { ExplainedRow } from '../../workers/jobs/model-jobs.js';
import type { ClusterModel } from '../../workers/models/kmeans.js';
import type { ClvFitResult } from '../../workers/jobs/clv-jobs.js';
import type { TrainChurnOptions } from './train-churn.js';
import type { ExplainRowsOptions } from './explain-rows.js';
import type { FitClustersOptions } from './fit-clusters.js';
import type { ClvBySegmentOptions } from './clv-by-segment.js';

export type ModelCode = typeof import('./model-code.js');

let code: Promise<ModelCode> | undefined;

/**
 * The model code (once; later calls share the load). A failed load (network, a missing file) is
 * not kept, so the next call tries again; it rejects with an error that says what failed, which the
 * elements show where the model's result would be.
 */
export function loadModelCode(): Promise<ModelCode> {
  return (code ??= import('./model-code.js').catch((err: unknown) => {
    code = undefined;
    throw new Error(`The model code could not be loaded (${(err as Error)?.message ?? err}).`, { cause: err });
  }));
}

export async function trainChurn(hub: DataHub, dataset: Dataset, options?: TrainChurnOptions): Promise<ChurnModel> {
  return (await loadModelCode()).trainChurn(hub, dataset, options);
}

export async function explainRows(dataset: Dataset, model: ChurnModel, rows: readonly number[], options?: ExplainRowsOptions): Promise<Map<number, ExplainedRow>> {
  return (await loadModelCode()).explainRows(dataset, model, rows, options);
}

export async function fitClusters(hub: DataHub, dataset: Dataset, options?: FitClustersOptions): Promise<ClusterModel> {
  return (await loadModelCode()).fitClusters(hub, dataset, options);
}

export async function clvBySegment(hub: DataHub, dataset: Dataset, options?: ClvBySegmentOptions): Promise<ClvFitResult> {
  return (await loadModelCode()).clvBySegment(hub, dataset, options);
}
