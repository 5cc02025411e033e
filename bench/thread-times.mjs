// How long the renderers' threads ran, and how long they waited for a free core, from the kernel's
// per-thread scheduler figures (/proc/<pid>/task/<tid>/schedstat: nanoseconds on a CPU, then
// nanoseconds runnable but waiting in a run queue). Linux with schedstats only; elsewhere every
// figure is null.
//
// Why the bench records it: a filter change runs the panels' kernels on every worker while the
// page's main thread handles the answers and draws them. On a 2-core VM those three threads and the
// renderer's thread pool (V8's compilers and collector, rasterising) share two cores: time a thread
// spends waiting for a core adds to the change's wall time as surely as its own work does, and
// only less work on the other threads gives it back.
import { readFileSync, readdirSync } from 'node:fs';
import { procAvailable, rendererPids } from './renderer-processes.mjs';

/** The groups the figures are summed into, by thread. */
function groupOf(pid, tid, name) {
  if (tid === pid) return 'main'; // a renderer's main thread: the page's DOM, script and drawing
  if (name === 'DedicatedWorker') return 'workers';
  // The renderer's thread pool: V8's concurrent compilers and the collector's helpers, and (with
  // no GPU) the rasterising of the page's tiles.
  if (name.startsWith('ThreadPoolForeg')) return 'pool';
  return 'other';
}

/** Every renderer thread's group and its run and wait nanoseconds so far, by "pid/tid". */
function snapshot() {
  const threads = new Map();
  for (const pid of rendererPids()) {
    let tids;
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // the process ended
    }
    for (const tid of tids) {
      try {
        const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
        threads.set(`${pid}/${tid}`, [groupOf(pid, tid, readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim()), run, wait]);
      } catch {
        // The thread ended between the listing and the read.
      }
    }
  }
  return threads;
}

const schedstatAvailable = procAvailable && (() => {
  try {
    return readFileSync('/proc/self/schedstat', 'utf8').trim().split(' ').length >= 2;
  } catch {
    return false;
  }
})();

/**
 * Starts measuring now; `stop()` returns, per group, the milliseconds its threads ran and waited
 * for a core since (summed over the group's threads), or null where schedstats are unavailable.
 * Threads that start between the two reads count from zero, so a new tab's whole life is counted;
 * threads that end between them are left out (their last figures are gone with them).
 */
export function measureThreadTimes() {
  if (!schedstatAvailable) return { stop: () => null };
  const before = snapshot();
  return {
    stop() {
      const ms = { main: { runMs: 0, waitMs: 0 }, workers: { runMs: 0, waitMs: 0 }, pool: { runMs: 0, waitMs: 0 }, other: { runMs: 0, waitMs: 0 } };
      for (const [key, [group, run, wait]] of snapshot()) {
        const [, run0, wait0] = before.get(key) ?? [group, 0, 0];
        ms[group].runMs += (run - run0) / 1e6;
        ms[group].waitMs += (wait - wait0) / 1e6;
      }
      return ms;
    },
  };
}
