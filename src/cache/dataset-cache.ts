/**
 * DatasetCache: Arrow IPC chunks of datasets in IndexedDB (through idb), with a manifest per entry.
 *
 * Contracts:
 * - An entry is written chunk by chunk, one transaction each, and becomes visible only when its
 *   manifest is written last, after a check that every chunk record is there (cache-writer.ts):
 *   a write stopped midway leaves no usable entry. `beginWrite` streams chunks as they are made;
 *   `put` writes chunks already at hand the same way. `get` reads and verifies every chunk: an
 *   entry with a missing chunk, a wrong size or a digest mismatch is deleted and reported as a
 *   warning, never returned.
 * - Chunks are stored as Blobs. `open` hands out the Blobs unread (checking presence and sizes
 *   only), so that workers can read and hash them in parallel off the main thread; a caller using
 *   `open` must verify each chunk against `manifest.chunks[i].digest` before use and `discard` the
 *   entry on a mismatch (DataHub does both).
 * - The cache never throws for storage trouble. IndexedDB missing or refusing to open (private mode,
 *   sandboxed frames), quota exceeded, a database deleted or upgraded by another tab: it keeps the
 *   data in memory for this page, emits a warning saying what happened, and carries on.
 * - Entries are evicted least-recently-used first when the total would exceed `budgetBytes`.
 */
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { createChunkKey, openChunk, sealedSize } from './chunk-crypto.js';
import { manifestKey, upgradeManifest, type ColumnInfo, type DatasetManifest } from './cache-manifest.js';
import { combineDigests } from './checksum.js';
import { chunkDigest, digestMatches } from './chunk-digest.js';
import type { CacheWriter } from './cache-writer.js';
import { chunkRange } from './chunk-range.js';
import { describe } from './describe-error.js';
import { Emitter, type Disposable } from '../lifecycle/disposable.js';
import { formatBytes } from '../i18n/format-bytes.js';

export type CacheBackend = 'indexeddb' | 'memory';

export type CacheWarningCode = 'unavailable' | 'blocked' | 'quota' | 'corrupt' | 'too-large' | 'evicted' | 'expired' | 'write-failed' | 'read-failed' | 'connection-lost';

export interface CacheWarning {
  readonly code: CacheWarningCode;
  readonly message: string;
  readonly key?: string;
}

export interface CachePutInput {
  readonly id: string;
  readonly version: string;
  readonly schema: readonly ColumnInfo[];
  readonly chunkRows: readonly number[];
  /**
   * Chunk bytes, or Blobs a worker already made of them (the page then never holds the bytes: a
   * 5M-client book is 0.75 GB less at its peak). Cloned into storage, so the caller may transfer
   * buffers afterwards. Blobs are only accepted without encryption (sealing needs the bytes).
   */
  readonly chunks: readonly (ArrayBuffer | Blob)[];
  /** chunkDigest of each chunk when already known (workers compute them off the main thread). */
  readonly digests?: readonly string[];
  readonly meta?: Record<string, unknown>;
}

export interface CacheEntry {
  readonly manifest: DatasetManifest;
  readonly chunks: ArrayBuffer[];
}

export interface PutResult {
  readonly manifest: DatasetManifest;
  /** Where the entry ended up; 'none' when it was larger than the whole budget. */
  readonly stored: CacheBackend | 'none';
}

export interface DatasetCacheOptions {
  /** Database name; one per app on the page. Default 'clientlens-cache'. */
  readonly name?: string;
  /** Total bytes kept before least-recently-used entries are evicted. Default 2 GiB. */
  readonly budgetBytes?: number;
  /** 'memory' keeps entries for this page only (for hosts that must not persist client data). Default 'indexeddb'. */
  readonly storage?: CacheBackend;
  /** Encrypt chunks and metadata at rest with a non-extractable AES-GCM key (chunk-crypto.ts). */
  readonly encrypt?: boolean;
  /** Entries older than this (ms since written) are dropped instead of served. */
  readonly ttlMs?: number;
  /**
   * How long to wait for another tab or frame that holds the database open at an older version
   * and does not close it (the upgrade is `blocked`) before giving up and keeping data in memory.
   * Default 2000 ms.
   */
  readonly blockedWaitMs?: number;
}

/** An entry whose chunk bytes have not been read yet (see `open`). */
export interface CacheEntryHandle {
  readonly manifest: DatasetManifest;
  readonly blobs: Blob[];
  /** Set when the blobs are sealed: decrypt each with openChunk before checking its digest. */
  readonly key?: CryptoKey;
}

