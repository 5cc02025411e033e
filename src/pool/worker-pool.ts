/**
 * WorkerPool: a fixed set of module workers, each serving named jobs (see workers/job-host.ts).
 *
 * Contracts:
 * - Jobs have a priority (RunOptions.priority, else by name from WorkerPoolOptions.priorities).
 *   A worker takes its queued jobs highest priority first, FIFO among equals. The pool keeps up to
 *   SEND_AHEAD jobs in a worker: the next one waits there for its turn, so the worker goes straight
 *   on while the page is still handling the previous answer. A queued job of higher priority than
 *   every job in the worker is sent at once and starts beside them; the job host parks the lower
 *   ones at their next checkpoint until nothing of higher priority runs (workers/job-host.ts). So a
 *   panel's kernel query waits one checkpoint interval of a long model fit, not the whole fit.
 *   A job either targets a worker (its data lives there) or goes to the least busy one.
 * - Every job can be cancelled with an AbortSignal; the promise rejects at once with an AbortError.
 *   The worker is asked to stop; if it has not within `cancelGraceMs`, it is terminated and replaced.
 * - Progress messages are heartbeats: a job silent for `stallTimeoutMs` means a dead or stuck
 *   worker, which is replaced. A worker lost mid-job (stall, `error` event, terminate) fails its job
 *   with WorkerCrashedError, or retries it once on the new worker when the job's arguments were not
 *   transferred away (they are still there to send again).
 * - A replaced worker runs every registered initializer (e.g. reloading its data partition)
 *   before it takes queued jobs.
 * - Workers come from `createWorker`, which the caller writes as
 *   `() => new Worker(new URL('./x.ts', import.meta.url), { type: 'module' })` so that bundlers emit
 *   a same-origin module file: no blob: URLs, no eval, fine under a strict CSP.
 */
import { wrap, transfer as comlinkTransfer, releaseProxy, type Remote } from 'comlink';
import type { JobHostApi, JobOutcome, JobProgressMessage } from './job-protocol.js';
import { JobCancelledError, JobTimeoutError, RemoteJobError, WorkerCrashedError } from './job-errors.js';
import { Emitter, toDisposable, type Disposable } from '../lifecycle/disposable.js';

export interface WorkerPoolOptions {
  readonly createWorker: () => Worker;
  /** Number of workers. Default: navigator.hardwareConcurrency (at least 1, at most 16). */
  readonly size?: number;
  /** A running job that sends no progress for this long is treated as a dead worker. Default 20 s. */
  readonly stallTimeoutMs?: number;
  /** How long a cancelled job may take to stop before its worker is terminated. Default 1 s. */
  readonly cancelGraceMs?: number;
  /** Name used in messages. */
  readonly name?: string;
  /** Priority by job name, for runs that give none; unnamed jobs have 1. Default DEFAULT_JOB_PRIORITIES. */
  readonly priorities?: Readonly<Record<string, number>>;
}

/**
 * Kernel queries are what a user waits for after every filter change; the model-based CLV jobs
 * take many seconds and only add detail to a panel that is already drawn, so they yield to the
 * model fits that a panel cannot draw without (e.g. k-means for a cluster segmentation).
 */
export const DEFAULT_JOB_PRIORITIES: Readonly<Record<string, number>> = { kernel: 2, 'clv-summaries': 0, 'clv-fit-groups': 0 };

/**
 * Priority of Dataset.runOnAnyWorker jobs: above 'kernel' (2), so the milliseconds of a check or
 * reduce run beside a long map instead of after it.
 */
export const QUICK_JOB_PRIORITY = 3;

export interface RunOptions {
  /** Run on this worker (its data lives there). Default: the least busy worker. */
  readonly worker?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (fraction: number, note?: string) => void;
  /** Hard budget for the job once it has started. */
  readonly timeoutMs?: number;
  /** Buffers in `args` to move into the worker instead of copying. Jobs with transfers are not retried. */
  readonly transfer?: Transferable[];
  /** Retry once on a replacement worker if the worker is lost mid-job. Default: true without transfers. */
  readonly retry?: boolean;
  /** Higher runs first and may run beside lower (see the contracts above). Default: by job name. */
  readonly priority?: number;
}

