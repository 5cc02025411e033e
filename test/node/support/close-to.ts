/**
 * Deep equality for kernel results computed by two engines: same keys in the same order, same
 * types, same nulls; numbers equal to 1e-9 relative (the local sums are exact, the engine's are
 * compensated float sums), NaN only against NaN. Returns the path of the first difference.
 */
export function firstDifference(a: unknown, b: unknown, path = '$', rel = 1e-9): string | null {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? null : `${path}: ${a} vs ${b}`;
    if (a === b) return null;
    const scale = Math.max(Math.abs(a), Math.abs(b));
    return Math.abs(a - b) <= rel * scale ? null : `${path}: ${a} vs ${b}`;
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return Object.is(a, b) || a === b ? null : `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array vs object`;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.join('\u0000') !== kb.join('\u0000')) return `${path}: keys [${ka.join(', ')}] vs [${kb.join(', ')}]`;
  for (const k of ka) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, rel);
    if (d) return d;
  }
  return null;
}
