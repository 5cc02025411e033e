/**
 * `clientlens/remote`: query engines that answer the kernel specs where the rows are (issue 8),
 * kept out of the page's start: a page that registers a query source imports this entry (or calls
 * `connectClickHouse` from `clientlens/core`, which loads it on first use).
 */
export { connectClickHouse, ClickHouseEngine, type ClickHouseEngineOptions } from './remote/clickhouse-engine.js';
export { ClickHouseClient, type ClickHouseClientOptions, type ClickHouseCredentials, type CredentialsProvider } from './remote/clickhouse-client.js';
export { RemoteEngineError, type RemoteErrorKind } from './remote/remote-error.js';
export type { QueryEngine, QueryRunOptions } from './remote/query-engine.js';
