/**
 * Priming: before a worker first runs a query shape over its rows, it runs the same stage over the
 * first PRIME_ROWS rows of its first two batches and throws the answer away.
 *
 * Why: V8 compiles a long loop while it runs (on-stack replacement) and keeps that code for the
 * loop's next entries. Code after the loop that had never run by then has no type feedback, so the
 * compiled code leaves for the interpreter there, on every call, and the function never gets code
 * of its own: on the 1M dashboard a worker did this hundreds of times (sumValues, filterBatch,
 * gatherValidity, countGroupRows...: 911 deoptimisations in a page load, warm-up and four filter
 * changes), and the optimising compiler threads spent 150-280 ms of CPU per filter change on the
 * recompiles, on the same two cores the answers need. A small run first goes through every loop
 * and the code after it in the interpreter, so the code compiled later has the feedback (592
 * deoptimisations, none of those; compiler threads 73-109 ms per filter change, paired runs).
 *
 * Contracts: per worker, once per key (a kernel, its stage, its spec without the page filter, and
 * whether a filter applies, since the filtered path runs other loops); the run leaves nothing in the
 * per-batch caches (its batches are fresh slices, dropped after); a failure in it is ignored (the
 * real run reports its own); it does not report progress or stop at checkpoints (it is small).
 */
import type { AnyKernel, KernelContext, RowBatch } from '../kernels/kernel.js';

/** Rows per batch in a priming run: enough to take every branch of a loop with mixed data. */
export const PRIME_ROWS = 64;

const primed = new Set<string>();

/** Keys primed so far in this worker, for tests. */
export function primedKeys(): ReadonlySet<string> {
  return primed;
}

/** The first PRIME_ROWS rows of the first two batches, as fresh batches (row numbers kept). */
export function primingRows(rows: readonly RowBatch[]): RowBatch[] {
  return rows.slice(0, 2).map(({ batch, rowOffset }) => ({ batch: batch.slice(0, Math.min(batch.numRows, PRIME_ROWS)), rowOffset }));
}

/** A context for a priming run: never cancelled by the caller's signal midway, no progress. */
export const PRIME_CONTEXT: KernelContext = { checkpoint: async () => {}, progress: () => {} };

/** What a query's prime key describes: the kernel's own `shape` of its validated spec, else the spec as given. */
export function shapeOf(kernel: AnyKernel, valid: unknown, given: unknown): unknown {
  return kernel.shape ? kernel.shape(valid) : given;
}

/**
 * The key of a query shape: kernel, stage, spec without its filter (a native-filter kernel keeps
 * the page filter in its spec; one key per filter would grow without end) and whether it filters.
 */
export function primeKey(kernel: string, stage: string, spec: unknown, filtered: boolean): string {
  let shape = spec;
  if (spec !== null && typeof spec === 'object' && 'filter' in spec) {
    const { filter, ...rest } = spec as Record<string, unknown>;
    shape = rest;
    filtered ||= filter !== undefined;
  }
  return `${kernel}|${stage}|${JSON.stringify(shape)}|${filtered ? 'filtered' : 'all'}`;
}

/**
 * Runs `run` over priming rows of `rows` the first time `key` is seen in this worker. `run` gets
 * the rows to read (apply the page filter to them as the real run does).
 */
export async function primeOnce(key: string, rows: readonly RowBatch[], run: (rows: RowBatch[]) => Promise<unknown>): Promise<void> {
  if (primed.has(key) || rows.length === 0) return;
  primed.add(key);
  try {
    await run(primingRows(rows));
  } catch {
    // The real run meets the same problem, if it is one, and reports it.
  }
}
