/**
 * `clientlens/core`: datasets, cache, worker pool, schema and ingest, without any element.
 */
export { DataHub, Dataset, DataLoadError, createDataPool } from './dataset/data-hub.js';
export type { DataHubOptions, LoadOptions, LoadProgress, LoadStep, LoadStepDetail, LoadStepName, DatasetOrigin } from './dataset/data-hub.js';
export type { DataSource, IngestSettings } from './dataset/data-source.js';
export type { Partition } from './dataset/partition-plan.js';
export { DatasetCache } from './cache/dataset-cache.js';
export type { CacheBackend, CacheEntry, CachePutInput, CacheWarning, CacheWarningCode, DatasetCacheOptions, PutResult } from './cache/dataset-cache.js';
export type { ChunkInfo, ColumnInfo, DatasetManifest } from './cache/cache-manifest.js';
export { WorkerPool } from './pool/worker-pool.js';
export type { RunOptions, WorkerPoolOptions, WorkerEvent, WorkerInitializer } from './pool/worker-pool.js';
export { JobCancelledError, JobTimeoutError, RemoteJobError, WorkerCrashedError } from './pool/job-errors.js';
export {
  CLIENT_FIELDS, CLIENT_SCHEMA, REQUIRED_FIELDS, WEALTH_TIERS, LIFECYCLE_STAGES, MissingFieldsError, fieldDef, requireFields,
} from './schema/client-schema.js';
export type { ClientField, FieldDef, FieldType, FieldUnit } from './schema/client-schema.js';
export { resolveMapping } from './schema/field-mapping.js';
export type { FieldMapping, ResolvedMapping } from './schema/field-mapping.js';
export { IngestError } from './ingest/ingest-report.js';
export type { IngestIssue, IngestReport, IssueCode, DirtyRowPolicy, IngestFormat } from './ingest/ingest-report.js';
export type { IngestOptions, IngestResult } from './ingest/ingest.js';
export type { PortfolioOptions } from './generate/portfolio.js';
export { DisposableStore, toDisposable } from './lifecycle/disposable.js';
export type { Disposable } from './lifecycle/disposable.js';
export { getLocale, setLocale, matchLocale } from './i18n/locale.js';
export type { Locale } from './i18n/locale.js';
export { formatBytes, formatCurrency, formatDay, formatDuration, formatNumber, formatPercent } from './i18n/format.js';
export { getDefaultHub, configureDefaultHub } from './dataset/default-hub.js';
export { clearAllData } from './privacy/clear-all.js';
export { setMasking, maskValue, maskedFields, onMaskingChange } from './privacy/masking.js';
export type { MaskableField } from './privacy/masking.js';
// The plugin kit (issue 5): its code is the `clientlens/plugins` entry, loaded on demand (loadPlugins,
// or a <cl-command-palette> without a host); core keeps only the types, which cost nothing.
export { loadPlugins } from './plugins-on-demand.js';
export type { PluginKit } from './plugins-on-demand.js';
export type { PluginHost, PluginHostOptions, InstallOptions, LoadDataSourceOptions } from './plugins/plugin-host.js';
export type { PluginError, ManifestError, PluginUrlError, ServiceError, SettingsError } from './plugins/plugin-errors.js';
export type * from './plugins/plugin-api.js';
export { runKernel } from './query/run-kernel.js';
export type { RunKernelOptions } from './query/run-kernel.js';
export { LatestQuery } from './query/latest-query.js';
export { FilterStore } from './query/filter-store.js';
export type { FilterCondition, FilterSpec } from './query/filter-store.js';
export { ChurnModels } from './models/churn-models.js';
export type { ChurnModelState } from './models/churn-models.js';
// Model code (training, scoring, clusters, lifetime value) loads on the first call of these
// (models-on-demand.ts): a page that uses no model never fetches it.
export { trainChurn, explainRows, fitClusters, clvBySegment } from './models/models-on-demand.js';
export type { TrainChurnOptions } from './models/train-churn.js';
export type { ExplainRowsOptions } from './models/explain-rows.js';
export { defaultChurnFeatures, MissingLabelError } from './models/default-churn-features.js';
export type { ChurnModel, ChurnMetrics } from '../workers/models/churn-model.js';
// Remote query engines (issue 8): the same kernel specs answered by ClickHouse over HTTP. The code is
// in the `clientlens/remote` entry (classes there); connectClickHouse loads it on first use.
export { connectClickHouse } from './remote-on-demand.js';
export type { ClickHouseEngine, ClickHouseEngineOptions } from './remote/clickhouse-engine.js';
export type { ClickHouseClient, ClickHouseClientOptions, ClickHouseCredentials, CredentialsProvider } from './remote/clickhouse-client.js';
export type { RemoteEngineError, RemoteErrorKind } from './remote/remote-error.js';
export type { QueryEngine, QueryRunOptions } from './remote/query-engine.js';
export { DEFAULT_CLUSTER_FEATURES } from './models/cluster-features.js';
export type { FitClustersOptions } from './models/fit-clusters.js';
export { clusterDimension, clusterLabels, sharedClusters } from './models/cluster-segmentation.js';
export type { ClusterModel } from '../workers/models/kmeans.js';
export { sharedClvBySegment } from './models/shared-clv.js';
export type { ClvBySegmentOptions } from './models/clv-by-segment.js';
export type { ClvFitResult, ClvGroup } from '../workers/jobs/clv-jobs.js';
export { announceDataAccess, fieldsOfQuery, fieldsOfSpec } from './privacy/data-access.js';
export type { DataAccessDetail } from './privacy/data-access.js';
