/**
 * CacheWriter: one cache entry written chunk by chunk while its chunks are being produced, so that
 * neither the page nor the browser's blob store ever holds all of them (a 5M-client book is
 * 0.75 GB of IPC bytes). DatasetCache.beginWrite makes one; DatasetCache.put is built on it.
 *
 * Contracts:
 * - Visibility: an entry exists for readers only once `commit` writes its manifest, in a
 *   transaction that first checks that every chunk record it lists is there. Readers start from
 *   the manifest, so a write stopped anywhere before that (page closed, tab crashed, `abort`)
 *   leaves no usable entry, only chunk records without a manifest; the next `beginWrite` of any
 *   entry removes those (never the records of a write still in progress, see the lock below).
 * - Begin first removes an entry stored under the same key (manifest and chunks), so an old
 *   manifest is never paired with new chunks.
 * - The writer holds the Web Lock of its key from begin to commit or abort: two tabs writing one
 *   entry take turns, and the sweep of orphaned chunks skips keys whose lock is held.
 * - `write` resolves once its chunk is stored (committed to IndexedDB, or kept in page memory, or
 *   dropped because the entry will not be cached); a caller bounds what is in flight by waiting
 *   on it. Writes are applied one at a time in call order. Writes after `abort` are ignored.
 * - Storage trouble never throws. A quota or write error moves the entry to page memory (chunks
 *   already on disk are read back, then removed from disk) with a warning; an entry whose chunks
 *   pass the budget is dropped with a 'too-large' warning. `commit` says where the entry ended up.
 * - Chunks may arrive already sealed with `sealKey` (workers seal them, so the page never holds
 *   their plain bytes). Sizes and digests given with a chunk are always those of the plain bytes.
 * - A worker may write a chunk record itself (chunk-records.ts) and hand the writer only its facts
 *   (`adopt`), while `backend` is 'indexeddb'; the budget is then applied just after the record
 *   landed rather than before, so the disk may pass it by the chunks in flight for a moment.
 */
import type { IDBPDatabase } from 'idb';
import { openChunk, sealChunk } from './chunk-crypto.js';
import { chooseEvictions, manifestKey, type ChunkInfo, type ColumnInfo, type DatasetManifest } from './cache-manifest.js';
import { combineDigests } from './checksum.js';
import { digestProblem } from './chunk-digest.js';
import { formatBytes } from '../i18n/format-bytes.js';
import { chunkRange } from './chunk-range.js';
import { describe } from './describe-error.js';
import type { CacheBackend, CacheDB, CacheEntry, CacheWarningCode, PutResult } from './dataset-cache.js';

export interface ChunkRecord {
  /** Position of the chunk in the entry, from 0. */
  readonly index: number;
  readonly rows: number;
  /** Size of the plain IPC bytes. */
  readonly bytes: number;
  /** chunkDigest (chunk-digest.ts) of the plain IPC bytes. */
  readonly digest: string;
  /** The bytes (copied, so the caller may transfer them afterwards) or a Blob of them. */
  readonly data: ArrayBuffer | Blob;
  /** `data` is sealed with the writer's `sealKey` (see chunk-crypto.ts). */
  readonly sealed?: boolean;
}

export interface CommitInput {
  readonly schema: readonly ColumnInfo[];
  /** How many chunks the entry has: chunks 0..chunkCount-1 must all have been written. */
  readonly chunkCount: number;
  readonly meta?: Record<string, unknown>;
}

/** What the writer needs from its DatasetCache. */
export interface WriterHost {
  readonly cacheName: string;
  readonly budgetBytes: number;
  warn(code: CacheWarningCode, message: string, key?: string): void;
  list(): Promise<DatasetManifest[]>;
  deleteKey(key: string): Promise<void>;
  keepInMemory(entry: CacheEntry): void;
  /** The entry is on disk now: a copy kept in memory earlier in this page is stale. */
  forgetInMemory(key: string): void;
}

type Mode = CacheBackend | 'none';

export class CacheWriter {
  readonly key: string;
  private mode: Mode;
  private readonly info: ChunkInfo[] = [];
  /** Plain bytes by index, while the entry is headed for page memory. */
  private readonly plain: ArrayBuffer[] = [];
  private readonly onDisk = new Set<number>();
  private written = 0;
  private queue: Promise<void> = Promise.resolve();
  private state: 'open' | 'committed' | 'aborted' = 'open';
  /** Other entries, least recently used first to go when this one needs room. */
  private others: DatasetManifest[] = [];

  private constructor(
    private readonly host: WriterHost,
    private readonly db: IDBPDatabase<CacheDB> | null,
    readonly id: string,
    readonly version: string,
    /** Seal chunks with this key (workers may do it themselves); set when the cache encrypts. */
    readonly sealKey: CryptoKey | undefined,
    private readonly release: () => void,
  ) {
    this.key = manifestKey(id, version);
    this.mode = db ? 'indexeddb' : 'memory';
  }

