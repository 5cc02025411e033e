/**
 * A QueryEngine on a ClickHouse table: the kernel specs the worker pool answers, answered by
 * ClickHouse over HTTP with the same result objects.
 *
 *   const engine = await connectClickHouse({ url: 'https://ch.bank.internal', table: 'clients',
 *                                            credentials: () => ({ user: 'clientlens', password }) });
 *   const dataset = hub.connect(engine);               // elements use it like a loaded dataset
 *   await engine.dispose();                           // cancels running queries (KILL QUERY)
 *
 * Each `run` validates the spec with the local kernel's `validate` against the table's schema, so
 * the same SpecErrors come back; the page filter is split off exactly as run-kernel.ts does.
 */
import type { ColumnInfo } from '../cache/cache-manifest.js';
import { getKernel } from '../../workers/kernels/index.js';
import { splitFilter } from '../../workers/kernels/filtered-rows.js';
import { ClickHouseClient, type ClickHouseClientOptions } from './clickhouse-client.js';
import { describeTable } from './clickhouse-schema.js';
import { abortError } from './remote-error.js';
import { resultObjects } from './tsv-result.js';
import type { QueryEngine, QueryRunOptions } from './query-engine.js';
import type { RemoteKernel, RemoteQueryContext } from './remote-kernel.js';
import type { RemoteTable, Sql } from './sql-builder.js';
import { REMOTE_KERNELS } from './kernels/index.js';

export interface ClickHouseEngineOptions extends ClickHouseClientOptions {
  /** The table (local MergeTree, or Distributed over the shards) holding one row per client. */
  readonly table: string;
  /**
   * A UInt64 column with each row's position (0..rows-1), hidden from the schema: the local
   * kernels break ties by row and report row numbers, and a distributed table has no row order
   * of its own. Without it, ties follow the engine and row numbers are 0.
   */
  readonly rowColumn?: string;
  /**
   * Most values one query may gather into an array (default GATHER_MAX): small inputs take the
   * one-query path, larger ones rank selection. 0 forces rank selection (tests use it).
   */
  readonly gatherMax?: number;
}

/**
 * Default for gatherMax: 18.16 refuses arrays past 2^24 elements ("Too large array size"); 2M
 * doubles are 16 MB on the initiating node, and below that size the one-query whale curve was
 * about twice as fast as rank selection at 1M rows.
 */
export const GATHER_MAX = 2_000_000;

export class ClickHouseEngine implements QueryEngine {
  readonly description: string;
  readonly schema: readonly ColumnInfo[];
  readonly kernels: readonly string[] = [...REMOTE_KERNELS.keys()];
  private readonly active = new Set<AbortController>();

  constructor(
    readonly client: ClickHouseClient,
    readonly table: RemoteTable,
    readonly rows: number,
    readonly gatherMax: number = GATHER_MAX,
  ) {
    this.description = `ClickHouse at ${client.engine}: table ${table.table}`;
    this.schema = table.columns.filter((c) => c.name !== table.rowColumn).map((c) => ({ name: c.name, type: c.type }));
  }

  async run<R>(kernelName: string, spec: unknown, options: QueryRunOptions = {}): Promise<R> {
    const kernel = getKernel(kernelName);
    const remote = REMOTE_KERNELS.get(kernel.name) as RemoteKernel | undefined;
    if (!remote) throw new Error(`${this.description} cannot run kernel "${kernel.name}"; it runs: ${this.kernels.join(', ')}.`);
    const split = splitFilter(kernel, spec, this.schema);
    const valid = kernel.validate(split.spec, this.schema);
    if (options.signal?.aborted) throw abortError(options.signal.reason);
    // One controller per run: disposing the engine cancels every query of every run.
    const controller = new AbortController();
    const onAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    this.active.add(controller);
    options.onProgress?.(0);
    const ctx: RemoteQueryContext = {
      table: this.table,
      gatherMax: this.gatherMax,
      select: (query: Sql) => this.serially(async () => resultObjects(await this.client.select(query, { signal: controller.signal, timeoutMs: options.timeoutMs }))),
    };
    try {
      const result = (await remote.run(ctx, valid, split.filter)) as R;
      options.onProgress?.(1);
      return result;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      this.active.delete(controller);
    }
  }

  /**
   * Queries of one engine run one at a time (translators may still issue theirs with Promise.all).
   * While a shard of the Debian 18.16 build was failing, concurrent Distributed queries on the
   * same pooled shard connection came back as "Empty query: while receiving packet"; serial
   * queries keep a failure to the one query that caused it, at the price of some latency.
   */
  private queue: Promise<unknown> = Promise.resolve();
  private serially<T>(job: () => Promise<T>): Promise<T> {
    const next = this.queue.then(job, job);
    this.queue = next.catch(() => undefined);
    return next;
  }

  async dispose(): Promise<void> {
    for (const c of this.active) c.abort(abortError('The engine was disposed.'));
    this.active.clear();
    await this.client.dispose();
  }
}

/** Connects to a table: reads its columns and row count (and so checks URL, credentials and grants). */
export async function connectClickHouse(options: ClickHouseEngineOptions, signal?: AbortSignal): Promise<ClickHouseEngine> {
  if (options === null || typeof options !== 'object') throw new TypeError('connectClickHouse needs options { url, table, ... }.');
  const { table, rowColumn, gatherMax = GATHER_MAX, ...clientOptions } = options;
  if (typeof table !== 'string') throw new TypeError(`ClickHouse option "table" must be a table name; got ${JSON.stringify(table)}.`);
  if (!Number.isSafeInteger(gatherMax) || gatherMax < 0) throw new TypeError(`ClickHouse option "gatherMax" must be an integer >= 0; got ${JSON.stringify(gatherMax)}.`);
  const client = new ClickHouseClient(clientOptions);
  const remote = await describeTable(client, clientOptions.database, table, rowColumn, signal);
  const [count] = resultObjects(await client.select(`SELECT count() AS n FROM ${remote.ref}`, { signal }));
  return new ClickHouseEngine(client, remote, Number(count.n), gatherMax);
}
