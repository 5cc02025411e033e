/**
 * A dataset travels and rests as a list of chunks, each a self-contained Arrow IPC stream of a
 * contiguous row range. Chunks are the unit of caching (one IndexedDB record each), of checksums
 * and of partitioning (a worker owns a contiguous run of chunks), so no layer has to re-slice rows.
 */
import { Table, tableFromIPC, tableToIPC } from 'apache-arrow';

/** Rows per chunk when a table is cut into chunks (the generator uses the same figure). */
export const DEFAULT_CHUNK_ROWS = 65_536;

/** Serialises `table` into chunks of at most `chunkRows` rows; each chunk owns its ArrayBuffer (transferable). */
export function tableToChunks(table: Table, chunkRows = DEFAULT_CHUNK_ROWS): ArrayBuffer[] {
  const chunks: ArrayBuffer[] = [];
  if (table.numRows === 0) return [ownBuffer(tableToIPC(table, 'stream'))];
  for (let start = 0; start < table.numRows; start += chunkRows) {
    chunks.push(ownBuffer(tableToIPC(table.slice(start, Math.min(table.numRows, start + chunkRows)), 'stream')));
  }
  return chunks;
}

export function chunkToTable(chunk: ArrayBuffer | Uint8Array): Table {
  return tableFromIPC(chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk));
}

/** A view's bytes in an ArrayBuffer of exactly their length, so transferring it moves nothing else. */
export function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  return bytes.slice().buffer as ArrayBuffer;
}
