// Cutting a table into cached chunks: row ranges, record batches within a chunk, and a round trip
// through the IPC bytes that gives back every value in order.
import { describe, expect, it } from 'vitest';
import { Float64, Int32, Table, makeData, makeVector, tableFromArrays } from 'apache-arrow';
import { CHUNK_BATCH_ROWS, DEFAULT_CHUNK_ROWS, chunkTables, chunkToTable, tableToChunks } from '../../src/dataset/ipc-chunks.js';
import { GENERATOR_BATCH_ROWS, GENERATOR_CHUNK_ROWS } from '../../src/generate/portfolio.js';

function table(rows: number): Table {
  const id = Int32Array.from({ length: rows }, (_, i) => i);
  const x = Float64Array.from({ length: rows }, (_, i) => i * 0.5 - 7);
  return tableFromArrays({ id, x });
}

/** The chunks' column `name`, decoded from their IPC bytes, concatenated in chunk order. */
function readBack(chunks: ArrayBuffer[], name: string): number[] {
  return chunks.flatMap((c) => Array.from(chunkToTable(c).getChild(name)!, (v) => v as number));
}

describe('chunkTables / tableToChunks', () => {
  it('cuts two batches of 65,536 rows per chunk by default, the last chunk and batch short', () => {
    expect(DEFAULT_CHUNK_ROWS).toBe(2 * CHUNK_BATCH_ROWS);
    // Generated and ingested datasets are cached in chunks of one shape. The generator keeps its
    // own constants (its batch size keys its random streams, so it is versioned with the data).
    expect([GENERATOR_CHUNK_ROWS, GENERATOR_BATCH_ROWS]).toEqual([DEFAULT_CHUNK_ROWS, CHUNK_BATCH_ROWS]);
    const rows = 2 * 131_072 + 70_000;
    const tables = chunkTables(table(rows));
    expect(tables.map((t) => t.numRows)).toEqual([131_072, 131_072, 70_000]);
    expect(tables.map((t) => t.batches.map((b) => b.numRows))).toEqual([[65_536, 65_536], [65_536, 65_536], [65_536, 70_000 - 65_536]]);
  });

  it('gives back every row in order through the IPC bytes, in the same record batches', () => {
    const rows = 150_001;
    const chunks = tableToChunks(table(rows));
    expect(chunks).toHaveLength(2);
    expect(chunks.map((c) => chunkToTable(c).batches.map((b) => b.numRows))).toEqual([[65_536, 65_536], [150_001 - 131_072]]);
    const id = readBack(chunks, 'id');
    const x = readBack(chunks, 'x');
    expect(id).toHaveLength(rows);
    for (let i = 0; i < rows; i += 997) {
      expect(id[i]).toBe(i);
      expect(x[i]).toBe(i * 0.5 - 7);
    }
    expect(id[rows - 1]).toBe(rows - 1);
  });

  it('keeps batches of at most 65,536 rows whatever the chunk size, and nulls where they were', () => {
    const rows = 100_000;
    const valid = new Uint8Array(Math.ceil(rows / 8)).fill(0xff);
    valid[70_000 >> 3] &= ~(1 << (70_000 & 7));
    const values = Float64Array.from({ length: rows }, (_, i) => i);
    const withNull = new Table({ v: makeVector(makeData({ type: new Float64(), length: rows, nullCount: 1, nullBitmap: valid, data: values })) });
    const tables = chunkTables(withNull, 90_000);
    expect(tables.map((t) => t.batches.map((b) => b.numRows))).toEqual([[65_536, 24_464], [10_000]]);
    const back = tableToChunks(withNull, 90_000).flatMap((c) => Array.from(chunkToTable(c).getChild('v')!));
    expect(back[70_000]).toBeNull();
    expect(back[69_999]).toBe(69_999);
    expect(back[99_999]).toBe(99_999);
  });

  it('keeps an empty table as one empty chunk', () => {
    const empty = new Table({ n: makeVector(makeData({ type: new Int32(), length: 0, data: new Int32Array(0) })) });
    const chunks = tableToChunks(empty);
    expect(chunks).toHaveLength(1);
    expect(chunkToTable(chunks[0]).numRows).toBe(0);
  });

  it('refuses a chunk size that is not a positive integer, naming it', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => chunkTables(table(10), bad)).toThrow(/chunkRows must be a positive integer; got/);
  });
});
