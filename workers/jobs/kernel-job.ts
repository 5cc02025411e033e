/**
 * Runs one stage of a kernel on this worker's rows of a dataset. The spec was validated on the
 * main thread; it is validated again here because a worker trusts no message.
 */
import type { DatasetStore } from '../dataset-store.js';
import type { JobContext } from '../job-host.js';
import type { RowBatch } from '../kernels/kernel.js';
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';
import { getKernel } from '../kernels/index.js';
import { pluginKernel } from '../../src/plugins/worker-kernels.js';
import { filterRows, splitFilter } from '../kernels/filtered-rows.js';

export interface KernelJobArgs {
  readonly datasetId: string;
  readonly kernel: string;
  readonly spec: unknown;
  readonly stage: 'prepare' | 'map';
  readonly params?: unknown;
}

export function kernelJob(store: DatasetStore) {
  return async (args: KernelJobArgs, ctx: JobContext): Promise<unknown> => {
    // Plugin kernels (loaded by the 'plugin-kernels' job) never share a built-in's name.
    const kernel = pluginKernel(args.kernel) ?? getKernel(args.kernel);
    const chunks = store.chunks(args.datasetId);
    const rows: RowBatch[] = [];
    for (const chunk of chunks) {
      let offset = chunk.rowOffset;
      for (const batch of chunk.table.batches) {
        rows.push({ batch, rowOffset: offset });
        offset += batch.numRows;
      }
    }
    const schema: ColumnInfo[] = chunks.length ? chunks[0].table.schema.fields.map((f) => ({ name: f.name, type: String(f.type) })) : [];
    const split = splitFilter(kernel, args.spec, schema);
    const spec = kernel.validate(split.spec, schema);
    const selected = filterRows(rows, split.filter);
    const kctx = { signal: ctx.signal, checkpoint: () => ctx.checkpoint(), progress: (f: number) => ctx.progress(f) };
    if (args.stage === 'prepare') {
      if (!kernel.prepare) throw new Error(`Kernel "${kernel.name}" has no prepare stage.`);
      return kernel.prepare.map(selected, spec, kctx);
    }
    return kernel.map(selected, spec, args.params, kctx);
  };
}
