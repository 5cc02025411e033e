/**
 * Gives the dictionary columns of generated tables fixed dictionary ids and shared dictionary
 * vectors, and stamps schema metadata.
 *
 * Why: apache-arrow numbers a `new Dictionary(...)` type from a process-wide counter unless an id
 * is given, so two identical chunks built one after the other (or on two workers) get different
 * ids. Their IPC bytes then differ, and concatenated chunks carry mismatching ids. And the Arrow
 * IPC *file* writer refuses a second dictionary for an id unless it is the very same Data object
 * ("does not support replacement dictionaries"). With one id per column and one dictionary vector
 * per vocabulary (per realm), every chunk's schema is identical and concatenations write cleanly.
 */
import { Dictionary, Int32, RecordBatch, Schema, Table, Utf8, makeVector, type Vector } from 'apache-arrow';
import { utf8Data } from '../schema/arrow-columns.js';

const sharedDictionaries = new Map<string, Vector>();

/** One dictionary vector per vocabulary (keyed by its content) for the lifetime of the realm. */
export function sharedDictionary(values: readonly string[]): Vector {
  const key = JSON.stringify(values);
  let v = sharedDictionaries.get(key);
  if (!v) {
    v = makeVector(utf8Data(values));
    sharedDictionaries.set(key, v);
  }
  return v;
}

export interface StableTableSpec {
  /** Column order of the result; every name must be a column of `table` or of `prebuilt`. */
  readonly order: readonly string[];
  /** Columns built elsewhere (e.g. by Utf8ColumnBuilder), by name. */
  readonly prebuilt?: Readonly<Record<string, Vector>>;
  /** Dictionary id of a dictionary column; fixed per column name. */
  idOf(column: string): number;
  /** The vocabulary a dictionary column encodes (must equal its current dictionary values). */
  vocabularyOf(column: string): readonly string[];
  readonly metadata: ReadonlyMap<string, string>;
}

/**
 * Returns the columns of `table` (a single-batch table) and `spec.prebuilt` in `spec.order`, with
 * every Dictionary column re-typed to dictionary id `idOf(column)` and pointed at the shared
 * dictionary of its vocabulary, and `spec.metadata` on the schema.
 */
export function withStableDictionaries(table: Table, spec: StableTableSpec): Table {
  if (table.batches.length > 1) throw new Error(`withStableDictionaries expects a single-batch table; got ${table.batches.length} batches.`);
  const columns: Record<string, Vector> = {};
  for (const name of spec.order) {
    const vector = spec.prebuilt?.[name] ?? table.getChild(name);
    if (!vector) throw new Error(`withStableDictionaries: no column "${name}".`);
    if (vector.length !== table.numRows) throw new Error(`Column "${name}" has ${vector.length} rows; the table has ${table.numRows}.`);
    if (vector.type instanceof Dictionary) {
      const data = vector.data[0];
      const dictionary = sharedDictionary(spec.vocabularyOf(name));
      if (data.dictionary && data.dictionary.length !== dictionary.length) {
        throw new Error(`Column "${name}": its dictionary has ${data.dictionary.length} values, the shared vocabulary ${dictionary.length}.`);
      }
      const restamped = data.clone(new Dictionary(new Utf8(), new Int32(), spec.idOf(name)));
      restamped.dictionary = dictionary;
      columns[name] = makeVector(restamped);
    } else {
      columns[name] = vector;
    }
  }
  const plain = new Table(columns);
  const schema = new Schema(plain.schema.fields, new Map(spec.metadata));
  return new Table(schema, [new RecordBatch(schema, plain.batches[0].data)]);
}
