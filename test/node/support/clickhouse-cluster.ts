/**
 * Two real ClickHouse servers (Debian's clickhouse-server, 18.16) on loopback for the remote-engine
 * tests and the benchmark: throwaway data directories and config files written here, free ports,
 * a `remote_servers` cluster of two shards (one per server), a local MergeTree table on each shard
 * and a Distributed table over both. `stop()` kills both processes (by their own pids) and removes
 * every file, unless the cluster was started on a kept directory (`dir`), whose tables then
 * survive for the next start (the benchmark reuses a 50M-row load that way). Users: `default` (no password, loopback only; loads data) and `reader` (password
 * "reader-secret", readonly=1: what a browser should use).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { clientTableDdl, portfolioTsvLines } from './clickhouse-load.js';

export const CLUSTER_NAME = 'clientlens_test';
export const READER = { user: 'reader', password: 'reader-secret' } as const;

export interface ClickHouseCluster {
  /** HTTP base URLs of the two servers; the first is the one queries go to. */
  readonly urls: readonly [string, string];
  readonly dir: string;
  /** Runs a statement as `default` on server i (0 or 1); returns the text answer. */
  exec(sql: string, server?: number, data?: string): Promise<string>;
  /** Creates `<name>_local` on both shards and `<name>` (Distributed) over them, and loads the tables. */
  loadClients(name: string, tables: readonly Table[]): Promise<void>;
  stop(): Promise<void>;
}

