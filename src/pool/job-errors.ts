/**
 * Errors a pool job can end with. Each says which job and, where it matters, which worker, so
 * a message shown to a user points at what went wrong.
 */
import type { SerializedError } from './job-protocol.js';

export class JobCancelledError extends Error {
  override readonly name = 'AbortError';
  constructor(readonly job: string, reason?: unknown) {
    super(`Job "${job}" was cancelled${reason instanceof Error ? `: ${reason.message}` : typeof reason === 'string' ? `: ${reason}` : ''}.`);
  }
}

export class JobTimeoutError extends Error {
  override readonly name = 'JobTimeoutError';
  constructor(readonly job: string, readonly timeoutMs: number) {
    super(`Job "${job}" ran past its time budget of ${timeoutMs} ms and was stopped.`);
  }
}

export class WorkerCrashedError extends Error {
  override readonly name = 'WorkerCrashedError';
  constructor(readonly job: string, readonly worker: number, readonly reason: string) {
    super(`Worker ${worker} failed while running job "${job}" (${reason}); the worker was replaced.`);
  }
}

/** An error thrown by the job's own code inside the worker, with its name and fields preserved. */
export class RemoteJobError extends Error {
  readonly remoteName: string;
  constructor(readonly job: string, serialized: SerializedError) {
    super(serialized.message);
    this.name = serialized.name;
    this.remoteName = serialized.name;
    if (serialized.stack) this.stack = serialized.stack;
    if (serialized.fields) Object.assign(this, serialized.fields);
  }
}
