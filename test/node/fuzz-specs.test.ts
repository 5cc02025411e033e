/**
 * Fuzzing kernel specs, the filter spec and the field mapping: seeded, generated inputs per run.
 * Specs reach the kernels from element attributes, saved dashboards, URLs and worker messages, so
 * each input is a valid spec for its kernel with 0-3 mutations (wrong types, missing and extra
 * keys, NaN / Infinity / -0 / BigInt, huge and sparse arrays, deep nesting, unknown columns,
 * "__proto__" / "constructor" keys, HTML and bidi strings), or a wholly random value.
 *
 * Figures printed and checked, per kernel and in total:
 * - uncaught: validate or run threw something other than a SpecError (must be 0);
 * - hangs: one input (validate + both runs) took over HANG_MS (must be 0);
 * - wrong: a silent wrong result (must be 0), by these properties that can fail:
 *   1. the worker re-validates a structured clone of what the page validated (run-kernel.ts), so
 *      validate(spec) and validate(structuredClone(spec)) must agree, result or SpecError;
 *   2. a spec that validates gives the same result on one thread and with its batches split over
 *      three workers (the pool's contract, kernel.ts);
 *   3. a filter that validates passes exactly the rows a row-by-row reading of filter.ts's rules
 *      passes; kernels that report matched rows (segment-rollup, asset-loyalty) agree with it;
 *   4. a SpecError names its field and stays readable (under MAX_MESSAGE characters), even when
 *      the spec holds a million-entry array.
 * FUZZ_RUNS sets the inputs per target (default 400: 4,400 in all, a few minutes on a busy 2-core
 * machine; the 11,000-input run of the issue note is FUZZ_RUNS=1000); FUZZ_SEED another seed.
 */
import { appendFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Table } from 'apache-arrow';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { Rng } from '../../src/generate/random.js';
import { resolveMapping } from '../../src/schema/field-mapping.js';
import { CLIENT_FIELDS } from '../../src/schema/client-schema.js';
import { KERNELS } from '../../workers/kernels/index.js';
import { SpecError, type AnyKernel } from '../../workers/kernels/kernel.js';
import { runKernelLocal, runKernelSplit, schemaOfTable } from '../../workers/kernels/run-local.js';
import { RowFilter, validateFilter, type FilterSpec } from '../../workers/kernels/filter.js';
import { kindOf } from '../../workers/kernels/columns.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const HANG_MS = 2000;
const MAX_MESSAGE = 2000;

const whole = generatePortfolio({ rows: 360 })[0];
/** Three record batches (sliced, so their columns start at an offset), as a worker pool sees chunks. */
const THIRDS: Table[] = [whole.slice(0, 120), whole.slice(120, 240), whole.slice(240, 360)];
const SCHEMA = schemaOfTable(whole);
const columnsOf = (...kinds: string[]) => SCHEMA.filter((c) => kinds.includes(kindOf(c.type))).map((c) => c.name);
const CATEGORY = columnsOf('category');
const NUMERIC = columnsOf('float', 'int');
const DATE = columnsOf('date');
const ALL = SCHEMA.map((c) => c.name);
const IDS = Array.from({ length: 40 }, (_, i) => String(whole.getChild('clientId')!.get(i * 9)));

const HOSTILE_STRINGS = [
  '', ' ', '<img src=x onerror=alert(1)>', '<script>alert(1)</script>', '"><svg onload=alert(1)>', '\u202Egnp.exe', '\u2066a\u2069', '\u0000', '\uD800',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '(missing)', 'other', '=HYPERLINK("x")',
  'NaN', 'Infinity', '1e309', '0000-01-01', '0050-06-30', '2026-02-30', '2026-13-01', '9999-12-31', '2026-06-30T00:00', '+02026-06-30',
  'AUM', 'aum ', 'Segment', 'clientid', 'no-such-column', 'eq', 'sum', 'quantile', 'month', 'tier', 'bins', 'tag', 'column',
];
const HOSTILE_NUMBERS = [NaN, Infinity, -Infinity, -0, 0, 1, -1, 0.5, 2, 3, 5, 6, 9, 10, 90, 101, 1e308, -1e308, 5e-324, 2 ** 31, 2 ** 53 + 2, 100_000, 1_000_001];

function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[rng.int(list.length)];
}

