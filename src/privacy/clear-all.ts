/**
 * Removes every trace clientlens left in this browser for this origin: IndexedDB databases (the
 * dataset cache, its encryption key, saved models, plugin settings) and localStorage entries.
 * Databases with other names given by the host (a custom cache name) are listed in `extraDatabases`.
 */
import { deleteDB } from 'idb';

export const OWN_DATABASE_PREFIX = 'clientlens';
export const OWN_STORAGE_PREFIX = 'clientlens';

export async function clearAllData(options: { extraDatabases?: readonly string[] } = {}): Promise<{ databases: string[]; storageKeys: string[] }> {
  const names = new Set<string>(['clientlens-cache', 'clientlens-models', ...(options.extraDatabases ?? [])]);
  if (typeof indexedDB !== 'undefined' && 'databases' in indexedDB) {
    for (const db of await indexedDB.databases()) if (db.name?.startsWith(OWN_DATABASE_PREFIX)) names.add(db.name);
  }
  const databases: string[] = [];
  if (typeof indexedDB !== 'undefined') {
    for (const name of names) {
      await deleteDB(name);
      databases.push(name);
    }
  }
  const storageKeys: string[] = [];
  if (typeof localStorage !== 'undefined') {
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const k = localStorage.key(i);
      if (k?.startsWith(OWN_STORAGE_PREFIX)) {
        localStorage.removeItem(k);
        storageKeys.push(k);
      }
    }
  }
  return { databases, storageKeys };
}
