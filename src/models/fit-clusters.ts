/**
 * Fits behavioural clusters (k-means++ on standardised features) on a loaded dataset, off the main
 * thread: the workers send the feature columns, one worker fits. The result is the model only
 * (centres, plan, profiles, silhouette); rows are put in clusters by the kernels when they group
 * by the cluster dimension, so no per-row labels travel to the page.
 */
import type { DataHub, Dataset } from '../dataset/data-hub.js';
import type { FeatureSpec } from '../../workers/models/features.js';
import type { ClusterModel, KMeansOptions } from '../../workers/models/kmeans.js';
import type { GatherResult, KMeansArgs } from '../../workers/jobs/model-jobs.js';
import { planColumns } from '../../workers/models/features.js';
import { DEFAULT_CLUSTER_FEATURES } from './cluster-features.js';

export { DEFAULT_CLUSTER_FEATURES };

export interface FitClustersOptions extends Partial<KMeansOptions> {
  /** Numeric feature columns; default: those of DEFAULT_CLUSTER_FEATURES the dataset has. */
  readonly features?: readonly string[];
  readonly signal?: AbortSignal;
  readonly onProgress?: (fraction: number) => void;
}

export async function fitClusters(hub: DataHub, dataset: Dataset, options: FitClustersOptions = {}): Promise<ClusterModel> {
  const { features, signal, onProgress, ...kmeans } = options;
  const numeric = features ? [...features] : DEFAULT_CLUSTER_FEATURES.filter((c) => dataset.columns.includes(c));
  if (numeric.length === 0) throw new Error(`Clusters need numeric behaviour columns (${DEFAULT_CLUSTER_FEATURES.join(', ')}); the dataset "${dataset.id}" has none of them.`);
  const spec: FeatureSpec = { numeric };
  const columns = planColumns(spec);
  const missing = columns.filter((c) => !dataset.columns.includes(c));
  if (missing.length) throw new Error(`Clusters read ${missing.map((m) => `"${m}"`).join(', ')}, which the dataset "${dataset.id}" does not have.`);
  const parts = await dataset.runOnPartitions<GatherResult>('model-gather', () => ({ datasetId: dataset.key, columns }), { signal, onProgress: onProgress && ((f) => onProgress(f * 0.2)) });
  const chunks = parts.flatMap((p) => p.chunks);
  const args: KMeansArgs = { chunks, spec, options: { k: kmeans.k ?? 5, seed: kmeans.seed ?? 1, ...kmeans } };
  const out = await hub.pool.run<{ model: ClusterModel }>('kmeans', args, { signal, transfer: chunks, onProgress: onProgress && ((f) => onProgress(0.2 + 0.8 * f)) });
  return out.model;
}
