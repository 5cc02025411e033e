/**
 * Example plugin 2's kernel: wallet share = deposits / (deposits + loans + aum) per client,
 * counted into buckets. A plain KernelDef (the same contract as the built-in kernels): the worker
 * pool imports this module in every worker to run `map` on its rows, the main thread imports it
 * to `validate` specs and `reduce` partials. Pure: no DOM, no I/O, no clientlens internals.
 *
 * Spec: { edges?: number[] } ascending cut points in (0, 1); default [0.2, 0.4, 0.6, 0.8].
 * Result: { buckets: [{ label, from, to, count }], clients, mean, skipped } where `skipped` counts
 * clients with a missing balance or nothing at the bank at all.
 */
import type { ColumnInfo, KernelContext, KernelDef, RowBatch } from '../../../src/plugins/plugin-api.js';

export interface WalletShareSpec {
  readonly edges: readonly number[];
}

export interface WalletSharePartial {
  counts: number[];
  sum: number;
  clients: number;
  skipped: number;
}

export interface WalletShareResult {
  readonly buckets: { readonly label: string; readonly from: number; readonly to: number; readonly count: number }[];
  readonly clients: number;
  readonly mean: number | null;
  readonly skipped: number;
}

const COLUMNS = ['deposits', 'loans', 'aum'] as const;

class WalletShareSpecError extends Error {
  override readonly name = 'SpecError';
}

interface ColumnData {
  readonly values: Float64Array | Int32Array;
  readonly nullBitmap?: Uint8Array;
  readonly nullCount: number;
  readonly offset: number;
}

function column(rows: RowBatch, name: string): ColumnData {
  const data = rows.batch.getChild(name)?.data[0] as unknown as ColumnData | undefined;
  if (!data) throw new Error(`walletShare: column "${name}" is missing from a batch.`);
  return data;
}

function present(c: ColumnData, i: number): boolean {
  if (!c.nullCount || !c.nullBitmap || c.nullBitmap.length === 0) return true;
  const j = c.offset + i;
  return ((c.nullBitmap[j >> 3] >> (j & 7)) & 1) === 1;
}

export const walletShareKernel: KernelDef<WalletShareSpec, WalletSharePartial, WalletShareResult> = {
  name: 'acme.walletShare',

  validate(spec: unknown, schema: readonly ColumnInfo[]): WalletShareSpec {
    const s = (spec ?? {}) as { edges?: unknown };
    const missing = COLUMNS.filter((c) => !schema.some((f) => f.name === c));
    if (missing.length) throw new WalletShareSpecError(`acme.walletShare: dataset needs columns ${missing.join(', ')}.`);
    const edges = s.edges ?? [0.2, 0.4, 0.6, 0.8];
    if (!Array.isArray(edges) || edges.some((e, i) => typeof e !== 'number' || !(e > 0 && e < 1) || (i > 0 && e <= (edges[i - 1] as number)))) {
      throw new WalletShareSpecError(`acme.walletShare: edges must be ascending numbers between 0 and 1; got ${JSON.stringify(edges)}.`);
    }
    return { edges };
  },

  async map(rows: readonly RowBatch[], spec: WalletShareSpec, _params: undefined, ctx: KernelContext): Promise<WalletSharePartial> {
    const counts = new Array<number>(spec.edges.length + 1).fill(0);
    let sum = 0;
    let clients = 0;
    let skipped = 0;
    for (const [b, batch] of rows.entries()) {
      const [d, l, a] = COLUMNS.map((c) => column(batch, c));
      const n = batch.batch.numRows;
      for (let i = 0; i < n; i++) {
        if (!present(d, i) || !present(l, i) || !present(a, i)) {
          skipped++;
          continue;
        }
        const dep = d.values[i];
        const total = dep + l.values[i] + a.values[i];
        if (!(total > 0)) {
          skipped++;
          continue;
        }
        const share = dep / total;
        let k = 0;
        while (k < spec.edges.length && share >= spec.edges[k]) k++;
        counts[k]++;
        sum += share;
        clients++;
      }
      ctx.progress((b + 1) / rows.length);
      await ctx.checkpoint();
    }
    return { counts, sum, clients, skipped };
  },

  reduce(partials: WalletSharePartial[], spec: WalletShareSpec): WalletShareResult {
    const counts = new Array<number>(spec.edges.length + 1).fill(0);
    let sum = 0;
    let clients = 0;
    let skipped = 0;
    for (const p of partials) {
      p.counts.forEach((c, i) => (counts[i] += c));
      sum += p.sum;
      clients += p.clients;
      skipped += p.skipped;
    }
    const bounds = [0, ...spec.edges, 1];
    const pct = (x: number) => `${Math.round(x * 100)}%`;
    return {
      buckets: counts.map((count, i) => ({ label: `${pct(bounds[i])}–${pct(bounds[i + 1])}`, from: bounds[i], to: bounds[i + 1], count })),
      clients,
      mean: clients ? sum / clients : null,
      skipped,
    };
  },
};

export const kernels = [walletShareKernel];
