/**
 * The partitions of datasets that live in this worker: for each dataset, the chunks (as Arrow
 * tables) this worker owns, keyed by their global chunk index so row numbers stay global.
 */
import type { Table } from 'apache-arrow';
import type { RowBatch } from './kernels/kernel.js';
import type { ColumnInfo } from '../src/cache/cache-manifest.js';

export interface StoredChunk {
  readonly index: number;
  /** Global row number of the chunk's first row. */
  readonly rowOffset: number;
  readonly table: Table;
}

export class DatasetStore {
  private readonly datasets = new Map<string, Map<number, StoredChunk>>();

  put(datasetId: string, chunk: StoredChunk): void {
    let chunks = this.datasets.get(datasetId);
    if (!chunks) this.datasets.set(datasetId, (chunks = new Map()));
    chunks.set(chunk.index, chunk);
  }

  /** This worker's chunks of a dataset in row order; throws a clear error if it holds none. */
  chunks(datasetId: string): StoredChunk[] {
    const chunks = this.datasets.get(datasetId);
    if (!chunks) throw new Error(`Dataset "${datasetId}" is not loaded in this worker (loaded: ${[...this.datasets.keys()].join(', ') || 'none'}).`);
    return [...chunks.values()].sort((a, b) => a.index - b.index);
  }

  /** This worker's rows of a dataset as kernels read them: its batches in row order, with global row numbers. */
  rows(datasetId: string): RowBatch[] {
    const rows: RowBatch[] = [];
    for (const chunk of this.chunks(datasetId)) {
      let offset = chunk.rowOffset;
      for (const batch of chunk.table.batches) {
        rows.push({ batch, rowOffset: offset });
        offset += batch.numRows;
      }
    }
    return rows;
  }

  /** The dataset's columns, from this worker's first chunk ([] when it holds none). */
  schema(datasetId: string): ColumnInfo[] {
    const first = this.chunks(datasetId)[0];
    return first ? first.table.schema.fields.map((f) => ({ name: f.name, type: String(f.type) })) : [];
  }

  has(datasetId: string): boolean {
    return this.datasets.has(datasetId);
  }

  drop(datasetId: string): boolean {
    return this.datasets.delete(datasetId);
  }

  ids(): string[] {
    return [...this.datasets.keys()];
  }
}