/** An own "__proto__" key, as JSON.parse makes it (an object literal would set the prototype). */
function withProtoKey(o: Record<string, unknown>, v: unknown): Record<string, unknown> {
  Object.defineProperty(o, '__proto__', { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

function deep(depth: number, array: boolean): unknown {
  let v: unknown = array ? [1] : { column: 'aum' };
  for (let i = 0; i < depth; i++) v = array ? [v] : i % 2 ? { all: [v] } : { by: v };
  return v;
}

function hugeArray(rng: Rng): unknown[] {
  const n = pick(rng, [1000, 100_000, 1_000_000]);
  switch (rng.int(4)) {
    case 0: return Array.from({ length: n }, (_, i) => i);
    case 1: return Array.from({ length: n }, (_, i) => `label ${i}`);
    case 2: return new Array(n).fill(IDS[0]);
    default: return Array.from({ length: Math.min(n, 100_000) }, (_, i) => ({ column: 'aum', op: 'gt', value: i }));
  }
}

/** Any value at all: the building block of mutations. */
function hostileValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 1 ? 7 : 12)) {
    case 0: return pick(rng, HOSTILE_NUMBERS);
    case 1: return pick(rng, HOSTILE_STRINGS);
    case 2: return pick(rng, ALL);
    case 3: return pick(rng, [null, undefined, true, false, 10n, -1n]);
    case 4: return [];
    case 5: return {};
    case 6: return rng.int(1e6) - 5e5;
    case 7: return Array.from({ length: 1 + rng.int(4) }, () => hostileValue(rng, depth + 1));
    case 8: return Object.fromEntries(Array.from({ length: 1 + rng.int(3) }, () => [pick(rng, [...HOSTILE_STRINGS, ...ALL]), hostileValue(rng, depth + 1)]));
    case 9: return hugeArray(rng);
    case 10: return deep(pick(rng, [50, 5000, 20_000]), rng.chance(0.5));
    default: {
      // Sparse: a hole where a value is expected (structured clone keeps holes).
      const a: unknown[] = [hostileValue(rng, depth + 1)];
      a[2] = hostileValue(rng, depth + 1);
      return a;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Valid specs per kernel

function validCondition(rng: Rng): Record<string, unknown> {
  const column = pick(rng, [...CATEGORY, ...NUMERIC, ...DATE, 'churned', 'name']);
  const kind = kindOf(SCHEMA.find((c) => c.name === column)!.type);
  const sample = (): unknown => {
    if (kind === 'category') {
      const v = whole.getChild(column)!.get(rng.int(whole.numRows));
      return v ?? 'none';
    }
    if (kind === 'date') return pick(rng, ['2020-01-01', '2026-06-30', '2025-12-31', '2024-02-29']);
    if (kind === 'bool') return rng.chance(0.5);
    const v = whole.getChild(column)!.get(rng.int(whole.numRows));
    return typeof v === 'number' && rng.chance(0.7) ? v : pick(rng, [0, -0, 1, 3, 1e5, Infinity, -Infinity]);
  };
  if (kind === 'string') return { column, op: pick(rng, ['isNull', 'notNull']) };
  if (kind === 'bool') return rng.chance(0.2) ? { column, op: pick(rng, ['isNull', 'notNull']) } : { column, op: pick(rng, ['eq', 'ne']), value: sample() };
  const ops = kind === 'category' ? ['eq', 'ne', 'in', 'notIn', 'isNull', 'notNull'] : ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'between', 'in', 'notIn', 'isNull', 'notNull'];
  const op = pick(rng, ops);
  if (op === 'isNull' || op === 'notNull') return { column, op };
  if (op === 'in' || op === 'notIn') return { column, op, values: Array.from({ length: rng.int(4) }, sample) };
  if (op === 'between') {
    const a = sample(), b = sample();
    const key = (v: unknown) => (typeof v === 'string' ? Date.parse(v) : (v as number));
    return { column, op, values: key(a) <= key(b) ? [a, b] : [b, a] };
  }
  return { column, op, value: sample() };
}

function validFilter(rng: Rng): Record<string, unknown> {
  const f: Record<string, unknown> = {};
  if (rng.chance(0.8)) f.all = Array.from({ length: rng.int(3) }, () => validCondition(rng));
  if (rng.chance(0.5)) f.any = Array.from({ length: rng.int(3) }, () => validCondition(rng));
  return f;
}

const maybe = (rng: Rng, o: Record<string, unknown>, key: string, v: () => unknown, p = 0.5) => {
  if (rng.chance(p)) o[key] = v();
  return o;
};

function validDimension(rng: Rng): Record<string, unknown> {
  switch (rng.int(4)) {
    case 0: return maybe(rng, { column: pick(rng, CATEGORY) }, 'missingLabel', () => pick(rng, ['(none)', '<b>none</b>']), 0.3);
    case 1: return { tier: rng.chance(0.5) ? {} : { column: pick(rng, NUMERIC), thresholds: [10, 100, 1000], labels: ['a', 'b', 'c', 'd'] } };
    case 2: {
      const edges = [...new Set(Array.from({ length: 1 + rng.int(6) }, () => rng.int(1_000_000)))].sort((a, b) => a - b);
      return { bins: { column: pick(rng, NUMERIC), edges, labels: Array.from({ length: edges.length + 1 }, (_, i) => `b${i}`) } };
    }
    default: return { tag: maybe(rng, { rules: Array.from({ length: 1 + rng.int(3) }, (_, i) => ({ label: `t${i}`, when: validFilter(rng) })) }, 'otherwise', () => 'rest', 0.3) };
  }
}

const GENERATORS: Record<string, (rng: Rng) => unknown> = {
  'segment-rollup': (rng) => {
    const measures = Array.from({ length: rng.int(4) }, (_, i) => {
      const agg = pick(rng, ['count', 'sum', 'mean', 'min', 'max', 'median', 'quantile']);
      const m: Record<string, unknown> = { agg, as: `m${i}` };
      if (agg !== 'count' || rng.chance(0.5)) m.column = pick(rng, agg === 'count' ? ALL : NUMERIC);
      if (agg === 'quantile') m.q = rng.uniform();
      return m;
    });
    const spec: Record<string, unknown> = { by: rng.chance(0.3) ? [validDimension(rng), validDimension(rng)] : validDimension(rng), measures };
    if (measures.length > 1 && rng.chance(0.5)) spec.ratios = [{ as: 'r', numerator: 'm0', denominator: 'm1' }];
    maybe(rng, spec, 'share', () => rng.chance(0.5));
    return maybe(rng, spec, 'filter', () => validFilter(rng));
  },
  'asset-loyalty': (rng) => {
    const spec: Record<string, unknown> = {};
    maybe(rng, spec, 'assets', () => ({ column: pick(rng, NUMERIC), edges: [1000, 100_000], labels: ['s', 'm', 'l'] }));
    maybe(rng, spec, 'loyalty', () => ({ products: { thresholds: [2, 4] }, transactions: { column: 'txnCount12m' }, edges: [1, 3], labels: ['x', 'y', 'z'] }));
    maybe(rng, spec, 'topN', () => rng.int(20));
    return maybe(rng, spec, 'filter', () => validFilter(rng));
  },
  kpis: (rng) => {
    const spec: Record<string, unknown> = {};
    maybe(rng, spec, 'asOf', () => pick(rng, ['2026-06-30', '2025-01-31', '2000-02-29']));
    maybe(rng, spec, 'activeDays', () => 1 + rng.int(400));
    maybe(rng, spec, 'crossSellMinProducts', () => 1 + rng.int(5));
    return maybe(rng, spec, 'filter', () => validFilter(rng));
  },
  profitability: (rng) => {
    const spec: Record<string, unknown> = {};
    maybe(rng, spec, 'by', () => pick(rng, CATEGORY));
    maybe(rng, spec, 'retention', () => rng.uniform() * 0.95);
    maybe(rng, spec, 'discountRate', () => rng.uniform() * 0.2);
    maybe(rng, spec, 'acquisitionCost', () => null, 0.2);
    return maybe(rng, spec, 'filter', () => validFilter(rng));
  },
  'whale-curve': (rng) => {
    const spec: Record<string, unknown> = {};
    maybe(rng, spec, 'points', () => 1 + rng.int(50));
    maybe(rng, spec, 'topN', () => rng.int(10));
    return maybe(rng, spec, 'filter', () => validFilter(rng));
  },
  'churn-rules': (rng) => {
    const kinds = ['inactivity', 'asset-outflow', 'low-satisfaction', 'late-payments'];
    const spec: Record<string, unknown> = { asOf: pick(rng, ['2026-06-30', 20_634]) };
    maybe(rng, spec, 'rules', () => Array.from({ length: 1 + rng.int(4) }, (_, i) => maybe(rng, { id: `r${i}`, kind: pick(rng, kinds) }, 'label', () => '<i>rule</i>', 0.3)));
    maybe(rng, spec, 'by', () => pick(rng, CATEGORY));
    maybe(rng, spec, 'limit', () => rng.int(30));
    maybe(rng, spec, 'offset', () => rng.int(10));
    maybe(rng, spec, 'groupSizes', () => rng.chance(0.5));
    return maybe(rng, spec, 'filter', () => validFilter(rng));
  },
  rfm: (rng) => {
    const spec: Record<string, unknown> = {};
    maybe(rng, spec, 'by', () => pick(rng, CATEGORY));
    maybe(rng, spec, 'asOf', () => '2026-06-30');
    maybe(rng, spec, 'samples', () => 2 + rng.int(100));
    maybe(rng, spec, 'monetaryColumn', () => pick(rng, ['aum', 'revenue']));
    maybe(rng, spec, 'segments', () => [{ name: 'low', r: [1, 2], f: [1, 5] }, { name: 'high', r: [3, 5], f: [1, 5] }], 0.3);
    return maybe(rng, spec, 'filter', () => validFilter(rng));
  },
  funnel: (rng) => {
    const spec: Record<string, unknown> = rng.chance(0.5)
      ? { stageColumn: 'lifecycleStage', steps: ['prospect', 'new', 'growing', 'mature'] }
      : { steps: [{ label: 'open', column: 'openDate' }, { label: 'last', column: 'lastTxnDate' }] };
    if ('stageColumn' in spec) maybe(rng, spec, 'mapping', () => ({ dormant: 'new', churned: null }), 0.3);
    maybe(rng, spec, 'by', () => pick(rng, CATEGORY));
    if (rng.chance(0.3)) Object.assign(spec, { cohort: pick(rng, ['month', 'quarter']), cohortColumn: 'openDate' });
    return maybe(rng, spec, 'filter', () => validFilter(rng));
  },
  'client-lookup': (rng) => {
    const spec: Record<string, unknown> = rng.chance(0.5) ? { clientId: pick(rng, IDS) } : { clientIds: Array.from({ length: rng.int(8) }, () => pick(rng, [...IDS, 'nobody'])) };
    return maybe(rng, spec, 'columns', () => [...new Set(Array.from({ length: 1 + rng.int(4) }, () => pick(rng, ALL)))], 0.3);
  },
};

/**
 * Valid but large specs: long label lists, many rules, long `in` lists. Validation must stay well
 * inside the time budget (no quadratic uniqueness checks over 50,000 labels).
 */
const BIG = 20_000;
const bigLabels = (n: number, prefix = 'l') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const BIG_GENERATORS: Record<string, (rng: Rng) => unknown> = {
  'segment-rollup': (rng) => rng.chance(0.5)
    ? { by: { bins: { column: 'aum', edges: Array.from({ length: BIG }, (_, i) => i * 100), labels: bigLabels(BIG + 1) } }, measures: [{ agg: 'sum', column: 'aum', as: '__proto__' }] }
    : { by: { tag: { rules: bigLabels(2000).map((label, i) => ({ label, when: { all: [{ column: 'aum', op: 'gte', value: i * 1000 }] } })) } } },
  'asset-loyalty': () => ({ assets: { edges: Array.from({ length: BIG }, (_, i) => i * 100), labels: bigLabels(BIG + 1) } }),
  kpis: (rng) => ({ asOf: pick(rng, ['0001-01-01', '0050-06-30', '0099-12-31', '9999-12-31']) }),
  profitability: () => ({ by: 'rm' }),
  'whale-curve': () => ({ points: 10_000, topN: 1000 }),
  'churn-rules': () => ({ asOf: '2026-06-30', rules: bigLabels(32, 'r').map((id, i) => ({ id, kind: 'late-payments', threshold: 1 + i, label: '__proto__' })), limit: 100_000 }),
  rfm: () => ({ segments: bigLabels(BIG, 's').map((name) => ({ name, r: [1, 5], f: [1, 5] })) }),
  funnel: (rng) => rng.chance(0.5)
    ? { stageColumn: 'lifecycleStage', steps: ['prospect', 'new', ...bigLabels(BIG)], mapping: Object.fromEntries(bigLabels(1000, 'm').map((l) => [l, 'new'])) }
    : { stageColumn: 'lifecycleStage', steps: ['new', 'growing', 'constructor'], mapping: withProtoKey({ toString: null }, 'new') },
  'client-lookup': () => ({ clientIds: Array.from({ length: 500 }, (_, i) => IDS[i % IDS.length]), columns: ALL }),
};

/** Labels a spec gives that its result must carry, unchanged (a "__proto__" alias or step included). */
function labelsLost(name: string, spec: unknown, valid: unknown, result: unknown): string | null {
  const v = valid as Record<string, never>, r = result as Record<string, never>;
  const differ = (what: string, want: readonly unknown[], got: readonly unknown[]) =>
    same(want, got) ? null : `${what}: the spec gives ${shown(want)}, the result has ${shown(got)}`;
  switch (name) {
    case 'segment-rollup': {
      const want = [...(v.measures as { as: string }[]), ...(v.ratios as { as: string }[])].map((m) => m.as);
      const got = want.filter((a) => Object.hasOwn((r.total as { values: object }).values, a));
      return differ('measure names', want, got);
    }
    case 'funnel': {
      const given = (spec as { mapping?: unknown }).mapping;
      if (given !== null && typeof given === 'object' && 'mapping' in v) {
        const lost = differ('mapping entries', Object.keys(given), Object.keys(v.mapping as object));
        if (lost) return lost;
      }
      return differ('steps', (v.steps as (string | { label: string })[]).map((x) => (typeof x === 'string' ? x : x.label)), (r.steps as { label: string }[]).map((x) => x.label));
    }
    case 'rfm': return differ('segments', (v.segments as { name: string }[]).map((x) => x.name), (r.groups as { name: string }[]).map((x) => x.name));
    case 'churn-rules': return differ('rules', (v.rules as { id: string; label: string }[]).map((x) => [x.id, x.label]), (r.rules as { id: string; label: string }[]).map((x) => [x.id, x.label]));
    default: return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations

type Slot = { parent: Record<string, unknown> | unknown[]; key: string | number };

function slots(v: unknown, out: Slot[], depth = 0): Slot[] {
  if (depth > 8 || v === null || typeof v !== 'object') return out;
  if (Array.isArray(v)) {
    if (v.length > 50) return out;
    v.forEach((x, i) => {
      out.push({ parent: v, key: i });
      slots(x, out, depth + 1);
    });
  } else {
    for (const k of Object.keys(v)) {
      out.push({ parent: v as Record<string, unknown>, key: k });
      slots((v as Record<string, unknown>)[k], out, depth + 1);
    }
  }
  return out;
}

function containers(v: unknown, out: (Record<string, unknown> | unknown[])[] = [], depth = 0): (Record<string, unknown> | unknown[])[] {
  if (depth > 8 || v === null || typeof v !== 'object') return out;
  out.push(v as Record<string, unknown>);
  if (Array.isArray(v)) { if (v.length <= 50) for (const x of v) containers(x, out, depth + 1); }
  else for (const x of Object.values(v)) containers(x, out, depth + 1);
  return out;
}

let lastMutations: string[] = [];

function mutate(rng: Rng, spec: unknown): unknown {
  if (rng.chance(0.05)) {
    lastMutations.push('whole');
    return hostileValue(rng);
  }
  const s = slots(spec, []);
  const op = rng.int(7);
  const strings = s.filter(({ parent, key }) => typeof (parent as Record<string | number, unknown>)[key] === 'string');
  if (op === 6 && strings.length > 0) {
    // Same shape, hostile content: a label or id that is "__proto__", markup or a bidi override.
    const { parent, key } = pick(rng, strings);
    lastMutations.push(`content ${String(key)}`);
    (parent as Record<string | number, unknown>)[key] = pick(rng, ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '<img src=x onerror=alert(1)>', '\u202Eevil', '(missing)']);
    return spec;
  }
  if (op <= 2 && s.length > 0) {
    const { parent, key } = pick(rng, s);
    lastMutations.push(`set ${String(key)}`);
    (parent as Record<string | number, unknown>)[key] = hostileValue(rng);
  } else if (op === 3 && s.length > 0) {
    const { parent, key } = pick(rng, s);
    lastMutations.push(`delete ${String(key)}`);
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
  } else {
    const cs = containers(spec);
    if (cs.length === 0) return hostileValue(rng);
    const c = pick(rng, cs);
    const key = pick(rng, ['__proto__', 'constructor', 'toString', 'filter', 'column', 'tier', 'extra', '<b>', ...ALL]);
    lastMutations.push(`add ${key}`);
    if (Array.isArray(c)) c.push(hostileValue(rng));
    else if (key === '__proto__') withProtoKey(c, hostileValue(rng));
    else c[key] = hostileValue(rng);
  }
  return spec;
}

// ---------------------------------------------------------------------------------------------
// Checking

/** Deep equality of plain data (own enumerable keys, Object.is for numbers, NaN equal to NaN). */
function same(a: unknown, b: unknown, depth = 0): boolean {
  if (Object.is(a, b)) return true;
  if (depth > 200 || typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) return same(Array.from(a as unknown as ArrayLike<number>), Array.from(b as unknown as ArrayLike<number>), depth + 1);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b, k) || !same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], depth + 1)) return false;
  }
  return true;
}

