/**
 * Clusters as a segmentation: a fitted cluster model turned into a kernel dimension whose labels
 * say what sets each cluster apart ("C2 · high AUM, long inactive"), and one fit per dataset
 * version and k shared by every element of the page.
 */
import type { DataHub, Dataset } from '../dataset/data-hub.js';
import type { Dimension } from '../../workers/kernels/dimension.js';
import type { ClusterModel } from '../../workers/models/kmeans.js';
import { ZH_LABELS } from '../../workers/models/reasons.js';
import { fieldDef, isClientField } from '../schema/client-schema.js';
import type { FitClustersOptions } from './fit-clusters.js';
import { fitClusters } from './models-on-demand.js';
import { sharedFit } from './shared-fit.js';

/** A standardised centre this far from the mean (in sds) is worth naming. */
const NOTABLE = 0.5;
/** Traits named per cluster. */
const TRAITS = 2;

function fieldName(column: string, zh: boolean): string {
  if (!isClientField(column)) return column;
  if (zh) return ZH_LABELS[column];
  const label = fieldDef(column).label;
  // Acronyms (AUM, NPS) keep their capitals inside a phrase; words do not.
  return /^[A-Z]{2}/.test(label) ? label : label[0].toLowerCase() + label.slice(1);
}

function trait(column: string, storage: string, high: boolean, zh: boolean): string {
  // Dates are "days before as-of": a high value means long ago.
  if (storage === 'date' && column === 'lastTxnDate') return zh ? (high ? '长期未交易' : '近期活跃') : high ? 'long inactive' : 'recently active';
  if (storage === 'date') return zh ? `${fieldName(column, true)}${high ? '较早' : '较近'}` : `${high ? 'early' : 'recent'} ${fieldName(column, false)}`;
  return zh ? `${fieldName(column, true)}${high ? '高' : '低'}` : `${high ? 'high' : 'low'} ${fieldName(column, false)}`;
}

/** Labels in cluster order: "C1 · high AUM, low transactions (12 months)"; unique by their number. */
export function clusterLabels(model: ClusterModel, locale = 'en'): string[] {
  const zh = locale.toLowerCase().startsWith('zh');
  const d = model.plan.columns.length;
  return Array.from({ length: model.k }, (_, c) => {
    const traits = model.plan.numeric
      .filter((n) => n.index >= 0)
      .map((n) => ({ n, z: model.centroids[c * d + n.index] }))
      .filter((t) => Math.abs(t.z) >= NOTABLE)
      .sort((a, b) => Math.abs(b.z) - Math.abs(a.z))
      .slice(0, TRAITS)
      .map((t) => trait(t.n.column, t.n.storage, t.z > 0, zh));
    const text = traits.length ? traits.join(zh ? '，' : ', ') : zh ? '接近整体平均' : 'close to average';
    return `C${c + 1} · ${text}`;
  });
}

export function clusterDimension(model: ClusterModel, locale = 'en'): Dimension {
  return { cluster: { plan: model.plan, centroids: Array.from(model.centroids), labels: clusterLabels(model, locale) } };
}

/** The page's cluster model of a dataset version for k clusters: fitted once, then shared (the fitting code loads on the first ask). */
export function sharedClusters(hub: DataHub, dataset: Dataset, options: Omit<FitClustersOptions, 'signal' | 'onProgress'> = {}): Promise<ClusterModel> {
  return sharedFit(hub, dataset, 'clusters', options, () => fitClusters(hub, dataset, options));
}
