/**
 * Updates that only change a panel's status line: a query started after a filter change, or its
 * progress moved. Such an update need not rebuild the chart under the status (the chart still shows
 * the last answer, marked stale): on a dashboard a filter change starts a dozen queries, and
 * rebuilding every chart then cost more main-thread time than drawing the answers later.
 *
 * Contract: PanelController counts every other update request of its host as one that may change
 * the chart, so only a caller that knows its request changes nothing but query state uses this.
 */
import type { ReactiveControllerHost } from 'lit';

let statusOnly = false;

export function requestStatusUpdate(host: ReactiveControllerHost): void {
  statusOnly = true;
  try {
    host.requestUpdate();
  } finally {
    statusOnly = false;
  }
}

/** True while requestStatusUpdate is asking for the update. */
export function isStatusUpdate(): boolean {
  return statusOnly;
}

/**
 * requestStatusUpdate in a task of its own. A filter change reaches every panel at once, and each
 * panel then builds its query, starts it and redraws its status: a dozen of them in one task made a
 * main-thread task over 50 ms; one task per panel keeps the page responsive between them.
 */
export function requestStatusUpdateSoon(host: ReactiveControllerHost): void {
  inOwnTask(() => requestStatusUpdate(host));
}

/**
 * Runs `fn` in a task of its own, after the ones queued before it (first in, first out). For work
 * every panel does at once (a filter change, a new dataset: each builds and starts its query and
 * redraws), so that a dozen panels make a dozen short tasks instead of one long one.
 */
let channel: MessageChannel | undefined;
const queued: (() => void)[] = [];
export function inOwnTask(fn: () => void): void {
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => queued.shift()?.();
  }
  queued.push(fn);
  channel.port2.postMessage(null);
}
