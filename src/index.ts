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
