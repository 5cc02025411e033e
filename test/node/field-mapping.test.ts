import { describe, expect, it } from 'vitest';
import { normaliseColumnName, resolveMapping } from '../../src/schema/field-mapping.js';
import { ingest } from '../../src/ingest/ingest.js';
import { IngestError } from '../../src/ingest/ingest-report.js';

const enc = (s: string) => new TextEncoder().encode(s);

function ingestError(run: () => unknown): IngestError {
  try {
    run();
  } catch (e) {
    if (e instanceof IngestError) return e;
    throw e;
  }
  throw new Error('expected an IngestError');
}

describe('resolveMapping', () => {
  it('matches aliases ignoring case, spaces, underscores, dashes and dots', () => {
    const header = ['Row', 'Customer ID', 'BALANCE', 'Num_Of_Products', 'e-mail', 'Last.Txn.Date'];
    const m = resolveMapping(header);
    expect(m.issues).toEqual([]);
    expect(m.fields.get('clientId')).toBe(1);
    expect(m.fields.get('aum')).toBe(2);
    expect(m.fields.get('productsHeld')).toBe(3);
    expect(m.fields.get('lastTxnDate')).toBe(5);
    expect(m.columns.get('aum')).toBe('BALANCE');
    expect(m.unmapped).toEqual(['Row', 'e-mail']);
  });

  it('maps Chinese column names by alias', () => {
    const m = resolveMapping(['客户编号', '客户名称', '资产', '地区', '开户日期', '备注']);
    expect(m.issues).toEqual([]);
    expect(Object.fromEntries(m.columns)).toEqual({ clientId: '客户编号', name: '客户名称', aum: '资产', region: '地区', openDate: '开户日期' });
    expect(m.unmapped).toEqual(['备注']);
  });

  it('normalises full-width letters (NFKC) before matching', () => {
    expect(normaliseColumnName('ＡＵＭ')).toBe('aum');
    expect(resolveMapping(['ＣＩＦ', 'ＡＵＭ']).fields.get('aum')).toBe(1);
  });

  it('lets an explicit entry win over an alias and keeps the alias column free', () => {
    const m = resolveMapping(['id', 'CustomerId', 'Balance'], { clientId: 'CustomerId' });
    expect(m.columns.get('clientId')).toBe('CustomerId');
    expect(m.unmapped).toEqual(['id']);
  });

  it('with auto: false maps only what it is told, and reports the missing required field', () => {
    const m = resolveMapping(['CustomerId', 'Balance'], { aum: 'Balance' }, { auto: false });
    expect([...m.fields.keys()]).toEqual(['aum']);
    expect(m.issues.map((i) => [i.code, i.field])).toEqual([['missing-required-column', 'clientId']]);
  });

  it('reports every mapping problem at once, each naming field and column', () => {
    const m = resolveMapping(['CustomerId', 'Balance', 'Deposit'], {
      clientId: 'CustomerId',
      aum: 'Balance',
      deposits: 'Balance', // conflict: one column, two fields
      wealth: 'Deposit', // not a field
      loans: 42, // not a column name
      revenue: 'Income', // no such column
    }, { required: ['age'] });
    const got = m.issues.map((i) => ({ code: i.code, field: i.field, column: i.column }));
    expect(got).toEqual(expect.arrayContaining([
      { code: 'mapping-conflict', field: 'deposits', column: 'Balance' },
      { code: 'unknown-field', field: undefined, column: 'Deposit' },
      { code: 'invalid-mapping', field: 'loans', column: undefined },
      { code: 'missing-column', field: 'revenue', column: 'Income' },
      { code: 'missing-required-column', field: 'age', column: undefined },
    ]));
    expect(m.issues).toHaveLength(5);
    const missing = m.issues.find((i) => i.code === 'missing-column')!;
    expect(missing.message).toContain('"CustomerId", "Balance", "Deposit"');
  });

  it('reports a required field mapped to a missing column once, as the missing column', () => {
    const m = resolveMapping(['CustomerId'], { clientId: 'CIF' });
    expect(m.issues.map((i) => [i.code, i.field, i.column])).toEqual([['missing-column', 'clientId', 'CIF']]);
  });

  it('refuses a mapping that is not an object', () => {
    for (const bad of [['aum'], 'aum=Balance', null]) {
      const m = resolveMapping(['CustomerId'], bad);
      expect(m.issues.map((i) => i.code)).toContain('invalid-mapping');
    }
  });
});

describe('mapping errors through ingest', () => {
  it('throws one IngestError carrying all mapping issues, not just the first', () => {
    const err = ingestError(() => ingest(enc('CustomerId,Balance\nC1,10\n'), {
      mapping: { aum: 'Saldo', deposits: 'Balance', churned: 'Exited' } as never,
      required: ['age'],
    }));
    const codes = err.issues.map((i) => `${i.code}:${i.field}`).sort();
    expect(codes).toEqual(['missing-column:aum', 'missing-column:churned', 'missing-required-column:age']);
    // Every message reaches the error text.
    expect(err.message.split('\n')).toHaveLength(3);
  });

  it('auto-maps a Chinese header end to end', () => {
    const { table, report } = ingest(enc('客户编号,客户名称,资产\nC1,王伟,100.5\nC2,李娜,7\n'));
    expect(report.mapping).toEqual({ clientId: '客户编号', name: '客户名称', aum: '资产' });
    expect(table.getChild('name')!.toArray()).toEqual(['王伟', '李娜']);
    expect(table.getChild('aum')!.get(0)).toBe(100.5);
  });
});
