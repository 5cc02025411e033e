import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from '../../src/export/csv.js';

describe('CSV export', () => {
  it('neutralises cells a spreadsheet would run as formulas', () => {
    for (const payload of ['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1']) {
      const cell = csvCell(payload);
      const unquoted = cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell;
      expect(unquoted.startsWith("'"), payload).toBe(true);
    }
  });

  it('keeps negative numbers numeric and drops non-finite ones', () => {
    expect(csvCell(-12.5)).toBe('-12.5');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(Infinity)).toBe('');
    expect(csvCell(null)).toBe('');
  });

  it('quotes separators, quotes and line breaks (RFC 4180) and keeps Chinese text', () => {
    const csv = toCsv(['名称', 'note'], [['王伟', 'a, "b"\nc'], ['x', ' padded ']]);
    expect(csv).toBe('\uFEFF名称,note\r\n王伟,"a, ""b""\nc"\r\nx," padded "\r\n');
  });
});
