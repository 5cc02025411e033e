/** The key range of one entry's chunk records ([key, index] keys) in the cache database's 'chunks' store. */
export function chunkRange(key: string): IDBKeyRange {
  return IDBKeyRange.bound([key, 0], [key, Infinity]);
}
