import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Table } from 'apache-arrow';
import { ingest, sniffFormat, type IngestOptions } from '../../src/ingest/ingest.js';
import { IngestError, type IngestIssue } from '../../src/ingest/ingest-report.js';
import { readCsv } from '../../src/ingest/csv.js';

const enc = (s: string) => new TextEncoder().encode(s);
const csv = (text: string, options: IngestOptions = {}) => ingest(enc(text), { format: 'csv', ...options });
const dataset = (path: string) => new Uint8Array(readFileSync(new URL(`../../../shared/datasets/${path}`, import.meta.url)));
const dayMs = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);

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

const col = (t: Table, name: string) => [...t.getChild(name)!];

describe('CSV: real datasets', () => {
  const churnMapping = { clientId: 'CustomerId', name: 'Surname', aum: 'Balance', productsHeld: 'NumOfProducts', age: 'Age', region: 'Geography', churned: 'Exited' } as const;

  it('reads Churn_Modelling.csv: 10,000 rows whose Balance sums to the sum of the raw text', () => {
    const bytes = dataset('churn_modelling/Churn_Modelling.csv');
    // Independent reading: the file has no quotes, so splitting lines on ',' is exact.
    const lines = new TextDecoder().decode(bytes).split('\n').filter((l) => l.length > 0);
    const head = lines[0].split(',');
    const rows = lines.slice(1).map((l) => l.split(','));
    const at = (name: string) => head.indexOf(name);
    let balance = 0;
    for (const r of rows) balance += Number(r[at('Balance')]);
    const exited = rows.filter((r) => r[at('Exited')] === '1').length;
    const ages = rows.map((r) => Number(r[at('Age')]));

    const { table, report } = ingest(bytes, { mapping: churnMapping });
    expect(report.format).toBe('csv');
    expect(table.numRows).toBe(10_000);
    expect(report).toMatchObject({ rowsRead: 10_000, rowsKept: 10_000, dirtyRows: 0, issues: [] });
    expect(report.unmappedColumns).toEqual(['RowNumber', 'CreditScore', 'Gender', 'Tenure', 'HasCrCard', 'IsActiveMember', 'EstimatedSalary']);
    let sum = 0;
    for (const v of table.getChild('aum')!) sum += v as number;
    expect(sum).toBe(balance);
    expect(col(table, 'churned').filter((v) => v === true)).toHaveLength(exited);
    expect(exited).toBe(2037); // as the dataset README states
    expect(col(table, 'age')).toEqual(ages);
    expect(col(table, 'clientId').slice(0, 2)).toEqual([rows[0][at('CustomerId')], rows[1][at('CustomerId')]]);
    expect(new Set(col(table, 'region'))).toEqual(new Set(rows.map((r) => r[at('Geography')])));
    expect(String(table.getChild('region')!.type)).toBe('Dictionary<Int32, Utf8>');
  });

  it('reads bank-full.csv: blank IDs, negative balances and a yes/no "loan" column are each reported', () => {
    // The copy has a generated ID column (1..35878) that is blank on its last rows, and
    // balances below zero; "loan" matches the alias of the loans field but holds yes/no.
    const bytes = dataset('uci_bank_marketing/bank-full.csv');
    const lines = new TextDecoder().decode(bytes).split('\n').filter((l) => l.length > 0);
    const head = lines[0].split(',');
    const rows = lines.slice(1).map((l) => l.split(','));
    const id = head.indexOf('ID');
    const bal = head.indexOf('balance');
    const blankIds = rows.flatMap((r, i) => (r[id] === '' ? [i + 1] : []));
    const negative = rows.flatMap((r, i) => (Number(r[bal]) < 0 ? [i + 1] : []));
    const clean = rows.filter((r) => r[id] !== '' && Number(r[bal]) >= 0);
    const dirty = rows.length - clean.length;

    const { table, report } = ingest(bytes);
    expect(report.mapping).toEqual({ clientId: 'ID', aum: 'balance', age: 'age' });
    expect(report.rowsRead).toBe(45_211);
    const loan = only(report.issues, 'wrong-type');
    expect(loan).toMatchObject({ severity: 'warning', field: 'loans', column: 'loan', count: 45_211 });
    expect(report.unmappedColumns).toContain('loan');

    const missing = only(report.issues, 'missing-id');
    expect(missing.count).toBe(blankIds.length);
    expect(missing.rows).toEqual(blankIds.slice(0, 10));
    const range = only(report.issues, 'out-of-range');
    expect(range).toMatchObject({ field: 'aum', column: 'balance', count: negative.length, rows: negative.slice(0, 10) });
    expect(report.dirtyRows).toBe(dirty);
    expect(table.numRows).toBe(clean.length);
    expect(col(table, 'clientId')).toEqual(clean.map((r) => r[id]));
  });

  it('bank-full.csv without auto-mapping has no client id column', () => {
    const err = ingestError(() => ingest(dataset('uci_bank_marketing/bank-full.csv'), { auto: false, mapping: { aum: 'balance' } }));
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatchObject({ code: 'missing-required-column', field: 'clientId' });
  });

  it('bank-additional.csv (";" and quoted fields) has no client id, and a generated-id mapping fails naming the column', () => {
    const bytes = dataset('uci_bank_marketing/bank-additional.csv');
    const missing = ingestError(() => ingest(bytes, { required: ['aum'] }));
    expect(missing.issues.map((i) => `${i.code}:${i.field}`).sort()).toEqual(['missing-required-column:aum', 'missing-required-column:clientId']);

    const generated = ingestError(() => ingest(bytes, { mapping: { clientId: 'row_id' } }));
    const issue = only(generated.issues, 'missing-column');
    expect(issue).toMatchObject({ field: 'clientId', column: 'row_id' });
    // The header was split on ';' and unquoted: the message lists the real column names.
    expect(issue.message).toContain('"age", "job", "marital"');
  });

  it('bank-additional.csv with an id column added in the test parses its quoted ";" fields', () => {
    const text = new TextDecoder().decode(dataset('uci_bank_marketing/bank-additional.csv'));
    const lines = text.split('\n').filter((l) => l.length > 0);
    const withId = ['"row";' + lines[0], ...lines.slice(1).map((l, i) => `"R${i + 1}";${l}`)].join('\n');
    const head = lines[0].split(';').map((h) => h.slice(1, -1));
    const rows = lines.slice(1).map((l) => l.split(';'));
    const ages = rows.map((r) => Number(r[head.indexOf('age')]));

    const { table, report } = ingest(enc(withId), { mapping: { clientId: 'row' }, delimiter: 'auto' });
    expect(table.numRows).toBe(4119);
    expect(col(table, 'age')).toEqual(ages);
    expect(col(table, 'clientId').slice(0, 3)).toEqual(['R1', 'R2', 'R3']);
    expect(report.mapping).toEqual({ clientId: 'row', age: 'age' });
    expect(only(report.issues, 'wrong-type')).toMatchObject({ severity: 'warning', field: 'loans', column: 'loan' });
  });
});

