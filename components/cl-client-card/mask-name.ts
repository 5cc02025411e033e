/**
 * Masked display of a client's name for screens that others can see (DOMAIN.md: collect and show
 * the minimum): the first character stays, the rest become stars, "王伟" -> "王*", "王小明" -> "王**".
 * Characters are counted by code point, so a name outside the BMP is never cut in half; at most
 * four stars, so long company names do not leak their length.
 */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length === 0) return '';
  if (chars.length === 1) return '*';
  return chars[0] + '*'.repeat(Math.min(chars.length - 1, 4));
}
