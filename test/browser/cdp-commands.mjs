// Test-only server commands that reach the real browser through the DevTools protocol, so storage
// faults (a small quota) are produced by Chromium itself rather than by a mock.
// Chromium facts this relies on: the override lasts only while its DevTools session stays attached
// (so the session is kept until the quota is reset), navigator.storage.estimate() keeps reporting
// the old quota (writes are what it limits), and it applies to origins that have not used storage.
export function cdpCommandsPlugin() {
  const sessions = new Map();
  return {
    name: 'clientlens-cdp-commands',
    async executeCommand({ command, payload, session }) {
      if (command === 'collect-garbage') {
        // A real, full garbage collection by V8 (the page has no --expose-gc), then the heap in use.
        const cdp = await session.browser.getPage(session.id).createCDPSession();
        try {
          await cdp.send('HeapProfiler.collectGarbage');
          const { usedSize } = await cdp.send('Runtime.getHeapUsage');
          return usedSize;
        } finally {
          await cdp.detach();
        }
      }
      if (command !== 'set-storage-quota') return undefined;
      const page = session.browser.getPage(session.id);
      const origin = payload?.origin ?? new URL(page.url()).origin;
      if (payload?.bytes == null) {
        const cdp = sessions.get(origin);
        sessions.delete(origin);
        if (cdp) {
          await cdp.send('Storage.overrideQuotaForOrigin', { origin });
          await cdp.detach();
        }
        return true;
      }
      const cdp = sessions.get(origin) ?? (await page.createCDPSession());
      sessions.set(origin, cdp);
      await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: payload.bytes });
      return true;
    },
  };
}
