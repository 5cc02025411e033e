/**
 * The shape every scoring kernel takes, so one runner can execute it on one thread (Node, tests,
 * benchmarks) or split by row range across the worker pool, with the same answer.
 *
 *   validate(spec, schema)           one worker, before any work: a clear SpecError or a typed spec
 *   prepare?.map(batches) -> P       every worker, on its rows      (optional first pass, e.g. RFM
 *   prepare?.reduce([P]) -> params   one worker, small inputs        breakpoints need global ranks)
 *   map(batches, params) -> partial  every worker, on its rows
 *   reduce([partial]) -> result      one worker: small inputs only, never a loop over all rows
 * (src/query/run-kernel.ts; the page loads no kernel code. Node and tests run all on one thread.)
 *
 * Contract: reduce(map over any row-range split, in row order) equals reduce([map over all rows]).
 * Partials are structured-cloneable. Kernels are pure: no DOM, no I/O, no globals.
 */
import type { RecordBatch } from 'apache-arrow';
import type { ColumnInfo } from '../../src/cache/cache-manifest.js';

/** A worker's rows: record batches in global row order, each with its global first-row number. */
export interface RowBatch {
  readonly batch: RecordBatch;
  readonly rowOffset: number;
  /**
   * Set when `batch` is a filtered view (page filters applied by the runner): the position in the
   * original batch of each row of the view. The global row number of view row i is then
   * rowOffset + positions[i], not rowOffset + i; `globalRow` gives it either way.
   */
  readonly positions?: Int32Array;
}

/** Global row number of row `i` of a RowBatch (filtered view or not). */
export function globalRow(rows: RowBatch, i: number): number {
  return rows.rowOffset + (rows.positions ? rows.positions[i] : i);
}

export interface KernelContext {
  readonly signal?: AbortSignal;
  /** Yields, throws if cancelled; call every batch or so. */
  checkpoint(): Promise<void>;
  progress(fraction: number): void;
}

export interface KernelPhase<Spec, Params, Partial> {
  map(rows: readonly RowBatch[], spec: Spec, params: Params, ctx: KernelContext): Partial | Promise<Partial>;
}

export interface KernelDef<Spec, Partial, Result, PrepPartial = never, Params = undefined> {
  readonly name: string;
  /**
   * 'native': the kernel reads `spec.filter` itself. Otherwise the runner takes `filter` off the
   * spec, validates it, and hands the kernel only the rows that pass (filtered-rows.ts).
   */
  readonly filters?: 'native';
  /** Checks an untrusted spec against the dataset's columns; throws SpecError naming the problem. */
  validate(spec: unknown, schema: readonly ColumnInfo[]): Spec;
  /**
   * The part of a validated spec that decides which code a run goes through: a worker primes each
   * shape once (workers/jobs/kernel-priming.ts). Default: the whole spec without its filter. Give it
   * when a spec carries values that change from query to query and not the code path, such as the
   * ids of a page of clients.
   */
  readonly shape?: (spec: Spec) => unknown;
  readonly prepare?: {
    map(rows: readonly RowBatch[], spec: Spec, ctx: KernelContext): PrepPartial | Promise<PrepPartial>;
    reduce(partials: PrepPartial[], spec: Spec): Params;
  };
  map(rows: readonly RowBatch[], spec: Spec, params: Params, ctx: KernelContext): Partial | Promise<Partial>;
  reduce(partials: Partial[], spec: Spec, params: Params): Result;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyKernel = KernelDef<any, any, any, any, any>;

/** A spec that cannot run: names the spec field (e.g. "measures[1].column") and what was expected. */
export class SpecError extends Error {
  override readonly name = 'SpecError';
  constructor(
    readonly kernel: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${kernel}: ${field} ${problem}`);
  }
}
