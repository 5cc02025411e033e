/**
 * `connectClickHouse` for `clientlens/core`: the same function, with the remote engine's code
 * (the `clientlens/remote` entry) loaded on the first call rather than with every page.
 */
import type { ClickHouseEngine, ClickHouseEngineOptions } from './remote/clickhouse-engine.js';

export async function connectClickHouse(options: ClickHouseEngineOptions, signal?: AbortSignal): Promise<ClickHouseEngine> {
  const remote = await import('./remote.js');
  return remote.connectClickHouse(options, signal);
}
