/**
 * The page's model code, one on-demand module (models-on-demand.ts loads it): training, scoring
 * and explaining, fitting clusters and lifetime value, and the saved-model store. A page pays for it
 * only when a model is used: a churn model is trained, restored from a saved one or asked for its
 * reasons; a segments panel groups by cluster; a profitability panel shows model lifetime value.
 *
 * Contract: nothing of the page's start imports this file statically (scripts/report-sizes.mjs
 * lists it under "on demand"); everything here reaches the workers' jobs through the hub.
 */
export { trainChurn } from './train-churn.js';
export { explainRows } from './explain-rows.js';
export { fitClusters } from './fit-clusters.js';
export { clvBySegment } from './clv-by-segment.js';
export { ModelStore, churnModelFromRecord, churnModelRecord } from '../../workers/models/model-store.js';