export interface CacheDB extends DBSchema {
  manifests: { key: string; value: DatasetManifest; indexes: { byId: string } };
  // Blobs since v0.1; plain ArrayBuffers are still read.
  chunks: { key: [string, number]; value: Blob | ArrayBuffer };
  keys: { key: string; value: { name: string; key: CryptoKey } };
  // Since v3: kernel answers kept with an entry, [entry key, query key] (see readAnswers).
  answers: { key: [string, string]; value: StoredAnswer };
}

/** A kernel answer kept with a cache entry for the next visit (src/query/answer-book.ts). */
export interface StoredAnswer {
  readonly query: string;
  /** The code that computed it; answers of other code are dropped unread. */
  readonly code: string;
  /** When it was computed (ms since epoch): the newest are kept. */
  readonly at: number;
  readonly value: unknown;
}

/** Answers kept per entry, newest first; older ones are deleted when the entry's answers are read. */
export const MAX_STORED_ANSWERS = 64;

const DB_VERSION = 3;
const KEY_NAME = 'chunks-aes-gcm';
const DEFAULT_BUDGET = 2 * 1024 ** 3;
const DEFAULT_BLOCKED_WAIT_MS = 2000;

export class DatasetCache {
  private db: IDBPDatabase<CacheDB> | null = null;
  private dbFailed = false;
  private readonly memory = new Map<string, CacheEntry>();
  private readonly warnings = new Emitter<CacheWarning>();
  readonly name: string;
  readonly budgetBytes: number;
  private readonly wantsIndexedDB: boolean;
  readonly encrypt: boolean;
  readonly ttlMs: number | undefined;
  readonly blockedWaitMs: number;
  private cryptoKey?: Promise<CryptoKey>;

  private constructor(options: DatasetCacheOptions) {
    this.name = options.name ?? 'clientlens-cache';
    this.budgetBytes = options.budgetBytes ?? DEFAULT_BUDGET;
    if (!(this.budgetBytes > 0)) throw new RangeError(`DatasetCache budgetBytes must be a positive number of bytes; got ${options.budgetBytes}`);
    if (options.storage !== undefined && options.storage !== 'indexeddb' && options.storage !== 'memory') {
      throw new TypeError(`DatasetCache storage must be 'indexeddb' or 'memory'; got ${JSON.stringify(options.storage)}`);
    }
    this.wantsIndexedDB = options.storage !== 'memory';
    this.encrypt = options.encrypt === true;
    if (options.ttlMs !== undefined && !(options.ttlMs > 0)) throw new RangeError(`DatasetCache ttlMs must be a positive number of milliseconds; got ${options.ttlMs}`);
    this.ttlMs = options.ttlMs;
    this.blockedWaitMs = options.blockedWaitMs ?? DEFAULT_BLOCKED_WAIT_MS;
    if (!(this.blockedWaitMs >= 0)) throw new RangeError(`DatasetCache blockedWaitMs must be a number of milliseconds >= 0; got ${options.blockedWaitMs}`);
  }

  /** Opens the cache. Never rejects for storage trouble: it falls back to memory and warns. */
  static async open(options: DatasetCacheOptions = {}, onWarning?: (w: CacheWarning) => void): Promise<DatasetCache> {
    const cache = new DatasetCache(options);
    if (onWarning) cache.onWarning(onWarning);
    await cache.connect();
    return cache;
  }

  get backend(): CacheBackend {
    return this.db ? 'indexeddb' : 'memory';
  }

  onWarning(listener: (w: CacheWarning) => void): Disposable {
    return this.warnings.on(listener);
  }

  private warn(code: CacheWarningCode, message: string, key?: string): void {
    this.warnings.emit({ code, message, key });
  }

