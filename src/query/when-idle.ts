/**
 * Resolves once the page is idle: the tasks queued before it have run and the frame that draws
 * them is done (requestIdleCallback), or after `timeoutMs` on a page that is never idle. Without
 * requestIdleCallback (Safari, Node) it resolves in the next task. An aborted signal resolves it
 * at once: the caller checks its signal before starting anything.
 */
export function whenIdle(signal?: AbortSignal, timeoutMs = 1000): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const idle = typeof requestIdleCallback === 'function';
    const handle = idle ? requestIdleCallback(() => finish(), { timeout: timeoutMs }) : setTimeout(() => finish(), 0);
    function finish() {
      if (idle) cancelIdleCallback(handle as number);
      else clearTimeout(handle as ReturnType<typeof setTimeout>);
      signal?.removeEventListener('abort', finish);
      resolve();
    }
    signal?.addEventListener('abort', finish, { once: true });
  });
}
