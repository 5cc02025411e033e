/**
 * The building blocks of the segmentation kernels, each checked against an independent reference:
 * - filter.ts: the rows a filter keeps = the rows DuckDB's WHERE keeps (SQL written here);
 * - dimension.ts: each row's group label = DuckDB's CASE expression for it;
 * - quantiles.ts: quantile_cont over partitions = DuckDB's quantile_cont on all values; k-th
 *   selection and the radix sort = the built-in sort;
 * - exact-sum.ts: the correctly rounded exact sum, computed with BigInt.
 * Documented differences from SQL are spelled out in the SQL: NaN fails every comparison here
 * (DuckDB orders NaN above all numbers and NaN = NaN), so the SQL adds NOT isnan(x).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFromArrays, type RecordBatch, type Table } from 'apache-arrow';
import { openDuckDB, type DuckDB } from './support/duckdb.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { daysFromCivil, makeClientTable } from '../../src/schema/arrow-columns.js';
import { tableRows, schemaOfTable } from '../../workers/kernels/run-local.js';
import { RowFilter, validateFilter, type FilterSpec } from '../../workers/kernels/filter.js';
import { DEFAULT_ASSET_SCALE, DEFAULT_RISK_PREFERENCE, DimensionCompiler, validateDimension, type Dimension } from '../../workers/kernels/dimension.js';
import { quantileCont, selectKth, sortFloat64 } from '../../workers/kernels/quantiles.js';
import { exactAdd, exactMerge, exactValue, newExactSum } from '../../workers/kernels/exact-sum.js';
import { SpecError } from '../../workers/kernels/kernel.js';

/** Opening DuckDB and loading 150k rows can take a while on a busy machine. */
const HOOK_TIMEOUT = 120_000;

let db: DuckDB;
let chunks: Table[];

beforeAll(async () => {
  db = await openDuckDB();
  chunks = generatePortfolio({ rows: 150_000 });
  db.load('clients', chunks);
}, HOOK_TIMEOUT);

afterAll(async () => {
  await db?.close();
}, HOOK_TIMEOUT);

/** clientIds of the rows a filter keeps, sorted. */
function keptIds(tables: readonly Table[], spec: FilterSpec): string[] {
  const f = new RowFilter(spec);
  const out: string[] = [];
  for (const { batch } of tableRows(tables)) {
    const mask = f.mask(batch);
    const ids = batch.getChild('clientId')!;
    for (let i = 0; i < batch.numRows; i++) if (mask === null || mask[i] === 1) out.push(ids.get(i) as string);
  }
  return out.sort();
}

function sqlIds(table: string, where: string): string[] {
  return db.query(`SELECT clientId FROM ${table} WHERE ${where}`).map((r) => r.clientId as string).sort();
}

