/**
 * The contract between the pool (main thread) and a job host (inside each worker), over comlink.
 * A job is a named handler with structured-cloneable arguments; progress messages double as
 * heartbeats, which is how the pool tells a slow job from a dead or stuck worker.
 */
export interface JobProgress {
  /** 0..1 when the job knows how far it is; absent for a pure heartbeat. */
  readonly fraction?: number;
  readonly note?: string;
}

/**
 * Progress of job `clJobProgress`, posted by the host on the worker's own port beside comlink's
 * messages. `started`: a job the pool sent ahead of its turn has begun (its time budget starts).
 */
export interface JobProgressMessage extends JobProgress {
  readonly clJobProgress: number;
  readonly started?: true;
}

/** What a job host returns: errors travel as data so their extra fields (issues, report...) survive. */
export type JobOutcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: SerializedError };

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** The error's own enumerable fields that could be cloned (e.g. IngestError.issues). */
  readonly fields?: Record<string, unknown>;
}

export interface JobHostApi {
  /**
   * `priority` (default 1): the host holds a job at its checkpoints while a job of higher priority
   * runs, so a short query sent beside a long job is not slowed by it. Jobs of equal priority run
   * one after the other in the order sent. Progress comes as JobProgressMessage posts; with
   * `notifyStart`, a job that waited its turn also says when it begins (its time budget starts).
   */
  run(jobId: number, name: string, args: unknown, priority?: number, notifyStart?: boolean): Promise<JobOutcome>;
  cancel(jobId: number): void;
  /** Names of the jobs this worker serves. */
  jobs(): string[];
}