  private async connect(): Promise<IDBPDatabase<CacheDB> | null> {
    if (this.db) return this.db;
    if (this.dbFailed) return null;
    if (!this.wantsIndexedDB) {
      this.dbFailed = true;
      return null;
    }
    if (typeof indexedDB === 'undefined' || !indexedDB) {
      this.dbFailed = true;
      this.warn('unavailable', 'IndexedDB is not available on this page (private mode or a sandboxed frame?); data is kept in memory and will be reloaded on the next visit.');
      return null;
    }
    // An upgrade blocked by a connection that ignores `versionchange` would wait forever: wait
    // `blockedWaitMs`, then carry on in memory. Resolves with null when we gave up.
    let giveUp: (() => void) | undefined;
    const gaveUp = new Promise<null>((resolve) => (giveUp = () => resolve(null)));
    let blockedTimer: ReturnType<typeof setTimeout> | undefined;
    try {
      const opening = openDB<CacheDB>(this.name, DB_VERSION, {
        upgrade(db) {
          if (!db.objectStoreNames.contains('manifests')) db.createObjectStore('manifests', { keyPath: 'key' }).createIndex('byId', 'id');
          if (!db.objectStoreNames.contains('chunks')) db.createObjectStore('chunks');
          if (!db.objectStoreNames.contains('keys')) db.createObjectStore('keys', { keyPath: 'name' });
          if (!db.objectStoreNames.contains('answers')) db.createObjectStore('answers');
        },
        blocked: () => {
          blockedTimer ??= setTimeout(() => giveUp!(), this.blockedWaitMs);
        },
        blocking: () => {
          // Another tab wants to upgrade or delete the database: step aside, reconnect on next use.
          this.db?.close();
          this.db = null;
        },
        terminated: () => {
          this.db = null;
          this.warn('connection-lost', 'The cache database was closed by the browser; reconnecting on next use.');
        },
      });
      const db = await Promise.race([opening, gaveUp]);
      if (db === null) {
        // Should the other connection close later, the upgrade completes: close that connection
        // at once, so this page never holds a database it does not use.
        opening.then((late) => late.close(), () => {});
        this.dbFailed = true;
        this.warn('blocked', `Another tab or frame keeps the cache database "${this.name}" open at an older version and did not close it within ${this.blockedWaitMs} ms, so the cache could not be upgraded; data is kept in memory for this page. Close the other tab to cache again.`);
        return null;
      }
      this.db = db;
      return this.db;
    } catch (err) {
      this.dbFailed = true;
      this.warn('unavailable', `IndexedDB could not be opened (${describe(err)}); data is kept in memory for this page.`);
      return null;
    } finally {
      clearTimeout(blockedTimer);
    }
  }

  /** The page's chunk key: read from IndexedDB, or made (non-extractable) and stored on first use. */
  private chunkKey(db: IDBPDatabase<CacheDB>): Promise<CryptoKey> {
    return (this.cryptoKey ??= (async () => {
      const stored = await db.get('keys', KEY_NAME);
      if (stored) return stored.key;
      const key = await createChunkKey();
      await db.put('keys', { name: KEY_NAME, key });
      return key;
    })());
  }

  private expired(m: DatasetManifest): boolean {
    return this.ttlMs !== undefined && Date.now() - m.created > this.ttlMs;
  }

  /**
   * Starts writing an entry chunk by chunk (see cache-writer.ts): for chunks that are produced over
   * time, so that only the few in flight are held anywhere. The caller must end it with `commit`
   * or `abort`: until then the entry's lock is held. With encryption on, hand `sealKey` to whoever
   * makes the chunks so they arrive sealed. Never rejects for storage trouble.
   */
  async beginWrite(id: string, version: string): Promise<CacheWriter> {
    const problems = identityProblems(id, version);
    if (problems.length) throw new TypeError(`DatasetCache.beginWrite: ${problems.join('; ')}`);
    // The writer's code loads with the first write: a page reading a cached dataset never needs it
    // (it kept the elements and core over their 60 KB gzipped budget).
    const [{ CacheWriter }, db] = await Promise.all([import('./cache-writer.js'), this.connect()]);
    let key: CryptoKey | undefined;
    if (db && this.encrypt) {
      try {
        key = await this.chunkKey(db);
      } catch (err) {
        this.cryptoKey = undefined;
        this.warn('write-failed', `The cache's encryption key could not be read or made (${describe(err)}); "${id}" is kept in memory for this page.`, manifestKey(id, version));
        return CacheWriter.begin(this.writerHost(), null, id, version, undefined);
      }
    }
    return CacheWriter.begin(this.writerHost(), db, id, version, key);
  }

