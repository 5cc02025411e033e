/**
 * 'YYYY-MM-DD' (a real calendar date, years 0001-9999) -> days since 1970-01-01, or null: the
 * reading filter.ts gives a day in a filter spec. The churn elements read as-of days on the page,
 * where filter.ts (the row filters) is not loaded; filter.ts re-exports it.
 */
import { daysFromCivil } from '../../src/schema/arrow-columns.js';

export function parseIsoDay(s: unknown): number | null {
  const m = typeof s === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(s) : null;
  if (!m) return null;
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  const day = daysFromCivil(y, mo, d);
  const back = new Date(day * 86_400_000);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() + 1 !== mo || back.getUTCDate() !== d) return null;
  return day;
}
