/**
 * DuckDB (WebAssembly build, run in Node) as the independent reference for kernel tests: the same
 * rows go in as Arrow IPC, the same question is asked in SQL, and the answers must agree.
 */
import { createRequire } from 'node:module';
import { tableToIPC, type Table } from 'apache-arrow';

const require = createRequire(import.meta.url);

export interface DuckDB {
  /** Loads tables (chunks of one dataset) as SQL table `name`. */
  load(name: string, tables: readonly Table[]): void;
  /** Runs SQL; BIGINT and HUGEINT come back as numbers, dates as days since epoch. */
  query(sql: string): Record<string, unknown>[];
  close(): Promise<void>;
}

export async function openDuckDB(): Promise<DuckDB> {
  const duckdb = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs');
  const dir = require.resolve('@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm').replace(/duckdb-mvp\.wasm$/, '');
  const bundles = {
    mvp: { mainModule: `${dir}duckdb-mvp.wasm`, mainWorker: `${dir}duckdb-node-mvp.worker.cjs` },
    eh: { mainModule: `${dir}duckdb-eh.wasm`, mainWorker: `${dir}duckdb-node-eh.worker.cjs` },
  };
  const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
  await db.instantiate(() => {});
  const conn = db.connect();
  return {
    load(name, tables) {
      conn.query(`DROP TABLE IF EXISTS "${name}"`);
      tables.forEach((t, i) => conn.insertArrowFromIPCStream(tableToIPC(t, 'stream'), { name, create: i === 0 }));
    },
    query(sql) {
      const result = conn.query(sql);
      const fields: { name: string; typeId: number; type: { unit?: number } }[] = result.schema.fields.map((f: { name: string; type: { typeId: number; unit?: number } }) => ({ name: f.name, typeId: f.type.typeId, type: f.type }));
      return result.toArray().map((row: { toJSON(): Record<string, unknown> }) => {
        const obj = row.toJSON();
        for (const f of fields) obj[f.name] = normalise(obj[f.name], f.typeId);
        return obj;
      });
    },
    async close() {
      conn.close();
      db.reset();
    },
  };
}

// Arrow type ids: 8 Date. DuckDB returns DATE as milliseconds in Arrow JS 17.
function normalise(v: unknown, typeId: number): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (typeId === 8 && typeof v === 'number') return Math.round(v / 86_400_000);
  if (v instanceof Date) return Math.round(v.getTime() / 86_400_000);
  if (v && typeof v === 'object' && 'toJSON' in v && !Array.isArray(v)) return (v as { toJSON(): unknown }).toJSON();
  return v;
}
