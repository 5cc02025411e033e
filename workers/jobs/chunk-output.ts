/**
 * How a worker hands chunks to the main thread: IPC bytes moved (not copied), their row counts,
 * SHA-256 digests (computed here so the main thread never hashes) and the Arrow schema as text.
 */
import { tableToIPC, type Table } from 'apache-arrow';
import { sha256Hex } from '../../src/cache/checksum.js';
import { ownBuffer } from '../../src/dataset/ipc-chunks.js';
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';

export interface ChunkOutput {
  readonly chunks: ArrayBuffer[];
  readonly chunkRows: number[];
  readonly digests: string[];
  readonly schema: ColumnInfo[];
}

export function schemaOf(table: Table): ColumnInfo[] {
  return table.schema.fields.map((f) => ({ name: f.name, type: String(f.type) }));
}

export async function encodeChunks(tables: readonly Table[]): Promise<ChunkOutput> {
  const chunks = tables.map((t) => ownBuffer(tableToIPC(t, 'stream')));
  const digests = await Promise.all(chunks.map((c) => sha256Hex(c)));
  return { chunks, chunkRows: tables.map((t) => t.numRows), digests, schema: tables.length ? schemaOf(tables[0]) : [] };
}