/** A spec for a message: JSON, cut short (and survives BigInt and deep nesting). */
function shown(v: unknown): string {
  try {
    return String(JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x))).slice(0, 300);
  } catch (err) {
    return `(unprintable: ${(err as Error).message})`;
  }
}

const UNCLONABLE = Symbol('unclonable');

/** What a worker receives; 20,000 levels of nesting cannot be posted at all (nothing to compare). */
function clone(v: unknown): unknown {
  try {
    return structuredClone(v);
  } catch {
    return UNCLONABLE;
  }
}

type Outcome = ({ ok: true; value: unknown } | { ok: false; error: unknown }) & { ms: number };

function attempt(f: () => unknown): Outcome {
  const t0 = performance.now();
  try {
    const value = f();
    return { ok: true, value, ms: performance.now() - t0 };
  } catch (error) {
    return { ok: false, error, ms: performance.now() - t0 };
  }
}

async function attemptAsync(f: () => Promise<unknown>): Promise<Outcome> {
  const t0 = performance.now();
  try {
    const value = await f();
    return { ok: true, value, ms: performance.now() - t0 };
  } catch (error) {
    return { ok: false, error, ms: performance.now() - t0 };
  }
}

/** The slowest step over budget (each validate and each run is one step), or null. */
function overBudget(steps: Record<string, Outcome | undefined>): string | null {
  const slow = Object.entries(steps).filter(([, o]) => o && o.ms > HANG_MS).map(([k, o]) => `${k} ${Math.round(o!.ms)} ms`);
  return slow.length ? slow.join(', ') : null;
}

