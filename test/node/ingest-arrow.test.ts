import { describe, expect, it } from 'vitest';
import {
  Bool, DateDay, Decimal, Dictionary, Field, Float32, Float64, Int32, Int64, Int8, List, Null, Table, TimeUnit, Timestamp, TimestampSecond, Utf8,
  makeData, makeVector, tableToIPC, vectorFromArray, type Vector,
} from 'apache-arrow';
import { ingest, sniffFormat, type IngestOptions } from '../../src/ingest/ingest.js';
import { IngestError, type IngestIssue } from '../../src/ingest/ingest-report.js';
import { readArrowIpc } from '../../src/ingest/arrow-ipc.js';

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

const table = (columns: Record<string, Vector>) => new Table(columns);
const ipc = (t: Table, kind: 'file' | 'stream' = 'file') => tableToIPC(t, kind);

/** A core-banking style extract: upper-case names, Int64 ids, Float32 balances, zoned timestamps. */
function bankExtract(): Table {
  return table({
    CIF_NO: vectorFromArray([15634602n, 2n ** 60n, 15619304n, 15701354n], new Int64()),
    CUST_NAME: vectorFromArray(['王伟', 'Hill', null, 'Onio'], new Utf8()),
    AUM_BAL: vectorFromArray([1234.56, 0.1, null, 83807.86], new Float32()),
    TXN_CNT: vectorFromArray([10n, 2n ** 53n + 1n, null, 0n], new Int64()),
    // 2024-01-04 16:30 UTC is 2024-01-05 00:30 in Shanghai (UTC+8, no DST).
    LAST_TXN_TS: vectorFromArray([Date.UTC(2024, 0, 4, 16, 30), Date.UTC(2024, 5, 1, 2, 0), null, Date.UTC(2023, 11, 31, 15, 59)], new Timestamp(TimeUnit.MILLISECOND, 'Asia/Shanghai')),
    OPEN_DT: vectorFromArray([new Date(Date.UTC(2020, 1, 29)), null, new Date(Date.UTC(1999, 11, 31)), new Date(Date.UTC(2010, 6, 1))], new DateDay()),
    BRANCH: vectorFromArray(['Pudong', 'Xuhui', 'Pudong', null], new Dictionary(new Utf8(), new Int32())),
    CHURN_FLAG: vectorFromArray([false, true, null, false], new Bool()),
    AGE: vectorFromArray([40, 35, null, 29], new Int8()),
    RISK: vectorFromArray(['3', ' 5 ', 'high', null], new Utf8()),
    NPS_SCORE: vectorFromArray([9, 7.5, null, 10], new Float64()),
  });
}

const bankMapping: IngestOptions['mapping'] = {
  name: 'CUST_NAME', aum: 'AUM_BAL', txnCount12m: 'TXN_CNT', lastTxnDate: 'LAST_TXN_TS', openDate: 'OPEN_DT', churned: 'CHURN_FLAG', riskLevel: 'RISK', npsScore: 'NPS_SCORE',
};

describe('Arrow IPC: file and stream round trip', () => {
  for (const kind of ['file', 'stream'] as const) {
    it(`reads the ${kind} format, converting each column to its storage type`, () => {
      const bytes = ipc(bankExtract(), kind);
      expect(sniffFormat(bytes)).toBe('arrow');
      const { table: t, report } = ingest(bytes, { mapping: bankMapping, onDirtyRow: 'keep' });
      expect(report.format).toBe('arrow');
      expect(report.mapping).toEqual({ ...bankMapping, clientId: 'CIF_NO', branch: 'BRANCH', age: 'AGE' });
      expect(report.unmappedColumns).toEqual([]);
      expect(t.numRows).toBe(4);

      expect(col(t, 'clientId')).toEqual(['15634602', String(2n ** 60n), '15619304', '15701354']);
      expect(col(t, 'name')).toEqual(['王伟', 'Hill', null, 'Onio']);
      expect(col(t, 'aum')).toEqual([Math.fround(1234.56), Math.fround(0.1), null, Math.fround(83807.86)]);
      expect(t.getChild('aum')!.get(2)).toBe(null);
      expect(col(t, 'txnCount12m')).toEqual([10, null, null, 0]);
      expect(col(t, 'lastTxnDate')).toEqual([Date.UTC(2024, 0, 5), Date.UTC(2024, 5, 1), null, Date.UTC(2023, 11, 31)]);
      expect(col(t, 'openDate')).toEqual([Date.UTC(2020, 1, 29), null, Date.UTC(1999, 11, 31), Date.UTC(2010, 6, 1)]);
      expect(col(t, 'branch')).toEqual(['Pudong', 'Xuhui', 'Pudong', null]);
      expect(col(t, 'churned')).toEqual([false, true, null, false]);
      expect(col(t, 'age')).toEqual([40, 35, null, 29]);
      expect(col(t, 'riskLevel')).toEqual([3, 5, null, null]);
      expect(col(t, 'npsScore')).toEqual([9, null, null, 10]);
      expect(t.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
        'clientId:Utf8', 'name:Utf8', 'branch:Dictionary<Int32, Utf8>', 'aum:Float64', 'txnCount12m:Int32', 'lastTxnDate:Date32<DAY>',
        'riskLevel:Int32', 'npsScore:Int32', 'openDate:Date32<DAY>', 'age:Int32', 'churned:Bool',
      ]);

      // The cells that did not fit, each by field and row.
      const summary = report.issues.map((i) => `${i.code}:${i.field}:${i.rows!.join('+')}:${i.examples!.join('|')}`).sort();
      expect(summary).toEqual([
        `out-of-range:txnCount12m:2:${2n ** 53n + 1n}`,
        'unparseable-number:npsScore:2:7.5',
        'unparseable-number:riskLevel:3:high',
      ]);
      expect(report.dirtyRows).toBe(2);
      expect(ingest(bytes, { mapping: bankMapping }).table.numRows).toBe(2);
    });
  }
});