describe('filter vs DuckDB WHERE on generated data', () => {
  const cases: [string, FilterSpec, string][] = [
    ['category eq', { all: [{ column: 'clientType', op: 'eq', value: 'retail' }] }, `clientType = 'retail'`],
    ['category ne skips nulls', { all: [{ column: 'industry', op: 'ne', value: '$INDUSTRY' }] }, `industry <> '$INDUSTRY'`],
    ['category in, with an unknown label', { all: [{ column: 'segment', op: 'in', values: ['Premier', 'Private Banking', 'nope'] }] }, `segment IN ('Premier', 'Private Banking', 'nope')`],
    ['category notIn skips nulls', { all: [{ column: 'channel', op: 'notIn', values: ['app', 'rm'] }] }, `channel NOT IN ('app', 'rm')`],
    ['category in []', { all: [{ column: 'segment', op: 'in', values: [] }] }, `false`],
    ['category notIn []', { all: [{ column: 'rm', op: 'notIn', values: [] }] }, `rm IS NOT NULL`],
    ['float range', { all: [{ column: 'aum', op: 'gte', value: 500_000 }, { column: 'aum', op: 'lt', value: 6_000_000 }] }, `aum >= 500000 AND aum < 6000000`],
    ['float gt / lte', { all: [{ column: 'revenue', op: 'gt', value: -50 }, { column: 'revenue', op: 'lte', value: 0 }] }, `revenue > -50 AND revenue <= 0`],
    ['float eq 0', { all: [{ column: 'loans', op: 'eq', value: 0 }] }, `loans = 0`],
    ['int in', { all: [{ column: 'riskLevel', op: 'in', values: [1, 5] }] }, `riskLevel IN (1, 5)`],
    ['int ne skips nulls', { all: [{ column: 'riskLevel', op: 'ne', value: 3 }] }, `riskLevel <> 3`],
    ['int notIn skips nulls', { all: [{ column: 'npsScore', op: 'notIn', values: [9, 10] }] }, `npsScore NOT IN (9, 10)`],
    ['int between', { all: [{ column: 'npsScore', op: 'between', values: [0, 6] }] }, `npsScore BETWEEN 0 AND 6`],
    ['int eq a fraction', { all: [{ column: 'age', op: 'eq', value: 30.5 }] }, `false`],
    ['date lte', { all: [{ column: 'lastTxnDate', op: 'lte', value: '2026-03-31' }] }, `lastTxnDate <= DATE '2026-03-31'`],
    ['date between', { all: [{ column: 'openDate', op: 'between', values: ['2020-01-01', '2020-12-31'] }] }, `openDate BETWEEN DATE '2020-01-01' AND DATE '2020-12-31'`],
    ['date eq', { all: [{ column: 'lastTxnDate', op: 'eq', value: '2026-06-30' }] }, `lastTxnDate = DATE '2026-06-30'`],
    ['bool eq true', { all: [{ column: 'churned', op: 'eq', value: true }] }, `churned = true`],
    ['bool ne true skips nulls', { all: [{ column: 'churned', op: 'ne', value: true }] }, `churned <> true`],
    ['bool eq false', { all: [{ column: 'churned', op: 'eq', value: false }] }, `churned = false`],
    ['isNull', { all: [{ column: 'npsScore', op: 'isNull' }] }, `npsScore IS NULL`],
    ['notNull on a category', { all: [{ column: 'rm', op: 'notNull' }] }, `rm IS NOT NULL`],
    ['isNull on a string column', { all: [{ column: 'clientId', op: 'isNull' }] }, `clientId IS NULL`],
    ['any', { any: [{ column: 'tier', op: 'eq', value: 'hnw' }, { column: 'txnCount12m', op: 'gte', value: 60 }] }, `tier = 'hnw' OR txnCount12m >= 60`],
    [
      'all and any',
      { all: [{ column: 'clientType', op: 'eq', value: 'corporate' }], any: [{ column: 'companySize', op: 'in', values: ['large'] }, { column: 'latePayments12m', op: 'gt', value: 0 }, { column: 'industry', op: 'isNull' }] },
      `clientType = 'corporate' AND (companySize IN ('large') OR latePayments12m > 0 OR industry IS NULL)`,
    ],
    ['empty lists pass everything', { all: [], any: [] }, `true`],
  ];
  for (const [what, spec, where] of cases) {
    it(what, () => {
      const industry = db.query(`SELECT industry FROM clients WHERE industry IS NOT NULL ORDER BY industry LIMIT 1`)[0].industry as string;
      const s = JSON.parse(JSON.stringify(spec).replaceAll('$INDUSTRY', industry)) as FilterSpec;
      const valid = validateFilter('test', 'filter', s, schemaOfTable(chunks[0]))!;
      expect(valid).toEqual(s);
      const expected = sqlIds('clients', where.replaceAll('$INDUSTRY', industry));
      expect(keptIds(chunks, valid)).toEqual(expected);
    });
  }

  it('returns no mask (every row passes) for a filter without conditions', () => {
    const batch = chunks[0].batches[0];
    expect(new RowFilter({}).mask(batch)).toBeNull();
    expect(new RowFilter(undefined).mask(batch)).toBeNull();
    expect(new RowFilter({ any: [] }).mask(batch)).toBeNull();
  });
});