/** A problem with a thrown value, or null when it is a clear SpecError. */
function specErrorProblem(err: unknown): { uncaught: boolean; message: string } | null {
  if (!(err instanceof SpecError)) return { uncaught: true, message: (err as Error)?.stack?.split('\n').slice(0, 4).join(' / ') ?? String(err) };
  if (err.message.length > MAX_MESSAGE) return { uncaught: false, message: `a SpecError of ${err.message.length} characters on field "${err.field}": ${err.message.slice(0, 160)}...` };
  if (typeof err.field !== 'string') return { uncaught: false, message: `a SpecError without a field: ${err.message}` };
  return null;
}

// Row-by-row reading of filter.ts's contract, independent of its compiled masks.

const DAY_MS = 86_400_000;

function isoDay(s: string): number {
  const [y, m, d] = s.split('-').map(Number);
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  return Math.floor(t.getTime() / DAY_MS);
}

function conditionPasses(table: Table, row: number, c: { column: string; op: string; value?: unknown; values?: readonly unknown[] }): boolean {
  const kind = kindOf(SCHEMA.find((s) => s.name === c.column)!.type);
  const raw = table.getChild(c.column)!.get(row) as unknown;
  if (c.op === 'isNull') return raw === null;
  if (c.op === 'notNull') return raw !== null;
  if (raw === null) return false;
  if (kind === 'category') {
    const label = String(raw);
    const vals = (c.values ?? [c.value]) as string[];
    if (c.op === 'eq' || c.op === 'in') return vals.includes(label);
    return !vals.includes(label);
  }
  if (kind === 'bool') return c.op === 'eq' ? raw === c.value : raw !== c.value;
  const x = kind === 'date' ? Math.round(Number(raw) / DAY_MS) : Number(raw);
  if (Number.isNaN(x)) return false;
  const num = (v: unknown) => (kind === 'date' ? isoDay(v as string) : (v as number));
  const a = c.value !== undefined ? num(c.value) : NaN;
  const list = (c.values ?? []).map(num);
  switch (c.op) {
    case 'eq': return x === a;
    case 'ne': return x !== a;
    case 'lt': return x < a;
    case 'lte': return x <= a;
    case 'gt': return x > a;
    case 'gte': return x >= a;
    case 'between': return x >= list[0] && x <= list[1];
    case 'in': return list.some((v) => v === x);
    case 'notIn': return !list.some((v) => v === x);
    default: throw new Error(`reference filter: unknown op ${c.op}`);
  }
}

