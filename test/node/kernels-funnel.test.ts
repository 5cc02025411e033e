import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateMillisecond, Table, makeData, makeVector } from 'apache-arrow';
import { openDuckDB, type DuckDB } from './support/duckdb.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { toVector } from '../../src/schema/arrow-columns.js';
import { _countCodes, _countCodes8, funnelKernel, type FunnelBreakdown, type FunnelResult, type FunnelStep } from '../../workers/kernels/funnel.js';
import { SpecError } from '../../workers/kernels/kernel.js';
import { runKernelLocal, runKernelSplit, schemaOfTable } from '../../workers/kernels/run-local.js';

const close = (a: number | null, b: number | null) => {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
};

/** One step of the reference, all computed in SQL. */
interface RefStep {
  count: number;
  fromPrev: number | null;
  fromFirst: number | null;
  drop: number | null;
  median: number | null;
  ooo: number | null;
}

interface RefBreakdown {
  rows: number;
  missing: number;
  offPath: number;
  unmapped: number;
  steps: RefStep[];
}

function expectSteps(got: readonly FunnelStep[], exp: readonly RefStep[], labels: readonly string[], where: string) {
  expect(got.map((s) => s.label), where).toEqual(labels);
  got.forEach((s, k) => {
    const e = exp[k];
    const at = `${where} step ${k}`;
    expect(s.count, at).toBe(e.count);
    expect(close(s.conversionFromPrevious, e.fromPrev), `${at} fromPrev ${s.conversionFromPrevious} vs ${e.fromPrev}`).toBe(true);
    expect(close(s.conversionFromFirst, e.fromFirst), `${at} fromFirst`).toBe(true);
    expect(s.dropOff, `${at} dropOff`).toBe(e.drop);
    expect(close(s.medianDaysFromPrevious, e.median), `${at} median ${s.medianDaysFromPrevious} vs ${e.median}`).toBe(true);
    expect(s.outOfOrder, `${at} outOfOrder`).toBe(e.ooo);
  });
}

function expectBreakdown(got: FunnelBreakdown, exp: RefBreakdown, labels: readonly string[], where: string) {
  expect(got.rows, where).toBe(exp.rows);
  expect(got.outside, where).toEqual({ missing: exp.missing, offPath: exp.offPath, unmapped: exp.unmapped });
  expectSteps(got.steps, exp.steps, labels, where);
}

/**
 * SQL selecting, per group, the step statistics of a table `lv` that has a reached level `lvl`
 * (-1: not in the funnel) and, for timestamp funnels, the dates d0..d{K-1}.
 */
function stepColumns(K: number, timestamps: boolean): string {
  const cols = ['count(*) AS rows_'];
  for (let k = 0; k < K; k++) {
    cols.push(`count(*) FILTER (WHERE lvl >= ${k}) AS c${k}`);
    if (k > 0) {
      cols.push(`count(*) FILTER (WHERE lvl >= ${k})::DOUBLE / NULLIF(count(*) FILTER (WHERE lvl >= ${k - 1}), 0) AS p${k}`);
      cols.push(`count(*) FILTER (WHERE lvl >= ${k - 1}) - count(*) FILTER (WHERE lvl >= ${k}) AS drop${k}`);
    }
    cols.push(`count(*) FILTER (WHERE lvl >= ${k})::DOUBLE / NULLIF(count(*) FILTER (WHERE lvl >= 0), 0) AS f${k}`);
    if (timestamps && k > 0) {
      cols.push(`quantile_cont(d${k} - d${k - 1}, 0.5) FILTER (WHERE lvl >= ${k}) AS med${k}`);
      cols.push(`count(*) FILTER (WHERE lvl = ${k - 1} AND d${k} IS NOT NULL AND d${k} < d${k - 1}) AS ooo${k}`);
    }
  }
  return cols.join(', ');
}

function refOf(r: Record<string, unknown>, K: number, timestamps: boolean): RefBreakdown {
  const steps: RefStep[] = [];
  for (let k = 0; k < K; k++) {
    steps.push({
      count: r[`c${k}`] as number,
      fromPrev: k === 0 ? null : (r[`p${k}`] as number | null),
      fromFirst: r[`f${k}`] as number | null,
      drop: k === 0 ? null : (r[`drop${k}`] as number),
      median: timestamps && k > 0 ? (r[`med${k}`] as number | null) : null,
      ooo: timestamps && k > 0 ? (r[`ooo${k}`] as number) : null,
    });
  }
  return { rows: r.rows_ as number, missing: (r.missing as number) ?? 0, offPath: (r.offpath as number) ?? 0, unmapped: (r.unmapped as number) ?? 0, steps };
}