describe('CSV: values by type', () => {
  it('parses every storage type and keeps empty cells null, never 0', () => {
    const { table, report } = csv(
      'clientId,name,region,aum,productsHeld,openDate,churned\n' +
      'C1,Li Wei,East,1234.5,3,2024-01-31,true\n' +
      'C2,,West,,,,\n' +
      'C3,  Zhang  ,  East , 0 ,0,2020/2/29,no\n',
    );
    expect(report.issues).toEqual([]);
    expect(table.numRows).toBe(3);
    const aum = table.getChild('aum')!;
    expect(aum.get(0)).toBe(1234.5);
    expect(aum.get(1)).toBe(null);
    expect(aum.get(2)).toBe(0);
    expect(aum.nullCount).toBe(1);
    expect(col(table, 'productsHeld')).toEqual([3, null, 0]);
    expect(col(table, 'openDate')).toEqual([dayMs(2024, 1, 31), null, dayMs(2020, 2, 29)]);
    expect(col(table, 'churned')).toEqual([true, null, false]);
    // Names are kept as written, categories and ids trimmed.
    expect(col(table, 'name')).toEqual(['Li Wei', null, '  Zhang  ']);
    expect(col(table, 'region')).toEqual(['East', 'West', 'East']);
    expect(String(table.getChild('openDate')!.type)).toBe('Date32<DAY>');
    expect(String(table.getChild('productsHeld')!.type)).toBe('Int32');
  });

  it('parses decimal numbers exactly as Number() does (correct rounding)', () => {
    const texts = ['0.1', '0.2', '0.3', '-0.5', '123456789.123456', '9007199254740991', '9007199254740993', '1.7976931348623157', '0.000001',
      '+7', '.5', '5.', '  42  ', '1e3', '-2.5E-3', '00012.50', '123456789012345678901234567890', '3.141592653589793238462643383279'];
    // Random decimals of every length up to 17 significant digits.
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 3000; i++) {
      const int = String(Math.floor(rnd() * 10 ** Math.floor(rnd() * 12)));
      const frac = String(Math.floor(rnd() * 10 ** 9)).padStart(9, '0').slice(0, Math.floor(rnd() * 10));
      texts.push(`${rnd() < 0.3 ? '-' : ''}${int}${frac ? '.' + frac : ''}`);
    }
    const body = texts.map((t, i) => `C${i},"${t}"`).join('\n');
    const { table, report } = csv(`clientId,revenue\n${body}\n`);
    expect(report.issues).toEqual([]);
    const got = col(table, 'revenue');
    texts.forEach((t, i) => expect(got[i], t).toBe(Number(t.trim())));
  });

  it('refuses NaN, Infinity, 1e309, hex, trailing junk and grouped numbers', () => {
    const bad = ['NaN', 'Infinity', '-Infinity', '1e309', '0x1A', '12abc', '1,234', '1.2.3', '--1', '1e', '$5'];
    const body = bad.map((t, i) => `C${i},"${t}"`).join('\n');
    const { table, report } = csv(`clientId,revenue\n${body}\nOK,5\n`, { onDirtyRow: 'keep' });
    const issue = only(report.issues, 'unparseable-number');
    expect(issue).toMatchObject({ severity: 'error', field: 'revenue', column: 'revenue', count: bad.length, rows: bad.map((_, i) => i + 1).slice(0, 10) });
    expect(issue.examples).toEqual(['NaN', 'Infinity', '-Infinity']);
    expect(col(table, 'revenue')).toEqual([...bad.map(() => null), 5]);
    expect(report.dirtyRows).toBe(bad.length);
  });

  it('accepts grouping only with the thousands option, in groups of three', () => {
    const text = 'clientId,revenue\nA,"1,234,567.25"\nB,"12,34"\nC,"-1,000"\nD,999\n';
    const { table, report } = csv(text, { thousands: ',', onDirtyRow: 'keep' });
    expect(col(table, 'revenue')).toEqual([1234567.25, null, -1000, 999]);
    expect(only(report.issues, 'unparseable-number')).toMatchObject({ rows: [2], examples: ['12,34'] });

    const spaced = csv('clientId;revenue\nA;1 234,5\nB;1\u00a0234\u00a0567\n', { thousands: ' ', decimal: ',' });
    expect(col(spaced.table, 'revenue')).toEqual([1234.5, 1234567]);
  });

  it('reads semicolon files with decimal comma, and refuses decimal comma with a comma delimiter', () => {
    const { table, report } = csv('clientId;aum;revenue\nA;1234,56;-0,5\nB;1.234,5;7\n', { decimal: ',', onDirtyRow: 'keep' });
    expect(col(table, 'aum')).toEqual([1234.56, null]);
    expect(col(table, 'revenue')).toEqual([-0.5, 7]);
    // Without thousands: '.', "1.234,5" is not a number.
    expect(only(report.issues, 'unparseable-number')).toMatchObject({ field: 'aum', rows: [2], examples: ['1.234,5'] });

    const european = csv('clientId;aum\nA;1.234,5\n', { decimal: ',', thousands: '.' });
    expect(col(european.table, 'aum')).toEqual([1234.5]);

    const err = ingestError(() => csv('clientId,aum\nA,"1,5"\n', { decimal: ',' }));
    expect(only(err.issues, 'malformed-input').message).toContain('decimal: ","');
  });

  it('checks that ints are whole and fit in 32 bits', () => {
    const { table, report } = csv('clientId,txnCount12m\nA,3.0\nB,3.5\nC,3000000000\nD,-2147483648\nE,1e3\n', { onDirtyRow: 'keep' });
    expect(col(table, 'txnCount12m')).toEqual([3, null, null, null, 1000]);
    expect(only(report.issues, 'unparseable-number')).toMatchObject({ field: 'txnCount12m', rows: [2], examples: ['3.5'] });
    // Two limits: 3000000000 does not fit Int32; -2147483648 does but is below the field's min of 0.
    const ranges = report.issues.filter((i) => i.code === 'out-of-range');
    expect(ranges.map((i) => [i.field, i.rows, i.examples, i.expected])).toEqual([
      ['txnCount12m', [3], ['3000000000'], 'a whole number from -2147483648 to 2147483647'],
      ['txnCount12m', [4], ['-2147483648'], 'a value of at least 0'],
    ]);
  });

  it('parses dates in the accepted forms and refuses impossible ones', () => {
    const cases: [string, number | null][] = [
      ['2024-02-29', dayMs(2024, 2, 29)],
      ['2024/1/5', dayMs(2024, 1, 5)],
      ['20240105', dayMs(2024, 1, 5)],
      ['2024-01-05T23:59:59+08:00', dayMs(2024, 1, 5)],
      ['2024-01-05 10:00:00', dayMs(2024, 1, 5)],
      ['1969-12-31', -86_400_000],
      ['2000-02-29', dayMs(2000, 2, 29)],
      ['2026-02-30', null],
      ['2023-02-29', null],
      ['1900-02-29', null],
      ['2024-13-01', null],
      ['2024-04-31', null],
      ['05/01/2024', null],
      ['2024-01-05x', null],
      ['2024-01/05', null],
      ['202401051', null],
    ];
    const body = cases.map(([t], i) => `C${i},${t}`).join('\n');
    const { table, report } = csv(`clientId,openDate\n${body}\n`, { onDirtyRow: 'keep' });
    expect(col(table, 'openDate')).toEqual(cases.map(([, v]) => v));
    const bad = cases.flatMap(([, v], i) => (v === null ? [i + 1] : []));
    expect(only(report.issues, 'unparseable-date')).toMatchObject({ field: 'openDate', rows: bad, count: bad.length, examples: ['2026-02-30', '2023-02-29', '1900-02-29'] });
  });

  it('keeps years below 100 literal', () => {
    const { table } = csv('clientId,openDate\nA,0050-03-01\nB,0001-01-01\n');
    const expected = (y: number, m: number, d: number) => {
      const t = new Date(0);
      t.setUTCFullYear(y, m - 1, d);
      return t.getTime();
    };
    expect(col(table, 'openDate')).toEqual([expected(50, 3, 1), expected(1, 1, 1)]);
  });

  it('matches a date to Date.UTC on every day of four centuries of the calendar', () => {
    const days: string[] = [];
    const want: number[] = [];
    for (let t = Date.UTC(1900, 0, 1); t < Date.UTC(2300, 0, 1); t += 86_400_000 * 7) {
      days.push(new Date(t).toISOString().slice(0, 10));
      want.push(t);
    }
    const { table } = csv(`clientId,openDate\n${days.map((d, i) => `C${i},${d}`).join('\n')}\n`);
    expect(col(table, 'openDate')).toEqual(want);
  });

  it('reads booleans in any case and reports others', () => {
    const { table, report } = csv('clientId,churned\nA,TRUE\nB,False\nC,Y\nD,n\nE,yes\nF,NO\nG,1\nH,0\nI,maybe\nJ,2\n', { onDirtyRow: 'keep' });
    expect(col(table, 'churned')).toEqual([true, false, true, false, true, false, true, false, null, null]);
    expect(only(report.issues, 'unparseable-bool')).toMatchObject({ field: 'churned', rows: [9, 10], examples: ['maybe', '2'] });
  });

  it('dictionary-encodes categories and warns (only) about values outside a known list', () => {
    const { table, report } = csv('clientId,tier,channel\nA,hnw,app\nB, gold ,app\nC,hnw,fax\nD,gold,\n');
    expect(table.numRows).toBe(4);
    expect(report.dirtyRows).toBe(0);
    expect(col(table, 'tier')).toEqual(['hnw', 'gold', 'hnw', 'gold']);
    expect(col(table, 'channel')).toEqual(['app', 'app', 'fax', null]);
    const tier = report.issues.find((i) => i.code === 'unknown-category' && i.field === 'tier')!;
    expect(tier).toMatchObject({ severity: 'warning', rows: [2, 4], examples: ['gold'] });
    const channel = report.issues.find((i) => i.code === 'unknown-category' && i.field === 'channel')!;
    expect(channel).toMatchObject({ severity: 'warning', rows: [3], examples: ['fax'] });
    const dict = table.getChild('tier')!.data[0].dictionary!;
    expect([...dict]).toEqual(['hnw', 'gold']);
  });
});

