/**
 * `clientlens`: one module script registers every built-in element; the core API comes along.
 */
export * from './core.js';
import '../components/cl-dataset-loader/cl-dataset-loader.js';
export { ClDatasetLoader } from '../components/cl-dataset-loader/cl-dataset-loader.js';
import '../components/cl-kpi/cl-kpi.js';
export { ClKpi } from '../components/cl-kpi/cl-kpi.js';
import '../components/cl-dashboard/cl-dashboard.js';
export { ClDashboard } from '../components/cl-dashboard/cl-dashboard.js';
import '../components/cl-segments/cl-segments.js';
export { ClSegments } from '../components/cl-segments/cl-segments.js';
import '../components/cl-funnel/cl-funnel.js';
export { ClFunnel } from '../components/cl-funnel/cl-funnel.js';
export type { FunnelSelectDetail, FunnelSpecInput } from '../components/cl-funnel/cl-funnel.js';
import '../components/cl-profitability/cl-profitability.js';
export { ClProfitability } from '../components/cl-profitability/cl-profitability.js';
export type { ProfitSelectDetail, ProfitSpecInput, ProfitView } from '../components/cl-profitability/cl-profitability.js';
import '../components/cl-churn-watch/cl-churn-watch.js';
export { ClChurnWatch } from '../components/cl-churn-watch/cl-churn-watch.js';
export type { ChurnWatchModelMode, ChurnWatchSort, ClientOpenDetail, ClientScore, RuleFilterDetail } from '../components/cl-churn-watch/cl-churn-watch.js';
import '../components/cl-client-card/cl-client-card.js';
export { ClClientCard, checkSuitability } from '../components/cl-client-card/cl-client-card.js';
export type { ClientLoadDetail, SuitabilityCheck, SuitabilityProduct } from '../components/cl-client-card/cl-client-card.js';
import '../components/cl-command-palette/cl-command-palette.js';
export { ClCommandPalette } from '../components/cl-command-palette/cl-command-palette.js';
export type { CommandExecuteDetail, CommandErrorDetail } from '../components/cl-command-palette/cl-command-palette.js';
