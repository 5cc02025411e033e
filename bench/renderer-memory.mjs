// Resident memory of headless Chromium's renderer processes while a page loads, read from /proc
// (Linux; elsewhere `available` is false and every figure is null).
//
// Why the bench records it: on this class of VM the first touch of fresh memory costs about 3 ms
// per MB (the machine check's "first touch of 64 MB"), and reading the cache is mostly that plus
// the Blob's trip from the browser process: reading a 1M-client cache grows the page's renderer by
// about as many MB as the cache holds, and the same bytes took the same time whether the workers
// read them with Blob.arrayBuffer, FileReaderSync or a stream. The growth per load phase says how
// much fresh memory each phase had to touch.
import { readFileSync } from 'node:fs';
import { procAvailable as available, rendererPids } from './renderer-processes.mjs';

function residentKiB(pids) {
  let kib = 0;
  for (const pid of pids) {
    try {
      kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // Ended: it holds nothing any more.
    }
  }
  return kib;
}

/**
 * Samples the renderers' total resident memory every `everyMs` from now (the renderer list is
 * refreshed every tenth sample: a new tab's process appears after navigation starts). `mibAt(ms)`
 * is the total at the last sample taken `ms` or less after the start; `stop()` ends sampling.
 */
export function sampleRendererMemory(everyMs = 25) {
  const t0 = Date.now();
  const samples = [];
  if (!available) return { available, stop() {}, mibAt: () => null };
  let pids = rendererPids();
  let n = 0;
  const timer = setInterval(() => {
    if (++n % 10 === 0) pids = rendererPids();
    samples.push([Date.now() - t0, residentKiB(pids)]);
  }, everyMs);
  timer.unref(); // a bench that fails mid-load still exits
  samples.push([0, residentKiB(pids)]);
  return {
    available,
    stop: () => clearInterval(timer),
    mibAt(ms) {
      let kib = null;
      for (const [t, k] of samples) if (t <= ms) kib = k;
      return kib === null ? null : kib / 1024;
    },
  };
}
