/**
 * The shape of a kernel translated to SQL: it receives the spec already validated by the local
 * kernel's own `validate` (so both paths accept and reject the same specs, with the same
 * SpecErrors), builds its SQL only through sql-builder.ts, and returns exactly the result the
 * local kernel's reduce would: same fields, same order, same types, nulls where it has nulls.
 */
import type { FilterSpec } from '../../workers/kernels/filter.js';
import type { RemoteTable, Sql } from './sql-builder.js';

export interface RemoteQueryContext {
  readonly table: RemoteTable;
  /** Runs a SELECT; rows as objects keyed by the result's column names. */
  select(query: Sql): Promise<Record<string, unknown>[]>;
  /**
   * Most values a translation may gather into one array in one query (where that is the faster
   * way); above it, it must use rank selection (kernels/rank-select.ts), which gathers none.
   */
  readonly gatherMax: number;
}

export interface RemoteKernel<Spec = unknown, Result = unknown> {
  readonly name: string;
  /**
   * `spec` is the validated spec; `filter` the page filter the runner split off for kernels that
   * do not filter natively (undefined for native ones: theirs is inside the spec).
   */
  run(ctx: RemoteQueryContext, spec: Spec, filter: FilterSpec | undefined): Promise<Result>;
}
