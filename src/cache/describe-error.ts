/** An error as the cache's warnings quote it: "Name: message" for Errors and DOMExceptions, else the value as text. */
export function describe(err: unknown): string {
  if (err instanceof Error || (typeof DOMException !== 'undefined' && err instanceof DOMException)) return `${(err as Error).name}: ${(err as Error).message}`;
  return String(err);
}
