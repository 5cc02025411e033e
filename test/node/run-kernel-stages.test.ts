// src/query/run-kernel.ts: the stages of a query and the priorities they ask the pool for. A map
// after a prepare pass is a later stage of a query the page already waits on: it must rank above
// every query's first stage and below the quick jobs (reduces), or it queues behind the other
// panels' first stages after a filter change.
import { describe, expect, it } from 'vitest';
import { LATER_STAGE_PRIORITY, LEADING_PRIORITY, runKernel } from '../../src/query/run-kernel.js';
import type { Dataset } from '../../src/dataset/data-hub.js';
import { DEFAULT_JOB_PRIORITIES, QUICK_JOB_PRIORITY } from '../../src/pool/worker-pool.js';

interface Call {
  readonly job: string;
  readonly stage?: string;
  readonly priority?: number;
}

/** A dataset whose jobs answer as a kernel with (or without) a prepare pass would, recording each run. */
function recordingDataset(withPrepare: boolean): { dataset: Dataset; calls: Call[] } {
  const calls: Call[] = [];
  const dataset = {
    key: 'ds@1',
    rows: 10,
    schema: [],
    partitions: [{ worker: 0, chunkCount: 1, rows: 5 }, { worker: 1, chunkCount: 1, rows: 5 }],
    runOnPartitions: async (job: string, args: (p: unknown) => { stage: string }, options: { priority?: number } = {}) => {
      const { stage } = args({});
      calls.push({ job, stage, priority: options.priority });
      return [0, 1].map(() => (stage === 'first' ? { stage: withPrepare ? 'prepare' : 'map', partial: {} } : {}));
    },
    runOnAnyWorker: async (job: string, args: { stage: string }) => {
      calls.push({ job, stage: args.stage, priority: QUICK_JOB_PRIORITY });
      return args.stage === 'map' ? { answer: true } : { params: true };
    },
  } as unknown as Dataset;
  return { dataset, calls };
}

describe('runKernel stages', () => {
  it('runs a map after a prepare above first stages and below reduces', async () => {
    const { dataset, calls } = recordingDataset(true);
    expect(await runKernel(dataset, 'rfm', {})).toEqual({ answer: true });
    expect(calls.map((c) => `${c.job}:${c.stage}`)).toEqual(['kernel:first', 'kernel-reduce:prepare', 'kernel:map', 'kernel-reduce:map']);
    const first = calls[0].priority ?? DEFAULT_JOB_PRIORITIES.kernel;
    const later = calls[2].priority!;
    expect(later).toBe(LATER_STAGE_PRIORITY);
    expect(later).toBeGreaterThan(first);
    expect(later).toBeLessThan(QUICK_JOB_PRIORITY);
  });

  // The page holds no kernel code: it learns from the first answer that a (plugin) kernel has a prepare pass.
  it('starts a kernel seen to have a prepare pass above other first stages, from its second query on', async () => {
    const { dataset, calls } = recordingDataset(true);
    await runKernel(dataset, 'acme-two-stage', {});
    await runKernel(dataset, 'acme-two-stage', { points: 20 });
    const firsts = calls.filter((c) => c.stage === 'first').map((c) => c.priority);
    expect(firsts).toEqual([undefined, LEADING_PRIORITY]);
    expect(LEADING_PRIORITY).toBeGreaterThan(DEFAULT_JOB_PRIORITIES.kernel);
    expect(LEADING_PRIORITY).toBeLessThan(LATER_STAGE_PRIORITY);
  });

  // A page's first load: the whale curve is one of a dozen first queries, and its map must not wait for all of them.
  it('starts the built-in kernels with a prepare pass above other first stages from their first query', async () => {
    for (const name of ['whale-curve', 'rfm']) {
      const { dataset, calls } = recordingDataset(true);
      await runKernel(dataset, name, {});
      expect(calls[0].priority).toBe(LEADING_PRIORITY);
    }
  });

  it('gives the first stage the priority the caller asks for', async () => {
    const { dataset, calls } = recordingDataset(false);
    await runKernel(dataset, 'churn-rules', {}, { priority: LEADING_PRIORITY });
    expect(calls[0].priority).toBe(LEADING_PRIORITY);
  });

  it('runs a single-stage query at the pool\'s kernel priority', async () => {
    const { dataset, calls } = recordingDataset(false);
    await runKernel(dataset, 'kpis', {});
    expect(calls.map((c) => `${c.job}:${c.stage}`)).toEqual(['kernel:first', 'kernel-reduce:map']);
    expect(calls[0].priority).toBeUndefined();
  });
});
