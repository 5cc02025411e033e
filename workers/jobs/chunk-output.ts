/**
 * How a worker hands chunks to the main thread: IPC bytes moved (not copied), their row counts,
 * SHA-256 digests (computed here so the main thread never hashes) and the Arrow schema as text.
 */
import { tableToIPC, type Table } from 'apache-arrow';
import { sha256Hex } from '../../src/cache/checksum.js';
import { ownBuffer } from '../../src/dataset/ipc-chunks.js';
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';

export interface ChunkOutput {
  /** IPC bytes, or Blobs of them when asked (see encodeChunks). */
  readonly chunks: (ArrayBuffer | Blob)[];
  readonly chunkRows: number[];
  readonly digests: string[];
  readonly schema: ColumnInfo[];
}

export function schemaOf(table: Table): ColumnInfo[] {
  return table.schema.fields.map((f) => ({ name: f.name, type: String(f.type) }));
}

/**
 * `asBlobs`: each chunk becomes a Blob as soon as it is encoded and hashed, so its bytes live once,
 * in the browser's blob storage, instead of in this worker, then on the main thread, then in a Blob
 * for IndexedDB (the peak of a first 5M-client visit).
 */
export async function encodeChunks(tables: readonly Table[], options: { asBlobs?: boolean } = {}): Promise<ChunkOutput> {
  const chunks: (ArrayBuffer | Blob)[] = [];
  const digests: string[] = [];
  for (const t of tables) {
    const bytes = ownBuffer(tableToIPC(t, 'stream'));
    digests.push(await sha256Hex(bytes));
    chunks.push(options.asBlobs ? new Blob([bytes]) : bytes);
  }
  return { chunks, chunkRows: tables.map((t) => t.numRows), digests, schema: tables.length ? schemaOf(tables[0]) : [] };
}

/** The buffers of a ChunkOutput to move (Blobs are passed by reference). */
export function transferablesOf(out: ChunkOutput): ArrayBuffer[] {
  return out.chunks.filter((c): c is ArrayBuffer => c instanceof ArrayBuffer);
}