function referencePasses(table: Table, row: number, f: FilterSpec | undefined): boolean {
  if (!f) return true;
  const all = f.all ?? [], any = f.any ?? [];
  return all.every((c) => conditionPasses(table, row, c)) && (any.length === 0 || any.some((c) => conditionPasses(table, row, c)));
}

function referenceCount(f: FilterSpec | undefined): number {
  let n = 0;
  for (let i = 0; i < whole.numRows; i++) if (referencePasses(whole, i, f)) n++;
  return n;
}

/** RowFilter's verdict per row, over the table in thirds (sliced batches, as workers hold them). */
function filterVerdicts(f: FilterSpec): boolean[] {
  const out: boolean[] = [];
  for (const t of THIRDS) {
    const rf = new RowFilter(f);
    for (const batch of t.batches) {
      const mask = rf.mask(batch);
      for (let i = 0; i < batch.numRows; i++) out.push(mask === null ? true : mask[i] === 1);
    }
  }
  return out;
}

/** The first row where the verdicts and the (slow, untimed) reference disagree. */
function filterMismatch(f: FilterSpec, verdicts: readonly boolean[]): string | null {
  for (let row = 0; row < verdicts.length; row++) {
    const got = verdicts[row];
    if (got !== referencePasses(whole, row, f)) return `row ${row}: the filter says ${got}, the reference ${!got}`;
  }
  return null;
}