// ---------------------------------------------------------------------------------------------
// Stage mode

/** Level each lifecycle label implies, written out for the SQL side (null = off path). */
const DEFAULT_LEVELS: Record<string, number | null> = { prospect: 0, new: 1, growing: 2, mature: 3, declining: 1, dormant: 1, churned: 1, 'win-back': 1 };
const LIFECYCLE_STEPS = ['prospect', 'new', 'growing', 'mature'];

function stageLevelSql(column: string, levels: Record<string, number | null>): string {
  const whens = Object.entries(levels).map(([l, v]) => `WHEN '${l}' THEN ${v === null ? -2 : v}`).join(' ');
  return `CASE WHEN ${column} IS NULL THEN -3 ELSE (CASE CAST(${column} AS VARCHAR) ${whens} ELSE -1 END) END`;
}

function stageReference(db: DuckDB, K: number, levels: Record<string, number | null>, o: { by?: string; cohort?: 'month' | 'quarter'; cohortColumn?: string } = {}) {
  const by = o.by ? `CAST(${o.by} AS VARCHAR)` : 'NULL::VARCHAR';
  const period = !o.cohort ? 'NULL::VARCHAR' : o.cohort === 'month' ? `strftime(${o.cohortColumn}, '%Y-%m')` : `strftime(${o.cohortColumn}, '%Y') || '-Q' || quarter(${o.cohortColumn})`;
  db.query(`CREATE OR REPLACE TABLE lv AS SELECT ${by} AS cat, ${period} AS period, ${stageLevelSql('lifecycleStage', levels)} AS raw FROM t`);
  const stats = `${stepColumns(K, false)}, count(*) FILTER (WHERE raw = -3) AS missing, count(*) FILTER (WHERE raw = -2) AS offpath, count(*) FILTER (WHERE raw = -1) AS unmapped`;
  const from = `(SELECT *, CASE WHEN raw < 0 THEN -1 ELSE raw END AS lvl FROM lv)`;
  return {
    all: refOf(db.query(`SELECT ${stats} FROM ${from}`)[0], K, false),
    byCat: new Map(db.query(`SELECT cat, ${stats} FROM ${from} GROUP BY cat`).map((r) => [r.cat as string | null, refOf(r, K, false)])),
    cohorts: db.query(`SELECT period, ${stats} FROM ${from} GROUP BY period HAVING count(*) FILTER (WHERE lvl >= 0) > 0 ORDER BY period NULLS LAST`).map((r) => ({ period: r.period as string | null, ref: refOf(r, K, false) })),
  };
}

