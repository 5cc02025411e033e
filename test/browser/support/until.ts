/** Polls `check` every 25 ms until it holds; fails naming `what` after `ms`. */
export async function until(check: () => unknown, what: string, ms = 60_000): Promise<void> {
  const t0 = performance.now();
  while (!check()) {
    if (performance.now() - t0 > ms) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