export type WorkerInitializer = (worker: number, run: <R>(name: string, args: unknown, options?: Omit<RunOptions, 'worker'>) => Promise<R>) => Promise<void>;

export interface WorkerEvent {
  readonly worker: number;
  readonly reason: string;
}

interface Job {
  readonly name: string;
  readonly args: unknown;
  readonly options: RunOptions;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
  readonly init: boolean;
  readonly priority: number;
  attempts: number;
  settled: boolean;
  /** Its handler began in the worker (a job sent ahead waits there for its turn first). */
  began: boolean;
  cleanup?: () => void;
  /** Set while in a worker: asks the worker to stop, replacing it if it will not. */
  stop?: () => void;
}

/** A job in a worker as the stall watchdog sees it. */
interface Watched {
  /** performance.now() when the worker last spoke about the job (sent, progress, heartbeat). */
  heard: number;
  /** Still in the worker it was sent to (not answered, the worker not replaced). */
  readonly inWorker: () => boolean;
  /** Called once the job has been silent for stallTimeoutMs: replaces its worker. */
  readonly stalled: () => void;
}

/** Jobs of one priority a worker holds at once: the running one and the next, waiting its turn. */
const SEND_AHEAD = 2;

interface Slot {
  readonly index: number;
  worker: Worker;
  remote: Remote<JobHostApi>;
  queue: Job[];
  /** Jobs sent to the worker and not yet answered, in the order sent. */
  sent: Job[];
  /** Progress listeners of the sent jobs, by job id. */
  readonly progress: Map<number, (m: JobProgressMessage) => void>;
  /** Initializers still running for this worker; normal jobs wait for them. */
  pendingInit: number;
  generation: number;
  completed: number;
  restarts: number;
  /** Answered its first message: the script loaded and the job host runs. */
  alive: boolean;
  /** Consecutive replacements of workers that never came alive: a script that cannot load. */
  startFailures: number;
}

const MAX_START_FAILURES = 3;

