// The process ids of headless Chromium's renderers, from /proc (Linux; elsewhere `procAvailable`
// is false and the list is empty). Shared by the bench's memory and thread-time figures.
import { readFileSync, readdirSync } from 'node:fs';

export const procAvailable = (() => {
  try {
    return readdirSync('/proc').some((p) => /^\d+$/.test(p));
  } catch {
    return false;
  }
})();

export function rendererPids() {
  if (!procAvailable) return [];
  const pids = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) pids.push(pid);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return pids;
}