  /** Stores an entry whose chunks are all at hand (written as beginWrite does). */
  async put(input: CachePutInput): Promise<PutResult> {
    validatePut(input);
    const digests = input.digests ?? (await eachInItsOwnTask(input.chunks, async (c) => chunkDigest(c instanceof Blob ? await c.arrayBuffer() : c)));
    const bytes = input.chunks.reduce((s, c) => s + sizeOf(c), 0);
    if (bytes > this.budgetBytes) {
      const now = Date.now();
      const manifest: DatasetManifest = {
        key: manifestKey(input.id, input.version), id: input.id, version: input.version, schema: input.schema,
        rows: input.chunkRows.reduce((s, r) => s + r, 0), bytes,
        chunks: input.chunks.map((c, i) => ({ rows: input.chunkRows[i], bytes: sizeOf(c), digest: digests[i] })),
        checksum: await combineDigests(digests), created: now, lastAccess: now, meta: input.meta,
      };
      this.warn('too-large', `Dataset "${input.id}" is ${formatBytes(bytes)}, more than the cache budget of ${formatBytes(this.budgetBytes)}; it is not cached.`, manifest.key);
      return { manifest, stored: 'none' };
    }
    const writer = await this.beginWrite(input.id, input.version);
    try {
      for (let i = 0; i < input.chunks.length; i++) {
        await writer.write({ index: i, rows: input.chunkRows[i], bytes: sizeOf(input.chunks[i]), digest: digests[i], data: input.chunks[i] });
      }
    } catch (err) {
      await writer.abort();
      throw err;
    }
    return writer.commit({ schema: input.schema, chunkCount: input.chunks.length, meta: input.meta });
  }

  private writerHost() {
    return {
      cacheName: this.name,
      budgetBytes: this.budgetBytes,
      warn: (code: CacheWarningCode, message: string, key?: string) => this.warn(code, message, key),
      list: () => this.list(),
      deleteKey: (key: string) => this.deleteKey(key),
      keepInMemory: (entry: CacheEntry) => void this.memory.set(entry.manifest.key, entry),
      forgetInMemory: (key: string) => void this.memory.delete(key),
    };
  }

  /** The newest complete, verified entry of `id` (of `version` if given), or undefined. */
  async get(id: string, version?: string): Promise<CacheEntry | undefined> {
    const handle = await this.open(id, version);
    if (!handle) return undefined;
    let chunks: ArrayBuffer[];
    try {
      chunks = await Promise.all(handle.blobs.map(async (b) => (handle.key ? openChunk(handle.key, await b.arrayBuffer()) : b.arrayBuffer())));
    } catch (err) {
      await this.discard(handle.manifest.key, `a chunk could not be read: ${describe(err)}`);
      return undefined;
    }
    const problem = await verify(handle.manifest, chunks);
    if (problem) {
      await this.discard(handle.manifest.key, problem);
      return undefined;
    }
    return { manifest: handle.manifest, chunks };
  }

  /**
   * The newest entry of `id` with every chunk present at its recorded size, bytes unread.
   * The caller must check digests before using the bytes, and call `discard` on a mismatch.
   */
  async open(id: string, version?: string): Promise<CacheEntryHandle | undefined> {
    const mem = this.findInMemory(id, version);
    if (mem) return { manifest: mem.manifest, blobs: mem.chunks.map((c) => new Blob([c])) };
    const db = await this.connect();
    if (!db) return undefined;
    let manifest: DatasetManifest | undefined;
    let values: (Blob | ArrayBuffer | undefined)[];
    try {
      const tx = db.transaction(['manifests', 'chunks'], 'readonly');
      if (version !== undefined) manifest = await tx.objectStore('manifests').get(manifestKey(id, version));
      else manifest = newest(await tx.objectStore('manifests').index('byId').getAll(id));
      if (!manifest) return undefined;
      manifest = upgradeManifest(manifest);
      const store = tx.objectStore('chunks');
      const m = manifest;
      values = await Promise.all(m.chunks.map((_, i) => store.get([m.key, i])));
      await tx.done;
    } catch (err) {
      this.warn('read-failed', `Reading "${id}" from the cache failed (${describe(err)}); it will be loaded again.`);
      return undefined;
    }
    if (this.expired(manifest)) {
      this.warn('expired', `Cached dataset "${id}" is older than the cache's time-to-live; it was dropped and will be loaded again.`, manifest.key);
      await this.deleteKey(manifest.key);
      return undefined;
    }
    const problem = checkPresence(manifest, values);
    if (problem) {
      await this.discard(manifest.key, problem);
      return undefined;
    }
    let key: CryptoKey | undefined;
    if (manifest.encrypted) {
      try {
        key = await this.chunkKey(db);
        if (manifest.sealedMeta) manifest = { ...manifest, meta: JSON.parse(new TextDecoder().decode(await openChunk(key, manifest.sealedMeta))) };
      } catch (err) {
        await this.discard(manifest.key, `it could not be decrypted (${describe(err)})`);
        return undefined;
      }
    }
    try {
      const record = await db.get('manifests', manifest.key);
      if (record) await db.put('manifests', { ...record, lastAccess: Date.now() });
    } catch {
      // Recency is a hint for eviction; failing to record it must not fail the read.
    }
    return { manifest, blobs: values.map((v) => (v instanceof Blob ? v : new Blob([v!]))), key };
  }