describe('funnel kernel, stage mode, on generated clients', () => {
  let db: DuckDB;
  let chunks: Table[];
  beforeAll(async () => {
    db = await openDuckDB();
    chunks = generatePortfolio({ rows: 150_000 });
    db.load('t', chunks);
  }, 60_000);
  afterAll(() => db.close(), 60_000);

  it('equals conditional counts in DuckDB with the default lifecycle mapping, by segment, by opening quarter', async () => {
    const spec = { stageColumn: 'lifecycleStage', steps: LIFECYCLE_STEPS, by: 'segment', cohort: 'quarter', cohortColumn: 'openDate' };
    const got = await runKernelLocal<FunnelResult>(funnelKernel, chunks, spec);
    const ref = stageReference(db, 4, DEFAULT_LEVELS, { by: 'segment', cohort: 'quarter', cohortColumn: 'openDate' });
    expect(got.mode).toBe('stage');
    expectBreakdown(got, ref.all, LIFECYCLE_STEPS, 'all');
    expect(got.rows).toBe(150_000);
    expect(got.unmappedLabels).toEqual([]);
    expect(got.by!.categories.map((c) => c.label).sort()).toEqual([...ref.byCat.keys()].sort());
    for (const c of got.by!.categories) expectBreakdown(c, ref.byCat.get(c.label)!, LIFECYCLE_STEPS, `segment ${c.label}`);
    // Prospects have no openDate: they form the null period, listed last.
    expect(got.cohorts!.map((c) => c.period)).toEqual(ref.cohorts.map((c) => c.period));
    expect(got.cohorts!.at(-1)!.period).toBeNull();
    got.cohorts!.forEach((c, i) => expectSteps(c.steps, ref.cohorts[i].ref.steps, LIFECYCLE_STEPS, `cohort ${c.period}`));
    // Split across workers: exactly the same.
    expect(await runKernelSplit(funnelKernel, chunks, spec, 3)).toEqual(got);
    expect(await runKernelSplit(funnelKernel, chunks, spec, 5)).toEqual(got);
  });

  it('follows a spec mapping: off-path labels, labels left unmapped', async () => {
    const spec = { stageColumn: 'lifecycleStage', steps: ['new', 'growing', 'mature'], mapping: { declining: 'mature', dormant: null, churned: null } };
    const got = await runKernelSplit<FunnelResult>(funnelKernel, chunks, spec, 3);
    const levels = { new: 0, growing: 1, mature: 2, declining: 2, dormant: null, churned: null };
    const ref = stageReference(db, 3, levels);
    expectBreakdown(got, ref.all, ['new', 'growing', 'mature'], 'all');
    const counts = db.query(`SELECT CAST(lifecycleStage AS VARCHAR) AS l, count(*) AS n FROM t WHERE lifecycleStage IN ('prospect', 'win-back') GROUP BY ALL ORDER BY l`);
    expect(got.unmappedLabels).toEqual(counts.map((r) => ({ label: r.l, count: r.n })));
    expect(got.outside.offPath).toBeGreaterThan(0);
    expect(await runKernelLocal(funnelKernel, chunks, spec)).toEqual(got);
  });

  it('drops default mappings whose target is not a step', () => {
    const schema = schemaOfTable(chunks[0]);
    const v = funnelKernel.validate({ stageColumn: 'lifecycleStage', steps: ['growing', 'mature', 'declining'] }, schema);
    expect(v).toEqual({ stageColumn: 'lifecycleStage', steps: ['growing', 'mature', 'declining'], mapping: {}, by: null, cohort: null, cohortColumn: null });
    const w = funnelKernel.validate({ stageColumn: 'lifecycleStage', steps: LIFECYCLE_STEPS, by: 'tier' }, schema);
    expect(funnelKernel.validate(w, schema)).toEqual(w);
  });
});

// ---------------------------------------------------------------------------------------------
// Timestamp mode

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STEP_COLUMNS = ['targeted', 'contacted', 'meeting', 'won'];
const SEGMENTS = ['Retail', 'SME', 'Corporate', 'Private'];

/**
 * A pipeline table: four date columns with nulls, ties (equal dates), out-of-order dates and a few
 * extreme dates, plus a segment category. Chunks carry differently ordered dictionaries, and some
 * list a label no row uses.
 */
function pipelineTables(sizes: readonly number[], seed = 7): Table[] {
  const rnd = mulberry32(seed);
  const dicts = [['Retail', 'SME', 'Corporate', 'Private', 'Unused'], ['Private', 'Corporate', 'SME', 'Retail'], ['SME', 'Unused', 'Retail', 'Private', 'Corporate']];
  let g = 0;
  return sizes.map((n, c) => {
    const dict = dicts[c % dicts.length];
    const seg = new Int32Array(n), segValid = new Uint8Array(n);
    const cols = STEP_COLUMNS.map(() => ({ values: new Int32Array(n), valid: new Uint8Array(n) }));
    for (let i = 0; i < n; i++, g++) {
      if (rnd() >= 0.07) {
        seg[i] = dict.indexOf(SEGMENTS[Math.floor(rnd() * rnd() * 4)]);
        segValid[i] = 1;
      }
      let prev: number | null = null;
      for (let k = 0; k < STEP_COLUMNS.length; k++) {
        const present = rnd() < (k === 0 ? 0.9 : prev === null ? 0.3 : 0.8 - 0.1 * k);
        if (!present) {
          prev = null;
          continue;
        }
        let d: number;
        if (prev === null) {
          d = 18_000 + Math.floor(rnd() * 2_600);
          if (g % 9_973 === 5) d = -700_000;
          if (g % 10_007 === 3) d = 2_000_000;
        } else {
          const u = rnd();
          d = prev + (u < 0.1 ? 0 : u < 0.15 ? -1 - Math.floor(rnd() * 30) : Math.floor(rnd() * rnd() * 400));
        }
        cols[k].values[i] = d;
        cols[k].valid[i] = 1;
        prev = d;
      }
    }
    const vectors: Record<string, ReturnType<typeof toVector>> = { segment: toVector({ type: 'category', indices: seg, dictionary: dict, valid: segValid }) };
    STEP_COLUMNS.forEach((name, k) => (vectors[name] = toVector({ type: 'date', values: cols[k].values, valid: cols[k].valid })));
    return new Table(vectors);
  });
}

