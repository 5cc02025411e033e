/**
 * What an ingest found wrong, reported all at once so a user can fix a file in one go.
 *
 * Row numbers are 1-based data rows (the first row after a CSV header is row 1). `rows` holds the
 * first MAX_ROWS_SHOWN offenders; `count` is the full number.
 */
import type { ClientField } from '../schema/client-schema.js';

export const MAX_ROWS_SHOWN = 10;

export type IssueSeverity = 'error' | 'warning';

export type IssueCode =
  | 'empty-input'
  | 'malformed-input'
  | 'invalid-mapping'
  | 'unknown-field'
  | 'missing-column'
  | 'mapping-conflict'
  | 'missing-required-column'
  | 'wrong-type'
  | 'unparseable-number'
  | 'unparseable-date'
  | 'unparseable-bool'
  | 'out-of-range'
  | 'missing-id'
  | 'duplicate-id'
  | 'ragged-row'
  | 'unknown-category'
  | 'limit-exceeded';

export interface IngestIssue {
  readonly severity: IssueSeverity;
  readonly code: IssueCode;
  /** Complete English sentence naming field, column, rows and what was expected. */
  readonly message: string;
  readonly field?: ClientField;
  readonly column?: string;
  /** First offending 1-based data rows. */
  readonly rows?: readonly number[];
  /** Total number of offending rows (or values). */
  readonly count?: number;
  /** A few offending raw values, for the message and the UI. */
  readonly examples?: readonly string[];
  readonly expected?: string;
}

export function issue(
  severity: IssueSeverity,
  code: IssueCode,
  message: string,
  detail: Omit<IngestIssue, 'severity' | 'code' | 'message'>,
): IngestIssue {
  return { severity, code, message, ...detail };
}

export type IngestFormat = 'csv' | 'json' | 'arrow';

/** What to do with a row that has any error: keep it with the bad cells null, leave it out, or fail the load. */
export type DirtyRowPolicy = 'keep' | 'exclude' | 'fail';

export interface IngestReport {
  readonly format: IngestFormat;
  readonly rowsRead: number;
  /** Rows in the output table. */
  readonly rowsKept: number;
  /** Rows with at least one error (bad cell, out of range, missing or duplicate id). */
  readonly dirtyRows: number;
  readonly policy: DirtyRowPolicy;
  /** Field -> the source column it was read from. */
  readonly mapping: Readonly<Partial<Record<ClientField, string>>>;
  readonly unmappedColumns: readonly string[];
  readonly issues: readonly IngestIssue[];
}

/** Thrown when nothing usable can come out of an input (or policy 'fail' met a dirty row). */
export class IngestError extends Error {
  override readonly name = 'IngestError';
  constructor(readonly issues: readonly IngestIssue[], readonly report?: IngestReport) {
    super(issues.filter((i) => i.severity === 'error').map((i) => i.message).join('\n') || 'Ingest failed');
  }
}

/**
 * Collects offending rows per (code, field) so the report lists each problem once with its first
 * rows, however many rows have it.
 */
export class IssueCollector {
  private readonly groups = new Map<string, { code: IssueCode; field?: ClientField; column?: string; rows: number[]; count: number; examples: string[]; expected?: string; severity: IssueSeverity }>();

  add(severity: IssueSeverity, code: IssueCode, row: number, detail: { field?: ClientField; column?: string; value?: string; expected?: string }): void {
    const key = `${code}\u0000${detail.field ?? ''}\u0000${detail.column ?? ''}`;
    let g = this.groups.get(key);
    if (!g) {
      g = { code, severity, field: detail.field, column: detail.column, rows: [], count: 0, examples: [], expected: detail.expected };
      this.groups.set(key, g);
    }
    g.count++;
    if (g.rows.length < MAX_ROWS_SHOWN) g.rows.push(row);
    if (detail.value !== undefined && g.examples.length < 3) {
      // Compare in the stored (shortened) form, or a long value would be listed up to three times.
      const shown = detail.value.length > 40 ? detail.value.slice(0, 40) + '...' : detail.value;
      if (!g.examples.includes(shown)) g.examples.push(shown);
    }
  }

  issues(): IngestIssue[] {
    return [...this.groups.values()].map((g) => {
      const where = g.column ? `column "${g.column}"${g.field && g.field !== g.column ? ` (field "${g.field}")` : ''}` : g.field ? `field "${g.field}"` : 'the data';
      const rows = `row${g.count === 1 ? '' : 's'} ${g.rows.join(', ')}${g.count > g.rows.length ? ` and ${g.count - g.rows.length} more` : ''}`;
      const examples = g.examples.length ? `; found ${g.examples.map((e) => JSON.stringify(e)).join(', ')}` : '';
      const expected = g.expected ? `, expected ${g.expected}` : '';
      const message = `${describe(g.code)} in ${where}: ${g.count} value${g.count === 1 ? '' : 's'} at ${rows}${expected}${examples}.`;
      return issue(g.severity, g.code, message, { field: g.field, column: g.column, rows: g.rows, count: g.count, examples: g.examples, expected: g.expected });
    });
  }
}

function describe(code: IssueCode): string {
  switch (code) {
    case 'unparseable-number': return 'Unparseable number';
    case 'unparseable-date': return 'Unparseable date';
    case 'unparseable-bool': return 'Unparseable yes/no value';
    case 'wrong-type': return 'Wrong type';
    case 'out-of-range': return 'Value out of range';
    case 'missing-id': return 'Missing client id';
    case 'duplicate-id': return 'Duplicate client id';
    case 'ragged-row': return 'Wrong number of fields';
    case 'unknown-category': return 'Unknown category value';
    case 'malformed-input': return 'Malformed row';
    default: return code;
  }
}