describe('Arrow IPC: type checks', () => {
  it('fails naming every explicitly mapped column whose Arrow type cannot convert', () => {
    const t = table({
      id: vectorFromArray(['A', 'B'], new Utf8()),
      holdings: vectorFromArray([[1], [2]], new List(new Field('item', new Float64(), true))),
      opened: vectorFromArray([true, false], new Bool()),
    });
    const err = ingestError(() => ingest(ipc(t), { mapping: { aum: 'holdings', openDate: 'opened' } }));
    expect(err.issues).toHaveLength(2);
    const [aum, open] = err.issues;
    expect(aum).toMatchObject({ code: 'wrong-type', severity: 'error', field: 'aum', column: 'holdings', examples: ['List<Float64>'] });
    expect(aum.message).toContain('Arrow type List<Float64>');
    expect(aum.message).toContain('expected a numeric type');
    expect(open).toMatchObject({ code: 'wrong-type', field: 'openDate', column: 'opened', examples: ['Bool'] });
    expect(open.message).toContain('expected Date, Timestamp');
  });

  it('ignores, with a warning, a column matched by name only whose type cannot convert', () => {
    const t = table({
      clientId: vectorFromArray(['A', 'B'], new Utf8()),
      region: vectorFromArray([['x'], ['y']], new List(new Field('item', new Utf8(), true))),
    });
    const { table: out, report } = ingest(ipc(t));
    expect(out.schema.fields.map((f) => f.name)).toEqual(['clientId']);
    expect(only(report.issues, 'wrong-type')).toMatchObject({ severity: 'warning', field: 'region', column: 'region', examples: ['List<Utf8>'] });
    expect(report.unmappedColumns).toEqual(['region']);
  });

  it('reads Decimal, Null and integer-coded booleans, and keeps reading after a value the getter refuses', () => {
    // Decimal128 with scale 2: 123456 -> 1234.56, -5 -> -0.05 (two's complement words, low first).
    const dec = makeVector(makeData({ type: new Decimal(2, 18, 128), length: 3, data: new Uint32Array([123456, 0, 0, 0, (-5) >>> 0, 0xffffffff, 0xffffffff, 0xffffffff, 7, 0, 0, 0]) }));
    const seconds = makeVector(makeData({ type: new TimestampSecond(), length: 3, data: new BigInt64Array([86_400n, 2n ** 60n, 2n * 86_400n]) }));
    const t = table({
      clientId: vectorFromArray(['A', 'B', 'C'], new Utf8()),
      AUM_DEC: dec,
      note: makeVector(makeData({ type: new Null(), length: 3 })),
      EXITED: vectorFromArray([0, 1, 2], new Int8()),
      SEEN: seconds,
    });
    const { table: out, report } = ingest(ipc(t, 'stream'), { mapping: { aum: 'AUM_DEC', segment: 'note', churned: 'EXITED', lastTxnDate: 'SEEN' }, onDirtyRow: 'keep' });
    expect(col(out, 'aum')).toEqual([1234.56, null, 0.07]);
    expect(col(out, 'segment')).toEqual([null, null, null]);
    expect(col(out, 'churned')).toEqual([false, true, null]);
    expect(col(out, 'lastTxnDate')).toEqual([86_400_000, null, 2 * 86_400_000]);
    const summary = report.issues.map((i) => `${i.code}:${i.field}:${i.rows!.join('+')}`).sort();
    expect(summary).toEqual(['out-of-range:aum:2', 'unparseable-bool:churned:3', 'unparseable-date:lastTxnDate:2']);
  });

  it('applies duplicate-id and category checks to Arrow input', () => {
    const t = table({
      CIF: vectorFromArray([1n, 2n, 1n], new Int64()),
      TIER: vectorFromArray(['hnw', 'gold', 'mass'], new Dictionary(new Utf8(), new Int32())),
    });
    const { table: out, report } = ingest(ipc(t));
    expect(col(out, 'clientId')).toEqual(['1', '2']);
    expect(only(report.issues, 'duplicate-id')).toMatchObject({ rows: [3], examples: ['1'] });
    expect(only(report.issues, 'unknown-category')).toMatchObject({ field: 'tier', column: 'TIER', rows: [2], examples: ['gold'] });
  });
});

describe('Arrow IPC: bad input and limits', () => {
  it('reports bytes that are not Arrow', () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('ARROW1'), 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(only(ingestError(() => ingest(bytes)).issues, 'malformed-input').message).toContain('not a readable Arrow IPC');
  });

  it('refuses a table without rows', () => {
    const t = table({ clientId: vectorFromArray([], new Utf8()) });
    expect(only(ingestError(() => readArrowIpc(ipc(t))).issues, 'empty-input')).toBeTruthy();
  });

  it('enforces maxRows and maxBytes', () => {
    const bytes = ipc(table({ clientId: vectorFromArray(['A', 'B', 'C'], new Utf8()) }));
    const rows = only(ingestError(() => ingest(bytes, { maxRows: 2 })).issues, 'limit-exceeded');
    expect(rows.message).toContain('has 3 rows');
    expect(rows.message).toContain('maxRows = 2');
    const size = only(ingestError(() => ingest(bytes, { maxBytes: 100 })).issues, 'limit-exceeded');
    expect(size.message).toContain(`${bytes.length.toLocaleString('en-US')} bytes`);
    expect(size.message).toContain('maxBytes = 100 bytes');
  });
});