  /** Deletes a damaged entry and says why (a digest mismatch found by a reader). */
  async discard(key: string, reason: string): Promise<void> {
    const id = key.slice(0, key.lastIndexOf('@'));
    this.warn('corrupt', `Cached dataset "${id}" was damaged (${reason}); it was discarded and will be loaded again.`, key);
    await this.deleteKey(key);
  }

  /** Manifests of every entry, memory fallback included. */
  async list(): Promise<DatasetManifest[]> {
    const out = new Map<string, DatasetManifest>();
    const db = await this.connect();
    if (db) {
      try {
        for (const m of await db.getAll('manifests')) out.set(m.key, upgradeManifest(m));
      } catch (err) {
        this.warn('read-failed', `Listing the cache failed (${describe(err)}).`);
      }
    }
    for (const [k, e] of this.memory) out.set(k, e.manifest);
    return [...out.values()];
  }

  /** Removes every version of `id` (or just `version`); returns how many entries went. */
  async evict(id: string, version?: string): Promise<number> {
    const keys = (await this.list()).filter((m) => m.id === id && (version === undefined || m.version === version)).map((m) => m.key);
    for (const k of keys) await this.deleteKey(k);
    return keys.length;
  }

  /** Removes every entry. */
  async clear(): Promise<void> {
    this.memory.clear();
    const db = await this.connect();
    if (!db) return;
    const tx = db.transaction(['manifests', 'chunks', 'answers'], 'readwrite');
    void tx.objectStore('manifests').clear();
    void tx.objectStore('chunks').clear();
    void tx.objectStore('answers').clear();
    await tx.done;
  }

  /**
   * Whether answers computed from an entry may be kept with it: only in IndexedDB (a memory cache
   * lasts no longer than the page's own recent answers) and never when the cache encrypts, since
   * answers (the churn list's clients, say) would be stored in the clear beside sealed chunks.
   */
  get keepsAnswers(): boolean {
    return this.backend === 'indexeddb' && !this.encrypt;
  }

  /**
   * The answers kept with entry `key` by `code`, by query key. Answers of other code go unread,
   * and all but the newest MAX_STORED_ANSWERS are deleted. Never rejects: on storage trouble there
   * are no answers, and the panels compute them.
   */
  async readAnswers(key: string, code: string): Promise<Map<string, unknown>> {
    const out = new Map<string, unknown>();
    if (!this.keepsAnswers) return out;
    const db = await this.connect();
    if (!db) return out;
    try {
      const tx = db.transaction('answers', 'readwrite');
      const store = tx.objectStore('answers');
      const records = (await store.getAll(answerRange(key))).sort((a, b) => b.at - a.at);
      for (const r of records) {
        if (r.code === code && out.size < MAX_STORED_ANSWERS) out.set(r.query, r.value);
        else void store.delete([key, r.query]);
      }
      await tx.done;
    } catch {
      out.clear();
    }
    return out;
  }

  /**
   * Keeps answers with entry `key`, if the entry is still there (an entry evicted or discarded
   * meanwhile takes no answers). Best effort: never rejects, and a failure only costs the next
   * visit the time to compute them.
   */
  async writeAnswers(key: string, code: string, answers: readonly (readonly [query: string, value: unknown])[]): Promise<void> {
    if (!this.keepsAnswers || answers.length === 0) return;
    const db = await this.connect();
    if (!db) return;
    try {
      const tx = db.transaction(['manifests', 'answers'], 'readwrite');
      if (await tx.objectStore('manifests').count(key)) {
        const store = tx.objectStore('answers');
        const at = Date.now();
        for (const [query, value] of answers) void store.put({ query, code, at, value }, [key, query]);
      }
      await tx.done;
    } catch {
      // An answer that cannot be stored (quota, a value IndexedDB refuses) is computed again next time.
    }
  }

