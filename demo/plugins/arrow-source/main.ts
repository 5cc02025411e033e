/**
 * Example plugin 3: a data source that loads an Apache Arrow IPC file from a URL. It downloads the
 * bytes itself (to refuse, with a clear message, a file too large or not Arrow at all) and hands
 * them to the host, which ingests, checks, caches and distributes them like any other dataset.
 *
 * The URL comes from the request (`ctx.loadDataSource('acme.arrowFile', { params: { url } })`)
 * or from the `url` setting; the palette command appears once a URL is configured (its when
 * clause reads the setting as `config.acme.arrow-source.url`, without loading the plugin).
 */
import type { DataSource, DataSourceRequest, PluginContext } from '../../../src/plugins/plugin-api.js';

const ARROW_FILE_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"

function looksLikeArrow(bytes: Uint8Array): boolean {
  const file = ARROW_FILE_MAGIC.every((b, i) => bytes[i] === b);
  const stream = bytes[0] === 0xff && bytes[1] === 0xff && bytes[2] === 0xff && bytes[3] === 0xff;
  return file || stream;
}

export function activate(ctx: PluginContext): void {
  ctx.subscriptions.push(
    ctx.registerDataSource('acme.arrowFile', {
      async load({ params, signal }: DataSourceRequest): Promise<DataSource> {
        const url = (params as { url?: string } | undefined)?.url ?? ctx.settings.get<string>('url');
        if (!url) throw new Error('no URL: pass { url } or set the "url" setting of the Arrow file plugin.');
        const response = await fetch(url, { signal });
        if (!response.ok) throw new Error(`fetching ${url} failed: HTTP ${response.status}.`);
        const max = ctx.settings.get<number>('maxBytes');
        const declared = Number(response.headers.get('content-length'));
        if (declared > max) throw new Error(`${url} is ${declared} bytes, above the ${max}-byte limit.`);
        const bytes = await response.arrayBuffer();
        if (bytes.byteLength > max) throw new Error(`${url} is ${bytes.byteLength} bytes, above the ${max}-byte limit.`);
        if (!looksLikeArrow(new Uint8Array(bytes, 0, Math.min(8, bytes.byteLength)))) throw new Error(`${url} is not an Apache Arrow IPC file (no ARROW1 magic or stream marker).`);
        return { kind: 'bytes', bytes, name: `arrow:${url}`, ingest: { format: 'arrow' } };
      },
    }),
    ctx.registerCommand('acme.arrowSource.load', async (url?: string) => {
      const dataset = await ctx.loadDataSource('acme.arrowFile', { params: url ? { url } : undefined });
      return { rows: dataset.rows, columns: dataset.columns.length };
    }),
  );
}
