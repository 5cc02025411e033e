// Test-only server commands that reach the real browser through the DevTools protocol, so storage
// faults (a small quota) are produced by Chromium itself rather than by a mock.
export function cdpCommandsPlugin() {
  return {
    name: 'clientlens-cdp-commands',
    async executeCommand({ command, payload, session }) {
      if (command !== 'set-storage-quota') return undefined;
      const page = session.browser.getPage(session.id);
      const cdp = await page.createCDPSession();
      try {
        const origin = new URL(page.url()).origin;
        await cdp.send('Storage.overrideQuotaForOrigin', payload?.bytes == null ? { origin } : { origin, quotaSize: payload.bytes });
      } finally {
        await cdp.detach();
      }
      return true;
    },
  };
}
