/**
 * Worker side of the pool: serves named job handlers over comlink.
 *
 * A handler gets a JobContext. Long handlers must call `await ctx.checkpoint()` every few
 * thousand rows: it yields to the worker's event loop (so a cancel message can arrive), throws if
 * the job was cancelled, and sends a heartbeat so the pool knows the worker is alive. A handler that
 * never checkpoints can still be stopped: the pool terminates and replaces its worker.
 */
import { expose, transfer } from 'comlink';
import type { JobHostApi, JobOutcome, JobProgress, JobProgressMessage, SerializedError } from '../src/pool/job-protocol.js';
import { throttledCheckpoint } from './throttled-checkpoint.js';

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

/**
 * A macrotask yield without setTimeout's clamping: a message to ourselves over one MessageChannel
 * kept for the worker's life (making a channel per yield cost ~0.3 ms, a third of a small job).
 */
let yieldChannel: MessageChannel | undefined;
const yieldWaiters: (() => void)[] = [];
export function yieldToEventLoop(): Promise<void> {
  if (!yieldChannel) {
    yieldChannel = new MessageChannel();
    yieldChannel.port1.onmessage = () => yieldWaiters.shift()?.();
    // Node's ports keep a thread alive; the worker's own message port already does that.
    (yieldChannel.port1 as { unref?: () => void }).unref?.();
  }
  const channel = yieldChannel;
  return new Promise((resolve) => {
    yieldWaiters.push(resolve);
    channel.port2.postMessage(null);
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
  /**
   * Priorities of the jobs this worker holds, in arrival order (running, parked or waiting their
   * turn). A job starts when no job before it has a priority as high; a running job waits at its
   * checkpoints while a job of higher priority runs. The pool may send the next job before this
   * one ends, so the worker never idles while the page is busy handling an answer.
   */
  const priorities = new Map<number, number>();
  let waiters: (() => void)[] = [];
  const outranked = (priority: number) => {
    for (const p of priorities.values()) if (p > priority) return true;
    return false;
  };
  const waitsBehind = (jobId: number, priority: number) => {
    for (const [id, p] of priorities) {
      if (id === jobId) return false;
      if (p >= priority) return true;
    }
    return false;
  };
  /** Resolves when a job ends (the ranking may have changed) or after `ms`, for a heartbeat. */
  const nextEndOr = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      waiters.push(() => (clearTimeout(timer), resolve()));
    });
  // Progress and heartbeats go out as plain messages the pool reads beside comlink's (comlink
  // ignores messages without its ids): a comlink callback per job would cost a MessagePort
  // transfer and a request/response pair per report.
  const post = (message: JobProgressMessage) => (globalThis as unknown as { postMessage(m: unknown): void }).postMessage(message);

  const api: JobHostApi = {
    async run(jobId, name, args, priority = 1, notifyStart = false): Promise<JobOutcome> {
      const controller = new AbortController();
      running.set(jobId, controller);
      // Heartbeats only after HEARTBEAT_MS of silence: most jobs end sooner, and every message is
      // main-thread work on a page that is busy drawing answers.
      let last = Date.now();
      const send = (p: JobProgress, force = false) => {
        const now = Date.now();
        if (!force && now - last < HEARTBEAT_MS) return;
        last = now;
        post({ clJobProgress: jobId, ...p });
      };
      const park = async () => {
        while (outranked(priority)) {
          await nextEndOr(HEARTBEAT_MS);
          send({});
          controller.signal.throwIfAborted();
        }
      };
      const checkpoint = async () => {
        send({});
        await yieldToEventLoop();
        controller.signal.throwIfAborted();
        // Parked behind jobs of higher priority, still sending heartbeats so the pool sees it alive.
        await park();
      };
      const throttled = throttledCheckpoint({ checkpoint });
      const ctx: JobContext = {
        signal: controller.signal,
        progress: (fraction, note) => send({ fraction: Math.max(0, Math.min(1, fraction)), note }),
        // A job of higher priority that has arrived takes the thread at once, not at the next
        // throttled yield: a model fit beside a dashboard's dozen queries otherwise held each of
        // them up to CHECKPOINT_MS.
        checkpoint: () => (outranked(priority) ? checkpoint() : throttled()),
        transfer: (value, transferables) => {
          transferLists.set(value, transferables);
          return value;
        },
      };
      priorities.set(jobId, priority);
      try {
        // Sent ahead: waits its turn, sending heartbeats, and tells the pool when it starts.
        if (waitsBehind(jobId, priority)) {
          while (waitsBehind(jobId, priority)) {
            await nextEndOr(HEARTBEAT_MS);
            send({});
            controller.signal.throwIfAborted();
          }
          if (notifyStart) post({ clJobProgress: jobId, started: true });
        }
        const handler = handlers[name];
        if (!handler) throw new Error(`This worker has no job named "${name}"; it serves: ${Object.keys(handlers).join(', ')}.`);
        const value = await handler(args, ctx);
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
      }
    },
    cancel(jobId) {
      running.get(jobId)?.abort(new DOMException('Job cancelled', 'AbortError'));
      // A job waiting its turn answers at once rather than at its next heartbeat.
      const waiting = waiters;
      waiters = [];
      for (const wake of waiting) wake();
    },
    jobs: () => Object.keys(handlers),
  };
  expose(api);
}

function transferablesOf(value: unknown): Transferable[] {
  return value !== null && typeof value === 'object' ? (transferLists.get(value) ?? []) : [];
}
