/**
 * Where a dataset comes from, validated before anything is fetched or generated, and the identity
 * (id + version) under which it is cached. A version changes whenever the bytes or the options that
 * shape the output change, so a stale cache entry is never mistaken for fresh data.
 */
import type { IngestOptions } from '../ingest/ingest.js';
import { PORTFOLIO_GENERATOR_VERSION, resolvePortfolioOptions, type PortfolioOptions } from '../generate/portfolio.js';

export type IngestSettings = Omit<IngestOptions, 'onProgress'>;

export type DataSource =
  | { readonly kind: 'generate'; readonly options: PortfolioOptions }
  | { readonly kind: 'url'; readonly url: string; readonly ingest?: IngestSettings }
  | { readonly kind: 'file'; readonly file: Blob & { readonly name?: string; readonly lastModified?: number }; readonly ingest?: IngestSettings }
  | { readonly kind: 'bytes'; readonly bytes: ArrayBuffer; readonly name: string; readonly ingest?: IngestSettings };

export function validateSource(source: unknown): DataSource {
  const s = source as DataSource | null;
  if (!s || typeof s !== 'object') throw new TypeError(`A data source must be an object with a "kind" of generate, url, file or bytes; got ${String(source)}.`);
  switch (s.kind) {
    case 'generate': {
      if (!s.options || typeof s.options !== 'object') throw new TypeError('source.options must be the generator options, e.g. { rows: 200000 }.');
      // Rows, seeds, dates and thresholds are checked here, before any worker is asked to do anything.
      resolvePortfolioOptions(s.options);
      return s;
    }
    case 'url':
      if (typeof s.url !== 'string' || s.url.trim() === '') throw new TypeError('source.url must be a non-empty URL string.');
      return s;
    case 'file':
      if (typeof Blob === 'undefined' || !(s.file instanceof Blob)) throw new TypeError('source.file must be a File or Blob.');
      return s;
    case 'bytes':
      if (!(s.bytes instanceof ArrayBuffer)) throw new TypeError('source.bytes must be an ArrayBuffer.');
      if (typeof s.name !== 'string' || s.name === '') throw new TypeError('source.name must name the data (it keys the cache).');
      return s;
    default:
      throw new TypeError(`source.kind must be one of generate, url, file, bytes; got ${JSON.stringify((s as { kind?: unknown }).kind)}.`);
  }
}

/** Stable JSON (sorted keys) so equal settings give equal versions. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  return `{${Object.keys(value as object).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

export function generatedIdentity(options: PortfolioOptions): { id: string; version: string } {
  return { id: `generated:${options.rows}`, version: `gen${PORTFOLIO_GENERATOR_VERSION}:${stableJson(options)}` };
}
