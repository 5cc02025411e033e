/**
 * The page loads no kernel code (kernels validate, map and reduce in the workers); what it needs to
 * know about them lives in small files of their own. These tests keep those files true to the
 * kernels they describe:
 * - the built-in kernel names are KERNELS' names;
 * - the funnel's default stage mapping and the ISO day reading equal the kernels' own copies
 *   (funnel.ts and filter.ts still declare theirs);
 * - the audit's columns of a query (fieldsOfQuery: the spec's own columns plus implied-columns.ts)
 *   include every column the kernel's validated spec names, for specs with and without each of
 *   their optional keys.
 */
import { describe, expect, it } from 'vitest';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { KERNELS } from '../../workers/kernels/index.js';
import { BUILTIN_KERNEL_NAMES, BUILTIN_TWO_STAGE_KERNELS } from '../../workers/kernels/kernel-names.js';
import { DEFAULT_STAGE_MAPPING } from '../../workers/kernels/funnel-stage-mapping.js';
import { DEFAULT_STAGE_MAPPING as KERNEL_STAGE_MAPPING } from '../../workers/kernels/funnel.js';
import { parseIsoDay } from '../../workers/kernels/iso-day.js';
import { parseIsoDay as kernelParseIsoDay } from '../../workers/kernels/filter.js';
import { impliedColumns } from '../../workers/kernels/implied-columns.js';
import { splitFilter } from '../../workers/kernels/filtered-rows.js';
import { schemaOfTable } from '../../workers/kernels/run-local.js';

const SCHEMA = schemaOfTable(generatePortfolio({ rows: 50 })[0]);
const COLUMNS = new Set(SCHEMA.map((c) => c.name));

function columnsIn(v: unknown, out = new Set<string>(), seen = new Set<unknown>()): Set<string> {
  if (typeof v === 'string') {
    if (COLUMNS.has(v)) out.add(v);
  } else if (v && typeof v === 'object' && !seen.has(v)) {
    seen.add(v);
    for (const x of Array.isArray(v) ? v : Object.values(v)) columnsIn(x, out, seen);
  }
  return out;
}

const filter = { all: [{ column: 'region', op: 'in', values: ['North'] }] };
/** Per kernel, specs using every optional key; the test also tries each with any one key removed. */
const SPECS: Record<string, Record<string, unknown>[]> = {
  'segment-rollup': [
    { by: 'region', measures: [{ agg: 'sum', column: 'aum', as: 'aum' }] },
    { by: [{ tier: {} }, { column: 'segment' }], measures: [{ agg: 'count', as: 'n' }], filter },
    { by: { tier: { column: 'deposits' } }, measures: [{ agg: 'mean', column: 'revenue', as: 'r' }] },
    { by: { bins: { column: 'riskLevel', edges: [3, 4], labels: ['a', 'b', 'c'] } }, measures: [] },
    { by: { tag: { rules: [{ label: 'rich', when: { all: [{ column: 'aum', op: 'gt', value: 1e6 }] } }] } }, measures: [] },
  ],
  'asset-loyalty': [
    { assets: { column: 'deposits', edges: [1000, 100_000], labels: ['s', 'm', 'l'] }, loyalty: { products: { column: 'productsHeld', thresholds: [2] }, transactions: { column: 'txnCount12m' } }, revenueColumn: 'revenue', idColumn: 'clientId', topN: 3, filter },
    { assets: { edges: [10, 20] }, loyalty: { products: { thresholds: [2, 4] } } },
  ],
  kpis: [{ asOf: '2026-06-30', activeDays: 30, crossSellMinProducts: 2, filter }],
  profitability: [
    { revenue: 'aum', cost: 'loans', acquisitionCost: 'deposits', by: 'segment', retention: 0.8, discountRate: 0.1, filter },
    { acquisitionCost: null },
  ],
  'whale-curve': [
    { revenue: 'aum', cost: 'loans', id: 'name', points: 10, topN: 3, filter },
    { topN: 0 },
  ],
  'churn-rules': [
    { asOf: '2026-06-30', rules: [{ id: 'a', kind: 'inactivity' }, { id: 'b', kind: 'asset-outflow' }, { id: 'c', kind: 'low-satisfaction' }, { id: 'd', kind: 'late-payments' }], by: 'region', id: 'name', orderBy: 'deposits', limit: 5, offset: 1, groupSizes: true, filter },
    { asOf: '2026-06-30', rules: [{ id: 'a', kind: 'inactivity', column: 'openDate' }], orderBy: null },
    { asOf: '2026-06-30' },
  ],
  rfm: [{ by: 'region', asOf: '2026-06-30', samples: 20, recencyColumn: 'openDate', frequencyColumn: 'productsHeld', monetaryColumn: 'aum', filter }],
  funnel: [
    { stageColumn: 'lifecycleStage', steps: ['prospect', 'new', 'growing', 'mature'], mapping: { dormant: 'new', churned: null }, by: 'region', cohort: 'month', cohortColumn: 'openDate', filter },
    { steps: [{ label: 'open', column: 'openDate' }, { label: 'last', column: 'lastTxnDate' }], by: 'segment' },
  ],
  'client-lookup': [
    { clientId: 'C00000001', id: 'clientId', columns: ['aum', 'name'] },
    { clientIds: ['C00000001', 'C00000002'] },
  ],
};

