/**
 * A ClickHouse client over its HTTP interface, for browsers and Node (plain `fetch`).
 *
 * Contracts:
 * - Credentials come from the host page's `credentials` callback, called once per request and
 *   never stored: not on this object, not in IndexedDB, not in the URL (they travel as headers).
 * - Every query has a query_id; aborting its signal, or its time limit passing, aborts the fetch
 *   AND sends `KILL QUERY WHERE query_id = ...` (ClickHouse 18.16 keeps running a query whose
 *   HTTP client went away; `cancel_http_readonly_queries_on_client_close` came later).
 * - Read-only queries are retried once after a network failure or a transient 5xx (overload,
 *   a shard unreachable); an error about the query itself is never retried.
 * - Results are read as TabSeparatedWithNamesAndTypes: the one text format that carries NaN,
 *   +-Infinity, NULL, 64-bit integers and exact doubles without any per-query setting, so a
 *   `readonly=1` user (who may not change settings) gets the same answers as an admin.
 */
import { RemoteEngineError, abortError } from './remote-error.js';
import { parseTsvResult, type TsvResult } from './tsv-result.js';

/** What the host page hands over for one request: a user and password, or headers for a proxy. */
export type ClickHouseCredentials =
  | { readonly user: string; readonly password?: string }
  | { readonly headers: Readonly<Record<string, string>> };

export type CredentialsProvider = () => ClickHouseCredentials | null | undefined | Promise<ClickHouseCredentials | null | undefined>;

export interface ClickHouseClientOptions {
  /** Base URL of the HTTP interface (or of the reverse proxy in front of it), http: or https:. */
  readonly url: string;
  /** Database of unqualified table names; default: the user's default database. */
  readonly database?: string;
  readonly credentials?: CredentialsProvider;
  /** Time limit per query in ms (1..3,600,000); default 30,000. */
  readonly timeoutMs?: number;
  /** Retries of read-only queries after a network error or a transient 5xx, 0..3; default 1. */
  readonly retries?: number;
  /** Extra settings sent with every query (e.g. { max_threads: 4 }); a readonly=1 user may not send any. */
  readonly settings?: Readonly<Record<string, string | number>>;
  /** Prefix of generated query ids (letters, digits, '-', '_'); default 'clientlens'. */
  readonly queryIdPrefix?: string;
}

export interface QueryOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  /** Default true: the query changes nothing, so it may be retried. */
  readonly readOnly?: boolean;
  /** Used as given (else generated); must match [A-Za-z0-9_-]{1,100}. */
  readonly queryId?: string;
  /** Sent as the request body after the query (INSERT ... FORMAT x data). */
  readonly data?: string;
}

/** ClickHouse error codes worth one more try: the cluster, not the query, had a bad moment. */
const TRANSIENT_CODES = new Set([202 /* TOO_MANY_SIMULTANEOUS_QUERIES */, 209 /* SOCKET_TIMEOUT */, 210 /* NETWORK_ERROR */, 279 /* ALL_CONNECTION_TRIES_FAILED */, 3 /* UNEXPECTED_END_OF_FILE */]);
const SETTING_NAME = /^[a-z][a-z0-9_]{0,99}$/;
const QUERY_ID = /^[A-Za-z0-9_-]{1,100}$/;
let sequence = 0;

