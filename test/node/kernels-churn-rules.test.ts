import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Table } from 'apache-arrow';
import { openDuckDB, type DuckDB } from './support/duckdb.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { daysFromCivil, makeClientTable } from '../../src/schema/arrow-columns.js';
import { SpecError } from '../../workers/kernels/kernel.js';
import {
  DEFAULT_CHURN_RULES, DEFAULT_INACTIVITY_DAYS, DEFAULT_OUTFLOW_THRESHOLD, churnRulesKernel, nextDown, nextUp,
  type ChurnRuleInput, type ChurnRulesResult,
} from '../../workers/kernels/churn-rules.js';
import { runKernelLocal, runKernelSplit, schemaOfTable } from '../../workers/kernels/run-local.js';

const AS_OF = '2026-06-30';

/** The SQL condition of a rule, written from DOMAIN.md's wording (nulls and NaN never hit). */
function ruleSql(r: ChurnRuleInput, asOf: string): string {
  switch (r.kind) {
    case 'inactivity': return `coalesce(DATE '${asOf}' - "${r.column ?? 'lastTxnDate'}" >= ${r.threshold}, false)`;
    case 'asset-outflow': return `coalesce("${r.column ?? 'assetOutflow3m'}" > ${r.threshold} AND NOT isnan("${r.column ?? 'assetOutflow3m'}"), false)`;
    case 'low-satisfaction': return `coalesce("${r.column ?? 'npsScore'}" <= ${r.threshold}, false)`;
    case 'late-payments': return `coalesce("${r.column ?? 'latePayments12m'}" >= ${r.threshold}, false)`;
  }
}

function flagsSql(t: string, rules: readonly ChurnRuleInput[], asOf: string, by: string | null, orderBy = 'aum'): string {
  const hits = rules.map((r, j) => `(${ruleSql(r, asOf)})::INTEGER AS r${j}`).join(', ');
  const count = rules.map((_, j) => `r${j}`).join(' + ');
  const mask = rules.map((_, j) => `(r${j}::UBIGINT << ${j})`).join(' | ');
  return `WITH f AS (SELECT rowid AS row, clientId AS id, ${by === null ? 'NULL' : `"${by}"`} AS key,
      CASE WHEN isnan("${orderBy}") THEN NULL ELSE "${orderBy}" END AS ord, ${hits} FROM ${t})
    SELECT *, ${count} AS hits, ${mask} AS mask FROM f`;
}

function expectMatchesDuckDB(db: DuckDB, t: string, got: ChurnRulesResult, rules: readonly ChurnRuleInput[], opts: { by?: string; offset?: number; limit?: number; orderBy?: string; groupSizes?: boolean } = {}, asOf = AS_OF): void {
  const by = opts.by ?? null;
  const flags = flagsSql(t, rules, asOf, by, opts.orderBy);
  const [tot] = db.query(`WITH g AS (${flags}) SELECT count(*) AS rows, count(*) FILTER (WHERE hits > 0) AS any, ${rules.map((_, j) => `count(*) FILTER (WHERE r${j} = 1) AS h${j}`).join(', ')} FROM g`);
  expect(got.rows).toBe(tot.rows);
  expect(got.any).toBe(tot.any);
  expect(got.atRisk.total).toBe(tot.any);
  rules.forEach((r, j) => {
    expect(got.rules[j].id).toBe(r.id);
    expect(got.rules[j].clients, `rule ${r.id}`).toBe(tot[`h${j}`] ?? 0);
  });
  if (by !== null) {
    // Without groupSizes only groups with a client at risk are listed, and rows is null.
    const groups = db.query(`WITH g AS (${flags}) SELECT key, count(*) AS rows, count(*) FILTER (WHERE hits > 0) AS any, ${rules.map((_, j) => `count(*) FILTER (WHERE r${j} = 1) AS h${j}`).join(', ')} FROM g
      GROUP BY key ${opts.groupSizes ? '' : 'HAVING count(*) FILTER (WHERE hits > 0) > 0'} ORDER BY key NULLS LAST`);
    expect(got.groups.map((g) => g.key)).toEqual(groups.map((g) => g.key ?? null));
    got.groups.forEach((g, i) => {
      expect(g.rows).toBe(opts.groupSizes ? groups[i].rows : null);
      expect(g.any).toBe(groups[i].any);
      expect(g.perRule).toEqual(rules.map((_, j) => groups[i][`h${j}`]));
    });
  } else {
    expect(got.groups).toEqual([]);
  }
  const offset = opts.offset ?? 0;
  const limit = opts.limit ?? 100;
  const page = db.query(`WITH g AS (${flags}) SELECT id, row, hits, mask, ord FROM g WHERE hits > 0
    ORDER BY hits DESC, ord DESC NULLS LAST, id ASC NULLS LAST, row ASC LIMIT ${limit} OFFSET ${offset}`);
  expect(got.atRisk.clients.map((c) => [c.clientId, c.row, c.rulesHit, c.mask, c.orderValue])).toEqual(page.map((p) => [p.id ?? null, p.row, p.hits, p.mask, p.ord ?? null]));
  for (const c of got.atRisk.clients) expect(c.ruleIds).toEqual(rules.filter((_, j) => c.mask & (2 ** j)).map((r) => r.id));
}