describe('CSV: syntax', () => {
  it('handles quotes, "" escapes, delimiters and newlines inside quotes, and counts data rows, not lines', () => {
    const text = 'clientId,name,aum\n"C1","Smith, ""Jr""",1\n"C2","line one\nline two",x\nC3,plain"quote,3\n';
    const { table, report } = csv(text, { onDirtyRow: 'keep' });
    expect(col(table, 'name')).toEqual(['Smith, "Jr"', 'line one\nline two', 'plain"quote']);
    expect(only(report.issues, 'unparseable-number').rows).toEqual([2]);
  });

  it('handles CRLF, a BOM, a trailing empty line and blank lines', () => {
    const text = '\uFEFFclientId,aum\r\nA,1\r\n\r\nB,2\r\n\r\n';
    const { table, report } = ingest(enc(text));
    expect(report.mapping).toEqual({ clientId: 'clientId', aum: 'aum' });
    expect(col(table, 'clientId')).toEqual(['A', 'B']);
    expect(col(table, 'aum')).toEqual([1, 2]);
    expect(report.rowsRead).toBe(2);
  });

  it('detects ",", ";" and tab delimiters from the header line', () => {
    for (const d of [',', ';', '\t']) {
      const { table } = csv(`clientId${d}name${d}aum\nA${d}"x, y; z"${d}5\n`);
      expect(col(table, 'name')).toEqual(['x, y; z']);
      expect(col(table, 'aum')).toEqual([5]);
    }
    // An explicit delimiter wins over detection (which would pick ';' here).
    const forced = csv('clientId,note;x;y\nA,1;2;3\n', { delimiter: ',' });
    expect(forced.report.unmappedColumns).toEqual(['note;x;y']);
    expect(col(forced.table, 'clientId')).toEqual(['A']);
  });

  it('reports ragged rows (only as such) and leaves them out under every policy', () => {
    // Row 3 is shifted: its "age" cell holds a name; that is not reported as a bad number.
    const text = 'clientId,aum,age\nA,1,30\nB,2\nC,3,Runner,40\nD,4,50\n';
    for (const onDirtyRow of ['exclude', 'keep'] as const) {
      const { table, report } = csv(text, { onDirtyRow });
      expect(col(table, 'clientId')).toEqual(['A', 'D']);
      const ragged = only(report.issues, 'ragged-row');
      expect(ragged).toMatchObject({ severity: 'error', rows: [2, 3], count: 2, examples: ['2 fields', '4 fields'] });
      expect(report.issues).toHaveLength(1);
      expect(report.dirtyRows).toBe(2);
    }
  });

  it('fails on an unterminated quote, naming the row', () => {
    const err = ingestError(() => csv('clientId,name\nA,ok\nB,"never closed\nC,x\n'));
    const issue = only(err.issues, 'malformed-input');
    expect(issue.rows).toEqual([2]);
    expect(issue.message).toContain('Row 2');
    const header = ingestError(() => csv('"clientId,name\nA,b\n'));
    expect(only(header.issues, 'malformed-input').message).toContain('header');
  });

  it('reads Chinese UTF-8 text and column names', () => {
    const text = '客户编号,客户名称,地区,资产,开户日期\nC001,"王伟, 先生",华东,"1234.5",2024-01-05\nC002,李娜,华北,88,2023/12/31\n';
    const { table, report } = ingest(enc(text));
    expect(report.mapping).toEqual({ clientId: '客户编号', name: '客户名称', region: '地区', aum: '资产', openDate: '开户日期' });
    expect(col(table, 'name')).toEqual(['王伟, 先生', '李娜']);
    expect(col(table, 'region')).toEqual(['华东', '华北']);
    expect(col(table, 'aum')).toEqual([1234.5, 88]);
    expect(col(table, 'openDate')).toEqual([dayMs(2024, 1, 5), dayMs(2023, 12, 31)]);
  });

  it('warns about invalid UTF-8 in data and fails on it in the header (GBK files)', () => {
    const head = enc('clientId,name\nA,');
    const bytes = new Uint8Array([...head, 0xc4, 0xe3, 0x0a]); // "你" in GBK
    const { table, report } = ingest(bytes);
    expect(only(report.issues, 'malformed-input')).toMatchObject({ severity: 'warning' });
    expect(col(table, 'name')[0]).toContain('\uFFFD');

    const gbkHeader = new Uint8Array([0xbf, 0xcd, 0xbb, 0xa7, ...enc(',aum\nA,1\n')]); // "客户" in GBK
    const err = ingestError(() => ingest(gbkHeader, { mapping: { clientId: 'x' } }));
    expect(err.issues.map((i) => i.code).sort()).toEqual(['malformed-input', 'missing-column']);
  });

  it('reads a file larger than one decoding slice, with a quoted multi-line, multi-byte field across the cut', () => {
    const slice = 32 << 20; // the reader decodes 32 MiB at a time
    const header = 'clientId,name,aum,openDate\n';
    const parts: string[] = [header];
    let bytes = enc(header).length;
    const names: string[] = [];
    const aums: number[] = [];
    let i = 0;
    const add = (name: string, quoted: boolean) => {
      const line = `C${i},${quoted ? `"${name.replaceAll('"', '""')}"` : name},${i / 4},2024-01-0${1 + (i % 9)}\n`;
      parts.push(line);
      bytes += Buffer.byteLength(line);
      names.push(name);
      aums.push(i / 4);
      i++;
    };
    while (bytes < slice - 40) add(i % 3 === 0 ? `王${i}` : `Name${i}`, false);
    add('跨越\n"切口"的名字，很长很长很长很长很长很长很长很长很长', true); // straddles byte 2^25
    while (bytes < slice + 1000) add(`N${i}`, false);
    const { table, report } = ingest(enc(parts.join('')));
    expect(report.issues).toEqual([]);
    expect(table.numRows).toBe(i);
    // Joined, to compare 900k values quickly.
    expect(col(table, 'name').join('\u0001')).toBe(names.join('\u0001'));
    expect(col(table, 'aum').join()).toBe(aums.join());
    expect(col(table, 'clientId').join()).toBe(names.map((_, k) => `C${k}`).join());
  }, 120_000);

  it('reads a single record longer than a decoding slice', () => {
    const long = 'x'.repeat((32 << 20) + 100);
    const { table } = ingest(enc(`clientId,name,aum\nA,"${long}",1\nB,b,2\n`));
    expect(table.getChild('name')!.get(0)).toHaveLength(long.length);
    expect(col(table, 'aum')).toEqual([1, 2]);
  }, 120_000);
});

