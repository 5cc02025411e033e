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
   * runs, so a short query sent beside a long job is not slowed by it.
   */
  run(jobId: number, name: string, args: unknown, progress: (p: JobProgress) => void, priority?: number): Promise<JobOutcome>;
  cancel(jobId: number): void;
  /** Names of the jobs this worker serves. */
  jobs(): string[];
}