function timestampLevelSql(columns: readonly string[]): string {
  const parts = [`WHEN ${columns[0]} IS NULL THEN -1`];
  for (let k = 1; k < columns.length; k++) parts.push(`WHEN ${columns[k]} IS NULL OR ${columns[k]} < ${columns[k - 1]} THEN ${k - 1}`);
  return `CASE ${parts.join(' ')} ELSE ${columns.length - 1} END`;
}

function timestampReference(db: DuckDB, columns: readonly string[], o: { by?: string; cohort?: 'month' | 'quarter' } = {}) {
  const K = columns.length;
  const by = o.by ? `CAST(${o.by} AS VARCHAR)` : 'NULL::VARCHAR';
  const c0 = columns[0];
  const period = !o.cohort ? 'NULL::VARCHAR' : o.cohort === 'month' ? `strftime(${c0}, '%Y-%m')` : `strftime(${c0}, '%Y') || '-Q' || quarter(${c0})`;
  const dates = columns.map((c, k) => `${c} AS d${k}`).join(', ');
  db.query(`CREATE OR REPLACE TABLE lv AS SELECT ${by} AS cat, ${period} AS period, ${dates}, ${timestampLevelSql(columns)} AS lvl FROM t`);
  const stats = `${stepColumns(K, true)}, count(*) FILTER (WHERE lvl = -1) AS missing`;
  return {
    all: refOf(db.query(`SELECT ${stats} FROM lv`)[0], K, true),
    byCat: new Map(db.query(`SELECT cat, ${stats} FROM lv GROUP BY cat`).map((r) => [r.cat as string | null, refOf(r, K, true)])),
    cohorts: db.query(`SELECT period, ${stats} FROM lv GROUP BY period HAVING count(*) FILTER (WHERE lvl >= 0) > 0 ORDER BY period NULLS LAST`).map((r) => ({ period: r.period as string | null, ref: refOf(r, K, true) })),
  };
}

const pipelineSpec = (extra: Record<string, unknown> = {}) => ({ steps: STEP_COLUMNS.map((c) => ({ label: c.toUpperCase(), column: c })), ...extra });
const PIPELINE_LABELS = STEP_COLUMNS.map((c) => c.toUpperCase());

