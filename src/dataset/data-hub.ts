/**
 * DataHub: the one-way data spine of a page.
 *
 *   source -> (cache hit? IndexedDB chunks) | (generate in workers | fetch -> ingest in a worker)
 *          -> cache write -> chunks moved to their owner workers -> Dataset handle (metadata only)
 *
 * The main thread never loops over rows: it moves ArrayBuffers between IndexedDB and workers.
 * Every step is timed and reported, and every load can be cancelled.
 */
import { DatasetCache, type CacheWarning, type DatasetCacheOptions } from '../cache/dataset-cache.js';
import type { ChunkInfo, ColumnInfo } from '../cache/cache-manifest.js';
import { QUICK_JOB_PRIORITY, WorkerPool, type RunOptions } from '../pool/worker-pool.js';
// Named Worker on purpose: bundlers recognise `new Worker(new URL(...))` and emit the worker file.
import { TrustedWorker as Worker } from '../pool/trusted-worker.js';
import { Emitter, toDisposable, type Disposable } from '../lifecycle/disposable.js';
import { FilterStore } from '../query/filter-store.js';
import { planPartitions, type Partition } from './partition-plan.js';
import { generatedIdentity, stableJson, validateSource, type DataSource, type IngestSettings } from './data-source.js';
import { chunkCount, type PortfolioOptions } from '../generate/portfolio.js';
import { sha256Hex } from '../cache/checksum.js';
import type { IngestReport } from '../ingest/ingest-report.js';
import type { GeneratedChunks } from '../../workers/jobs/generate-job.js';
import { receiveChunks, type Delivery } from './chunk-stream.js';
import type { CacheWriter } from '../cache/cache-writer.js';
import type { IngestJobResult } from '../../workers/jobs/ingest-job.js';
import type { PartitionSummary } from '../../workers/jobs/partition-jobs.js';
import type { QueryEngine } from '../remote/query-engine.js';
import { AnswerBook } from '../query/answer-book.js';

/**
 * The build that computes answers kept with the cache (answer-book.ts): this module's URL. Every
 * build names its chunks by a hash of their contents, and this chunk holds the data worker's hashed
 * file name, so a build with other kernels has another code id and never serves the answers of
 * the last. Unbundled (the dev server, the tests) it stays the same; there, a kept answer that a
 * code change made wrong is revised a moment later by the recomputation behind it.
 */
const ANSWERS_CODE = import.meta.url;

export type LoadStepName = 'fetch' | 'cache-read' | 'generate' | 'ingest' | 'cache-write' | 'distribute';

export interface LoadStep {
  readonly step: LoadStepName;
  readonly ms: number;
  /** Facts about the step for display (elements localise them). */
  readonly detail?: LoadStepDetail;
}

export interface LoadStepDetail {
  readonly bytes?: number;
  readonly rows?: number;
  readonly rowsRead?: number;
  readonly workers?: number;
  readonly chunks?: number;
  /** cache-read: whether the cache had the dataset. */
  readonly hit?: boolean;
  /** cache-write: where the entry went. */
  readonly stored?: 'indexeddb' | 'memory' | 'none';
  /** ingest: ms spent parsing to Arrow, and cutting / serialising / hashing chunks for the cache. */
  readonly parseMs?: number;
  readonly encodeMs?: number;
}

export interface LoadProgress {
  readonly step: LoadStepName;
  /** 0..1 within the step. */
  readonly fraction: number;
}

export interface LoadOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: LoadProgress) => void;
  /** Read from and write to the cache. Default true. */
  readonly useCache?: boolean;
}

/** 'remote': the rows live in a query engine (see DataHub.connect); nothing is in the workers. */
export type DatasetOrigin = 'cache' | 'generated' | 'ingested' | 'remote';

