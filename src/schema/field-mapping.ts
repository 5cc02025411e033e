/**
 * Field mapping: which of a bank's own columns feeds which ClientSchema field.
 *
 * Explicit entries win; fields left out are matched by alias (case, spaces, `_` and `-` ignored)
 * unless `auto` is false. Every problem is reported at once, each naming the field and column.
 */
import { CLIENT_FIELDS, CLIENT_SCHEMA, REQUIRED_FIELDS, isClientField, type ClientField } from './client-schema.js';
import { issue, type IngestIssue } from '../ingest/ingest-report.js';
import { describe } from '../../workers/kernels/spec-checks.js';

/** `{ aum: 'Balance_CNY', clientId: 'CustomerId' }`: schema field -> the bank's column name. */
export type FieldMapping = Partial<Record<ClientField, string>>;

export interface ResolvedMapping {
  /** Field -> index of the source column. */
  readonly fields: ReadonlyMap<ClientField, number>;
  /** Field -> source column name (for messages and reports). */
  readonly columns: ReadonlyMap<ClientField, string>;
  /** Source columns no field reads. */
  readonly unmapped: readonly string[];
  readonly issues: readonly IngestIssue[];
}

export function normaliseColumnName(name: string): string {
  return name.normalize('NFKC').trim().toLowerCase().replace(/[\s_\-.()]/g, '');
}

export interface ResolveOptions {
  /** Match unmapped fields by alias. Default true. */
  auto?: boolean;
  /** Fields the caller needs on top of REQUIRED_FIELDS. */
  required?: readonly ClientField[];
}

/**
 * Resolves a mapping against the header of a file. `mapping` is untrusted input (it may come from
 * an HTML attribute), so its shape is checked here too.
 */
export function resolveMapping(header: readonly string[], mapping: unknown = {}, options: ResolveOptions = {}): ResolvedMapping {
  const issues: IngestIssue[] = [];
  const fields = new Map<ClientField, number>();
  const columns = new Map<ClientField, string>();
  const used = new Map<number, ClientField>();

  const exact = new Map<string, number>();
  const byNormal = new Map<string, number>();
  header.forEach((name, i) => {
    if (!exact.has(name)) exact.set(name, i);
    const n = normaliseColumnName(name);
    if (!byNormal.has(n)) byNormal.set(n, i);
  });

  const take = (field: ClientField, index: number) => {
    const other = used.get(index);
    if (other) {
      issues.push(issue('error', 'mapping-conflict', `Column "${header[index]}" is mapped to both "${other}" and "${field}"; a column can feed only one field.`, { field, column: header[index] }));
      return;
    }
    fields.set(field, index);
    columns.set(field, header[index]);
    used.set(index, field);
  };

  if (mapping === null || typeof mapping !== 'object' || Array.isArray(mapping)) {
    issues.push(issue('error', 'invalid-mapping', `The field mapping must be an object like {"aum": "Balance"}; got ${Array.isArray(mapping) ? 'an array' : typeof mapping}.`, {}));
    mapping = {};
  }
  for (const [field, column] of Object.entries(mapping as Record<string, unknown>)) {
    if (!isClientField(field)) {
      issues.push(issue('error', 'unknown-field', `The field mapping names ${describe(field)}, which is not a client field. Expected one of: ${CLIENT_FIELDS.join(', ')}.`, { column: typeof column === 'string' ? column : undefined }));
      continue;
    }
    if (typeof column !== 'string' || column.length === 0) {
      issues.push(issue('error', 'invalid-mapping', `The field mapping for "${field}" must be a column name (a non-empty string); got ${describe(column)}.`, { field }));
      continue;
    }
    const index = exact.get(column) ?? byNormal.get(normaliseColumnName(column));
    if (index === undefined) {
      const shown = header.slice(0, 30).map((h) => describe(h)).join(', ') + (header.length > 30 ? ', ...' : '');
      issues.push(issue('error', 'missing-column', `The field mapping sends column ${describe(column)} to "${field}", but the data has no such column. Columns found: ${shown || '(none)'}.`, { field, column }));
      continue;
    }
    take(field, index);
  }

  if (options.auto !== false) {
    for (const field of CLIENT_FIELDS) {
      if (fields.has(field) || Object.prototype.hasOwnProperty.call(mapping, field)) continue;
      for (const alias of [normaliseColumnName(field), ...CLIENT_SCHEMA.get(field)!.aliases]) {
        const index = byNormal.get(alias);
        if (index !== undefined && !used.has(index)) {
          take(field, index);
          break;
        }
      }
    }
  }

  for (const field of new Set([...REQUIRED_FIELDS, ...(options.required ?? [])])) {
    // A field whose explicit entry already failed (missing column, conflict) is not reported twice.
    if (!fields.has(field) && !issues.some((i) => i.field === field)) {
      const def = CLIENT_SCHEMA.get(field)!;
      issues.push(issue('error', 'missing-required-column', `Required field "${field}" (${def.label}) has no column. Add a column named "${field}" or map one of yours to it.`, { field }));
    }
  }

  const unmapped = header.filter((_, i) => !used.has(i));
  return { fields, columns, unmapped, issues };
}