describe('funnel kernel, timestamp mode', () => {
  let db: DuckDB;
  let chunks: Table[];
  beforeAll(async () => {
    db = await openDuckDB();
    chunks = pipelineTables([65_536, 50_000, 34_464]);
    db.load('t', chunks);
  }, 60_000);
  afterAll(() => db.close(), 60_000);

  it('equals DuckDB: counts, conversions, drop-off, out-of-order dates and exact medians, by segment, by month', async () => {
    const spec = pipelineSpec({ by: 'segment', cohort: 'month' });
    const got = await runKernelLocal<FunnelResult>(funnelKernel, chunks, spec);
    const ref = timestampReference(db, STEP_COLUMNS, { by: 'segment', cohort: 'month' });
    expect(got.mode).toBe('timestamp');
    expectBreakdown(got, ref.all, PIPELINE_LABELS, 'all');
    expect(got.steps.some((s) => s.outOfOrder! > 0)).toBe(true);
    expect(got.by!.categories.map((c) => c.label)).toEqual(['Corporate', 'Private', 'Retail', 'SME', null]);
    for (const c of got.by!.categories) expectBreakdown(c, ref.byCat.get(c.label)!, PIPELINE_LABELS, `segment ${c.label}`);
    expect(got.cohorts!.map((c) => c.period)).toEqual(ref.cohorts.map((c) => c.period));
    expect(got.cohorts!.map((c) => c.period)).toContain('0053-06');
    got.cohorts!.forEach((c, i) => {
      // Cohort steps carry counts and conversions, not medians.
      const exp = ref.cohorts[i].ref.steps.map((s) => ({ ...s, median: null, ooo: null }));
      expectSteps(c.steps, exp, PIPELINE_LABELS, `cohort ${c.period}`);
    });
    for (const c of got.by!.categories) expect(c.cohorts!.reduce((s, x) => s + x.steps[0].count, 0)).toBe(c.steps[0].count);
  });

  it('gives exactly the single-thread answer split across workers (quarters, no by)', async () => {
    const spec = pipelineSpec({ cohort: 'quarter' });
    const local = await runKernelLocal<FunnelResult>(funnelKernel, chunks, spec);
    const ref = timestampReference(db, STEP_COLUMNS, { cohort: 'quarter' });
    expectBreakdown(local, ref.all, PIPELINE_LABELS, 'all');
    expect(local.cohorts!.map((c) => c.period)).toEqual(ref.cohorts.map((c) => c.period));
    for (const parts of [2, 3, 5]) expect(await runKernelSplit(funnelKernel, chunks, spec, parts)).toEqual(local);
    const withBy = pipelineSpec({ by: 'segment', cohort: 'month' });
    expect(await runKernelSplit(funnelKernel, chunks, withBy, 3)).toEqual(await runKernelLocal(funnelKernel, chunks, withBy));
  });

  it('uses the steps in the order given (a shorter funnel over other columns)', async () => {
    const cols = ['contacted', 'won'];
    const got = await runKernelSplit<FunnelResult>(funnelKernel, chunks, { steps: [{ label: 'c', column: 'contacted' }, { label: 'w', column: 'won' }] }, 3);
    expectBreakdown(got, timestampReference(db, cols).all, ['c', 'w'], 'two steps');
    expect(got.cohorts).toBeNull();
    expect(got.by).toBeNull();
  });
});