export class DataLoadError extends Error {
  override readonly name = 'DataLoadError';
  constructor(message: string, readonly report?: IngestReport, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A loaded dataset: metadata on the main thread, rows in the workers. */
export class Dataset implements Disposable {
  readonly rows: number;
  readonly bytes: number;
  private disposed = false;

  constructor(
    private readonly hub: DataHub,
    readonly id: string,
    readonly version: string,
    readonly schema: readonly ColumnInfo[],
    readonly chunks: readonly Pick<ChunkInfo, 'rows' | 'bytes'>[],
    readonly partitions: readonly Partition[],
    readonly origin: DatasetOrigin,
    readonly steps: readonly LoadStep[],
    /** Where the cache keeps it now: a browser store, this page's memory, or nowhere. */
    readonly cached: 'indexeddb' | 'memory' | 'none',
    readonly report: IngestReport | undefined,
    private readonly teardown: Disposable,
    /** Set when the rows live in a query engine: runKernel asks it instead of the workers. */
    readonly engine?: QueryEngine,
    /** Answers kept with its cache entry: the last visit's, and this one's for the next (set when the entry is in IndexedDB). */
    readonly answers?: AnswerBook,
  ) {
    this.rows = chunks.reduce((s, c) => s + c.rows, 0);
    this.bytes = chunks.reduce((s, c) => s + c.bytes, 0);
  }

  /** The pool key under which workers hold this dataset's partitions. */
  get key(): string {
    return `${this.id}@${this.version}`;
  }

  get columns(): string[] {
    return this.schema.map((c) => c.name);
  }

  /** Runs a job on every worker that owns rows of this dataset; results in row order. */
  runOnPartitions<R>(name: string, args: (p: Partition) => unknown, options: Omit<RunOptions, 'worker' | 'transfer' | 'onProgress'> & { onProgress?: (fraction: number) => void } = {}): Promise<R[]> {
    if (this.disposed) return Promise.reject(new Error(`Dataset "${this.id}" was disposed.`));
    if (this.engine) return Promise.reject(new Error(`Dataset "${this.id}" lives in ${this.engine.description}; worker jobs such as "${name}" cannot run on it.`));
    const owners = this.partitions.filter((p) => p.chunkCount > 0);
    const done = new Array<number>(owners.length).fill(0);
    const report = options.onProgress;
    return Promise.all(
      owners.map((p, i) =>
        this.hub.pool.run<R>(name, args(p), {
          ...options,
          worker: p.worker,
          // Progress over the whole dataset: each worker's fraction weighted by its rows.
          onProgress: report
            ? (f) => {
                done[i] = f * p.rows;
                report(done.reduce((a, b) => a + b, 0) / Math.max(1, this.rows));
              }
            : undefined,
        }),
      ),
    );
  }

  /**
   * Runs a short job that reads none of the dataset's rows (validating a kernel spec, reducing
   * partials, a kernel over a few rows the page sends) on whichever worker is free first. It runs at
   * QUICK_JOB_PRIORITY, above kernel maps, so a query waiting only for its reduce is not queued
   * behind other panels' maps. Works for datasets in a query engine too: the pool is the hub's.
   */
  runOnAnyWorker<R>(name: string, args: unknown, options: Omit<RunOptions, 'worker' | 'transfer' | 'priority'> = {}): Promise<R> {
    if (this.disposed) return Promise.reject(new Error(`Dataset "${this.id}" was disposed.`));
    return this.hub.pool.run<R>(name, args, { ...options, priority: QUICK_JOB_PRIORITY });
  }

  /** Row count and per-column sums, computed in the workers: a cheap check that data arrived whole. */
  async summarise(columns: string[], options: { signal?: AbortSignal } = {}): Promise<{ rows: number; sums: Record<string, { sum: number; count: number }> }> {
    const parts = await this.runOnPartitions<PartitionSummary>('summarise', () => ({ datasetId: this.key, columns }), options);
    const sums: Record<string, { sum: number; count: number }> = {};
    for (const c of columns) sums[c] = { sum: 0, count: 0 };
    let rows = 0;
    for (const p of parts) {
      rows += p.rows;
      for (const c of columns) {
        sums[c].sum += p.sums[c].sum;
        sums[c].count += p.sums[c].count;
      }
    }
    return { rows, sums };
  }

  private readonly disposeListeners = new Set<() => void>();
  private refs = 0;

  /** Counts a user of a shared dataset; DataHub.load does this for every caller. */
  retain(): this {
    this.refs++;
    return this;
  }

  /** A user is done with it; the last one out frees the workers' memory. */
  release(): Promise<void> {
    this.refs = Math.max(0, this.refs - 1);
    return this.refs === 0 ? this.dispose() : Promise.resolve();
  }

  /** Called once when the dataset is disposed. */
  onDispose(listener: () => void): Disposable {
    this.disposeListeners.add(listener);
    return toDisposable(() => void this.disposeListeners.delete(listener));
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const l of this.disposeListeners) l();
    this.disposeListeners.clear();
    await this.teardown.dispose();
  }
}

export interface DataHubOptions {
  /** A pool to use; by default the hub creates one of the standard data workers and owns it. */
  readonly pool?: WorkerPool;
  readonly workers?: number;
  /** Cache settings, or false for no persistent cache (memory only). */
  readonly cache?: DatasetCacheOptions | false;
}

export class DataHub implements Disposable {
  private readonly cacheWarnings = new Emitter<CacheWarning>();
  private readonly loaded = new Set<Dataset>();
  private readonly currentChanges = new Emitter<Dataset | undefined>();
  private currentDataset?: Dataset;
  /** Page-level filters every element on this hub applies (cross-filtering). */
  readonly filters = new FilterStore();

