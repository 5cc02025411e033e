/** A column's kind from its Arrow type text in a dataset schema (ColumnInfo.type). */
export type ColumnKind = 'float' | 'int' | 'date' | 'category' | 'string' | 'bool' | 'other';

export function kindOf(type: string): ColumnKind {
  if (type.startsWith('Dictionary')) return 'category';
  if (type.startsWith('Float')) return 'float';
  if (/^U?Int/.test(type)) return 'int';
  if (type.startsWith('Date')) return 'date';
  if (type === 'Utf8' || type === 'LargeUtf8') return 'string';
  if (type === 'Bool') return 'bool';
  return 'other';
}