// A hand-made table: NaN, -0, +-Infinity, 1e300, subnormals and nulls in a float column, nulls in
// bool, date and category columns; two chunks with different dictionaries.
function edgeTable(ids: string[], aum: (number | null)[], churned: (boolean | null)[], days: (number | null)[], region: (string | null)[], dict: string[]): Table {
  const valid = (xs: unknown[]) => Uint8Array.from(xs, (x) => (x === null ? 0 : 1));
  return makeClientTable({
    clientId: { type: 'string', values: ids },
    aum: { type: 'float', values: Float64Array.from(aum, (x) => x ?? 0), valid: valid(aum) },
    churned: { type: 'bool', values: Uint8Array.from(churned, (x) => (x ? 1 : 0)), valid: valid(churned) },
    lastTxnDate: { type: 'date', values: Int32Array.from(days, (x) => x ?? 0), valid: valid(days) },
    region: { type: 'category', indices: Int32Array.from(region, (x) => (x === null ? 0 : dict.indexOf(x))), dictionary: dict, valid: valid(region) },
  });
}

const d = (iso: string) => daysFromCivil(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10)));
const edge = (): Table[] => [
  edgeTable(
    ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8'],
    [NaN, -0, 0, 5, Infinity, -Infinity, null, 1e300],
    [true, false, null, true, false, null, true, false],
    [d('2026-01-01'), null, d('2025-12-31'), d('1969-12-31'), d('2026-06-30'), d('2000-02-29'), null, d('2026-01-02')],
    ['x', 'y', null, 'x', 'z', 'y', null, 'z'],
    ['x', 'y', 'z'],
  ),
  edgeTable(
    ['f1', 'f2', 'f3', 'f4', 'f5'],
    [5e-324, -5e-324, NaN, 5, null],
    [null, true, false, true, null],
    [d('2026-01-01'), d('1970-01-01'), null, d('2026-01-01'), d('2026-02-01')],
    ['z', null, 'y', 'w', 'x'],
    ['z', 'y', 'x', 'w'],
  ),
];

