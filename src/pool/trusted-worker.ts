/**
 * A Worker that also starts on pages enforcing Trusted Types (`require-trusted-types-for 'script'`).
 * Such pages refuse a plain URL for `new Worker`; this class passes it through a Trusted Types
 * policy named 'clientlens', which only accepts same-origin URLs (the platform's own rule for
 * workers). The page's CSP must list the policy: `trusted-types lit-html clientlens`.
 *
 * Use it under the name `Worker` (`import { TrustedWorker as Worker }`), so the call still reads
 * `new Worker(new URL('./x.ts', import.meta.url), { type: 'module' })` and bundlers recognise it
 * and emit the worker as a same-origin module file.
 */
interface TrustedTypesLike {
  createPolicy(name: string, rules: { createScriptURL(input: string): string }): { createScriptURL(input: string): unknown };
}

let policy: { createScriptURL(input: string): unknown } | undefined;

function scriptUrl(url: URL | string): URL | string {
  const tt = (globalThis as { trustedTypes?: TrustedTypesLike }).trustedTypes;
  if (!tt) return url;
  if (!policy) {
    try {
      policy = tt.createPolicy('clientlens', {
        createScriptURL(input: string) {
          const u = new URL(input, globalThis.location.href);
          if (u.origin !== globalThis.location.origin) throw new TypeError(`clientlens starts workers only from this page's origin; refused ${u.href}.`);
          return u.href;
        },
      });
    } catch {
      // Not allowed by the page's CSP: without Trusted Types enforcement a plain URL still works.
      return url;
    }
  }
  return policy.createScriptURL(String(url)) as string;
}

export class TrustedWorker extends Worker {
  constructor(url: URL | string, options?: WorkerOptions) {
    try {
      super(scriptUrl(url), options);
    } catch (err) {
      if ((err as Error)?.name === 'TypeError' && /Trusted/i.test((err as Error).message)) {
        throw new TypeError(`This page enforces Trusted Types; add 'clientlens' to its CSP trusted-types directive so clientlens can start its workers (${(err as Error).message}).`);
      }
      throw err;
    }
  }
}
