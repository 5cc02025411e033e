import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Table } from 'apache-arrow';
import { ingest, type IngestOptions } from '../../src/ingest/ingest.js';
import { IngestError, type IngestIssue } from '../../src/ingest/ingest-report.js';
import { readJsonRows } from '../../src/ingest/json-rows.js';

const enc = (s: string) => new TextEncoder().encode(s);
const json = (value: unknown, options: IngestOptions = {}) => ingest(enc(typeof value === 'string' ? value : JSON.stringify(value)), options);
const col = (t: Table, name: string) => [...t.getChild(name)!];

function ingestError(run: () => unknown): IngestError {
  try {
    run();
  } catch (e) {
    if (e instanceof IngestError) return e;
    throw e;
  }
  throw new Error('expected an IngestError');
}

function only(issues: readonly IngestIssue[], code: string): IngestIssue {
  const found = issues.filter((i) => i.code === code);
  expect(found, `one ${code} issue in ${JSON.stringify(issues.map((i) => i.code))}`).toHaveLength(1);
  return found[0];
}

describe('JSON rows: shapes', () => {
  const rows = [{ clientId: 'A', aum: 1.5 }, { clientId: 'B', aum: 2 }];

  it('accepts an array, {"rows": [...]} and NDJSON alike', () => {
    const ndjson = rows.map((r) => JSON.stringify(r)).join('\n') + '\n\n';
    for (const input of [JSON.stringify(rows), JSON.stringify({ rows }), ndjson, '\uFEFF' + ndjson.replaceAll('\n', '\r\n')]) {
      const { table, report } = json(input);
      expect(report.format).toBe('json');
      expect(col(table, 'clientId')).toEqual(['A', 'B']);
      expect(col(table, 'aum')).toEqual([1.5, 2]);
    }
  });

  it('takes the union of keys in first-seen order; absent keys are null', () => {
    const { table, report } = json([{ clientId: 'A', zeta: 1 }, { clientId: 'B', aum: 5, alpha: 2 }, { age: 40, clientId: 'C' }]);
    expect(report.unmappedColumns).toEqual(['zeta', 'alpha']);
    expect(col(table, 'aum')).toEqual([null, 5, null]);
    expect(col(table, 'age')).toEqual([null, null, 40]);
    expect(table.getChild('aum')!.get(0)).toBe(null);
  });

  it('does not read inherited members for keys like "constructor"', () => {
    const { table } = json('[{"clientId":"A","constructor":"x"},{"clientId":"B"}]', { mapping: { name: 'constructor' } });
    expect(col(table, 'name')).toEqual(['x', null]);
  });

  it('explains a top level it cannot read, pointing at nested rows', () => {
    const nested = ingestError(() => json({ data: { clients: [{ clientId: 'A' }] }, meta: { n: 1 } }));
    const issue = only(nested.issues, 'malformed-input');
    expect(issue.message).toContain('"data", "meta"');
    expect(issue.message).toContain('"data.clients"');
    // A top level that does not start with [ or { is sniffed as CSV, so the format is given.
    expect(only(ingestError(() => json('"hello"', { format: 'json' })).issues, 'malformed-input').message).toContain('a string');
    expect(only(ingestError(() => json('42', { format: 'json' })).issues, 'malformed-input').message).toContain('a number');
    expect(only(ingestError(() => json('[{"clientId":"A"},')).issues, 'malformed-input').message).toContain('not valid JSON');
  });

  it('reports rows that are not objects and leaves them out, whatever the policy', () => {
    const text = '[{"clientId":"A"}, 5, ["B"], null, {"clientId":"C"}]';
    const { table, report } = json(text, { onDirtyRow: 'keep' });
    expect(col(table, 'clientId')).toEqual(['A', 'C']);
    expect(only(report.issues, 'malformed-input')).toMatchObject({ severity: 'error', rows: [2, 3, 4], count: 3, examples: ['5', '["B"]', 'null'] });
    expect(report.dirtyRows).toBe(3);
  });

  it('reports an NDJSON line that is not JSON, by row', () => {
    const { table, report } = json('{"clientId":"A"}\n{"clientId":"B",\n{"clientId":"C"}\n');
    expect(col(table, 'clientId')).toEqual(['A', 'C']);
    expect(only(report.issues, 'malformed-input')).toMatchObject({ rows: [2], examples: ['a line that is not JSON'] });
  });

  it('refuses empty input and an empty array', () => {
    expect(only(ingestError(() => json('[]')).issues, 'empty-input')).toBeTruthy();
    expect(only(ingestError(() => json('{"rows": []}')).issues, 'empty-input')).toBeTruthy();
    expect(only(ingestError(() => readJsonRows(enc('  \n'))).issues, 'empty-input')).toBeTruthy();
  });

  it('enforces maxRows with the actual row count', () => {
    const issue = only(ingestError(() => json([{ clientId: 'A' }, { clientId: 'B' }, { clientId: 'C' }], { maxRows: 2 })).issues, 'limit-exceeded');
    expect(issue.message).toContain('has 3 rows');
    expect(issue.message).toContain('maxRows = 2');
  });
});

