/**
 * The page's model lifetime value of a dataset version and grouping: fitted once, then shared by
 * every element that asks (see shared-fit.ts). The fitting code loads on the first ask.
 */
import type { DataHub, Dataset } from '../dataset/data-hub.js';
import type { ClvFitResult } from '../../workers/jobs/clv-jobs.js';
import type { ClvBySegmentOptions } from './clv-by-segment.js';
import { clvBySegment } from './models-on-demand.js';
import { sharedFit } from './shared-fit.js';

export function sharedClvBySegment(hub: DataHub, dataset: Dataset, options: Omit<ClvBySegmentOptions, 'signal'> = {}): Promise<ClvFitResult> {
  return sharedFit(hub, dataset, 'clv-by-segment', options, () => clvBySegment(hub, dataset, options));
}
