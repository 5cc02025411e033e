/**
 * A segment rollup run with one of the kernels' per-batch caches switched on or off (and always
 * back on afterwards), on one thread or split like the pool: the cache tests compare the two.
 */
import type { Table } from 'apache-arrow';
import { runKernelLocal, runKernelSplit } from '../../../workers/kernels/run-local.js';
import { segmentRollup, type RollupResult } from '../../../workers/kernels/segment-rollup.js';

export async function rollupWithCache(setCache: (on: boolean) => void, tables: readonly Table[], spec: { by: unknown; measures: unknown[]; filter?: unknown }, cached: boolean, parts = 1): Promise<RollupResult> {
  setCache(cached);
  try {
    const s = { by: spec.by, measures: spec.measures, ...(spec.filter ? { filter: spec.filter } : {}) };
    return parts === 1 ? await runKernelLocal<RollupResult>(segmentRollup, tables, s) : await runKernelSplit<RollupResult>(segmentRollup, tables, s, parts);
  } finally {
    setCache(true);
  }
}