describe('CSV: row checks and the dirty-row policy', () => {
  const text = 'clientId,name,aum,riskLevel\nA,first,100,3\nB,neg,-5,2\nA,second,7,1\n,noid,3,1\nC,risky,8,7\nD,bad,abc,2\nE,ok,9,\n';

  it('exclude (default): rows with any error are left out and counted', () => {
    const { table, report } = csv(text);
    expect(col(table, 'clientId')).toEqual(['A', 'E']);
    expect(col(table, 'name')).toEqual(['first', 'ok']);
    expect(report).toMatchObject({ rowsRead: 7, rowsKept: 2, dirtyRows: 5, policy: 'exclude' });
    expect(only(report.issues, 'duplicate-id')).toMatchObject({ field: 'clientId', column: 'clientId', rows: [3], examples: ['A'] });
    expect(only(report.issues, 'missing-id')).toMatchObject({ field: 'clientId', rows: [4] });
    const ranges = report.issues.filter((i) => i.code === 'out-of-range');
    expect(ranges.map((i) => [i.field, i.rows, i.examples])).toEqual([['aum', [2], ['-5']], ['riskLevel', [5], ['7']]]);
    expect(only(report.issues, 'unparseable-number')).toMatchObject({ field: 'aum', rows: [6] });
    expect(table.getChild('riskLevel')!.get(1)).toBe(null);
  });

  it('keep: rows stay with bad cells null; duplicate and missing ids still go', () => {
    const { table, report } = csv(text, { onDirtyRow: 'keep' });
    expect(col(table, 'clientId')).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(col(table, 'aum')).toEqual([100, null, 8, null, 9]);
    expect(col(table, 'riskLevel')).toEqual([3, 2, null, 2, null]);
    expect(table.getChild('aum')!.get(1)).toBe(null);
    expect(report).toMatchObject({ rowsRead: 7, rowsKept: 5, dirtyRows: 5, policy: 'keep' });
  });

  it('fail: throws with the report', () => {
    const err = ingestError(() => csv(text, { onDirtyRow: 'fail' }));
    expect(err.report).toMatchObject({ rowsRead: 7, rowsKept: 0, dirtyRows: 5, policy: 'fail' });
    expect(err.issues.map((i) => i.code)).toEqual(expect.arrayContaining(['out-of-range', 'duplicate-id', 'missing-id', 'unparseable-number']));
    expect(err.message).toContain('Duplicate client id');
    // A clean file passes under 'fail'.
    expect(csv('clientId,aum\nA,1\n', { onDirtyRow: 'fail' }).table.numRows).toBe(1);
  });

  it('prunes category values that only left-out rows used', () => {
    const { table } = csv('clientId,region,aum\nA,East,1\nB,Moon,-1\nC,West,2\n');
    expect([...table.getChild('region')!.data[0].dictionary!]).toEqual(['East', 'West']);
    expect(col(table, 'region')).toEqual(['East', 'West']);
  });
});

