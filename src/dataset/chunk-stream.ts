/**
 * Chunks reported from a worker to the page while the worker is still making them, with a bounded
 * window: the worker reports a chunk and, once `window` reports are not yet acknowledged, waits;
 * the page acknowledges a chunk once it has dealt with it. However large the dataset, at most
 * `window` chunks per worker are in flight.
 *
 * Each acknowledgement also says how the worker must deliver its next chunks:
 * - 'store': write the chunk record into the cache database itself and report it without bytes
 *   (the bytes then never reach the page, see src/cache/chunk-records.ts);
 * - 'send': report it with its bytes as a Blob (the page keeps it, e.g. in memory);
 * - 'stop': make no more chunks for the cache (the page no longer wants them); the job goes on.
 * A worker that fails to store a chunk reports it with its bytes and the error.
 */
import type { ChunkRecord } from '../cache/cache-writer.js';

export type Delivery = 'store' | 'send' | 'stop';

/** A chunk as reported: without `data` when the worker stored it itself. */
export interface ChunkReport extends Omit<ChunkRecord, 'data'> {
  readonly data?: Blob;
  /** Why the worker could not store it (then `data` is set). */
  readonly error?: { readonly name: string; readonly message: string };
}

/** Unacknowledged chunks a worker may have out at once. Two keeps one being handled while the next is made. */
export const CHUNK_WINDOW = 2;

interface Ack {
  /** The chunk acknowledged; -1 for a bare 'stop'. */
  readonly index: number;
  readonly next: Delivery;
}

/** How long a blocked sender waits for an acknowledgement before calling its `pause` again. */
const WAIT_SLICE_MS = 200;

/** Worker side. */
export class ChunkSender {
  private inFlight = 0;
  private wake: (() => void) | null = null;

  constructor(
    private readonly port: MessagePort,
    /** How the next chunk is to be delivered; updated by every acknowledgement. */
    public delivery: Delivery,
    private readonly window = CHUNK_WINDOW,
  ) {
    if (!Number.isInteger(window) || window < 1) throw new RangeError(`ChunkSender window must be a whole number of at least 1; got ${window}`);
    port.onmessage = (e: MessageEvent<Ack>) => {
      if (e.data.index >= 0) this.inFlight--;
      this.delivery = e.data.next;
      this.wake?.();
    };
  }

  /**
   * Waits until the window has room, so a chunk can be made and reported; then read `delivery`.
   * `pause` runs every 200 ms while it waits: the job's checkpoint, so the pool keeps hearing from
   * the worker and a cancel can end the wait.
   */
  room(pause: () => Promise<void>): Promise<void> {
    return this.until(() => this.inFlight < this.window, pause);
  }

  report(chunk: ChunkReport): void {
    this.inFlight++;
    this.port.postMessage(chunk);
  }

  /** Waits until the page has acknowledged every chunk reported. */
  drain(pause: () => Promise<void>): Promise<void> {
    return this.until(() => this.inFlight === 0, pause);
  }

  close(): void {
    this.port.onmessage = null;
    this.port.close();
  }

  private async until(ready: () => boolean, pause: () => Promise<void>): Promise<void> {
    while (this.delivery !== 'stop' && !ready()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => done(), WAIT_SLICE_MS);
        const done = () => {
          clearTimeout(timer);
          this.wake = null;
          resolve();
        };
        this.wake = done;
      });
      await pause();
    }
  }
}

/** Page side: one per worker stream. */
export interface ChunkReceiver {
  /** The first error `handle` threw, if any (the chunk was acknowledged anyway, so the worker goes on). */
  readonly failure: unknown;
  /** Tells the worker to stop reporting, and closes the port. */
  close(): void;
}

/**
 * Hands each report to `handle` (one at a time, in arrival order), and acknowledges it once
 * `handle` settles, with `next()` as the delivery for the worker's next chunks.
 */
export function receiveChunks(port: MessagePort, handle: (chunk: ChunkReport) => Promise<void>, next: () => Delivery): ChunkReceiver {
  let failure: unknown;
  let closed = false;
  let queue = Promise.resolve();
  const ack = (index: number, delivery: Delivery) => {
    if (!closed) port.postMessage({ index, next: delivery } satisfies Ack);
  };
  port.onmessage = (e: MessageEvent<ChunkReport>) => {
    const chunk = e.data;
    queue = queue
      .then(() => handle(chunk))
      .then(
        () => ack(chunk.index, next()),
        (err) => {
          failure ??= err;
          ack(chunk.index, 'stop');
        },
      );
  };
  return {
    get failure() {
      return failure;
    },
    close() {
      if (closed) return;
      port.postMessage({ index: -1, next: 'stop' } satisfies Ack);
      closed = true;
      port.onmessage = null;
      port.close();
    },
  };
}