describe('filter vs DuckDB on a hand-made table (NaN, -0, infinities, nulls, two dictionaries)', () => {
  let tables: Table[];
  beforeAll(() => {
    tables = edge();
    db.load('edge', tables);
  }, HOOK_TIMEOUT);
  const cases: [string, FilterSpec, string][] = [
    ['eq 0 matches -0, not NaN', { all: [{ column: 'aum', op: 'eq', value: 0 }] }, `aum = 0 AND NOT isnan(aum)`],
    ['ne: NaN and null do not match', { all: [{ column: 'aum', op: 'ne', value: 5 }] }, `aum <> 5 AND NOT isnan(aum)`],
    ['gt: NaN does not match (DuckDB sorts NaN above all)', { all: [{ column: 'aum', op: 'gt', value: 1 }] }, `aum > 1 AND NOT isnan(aum)`],
    ['gte 1e300 includes Infinity', { all: [{ column: 'aum', op: 'gte', value: 1e300 }] }, `aum >= 1e300 AND NOT isnan(aum)`],
    ['lt 0 includes -Infinity and -5e-324, not -0', { all: [{ column: 'aum', op: 'lt', value: 0 }] }, `aum < 0 AND NOT isnan(aum)`],
    ['between with tiny bounds', { all: [{ column: 'aum', op: 'between', values: [-5e-324, 5e-324] }] }, `aum BETWEEN -5e-324 AND 5e-324 AND NOT isnan(aum)`],
    ['notIn: NaN does not match', { all: [{ column: 'aum', op: 'notIn', values: [5, 0] }] }, `aum NOT IN (5, 0) AND NOT isnan(aum)`],
    ['in', { all: [{ column: 'aum', op: 'in', values: [5, -0] }] }, `aum IN (5, 0) AND NOT isnan(aum)`],
    ['isNull does not match NaN', { all: [{ column: 'aum', op: 'isNull' }] }, `aum IS NULL`],
    ['notNull matches NaN', { all: [{ column: 'aum', op: 'notNull' }] }, `aum IS NOT NULL`],
    ['bool eq false', { all: [{ column: 'churned', op: 'eq', value: false }] }, `churned = false`],
    ['bool ne false', { all: [{ column: 'churned', op: 'ne', value: false }] }, `churned <> false`],
    ['dates before the epoch and leap days', { all: [{ column: 'lastTxnDate', op: 'lt', value: '2000-03-01' }] }, `lastTxnDate < DATE '2000-03-01'`],
    ['date ne skips nulls', { all: [{ column: 'lastTxnDate', op: 'ne', value: '2026-01-01' }] }, `lastTxnDate <> DATE '2026-01-01'`],
    ['category by label across dictionaries', { all: [{ column: 'region', op: 'in', values: ['x', 'w'] }] }, `region IN ('x', 'w')`],
    ['category ne across dictionaries', { all: [{ column: 'region', op: 'ne', value: 'y' }] }, `region <> 'y'`],
    [
      'any of nulls and comparisons',
      { any: [{ column: 'region', op: 'isNull' }, { column: 'churned', op: 'isNull' }, { column: 'aum', op: 'lt', value: -1 }] },
      `region IS NULL OR churned IS NULL OR (aum < -1 AND NOT isnan(aum))`,
    ],
  ];
  for (const [what, spec, where] of cases) {
    it(what, () => {
      const valid = validateFilter('test', 'filter', spec, schemaOfTable(tables[0]))!;
      expect(keptIds(tables, valid)).toEqual(sqlIds('edge', where));
    });
  }
});

describe('filter validation names the field', () => {
  const schema = () => schemaOfTable(chunks[0]);
  const bad: [string, unknown, string][] = [
    ['unknown column', { all: [{ column: 'wealth', op: 'eq', value: 1 }] }, 'filter.all[0].column'],
    ['unknown op', { all: [{ column: 'aum', op: 'eq', value: 1 }, { column: 'aum', op: 'like', value: 1 }] }, 'filter.all[1].op'],
    ['order op on a category', { any: [{ column: 'region', op: 'lt', value: 'b' }] }, 'filter.any[0].op'],
    ['string value on a number', { all: [{ column: 'aum', op: 'gt', value: 1 }, { column: 'aum', op: 'gt', value: 2 }, { column: 'aum', op: 'lt', value: '3' }] }, 'filter.all[2].value'],
    ['NaN value', { all: [{ column: 'aum', op: 'gt', value: NaN }] }, 'filter.all[0].value'],
    ['a date that does not exist', { all: [{ column: 'openDate', op: 'gte', value: '2026-02-30' }] }, 'filter.all[0].value'],
    ['a number for a date', { all: [{ column: 'openDate', op: 'gte', value: 20000 }] }, 'filter.all[0].value'],
    ['a number for a category', { all: [{ column: 'tier', op: 'in', values: ['mass', 3] }] }, 'filter.all[0].values[1]'],
    ['missing value', { all: [{ column: 'aum', op: 'gt' }] }, 'filter.all[0].value'],
    ['values where value is used', { all: [{ column: 'aum', op: 'eq', values: [1] }] }, 'filter.all[0].values'],
    ['between reversed', { all: [{ column: 'aum', op: 'between', values: [5, 1] }] }, 'filter.all[0].values'],
    ['between with one value', { all: [{ column: 'aum', op: 'between', values: [5] }] }, 'filter.all[0].values'],
    ['a value on isNull', { all: [{ column: 'aum', op: 'isNull', value: 1 }] }, 'filter.all[0].value'],
    ['bool compared to a string', { all: [{ column: 'churned', op: 'eq', value: 'true' }] }, 'filter.all[0].value'],
    ['string column compared', { all: [{ column: 'name', op: 'eq', value: 'x' }] }, 'filter.all[0].op'],
    ['all not a list', { all: { column: 'aum' } }, 'filter.all'],
    ['unknown key', { where: [] }, 'filter.where'],
    ['unknown condition key', { all: [{ column: 'aum', op: 'gt', value: 1, vaule: 2 }] }, 'filter.all[0].vaule'],
  ];
  for (const [what, spec, field] of bad) {
    it(`${what}: ${field}`, () => {
      let err: unknown;
      try {
        validateFilter('test', 'filter', spec, schema());
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SpecError);
      expect((err as SpecError).field).toBe(field);
      expect((err as Error).message).toContain(`test: ${field} `);
    });
  }
});

