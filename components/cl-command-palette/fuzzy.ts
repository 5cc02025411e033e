/**
 * Fuzzy matching for the command palette: every query word must appear in the text as a
 * subsequence (case-insensitive); the best alignment is found by dynamic programming and scored
 * higher for letters at word starts and for runs of consecutive letters, so "cf" ranks
 * "Clear all filters" below "Clear filters" and "tdk" finds "Theme: Dark".
 */
export interface FuzzyMatch {
  readonly score: number;
  /** Indexes of the matched characters in the text, ascending. */
  readonly positions: readonly number[];
}

const MAX_TEXT = 300;
const MAX_QUERY = 100;

function isBoundary(text: string, i: number): boolean {
  if (i === 0) return true;
  const prev = text[i - 1];
  if (/[\s:._/()-]/.test(prev)) return true;
  // camelCase: a capital after a lower-case letter.
  return /[a-z]/.test(prev) && /[A-Z]/.test(text[i]);
}

function matchWord(word: string, text: string, lower: string): FuzzyMatch | null {
  const n = word.length;
  const m = lower.length;
  if (n === 0) return { score: 0, positions: [] };
  if (n > m) return null;
  // best[q][t]: best score with word[q] matched at text[t]; from[q][t]: where word[q-1] matched.
  const best: Float64Array[] = [];
  const from: Int32Array[] = [];
  for (let q = 0; q < n; q++) {
    const row = new Float64Array(m).fill(-Infinity);
    const back = new Int32Array(m).fill(-1);
    let prefixBest = -Infinity;
    let prefixAt = -1;
    for (let t = 0; t < m; t++) {
      // Before looking at t, prefixBest covers previous-row positions < t - 1 (a gap).
      if (q > 0 && t >= 2 && best[q - 1][t - 2] > prefixBest) {
        prefixBest = best[q - 1][t - 2];
        prefixAt = t - 2;
      }
      if (lower[t] !== word[q]) continue;
      const bonus = 1 + (isBoundary(text, t) ? 6 : 0);
      if (q === 0) {
        row[t] = bonus - t * 0.01;
        continue;
      }
      const run = t >= 1 ? best[q - 1][t - 1] + 4 : -Infinity;
      const gap = prefixBest;
      if (run === -Infinity && gap === -Infinity) continue;
      if (run >= gap) {
        row[t] = run + bonus;
        back[t] = t - 1;
      } else {
        row[t] = gap + bonus;
        back[t] = prefixAt;
      }
    }
    best.push(row);
    from.push(back);
  }
  let end = -1;
  let score = -Infinity;
  for (let t = 0; t < m; t++) if (best[n - 1][t] > score) (score = best[n - 1][t]), (end = t);
  if (end < 0) return null;
  const positions: number[] = [];
  for (let q = n - 1, t = end; q >= 0; t = from[q][t], q--) positions.push(t);
  return { score, positions: positions.reverse() };
}

/** Matches a query against a text; null when some query word does not appear. */
export function fuzzyMatch(query: string, text: string): FuzzyMatch | null {
  const words = query.trim().toLowerCase().slice(0, MAX_QUERY).split(/\s+/).filter(Boolean);
  const t = text.slice(0, MAX_TEXT);
  if (words.length === 0) return { score: 0, positions: [] };
  const lower = t.toLowerCase();
  let score = 0;
  const positions = new Set<number>();
  for (const w of words) {
    const m = matchWord(w, t, lower);
    if (!m) return null;
    score += m.score;
    m.positions.forEach((p) => positions.add(p));
  }
  // Shorter texts win ties: "Dark" before "Dark (high contrast)".
  return { score: score - t.length * 0.001, positions: [...positions].sort((a, b) => a - b) };
}

/** Items that match, best first (stable for equal scores). */
export function rankByFuzzy<T>(items: readonly T[], query: string, text: (item: T) => string): { item: T; match: FuzzyMatch }[] {
  const out: { item: T; match: FuzzyMatch; i: number }[] = [];
  items.forEach((item, i) => {
    const match = fuzzyMatch(query, text(item));
    if (match) out.push({ item, match, i });
  });
  if (query.trim()) out.sort((a, b) => b.match.score - a.match.score || a.i - b.i);
  return out.map(({ item, match }) => ({ item, match }));
}
