/**
 * Exact order statistics on the engine without gathering a group's values into an array: the
 * value at a given rank (0-based, ascending key) per group, found by narrowing a key range.
 *
 * Every row has a UInt64 sort key (floatKey: the double's bits mapped so that unsigned order is
 * numeric order; or the row column as is). Pass 1 counts the rows per group and top bits of the
 * key (GROUP BY group, key >> shift); the running counts say which bucket holds each asked rank
 * and the rank inside it. Each further pass looks only at the buckets still holding an unresolved
 * rank (`(group hash, key >> shift) IN (...)`) and splits them by the next bits, until the rank
 * falls on a bucket of a single key (its value is the answer) or on a bucket's smallest key (the
 * value there, argMin, is). A pass reads the table once and returns at most ~ROW_BUDGET small
 * rows; the engine keeps one count per (group, bucket), whatever the number of rows. Continuous
 * data resolves in 2 or 3 passes; many equal values resolve at once (a bucket of one key).
 *
 * Each answer also says how many rows have a smaller key (`below`: the rank of the first row
 * tied with it) and, when asked, the sum of the values of ranks 0..r (`sumThrough`: a float sum
 * per bucket, added here in key order; as the engine's other sums, 1e-9 relative).
 *
 * `total` ranks over every group together as well (answered under TOTAL): its pass 1 is the
 * merge of the groups' histograms, and its buckets ride along in the groups' later passes.
 */
import { joinSql, sql, uint64Literal, type Sql } from '../sql-builder.js';
import type { RemoteQueryContext } from '../remote-kernel.js';
import { num } from './aggregates.js';

/** Key bits looked at by pass 1: sign, exponent and 4 bits of mantissa of a double. */
const FIRST_BITS = 16;
/** Histogram rows one later pass may return (bounds the answer's size, not the engine's memory). */
const ROW_BUDGET = 1 << 16;
/** Buckets named in one query's IN lists (at most ~45 characters each). */
const IN_LIST_MAX = 4000;
/** The answers' key for ranks over all groups together. */
export const TOTAL = 'total';

/** Map a Float64 `x` (not NaN, not NULL) to a UInt64 in the same order; -0 and 0 share a key. */
export function floatKey(x: Sql): Sql {
  const bits = sql`reinterpretAsUInt64(reinterpretAsString(${x} + toFloat64(0)))`;
  return sql`if(${bits} >= toUInt64(9223372036854775808), bitNot(${bits}), ${bits} + toUInt64(9223372036854775808))`;
}

/** The reverse order of `key` (largest first). */
export function descendingKey(key: Sql): Sql {
  return sql`bitNot(${key})`;
}

export interface RankSelection {
  /** UInt64 sort key of a row; equal keys must mean equal values. */
  readonly key: Sql;
  /** Every key is below 2^keyBits (64 for floatKey; fewer for a row column: pass 1 uses the top bits). */
  readonly keyBits: number;
  /** The Float64 value of a row, reported for its key. */
  readonly value: Sql;
  /** The rows that take part. */
  readonly where: Sql;
  /** Group expressions; none ranks all rows as one group (answered under '[]'). */
  readonly groups: readonly Sql[];
  /** Also rank over all groups together (answered under TOTAL). */
  readonly total?: boolean;
  /** Also sum the values up to each rank. */
  readonly sums?: boolean;
  /** Pass sizes (tests force many passes and queries with small ones); defaults FIRST_BITS, ROW_BUDGET, IN_LIST_MAX. */
  readonly firstBits?: number;
  readonly rowBudget?: number;
  readonly inListMax?: number;
}

export interface RankAnswer {
  readonly value: number;
  /** Rows with a smaller key. */
  readonly below: number;
  /** Sum of the values of ranks 0..r (NaN unless `sums`). */
  readonly sumThrough: number;
}

export interface RankedGroup {
  /** The group's key values as the engine returns them ([] for TOTAL and for no groups). */
  readonly group: readonly unknown[];
  readonly n: number;
  readonly at: ReadonlyMap<number, RankAnswer>;
}

interface Bucket {
  readonly prefix: bigint;
  n: number;
  kmin: bigint;
  kmax: bigint;
  vmin: number;
  sum: number;
}

/** A rank still looking for its value: in bucket `prefix` (at `shift`) of group `g`, at `r` inside it. */
interface Pending {
  readonly g: string;
  readonly rank: number;
  readonly prefix: bigint;
  /** Rows in that bucket. */
  readonly n: number;
  readonly r: number;
  readonly before: number;
  readonly sumBefore: number;
}

const GROUP_ALIAS = (l: number) => sql`rs_g${l}`;

/**
 * The value at each rank `ranksOf(n, group)` asks for (ranks in 0..n-1, n = the group's rows),
 * per group (by JSON of its key values) and under TOTAL when `total`.
 */