function checkOptions(o: ClickHouseClientOptions): { url: URL; timeoutMs: number; retries: number; prefix: string } {
  if (o === null || typeof o !== 'object') throw new TypeError('ClickHouse options must be an object { url, database?, credentials?, timeoutMs?, retries?, settings? }.');
  const known = ['url', 'database', 'credentials', 'timeoutMs', 'retries', 'settings', 'queryIdPrefix'];
  for (const k of Object.keys(o)) if (!known.includes(k)) throw new TypeError(`ClickHouse option "${k}" is not known; expected one of: ${known.join(', ')}.`);
  let url: URL;
  try {
    url = new URL(o.url);
  } catch {
    throw new TypeError(`ClickHouse option "url" must be an absolute http(s) URL; got ${JSON.stringify(o.url)}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`ClickHouse option "url" must use http: or https:; got ${url.protocol}.`);
  if (url.username || url.password) throw new TypeError('ClickHouse option "url" must not carry credentials; pass a "credentials" callback instead.');
  if (url.search) throw new TypeError('ClickHouse option "url" must not have a query string; use "database" and "settings".');
  if (o.database !== undefined && (typeof o.database !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(o.database))) {
    throw new TypeError(`ClickHouse option "database" must be a plain name (letters, digits, _); got ${JSON.stringify(o.database)}.`);
  }
  if (o.credentials !== undefined && typeof o.credentials !== 'function') throw new TypeError('ClickHouse option "credentials" must be a function returning { user, password } or { headers }.');
  const timeoutMs = o.timeoutMs ?? 30_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 3_600_000) throw new TypeError(`ClickHouse option "timeoutMs" must be an integer from 1 to 3600000; got ${String(o.timeoutMs)}.`);
  const retries = o.retries ?? 1;
  if (!Number.isInteger(retries) || retries < 0 || retries > 3) throw new TypeError(`ClickHouse option "retries" must be an integer from 0 to 3; got ${String(o.retries)}.`);
  for (const [k, v] of Object.entries(o.settings ?? {})) {
    if (!SETTING_NAME.test(k)) throw new TypeError(`ClickHouse option "settings.${k}" is not a setting name (lower case letters, digits, _).`);
    if (typeof v !== 'number' && typeof v !== 'string') throw new TypeError(`ClickHouse option "settings.${k}" must be a number or a string; got ${typeof v}.`);
  }
  const prefix = o.queryIdPrefix ?? 'clientlens';
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(prefix)) throw new TypeError(`ClickHouse option "queryIdPrefix" must be 1-40 letters, digits, '-' or '_'; got ${JSON.stringify(prefix)}.`);
  return { url, timeoutMs, retries, prefix };
}

export class ClickHouseClient {
  /** The engine's URL as shown in messages (no credentials are ever part of it). */
  readonly engine: string;
  private readonly url: URL;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly prefix: string;
  private readonly running = new Map<string, AbortController>();
  private disposed = false;

  constructor(private readonly options: ClickHouseClientOptions) {
    const checked = checkOptions(options);
    this.url = checked.url;
    this.timeoutMs = checked.timeoutMs;
    this.retries = checked.retries;
    this.prefix = checked.prefix;
    this.engine = checked.url.origin + checked.url.pathname.replace(/\/$/, '');
  }

  newQueryId(): string {
    const random = Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0');
    return `${this.prefix}-${Date.now().toString(36)}-${(++sequence).toString(36)}-${random}`;
  }

  /** A SELECT (or DESCRIBE, SHOW): its rows, typed by the result's column types. */
  async select(sql: string, options: QueryOptions = {}): Promise<TsvResult> {
    const text = await this.request(`${sql}\nFORMAT TabSeparatedWithNamesAndTypes`, options);
    try {
      return parseTsvResult(text);
    } catch (err) {
      throw new RemoteEngineError('protocol', this.engine, `ClickHouse at ${this.engine} sent an answer that is not TabSeparatedWithNamesAndTypes: ${(err as Error).message}`, {}, { cause: err });
    }
  }

  /** A statement without a result (DDL, INSERT); never retried. */
  async execute(sql: string, options: Omit<QueryOptions, 'readOnly'> = {}): Promise<void> {
    await this.request(sql, { ...options, readOnly: false });
  }

  /** Asks the engine to stop a query; resolves when the engine has acknowledged (errors ignored). */
  async kill(queryId: string): Promise<void> {
    if (!QUERY_ID.test(queryId)) throw new TypeError(`Not a query id: ${JSON.stringify(queryId)}.`);
    try {
      // SYNC waits until the query is gone from system.processes, so a caller that awaits the
      // rejection of a cancelled query can rely on the engine no longer working on it.
      await this.send(`KILL QUERY WHERE query_id = '${queryId}' SYNC FORMAT TabSeparated`, this.newQueryId(), undefined, 10_000);
    } catch {
      // Best effort: the query may have finished already, or the engine may be gone.
    }
  }

  /** Cancels every running query (each gets its KILL QUERY); the client is unusable afterwards. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const ids = [...this.running.keys()];
    for (const c of this.running.values()) c.abort(abortError('The ClickHouse client was disposed.'));
    await Promise.all(ids.map((id) => this.kill(id)));
  }

  private async request(sql: string, options: QueryOptions): Promise<string> {
    if (this.disposed) throw new Error(`The ClickHouse client for ${this.engine} was disposed.`);
    const readOnly = options.readOnly ?? true;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 3_600_000) throw new TypeError(`Query option "timeoutMs" must be an integer from 1 to 3600000; got ${String(options.timeoutMs)}.`);
    if (options.queryId !== undefined && !QUERY_ID.test(options.queryId)) throw new TypeError(`Query option "queryId" must match ${QUERY_ID}; got ${JSON.stringify(options.queryId)}.`);
    const baseId = options.queryId ?? this.newQueryId();
    const attempts = readOnly ? this.retries + 1 : 1;
    let last: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      // A retry gets its own id: the first attempt may still be registered on the engine.
      const id = attempt === 0 ? baseId : `${baseId}-r${attempt}`;
      try {
        return await this.send(sql, id, options.signal, timeoutMs, options.data);
      } catch (err) {
        last = err;
        if (!(err instanceof RemoteEngineError) || !isTransient(err)) throw err;
      }
    }
    throw last;
  }

  private async send(sql: string, queryId: string, signal: AbortSignal | undefined, timeoutMs: number, data?: string): Promise<string> {
    if (signal?.aborted) throw abortError(signal.reason);
    const params = new URLSearchParams({ query_id: queryId });
    if (this.options.database) params.set('database', this.options.database);
    for (const [k, v] of Object.entries(this.options.settings ?? {})) params.set(k, String(v));
    const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8' };
    const creds = this.options.credentials ? await this.options.credentials() : null;
    if (creds && 'headers' in creds) Object.assign(headers, creds.headers);
    else if (creds && 'user' in creds) headers.Authorization = `Basic ${base64(`${creds.user}:${creds.password ?? ''}`)}`;
    let body = sql;
    if (data !== undefined) {
      // INSERT ... FORMAT x with its data in the body; the query text goes in the URL.
      params.set('query', sql);
      body = data;
    }
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    this.running.set(queryId, controller);
    const where = `ClickHouse at ${this.engine}`;
    try {
      let res: Response;
      try {
        res = await fetch(`${this.url.href.replace(/\/$/, '')}/?${params}`, { method: 'POST', headers, body, signal: controller.signal });
      } catch (err) {
        throw await this.failure(err, where, queryId, signal, timedOut, timeoutMs);
      }
      let text: string;
      try {
        text = await res.text();
      } catch (err) {
        throw await this.failure(err, where, queryId, signal, timedOut, timeoutMs);
      }
      if (res.ok) return text;
      const serverText = text.trim().slice(0, 2000);
      const code = /^Code: (\d+)/.exec(serverText)?.[1];
      const details = { status: res.status, code: code === undefined ? undefined : Number(code), serverText, queryId };
      if (res.status === 401 || res.status === 403 || details.code === 516 || details.code === 192 || details.code === 193 || details.code === 194 || details.code === 164) {
        throw new RemoteEngineError('refused', this.engine, `${where} refused the query (HTTP ${res.status}): ${serverText || res.statusText}. Check the user, its password or token, and its grants.`, details);
      }
      if (details.code === 159) throw new RemoteEngineError('timeout', this.engine, `${where} stopped the query at its time limit: ${serverText}`, details);
      throw new RemoteEngineError('query', this.engine, `${where} answered HTTP ${res.status}: ${serverText || res.statusText}`, details);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      this.running.delete(queryId);
    }
  }

  /** A failed fetch: cancelled by the caller, timed out, or the engine could not be reached. */
  private async failure(err: unknown, where: string, queryId: string, signal: AbortSignal | undefined, timedOut: boolean, timeoutMs: number): Promise<Error> {
    if (signal?.aborted || timedOut) {
      // The engine keeps working on a query whose connection closed: stop it there too.
      await this.kill(queryId);
      if (!timedOut) return abortError(signal!.reason);
      return new RemoteEngineError('timeout', this.engine, `${where} did not answer within ${timeoutMs} ms; the query (id ${queryId}) was cancelled on the engine.`, { queryId }, { cause: err });
    }
    const reason = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    return new RemoteEngineError('unreachable', this.engine, `${where} could not be reached (${reason}). Is the engine running, the URL right, and (from a browser) CORS or the proxy set up?`, { queryId }, { cause: err });
  }
}

function isTransient(err: RemoteEngineError): boolean {
  if (err.kind === 'unreachable') return true;
  if (err.kind !== 'query') return false;
  if (err.details.code !== undefined) return TRANSIENT_CODES.has(err.details.code);
  return err.details.status === 502 || err.details.status === 503 || err.details.status === 504;
}

function base64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}