async function specError(p: Promise<unknown>): Promise<SpecError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(SpecError);
  return e as SpecError;
}

const ALL_KINDS: ChurnRuleInput[] = [
  { id: 'quiet', kind: 'inactivity', threshold: 90 },
  { id: 'outflow', kind: 'asset-outflow', threshold: 0.5 },
  { id: 'unhappy', kind: 'low-satisfaction', threshold: 6 },
  { id: 'arrears', kind: 'late-payments', threshold: 2 },
];

/** Hand-made clients: boundary values, nulls, NaN, ties in rules hit and AUM, null and duplicate ids. */
function handChunks(): Table[] {
  const asOf = daysFromCivil(2026, 6, 30);
  type Row = [id: string | null, seg: number | null, aum: number | null, daysQuiet: number | null, outflow: number | null, nps: number | null, late: number | null];
  const chunk = (dictionary: string[], rows: Row[]) => {
    const f = (k: number) => Float64Array.from(rows, (r) => (r[k] as number | null) ?? 0);
    const i = (k: number) => Int32Array.from(rows, (r) => (r[k] as number | null) ?? 0);
    const v = (k: number) => Uint8Array.from(rows, (r) => (r[k] === null ? 0 : 1));
    return makeClientTable({
      clientId: { type: 'string', values: rows.map((r) => r[0]) },
      segment: { type: 'category', dictionary, indices: i(1), valid: v(1) },
      aum: { type: 'float', values: f(2), valid: v(2) },
      lastTxnDate: { type: 'date', values: Int32Array.from(rows, (r) => (r[3] === null ? 12345 : asOf - r[3])), valid: v(3) },
      assetOutflow3m: { type: 'float', values: f(4), valid: v(4) },
      npsScore: { type: 'int', values: i(5), valid: v(5) },
      latePayments12m: { type: 'int', values: i(6), valid: v(6) },
    });
  };
  return [
    chunk(['Retail', 'Corporate', 'Unused'], [
      ['a', 0, 100, 90, 0.5, 7, 0], // exactly 90 days: hit; outflow exactly 0.5: no hit
      ['b', 0, 100, 89, 0.5000001, 6, 1], // outflow hit, NPS 6 hit
      ['c', 1, null, 400, 0.9, 0, 5], // all four rules, null AUM
      ['d', null, 5e9, null, null, null, null], // nothing known: no rule hits, null segment
      ['e', 1, NaN, 10, NaN, 10, null], // NaN outflow never hits; NaN AUM sorts like null
    ]),
    chunk(['Corporate', 'Retail'], [
      ['f', 1, 100, 200, 0.1, null, 2], // code 1 is 'Retail' in this chunk's dictionary; ties 'b' on hits and AUM
      [null, 0, 100, 95, 0.2, 9, 0], // null id: after every id among equals
      ['a', 0, 100, 91, 0, 8, 0], // duplicate id 'a': by row
      ['g', 0, -Infinity, 365, 0.99, 3, 3],
      ['h', 1, 1e300, 0, 0, 10, 0], // no hits despite huge AUM
    ]),
    chunk(['Retail'], [
      ['i', 0, 100, 1000, 1, 0, 1000], // outflow 1 > 0.5
      ['j', null, 0, 90, 0.51, 6, 2],
    ]),
  ];
}