describe('funnel kernel on hand-made tables', () => {
  let db: DuckDB;
  beforeAll(async () => {
    db = await openDuckDB();
  }, 60_000);
  afterAll(() => db.close(), 60_000);

  const dateTable = (cols: Record<string, (number | null)[]>, seg?: (string | null)[]) => {
    const v: Record<string, ReturnType<typeof toVector>> = {};
    for (const [name, xs] of Object.entries(cols)) {
      v[name] = toVector({ type: 'date', values: Int32Array.from(xs, (x) => x ?? 0), valid: Uint8Array.from(xs, (x) => (x === null ? 0 : 1)) });
    }
    if (seg) {
      const dict = ['b', 'a', 'empty'];
      v.segment = toVector({ type: 'category', indices: Int32Array.from(seg, (s) => (s === null ? 0 : dict.indexOf(s))), dictionary: dict, valid: Uint8Array.from(seg, (s) => (s === null ? 0 : 1)) });
    }
    return new Table(v);
  };

  it('handles ties, even and odd median counts, extreme dates and empty groups', async () => {
    const tables = [
      dateTable({ a: [1, 1, 5, null, -700_000, 2_000_000], b: [1, 3, 4, 9, 2_000_000, 2_000_000], c: [2, 3, null, 10, 2_000_001, 1] }, ['a', 'a', 'b', 'b', null, 'a']),
      dateTable({ a: [10, 10], b: [20, 10], c: [30, 10] }, ['a', 'a']),
    ];
    db.load('t', tables);
    const spec = { steps: [{ label: 'A', column: 'a' }, { label: 'B', column: 'b' }, { label: 'C', column: 'c' }], by: 'segment' };
    const got = await runKernelLocal<FunnelResult>(funnelKernel, tables, spec);
    const ref = timestampReference(db, ['a', 'b', 'c'], { by: 'segment' });
    expectBreakdown(got, ref.all, ['A', 'B', 'C'], 'all');
    for (const c of got.by!.categories) expectBreakdown(c, ref.byCat.get(c.label)!, ['A', 'B', 'C'], `segment ${c.label}`);
    expect(got.by!.categories.map((c) => c.label)).toEqual(['a', 'b', null]); // 'empty' has no rows
    for (const parts of [2, 3]) expect(await runKernelSplit(funnelKernel, tables, spec, parts)).toEqual(got);
  });

  it('reports nobody entering without dividing by zero', async () => {
    const tables = [dateTable({ a: [null, null], b: [1, 2] })];
    const got = await runKernelLocal<FunnelResult>(funnelKernel, tables, { steps: [{ label: 'A', column: 'a' }, { label: 'B', column: 'b' }], cohort: 'month' });
    expect(got.outside.missing).toBe(2);
    expect(got.steps.map((s) => [s.count, s.conversionFromPrevious, s.conversionFromFirst, s.dropOff, s.medianDaysFromPrevious])).toEqual([[0, null, null, null, null], [0, null, null, 0, null]]);
    expect(got.cohorts).toEqual([]);
  });

  it('measures gaps wider than 2^31 days exactly', async () => {
    const tables = [dateTable({ a: [-2_000_000_000, -2_000_000_000, 0], b: [2_000_000_000, 1_000_000_000, 0] })];
    const got = await runKernelLocal<FunnelResult>(funnelKernel, tables, { steps: [{ label: 'A', column: 'a' }, { label: 'B', column: 'b' }] });
    // Gaps 4e9, 3e9 and 0: the median is 3e9.
    expect(got.steps[1].medianDaysFromPrevious).toBe(3_000_000_000);
  });

  it('counts null stages, off-path and unknown labels in stage mode', async () => {
    const labels = ['mature', 'new', 'prospect', 'lead', 'churned', 'growing'];
    const stage = toVector({ type: 'category', indices: Int32Array.from([0, 1, 2, 3, 4, 0, 5, 0]), dictionary: labels, valid: Uint8Array.from([1, 1, 1, 1, 1, 0, 1, 1]) });
    const t = new Table({ lifecycleStage: stage });
    db.load('t', [t]);
    const spec = { stageColumn: 'lifecycleStage', steps: ['prospect', 'new', 'growing', 'mature'], mapping: { churned: null } };
    const got = await runKernelLocal<FunnelResult>(funnelKernel, [t], spec);
    const ref = stageReference(db, 4, { prospect: 0, new: 1, growing: 2, mature: 3, churned: null });
    expectBreakdown(got, ref.all, spec.steps, 'all');
    expect(got.outside).toEqual({ missing: 1, offPath: 1, unmapped: 1 });
    expect(got.unmappedLabels).toEqual([{ label: 'lead', count: 1 }]);
  });
});

describe('funnel stage counting loops', () => {
  let seed = 11;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const plainCounts = (codes: Int32Array, D: number) => {
    const cc = new Int32Array(D);
    for (const c of codes) cc[c]++;
    return [...cc];
  };

  it('countCodes8 (four codes per increment) counts like a plain loop, for every dictionary size up to 8 and every tail', () => {
    const quads = new Int32Array(4096);
    for (let D = 1; D <= 8; D++) {
      for (const n of [0, 1, 2, 3, 4, 5, 7, 8, 9, 1000, 65_536 + 3]) {
        // Skewed: runs of one code as well as mixed codes.
        const codes = Int32Array.from({ length: n }, (_, i) => (i % 97 < 40 ? D - 1 : Math.floor(rnd() * D)));
        const cc = new Int32Array(8);
        quads.fill(7); // scratch may hold anything
        _countCodes8(n, codes, quads, cc);
        expect([...cc.subarray(0, D)]).toEqual(plainCounts(codes, D));
        expect(cc.subarray(D).every((x) => x === 0)).toBe(true);
        const c4 = new Int32Array(4 * D);
        _countCodes(n, codes, D, c4);
        expect([...c4.subarray(0, D)]).toEqual(plainCounts(codes, D));
      }
    }
  });

  it('gives the same counts on the fast path (no by, no cohort) as per row (by a one-label column), for 8 and 9 stages', async () => {
    for (const labels of [['prospect', 'new', 'growing', 'mature', 'declining', 'dormant', 'churned', 'win-back'], ['prospect', 'new', 'growing', 'mature', 'declining', 'dormant', 'churned', 'win-back', 'lead']]) {
      const tables = [70_001, 65_536, 5].map((n) => {
        const stage = toVector({ type: 'category', indices: Int32Array.from({ length: n }, () => Math.floor(rnd() * labels.length)), dictionary: labels, valid: null }, 0);
        const one = toVector({ type: 'category', indices: new Int32Array(n), dictionary: ['all'], valid: null }, 1);
        return new Table({ lifecycleStage: stage, one });
      });
      const spec = { stageColumn: 'lifecycleStage', steps: LIFECYCLE_STEPS };
      const fast = await runKernelLocal<FunnelResult>(funnelKernel, tables, spec);
      const perRow = await runKernelLocal<FunnelResult>(funnelKernel, tables, { ...spec, by: 'one' });
      expect(perRow.by!.categories).toHaveLength(1);
      const { label: _label, ...careful } = perRow.by!.categories[0];
      expect({ rows: fast.rows, outside: fast.outside, steps: fast.steps, cohorts: fast.cohorts }).toEqual(careful);
      expect(fast.unmappedLabels).toEqual(perRow.unmappedLabels);
      expect(fast.rows).toBe(135_542);
    }
  });
});

