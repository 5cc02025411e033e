/**
 * Where plugin code and manifests may come from: an allow-list of origins and path prefixes the
 * host page passes (`'/plugins/'`, `'https://cdn.bank.example/clientlens-plugins/'`). Anything
 * else is refused before a request is made. Only http(s) URLs are ever allowed: no data:, blob:
 * or javascript: (a strict CSP would refuse them anyway, and they would bypass the list).
 */
import { PluginUrlError } from './plugin-errors.js';

interface Entry {
  readonly origin: string;
  readonly path: string;
  readonly text: string;
}

export class UrlAllowList {
  private readonly entries: Entry[];

  /** `base` resolves relative entries (default: the page's URL). */
  constructor(entries: readonly string[] = [], private readonly base: string = defaultBase()) {
    this.entries = entries.map((text) => {
      let url: URL;
      try {
        url = new URL(text, base);
      } catch {
        throw new TypeError(`Plugin allow-list entry ${JSON.stringify(text)} is not a URL or path.`);
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`Plugin allow-list entry ${JSON.stringify(text)} must be an http(s) origin or path.`);
      if (url.search || url.hash) throw new TypeError(`Plugin allow-list entry ${JSON.stringify(text)} must not have a query or fragment.`);
      // "https://cdn.example" allows the whole origin; "/plugins" allows /plugins/ and below.
      const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
      return { origin: url.origin, path, text };
    });
  }

  get size(): number {
    return this.entries.length;
  }

  describe(): string {
    return this.entries.length ? this.entries.map((e) => e.text).join(', ') : 'nowhere (the host passed no allow-list)';
  }

  /**
   * Resolves `url` (relative to `base`) and returns it if allowed; throws PluginUrlError naming
   * what was refused and what is allowed. `what` says which URL it is ("main module of acme.x").
   */
  check(url: string | URL, what: string, base: string | URL = this.base): URL {
    let resolved: URL;
    try {
      resolved = new URL(String(url), base);
    } catch {
      throw new PluginUrlError(String(url), `The ${what} URL ${JSON.stringify(String(url))} is not a valid URL.`);
    }
    if (resolved.protocol !== 'https:' && resolved.protocol !== 'http:') {
      throw new PluginUrlError(resolved.href, `The ${what} URL uses ${resolved.protocol} which is never allowed for plugins; serve plugin files over http(s) from an allowed location.`);
    }
    if (resolved.username || resolved.password) throw new PluginUrlError(resolved.href, `The ${what} URL must not carry credentials.`);
    // Encoded slashes or backslashes could make a server read outside the allowed folder.
    if (/%2f|%5c|\\/i.test(resolved.pathname)) throw new PluginUrlError(resolved.href, `The ${what} URL ${resolved.href} has an encoded slash or backslash in its path and is refused.`);
    const ok = this.entries.some((e) => e.origin === resolved.origin && resolved.pathname.startsWith(e.path));
    if (!ok) throw new PluginUrlError(resolved.href, `The ${what} URL ${resolved.href} is not on this page's plugin allow-list; allowed: ${this.describe()}.`);
    return resolved;
  }
}

function defaultBase(): string {
  return typeof location !== 'undefined' ? location.href : 'http://localhost/';
}
