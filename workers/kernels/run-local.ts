/**
 * Runs a kernel on one thread over Arrow tables: the reference path for Node tests, benchmarks and
 * the single-worker figure. `runKernelSplit` cuts the same rows into row ranges, maps each and
 * reduces them together, as the pool does; tests assert both give the same result.
 */
import type { Table } from 'apache-arrow';
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';
import type { AnyKernel, KernelContext, RowBatch } from './kernel.js';
import { filterRows, splitFilter } from './filtered-rows.js';

export function tableRows(tables: readonly Table[]): RowBatch[] {
  const rows: RowBatch[] = [];
  let offset = 0;
  for (const t of tables) {
    for (const batch of t.batches) {
      rows.push({ batch, rowOffset: offset });
      offset += batch.numRows;
    }
  }
  return rows;
}

export function schemaOfTable(table: Table): ColumnInfo[] {
  return table.schema.fields.map((f) => ({ name: f.name, type: String(f.type) }));
}

const syncContext: KernelContext = { checkpoint: async () => {}, progress: () => {} };

export async function runKernelLocal<R>(kernel: AnyKernel, tables: readonly Table[], spec: unknown): Promise<R> {
  return runKernelSplit<R>(kernel, tables, spec, 1);
}

/** Splits the batches into `parts` contiguous groups (as workers own row ranges) and merges. */
export async function runKernelSplit<R>(kernel: AnyKernel, tables: readonly Table[], spec: unknown, parts: number): Promise<R> {
  if (tables.length === 0) throw new Error('runKernel needs at least one table (it may have zero rows).');
  const schema = schemaOfTable(tables[0]);
  const split = splitFilter(kernel, spec, schema);
  const valid = kernel.validate(split.spec, schema);
  const all = filterRows(tableRows(tables), split.filter);
  const groups: RowBatch[][] = [];
  for (let p = 0; p < parts; p++) groups.push(all.slice(Math.floor((p * all.length) / parts), Math.floor(((p + 1) * all.length) / parts)));
  let params: unknown;
  if (kernel.prepare) {
    const prep = [];
    for (const g of groups) prep.push(await kernel.prepare.map(g, valid, syncContext));
    params = kernel.prepare.reduce(prep, valid);
  }
  const partials = [];
  for (const g of groups) partials.push(await kernel.map(g, valid, params, syncContext));
  return kernel.reduce(partials, valid, params) as R;
}