describe('funnel kernel refuses bad input with a SpecError naming the field', () => {
  const chunks = generatePortfolio({ rows: 2_000 });
  const field = async (spec: unknown, tables: Table[] = chunks) => {
    try {
      await runKernelLocal(funnelKernel, tables, spec);
    } catch (e) {
      expect(e).toBeInstanceOf(SpecError);
      return (e as SpecError).field;
    }
    throw new Error('no error');
  };
  const st = (extra: Record<string, unknown>) => ({ stageColumn: 'lifecycleStage', steps: LIFECYCLE_STEPS, ...extra });
  const ts = (steps: unknown, extra: Record<string, unknown> = {}) => ({ steps, ...extra });

  it('names the field', async () => {
    expect(await field(st({ steps: [] }))).toBe('steps');
    expect(await field(st({ steps: 'prospect' }))).toBe('steps');
    expect(await field(st({ steps: ['new', 'growing', 'new'] }))).toBe('steps[2]');
    expect(await field(st({ stageColumn: 'nope' }))).toBe('stageColumn');
    expect(await field(st({ stageColumn: 'aum' }))).toBe('stageColumn');
    expect(await field(st({ mapping: { churned: 'gone' } }))).toBe('mapping.churned');
    expect(await field(st({ mapping: { new: 'mature' } }))).toBe('mapping.new');
    expect(await field(st({ mapping: 'all' }))).toBe('mapping');
    expect(await field(st({ cohort: 'month' }))).toBe('cohortColumn');
    expect(await field(st({ cohort: 'week', cohortColumn: 'openDate' }))).toBe('cohort');
    expect(await field(st({ cohort: 'month', cohortColumn: 'aum' }))).toBe('cohortColumn');
    expect(await field(st({ by: 'revenue' }))).toBe('by');
    expect(await field(st({ stage: 'x' }))).toBe('stage');
    expect(await field(ts([]))).toBe('steps');
    expect(await field(ts(['new']))).toBe('steps[0]');
    expect(await field(ts([{ label: 'open', column: 'openDate' }, { label: 'open', column: 'lastTxnDate' }]))).toBe('steps[1].label');
    expect(await field(ts([{ label: 'open', column: 'openDate' }, { label: 'txn', column: 'openDate' }]))).toBe('steps[1].column');
    expect(await field(ts([{ label: 'open', column: 'missing' }]))).toBe('steps[0].column');
    expect(await field(ts([{ label: 'open', column: 'aum' }]))).toBe('steps[0].column');
    expect(await field(ts([{ label: '', column: 'openDate' }]))).toBe('steps[0].label');
    expect(await field(ts([{ label: 'open', column: 'openDate' }], { mapping: {} }))).toBe('mapping');
    expect(await field(null)).toBe('spec');
    const odd = new Table({ a: makeVector(makeData({ type: new DateMillisecond(), length: 2, data: new BigInt64Array(2) as never })) });
    expect(await field(ts([{ label: 'A', column: 'a' }]), [odd])).toBe('steps[0].column');
  });

  it('refuses an empty dataset', async () => {
    expect(await field(st({}), [chunks[0].slice(0, 0)])).toBe('dataset');
    expect(await field(ts([{ label: 'open', column: 'openDate' }]), [chunks[0].slice(0, 0)])).toBe('dataset');
  });
});
