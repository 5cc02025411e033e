/**
 * Parses a user's file (CSV, JSON rows, Arrow IPC) into client-schema chunks. Parsing is
 * sequential, so one worker does it; the chunks then go to their owners through the main thread.
 */
import { ingest, type IngestOptions } from '../../src/ingest/ingest.js';
import type { IngestReport } from '../../src/ingest/ingest-report.js';
import { DEFAULT_CHUNK_ROWS, chunkTables } from '../../src/dataset/ipc-chunks.js';
import type { JobContext } from '../job-host.js';
import { encodeChunks, type ChunkOutput } from './chunk-output.js';

export interface IngestArgs {
  readonly bytes: ArrayBuffer;
  readonly options: Omit<IngestOptions, 'onProgress'>;
  readonly chunkRows?: number;
}

export interface IngestJobResult extends ChunkOutput {
  readonly report: IngestReport;
  /** Time to parse into an Arrow table, and then to cut, serialise and hash the chunks, in ms. */
  readonly timings: { readonly parseMs: number; readonly encodeMs: number };
}

export async function ingestJob(args: IngestArgs, ctx: JobContext): Promise<IngestJobResult> {
  const t0 = performance.now();
  const { table, report } = ingest(new Uint8Array(args.bytes), { ...args.options, onProgress: (f: number) => ctx.progress(f * 0.9) });
  const parseMs = performance.now() - t0;
  await ctx.checkpoint();
  const out = await encodeChunks(chunkTables(table, args.chunkRows ?? DEFAULT_CHUNK_ROWS));
  return ctx.transfer({ ...out, report, timings: { parseMs, encodeMs: performance.now() - t0 - parseMs } }, out.chunks);
}