  /** Listeners on the hub's own events (for leak checks: back to its baseline once elements are gone). */
  get listenerCount(): { current: number; querySource: number; cacheWarnings: number; filters: number } {
    return { current: this.currentChanges.size, querySource: this.querySourceChanges.size, cacheWarnings: this.cacheWarnings.size, filters: this.filters.listenerCount };
  }

  /** The dataset elements show when they are not told otherwise (set by cl-dataset-loader). */
  get current(): Dataset | undefined {
    return this.currentDataset?.isDisposed ? undefined : this.currentDataset;
  }

  setCurrent(dataset: Dataset | undefined): void {
    if (dataset === this.currentDataset) return;
    this.currentDataset = dataset;
    this.filters.clear();
    this.currentChanges.emit(dataset);
  }

  onCurrentChange(listener: (d: Dataset | undefined) => void): Disposable {
    return this.currentChanges.on(listener);
  }

  private constructor(
    readonly pool: WorkerPool,
    readonly cache: DatasetCache,
    private readonly ownsPool: boolean,
  ) {
    cache.onWarning((w) => this.cacheWarnings.emit(w));
  }

  static async create(options: DataHubOptions = {}): Promise<DataHub> {
    const pool = options.pool ?? createDataPool(options.workers);
    const cacheWarnings: CacheWarning[] = [];
    const cache = await DatasetCache.open(options.cache === false ? { storage: 'memory' } : (options.cache ?? {}), (w) => cacheWarnings.push(w));
    const hub = new DataHub(pool, cache, !options.pool);
    hub.startupWarnings = cacheWarnings;
    return hub;
  }

  /** Warnings raised while opening the cache (e.g. IndexedDB unavailable). */
  startupWarnings: readonly CacheWarning[] = [];

  /** Cache trouble (quota, corruption, fallback to memory) as it happens. */
  onCacheWarning(listener: (w: CacheWarning) => void): Disposable {
    return this.cacheWarnings.on(listener);
  }

  /**
   * Loads a dataset. Elements asking for the same generated portfolio or URL share one load and one
   * Dataset; the shared load is cancelled only when every caller waiting on it has cancelled.
   */
  load(sourceInput: DataSource, options: LoadOptions = {}): Promise<Dataset> {
    const source = validateSource(sourceInput);
    const key = shareKey(source, options);
    if (!key) return this.loadOnce(source, options).then((d) => d.retain());
    let entry = this.shared.get(key);
    if (!entry) {
      const controller = new AbortController();
      const listeners = new Set<(p: LoadProgress) => void>();
      const created: SharedLoad = { controller, listeners, waiters: 0, promise: undefined as unknown as Promise<Dataset> };
      created.promise = this.loadOnce(source, { ...options, signal: controller.signal, onProgress: (p) => listeners.forEach((l) => l(p)) });
      created.promise.then(
        (d) => d.onDispose(() => this.shared.get(key) === created && this.shared.delete(key)),
        () => this.shared.get(key) === created && this.shared.delete(key),
      );
      this.shared.set(key, (entry = created));
    }
    return joinShared(entry, options);
  }

  private readonly shared = new Map<string, SharedLoad>();
  private readonly querySources = new Map<string, QueryEngine>();
  private readonly querySourceChanges = new Emitter<string>();