describe('CSV: input limits and format', () => {
  it('refuses empty input and a header without rows', () => {
    for (const text of ['', '   \n\n', 'clientId,aum\n', '\uFEFF']) {
      expect(only(ingestError(() => ingest(enc(text))).issues, 'empty-input')).toBeTruthy();
    }
    expect(only(ingestError(() => readCsv(enc('clientId,aum\r\n\r\n'))).issues, 'empty-input').message).toContain('no data rows');
  });

  it('enforces maxBytes and maxRows, naming the limit and the size', () => {
    const text = 'clientId,aum\nA,1\nB,2\nC,3\n';
    const big = only(ingestError(() => csv(text, { maxBytes: 10 })).issues, 'limit-exceeded');
    expect(big.message).toContain('maxBytes = 10 bytes');
    expect(big.message).toContain(`${enc(text).length} bytes`);
    const rows = only(ingestError(() => csv(text, { maxRows: 2 })).issues, 'limit-exceeded');
    expect(rows.message).toContain('maxRows = 2');
    expect(rows.message).toContain('more than 2');
    expect(csv(text, { maxRows: 3 }).table.numRows).toBe(3);
  });

  it('sniffs the format', () => {
    expect(sniffFormat(enc('clientId,aum\n'))).toBe('csv');
    expect(sniffFormat(enc('\uFEFF  [{"clientId":1}]'))).toBe('json');
    expect(sniffFormat(enc('\n{"clientId":1}'))).toBe('json');
  });

  it('reports progress now and then, ending at 1', () => {
    const rows = 200_000;
    const lines = ['clientId,aum'];
    for (let i = 0; i < rows; i++) lines.push(`C${i},${i}`);
    const seen: number[] = [];
    const { table } = csv(lines.join('\n'), { onProgress: (f) => seen.push(f) });
    expect(table.numRows).toBe(rows);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.length).toBeLessThan(10);
    expect(seen.at(-1)).toBe(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
  });
});