describe('JSON rows: values', () => {
  it('accepts numbers and numeric strings for numeric fields, and text for dates and booleans', () => {
    const { table, report } = json([
      { clientId: 'A', aum: 10.25, productsHeld: 3, openDate: '2024-01-05', churned: true },
      { clientId: 'B', aum: ' 1e3 ', productsHeld: '4', openDate: '20231231', churned: 'no' },
      { clientId: 'C', aum: null, productsHeld: null, openDate: null, churned: 0 },
    ]);
    expect(report.issues).toEqual([]);
    expect(col(table, 'aum')).toEqual([10.25, 1000, null]);
    expect(col(table, 'productsHeld')).toEqual([3, 4, null]);
    expect(col(table, 'openDate')).toEqual([Date.UTC(2024, 0, 5), Date.UTC(2023, 11, 31), null]);
    expect(col(table, 'churned')).toEqual([true, false, false]);
  });

  it('turns numbers into text for text fields; an id beyond 2^53 is refused (it lost digits)', () => {
    const text = '[{"clientId":15634602,"region":44,"name":7},{"clientId":123456789012345678901,"region":"FR"},{"clientId":" C9 ","name":true}]';
    const { table, report } = json(text, { onDirtyRow: 'keep' });
    expect(col(table, 'clientId')).toEqual(['15634602', 'C9']);
    expect(col(table, 'region')).toEqual(['44', null]);
    expect(col(table, 'name')).toEqual(['7', 'true']);
    expect(only(report.issues, 'out-of-range')).toMatchObject({ field: 'clientId', rows: [2], examples: ['123456789012345680000'] });
  });

  it('reports objects and arrays as wrong-type cells, nulled under keep', () => {
    const rows = [
      { clientId: 'A', aum: { amount: 5 }, tier: ['hnw'], openDate: 20240105 },
      { clientId: 'B', aum: 7, tier: 'hnw', openDate: '2024-01-05' },
    ];
    const { table, report } = json(rows, { onDirtyRow: 'keep' });
    const wrong = report.issues.filter((i) => i.code === 'wrong-type');
    expect(wrong.map((i) => [i.field, i.column, i.rows, i.examples])).toEqual([
      ['tier', 'tier', [1], ['["hnw"]']],
      ['aum', 'aum', [1], ['{"amount":5}']],
      ['openDate', 'openDate', [1], ['20240105']],
    ]);
    expect(table.getChild('aum')!.get(0)).toBe(null);
    expect(col(table, 'tier')).toEqual([null, 'hnw']);
    expect(json(rows).table.numRows).toBe(1);
  });

  it('reports values that do not parse, by field and row', () => {
    const rows = [
      { clientId: 'A', aum: 'NaN', age: 30.5, churned: 2, openDate: '2026-02-30' },
      { clientId: 'B', aum: '12abc', age: 'x', churned: 'maybe', openDate: '2024-01-01' },
    ];
    // Mapped explicitly: a column matched only by name whose values all fail is dropped instead (next test).
    const mapping = { aum: 'aum', age: 'age', churned: 'churned', openDate: 'openDate' };
    const { report } = json(rows, { onDirtyRow: 'keep', mapping });
    const summary = report.issues.map((i) => `${i.code}:${i.field}:${i.rows!.join('+')}`).sort();
    expect(summary).toEqual([
      'unparseable-bool:churned:1+2', 'unparseable-date:openDate:1', 'unparseable-number:age:1+2', 'unparseable-number:aum:1+2',
    ]);
    const auto = json(rows, { onDirtyRow: 'keep' }).report;
    expect(auto.issues.filter((i) => i.code === 'wrong-type').map((i) => [i.severity, i.field, i.count])).toEqual([
      ['warning', 'aum', 2], ['warning', 'age', 2], ['warning', 'churned', 2],
    ]);
    expect(auto.mapping).toEqual({ clientId: 'clientId', openDate: 'openDate' });
    expect(auto.unmappedColumns).toEqual(['aum', 'age', 'churned']);
  });

  it('applies range, id and category checks as CSV does', () => {
    const { table, report } = json([
      { clientId: 'A', aum: -1, tier: 'hnw' },
      { clientId: 'A', aum: 2, tier: 'platinum' },
      { clientId: null, aum: 3 },
      { clientId: 'B', aum: 4, tier: 'platinum' },
    ]);
    expect(col(table, 'clientId')).toEqual(['B']);
    expect(only(report.issues, 'out-of-range')).toMatchObject({ field: 'aum', rows: [1] });
    expect(only(report.issues, 'duplicate-id')).toMatchObject({ rows: [2], examples: ['A'] });
    expect(only(report.issues, 'missing-id')).toMatchObject({ rows: [3] });
    expect(only(report.issues, 'unknown-category')).toMatchObject({ severity: 'warning', field: 'tier', rows: [4], examples: ['platinum'] });
    expect(() => json([{ clientId: 'A', aum: -1 }], { onDirtyRow: 'fail' })).toThrow(IngestError);
  });

  it('maps Chinese keys by alias', () => {
    const { table, report } = json([{ 客户编号: 'C1', 客户名称: '王伟', 资产: '1234.5', 流失: '是' }], { onDirtyRow: 'keep' });
    expect(report.mapping).toEqual({ clientId: '客户编号', name: '客户名称', aum: '资产' });
    expect(col(table, 'name')).toEqual(['王伟']);
    expect(col(table, 'aum')).toEqual([1234.5]);
    // 是/否 are not among the accepted yes/no spellings; the column is explicit only through the alias, so it is dropped.
    expect(only(report.issues, 'wrong-type')).toMatchObject({ severity: 'warning', field: 'churned', column: '流失' });
  });
});

