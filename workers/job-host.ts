/**
 * Worker side of the pool: serves named job handlers over comlink.
 *
 * A handler gets a JobContext. Long handlers must call `await ctx.checkpoint()` every few
 * thousand rows: it yields to the worker's event loop (so a cancel message can arrive), throws if
 * the job was cancelled, and sends a heartbeat so the pool knows the worker is alive. A handler that
 * never checkpoints can still be stopped: the pool terminates and replaces its worker.
 */
import { expose, releaseProxy, transfer, type Remote } from 'comlink';
import type { JobHostApi, JobOutcome, JobProgress, SerializedError } from '../src/pool/job-protocol.js';

export interface JobContext {
  readonly signal: AbortSignal;
  /** Reports how far the job is (0..1); throttled, cheap to call often. */
  progress(fraction: number, note?: string): void;
  /** Yields to the event loop, throws an AbortError if cancelled, and sends a heartbeat. */
  checkpoint(): Promise<void>;
  /** Marks buffers in the result to be moved, not copied, to the caller. */
  transfer<T extends object>(value: T, transferables: Transferable[]): T;
}

export type JobHandler = (args: any, ctx: JobContext) => unknown;

const HEARTBEAT_MS = 200;

/** Transfer lists attached by handlers to their results (see JobContext.transfer). */
const transferLists = new WeakMap<object, Transferable[]>();

/** Posts to ourselves through a MessageChannel: a macrotask yield without setTimeout's clamping. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(err)) {
      try {
        fields[k] = structuredClone(v);
      } catch {
        // Fields that cannot cross the thread boundary are dropped; name and message still do.
      }
    }
    return { name: err.name, message: err.message, stack: err.stack, fields };
  }
  return { name: 'Error', message: typeof err === 'string' ? err : `Non-error thrown: ${String(err)}` };
}

export function serveJobs(handlers: Record<string, JobHandler>): void {
  const running = new Map<number, AbortController>();
  /** Priorities of the running jobs; a job waits at its checkpoints while a higher one runs. */
  const priorities = new Map<number, number>();
  let waiters: (() => void)[] = [];
  const outranked = (priority: number) => {
    for (const p of priorities.values()) if (p > priority) return true;
    return false;
  };
  /** Resolves when a job ends (the ranking may have changed) or after `ms`, for a heartbeat. */
  const nextEndOr = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      waiters.push(() => (clearTimeout(timer), resolve()));
    });

  const api: JobHostApi = {
    async run(jobId, name, args, progressRemote, priority = 1): Promise<JobOutcome> {
      const remote = progressRemote as unknown as Remote<(p: JobProgress) => void>;
      const controller = new AbortController();
      running.set(jobId, controller);
      let last = 0;
      const send = (p: JobProgress, force = false) => {
        const now = Date.now();
        if (!force && now - last < HEARTBEAT_MS) return;
        last = now;
        void remote(p).catch(() => {});
      };
      const ctx: JobContext = {
        signal: controller.signal,
        progress: (fraction, note) => send({ fraction: Math.max(0, Math.min(1, fraction)), note }),
        async checkpoint() {
          send({});
          await yieldToEventLoop();
          controller.signal.throwIfAborted();
          // Parked behind jobs of higher priority, still sending heartbeats so the pool sees it alive.
          while (outranked(priority)) {
            await nextEndOr(HEARTBEAT_MS);
            send({});
            controller.signal.throwIfAborted();
          }
        },
        transfer: (value, transferables) => {
          transferLists.set(value, transferables);
          return value;
        },
      };
      priorities.set(jobId, priority);
      try {
        const handler = handlers[name];
        if (!handler) throw new Error(`This worker has no job named "${name}"; it serves: ${Object.keys(handlers).join(', ')}.`);
        const value = await handler(args, ctx);
        send({ fraction: 1 }, true);
        // The value is wrapped in an outcome, so its transfer list is carried over to the wrapper.
        const outcome: JobOutcome = { ok: true, value };
        return transfer(outcome, transferablesOf(value));
      } catch (err) {
        return { ok: false, error: serializeError(err) };
      } finally {
        priorities.delete(jobId);
        const waiting = waiters;
        waiters = [];
        for (const wake of waiting) wake();
        running.delete(jobId);
        remote[releaseProxy]?.();
      }
    },
    cancel(jobId) {
      running.get(jobId)?.abort(new DOMException('Job cancelled', 'AbortError'));
    },
    jobs: () => Object.keys(handlers),
  };
  expose(api);
}

function transferablesOf(value: unknown): Transferable[] {
  return value !== null && typeof value === 'object' ? (transferLists.get(value) ?? []) : [];
}
