/**
 * CSV of the data behind a chart. Safe to open in a spreadsheet: a cell starting with = + - @ or a
 * tab / carriage return is prefixed with a quote mark so it is shown as text, never run as a
 * formula (CSV injection); negative numbers are written as numbers, not text.
 */
import { isMaskableField, maskedFields, maskValue } from '../privacy/masking.js';

export type CsvCell = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let s = String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * RFC 4180 CSV with a header row and CRLF line ends, prefixed with a BOM so Excel reads UTF-8.
 * Columns named after a sensitive field (name, clientId, rm) are masked by the page's policy
 * (setMasking), so every element's export follows it without each one remembering to.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const lines = [header.map(csvCell).join(',')];
  const masked = header.map((h) => (isMaskableField(h) && maskedFields().has(h) ? h : null));
  for (const row of rows) lines.push(row.map((v, i) => csvCell(masked[i] !== null && typeof v === 'string' ? maskValue(masked[i]!, v) : v)).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