  /**
   * A dataset whose rows live in a query engine (e.g. ClickHouse): schema and row count from the
   * engine, no partitions; runKernel sends specs to the engine. Releasing the dataset does not
   * dispose the engine: whoever connected it owns it.
   */
  connect(engine: QueryEngine, identity: { id?: string; version?: string } = {}): Dataset {
    if (!engine || typeof engine.run !== 'function' || !Array.isArray(engine.schema)) throw new TypeError('hub.connect needs a QueryEngine { description, schema, rows, kernels, run, dispose }.');
    const dataset: Dataset = new Dataset(this, identity.id ?? `remote:${engine.description}`, identity.version ?? 'live', engine.schema, [{ rows: engine.rows, bytes: 0 }], [], 'remote', [], 'none', undefined,
      toDisposable(() => void this.loaded.delete(dataset)), engine);
    this.loaded.add(dataset);
    return dataset.retain();
  }

  /** Names an engine so markup can point at it (`<cl-segments source="warehouse">`). */
  registerQuerySource(id: string, engine: QueryEngine): Disposable {
    if (typeof id !== 'string' || !/^[A-Za-z0-9_.:-]{1,100}$/.test(id)) throw new TypeError(`A query source id must be 1-100 letters, digits, '.', ':', '_' or '-'; got ${JSON.stringify(id)}.`);
    if (this.querySources.has(id)) throw new Error(`A query source named "${id}" is already registered.`);
    this.querySources.set(id, engine);
    this.querySourceChanges.emit(id);
    return toDisposable(() => {
      if (this.querySources.get(id) !== engine) return;
      this.querySources.delete(id);
      this.querySourceChanges.emit(id);
    });
  }

  querySource(id: string): QueryEngine | undefined {
    return this.querySources.get(id);
  }

  /** Fires with the id when a query source is registered or removed. */
  onQuerySourceChange(listener: (id: string) => void): Disposable {
    return this.querySourceChanges.on(listener);
  }

  private async loadOnce(source: DataSource, options: LoadOptions): Promise<Dataset> {
    const steps: LoadStep[] = [];
    const useCache = options.useCache !== false;
    const timed = async <T>(step: LoadStepName, fn: () => Promise<T>, detail?: (v: T) => LoadStepDetail): Promise<T> => {
      options.signal?.throwIfAborted();
      const t0 = performance.now();
      options.onProgress?.({ step, fraction: 0 });
      const v = await fn();
      steps.push({ step, ms: performance.now() - t0, detail: detail?.(v) });
      options.onProgress?.({ step, fraction: 1 });
      return v;
    };
    const progress = (step: LoadStepName) => (fraction: number) => options.onProgress?.({ step, fraction });

    let bytes: ArrayBuffer | undefined;
    let identity: { id: string; version: string };
    if (source.kind === 'generate') {
      identity = generatedIdentity(source.options);
    } else {
      const fetched = await timed('fetch', () => readSource(source, options.signal, progress('fetch')), (r) => ({ bytes: r.bytes.byteLength }));
      bytes = fetched.bytes;
      identity = { id: fetched.id, version: `${fetched.version}|${stableJson(source.ingest ?? {})}` };
    }

    const key = `${identity.id}@${identity.version}`;
    if (useCache) {
      const entry = await timed('cache-read', () => this.cache.open(identity.id, identity.version), (e) => (e ? { hit: true, chunks: e.manifest.chunks.length, bytes: e.manifest.bytes } : { hit: false }));
      if (entry) {
        const partitions = planPartitions(entry.manifest.chunks.map((c) => c.rows), this.pool.size);
        const digests = entry.manifest.chunks.map((c) => c.digest);
        // Read while the workers read the chunks: long done by then.
        const answers = this.cache.readAnswers(entry.manifest.key, ANSWERS_CODE);
        try {
          // Workers read the Blobs and check every digest themselves, in parallel.
          await timed('distribute', () => this.distribute(key, partitions, entry.blobs, digests, options.signal, progress('distribute'), entry.key), () => ({ workers: partitions.filter((p) => p.chunkCount > 0).length }));
          const report = entry.manifest.meta?.report as IngestReport | undefined;
          return this.register(identity, entry.manifest.schema, entry.manifest.chunks, partitions, 'cache', steps, this.cache.backend, report, await answers);
        } catch (err) {
          if ((err as Error).name !== 'ChecksumError') throw err;
          // A damaged entry is never used: drop what was loaded, discard it, rebuild from the source.
          await this.pool.runOnEach('drop-dataset', () => ({ datasetId: key })).catch(() => {});
          await this.cache.discard(entry.manifest.key, (err as Error).message);
        }
      }
    }

    if (source.kind === 'generate') return this.generate(key, identity, source.options, useCache, steps, timed, progress('generate'), options.signal);

    const settings: IngestSettings = source.ingest ?? {};
    let out: IngestJobResult;
    try {
      out = await timed('ingest', () =>
        this.pool.run<IngestJobResult>('ingest', { bytes, options: settings }, { transfer: [bytes!], signal: options.signal, onProgress: progress('ingest') }),
        (r) => ({ rows: r.report.rowsKept, rowsRead: r.report.rowsRead, parseMs: r.timings.parseMs, encodeMs: r.timings.encodeMs }),
      );
    } catch (err) {
      const e = err as Error & { report?: IngestReport };
      if (e.name === 'IngestError') throw new DataLoadError(e.message, e.report, { cause: err });
      throw err;
    }
    const report = out.report;
    const partitions = planPartitions(out.chunkRows, this.pool.size);

    let cached: 'indexeddb' | 'memory' | 'none' = 'none';
    if (useCache) {
      const put = await timed('cache-write', () =>
        this.cache.put({ id: identity.id, version: identity.version, schema: out.schema, chunkRows: out.chunkRows, chunks: out.chunks, digests: out.digests, meta: { report } }),
        (r) => ({ stored: r.stored, bytes: r.manifest.bytes }),
      );
      cached = put.stored;
    }
    await timed('distribute', () => this.distribute(key, partitions, out.chunks, undefined, options.signal, progress('distribute')), () => ({ workers: partitions.filter((p) => p.chunkCount > 0).length }));
    const chunkInfo = out.chunks.map((c, i) => ({ rows: out.chunkRows[i], bytes: c instanceof Blob ? c.size : c.byteLength }));
    return this.register(identity, out.schema, chunkInfo, partitions, 'ingested', steps, cached, report);
  }

