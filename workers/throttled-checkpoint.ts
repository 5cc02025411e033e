/**
 * Kernels and model fits call `checkpoint` often (a kernel once per record batch: 64K rows, well
 * under a millisecond of work in the cheaper loops), and a real checkpoint is a macrotask round
 * trip (a message to itself, plus its heartbeat clock and priority check): 76 of them cost a
 * 5M-row funnel about 2 ms of its 15 on one thread, and the dashboard's queries measurably more
 * beside model fits. So a job's checkpoint yields only once CHECKPOINT_MS have passed since its
 * last yield; in between it is a resolved promise. Nothing is missed by skipping: a cancel or a
 * job of higher priority reaches the worker as a message, which only runs at a real yield; it is
 * seen within CHECKPOINT_MS plus one batch.
 */
import type { JobContext } from './job-host.js';

export const CHECKPOINT_MS = 8;

export function throttledCheckpoint(ctx: Pick<JobContext, 'checkpoint'>, ms = CHECKPOINT_MS, now: () => number = () => performance.now()): () => Promise<void> {
  let last = now();
  return () => {
    if (now() - last < ms) return Promise.resolve();
    return ctx.checkpoint().then(() => {
      last = now();
    });
  };
}
