/**
 * A worker's own connection to the cache database, for writing chunk records straight from where
 * the chunks are made: a Blob that crosses to the page stays alive (and so do its bytes, in the
 * browser's blob store) until the page's garbage collector finds it, which on a quiet page is
 * long after the record was written. The page's CacheWriter owns the entry (lock, budget, manifest)
 * and is told about each record written here (CacheWriter.adopt).
 *
 * Only opened while the page's writer holds an open connection, so the database exists at its
 * current version; this connection never upgrades it and steps aside if another one wants to.
 */
import { openDB, type IDBPDatabase } from 'idb';
import type { CacheDB } from './dataset-cache.js';

export class ChunkRecords {
  private constructor(private db: IDBPDatabase<CacheDB> | null) {}

  static async open(cacheName: string): Promise<ChunkRecords> {
    const records = new ChunkRecords(null);
    records.db = await openDB<CacheDB>(cacheName, undefined, {
      blocking: () => records.close(),
      terminated: () => (records.db = null),
    });
    if (!records.db.objectStoreNames.contains('chunks')) {
      records.close();
      throw new DOMException(`The cache database "${cacheName}" has no chunk store (it was deleted meanwhile?).`, 'NotFoundError');
    }
    return records;
  }

  /** Writes chunk `index` of entry `key`; rejects with IndexedDB's error (quota, closed...). */
  async put(key: string, index: number, data: Blob): Promise<void> {
    if (!this.db) throw new DOMException('The cache database connection was closed (another tab upgrades or deletes it).', 'InvalidStateError');
    const tx = this.db.transaction('chunks', 'readwrite');
    void tx.store.put(data, [key, index]);
    await tx.done;
  }

  close(): void {
    this.db?.close();
    this.db = null;
  }
}
