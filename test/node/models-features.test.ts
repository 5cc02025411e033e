// Feature plans: encoding, imputation, dropped columns and the errors that stop bad training data.
import { describe, expect, it } from 'vitest';
import { Bool, DateDay, Dictionary, Float64, Int32, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { buildDesign, fitFeaturePlan, FeatureError, standardize } from '../../workers/models/features.js';

const dict = () => new Dictionary(new Utf8(), new Int32());

function table(cols: Record<string, { values: unknown[]; type: 'f' | 'i' | 'c' | 'b' | 'd' }>): Table {
  const types = { f: () => new Float64(), i: () => new Int32(), c: dict, b: () => new Bool(), d: () => new DateDay() };
  const vectors = Object.fromEntries(Object.entries(cols).map(([k, c]) => [k, vectorFromArray(c.values, types[c.type]())]));
  return new Table(vectors);
}

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

const n = 40;
type Col = { values: unknown[]; type: 'f' | 'i' | 'c' | 'b' | 'd' };
const base = (): Record<'aum' | 'region' | 'churned', Col> => ({
  aum: { values: Array.from({ length: n }, (_, i) => i * 10), type: 'f' },
  region: { values: Array.from({ length: n }, (_, i) => ['north', 'south', 'east'][i % 3]), type: 'c' },
  churned: { values: Array.from({ length: n }, (_, i) => i % 4 === 0), type: 'b' },
});

describe('feature plan and design', () => {
  it('one-hot encodes categories against the most frequent level and keeps numbers in original units', () => {
    const t = table(base());
    const plan = fitFeaturePlan([t], { numeric: ['aum'], categorical: ['region'], target: { column: 'churned' } });
    // north is most frequent (14 of 40): the reference; south and east (13 each; ties by name) get columns.
    expect(plan.columns.map((c) => c.name)).toEqual(['aum', 'region=east', 'region=south']);
    expect(plan.categorical[0].reference).toBe('north');
    expect(plan.rows).toBe(n);
    expect(plan.positives).toBe(10);
    const d = buildDesign([t], plan, true);
    expect(d.n).toBe(n);
    expect(Array.from(d.x.subarray(0, 9))).toEqual([0, 0, 0, 10, 0, 1, 20, 1, 0]);
    expect(Array.from(d.y!.subarray(0, 4))).toEqual([1, 0, 0, 0]);
    // Standardisation parameters are those of the training rows.
    expect(plan.columns[0].mean).toBeCloseTo(195, 10);
    const z = standardize(d, plan);
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) {
      s += z[i * 3];
      s2 += z[i * 3] ** 2;
    }
    expect(s / n).toBeCloseTo(0, 12);
    expect(s2 / n).toBeCloseTo(1, 12);
  });

  it('imputes numeric nulls with the median and adds a missing indicator; categorical nulls get their own level', () => {
    const cols = base();
    cols.aum.values = cols.aum.values.map((v, i) => (i % 5 === 1 ? null : v));
    cols.region.values = cols.region.values.map((v, i) => (i === 4 ? null : v));
    const t = table(cols);
    const plan = fitFeaturePlan([t], { numeric: ['aum'], categorical: ['region'], target: { column: 'churned' } });
    expect(plan.columns.map((c) => c.name)).toEqual(['aum', 'aum (missing)', 'region=east', 'region=south', 'region=(missing)']);
    const present = (cols.aum.values.filter((v) => v !== null) as number[]).sort((a, b) => a - b);
    const median = (present[present.length / 2 - 1] + present[present.length / 2]) / 2;
    expect(plan.numeric[0].median).toBe(median);
    const d = buildDesign([t], plan, true);
    const p = 5;
    expect(d.x[1 * p + 0]).toBe(median);
    expect(d.x[1 * p + 1]).toBe(1);
    expect(d.x[0 * p + 1]).toBe(0);
    expect(d.x[4 * p + 4]).toBe(1);
    expect(d.x[4 * p + 3]).toBe(0);
  });

  it('drops constant and all-null columns with a warning naming them', () => {
    const t = table({ ...base(), flat: { values: new Array(n).fill(7), type: 'f' }, empty: { values: new Array(n).fill(null), type: 'f' }, one: { values: new Array(n).fill('x'), type: 'c' } });
    const plan = fitFeaturePlan([t], { numeric: ['aum', 'flat', 'empty'], categorical: ['region', 'one'], target: { column: 'churned' } });
    expect(plan.columns.map((c) => c.source)).not.toContain('flat');
    expect(plan.columns.map((c) => c.source)).not.toContain('empty');
    expect(plan.columns.map((c) => c.source)).not.toContain('one');
    expect(plan.warnings.join('\n')).toMatch(/"flat" was dropped: it is constant \(every value is 7\)/);
    expect(plan.warnings.join('\n')).toMatch(/"empty" was dropped: every value is missing/);
    expect(plan.warnings.join('\n')).toMatch(/"one" was dropped: it is constant/);
  });

  it('refuses a single-class target, too few rows, too few of a class, and no usable feature', () => {
    const one = base();
    one.churned.values = new Array(n).fill(false);
    expect(errorOf(() => fitFeaturePlan([table(one)], { numeric: ['aum'], target: { column: 'churned' } })).message).toMatch(/single class: all 40 rows are negative/);
    const few = table({ aum: { values: [1, 2, 3, 4], type: 'f' }, churned: { values: [true, false, true, false], type: 'b' } });
    const e = errorOf(() => fitFeaturePlan([few], { numeric: ['aum'], target: { column: 'churned' } }));
    expect(e).toBeInstanceOf(FeatureError);
    expect(e.message).toMatch(/Too few rows to train on: 4 rows .* at least 30/);
    const rare = base();
    rare.churned.values = Array.from({ length: n }, (_, i) => i < 3);
    expect(errorOf(() => fitFeaturePlan([table(rare)], { numeric: ['aum'], target: { column: 'churned' } })).message).toMatch(/3 positive and 37 negative/);
    const flat = table({ ...base(), flat: { values: new Array(n).fill(1), type: 'f' } });
    expect(errorOf(() => fitFeaturePlan([flat], { numeric: ['flat'], target: { column: 'churned' } })).message).toMatch(/No usable feature/);
    expect(errorOf(() => fitFeaturePlan([flat], { numeric: ['nope'], target: { column: 'churned' } })).message).toMatch(/Column "nope" is not in the data/);
  });

  it('reads category targets by their positive label and leaves rows without a target out', () => {
    const cols = base();
    const y: Col = { values: Array.from({ length: n }, (_, i) => (i === 5 ? null : i % 4 === 0 ? 'yes' : 'no')), type: 'c' };
    const t = table({ aum: cols.aum, y });
    const plan = fitFeaturePlan([t], { numeric: ['aum'], target: { column: 'y' } });
    expect(plan.target!.positive).toBe('yes');
    expect(plan.rows).toBe(n - 1);
    expect(plan.warnings.join()).toMatch(/1 rows have no value in target "y"/);
    const d = buildDesign([t], plan, true);
    expect(d.n).toBe(n - 1);
    expect(d.rowIndex![5]).toBe(6);
    const other = table({ aum: cols.aum, y: { values: Array.from({ length: n }, (_, i) => (i % 2 ? 'stay' : 'leave')), type: 'c' } });
    expect(errorOf(() => fitFeaturePlan([other], { numeric: ['aum'], target: { column: 'y' } })).message).toMatch(/say which one is the positive outcome/);
  });

  it('turns dates into days before asOf and caps one-hot levels with an "(other)" column', () => {
    const cols = base();
    const t = table({
      ...cols,
      last: { values: Array.from({ length: n }, (_, i) => new Date(Date.UTC(2026, 0, 1) - i * 86_400_000)), type: 'd' },
      city: { values: Array.from({ length: n }, (_, i) => `c${i % 8}`), type: 'c' },
    });
    const asOf = Date.UTC(2026, 0, 31) / 86_400_000;
    const plan = fitFeaturePlan([t], { numeric: ['last'], categorical: ['city'], target: { column: 'churned' }, asOfDay: asOf, maxLevels: 3 });
    expect(plan.columns.map((c) => c.name)).toEqual(['last', 'city=c1', 'city=c2', 'city=c3', 'city=(other)']);
    const d = buildDesign([t], plan, true);
    expect(d.x[0]).toBe(30);
    expect(d.x[5 * 5]).toBe(35);
    expect(Array.from(d.x.subarray(7 * 5 + 1, 7 * 5 + 5))).toEqual([0, 0, 0, 1]);
  });
});
