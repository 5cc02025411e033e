/**
 * How a worker hands chunks to the main thread: IPC bytes moved (not copied), or streamed to the
 * cache one at a time as Blobs (chunk-stream.ts); their row counts, digests (chunk-digest.ts, computed here
 * so the main thread never hashes) and the Arrow schema as text.
 */
import { tableToIPC, type Table } from 'apache-arrow';
import { chunkDigest } from '../../src/cache/chunk-digest.js';
import { sealChunk } from '../../src/cache/chunk-crypto.js';
import type { ChunkRecord } from '../../src/cache/cache-writer.js';
import { ownBuffer } from '../../src/dataset/ipc-chunks.js';
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';

export interface ChunkOutput {
  /** IPC bytes (a cache may also be handed Blobs of them). */
  readonly chunks: (ArrayBuffer | Blob)[];
  readonly chunkRows: number[];
  readonly digests: string[];
  readonly schema: ColumnInfo[];
}

export function schemaOf(table: Table): ColumnInfo[] {
  return table.schema.fields.map((f) => ({ name: f.name, type: String(f.type) }));
}

export async function encodeChunks(tables: readonly Table[]): Promise<ChunkOutput> {
  const chunks: ArrayBuffer[] = [];
  const digests: string[] = [];
  for (const t of tables) {
    const bytes = ownBuffer(tableToIPC(t, 'stream'));
    digests.push(chunkDigest(bytes));
    chunks.push(bytes);
  }
  return { chunks, chunkRows: tables.map((t) => t.numRows), digests, schema: tables.length ? schemaOf(tables[0]) : [] };
}

/**
 * One chunk for the cache, made as soon as its table is: IPC bytes, their digest, then a Blob of
 * them (sealed with `sealKey` when the cache encrypts, so the page never holds them plain).
 * `bytes` and `digest` are of the plain IPC bytes, as the cache manifest records them.
 */
export async function chunkForCache(table: Table, index: number, sealKey?: CryptoKey): Promise<ChunkRecord & { data: Blob }> {
  const bytes = ownBuffer(tableToIPC(table, 'stream'));
  const digest = chunkDigest(bytes);
  const data = new Blob([sealKey ? await sealChunk(sealKey, bytes) : bytes]);
  return { index, rows: table.numRows, bytes: bytes.byteLength, digest, data, sealed: sealKey !== undefined };
}