  /**
   * Each worker generates the chunks it will own and keeps them: nothing to distribute after. With
   * the cache on, every chunk is streamed into it as soon as it is made (chunk-stream.ts), a few per
   * worker in flight, and sealed in the worker when the cache encrypts; 'cache-write' is then only
   * the manifest that makes the entry visible.
   */
  private async generate(
    key: string,
    identity: { id: string; version: string },
    portfolio: PortfolioOptions,
    useCache: boolean,
    steps: LoadStep[],
    timed: <T>(step: LoadStepName, fn: () => Promise<T>, detail?: (v: T) => LoadStepDetail) => Promise<T>,
    onProgress: (f: number) => void,
    signal: AbortSignal | undefined,
  ): Promise<Dataset> {
    const chunks = chunkCount(portfolio.rows);
    const owners = planPartitions(Array.from({ length: chunks }, () => 1), this.pool.size).filter((p) => p.chunkCount > 0);
    const writer = useCache ? await this.cache.beginWrite(identity.id, identity.version) : undefined;
    const streams = writer ? owners.map(() => new MessageChannel()) : [];
    // Chunks a worker stored itself are adopted; chunks it sends (memory cache, or a failed store) are written.
    const receivers = streams.map((s) =>
      receiveChunks(
        s.port1,
        async (c) => {
          if (c.error) await writer!.fail(c.error);
          if (c.data) await writer!.write({ ...c, data: c.data });
          else await writer!.adopt(c);
        },
        () => delivery(writer!),
      ),
    );
    try {
      const done = new Array(owners.length).fill(0);
      const parts = await timed('generate', () =>
        Promise.all(
          owners.map((p, i) => {
            const port = streams[i]?.port2;
            const cache = writer && port ? { port, database: this.cache.name, entry: writer.key, delivery: delivery(writer), sealKey: writer.sealKey } : undefined;
            return this.pool.run<GeneratedChunks>('generate-chunks', { datasetId: key, options: portfolio, chunkIndices: range(p.firstChunk, p.chunkCount), keep: true, cache }, {
              worker: p.worker,
              signal,
              transfer: port ? [port] : undefined,
              onProgress: (f) => {
                done[i] = f * p.chunkCount;
                onProgress(done.reduce((a, b) => a + b, 0) / chunks);
              },
            });
          }),
        ),
        (parts) => ({ rows: portfolio.rows, workers: parts.length }),
      );
      const failed = receivers.find((r) => r.failure !== undefined);
      if (failed) throw failed.failure;
      const chunkRows = parts.flatMap((p) => p.chunkRows);
      const chunkInfo = parts.flatMap((p) => p.chunkBytes.map((bytes, i) => ({ rows: p.chunkRows[i], bytes })));
      const schema = parts[0].schema;
      let cached: 'indexeddb' | 'memory' | 'none' = 'none';
      if (writer) {
        const put = await timed('cache-write', () => writer.commit({ schema, chunkCount: chunkRows.length }), (r) => ({ stored: r.stored, bytes: r.manifest.bytes }));
        cached = put.stored;
      }
      return this.register(identity, schema, chunkInfo, planPartitions(chunkRows, this.pool.size), 'generated', steps, cached, undefined);
    } catch (err) {
      await writer?.abort();
      throw err;
    } finally {
      for (const r of receivers) r.close();
    }
  }

