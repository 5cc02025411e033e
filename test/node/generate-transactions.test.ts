// The transaction log must agree with the client summaries of its chunk. The check scans the log
// here, independently of the generator: counts in the last 365 days, latest and earliest dates.
import { beforeAll, describe, expect, it } from 'vitest';
import { DateDay, Dictionary, Float64, Int32, Utf8, tableToIPC, type Table } from 'apache-arrow';
import { daysFromCivil } from '../../src/schema/arrow-columns.js';
import { generatePortfolioChunk, type PortfolioOptions } from '../../src/generate/portfolio.js';
import { TRANSACTION_KINDS, generateTransactions, windowDays } from '../../src/generate/transactions.js';

const AS_OF = daysFromCivil(2026, 6, 30);

interface Summary {
  id: string[];
  open: (number | null)[];
  last: (number | null)[];
  n12: number[];
  stage: string[];
}

function summary(t: Table): Summary {
  // Raw DateDay days from every batch (the Vector getter would give milliseconds).
  const days = (name: string) => t.getChild(name)!.data.flatMap((d) => Array.from({ length: d.length }, (_, i) => (d.getValid(i) ? (d.values as Int32Array)[i] : null)));
  return {
    id: t.getChild('clientId')!.toArray() as string[],
    open: days('openDate'),
    last: days('lastTxnDate'),
    n12: Array.from(t.getChild('txnCount12m')!, (x) => x as number),
    stage: Array.from({ length: t.numRows }, (_, i) => t.getChild('lifecycleStage')!.get(i) as string),
  };
}

interface Log {
  id: string[];
  date: Int32Array;
  amount: Float64Array;
  kind: string[];
}

function log(t: Table): Log {
  const kinds = t.getChild('kind')!.data[0];
  const dict = kinds.dictionary!.toArray() as string[];
  return {
    id: t.getChild('clientId')!.toArray() as string[],
    date: t.getChild('date')!.data[0].values as Int32Array,
    amount: t.getChild('amount')!.data[0].values as Float64Array,
    kind: Array.from(kinds.values as Int32Array, (k) => dict[k]),
  };
}

/** Per client: transactions in the last 365 days, latest and earliest date, row count. */
function scan(l: Log, asOf: number) {
  const per = new Map<string, { n12: number; max: number; min: number; rows: number }>();
  for (let r = 0; r < l.id.length; r++) {
    const s = per.get(l.id[r]) ?? { n12: 0, max: -Infinity, min: Infinity, rows: 0 };
    const d = l.date[r];
    if (asOf - d >= 0 && asOf - d <= 364) s.n12++;
    s.max = Math.max(s.max, d);
    s.min = Math.min(s.min, d);
    s.rows++;
    per.set(l.id[r], s);
  }
  return per;
}

function checkConsistency(options: PortfolioOptions & { months?: number }, chunkIndex: number, asOf: number) {
  const { months: _months, ...portfolioOptions } = options;
  const s = summary(generatePortfolioChunk(portfolioOptions, chunkIndex));
  const l = log(generateTransactions(options, chunkIndex));
  const per = scan(l, asOf);
  const known = new Set(s.id);
  for (const id of per.keys()) if (!known.has(id)) throw new Error(`log has unknown client ${id}`);
  for (let i = 0; i < s.id.length; i++) {
    const p = per.get(s.id[i]);
    if (s.last[i] === null) {
      if (p) throw new Error(`prospect ${s.id[i]} has ${p.rows} transactions`);
      continue;
    }
    if (!p) throw new Error(`client ${s.id[i]} has no transactions`);
    if (p.n12 !== s.n12[i]) throw new Error(`client ${s.id[i]}: ${p.n12} transactions in 12 months, summary says ${s.n12[i]}`);
    if (p.max !== s.last[i]) throw new Error(`client ${s.id[i]}: latest ${p.max}, lastTxnDate ${s.last[i]}`);
    if (p.min < (s.open[i] as number)) throw new Error(`client ${s.id[i]}: transaction ${p.min} before openDate ${s.open[i]}`);
    if (p.max > asOf) throw new Error(`client ${s.id[i]}: transaction after asOf`);
  }
  return { s, l, per };
}

