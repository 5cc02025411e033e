/**
 * Jobs that manage the partitions a worker owns: load chunks moved in from the main thread,
 * drop a dataset, and describe what is held (row counts and simple column sums that a test or a
 * benchmark can check against an independent computation).
 */
import { Type, type Vector } from 'apache-arrow';
import { chunkToTable } from '../../src/dataset/ipc-chunks.js';
import { digestMatches } from '../../src/cache/chunk-digest.js';
import { openChunk } from '../../src/cache/chunk-crypto.js';
import type { JobContext } from '../job-host.js';
import type { DatasetStore } from '../dataset-store.js';

export interface LoadChunksArgs {
  readonly datasetId: string;
  /** Global index of the first chunk in `chunks`. */
  readonly firstChunk: number;
  /** Global row number of the first row of the first chunk. */
  readonly rowOffset: number;
  /** Bytes moved in, or cache Blobs this worker reads itself (in parallel with the other workers). */
  readonly chunks: (ArrayBuffer | Blob)[];
  /** chunkDigest per chunk: when given, a chunk that does not match is refused (ChecksumError). */
  readonly digests?: string[];
  /** The cache's AES-GCM key when the chunks are sealed (encrypted at rest). */
  readonly key?: CryptoKey;
}

export class ChecksumError extends Error {
  override readonly name = 'ChecksumError';
  constructor(readonly chunk: number) {
    super(`chunk ${chunk + 1} fails its checksum`);
  }
}

export function loadChunksJob(store: DatasetStore) {
  return async (args: LoadChunksArgs, ctx: JobContext): Promise<{ rows: number }> => {
    // Each chunk is checked as soon as its bytes arrive, while the others are still being read
    // (reading the Blobs is most of a cached load); the first bad chunk in order is the one named.
    const read = await Promise.all(
      args.chunks.map(async (c, i) => {
        const raw = c instanceof Blob ? await c.arrayBuffer() : c;
        let plain = raw;
        if (args.key) {
          try {
            plain = await openChunk(args.key, raw);
          } catch {
            // Authentication failed: the sealed bytes were altered. Same outcome as a bad digest.
            return { plain, ok: false };
          }
        }
        return { plain, ok: !args.digests || (await digestMatches(plain, args.digests[i])) };
      }),
    );
    const bad = read.findIndex((r) => !r.ok);
    if (bad >= 0) throw new ChecksumError(args.firstChunk + bad);
    const buffers = read.map((r) => r.plain);
    let rows = 0;
    for (let i = 0; i < buffers.length; i++) {
      const table = chunkToTable(buffers[i]);
      store.put(args.datasetId, { index: args.firstChunk + i, rowOffset: args.rowOffset + rows, table });
      rows += table.numRows;
      if (i % 4 === 3) await ctx.checkpoint();
    }
    return { rows };
  };
}

export function dropDatasetJob(store: DatasetStore) {
  return (args: { datasetId: string }): boolean => store.drop(args.datasetId);
}

export interface PartitionSummary {
  readonly rows: number;
  readonly chunks: number[];
  /** Per numeric column: sum and non-null count over this worker's rows. */
  readonly sums: Record<string, { sum: number; count: number }>;
}

export function summariseJob(store: DatasetStore) {
  return async (args: { datasetId: string; columns: string[] }, ctx: JobContext): Promise<PartitionSummary> => {
    const chunks = store.chunks(args.datasetId);
    const sums: Record<string, { sum: number; count: number }> = {};
    for (const name of args.columns) sums[name] = { sum: 0, count: 0 };
    let rows = 0;
    for (const chunk of chunks) {
      rows += chunk.table.numRows;
      for (const name of args.columns) {
        const col = chunk.table.getChild(name);
        if (!col) throw new Error(`Column "${name}" is not in dataset "${args.datasetId}".`);
        addColumn(col, sums[name]);
      }
      await ctx.checkpoint();
    }
    return { rows, chunks: chunks.map((c) => c.index), sums };
  };
}

function addColumn(col: Vector, acc: { sum: number; count: number }): void {
  for (const data of col.data) {
    const t = data.type.typeId;
    if (t !== Type.Float && t !== Type.Int && t !== Type.Date) throw new Error(`Column type ${String(data.type)} cannot be summed.`);
    const values = data.values as ArrayLike<number>;
    for (let i = 0; i < data.length; i++) {
      if (data.nullCount > 0 && !data.getValid(i)) continue;
      acc.sum += values[i];
      acc.count++;
    }
  }
}