// ---------------------------------------------------------------------------------------------

/** clientId -> group label of every row, by the dimension compiler. */
function labelsByRow(tables: readonly Table[], dim: Dimension, missing = '(missing)'): Map<string, string> {
  const c = new DimensionCompiler(dim);
  const out = new Map<string, string>();
  for (const { batch } of tableRows(tables)) {
    const { codes, labels } = c.codes(batch as RecordBatch);
    const ids = batch.getChild('clientId')!;
    for (let i = 0; i < batch.numRows; i++) out.set(ids.get(i) as string, codes[i] === labels.length ? missing : labels[codes[i]]);
  }
  return out;
}

function sqlLabels(table: string, expr: string): Map<string, string> {
  return new Map(db.query(`SELECT clientId, ${expr} AS label FROM ${table}`).map((r) => [r.clientId as string, r.label === null ? '(missing)' : (r.label as string)]));
}

describe('dimension codes vs DuckDB CASE', () => {
  it('default wealth tiers (the generated tier column agrees too)', () => {
    const dim = validateDimension('test', 'by', { tier: {} }, schemaOfTable(chunks[0]));
    const got = labelsByRow(chunks, dim);
    expect(got).toEqual(sqlLabels('clients', `CASE WHEN aum >= 50000000 THEN 'uhnw' WHEN aum >= 6000000 THEN 'hnw' WHEN aum >= 500000 THEN 'affluent' WHEN aum >= 50000 THEN 'mass-affluent' ELSE 'mass' END`));
    expect(got).toEqual(sqlLabels('clients', 'tier'));
  });

  it('asset scale and risk preference bins (null risk level -> missing)', () => {
    expect(labelsByRow(chunks, { bins: DEFAULT_ASSET_SCALE })).toEqual(sqlLabels('clients', `CASE WHEN aum >= 500000 THEN 'high' WHEN aum >= 50000 THEN 'mid' ELSE 'low' END`));
    const risk = labelsByRow(chunks, { bins: DEFAULT_RISK_PREFERENCE });
    expect(risk).toEqual(sqlLabels('clients', `CASE WHEN riskLevel IS NULL THEN NULL WHEN riskLevel <= 2 THEN 'conservative' WHEN riskLevel = 3 THEN 'balanced' ELSE 'aggressive' END`));
    expect([...risk.values()].filter((l) => l === '(missing)').length).toBeGreaterThan(0);
  });

  it('bins with more than four cut points, on an int column', () => {
    const dim: Dimension = { bins: { column: 'txnCount12m', edges: [1, 6, 12, 24, 48, 96], labels: ['none', 'rare', 'monthly', 'often', 'weekly', 'heavy', 'daily'] } };
    expect(labelsByRow(chunks, dim)).toEqual(
      sqlLabels('clients', `CASE WHEN txnCount12m >= 96 THEN 'daily' WHEN txnCount12m >= 48 THEN 'heavy' WHEN txnCount12m >= 24 THEN 'weekly'
        WHEN txnCount12m >= 12 THEN 'often' WHEN txnCount12m >= 6 THEN 'monthly' WHEN txnCount12m >= 1 THEN 'rare' ELSE 'none' END`),
    );
  });

  it('tags: first matching rule wins, otherwise the default label', () => {
    const dim = validateDimension('test', 'by', {
      tag: {
        rules: [
          { label: 'outflow', when: { all: [{ column: 'assetOutflow3m', op: 'gt', value: 0.5 }] } },
          { label: 'silent', when: { all: [{ column: 'lastTxnDate', op: 'lt', value: '2026-04-01' }] } },
          { label: 'retired', when: { all: [{ column: 'age', op: 'gte', value: 60 }, { column: 'clientType', op: 'eq', value: 'retail' }] } },
        ],
      },
    }, schemaOfTable(chunks[0]));
    expect(labelsByRow(chunks, dim)).toEqual(
      sqlLabels('clients', `CASE WHEN assetOutflow3m > 0.5 THEN 'outflow' WHEN lastTxnDate < DATE '2026-04-01' THEN 'silent'
        WHEN age >= 60 AND clientType = 'retail' THEN 'retired' ELSE 'other' END`),
    );
  });

  it('a category column by label; a null category -> missing; NaN in a tier column -> missing', () => {
    const tables = edge();
    db.load('edge2', tables);
    expect(labelsByRow(tables, { column: 'region' })).toEqual(sqlLabels('edge2', 'region'));
    expect(labelsByRow(tables, { tier: { thresholds: [0, 1e300], labels: ['neg', 'pos', 'huge'] } })).toEqual(
      sqlLabels('edge2', `CASE WHEN aum IS NULL OR isnan(aum) THEN NULL WHEN aum >= 1e300 THEN 'huge' WHEN aum >= 0 THEN 'pos' ELSE 'neg' END`),
    );
  });
});