describe('transaction log consistency', () => {
  let s: Summary, l: Log;
  beforeAll(() => {
    ({ s, l } = checkConsistency({ rows: 4_000 }, 0, AS_OF));
  });

  it('agrees with every client summary (checked in beforeAll) and has transactions for nearly all', () => {
    expect(new Set(l.id).size).toBeGreaterThan(0.95 * s.id.length);
  });

  it('groups rows by client in summary order, dates ascending within a client', () => {
    const order = new Map(s.id.map((id, i) => [id, i]));
    for (let r = 1; r < l.id.length; r++) {
      const a = order.get(l.id[r - 1])!, b = order.get(l.id[r])!;
      if (b < a || (a === b && l.date[r] < l.date[r - 1])) throw new Error(`row ${r} out of order`);
    }
  });

  it('covers months 13-24 too, and nothing older except a lost client\'s last transaction', () => {
    const window = windowDays(24);
    expect(window).toBe(730);
    const last = new Map(s.id.map((id, i) => [id, s.last[i]]));
    let older = 0;
    for (let r = 0; r < l.id.length; r++) {
      const d = AS_OF - l.date[r];
      if (d >= 365) older++;
      if (d >= window && l.date[r] !== last.get(l.id[r])) throw new Error(`row ${r}: ${d} days before asOf, outside the window`);
    }
    expect(older / l.id.length).toBeGreaterThan(0.2);
    expect(older / l.id.length).toBeLessThan(0.7);
  });

  it('shows the silence win-back clients came back from', () => {
    const winback = new Set(s.id.filter((_, i) => s.stage[i] === 'win-back'));
    expect(winback.size).toBeGreaterThan(20);
    for (let r = 0; r < l.id.length; r++) {
      if (!winback.has(l.id[r])) continue;
      const d = AS_OF - l.date[r];
      if (d > 60 && d < 365) throw new Error(`win-back client ${l.id[r]} has a transaction ${d} days before asOf`);
    }
  });

  it('has positive amounts and uses every kind', () => {
    for (let r = 0; r < l.id.length; r++) {
      if (!(l.amount[r] > 0 && Number.isFinite(l.amount[r]))) throw new Error(`row ${r}: amount ${l.amount[r]}`);
    }
    const counts = new Map<string, number>();
    for (const k of l.kind) counts.set(k, (counts.get(k) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...TRANSACTION_KINDS].sort());
  });
});

describe('transaction log of other chunks and windows', () => {
  it('agrees with the summary of a later chunk, over both of its batches', () => {
    const { s, per } = checkConsistency({ rows: 200_000, seed: 11 }, 1, AS_OF);
    expect(s.id[0]).toBe('C00131073');
    expect(s.id.length).toBe(200_000 - 131_072);
    // Clients of the chunk's second batch (from row 196,609) have their transactions too.
    expect(per.has(s.id[s.id.length - 1]) || s.last[s.id.length - 1] === null).toBe(true);
    expect(s.id.slice(65_536).filter((id) => per.has(id)).length).toBeGreaterThan(0.9 * (s.id.length - 65_536));
  });

  it('agrees with the summary for a 12-month window and another asOf', () => {
    const asOf = daysFromCivil(2024, 2, 29);
    const { l } = checkConsistency({ rows: 3_000, months: 12, asOf: '2024-02-29' }, 0, asOf);
    expect(Math.max(...l.date)).toBe(asOf);
  });
});

describe('transaction log format and determinism', () => {
  it('has the documented schema, a fixed kind dictionary and provenance metadata', () => {
    const t = generateTransactions({ rows: 500, months: 18 }, 0);
    expect(t.schema.fields.map((f) => f.name)).toEqual(['clientId', 'date', 'amount', 'kind']);
    const [id, date, amount, kind] = t.schema.fields.map((f) => f.type);
    expect(id).toBeInstanceOf(Utf8);
    expect(date).toBeInstanceOf(DateDay);
    expect(amount).toBeInstanceOf(Float64);
    expect(kind).toBeInstanceOf(Dictionary);
    expect((kind as Dictionary).indices).toBeInstanceOf(Int32);
    expect(t.getChild('kind')!.data[0].dictionary!.toArray()).toEqual([...TRANSACTION_KINDS]);
    const other = generateTransactions({ rows: 500, seed: 2 }, 0);
    expect((other.schema.fields[3].type as Dictionary).id).toBe((kind as Dictionary).id);
    expect(t.schema.metadata.get('clientlens.months')).toBe('18');
    expect(t.schema.metadata.get('clientlens.asOf')).toBe('2026-06-30');
  });

  it('is byte-identical for the same options and differs for another seed', () => {
    const a = Buffer.from(tableToIPC(generateTransactions({ rows: 2_000 }, 0)));
    generatePortfolioChunk({ rows: 3 }, 0);
    const b = Buffer.from(tableToIPC(generateTransactions({ rows: 2_000 }, 0)));
    expect(a.equals(b)).toBe(true);
    const c = log(generateTransactions({ rows: 2_000, seed: 8 }, 0));
    const d = log(generateTransactions({ rows: 2_000 }, 0));
    expect(c.date.length === d.date.length && c.date.every((x, i) => x === d.date[i])).toBe(false);
  });

  const bad: [string, unknown, RegExp][] = [
    ['months too few', { rows: 10, months: 11 }, /"months" must be an integer from 12 to 120.*got 11/],
    ['months too many', { rows: 10, months: 121 }, /"months"/],
    ['months fractional', { rows: 10, months: 12.5 }, /"months"/],
    ['months as string', { rows: 10, months: '24' }, /"months"/],
    ['portfolio option', { rows: 0 }, /"rows"/],
    ['unknown option', { rows: 10, month: 24 }, /Unknown option "month"; expected one of: .*months/],
  ];
  it.each(bad)('rejects %s', (_label, options, message) => {
    expect(() => generateTransactions(options as PortfolioOptions, 0)).toThrow(message);
  });

  it('rejects a chunk index outside the run', () => {
    expect(() => generateTransactions({ rows: 10 }, 1)).toThrow(/chunkIndex/);
  });
});