  /** Datasets loaded through this hub and not yet disposed. */
  datasets(): Dataset[] {
    return [...this.loaded];
  }

  async dispose(): Promise<void> {
    for (const d of [...this.loaded]) await d.dispose().catch(() => {});
    this.cache.close();
    if (this.ownsPool) this.pool.dispose();
  }

  private async distribute(key: string, partitions: readonly Partition[], chunks: (ArrayBuffer | Blob)[], digests: string[] | undefined, signal: AbortSignal | undefined, onProgress: (f: number) => void, cryptoKey?: CryptoKey): Promise<void> {
    let done = 0;
    await Promise.all(
      partitions.filter((p) => p.chunkCount > 0).map(async (p) => {
        const mine = chunks.slice(p.firstChunk, p.firstChunk + p.chunkCount);
        const args = { datasetId: key, firstChunk: p.firstChunk, rowOffset: p.rowOffset, chunks: mine, digests: digests?.slice(p.firstChunk, p.firstChunk + p.chunkCount), key: cryptoKey };
        await this.pool.run('load-chunks', args, { worker: p.worker, transfer: mine.filter((c): c is ArrayBuffer => c instanceof ArrayBuffer), signal });
        onProgress(++done / partitions.length);
      }),
    );
  }

  private register(
    identity: { id: string; version: string },
    schema: readonly ColumnInfo[],
    chunks: readonly Pick<ChunkInfo, 'rows' | 'bytes'>[],
    partitions: Partition[],
    origin: DatasetOrigin,
    steps: LoadStep[],
    cached: 'indexeddb' | 'memory' | 'none',
    report: IngestReport | undefined,
    kept: Map<string, unknown> = new Map(),
  ): Dataset {
    const key = `${identity.id}@${identity.version}`;
    const answers = cached === 'indexeddb' && this.cache.keepsAnswers ? new AnswerBook(kept, (a) => this.cache.writeAnswers(key, ANSWERS_CODE, a)) : undefined;
    // A replaced worker lost its partition: reload it from the cache before it takes jobs.
    const init = this.pool.addInitializer(async (worker, run) => {
      const p = partitions[worker];
      if (!p || p.chunkCount === 0) return;
      const entry = await this.cache.open(identity.id, identity.version);
      if (!entry) {
        console.warn(`clientlens: worker ${worker} lost its part of dataset "${identity.id}" and the cache no longer has it; load the dataset again.`);
        return;
      }
      const mine = entry.blobs.slice(p.firstChunk, p.firstChunk + p.chunkCount);
      const digests = entry.manifest.chunks.slice(p.firstChunk, p.firstChunk + p.chunkCount).map((c) => c.digest);
      await run('load-chunks', { datasetId: key, firstChunk: p.firstChunk, rowOffset: p.rowOffset, chunks: mine, digests, key: entry.key });
    });
    const dataset: Dataset = new Dataset(this, identity.id, identity.version, schema, chunks, partitions, origin, steps, cached, report,
      toDisposable(async () => {
        init.dispose();
        answers?.dispose();
        this.loaded.delete(dataset);
        await this.pool.runOnEach('drop-dataset', () => ({ datasetId: key })).catch(() => {});
      }),
      undefined,
      answers,
    );
    this.loaded.add(dataset);
    return dataset;
  }
}

/** How workers are to deliver their next chunks to `writer` (see chunk-stream.ts). */
function delivery(writer: CacheWriter): Delivery {
  return writer.backend === 'indexeddb' ? 'store' : writer.backend === 'memory' ? 'send' : 'stop';
}

/** The standard pool of data workers (same-origin module scripts: strict-CSP and Trusted Types safe). */
export function createDataPool(size?: number): WorkerPool {
  return new WorkerPool({
    name: 'clientlens data',
    size,
    createWorker: () => new Worker(new URL('../../workers/data-worker.ts', import.meta.url), { type: 'module', name: 'clientlens-data' }),
  });
}

interface SharedLoad {
  promise: Promise<Dataset>;
  readonly controller: AbortController;
  readonly listeners: Set<(p: LoadProgress) => void>;
  waiters: number;
}

/** Sources that can be shared: same generator options, or same URL with the same ingest settings. */
function shareKey(source: DataSource, options: LoadOptions): string | null {
  if (options.useCache === false) return null;
  if (source.kind === 'generate') return `generate|${stableJson(source.options)}`;
  if (source.kind === 'url') return `url|${source.url}|${stableJson(source.ingest ?? {})}`;
  return null;
}

function joinShared(entry: SharedLoad, options: LoadOptions): Promise<Dataset> {
  entry.waiters++;
  if (options.onProgress) entry.listeners.add(options.onProgress);
  return new Promise<Dataset>((resolve, reject) => {
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      if (options.onProgress) entry.listeners.delete(options.onProgress);
      options.signal?.removeEventListener('abort', onAbort);
      entry.waiters--;
    };
    const onAbort = () => {
      leave();
      if (entry.waiters === 0) entry.controller.abort(options.signal?.reason);
      reject(options.signal?.reason ?? new DOMException('Load cancelled', 'AbortError'));
    };
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    entry.promise.then(
      (d) => {
        if (left) return;
        leave();
        resolve(d.retain());
      },
      (e) => {
        if (left) return;
        leave();
        reject(e);
      },
    );
  });
}

