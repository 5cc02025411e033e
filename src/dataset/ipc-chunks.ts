/**
 * A dataset travels and rests as a list of chunks, each a self-contained Arrow IPC stream of a
 * contiguous row range. Chunks are the unit of caching (one IndexedDB record each), of checksums
 * and of partitioning (a worker owns a contiguous run of chunks), so no layer has to re-slice rows.
 */
import { Table, tableFromIPC, tableToIPC } from 'apache-arrow';

/** Rows per record batch within a chunk: the kernels' unit of work (the generator uses the same figure). */
export const CHUNK_BATCH_ROWS = 65_536;
/**
 * Rows per chunk when a table is cut into chunks (the generator uses the same figure): two batches,
 * because every cached chunk is read back as a Blob of its own, at a cost beside its bytes
 * (src/generate/portfolio.ts, GENERATOR_CHUNK_ROWS).
 */
export const DEFAULT_CHUNK_ROWS = 2 * CHUNK_BATCH_ROWS;

/** Serialises `table` into chunks of at most `chunkRows` rows; each chunk owns its ArrayBuffer (transferable). */
export function tableToChunks(table: Table, chunkRows = DEFAULT_CHUNK_ROWS): ArrayBuffer[] {
  return chunkTables(table, chunkRows).map((t) => ownBuffer(tableToIPC(t, 'stream')));
}

/**
 * `table` cut into tables of at most `chunkRows` rows, each in record batches of at most
 * CHUNK_BATCH_ROWS rows (slices: no copy); an empty table stays one empty chunk.
 */
export function chunkTables(table: Table, chunkRows = DEFAULT_CHUNK_ROWS): Table[] {
  if (!(Number.isInteger(chunkRows) && chunkRows > 0)) throw new RangeError(`chunkRows must be a positive integer; got ${String(chunkRows)}.`);
  if (table.numRows === 0) return [table];
  const out: Table[] = [];
  for (let start = 0; start < table.numRows; start += chunkRows) {
    const end = Math.min(table.numRows, start + chunkRows);
    const batches = [];
    for (let b = start; b < end; b += CHUNK_BATCH_ROWS) batches.push(...table.slice(b, Math.min(end, b + CHUNK_BATCH_ROWS)).batches);
    out.push(new Table(table.schema, batches));
  }
  return out;
}

export function chunkToTable(chunk: ArrayBuffer | Uint8Array): Table {
  return tableFromIPC(chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk));
}

/** A view's bytes in an ArrayBuffer of exactly their length, so transferring it moves nothing else. */
export function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  return bytes.slice().buffer as ArrayBuffer;
}