describe('JSON rows: real data', () => {
  it('reads Churn_Modelling converted to JSON in the test, matching the CSV text', () => {
    const text = new TextDecoder().decode(readFileSync(new URL('../../../shared/datasets/churn_modelling/Churn_Modelling.csv', import.meta.url)));
    const lines = text.split('\n').filter((l) => l.length > 0);
    const head = lines[0].split(',');
    const objects = lines.slice(1).map((l) => {
      const cells = l.split(',');
      // Numbers as JSON numbers, except Balance as a string to exercise the text path.
      return Object.fromEntries(head.map((h, i) => [h, h === 'Surname' || h === 'Geography' || h === 'Gender' || h === 'Balance' ? cells[i] : Number(cells[i])]));
    });
    let balance = 0;
    for (const o of objects) balance += Number(o.Balance);
    const { table, report } = json(objects, { mapping: { clientId: 'CustomerId', name: 'Surname', aum: 'Balance', churned: 'Exited' } });
    expect(report.rowsKept).toBe(10_000);
    expect(report.issues).toEqual([]);
    let sum = 0;
    for (const v of table.getChild('aum')!) sum += v as number;
    expect(sum).toBe(balance);
    expect(col(table, 'clientId')[0]).toBe(String(objects[0].CustomerId));
    expect(col(table, 'churned').filter(Boolean)).toHaveLength(objects.filter((o) => o.Exited === 1).length);
  });
});
