/**
 * Kernel queries shared by the panels of a page. Several panels often ask a dataset the same
 * question (three profitability views with one spec; the same panels again when a filter is set
 * back): one run serves them all, and a recent answer is served again without any worker job.
 *
 * Contracts:
 * - The key must determine the answer: dataset version, kernel and full spec (filters included).
 *   Answers are shared objects: callers treat them as read-only.
 * - A caller's abort rejects its own promise at once; the run is cancelled only when every caller
 *   that joined it has left.
 * - `fresh` skips both the recent answers and a run in flight (e.g. after a model changed behind
 *   the key); the new run replaces the old one for later callers.
 * - Entries belong to the Dataset object (weakly held) and are cleared when it is disposed.
 * - A dataset read from the cache may bring the answers of its last visit (answer-book.ts). One is
 *   served at once, and its query runs again behind it at REVALIDATE_PRIORITY, below any panel's
 *   own query, once the page is idle (when-idle.ts): after the panels have drawn the kept answers.
 *   Started at once, the recomputations took both cores of our 2-core VM while the page laid out
 *   the panels it had just drawn, and that first layout (~55 ms of CPU) took 75-125 ms of wall
 *   time; a new tab's load to every panel drawn took 1.3-1.5 s, against 1.1-1.35 s waiting.
 *   When the new answer differs, it replaces the old among the recent answers and goes to the
 *   `onRevised` of every caller served the old one.
 */
import { dequal } from 'dequal';
import type { Dataset } from '../dataset/data-hub.js';
import { whenIdle } from './when-idle.js';

export interface SharedRunOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (fraction: number) => void;
  readonly fresh?: boolean;
  /** The kernel that answers: a built-in's answer may be kept for the next visit (answer-book.ts). */
  readonly kernel?: string;
  /** Told the recomputed answer when an answer kept from the last visit turns out different. */
  readonly onRevised?: (value: unknown) => void;
}

/**
 * Runs the query. `priority`, when given, is for its first stage: an answer kept from the last
 * visit is recomputed below the page's own queries.
 */
export type StartQuery<R> = (signal: AbortSignal, onProgress: (fraction: number) => void, priority?: number) => Promise<R>;

/** First-stage priority of recomputing a kept answer: below every panel's query ('kernel', 2), above the warm-up (0). */
export const REVALIDATE_PRIORITY = 1;

interface InFlight {
  readonly promise: Promise<unknown>;
  readonly controller: AbortController;
  readonly listeners: Set<(fraction: number) => void>;
  callers: number;
}

interface DatasetQueries {
  readonly running: Map<string, InFlight>;
  /** Recent answers, oldest first (Map order), at most RECENT_ANSWERS. */
  readonly recent: Map<string, unknown>;
  /** Answers kept from the last visit and served, still being recomputed: who to tell if they change. */
  readonly unconfirmed: Map<string, Set<(value: unknown) => void>>;
  /** Cancels the recomputations when the dataset goes. */
  readonly revalidation: AbortController;
}

/**
 * Every panel of a dashboard (about a dozen queries) under ten filter states: a user going back to a
 * filter set a few clicks ago gets it at once. Answers are small (a few KB; the churn list's page
 * about 30): a few MB at most. At 48 (four states) the benchmark's filters set again after five new
 * ones were already evicted and took 70-88 ms instead of under 10.
 */
export const RECENT_ANSWERS = 128;

const byDataset = new WeakMap<Dataset, DatasetQueries>();

function queriesOf(dataset: Dataset): DatasetQueries {
  let q = byDataset.get(dataset);
  if (!q) {
    const created: DatasetQueries = { running: new Map(), recent: new Map(), unconfirmed: new Map(), revalidation: new AbortController() };
    byDataset.set(dataset, (q = created));
    dataset.onDispose(() => {
      for (const f of created.running.values()) f.controller.abort(new DOMException('The dataset was closed.', 'AbortError'));
      created.revalidation.abort(new DOMException('The dataset was closed.', 'AbortError'));
      created.running.clear();
      created.recent.clear();
      created.unconfirmed.clear();
      byDataset.delete(dataset);
    });
  }
  return q;
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('Aborted', 'AbortError');
}

function remember(q: DatasetQueries, key: string, value: unknown): void {
  // Most recently used last.
  q.recent.delete(key);
  q.recent.set(key, value);
  if (q.recent.size > RECENT_ANSWERS) q.recent.delete(q.recent.keys().next().value!);
}

/** Runs a query whose kept answer was served, once the page is idle, and revises it if the answer changed. */
function revalidate<R>(dataset: Dataset, q: DatasetQueries, key: string, kept: unknown, start: StartQuery<R>, kernel: string): void {
  const signal = q.revalidation.signal;
  whenIdle(signal).then(() => (signal.aborted ? Promise.reject(signal.reason) : start(signal, () => {}, REVALIDATE_PRIORITY))).then(
    (value) => {
      if (byDataset.get(dataset) !== q) return;
      const told = q.unconfirmed.get(key);
      q.unconfirmed.delete(key);
      dataset.answers?.keep(kernel, key, value);
      if (dequal(value, kept)) return;
      if (q.recent.has(key)) remember(q, key, value);
      told?.forEach((listener) => listener(value));
    },
    // Cancelled with the dataset, or failed: the page's own query of the same key reports errors.
    () => q.unconfirmed.delete(key),
  );
}

export function sharedQuery<R>(dataset: Dataset, key: string, start: StartQuery<R>, options: SharedRunOptions = {}): Promise<R> {
  const { signal, onProgress } = options;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const q = queriesOf(dataset);
  if (!options.fresh && q.recent.has(key)) {
    const value = q.recent.get(key) as R;
    remember(q, key, value);
    if (options.onRevised) q.unconfirmed.get(key)?.add(options.onRevised);
    return Promise.resolve(value);
  }
  const kept = options.fresh || !options.kernel ? undefined : dataset.answers?.take(key);
  if (kept) {
    remember(q, key, kept.value);
    q.unconfirmed.set(key, new Set(options.onRevised ? [options.onRevised] : []));
    revalidate(dataset, q, key, kept.value, start, options.kernel!);
    return Promise.resolve(kept.value as R);
  }
  let flight = options.fresh ? undefined : q.running.get(key);
  if (!flight) {
    const controller = new AbortController();
    const listeners = new Set<(fraction: number) => void>();
    const promise = start(controller.signal, (f) => listeners.forEach((l) => l(f)));
    const created: InFlight = { promise, controller, listeners, callers: 0 };
    flight = created;
    q.running.set(key, created);
    promise.then(
      (value) => {
        if (q.running.get(key) === created) q.running.delete(key);
        if (byDataset.get(dataset) !== q) return;
        remember(q, key, value);
        if (options.kernel) dataset.answers?.keep(options.kernel, key, value);
      },
      () => {
        if (q.running.get(key) === created) q.running.delete(key);
      },
    );
  }
  const joined = flight;
  joined.callers++;
  if (onProgress) joined.listeners.add(onProgress);
  return new Promise<R>((resolve, reject) => {
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      signal?.removeEventListener('abort', onAbort);
      if (onProgress) joined.listeners.delete(onProgress);
      joined.callers--;
    };
    const onAbort = () => {
      if (left) return;
      leave();
      reject(abortError(signal!));
      if (joined.callers === 0) {
        joined.controller.abort(abortError(signal!));
        if (q.running.get(key) === joined) q.running.delete(key);
      }
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    joined.promise.then(
      (v) => {
        if (left) return;
        leave();
        resolve(v as R);
      },
      (e) => {
        if (left) return;
        leave();
        reject(e);
      },
    );
  });
}