function range(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i);
}

interface ReadResult {
  readonly bytes: ArrayBuffer;
  readonly id: string;
  readonly version: string;
}

async function readSource(source: Exclude<DataSource, { kind: 'generate' }>, signal: AbortSignal | undefined, onProgress: (f: number) => void): Promise<ReadResult> {
  if (source.kind === 'bytes') {
    return { bytes: source.bytes, id: `bytes:${source.name}`, version: await sha256Hex(source.bytes) };
  }
  if (source.kind === 'file') {
    const bytes = await source.file.arrayBuffer();
    const name = source.file.name ?? 'file';
    return { bytes, id: `file:${name}`, version: `${source.file.size}:${source.file.lastModified ?? 0}:${await sha256Hex(bytes)}` };
  }
  let response: Response;
  try {
    response = await fetch(source.url, { signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new DataLoadError(`Could not fetch ${source.url}: ${(err as Error).message} (network error, or the server does not allow this page to read it: CORS).`, undefined, { cause: err });
  }
  if (!response.ok) throw new DataLoadError(`Fetching ${source.url} failed: HTTP ${response.status} ${response.statusText}.`);
  const bytes = await readBody(response, onProgress);
  const tag = response.headers.get('etag') ?? response.headers.get('last-modified');
  return { bytes, id: `url:${new URL(source.url, globalThis.location?.href).href}`, version: tag ? `etag:${tag}:${bytes.byteLength}` : await sha256Hex(bytes) };
}

async function readBody(response: Response, onProgress: (f: number) => void): Promise<ArrayBuffer> {
  // Content-Length is the encoded size when the server compresses: a progress hint, not a size.
  const total = Number(response.headers.get('content-length')) || 0;
  if (!response.body || !total) return response.arrayBuffer();
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let pos = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    pos += value.length;
    onProgress(Math.min(1, pos / total));
  }
  const joined = new Uint8Array(pos);
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.length;
  }
  return joined.buffer;
}