function variants(spec: Record<string, unknown>): Record<string, unknown>[] {
  return [spec, ...Object.keys(spec).map((k) => Object.fromEntries(Object.entries(spec).filter(([key]) => key !== k)))];
}

describe('what the page knows of the kernels without loading them', () => {
  it('the built-in kernel names are those of KERNELS', () => {
    expect([...BUILTIN_KERNEL_NAMES].sort()).toEqual([...KERNELS.keys()].sort());
  });

  it('the built-in kernels said to have a prepare pass are those whose definitions have one', () => {
    const withPrepare = [...KERNELS.values()].filter((k) => k.prepare !== undefined).map((k) => k.name);
    expect(withPrepare.length).toBeGreaterThan(0);
    expect([...BUILTIN_TWO_STAGE_KERNELS].sort()).toEqual(withPrepare.sort());
  });

  it('the funnel element shows the kernel\'s default stage mapping (one object, not a copy)', () => {
    expect(KERNEL_STAGE_MAPPING).toBe(DEFAULT_STAGE_MAPPING);
  });

  it('the elements and the filters read ISO days with one function, as the calendar does', () => {
    expect(kernelParseIsoDay).toBe(parseIsoDay);
    // Independent reading: a UTC calendar date that round-trips, years 0001-9999.
    const calendar = (s: unknown): number | null => {
      const m = typeof s === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(s) : null;
      if (!m || Number(m[1]) < 1) return null;
      const date = new Date(0);
      date.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
      return date.toISOString().slice(-24, -14).replace(/^\+?0*(\d{4})/, '$1') === s ? date.getTime() / 86_400_000 : null;
    };
    const inputs: unknown[] = ['2026-06-30', '1970-01-01', '0001-01-01', '9999-12-31', '2024-02-29', '2025-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '0000-01-01',
      '2026-6-30', ' 2026-06-30', '2026-06-30T00:00', '+02026-06-30', '', null, undefined, 20_634, {}, '1969-12-31'];
    for (let d = -1000; d < 1000; d += 37) inputs.push(new Date(d * 86_400_000 * 30).toISOString().slice(0, 10));
    for (const s of inputs) expect(parseIsoDay(s), String(s)).toBe(calendar(s));
  });

  for (const [kernel, specs] of Object.entries(SPECS)) {
    it(`${kernel}: the audited columns include every column the validated spec reads`, () => {
      const k = KERNELS.get(kernel)!;
      let checked = 0;
      for (const spec of specs.flatMap(variants)) {
        let valid: unknown;
        try {
          valid = k.validate(splitFilter(k, spec, SCHEMA).spec, SCHEMA);
        } catch {
          continue; // a refused spec reads no rows
        }
        checked++;
        const audited = columnsIn([spec, impliedColumns(kernel, spec)]);
        const missing = [...columnsIn(valid)].filter((c) => !audited.has(c));
        expect(missing, `${JSON.stringify(spec)} reads ${missing.join(', ')} unreported`).toEqual([]);
      }
      expect(checked, 'specs the kernel accepted').toBeGreaterThan(0);
    });
  }

  it('reports no more than the spec names and its defaults: a segments query by region of aum is aum and region', () => {
    expect([...columnsIn([{ by: 'region', measures: [{ agg: 'sum', column: 'aum', as: 'aum' }] }, impliedColumns('segment-rollup', { by: 'region' })])].sort()).toEqual(['aum', 'region']);
    expect(impliedColumns('churn-rules', { asOf: '2026-06-30' }).sort()).toEqual(['assetOutflow3m', 'aum', 'clientId', 'lastTxnDate']);
    expect(impliedColumns('no-such-kernel', {})).toEqual([]);
  });
});