interface Figures {
  tried: number;
  validated: number;
  uncaught: number;
  hangs: number;
  wrong: number;
}

const totals: Record<string, Figures> = {};

function summary(name: string, f: Figures): string {
  return `${name}: ${f.tried} tried (${f.validated} valid), ${f.uncaught} uncaught, ${f.hangs} hangs, ${f.wrong} wrong`;
}

async function fuzzKernel(kernel: AnyKernel, stream: number): Promise<{ figures: Figures; examples: string[] }> {
  const rng = new Rng(SEED, 11, stream);
  const figures: Figures = { tried: 0, validated: 0, uncaught: 0, hangs: 0, wrong: 0 };
  const examples: string[] = [];
  const note = (kind: 'uncaught' | 'wrong' | 'hang', msg: string) => {
    figures[kind === 'hang' ? 'hangs' : kind]++;
    if (examples.length < 6) examples.push(`${kind}: run ${figures.tried - 1} [${lastMutations.join(', ')}]: ${msg}`);
  };
  for (let run = 0; run < RUNS; run++) {
    lastMutations = [];
    const big = rng.chance(0.02);
    let spec = (big ? BIG_GENERATORS : GENERATORS)[kernel.name](rng);
    const mutations = big || rng.chance(0.25) ? 0 : 1 + rng.int(3);
    if (big) lastMutations.push('big');
    for (let m = 0; m < mutations; m++) spec = mutate(rng, spec);
    figures.tried++;
    if (process.env.FUZZ_TRACE) appendFileSync(process.env.FUZZ_TRACE, `${kernel.name} ${run} [${lastMutations.join(', ')}] ${shown(spec)}\n`);
    const first = attempt(() => kernel.validate(spec, SCHEMA));
    const cloned = clone(spec);
    const again = cloned === UNCLONABLE ? first : attempt(() => kernel.validate(cloned, SCHEMA));
    if (!first.ok) {
      const p = specErrorProblem(first.error);
      if (p) note(p.uncaught ? 'uncaught' : 'wrong', `validate: ${p.message}`);
      if (again.ok) note('wrong', `validate refused the spec (${(first.error as Error).message}) but accepted its structured clone`);
    } else if (!again.ok) {
      const p = specErrorProblem(again.error);
      note(p?.uncaught ? 'uncaught' : 'wrong', `validate accepted the spec but refused its structured clone: ${String((again.error as Error)?.message).slice(0, 200)}`);
    } else if (!same(first.value, again.value)) {
      note('wrong', `validate gave a different spec for the structured clone: ${shown(first.value)} vs ${shown(again.value)}`);
    }
    // The runner also takes `filter` off the spec for non-native kernels, so it runs every spec.
    const local = await attemptAsync(() => runKernelLocal(kernel, THIRDS, spec));
    let split: Outcome | undefined;
    if (local.ok) {
      figures.validated++;
      split = await attemptAsync(() => runKernelSplit(kernel, THIRDS, spec, 3));
      if (!split.ok) note(specErrorProblem(split.error)?.uncaught ? 'uncaught' : 'wrong', `ran on one thread but failed split: ${String((split.error as Error)?.message).slice(0, 200)}`);
      else if (!same(local.value, split.value)) note('wrong', `one-thread and split results differ for ${shown(spec)}`);
      if (first.ok) {
        const lost = labelsLost(kernel.name, spec, first.value, local.value);
        if (lost) note('wrong', lost);
      }
      const matched = (local.value as { rows?: { matched?: number } }).rows?.matched;
      if (matched !== undefined) {
        const f = validateFilter(kernel.name, 'filter', (spec as { filter?: unknown } | null)?.filter, SCHEMA);
        const want = referenceCount(f);
        if (matched !== want) note('wrong', `${matched} rows matched, the reference filter passes ${want}: ${shown(f)}`);
      }
    } else {
      const p = specErrorProblem(local.error);
      if (p) note(p.uncaught ? 'uncaught' : 'wrong', `run: ${p.message}`);
    }
    const slow = overBudget({ validate: first, 'validate clone': again, run: local, 'run split': split });
    if (slow) note('hang', slow);
  }
  return { figures, examples };
}