describe('dimension validation names the field', () => {
  const schema = () => schemaOfTable(chunks[0]);
  const bad: [string, unknown, string][] = [
    ['thresholds out of order', { tier: { thresholds: [50_000, 500_000, 400_000, 50_000_000] } }, 'by.tier.thresholds[2]'],
    ['equal thresholds', { tier: { thresholds: [1, 1], labels: ['a', 'b', 'c'] } }, 'by.tier.thresholds[1]'],
    ['wrong number of default tiers', { tier: { thresholds: [1, 2] } }, 'by.tier.thresholds'],
    ['tier labels not matching', { tier: { thresholds: [1, 2], labels: ['a', 'b'] } }, 'by.tier.labels'],
    ['a tier on a category', { tier: { column: 'region' } }, 'by.tier.column'],
    ['non-finite edge', { bins: { column: 'aum', edges: [1, Infinity], labels: ['a', 'b', 'c'] } }, 'by.bins.edges[1]'],
    ['repeated label', { bins: { column: 'aum', edges: [1, 2], labels: ['a', 'b', 'a'] } }, 'by.bins.labels[2]'],
    ['bins without a column', { bins: { edges: [1], labels: ['a', 'b'] } }, 'by.bins.column'],
    ['a tag without rules', { tag: { rules: [] } }, 'by.tag.rules'],
    ['a tag rule with a bad filter', { tag: { rules: [{ label: 'a', when: { all: [{ column: 'aum', op: 'gt', value: 'x' }] } }] } }, 'by.tag.rules[0].when.all[0].value'],
    ['a tag rule without when', { tag: { rules: [{ label: 'a' }] } }, 'by.tag.rules[0].when'],
    ['repeated tag labels', { tag: { rules: [{ label: 'a', when: {} }, { label: 'a', when: {} }] } }, 'by.tag.rules[1].label'],
    ['otherwise = a rule label', { tag: { rules: [{ label: 'a', when: {} }], otherwise: 'a' } }, 'by.tag.otherwise'],
    ['unknown kind', { group: 'region' }, 'by'],
    ['two kinds', { column: 'region', tier: {} }, 'by.column'],
  ];
  for (const [what, spec, field] of bad) {
    it(`${what}: ${field}`, () => {
      let err: unknown;
      try {
        validateDimension('test', 'by', spec, schema());
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SpecError);
      expect((err as SpecError).field).toBe(field);
    });
  }
});