describe('churn-rules kernel', () => {
  let db: DuckDB;
  let chunks: Table[];
  beforeAll(async () => {
    db = await openDuckDB();
    chunks = generatePortfolio({ rows: 150_000 });
    db.load('c', chunks);
    db.load('h', handChunks());
  }, 120_000); // generating and loading 150k rows takes a few seconds, more on a busy machine
  afterAll(() => db.close());

  it("uses DOMAIN.md's default rules", () => {
    expect(DEFAULT_INACTIVITY_DAYS).toBe(90);
    expect(DEFAULT_OUTFLOW_THRESHOLD).toBe(0.5);
    expect(DEFAULT_CHURN_RULES.map((r) => [r.kind, r.threshold])).toEqual([['inactivity', 90], ['asset-outflow', 0.5]]);
  });

  it('equals DuckDB on generated clients with the default rules', async () => {
    const got = await runKernelLocal<ChurnRulesResult>(churnRulesKernel, chunks, { asOf: AS_OF });
    expectMatchesDuckDB(db, 'c', got, DEFAULT_CHURN_RULES);
    expect(got.any).toBeGreaterThan(1000);
    const [m] = db.query(`SELECT count(*) FILTER (WHERE lastTxnDate IS NULL) AS missing FROM c`);
    expect(got.rules[0].missing).toBe(m.missing);
  });

  it('equals DuckDB on generated clients with all rule kinds, segments and later pages', async () => {
    for (const opts of [{ by: 'segment' }, { by: 'tier', offset: 250, limit: 50, groupSizes: true }, { by: 'rm', offset: 0, limit: 1000, orderBy: 'deposits' }]) {
      const got = await runKernelLocal<ChurnRulesResult>(churnRulesKernel, chunks, { asOf: AS_OF, rules: ALL_KINDS, ...opts });
      expectMatchesDuckDB(db, 'c', got, ALL_KINDS, opts);
    }
  });

  it('equals DuckDB on hand-made rows with boundaries, nulls, NaN and ties', async () => {
    for (const opts of [{ by: 'segment', groupSizes: true }, { by: 'segment', offset: 3, limit: 4 }, {}]) {
      const got = await runKernelLocal<ChurnRulesResult>(churnRulesKernel, handChunks(), { asOf: AS_OF, rules: ALL_KINDS, ...opts });
      expectMatchesDuckDB(db, 'h', got, ALL_KINDS, opts);
    }
    const got = await runKernelLocal<ChurnRulesResult>(churnRulesKernel, handChunks(), { asOf: AS_OF, rules: ALL_KINDS, by: 'segment', groupSizes: true });
    // Documented treatment, checked by hand.
    expect(got.rules.map((r) => [r.id, r.clients, r.missing, r.nan])).toEqual([
      ['quiet', 8, 1, 0], ['outflow', 5, 1, 1], ['unhappy', 5, 2, 0], ['arrears', 5, 2, 0],
    ]);
    expect(got.groups.map((g) => [g.key, g.rows, g.any])).toEqual([['Corporate', 5, 4], ['Retail', 5, 4], [null, 2, 1]]);
    expect(got.atRisk.clients.slice(0, 2).map((c) => [c.clientId, c.ruleIds])).toEqual([
      ['i', ['quiet', 'outflow', 'unhappy', 'arrears']], ['j', ['quiet', 'outflow', 'unhappy', 'arrears']],
    ]);
    const ties = got.atRisk.clients.filter((c) => c.rulesHit === 1 && c.orderValue === 100).map((c) => c.clientId);
    expect(ties).toEqual(['a', 'a', null]);
  });

  it('answers rule sets that differ only in thresholds or asOf, asked in turn over the same batches', async () => {
    // A worker keeps each batch's hits per rule set (hitsMemo in churn-rules.ts): a set must never get another's.
    const sets: [string, readonly ChurnRuleInput[]][] = [
      [AS_OF, DEFAULT_CHURN_RULES],
      [AS_OF, [{ id: 'inactive', kind: 'inactivity', threshold: 30 }, { id: 'outflow', kind: 'asset-outflow', threshold: 0.5 }]],
      [AS_OF, [{ id: 'inactive', kind: 'inactivity', threshold: 90 }, { id: 'outflow', kind: 'asset-outflow', threshold: 0.2 }]],
      ['2026-03-31', DEFAULT_CHURN_RULES],
      [AS_OF, DEFAULT_CHURN_RULES],
    ];
    for (const [asOf, rules] of sets) {
      const got = await runKernelLocal<ChurnRulesResult>(churnRulesKernel, chunks, { asOf, rules, by: 'segment', limit: 20 });
      expectMatchesDuckDB(db, 'c', got, rules, { by: 'segment', limit: 20 }, asOf);
    }
  });

  it('keeps rule 32 in the top bit of an unsigned mask', async () => {
    const rules: ChurnRuleInput[] = Array.from({ length: 32 }, (_, j) => ({ id: `late${j + 1}`, kind: 'late-payments', threshold: 32 - j }));
    const got = await runKernelLocal<ChurnRulesResult>(churnRulesKernel, chunks, { rules, limit: 20 });
    expectMatchesDuckDB(db, 'c', got, rules, { limit: 20 });
    expect(got.atRisk.clients.every((c) => c.mask >= 2 ** 31)).toBe(true);
  });

  it('accepts its own validated spec again (workers re-validate what the main thread sends)', () => {
    const schema = schemaOfTable(chunks[0]);
    for (const spec of [{ asOf: AS_OF }, { asOf: AS_OF, rules: ALL_KINDS, by: 'segment', orderBy: null, offset: 5 }, { rules: [{ id: 'x', kind: 'late-payments' }] }]) {
      const valid = churnRulesKernel.validate(spec, schema);
      expect(churnRulesKernel.validate(structuredClone(valid), schema)).toEqual(valid);
    }
  });

  it('gives the same answer split across workers as on one thread', async () => {
    for (const spec of [{ asOf: AS_OF }, { asOf: AS_OF, rules: ALL_KINDS, by: 'segment', offset: 100, limit: 300 }, { asOf: AS_OF, by: 'rm', groupSizes: true }]) {
      expect(await runKernelSplit(churnRulesKernel, chunks, spec, 3)).toEqual(await runKernelLocal(churnRulesKernel, chunks, spec));
    }
    const hand = handChunks();
    for (const parts of [2, 3]) {
      const spec = { asOf: AS_OF, rules: ALL_KINDS, by: 'segment', limit: 5, groupSizes: parts === 2 };
      expect(await runKernelSplit(churnRulesKernel, hand, spec, parts)).toEqual(await runKernelLocal(churnRulesKernel, hand, spec));
    }
  });

  it('handles an empty dataset', async () => {
    const got = await runKernelLocal<ChurnRulesResult>(churnRulesKernel, [chunks[0].slice(0, 0)], { asOf: AS_OF, by: 'segment' });
    expect(got).toMatchObject({ rows: 0, any: 0, groups: [], atRisk: { total: 0, clients: [] } });
  });

  it('turns <= and >= into exact strict comparisons', () => {
    for (const t of [0, 0.5, 6, 1e-300, -3, 2 ** 53, Number.MIN_VALUE]) {
      expect(nextUp(t) > t).toBe(true);
      expect((t + nextUp(t)) / 2 === t || (t + nextUp(t)) / 2 === nextUp(t)).toBe(true);
      expect(nextDown(t) < t).toBe(true);
    }
  });

  it('refuses bad specs with a SpecError naming the field', async () => {
    const bad = async (spec: unknown, field: string, tables = chunks) => expect((await specError(runKernelLocal(churnRulesKernel, tables, spec))).field).toBe(field);
    await bad({}, 'asOf');
    await bad({ asOf: '2026-02-30' }, 'asOf');
    await bad({ asOf: AS_OF, rules: [] }, 'rules');
    await bad({ asOf: AS_OF, rules: Array.from({ length: 33 }, (_, j) => ({ id: `r${j}`, kind: 'late-payments' })) }, 'rules');
    await bad({ asOf: AS_OF, rules: [{ id: 'x', kind: 'inactivity' }, { id: 'x', kind: 'asset-outflow' }] }, 'rules[1].id');
    await bad({ asOf: AS_OF, rules: [{ id: 'x', kind: 'asset-outflow', threshold: 1.5 }] }, 'rules[0].threshold');
    await bad({ asOf: AS_OF, rules: [{ id: 'x', kind: 'asset-outflow', threshold: NaN }] }, 'rules[0].threshold');
    await bad({ asOf: AS_OF, rules: [{ id: 'x', kind: 'inactivity', threshold: 0 }] }, 'rules[0].threshold');
    await bad({ asOf: AS_OF, rules: [{ id: 'x', kind: 'inactivity', threshold: 30.5 }] }, 'rules[0].threshold');
    await bad({ asOf: AS_OF, rules: [{ id: 'x', kind: 'low-satisfaction', threshold: 11 }] }, 'rules[0].threshold');
    await bad({ asOf: AS_OF, rules: [{ id: 'x', kind: 'late-payments', threshold: 0 }] }, 'rules[0].threshold');
    await bad({ asOf: AS_OF, rules: [{ id: 'x', kind: 'churn' }] }, 'rules[0].kind');
    await bad({ asOf: AS_OF, rules: [{ id: '', kind: 'inactivity' }] }, 'rules[0].id');
    await bad({ asOf: AS_OF, rules: [{ id: 'x', kind: 'asset-outflow', column: 'nope' }] }, 'rules[0].column');
    await bad({ asOf: AS_OF, rules: [{ id: 'x', kind: 'asset-outflow', column: 'segment' }] }, 'rules[0].column');
    await bad({ asOf: AS_OF, rules: [{ id: 'x', kind: 'asset-outflow', treshold: 0.4 }] }, 'rules[0].treshold');
    await bad({ asOf: AS_OF, limit: 1e6 }, 'limit');
    await bad({ asOf: AS_OF, offset: -1 }, 'offset');
    await bad({ asOf: AS_OF, by: 'aum' }, 'by');
    await bad({ asOf: AS_OF, orderBy: 'segment' }, 'orderBy');
    await bad({ asOf: AS_OF, groupSizes: 'yes' }, 'groupSizes');
    const noOutflow = makeClientTable({ clientId: { type: 'string', values: ['a'] }, lastTxnDate: { type: 'date', values: new Int32Array([1]), valid: null }, aum: { type: 'float', values: new Float64Array([1]), valid: null } });
    await bad({ asOf: AS_OF }, 'rules[1].column', [noOutflow]);
    const noId = makeClientTable({ lastTxnDate: { type: 'date', values: new Int32Array([1]), valid: null }, assetOutflow3m: { type: 'float', values: new Float64Array([1]), valid: null }, aum: { type: 'float', values: new Float64Array([1]), valid: null } });
    await bad({ asOf: AS_OF }, 'id', [noId]);
  });
});