  /** Starts an entry; `db` null means the cache keeps entries in page memory. Never rejects for storage trouble. */
  static async begin(host: WriterHost, db: IDBPDatabase<CacheDB> | null, id: string, version: string, sealKey: CryptoKey | undefined): Promise<CacheWriter> {
    const key = manifestKey(id, version);
    const release = db ? await holdLock(entryLockName(host.cacheName, key)) : () => {};
    const writer = new CacheWriter(host, db, id, version, db ? sealKey : undefined, release);
    writer.others = (await host.list()).filter((m) => m.key !== key);
    if (db) {
      try {
        const tx = db.transaction(['manifests', 'chunks'], 'readwrite');
        void tx.objectStore('manifests').delete(key);
        void tx.objectStore('chunks').delete(chunkRange(key));
        await tx.done;
        await sweepOrphans(db, host.cacheName);
      } catch (err) {
        await writer.fallBack(err);
      }
    }
    return writer;
  }

  /** Where the entry is headed now: a worker may store chunks itself only while this is 'indexeddb'. */
  get backend(): Mode {
    return this.mode;
  }

  /** Takes over chunk `index`, whose record a worker wrote at [key, index]; resolves once it is accounted for. */
  adopt(chunk: Omit<ChunkRecord, 'data' | 'sealed'>): Promise<void> {
    if (this.state === 'committed') return Promise.reject(new Error(`CacheWriter: chunk ${chunk.index} of "${this.id}" was adopted after the entry was committed.`));
    const problem = checkRecord({ ...chunk, data: new ArrayBuffer(0) }, this.info);
    if (problem) return Promise.reject(new TypeError(`CacheWriter.adopt: ${problem}`));
    if (this.state === 'open') this.info[chunk.index] = { rows: chunk.rows, bytes: chunk.bytes, digest: chunk.digest };
    const run = this.queue.then(() => this.applyAdopted(chunk.index, chunk.bytes));
    this.queue = run.catch(() => {});
    return run;
  }

  /** Someone writing for this entry (a worker) hit a storage error: the entry moves to page memory. */
  fail(error: { name: string; message: string }): Promise<void> {
    const run = this.queue.then(async () => {
      if (this.mode === 'indexeddb' && this.state !== 'aborted') await this.fallBack(Object.assign(new Error(error.message), { name: error.name }));
    });
    this.queue = run.catch(() => {});
    return run;
  }

  /** Stores one chunk; see the contracts for when it resolves. */
  write(chunk: ChunkRecord): Promise<void> {
    if (this.state === 'aborted') return Promise.resolve();
    if (this.state === 'committed') return Promise.reject(new Error(`CacheWriter: chunk ${chunk.index} of "${this.id}" was written after the entry was committed.`));
    const problem = checkRecord(chunk, this.info);
    if (problem) return Promise.reject(new TypeError(`CacheWriter.write: ${problem}`));
    this.info[chunk.index] = { rows: chunk.rows, bytes: chunk.bytes, digest: chunk.digest };
    const run = this.queue.then(() => this.apply(chunk));
    this.queue = run.catch(() => {});
    return run;
  }

  /** Writes the manifest: the entry becomes visible, whole. Releases the lock. */
  async commit(input: CommitInput): Promise<PutResult> {
    if (this.state !== 'open') throw new Error(`CacheWriter: "${this.id}" was already ${this.state}.`);
    this.state = 'committed';
    try {
      await this.queue;
      const missing = Array.from({ length: input.chunkCount }, (_, i) => i).filter((i) => !this.info[i]);
      if (!Number.isInteger(input.chunkCount) || input.chunkCount < 0 || missing.length || this.info.length > input.chunkCount) {
        throw new TypeError(`CacheWriter.commit: chunkCount ${input.chunkCount} does not match the chunks written (${missing.length ? `missing ${missing.slice(0, 5).map((i) => i).join(', ')}` : `${this.info.length} written`}).`);
      }
      const chunks = this.info.slice(0, input.chunkCount);
      const now = Date.now();
      const manifest: DatasetManifest = {
        key: this.key,
        id: this.id,
        version: this.version,
        schema: input.schema,
        rows: chunks.reduce((s, c) => s + c.rows, 0),
        bytes: chunks.reduce((s, c) => s + c.bytes, 0),
        chunks,
        checksum: await combineDigests(chunks.map((c) => c.digest)),
        created: now,
        lastAccess: now,
        meta: input.meta,
      };
      if (this.mode === 'indexeddb') {
        try {
          await this.writeManifest(manifest);
          this.host.forgetInMemory(this.key);
          return { manifest, stored: 'indexeddb' };
        } catch (err) {
          await this.fallBack(err);
        }
      }
      if (this.mode === 'memory' && chunks.every((_, i) => this.plain[i])) {
        this.host.keepInMemory({ manifest, chunks: this.plain.slice(0, input.chunkCount) });
        return { manifest, stored: 'memory' };
      }
      return { manifest, stored: 'none' };
    } finally {
      this.release();
    }
  }

