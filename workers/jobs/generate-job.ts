/**
 * Generates chunks of the synthetic portfolio. Each chunk depends only on (options, chunk index),
 * so every worker generates its own partition in parallel, keeps it, and sends back IPC bytes for
 * the cache.
 */
import { generatePortfolioChunk, type PortfolioOptions } from '../../src/generate/portfolio.js';
import type { JobContext } from '../job-host.js';
import type { DatasetStore } from '../dataset-store.js';
import { GENERATOR_CHUNK_ROWS } from '../../src/generate/portfolio.js';
import { encodeChunks, transferablesOf, type ChunkOutput } from './chunk-output.js';

export interface GenerateArgs {
  readonly datasetId: string;
  readonly options: PortfolioOptions;
  /** Global chunk indices this worker generates (and keeps, if `keep`). */
  readonly chunkIndices: readonly number[];
  readonly keep: boolean;
  /** Send the chunks as Blobs (for an unencrypted cache: the page never holds the bytes). */
  readonly asBlobs?: boolean;
}

export function generateJob(store: DatasetStore) {
  return async (args: GenerateArgs, ctx: JobContext): Promise<ChunkOutput> => {
    const tables = [];
    for (let i = 0; i < args.chunkIndices.length; i++) {
      await ctx.checkpoint();
      const index = args.chunkIndices[i];
      const table = generatePortfolioChunk(args.options, index);
      tables.push(table);
      if (args.keep) store.put(args.datasetId, { index, rowOffset: index * GENERATOR_CHUNK_ROWS, table });
      ctx.progress((i + 1) / args.chunkIndices.length);
    }
    const out = await encodeChunks(tables, { asBlobs: args.asBlobs === true });
    return ctx.transfer(out, transferablesOf(out));
  };
}
