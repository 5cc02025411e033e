/**
 * The standalone bundle as a page without a bundler uses it: built here (`vite build --mode
 * bundle`, into a temporary folder) and served as files from one origin. serveBundlePage loads it
 * with one module script under the strict CSP of demo/embed/strict-csp.html (no inline script or style, no eval, no
 * blob: workers, Trusted Types enforced). The page records CSP violations in
 * `window.__cspViolations` (from a script file of its own: the policy forbids inline ones).
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { build } from 'vite';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; worker-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; require-trusted-types-for 'script'; trusted-types lit-html clientlens";

const RECORDER = `const v = []; document.addEventListener('securitypolicyviolation', (e) => v.push(e.violatedDirective + ': ' + e.blockedURI)); window.__cspViolations = v;`;

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html', '.map': 'application/json' };

export interface BundlePage {
  /** The page's URL: the bundle and `body` (markup with clientlens tags) under the strict CSP. */
  readonly url: string;
  /**
   * Requests whose path matches `pattern` get their connection closed with no answer, as a dropped
   * connection would (null: serve everything again). Done here rather than by the browser's request
   * interception, which stalls the requests of a page's workers (puppeteer/puppeteer#4208).
   */
  refuse(pattern: RegExp | null): void;
  close(): Promise<void>;
}

/** Builds the bundle and serves a page with `body`; the bundle's files are under the page's folder. */
export async function serveBundlePage(body: string): Promise<BundlePage> {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8" />
<meta http-equiv="Content-Security-Policy" content="${CSP}" />
<script src="./csp-recorder.js"></script>
<script type="module" src="./clientlens.bundle.js"></script></head>
<body>${body}</body></html>`;
  return serveBundle({ '/': html, '/index.html': html, '/csp-recorder.js': RECORDER }, ['/']);
}

/**
 * Builds the bundle (`vite build --mode bundle`, into a temporary folder) and serves `pages` (path
 * to HTML or script text) with the bundle's files under each of `mounts` (e.g. ['/v1/', '/v2/']:
 * one build at two URLs is, to the browser, two separate copies, each with its own modules).
 */
export async function serveBundle(pages: Record<string, string>, mounts: readonly string[]): Promise<BundlePage> {
  const out = mkdtempSync(join(tmpdir(), 'clientlens-bundle-'));
  await build({
    configFile: new URL('../../../vite.config.ts', import.meta.url).pathname,
    mode: 'bundle',
    logLevel: 'error',
    build: { outDir: out, emptyOutDir: true },
  });
  let refused: RegExp | null = null;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (refused?.test(path)) return void req.socket.destroy();
    if (Object.hasOwn(pages, path)) return send(res, path.endsWith('.js') ? 'text/javascript' : 'text/html', pages[path]);
    const mount = mounts.find((m) => path.startsWith(m));
    const file = normalize(join(out, mount === undefined ? path : path.slice(mount.length - 1)));
    if (!file.startsWith(out) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404);
      return res.end();
    }
    send(res, TYPES[extname(file)] ?? 'application/octet-stream', readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    refuse(pattern) {
      refused = pattern;
    },
    async close() {
      await new Promise((resolve) => server.close(resolve));
      rmSync(out, { recursive: true, force: true });
    },
  };
}

function send(res: import('node:http').ServerResponse, type: string, body: string | Buffer): void {
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}