export class WorkerPool implements Disposable {
  readonly size: number;
  readonly name: string;
  private readonly slots: Slot[] = [];
  private readonly initializers = new Set<WorkerInitializer>();
  private readonly replaced = new Emitter<WorkerEvent>();
  private nextJobId = 1;
  private disposed = false;
  private broken: string | null = null;
  private readonly stallTimeoutMs: number;
  private readonly cancelGraceMs: number;
  private readonly priorities: Readonly<Record<string, number>>;
  /** Jobs in a worker, each with when it was last heard from; see watch(). */
  private readonly watched = new Set<Watched>();
  private watchdog: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: WorkerPoolOptions) {
    if (typeof options?.createWorker !== 'function') throw new TypeError('WorkerPool needs a createWorker function.');
    const hw = typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 1;
    const size = options.size ?? Math.min(16, hw);
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`WorkerPool size must be a whole number of at least 1; got ${options.size}.`);
    this.size = size;
    this.name = options.name ?? 'clientlens';
    this.stallTimeoutMs = positive(options.stallTimeoutMs, 20_000, 'stallTimeoutMs');
    this.cancelGraceMs = positive(options.cancelGraceMs, 1_000, 'cancelGraceMs');
    this.priorities = options.priorities ?? DEFAULT_JOB_PRIORITIES;
    for (let i = 0; i < size; i++) this.slots.push(this.spawn(i, 0));
  }

  /** Runs a named job; see RunOptions. */
  run<R>(name: string, args?: unknown, options: RunOptions = {}): Promise<R> {
    return this.enqueue<R>(name, args, options, false);
  }

  /** Runs the same job on every worker (e.g. dropping a dataset) and returns the results by worker. */
  runOnEach<R>(name: string, argsFor: (worker: number) => unknown, options: Omit<RunOptions, 'worker' | 'transfer'> = {}): Promise<R[]> {
    return Promise.all(this.slots.map((s) => this.run<R>(name, argsFor(s.index), { ...options, worker: s.index })));
  }

  /**
   * Registers work every replacement worker does before taking jobs (e.g. reloading its data).
   * It is not run for the workers already up: the registrant sets those up itself.
   */
  addInitializer(init: WorkerInitializer): Disposable {
    this.initializers.add(init);
    return toDisposable(() => void this.initializers.delete(init));
  }

  /** Fires after a worker was replaced (crash, stall, cancel that did not stop). */
  onWorkerReplaced(listener: (e: WorkerEvent) => void): Disposable {
    return this.replaced.on(listener);
  }

  /** Terminates a worker (e.g. one a host judges stuck) and replaces it; its job fails or retries. */
  terminateWorker(index: number, reason = 'terminated by the host'): void {
    const slot = this.slots[index];
    if (!slot) throw new RangeError(`No worker ${index}; the pool has ${this.size}.`);
    this.replace(slot, reason);
  }

  stats(): { worker: number; busy: boolean; queued: number; completed: number; restarts: number }[] {
    // Cancelled jobs leave the queue at the next pump; they are not waiting, so they are not counted.
    return this.slots.map((s) => ({ worker: s.index, busy: s.sent.length > 0, queued: s.queue.filter((j) => !j.settled).length, completed: s.completed, restarts: s.restarts }));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearInterval(this.watchdog);
    this.watchdog = undefined;
    this.watched.clear();
    for (const slot of this.slots) {
      const jobs = [...slot.sent, ...slot.queue];
      slot.queue = [];
      slot.sent = [];
      for (const job of jobs) this.settle(job, new JobCancelledError(job.name, 'the worker pool was disposed'));
      slot.remote[releaseProxy]();
      slot.worker.terminate();
    }
  }

  private spawn(index: number, restarts: number): Slot {
    const worker = this.options.createWorker();
    const slot: Slot = { index, worker, remote: wrap<JobHostApi>(worker), queue: [], sent: [], progress: new Map(), pendingInit: 0, generation: 0, completed: 0, restarts, alive: false, startFailures: 0 };
    worker.addEventListener('message', (ev: MessageEvent) => {
      const m = ev.data as JobProgressMessage | null;
      if (m !== null && typeof m === 'object' && typeof m.clJobProgress === 'number') slot.progress.get(m.clJobProgress)?.(m);
    });
    // The first answer proves the script loaded; errors before it are start failures, not crashes.
    slot.remote.jobs().then(() => (slot.alive = true), () => {});
    worker.addEventListener('error', (ev: ErrorEvent) => {
      ev.preventDefault?.();
      if (this.slots[index] !== slot || slot.worker !== worker) return;
      this.replace(slot, `uncaught error in worker: ${ev.message || 'the worker script failed to load or crashed'}`);
    });
    worker.addEventListener('messageerror', () => {
      // Which job's message it was is unknown: every job running there fails.
      for (const job of slot.sent) this.settle(job, new WorkerCrashedError(job.name, index, 'a message from the worker could not be read'));
    });
    return slot;
  }

  private enqueue<R>(name: string, args: unknown, options: RunOptions, init: boolean): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      if (this.disposed) return reject(new JobCancelledError(name, 'the worker pool was disposed'));
      if (this.broken) return reject(new Error(this.broken));
      if (options.signal?.aborted) return reject(new JobCancelledError(name, options.signal.reason));
      if (options.worker !== undefined && !this.slots[options.worker]) {
        return reject(new RangeError(`Job "${name}" targets worker ${options.worker}, but the pool has workers 0..${this.size - 1}.`));
      }
      // Initializers outrank everything: a replaced worker's data must be back before any query.
      const priority = init ? Number.MAX_SAFE_INTEGER : (options.priority ?? (Object.hasOwn(this.priorities, name) ? this.priorities[name] : 1));
      const job: Job = { name, args, options, resolve: resolve as (v: unknown) => void, reject, init, priority, attempts: 0, settled: false, began: false };
      const slot = options.worker !== undefined ? this.slots[options.worker] : this.leastBusy();
      if (options.signal) {
        const onAbort = () => this.abort(job, new JobCancelledError(name, options.signal!.reason));
        options.signal.addEventListener('abort', onAbort, { once: true });
        job.cleanup = () => options.signal!.removeEventListener('abort', onAbort);
      }
      if (init) slot.queue.unshift(job);
      else slot.queue.push(job);
      this.pump(slot);
    });
  }

  /**
   * The slot holding the fewest jobs; ties go round the slots. (Taking the first of equals sent
   * every reduce of a page's queries to worker 0, whose share of the queries then ended last: on
   * the 1M dashboard worker 0 finished its first queries 50-100 ms after worker 1.)
   */
  private leastBusy(): Slot {
    const n = this.slots.length;
    let best = this.slots[this.nextAny % n];
    let load = Infinity;
    for (let k = 0; k < n; k++) {
      const s = this.slots[(this.nextAny + k) % n];
      const l = s.queue.length + s.sent.length + s.pendingInit;
      if (l < load) {
        best = s;
        load = l;
      }
    }
    this.nextAny = (best.index + 1) % n;
    return best;
  }

  /** Where leastBusy starts looking: one past the slot it chose last. */
  private nextAny = 0;

  private pump(slot: Slot): void {
    if (this.disposed) return;
    slot.queue = slot.queue.filter((j) => !j.settled);
    for (;;) {
      // While initializers are pending only they may run.
      const i = slot.pendingInit > 0 ? slot.queue.findIndex((j) => j.init) : highest(slot.queue, -Infinity);
      if (i < 0) return;
      const top = Math.max(-Infinity, ...slot.sent.map((j) => j.priority));
      // Sent ahead only behind jobs of its own rank; a higher job goes at once, to run beside them.
      const ahead = slot.sent.filter((j) => j.priority >= slot.queue[i].priority).length;
      if (slot.queue[i].priority <= top && ahead >= SEND_AHEAD) return;
      // Arguments transferred away could not be sent again if the worker died before their turn.
      if (ahead > 0 && slot.queue[i].options.transfer?.length) return;
      const [job] = slot.queue.splice(i, 1);
      void this.start(slot, job);
    }
  }

  private async start(slot: Slot, job: Job): Promise<void> {
    slot.sent.push(job);
    job.attempts++;
    const generation = slot.generation;
    const jobId = this.nextJobId++;
    const inWorker = () => slot.generation === generation && slot.sent.includes(job);
    let budget: ReturnType<typeof setTimeout> | undefined;
    const watch: Watched = { heard: performance.now(), inWorker, stalled: () => this.replace(slot, `no heartbeat for ${this.stallTimeoutMs} ms`) };
    const armStall = () => {
      watch.heard = performance.now();
    };
    // The budget counts from the job's start: a job sent ahead starts when the host says so.
    const armBudget = () => {
      if (job.options.timeoutMs === undefined) return;
      budget = setTimeout(() => {
        if (!inWorker()) return;
        this.settle(job, new JobTimeoutError(job.name, job.options.timeoutMs!));
        this.stopRunning(slot, job, generation, jobId, 'ran past its time budget');
      }, job.options.timeoutMs);
    };
    this.watch(watch);
    const waitsForTurn = slot.sent.some((j) => j !== job && j.priority >= job.priority);
    job.began = !waitsForTurn;
    if (!waitsForTurn) armBudget();
    job.stop = () => this.stopRunning(slot, job, generation, jobId, 'did not stop when cancelled');
    slot.progress.set(jobId, (p) => {
      if (slot.generation !== generation || job.settled) return;
      armStall();
      if (p.started && !job.began) {
        job.began = true;
        armBudget();
      }
      if (p.fraction !== undefined) job.options.onProgress?.(p.fraction, p.note);
    });
    let outcome: JobOutcome | undefined;
    let failure: unknown;
    try {
      const args = job.options.transfer?.length ? comlinkTransfer(job.args, job.options.transfer) : job.args;
      outcome = await slot.remote.run(jobId, job.name, args, job.priority, waitsForTurn && job.options.timeoutMs !== undefined);
    } catch (err) {
      failure = err;
    } finally {
      this.watched.delete(watch);
      clearTimeout(budget);
      slot.progress.delete(jobId);
    }
    // A replaced worker's late answer (or the rejection of its released proxy) means nothing now.
    if (slot.generation !== generation) return;
    slot.sent = slot.sent.filter((j) => j !== job);
    if (outcome?.ok) {
      slot.completed++;
      if (!job.settled) job.options.onProgress?.(1);
      this.settle(job, undefined, outcome.value);
    } else if (outcome) {
      this.settle(job, new RemoteJobError(job.name, outcome.error));
    } else {
      this.settle(job, new WorkerCrashedError(job.name, slot.index, failure instanceof Error ? failure.message : String(failure)));
    }
    this.pump(slot);
  }

  /**
   * Stall detection: one timer for the pool while jobs are in workers, rather than a timer per job
   * re-armed at every heartbeat (two timer calls per message, on the page's busiest path). A job
   * silent for stallTimeoutMs is found within a quarter of that again.
   */
  private watch(w: Watched): void {
    this.watched.add(w);
    if (this.watchdog !== undefined) return;
    this.watchdog = setInterval(() => {
      const now = performance.now();
      for (const job of this.watched) {
        // A replaced worker's jobs may never answer: they leave the watch here.
        if (!job.inWorker()) this.watched.delete(job);
        else if (now - job.heard >= this.stallTimeoutMs) {
          this.watched.delete(job);
          job.stalled();
        }
      }
      if (this.watched.size === 0 || this.disposed) {
        clearInterval(this.watchdog);
        this.watchdog = undefined;
      }
    }, Math.max(25, this.stallTimeoutMs / 4));
  }

  /** Asks the worker to stop a job whose promise has already been settled; replaces it if it won't. */
  private stopRunning(slot: Slot, job: Job, generation: number, jobId: number, reason: string): void {
    void slot.remote.cancel(jobId).catch(() => {});
    setTimeout(() => {
      if (slot.generation === generation && slot.sent.includes(job) && job.settled) this.replace(slot, `a job ${reason}`);
    }, this.cancelGraceMs);
  }

  private abort(job: Job, error: Error): void {
    if (job.settled) return;
    this.settle(job, error);
    if (this.slots.some((s) => s.sent.includes(job))) job.stop?.();
  }

  private settle(job: Job, error: unknown, value?: unknown): void {
    if (job.settled) return;
    job.settled = true;
    job.cleanup?.();
    if (error !== undefined) job.reject(error);
    else job.resolve(value);
  }

  private replace(old: Slot, reason: string): void {
    if (this.disposed || this.slots[old.index] !== old) return;
    old.generation++;
    // Back to the head of the queue in the order sent; the queue is taken highest priority first.
    const lostJobs = old.sent;
    old.sent = [];
    old.progress.clear();
    old.remote[releaseProxy]();
    old.worker.terminate();

    const fresh = this.spawn(old.index, old.restarts + 1);
    fresh.queue = old.queue;
    fresh.startFailures = old.alive ? 0 : old.startFailures + 1;
    this.slots[old.index] = fresh;

    if (fresh.startFailures >= MAX_START_FAILURES) {
      this.broken = `The ${this.name} worker pool stopped: worker ${old.index} failed to start ${fresh.startFailures} times in a row (last: ${reason}). Check that the worker script loads (network, Content-Security-Policy worker-src).`;
      const doomed = [...lostJobs, ...fresh.queue];
      fresh.queue = [];
      for (const job of doomed) this.settle(job, new Error(this.broken));
      return;
    }

    for (const lost of [...lostJobs].reverse()) {
      if (lost.settled) continue;
      // A job sent to a worker that never started, or still waiting its turn there, did not run:
      // that attempt does not count.
      if (!old.alive || !lost.began) lost.attempts--;
      lost.began = false;
      const canRetry = (lost.options.retry ?? !lost.options.transfer?.length) && lost.attempts < 2;
      if (canRetry) fresh.queue.unshift(lost);
      else this.settle(lost, new WorkerCrashedError(lost.name, old.index, reason));
    }
    this.replaced.emit({ worker: old.index, reason });

    for (const init of this.initializers) {
      fresh.pendingInit++;
      const run = <R>(name: string, args: unknown, options: Omit<RunOptions, 'worker'> = {}) => this.enqueue<R>(name, args, { ...options, worker: old.index }, true);
      Promise.resolve()
        .then(() => init(old.index, run))
        .catch((err) => console.warn(`clientlens: re-initialising worker ${old.index} failed:`, err))
        .finally(() => {
          if (this.slots[old.index] !== fresh) return;
          fresh.pendingInit--;
          this.pump(fresh);
        });
    }
    this.pump(fresh);
  }
}

/** Index of the first job of the highest priority above `above`, or -1. */
function highest(queue: readonly Job[], above: number): number {
  let best = -1;
  for (let i = 0; i < queue.length; i++) if (queue[i].priority > above && (best < 0 || queue[i].priority > queue[best].priority)) best = i;
  return best;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) throw new RangeError(`WorkerPool ${name} must be a positive number of milliseconds; got ${value}.`);
  return value;
}