  /** Drops what was written (nothing becomes visible) and releases the lock. */
  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    try {
      await this.queue;
      this.plain.length = 0;
      if (this.mode === 'indexeddb' && this.onDisk.size) await this.deleteChunks();
    } finally {
      this.release();
    }
  }

  private async apply(c: ChunkRecord): Promise<void> {
    if (this.mode === 'none' || this.state === 'aborted' || !(await this.makeRoom(c.bytes))) return;
    if (this.mode === 'indexeddb') {
      try {
        const payload = await this.payload(c);
        const tx = this.db!.transaction('chunks', 'readwrite');
        void tx.store.put(payload, [this.key, c.index]);
        await tx.done;
        this.onDisk.add(c.index);
        return;
      } catch (err) {
        await this.fallBack(err);
        if ((this.mode as Mode) !== 'memory') return;
      }
    }
    this.plain[c.index] = await this.plainBytes(c);
  }

  private async applyAdopted(index: number, bytes: number): Promise<void> {
    if (this.mode === 'indexeddb' && this.state === 'open') {
      this.onDisk.add(index);
      await this.makeRoom(bytes);
      return;
    }
    // Written by a worker that had not yet heard the entry left the disk (or was aborted): bring it
    // into memory if that is where the entry is, and leave no record behind.
    try {
      if (this.mode === 'memory' && this.state === 'open' && (await this.makeRoom(bytes))) {
        const v = await this.db!.get('chunks', [this.key, index]);
        if (v === undefined) throw new Error(`chunk ${index + 1} went missing`);
        const raw = v instanceof Blob ? await v.arrayBuffer() : v;
        this.plain[index] = this.sealKey ? await openChunk(this.sealKey, raw) : raw;
      }
    } catch (err) {
      this.plain.length = 0;
      this.mode = 'none';
      this.host.warn('write-failed', `A chunk of "${this.id}" could not be brought into memory (${describe(err)}); it is not cached for this page.`, this.key);
    } finally {
      await this.db?.delete('chunks', [this.key, index]).catch(() => {});
    }
  }

  /** Counts the chunk against the budget, evicting other entries; false when this entry cannot fit at all. */
  private async makeRoom(bytes: number): Promise<boolean> {
    this.written += bytes;
    const victims = chooseEvictions(this.others, this.written, this.host.budgetBytes);
    if (victims === null) {
      this.host.warn('too-large', `Dataset "${this.id}" is more than the cache budget of ${formatBytes(this.host.budgetBytes)} (${formatBytes(this.written)} before it was complete); it is not cached.`, this.key);
      if (this.mode === 'indexeddb' && this.onDisk.size) await this.deleteChunks();
      this.plain.length = 0;
      this.mode = 'none';
      return false;
    }
    for (const v of victims) {
      await this.host.deleteKey(v.key);
      this.others = this.others.filter((m) => m.key !== v.key);
      this.host.warn('evicted', `Evicted cached dataset "${v.id}" (${formatBytes(v.bytes)}) to stay within the cache budget.`, v.key);
    }
    return true;
  }

  private async payload(c: ChunkRecord): Promise<Blob> {
    if (c.sealed) {
      if (!this.sealKey) throw new TypeError(`CacheWriter.write: chunk ${c.index} is sealed but this cache does not encrypt.`);
      return c.data instanceof Blob ? c.data : new Blob([c.data]);
    }
    if (!this.sealKey) return c.data instanceof Blob ? c.data : new Blob([c.data]);
    return new Blob([await sealChunk(this.sealKey, c.data instanceof Blob ? await c.data.arrayBuffer() : c.data)]);
  }

  private async plainBytes(c: ChunkRecord): Promise<ArrayBuffer> {
    const raw = c.data instanceof Blob ? await c.data.arrayBuffer() : c.data.slice(0);
    return c.sealed ? openChunk(this.sealKey!, raw) : raw;
  }

  /**
   * IndexedDB failed: keep the entry in page memory instead. What is already on disk is read back
   * (so the memory copy is whole), then removed from disk (so nothing partial stays there).
   */
  private async fallBack(err: unknown): Promise<void> {
    let recovered = true;
    try {
      for (const i of this.onDisk) {
        const v = await this.db!.get('chunks', [this.key, i]);
        if (v === undefined) throw new Error(`chunk ${i + 1} went missing`);
        const raw = v instanceof Blob ? await v.arrayBuffer() : v;
        this.plain[i] = this.sealKey ? await openChunk(this.sealKey, raw) : raw;
      }
    } catch {
      recovered = false;
      this.plain.length = 0;
    }
    await this.deleteChunks();
    this.onDisk.clear();
    this.mode = recovered ? 'memory' : 'none';
    const quota = isQuotaError(err);
    this.host.warn(
      quota ? 'quota' : 'write-failed',
      `${quota ? 'Storage quota exceeded' : `Writing to IndexedDB failed (${describe(err)})`} while caching "${this.id}"; nothing partial was kept, ${recovered ? 'the data stays in memory for this page' : 'and what was written could not be read back, so it is not cached for this page either'}.`,
      this.key,
    );
  }

  /** The commit marker: written only if every chunk record is there. */
  private async writeManifest(manifest: DatasetManifest): Promise<void> {
    const db = this.db!;
    // Sealing happens before the transaction opens: a transaction cannot wait on other promises.
    const stored: DatasetManifest = this.sealKey
      ? { ...manifest, meta: undefined, encrypted: true, sealedMeta: manifest.meta ? await sealChunk(this.sealKey, new TextEncoder().encode(JSON.stringify(manifest.meta))) : undefined }
      : manifest;
    const tx = db.transaction(['manifests', 'chunks'], 'readwrite');
    const done = tx.done;
    done.catch(() => {});
    const present = await tx.objectStore('chunks').getAllKeys(chunkRange(this.key));
    const have = new Set(present.map((k) => k[1]));
    const lost = manifest.chunks.length - manifest.chunks.filter((_, i) => have.has(i)).length;
    if (lost > 0) {
      tx.abort();
      throw new Error(`${lost} of its ${manifest.chunks.length} chunk records disappeared while it was written (the cache was cleared or deleted meanwhile)`);
    }
    void tx.objectStore('manifests').put(stored);
    await done;
  }

  private async deleteChunks(): Promise<void> {
    try {
      await this.db?.delete('chunks', chunkRange(this.key));
    } catch {
      // The database is gone or refusing writes: nothing of this entry can be found there anyway
      // without its manifest, and the next beginWrite sweeps what is left.
    }
  }
}

