/**
 * The record that describes a cached dataset. It is written last, after every chunk it lists
 * (cache-writer.ts), so it is the entry's commit marker; an entry is served only when every listed
 * chunk is present and hashes to its recorded digest.
 */
export interface ColumnInfo {
  readonly name: string;
  /** Arrow type as text, e.g. "Float64", "Dictionary<Int32, Utf8>". */
  readonly type: string;
}

export interface ChunkInfo {
  readonly rows: number;
  readonly bytes: number;
  /** chunk-digest.ts: `xxh32x2:` + 16 hex digits, or SHA-256 hex in entries written before it. */
  readonly digest: string;
}

export interface DatasetManifest {
  /** `${id}@${version}`: the primary key. */
  readonly key: string;
  readonly id: string;
  /** Content version: an ETag, a file's size+mtime, a generator's options. A new version is a new entry. */
  readonly version: string;
  readonly schema: readonly ColumnInfo[];
  readonly rows: number;
  readonly bytes: number;
  readonly chunks: readonly ChunkInfo[];
  /** SHA-256 over the chunk digests in order (a check of the manifest itself, not of the bytes). */
  readonly checksum: string;
  readonly created: number;
  lastAccess: number;
  /** Free-form, JSON-safe facts the writer wants back (source, ingest summary...). */
  readonly meta?: Readonly<Record<string, unknown>>;
  /** Chunks (and meta, as sealedMeta) are AES-GCM sealed; sizes and digests are of the plain bytes. */
  readonly encrypted?: boolean;
  readonly sealedMeta?: ArrayBuffer;
}

/**
 * A manifest as read from storage, in today's shape: entries written before chunk-digest.ts name
 * each chunk's digest `sha256` (SHA-256 hex, still checked as such).
 */
export function upgradeManifest(m: DatasetManifest): DatasetManifest {
  if (m.chunks.every((c) => typeof c.digest === 'string')) return m;
  return { ...m, chunks: m.chunks.map((c) => ({ rows: c.rows, bytes: c.bytes, digest: c.digest ?? (c as unknown as { sha256: string }).sha256 })) };
}

export function manifestKey(id: string, version: string): string {
  return `${id}@${version}`;
}

/**
 * Which entries to drop so that `incoming` bytes fit in `budget`: least recently used first.
 * Returns null when the incoming entry alone exceeds the budget (it must not be cached at all).
 */
export function chooseEvictions(existing: readonly DatasetManifest[], incoming: number, budget: number, keep?: string): DatasetManifest[] | null {
  if (incoming > budget) return null;
  let total = existing.reduce((s, m) => s + (m.key === keep ? 0 : m.bytes), 0);
  const victims: DatasetManifest[] = [];
  for (const m of [...existing].filter((m) => m.key !== keep).sort((a, b) => a.lastAccess - b.lastAccess || a.created - b.created)) {
    if (total + incoming <= budget) break;
    victims.push(m);
    total -= m.bytes;
  }
  return victims;
}