  close(): void {
    this.db?.close();
    this.db = null;
  }

  /** Removes every trace: entries, the encryption key and the database itself. */
  async destroy(): Promise<void> {
    this.memory.clear();
    this.close();
    this.cryptoKey = undefined;
    if (this.wantsIndexedDB && typeof indexedDB !== 'undefined') await deleteDB(this.name);
  }

  private findInMemory(id: string, version?: string): CacheEntry | undefined {
    if (version !== undefined) return this.memory.get(manifestKey(id, version));
    const entries = [...this.memory.values()].filter((e) => e.manifest.id === id);
    const m = newest(entries.map((e) => e.manifest));
    return m && this.memory.get(m.key);
  }

  private async deleteKey(key: string): Promise<void> {
    this.memory.delete(key);
    const db = await this.connect();
    if (!db) return;
    try {
      const tx = db.transaction(['manifests', 'chunks', 'answers'], 'readwrite');
      void tx.objectStore('manifests').delete(key);
      void tx.objectStore('chunks').delete(chunkRange(key));
      void tx.objectStore('answers').delete(answerRange(key));
      await tx.done;
    } catch (err) {
      this.warn('write-failed', `Removing "${key}" from the cache failed (${describe(err)}).`, key);
    }
  }
}

/** Every answer record of entry `key`: [key, query] keys, whatever the query. */
function answerRange(key: string): IDBKeyRange {
  // Arrays sort after strings: [key, []] is above every [key, query].
  return IDBKeyRange.bound([key], [key, []]);
}

function newest(manifests: DatasetManifest[]): DatasetManifest | undefined {
  return manifests.sort((a, b) => b.created - a.created)[0];
}

function checkPresence(m: DatasetManifest, values: (Blob | ArrayBuffer | undefined)[]): string | null {
  for (let i = 0; i < m.chunks.length; i++) {
    const v = values[i];
    const size = v instanceof Blob ? v.size : v instanceof ArrayBuffer ? v.byteLength : -1;
    const expected = m.encrypted ? sealedSize(m.chunks[i].bytes) : m.chunks[i].bytes;
    if (size < 0) return `chunk ${i + 1} of ${m.chunks.length} is missing`;
    if (size !== expected) return `chunk ${i + 1} has ${size} bytes, ${expected} expected`;
  }
  return null;
}

async function verify(m: DatasetManifest, chunks: ArrayBuffer[]): Promise<string | null> {
  const matches = await eachInItsOwnTask(chunks, (c, i) => digestMatches(c, m.chunks[i].digest));
  const bad = matches.indexOf(false);
  if (bad >= 0) return `chunk ${bad + 1} fails its checksum`;
  if ((await combineDigests(m.chunks.map((c) => c.digest))) !== m.checksum) return 'the manifest checksum does not match';
  return null;
}

/**
 * `fn` over the chunks one at a time, each in a task of its own: digests are computed on this
 * thread (chunk-digest.ts), 5-20 ms per 128k-row chunk (about 20 MB), and a whole entry at once
 * would be a long task on a page's main thread.
 */
async function eachInItsOwnTask<T, R>(items: readonly T[], fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 0));
    out.push(await fn(items[i], i));
  }
  return out;
}

function identityProblems(id: unknown, version: unknown): string[] {
  const problems: string[] = [];
  if (typeof id !== 'string' || id === '') problems.push('id must be a non-empty string');
  if (typeof version !== 'string') problems.push('version must be a string');
  return problems;
}

function validatePut(input: CachePutInput): void {
  const problems = identityProblems(input.id, input.version);
  if (!Array.isArray(input.chunks) || input.chunks.some((c) => !(c instanceof ArrayBuffer) && !(typeof Blob !== 'undefined' && c instanceof Blob))) problems.push('chunks must be an array of ArrayBuffers or Blobs');
  else if (input.chunkRows.length !== input.chunks.length) problems.push(`chunkRows has ${input.chunkRows.length} entries for ${input.chunks.length} chunks`);
  if (input.digests && input.digests.length !== input.chunks.length) problems.push(`digests has ${input.digests.length} entries for ${input.chunks.length} chunks`);
  if (problems.length) throw new TypeError(`DatasetCache.put: ${problems.join('; ')}`);
}

function sizeOf(c: ArrayBuffer | Blob): number {
  return c instanceof Blob ? c.size : c.byteLength;
}