/** The Web Lock an entry's writer holds (and the orphan sweep tests). */
export function entryLockName(cacheName: string, key: string): string {
  return `clientlens-cache:${cacheName}:${key}`;
}

/**
 * Removes chunk records that no manifest lists: what a write stopped by a closed page or a crash
 * left behind. Only where Web Locks exist, since the lock is what tells a write in progress (in
 * this page or another) from an abandoned one.
 */
async function sweepOrphans(db: IDBPDatabase<CacheDB>, cacheName: string): Promise<void> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return;
  const tx = db.transaction(['manifests', 'chunks'], 'readonly');
  const [named, chunkKeys] = await Promise.all([tx.objectStore('manifests').getAllKeys(), tx.objectStore('chunks').getAllKeys()]);
  await tx.done;
  const listed = new Set<string>(named);
  const orphans = new Set(chunkKeys.map((k) => k[0]).filter((k) => !listed.has(k)));
  for (const key of orphans) {
    await locks.request(entryLockName(cacheName, key), { ifAvailable: true }, async (lock) => {
      if (!lock) return;
      const rw = db.transaction(['manifests', 'chunks'], 'readwrite');
      if ((await rw.objectStore('manifests').count(key)) === 0) void rw.objectStore('chunks').delete(chunkRange(key));
      await rw.done;
    });
  }
}

/** Resolves once the lock is granted, with the function that releases it. */
function holdLock(name: string): Promise<() => void> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return Promise.resolve(() => {});
  return new Promise((granted) => {
    locks.request(name, () => new Promise<void>((release) => granted(release))).catch(() => granted(() => {}));
  });
}

function checkRecord(c: ChunkRecord, seen: readonly ChunkInfo[]): string | null {
  if (!Number.isInteger(c?.index) || c.index < 0) return `index must be a whole number >= 0; got ${c?.index}`;
  if (seen[c.index]) return `chunk ${c.index} was already written`;
  if (!Number.isInteger(c.rows) || c.rows < 0) return `rows of chunk ${c.index} must be a whole number >= 0; got ${c.rows}`;
  if (!Number.isInteger(c.bytes) || c.bytes < 0) return `bytes of chunk ${c.index} must be a whole number >= 0; got ${c.bytes}`;
  const digest = digestProblem(c.digest);
  if (digest) return `digest of chunk ${c.index} must be ${digest}; got ${JSON.stringify(c.digest)}`;
  if (!(c.data instanceof ArrayBuffer) && !(typeof Blob !== 'undefined' && c.data instanceof Blob)) return `data of chunk ${c.index} must be an ArrayBuffer or a Blob`;
  return null;
}

export function isQuotaError(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name;
  return name === 'QuotaExceededError' || /quota/i.test(String((err as Error)?.message ?? ''));
}