// ---------------------------------------------------------------------------------------------

/** Deterministic pseudo-random numbers (xorshift), so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** Values with ties, negatives, zeros of both signs and extremes, cut into `parts` sorted arrays. */
function sample(seed: number, n: number, parts: number): { all: Float64Array; arrays: Float64Array[] } {
  const r = rng(seed);
  const all = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = r();
    all[i] = u < 0.05 ? [0, -0, 1e300, -1e300, 5e-324, 1e-300][Math.floor(r() * 6)] : u < 0.4 ? Math.round(r() * 20) - 5 : (r() - 0.3) * 10 ** Math.floor(r() * 12);
  }
  const buckets: number[][] = Array.from({ length: parts }, () => []);
  for (const x of all) buckets[Math.floor(r() * parts)].push(x);
  return { all, arrays: buckets.map((b) => Float64Array.from(b).sort()) };
}

describe('quantiles', () => {
  it('quantile_cont over partitions equals DuckDB quantile_cont / median over all values', () => {
    for (const [seed, n, parts] of [[1, 1, 3], [2, 2, 2], [3, 7, 4], [4, 1000, 5], [5, 20_001, 8], [6, 3000, 40]] as const) {
      const { all, arrays } = sample(seed, n, parts);
      db.load('q', [tableFromArrays({ x: all })]);
      for (const q of [0, 0.001, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999, 1]) {
        const [row] = db.query(`SELECT quantile_cont(x, ${q}) AS v, median(x) AS m FROM q`);
        const v = quantileCont(arrays, q);
        const e = row.v as number;
        expect(Math.abs(v! - e) <= 1e-9 * Math.max(Math.abs(v!), Math.abs(e)), `seed ${seed} q ${q}: ${v} vs ${e}`).toBe(true);
        if (q === 0.5) expect(Math.abs(v! - (row.m as number)) <= 1e-9 * Math.abs(row.m as number)).toBe(true);
      }
    }
  });

  it('quantile_cont with infinities and near-overflow values equals DuckDB (bit for bit where it can)', () => {
    const cases: [number[][], number][] = [
      [[[-Infinity, 499_999.99], [50_000]], 0.3],
      [[[-1e308], [1e308]], 0.5],
      [[[-1e308, 1e308]], 0.25],
      [[[1], [Infinity]], 0.5],
      [[[-Infinity], [Infinity]], 0.5],
      [[[-Infinity, -Infinity]], 0.5],
      [[[0.1], [0.7]], 0.3],
      [[[3, 1e16 + 2]], 0.3],
      [[[-5, 9.5], [7.25]], 0.37],
    ];
    for (const [parts, q] of cases) {
      const arrays = parts.map((p) => Float64Array.from(p));
      db.load('qi', [tableFromArrays({ x: Float64Array.from(parts.flat()) })]);
      const e = db.query(`SELECT quantile_cont(x, ${q}) AS v FROM qi`)[0].v as number;
      const v = quantileCont(arrays, q)!;
      expect(Number.isNaN(e) ? Number.isNaN(v) : v === e, `${JSON.stringify(parts.flat().map(String))} q ${q}: ${v} vs ${e}`).toBe(true);
    }
  });

  it('quantile of no values is null; -0 comes back as 0', () => {
    expect(quantileCont([], 0.5)).toBeNull();
    expect(quantileCont([new Float64Array(0), new Float64Array(0)], 0.5)).toBeNull();
    expect(Object.is(quantileCont([new Float64Array([-0]), new Float64Array([-0, 0])], 0.5), 0)).toBe(true);
  });

  it('selectKth over many sorted arrays equals indexing the sorted concatenation', () => {
    const { all, arrays } = sample(7, 5000, 60);
    const sorted = Float64Array.from(all).sort();
    for (let k = 0; k < sorted.length; k += 37) expect(selectKth(arrays, k) === sorted[k], `k ${k}`).toBe(true);
    expect(selectKth(arrays, sorted.length - 1)).toBe(sorted[sorted.length - 1]);
    expect(() => selectKth(arrays, sorted.length)).toThrow(RangeError);
  });

  it('the radix sort orders like Float64Array.prototype.sort (including -0 before 0 and infinities)', () => {
    for (const [seed, n] of [[8, 511], [9, 512], [10, 5000], [11, 100_000]] as const) {
      const a = sample(seed, n, 1).all;
      a[0] = Infinity;
      a[1] = -Infinity;
      const expected = Float64Array.from(a).sort();
      sortFloat64(a);
      for (let i = 0; i < n; i++) if (!Object.is(a[i], expected[i])) expect.fail(`seed ${seed}: index ${i}: ${a[i]} vs ${expected[i]}`);
    }
  });
});

