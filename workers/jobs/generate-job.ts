/**
 * Generates chunks of the synthetic portfolio. Each chunk depends only on (options, chunk index),
 * so every worker generates its own partition in parallel and keeps it. With a cache to fill, each
 * chunk goes to it as soon as it is made, a few in flight at a time (chunk-stream.ts), written into
 * the cache database from here when the page allows: the IPC copies of a whole book never exist at
 * once, and their bytes never pass through the page.
 */
import { tableToIPC } from 'apache-arrow';
import { generatePortfolioChunk, type PortfolioOptions } from '../../src/generate/portfolio.js';
import type { JobContext } from '../job-host.js';
import type { DatasetStore } from '../dataset-store.js';
import { GENERATOR_CHUNK_ROWS } from '../../src/generate/portfolio.js';
import { ChunkSender, type ChunkReport, type Delivery } from '../../src/dataset/chunk-stream.js';
import { ChunkRecords } from '../../src/cache/chunk-records.js';
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';
import { chunkForCache, schemaOf } from './chunk-output.js';

export interface GenerateArgs {
  readonly datasetId: string;
  readonly options: PortfolioOptions;
  /** Global chunk indices this worker generates (and keeps, if `keep`). */
  readonly chunkIndices: readonly number[];
  readonly keep: boolean;
  /** Where the chunks go for the cache; none when nothing is cached. */
  readonly cache?: {
    /** Transferred in: reports to the page's writer (chunk-stream.ts). */
    readonly port: MessagePort;
    /** The cache database and the entry's key, for storing chunk records from here. */
    readonly database: string;
    readonly entry: string;
    /** How to deliver the first chunks; acknowledgements say how to deliver the next. */
    readonly delivery: Delivery;
    /** The encrypting cache's key: chunks are sealed here, so the page never holds their plain bytes. */
    readonly sealKey?: CryptoKey;
  };
}

/** What the page learns about the chunks when the job ends; the cache was told chunk by chunk. */
export interface GeneratedChunks {
  readonly chunkRows: number[];
  /** Size of each chunk's plain IPC bytes (the dataset's size is their sum). */
  readonly chunkBytes: number[];
  readonly schema: ColumnInfo[];
}

export function generateJob(store: DatasetStore) {
  return async (args: GenerateArgs, ctx: JobContext): Promise<GeneratedChunks> => {
    const cache = args.cache;
    const sender = cache ? new ChunkSender(cache.port, cache.delivery) : undefined;
    let records: ChunkRecords | undefined;
    const pause = () => ctx.checkpoint();
    const out: GeneratedChunks = { chunkRows: [], chunkBytes: [], schema: [] };
    try {
      for (let i = 0; i < args.chunkIndices.length; i++) {
        await ctx.checkpoint();
        const index = args.chunkIndices[i];
        const table = generatePortfolioChunk(args.options, index);
        if (args.keep) store.put(args.datasetId, { index, rowOffset: index * GENERATOR_CHUNK_ROWS, table });
        if (i === 0) out.schema.push(...schemaOf(table));
        out.chunkRows.push(table.numRows);
        if (sender) await sender.room(pause);
        if (cache && sender && sender.delivery !== 'stop') {
          const chunk = await chunkForCache(table, index, cache.sealKey);
          out.chunkBytes.push(chunk.bytes);
          let report: ChunkReport = chunk;
          if (sender.delivery === 'store') {
            try {
              records ??= await ChunkRecords.open(cache.database);
              await records.put(cache.entry, index, chunk.data);
              report = { ...chunk, data: undefined };
            } catch (err) {
              report = { ...chunk, error: { name: (err as Error)?.name ?? 'Error', message: (err as Error)?.message ?? String(err) } };
            }
          }
          sender.report(report);
        } else {
          out.chunkBytes.push(tableToIPC(table, 'stream').byteLength);
        }
        ctx.progress((i + 1) / args.chunkIndices.length);
      }
      await sender?.drain(pause);
      return out;
    } finally {
      sender?.close();
      records?.close();
    }
  };
}
