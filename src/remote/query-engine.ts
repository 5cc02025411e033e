/**
 * A query engine: where a dataset's rows live when they are too many for the browser. It answers
 * the same kernel specs as the worker pool, with results of exactly the same shape, so an element
 * cannot tell (and need not know) whether its numbers came from local workers or a remote engine.
 *
 * Contract:
 * - `schema` is the dataset schema in the kernels' vocabulary (Arrow type text per column), so the
 *   kernels' own `validate` accepts or rejects a spec exactly as it would locally.
 * - `run` validates first (a SpecError names the spec field, before anything is sent), then asks
 *   the engine. Aborting `signal` rejects with an AbortError and stops the work on the engine too.
 * - Nothing from a spec reaches the engine unchecked: column names must be in `schema`, values are
 *   escaped literals (see sql-builder.ts).
 */
import type { ColumnInfo } from '../cache/cache-manifest.js';

export interface QueryRunOptions {
  readonly signal?: AbortSignal;
  /** Called with 0..1; remote engines report coarse steps (sent, answered). */
  readonly onProgress?: (fraction: number) => void;
  /** Overrides the engine's default time limit for this query, in ms. */
  readonly timeoutMs?: number;
}

export interface QueryEngine {
  /** What the engine is, for messages and status lines ("ClickHouse at http://...: table clients"). */
  readonly description: string;
  readonly schema: readonly ColumnInfo[];
  /** Rows of the table, when the engine was connected. */
  readonly rows: number;
  /** Kernel names this engine can answer. */
  readonly kernels: readonly string[];
  run<R>(kernel: string, spec: unknown, options?: QueryRunOptions): Promise<R>;
  /** Cancels every query still running and forgets credentials callbacks. */
  dispose(): void | Promise<void>;
}
