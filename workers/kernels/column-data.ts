/**
 * A column's one piece of data in a record batch, and its validity bitmap: what every kernel's
 * views are built from.
 *
 * Arrow's `batch.getChild(name)` searches the schema's fields and wraps the child in a new Vector
 * on every call; kernels ask for a few columns per batch per query, and on the 1M dashboard those
 * Vector constructions were about 6 ms per worker per filter change. A real RecordBatch with rows
 * is read through its struct data instead, with the field's index looked up once per schema.
 * Anything else (the filtered views of filtered-rows.ts, empty batches) is asked through getChild.
 */
import { RecordBatch, type Data, type Schema } from 'apache-arrow';

const fieldIndexes = new WeakMap<Schema, Map<string, number>>();

function fieldIndex(schema: Schema, name: string): number {
  let byName = fieldIndexes.get(schema);
  if (!byName) {
    byName = new Map(schema.fields.map((f, i) => [f.name, i]));
    fieldIndexes.set(schema, byName);
  }
  return byName.get(name) ?? -1;
}

/** The data of column `name` in `batch`; an error naming the column when it is missing or in pieces. */
export function columnData(batch: RecordBatch, name: string): Data {
  // An empty batch's struct children may have no buffers at all (a table built from empty
  // vectors); its Vectors fill them in, so it goes the slow way.
  if (batch instanceof RecordBatch && batch.numRows > 0) {
    const i = fieldIndex(batch.schema, name);
    const child = i < 0 ? undefined : batch.data.children[i];
    if (child) return child;
  } else {
    const child = (batch as { getChild(name: string): { readonly data: readonly Data[] } | null }).getChild(name);
    if (child) {
      if (child.data.length !== 1) throw new Error(`Column "${name}" has ${child.data.length} data pieces in one batch; expected 1.`);
      return child.data[0];
    }
  }
  throw new Error(`Column "${name}" is not in this batch (columns: ${batch.schema.fields.map((f) => f.name).join(', ')}).`);
}

/** Arrow's validity bitmap of `data`, or null when it has no nulls (read at `data.offset + i`). */
export function bitmapOf(data: Data): Uint8Array | null {
  return data.nullCount > 0 && data.nullBitmap && data.nullBitmap.length > 0 ? data.nullBitmap : null;
}