export async function selectRanks(ctx: RemoteQueryContext, sel: RankSelection, ranksOf: (n: number, group: readonly unknown[]) => readonly number[]): Promise<Map<string, RankedGroup>> {
  if (!Number.isInteger(sel.keyBits) || sel.keyBits < 1 || sel.keyBits > 64) throw new RangeError(`selectRanks: keyBits must be an integer in 1..64; got ${sel.keyBits}.`);
  const t = ctx.table;
  const G = sel.groups.length;
  const groupCols = sel.groups.map((g, l) => sql`${g} AS ${GROUP_ALIAS(l)}`);
  // A UInt64 per group for the IN filters of later passes: a collision only lets another group's
  // rows into a pass, where they are still grouped by their own keys and then ignored.
  const hashOf = (cols: Sql[]) => sql`cityHash64(${joinSql(cols.flatMap((c) => [sql`isNull(${c})`, sql`ifNull(toString(${c}), '')`]), ', ')})`;
  const gh = G === 0 ? null : hashOf([...sel.groups]);
  const groupsOut = G === 0 ? sql`` : sql`${joinSql(groupCols, ', ')}, toString(${hashOf(sel.groups.map((_, l) => GROUP_ALIAS(l)))}) AS rs_h, `;
  const groupBy = (b: Sql) => (G === 0 ? b : sql`${joinSql(sel.groups.map((_, l) => GROUP_ALIAS(l)), ', ')}, ${b}`);
  const aggregates = sql`count() AS rs_n, toString(min(${sel.key})) AS rs_kmin, toString(max(${sel.key})) AS rs_kmax, argMin(${sel.value}, ${sel.key}) AS rs_vmin${sel.sums ? sql`, sum(${sel.value}) AS rs_sum` : sql``}`;
  const histogram = async (shift: number, extra: Sql) => ctx.select(sql`SELECT ${groupsOut}toString(bitShiftRight(${sel.key}, ${shift})) AS rs_b, ${aggregates}
  FROM ${t.ref} WHERE ${sel.where}${extra} GROUP BY ${groupBy(sql`rs_b`)}`);
  const keyOf = (row: Record<string, unknown>) => JSON.stringify(sel.groups.map((_, l) => row[`rs_g${l}`]));
  const bucketOf = (row: Record<string, unknown>): Bucket => ({
    prefix: BigInt(String(row.rs_b)), n: num(row.rs_n), kmin: BigInt(String(row.rs_kmin)), kmax: BigInt(String(row.rs_kmax)),
    vmin: num(row.rs_vmin), sum: sel.sums ? num(row.rs_sum) : NaN,
  });
  /** Adds `b` into the bucket of the same prefix in `into` (the TOTAL histogram, merged from groups). */
  const merge = (into: Map<bigint, Bucket>, b: Bucket) => {
    const a = into.get(b.prefix);
    if (!a) return void into.set(b.prefix, { ...b });
    a.n += b.n;
    a.sum += b.sum;
    if (b.kmin < a.kmin) { a.kmin = b.kmin; a.vmin = b.vmin; }
    if (b.kmax > a.kmax) a.kmax = b.kmax;
  };

  let shift = Math.max(0, sel.keyBits - (sel.firstBits ?? FIRST_BITS));
  const rows = await histogram(shift, sql``);
  const groupInfo = new Map<string, { group: unknown[]; hash: string }>();
  const hist = new Map<string, Map<bigint, Bucket>>();
  for (const row of rows) {
    const g = keyOf(row);
    if (!groupInfo.has(g)) groupInfo.set(g, { group: sel.groups.map((_, l) => row[`rs_g${l}`]), hash: G === 0 ? '' : String(row.rs_h) });
    let h = hist.get(g);
    if (!h) hist.set(g, (h = new Map()));
    merge(h, bucketOf(row));
    if (sel.total && G > 0) {
      let all = hist.get(TOTAL);
      if (!all) hist.set(TOTAL, (all = new Map()));
      merge(all, bucketOf(row));
    }
  }
  if (sel.total && G > 0 && !hist.has(TOTAL)) hist.set(TOTAL, new Map());
  if (G === 0 && !hist.has('[]')) hist.set('[]', new Map());

  const out = new Map<string, RankedGroup>();
  const answers = new Map<string, Map<number, RankAnswer>>();
  let pending: Pending[] = [];
  /** Places each rank in the sorted `buckets`; resolves it or leaves it pending at the bucket. */
  const place = (g: string, buckets: Bucket[], asks: { rank: number; r: number; before: number; sumBefore: number }[]) => {
    buckets.sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
    for (const ask of asks) {
      let before = ask.before, sumBefore = ask.sumBefore, r = ask.r, i = 0;
      while (r >= buckets[i].n) {
        r -= buckets[i].n;
        before += buckets[i].n;
        sumBefore += buckets[i].sum;
        i++;
        if (i === buckets.length) throw new Error(`rank ${ask.rank} is past the rows counted for it (the data changed between two queries?).`);
      }
      const b = buckets[i];
      if (b.kmin === b.kmax || r === 0) answers.get(g)!.set(ask.rank, { value: b.vmin, below: before, sumThrough: sumBefore + (r + 1) * b.vmin });
      else pending.push({ g, rank: ask.rank, prefix: b.prefix, n: b.n, r, before, sumBefore });
    }
  };
  for (const [g, h] of hist) {
    const n = [...h.values()].reduce((s, b) => s + b.n, 0);
    const group = g === TOTAL ? [] : (groupInfo.get(g)?.group ?? []);
    const ranks = [...new Set(ranksOf(n, group))];
    for (const r of ranks) if (!Number.isInteger(r) || r < 0 || r >= n) throw new RangeError(`selectRanks: rank ${r} is outside 0..${n - 1}.`);
    answers.set(g, new Map());
    out.set(g, { group, n, at: answers.get(g)! });
    place(g, [...h.values()], ranks.map((rank) => ({ rank, r: rank, before: 0, sumBefore: 0 })));
  }

  while (pending.length > 0) {
    if (shift === 0) throw new Error('selectRanks: a bucket of one key did not resolve (the data changed between two queries?).');
    // As many bits as the largest bucket needs to split into single keys, within the row budget.
    const buckets = new Map<string, Pending>();
    for (const p of pending) buckets.set(`${p.g}\u0000${p.prefix}`, p);
    const spread = [...buckets.values()].reduce((s, p) => s + (p.g === TOTAL ? Math.max(1, groupInfo.size) : 1), 0);
    const largest = Math.max(...[...buckets.values()].map((p) => p.n));
    const bits = Math.max(1, Math.min(shift, Math.ceil(Math.log2(largest)) + 1, Math.floor(Math.log2(Math.max(2, (sel.rowBudget ?? ROW_BUDGET) / spread)))));
    const next = shift - bits;
    const parent = sql`bitShiftRight(${sel.key}, ${shift})`;
    // Buckets go into IN lists, a few thousand per query so the text stays below ClickHouse's
    // max_query_size (256 KiB); more buckets (a whale curve of 10,000 points) take more queries.
    const sub = new Map<string, Map<bigint, Bucket>>();
    const subOf = (k: string) => {
      let m = sub.get(k);
      if (!m) sub.set(k, (m = new Map()));
      return m;
    };
    const all = [...buckets.entries()];
    const listMax = sel.inListMax ?? IN_LIST_MAX;
    for (let from = 0; from < all.length; from += listMax) {
      const chunk = new Map(all.slice(from, from + listMax));
      const inGroups = [...chunk.values()].filter((p) => p.g !== TOTAL).map((p) => G === 0 ? uint64Literal(p.prefix) : sql`(${uint64Literal(BigInt(groupInfo.get(p.g)!.hash))}, ${uint64Literal(p.prefix)})`);
      const inTotal = [...chunk.values()].filter((p) => p.g === TOTAL).map((p) => uint64Literal(p.prefix));
      const filters: Sql[] = [];
      if (inGroups.length > 0) filters.push(G === 0 ? sql`${parent} IN (${joinSql(inGroups, ', ')})` : sql`(${gh!}, ${parent}) IN (${joinSql(inGroups, ', ')})`);
      if (inTotal.length > 0) filters.push(sql`${parent} IN (${joinSql(inTotal, ', ')})`);
      // A row may match a group's bucket in this chunk and TOTAL's in another: each chunk counts
      // it only for its own buckets.
      for (const row of await histogram(next, sql` AND (${joinSql(filters, ' OR ')})`)) {
        const b = bucketOf(row);
        const p = b.prefix >> BigInt(bits);
        for (const k of [`${keyOf(row)}\u0000${p}`, `${TOTAL}\u0000${p}`]) if (chunk.has(k)) merge(subOf(k), b);
      }
    }
    const waiting = pending;
    pending = [];
    const byBucket = new Map<string, Pending[]>();
    for (const p of waiting) {
      const k = `${p.g}\u0000${p.prefix}`;
      byBucket.set(k, [...(byBucket.get(k) ?? []), p]);
    }
    for (const [k, asks] of byBucket) {
      const h = sub.get(k);
      if (!h) throw new Error('selectRanks: a bucket came back empty (the data changed between two queries?).');
      place(asks[0].g, [...h.values()], asks);
    }
    shift = next;
  }
  return out;
}