describe('spec fuzzing', () => {
  for (const [stream, kernel] of [...KERNELS.values()].entries()) {
    it(`${kernel.name}: ${RUNS} generated specs, no uncaught exception, no hang, no wrong silent result`, async () => {
      const { figures, examples } = await fuzzKernel(kernel, stream);
      totals[kernel.name] = figures;
      console.log(`spec fuzz ${summary(kernel.name, figures)}`);
      expect(examples).toEqual([]);
      expect({ uncaught: figures.uncaught, hangs: figures.hangs, wrong: figures.wrong }).toEqual({ uncaught: 0, hangs: 0, wrong: 0 });
    }, 600_000);
  }

  it(`the filter spec: ${RUNS} generated filters agree with a row-by-row reading of its rules`, () => {
    const rng = new Rng(SEED, 12);
    const figures: Figures = { tried: 0, validated: 0, uncaught: 0, hangs: 0, wrong: 0 };
    const examples: string[] = [];
    const note = (kind: 'uncaught' | 'wrong' | 'hangs', msg: string) => {
      figures[kind]++;
      if (examples.length < 6) examples.push(`${kind}: run ${figures.tried - 1} [${lastMutations.join(', ')}]: ${msg}`);
    };
    for (let run = 0; run < RUNS; run++) {
      lastMutations = [];
      let spec: unknown = validFilter(rng);
      const mutations = rng.chance(0.4) ? 0 : 1 + rng.int(3);
      for (let m = 0; m < mutations; m++) spec = mutate(rng, spec);
      figures.tried++;
      const first = attempt(() => validateFilter('fuzz', 'filter', spec, SCHEMA));
      let masks: Outcome | undefined;
      const cloned = clone(spec);
      const again = cloned === UNCLONABLE ? first : attempt(() => validateFilter('fuzz', 'filter', cloned, SCHEMA));
      if (!first.ok) {
        const p = specErrorProblem(first.error);
        if (p) note(p.uncaught ? 'uncaught' : 'wrong', p.message);
        if (again.ok) note('wrong', 'refused the spec but accepted its structured clone');
      } else if (!again.ok || !same(first.value, again.value)) {
        note('wrong', 'the structured clone validated differently');
      } else if (first.value !== undefined) {
        figures.validated++;
        // filter.ts promises its output validates again unchanged (workers re-validate it).
        const twice = attempt(() => validateFilter('fuzz', 'filter', first.value, SCHEMA));
        if (!twice.ok || !same(twice.value, first.value)) note('wrong', `the normalised filter does not validate to itself: ${shown(first.value)}`);
        masks = attempt(() => filterVerdicts(first.value as FilterSpec));
        if (!masks.ok) note('uncaught', `mask: ${(masks.error as Error)?.stack?.split('\n').slice(0, 3).join(' / ')}`);
        else {
          const mismatch = filterMismatch(first.value as FilterSpec, masks.value as boolean[]);
          if (mismatch) note('wrong', `${mismatch} for ${shown(first.value)}`);
        }
      }
      const slow = overBudget({ validate: first, 'validate clone': again, mask: masks });
      if (slow) note('hangs', slow);
    }
    totals.filter = figures;
    console.log(`spec fuzz ${summary('filter', figures)}`);
    expect(examples).toEqual([]);
    expect({ uncaught: figures.uncaught, hangs: figures.hangs, wrong: figures.wrong }).toEqual({ uncaught: 0, hangs: 0, wrong: 0 });
  }, 600_000);

  it(`the field mapping: ${RUNS} generated headers and mappings resolve consistently`, () => {
    const rng = new Rng(SEED, 13);
    const figures: Figures = { tried: 0, validated: 0, uncaught: 0, hangs: 0, wrong: 0 };
    const examples: string[] = [];
    const note = (kind: 'uncaught' | 'wrong' | 'hangs', msg: string) => {
      figures[kind]++;
      if (examples.length < 6) examples.push(`${kind}: run ${figures.tried - 1}: ${msg}`);
    };
    const NAMES = ['CustomerId', 'Balance', 'AUM', 'aum', 'A U M', '客户编号', 'Name', 'name', 'ＡＵＭ', 'rm', 'RM', 'Segment', '', ' ', '__proto__', 'constructor', '<b>x</b>', '\u202Eid', 'clientId', 'client_id', 'a'.repeat(10_000)];
    for (let run = 0; run < RUNS; run++) {
      figures.tried++;
      const width = pick(rng, [0, 1, 3, 8, 30, 5000]);
      const header = Array.from({ length: width }, () => (rng.chance(0.7) ? pick(rng, NAMES) : `col${rng.int(50)}`));
      let mapping: unknown;
      if (rng.chance(0.15)) mapping = hostileValue(rng);
      else {
        const m: Record<string, unknown> = {};
        for (let k = rng.int(5); k > 0; k--) {
          const field = rng.chance(0.8) ? pick(rng, CLIENT_FIELDS) : pick(rng, HOSTILE_STRINGS);
          const column = rng.chance(0.8) ? (header.length ? pick(rng, header) : 'x') : hostileValue(rng);
          if (field === '__proto__') withProtoKey(m, column);
          else m[field] = column;
        }
        mapping = m;
      }
      const t0 = performance.now();
      const r = attempt(() => resolveMapping(header, mapping, { auto: rng.chance(0.8) }));
      if (!r.ok) note('uncaught', (r.error as Error)?.stack?.split('\n').slice(0, 3).join(' / ') ?? String(r.error));
      else {
        const { fields, columns, unmapped, issues } = r.value as ReturnType<typeof resolveMapping>;
        const used = new Set<number>();
        for (const [field, index] of fields) {
          if (!(index >= 0 && index < header.length)) note('wrong', `field ${field} -> index ${index} of ${header.length}`);
          if (used.has(index)) note('wrong', `column ${index} feeds two fields`);
          used.add(index);
          if (columns.get(field) !== header[index]) note('wrong', `field ${field}: column name ${columns.get(field)} vs header ${header[index]}`);
        }
        if (unmapped.length + used.size !== header.length) note('wrong', `${unmapped.length} unmapped + ${used.size} used != ${header.length} columns`);
        // An explicit entry naming a column that exists exactly either takes that column or is reported.
        if (mapping !== null && typeof mapping === 'object' && !Array.isArray(mapping)) {
          for (const [field, column] of Object.entries(mapping as Record<string, unknown>)) {
            if (!(CLIENT_FIELDS as readonly string[]).includes(field) || typeof column !== 'string' || !header.includes(column)) continue;
            const index = fields.get(field as never);
            if ((index === undefined || header[index] !== column) && !issues.some((i) => i.field === field)) note('wrong', `"${field}": "${column}" was neither taken nor reported`);
          }
        }
        const unreadable = issues.find((i) => !i.message || i.message.length > 20_000);
        if (unreadable) note('wrong', `an issue without a readable message (${unreadable.message.length} characters): ${unreadable.message.slice(0, 200)}`);
        if (issues.length === 0) figures.validated++;
      }
      if (performance.now() - t0 > HANG_MS) note('hangs', `took ${Math.round(performance.now() - t0)} ms`);
    }
    totals['field-mapping'] = figures;
    console.log(`spec fuzz ${summary('field-mapping', figures)}`);
    const all = Object.values(totals).reduce((a, f) => ({ tried: a.tried + f.tried, validated: a.validated + f.validated, uncaught: a.uncaught + f.uncaught, hangs: a.hangs + f.hangs, wrong: a.wrong + f.wrong }), { tried: 0, validated: 0, uncaught: 0, hangs: 0, wrong: 0 });
    console.log(`spec fuzz ${summary('total', all)}`);
    expect(examples).toEqual([]);
    expect({ uncaught: figures.uncaught, hangs: figures.hangs, wrong: figures.wrong }).toEqual({ uncaught: 0, hangs: 0, wrong: 0 });
  }, 600_000);
});