/** The exact sum of doubles, correctly rounded, with BigInt: the reference for exact-sum.ts. */
function bigSum(xs: readonly number[]): number {
  const view = new DataView(new ArrayBuffer(8));
  const parts = xs.map((x) => {
    view.setFloat64(0, x);
    const hi = view.getUint32(0), lo = view.getUint32(4);
    const exp = (hi >>> 20) & 0x7ff;
    let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
    if (exp !== 0) mant |= 1n << 52n;
    const e = (exp === 0 ? 1 : exp) - 1075;
    return { m: hi >>> 31 ? -mant : mant, e };
  });
  const eMin = Math.min(...parts.map((p) => p.e));
  const total = parts.reduce((s, p) => s + (p.m << BigInt(p.e - eMin)), 0n);
  // Number(bigint) rounds to nearest, ties to even; scaling by a power of two is then exact.
  return Number(total) * 2 ** eMin;
}

describe('exact sums', () => {
  it('equal the correctly rounded exact sum, whatever the order and grouping', () => {
    const r = rng(12);
    for (let trial = 0; trial < 30; trial++) {
      const xs = Array.from({ length: 1 + Math.floor(r() * 200) }, () => (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20));
      if (trial % 3 === 0) xs.push(1e20, -1e20, 3e-10, 1, -1);
      const expected = bigSum(xs);
      const one = newExactSum();
      for (const x of xs) exactAdd(one, x);
      expect(exactValue(one), `trial ${trial}`).toBe(expected);
      // Two accumulators over a different grouping, merged.
      const a = newExactSum(), b = newExactSum();
      xs.forEach((x, i) => exactAdd(i % 3 === 0 ? a : b, x));
      exactMerge(b, a);
      expect(exactValue(b), `trial ${trial} merged`).toBe(expected);
    }
  });

  it('keep what plain addition loses, and propagate infinities and NaN as SQL does', () => {
    const s = newExactSum();
    for (const x of [1e300, 1, -1e300, 2 ** -60]) exactAdd(s, x);
    expect(exactValue(s)).toBe(bigSum([1e300, 1, -1e300, 2 ** -60]));
    expect(exactValue(s)).toBe(1); // 1 + 2^-60 rounds to 1; plain left-to-right addition gives 2^-60
    const inf = newExactSum();
    exactAdd(inf, 5);
    exactAdd(inf, Infinity);
    expect(exactValue(inf)).toBe(Infinity);
    exactAdd(inf, -Infinity);
    expect(exactValue(inf)).toBeNaN();
    expect(exactValue(newExactSum())).toBe(0);
  });
});