export function clickhouseBinary(): string | null {
  for (const p of ['/usr/bin/clickhouse-server', '/usr/sbin/clickhouse-server', '/usr/bin/clickhouse']) if (existsSync(p)) return p;
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function configXml(dir: string, http: number, tcp: number, interserver: number, shards: readonly number[]): string {
  const shardXml = shards.map((p) => `<shard><replica><host>127.0.0.1</host><port>${p}</port></replica></shard>`).join('');
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/server.err.log</errorlog><size>10M</size><count>1</count></logger>
  <http_port>${http}</http_port>
  <tcp_port>${tcp}</tcp_port>
  <interserver_http_port>${interserver}</interserver_http_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <!-- Long enough that Node reuses a kept-alive connection between two slow inserts (EPIPE otherwise). -->
  <keep_alive_timeout>600</keep_alive_timeout>
  <remote_servers><${CLUSTER_NAME}>${shardXml}</${CLUSTER_NAME}></remote_servers>
</yandex>
`;
}

const USERS_XML = `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default><max_memory_usage>4000000000</max_memory_usage><allow_experimental_low_cardinality_type>1</allow_experimental_low_cardinality_type></default>
    <readonly><readonly>1</readonly><max_memory_usage>4000000000</max_memory_usage></readonly>
  </profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
    <reader><password>${READER.password}</password><networks><ip>127.0.0.1</ip></networks><profile>readonly</profile><quota>default</quota></reader>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;

async function post(url: string, sql: string, data?: string, settings: Record<string, string> = {}): Promise<string> {
  const params = new URLSearchParams(settings);
  let body = sql;
  if (data !== undefined) {
    params.set('query', sql);
    body = data;
  }
  const res = await fetch(`${url}/?${params}`, { method: 'POST', body });
  const text = await res.text();
  if (!res.ok) throw new Error(`ClickHouse ${url}: ${text.trim().slice(0, 500)} (query: ${sql.slice(0, 200)})`);
  return text;
}

async function waitReady(url: string, child: ChildProcess, dir: string, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`clickhouse-server exited with ${child.exitCode}; see ${dir}/server.err.log`);
    try {
      if ((await post(url, 'SELECT 1')).trim() === '1') return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`clickhouse-server at ${url} did not answer within ${ms} ms; see ${dir}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export interface ClusterOptions {
  /**
   * A directory kept between runs: created when missing, reused (with its tables) when present,
   * never removed by stop(). Without it, a throwaway directory under the system tmpdir.
   */
  readonly dir?: string;
}

/** Starts the two shards; throws when the binary is missing (run scripts/ensure-clickhouse.mjs). */
export async function startClickHouseCluster(options: ClusterOptions = {}): Promise<ClickHouseCluster> {
  const bin = clickhouseBinary();
  if (!bin) throw new Error('clickhouse-server is not installed; run `node scripts/ensure-clickhouse.mjs` (Debian: apt-get install clickhouse-server).');
  const kept = options.dir !== undefined;
  if (kept) mkdirSync(options.dir!, { recursive: true });
  const root = kept ? options.dir! : mkdtempSync(join(tmpdir(), 'clientlens-ch-'));
  const ports = await Promise.all(Array.from({ length: 6 }, freePort));
  const tcp = [ports[1], ports[4]];
  const children: ChildProcess[] = [];
  const urls: string[] = [];
  try {
    for (let s = 0; s < 2; s++) {
      const dir = join(root, `shard${s + 1}`);
      for (const sub of ['data', 'tmp', 'user_files', 'format_schemas']) mkdirSync(join(dir, sub), { recursive: true });
      writeFileSync(join(dir, 'users.xml'), USERS_XML);
      writeFileSync(join(dir, 'config.xml'), configXml(dir, ports[s * 3], tcp[s], ports[s * 3 + 2], tcp));
      const out = openSync(join(dir, 'stdout.log'), 'a');
      const child = spawn(bin, [`--config-file=${join(dir, 'config.xml')}`], { cwd: dir, stdio: ['ignore', out, out] });
      closeSync(out);
      children.push(child);
      urls.push(`http://127.0.0.1:${ports[s * 3]}`);
    }
    await Promise.all(urls.map((u, i) => waitReady(u, children[i], join(root, `shard${i + 1}`))));
  } catch (err) {
    await stopAll(children, root, kept);
    throw err;
  }
  const exec = (sql: string, server = 0, data?: string) => post(urls[server], sql, data);
  return {
    urls: urls as [string, string],
    dir: root,
    exec,
    async loadClients(name, tables) {
      for (let s = 0; s < 2; s++) {
        await exec(`DROP TABLE IF EXISTS ${name}`, s);
        await exec(`DROP TABLE IF EXISTS ${name}_local`, s);
        await exec(clientTableDdl(`${name}_local`, tables[0]), s);
        await exec(`CREATE TABLE ${name} AS ${name}_local ENGINE = Distributed(${CLUSTER_NAME}, default, ${name}_local, _row)`, s);
      }
      // Straight to the shards, even rows to the first and odd rows to the second (so both hold
      // every kind of row): a Distributed INSERT is asynchronous in 18.16. Inserts of ~256k rows
      // per shard keep the number of parts (and merges) small at 10M rows.
      let row = 0;
      const pending: string[][] = [[], []];
      const flush = async (s: number) => {
        if (pending[s].length === 0) return;
        await exec(`INSERT INTO ${name}_local FORMAT TabSeparated`, s, pending[s].join('\n') + '\n');
        pending[s] = [];
      };
      for (const t of tables) {
        const lines = portfolioTsvLines(t, row);
        row += t.numRows;
        for (let i = 0; i < lines.length; i++) pending[i % 2].push(lines[i]);
        for (let s = 0; s < 2; s++) if (pending[s].length >= 262_144) await flush(s);
      }
      await flush(0);
      await flush(1);
    },
    stop: () => stopAll(children, root, kept),
  };
}

async function stopAll(children: ChildProcess[], root: string, kept: boolean): Promise<void> {
  await Promise.all(children.map((c) => new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
    c.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    c.kill('SIGTERM');
  })));
  // CLIENTLENS_KEEP_CLICKHOUSE=1 keeps the logs and data for a post-mortem (path printed).
  if (kept) return;
  if (process.env.CLIENTLENS_KEEP_CLICKHOUSE === '1') console.error(`clientlens: ClickHouse files kept in ${root}`);
  else rmSync(root, { recursive: true, force: true });
}
