/**
 * The semver subset plugins need: versions `1.2.3(-pre)(+build)` and ranges made of comparators
 * (`>=1.2.0 <2`), carets (`^1.2.3`), tildes (`~1.2`), x-ranges (`1.x`, `1.2.*`, `*`), exact
 * versions (`1.2.3`, `=1.2.3`) and alternatives joined by `||`. npm's rules, including: a
 * prerelease version matches only a range that names a prerelease of the same major.minor.patch.
 * Hyphen ranges and loose parsing are left out on purpose.
 */

export interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly prerelease: readonly (string | number)[];
}

const VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
const MAX_LENGTH = 256;

export class SemverError extends Error {
  override readonly name = 'SemverError';
}

/** Parses a full version, or returns null. */
export function parseVersion(text: string): SemVer | null {
  if (typeof text !== 'string' || text.length > MAX_LENGTH) return null;
  const m = VERSION.exec(text.trim());
  if (!m) return null;
  const nums = [m[1], m[2], m[3]].map(Number);
  if (nums.some((n) => !Number.isSafeInteger(n))) return null;
  const prerelease = m[4] ? m[4].split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : [];
  return { major: nums[0], minor: nums[1], patch: nums[2], prerelease };
}

/** Negative, zero or positive as a sorts before, with or after b (build metadata ignored). */
export function compareVersions(a: SemVer, b: SemVer): number {
  const d = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (d) return Math.sign(d);
  const pa = a.prerelease;
  const pb = b.prerelease;
  if (!pa.length || !pb.length) return pa.length ? -1 : pb.length ? 1 : 0;
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if (i >= pa.length) return -1;
    if (i >= pb.length) return 1;
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : 1;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

type Op = '<' | '<=' | '>' | '>=' | '=';

interface Comparator {
  readonly op: Op;
  readonly version: SemVer;
  /** Written by the user with a prerelease (not a synthetic `-0` bound). */
  readonly explicitPre: boolean;
}

/** A parsed range: alternatives (||) of comparator sets (all must hold). An empty set matches any version. */
export type Range = readonly (readonly Comparator[])[];

const PART = '(?:0|[1-9]\\d*|[xX*])';
const PARTIAL = new RegExp(`^v?(${PART})(?:\\.(${PART})(?:\\.(${PART})(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?(?:\\+[0-9A-Za-z.-]+)?)?)?$`);

interface Partial {
  readonly major?: number;
  readonly minor?: number;
  readonly patch?: number;
  readonly pre: readonly (string | number)[];
}

function parsePartial(text: string, range: string): Partial {
  const m = PARTIAL.exec(text);
  if (!m) throw new SemverError(`"${range}" is not a version range: cannot read "${text}" (use forms like ^1.2.0, ~1.2, >=1.0.0 <2, 1.x or *).`);
  const num = (s: string | undefined) => (s === undefined || /^[xX*]$/.test(s) ? undefined : Number(s));
  const major = num(m[1]);
  const minor = major === undefined ? undefined : num(m[2]);
  const patch = minor === undefined ? undefined : num(m[3]);
  const pre = patch !== undefined && m[4] ? m[4].split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : [];
  return { major, minor, patch, pre };
}

const v = (major: number, minor: number, patch: number, prerelease: readonly (string | number)[] = []): SemVer => ({ major, minor, patch, prerelease });
const c = (op: Op, version: SemVer, explicitPre = false): Comparator => ({ op, version, explicitPre });
/** The lowest version above every release of the partial's prefix (`<2.0.0-0`). */
const ceil = (major: number, minor = 0, patch = 0) => v(major, minor, patch, [0]);

function desugar(op: string, p: Partial): Comparator[] {
  const { major, minor, patch, pre } = p;
  const full = major !== undefined && minor !== undefined && patch !== undefined;
  const explicit = pre.length > 0;
  switch (op) {
    case '^': {
      if (major === undefined) return [];
      const lo = v(major, minor ?? 0, patch ?? 0, pre);
      const hi = major > 0 || minor === undefined ? ceil(major + 1) : minor > 0 || patch === undefined ? ceil(0, minor + 1) : ceil(0, 0, patch + 1);
      return [c('>=', lo, explicit), c('<', hi)];
    }
    case '~': {
      if (major === undefined) return [];
      const lo = v(major, minor ?? 0, patch ?? 0, pre);
      const hi = minor === undefined ? ceil(major + 1) : ceil(major, minor + 1);
      return [c('>=', lo, explicit), c('<', hi)];
    }
    case '':
    case '=': {
      if (major === undefined) return [];
      if (full) return [c('=', v(major, minor, patch, pre), explicit)];
      return minor === undefined ? [c('>=', v(major, 0, 0)), c('<', ceil(major + 1))] : [c('>=', v(major, minor, 0)), c('<', ceil(major, minor + 1))];
    }
    case '>=':
      return major === undefined ? [] : [c('>=', v(major, minor ?? 0, patch ?? 0, pre), explicit)];
    case '<':
      return major === undefined ? [c('<', v(0, 0, 0, [0]))] : [c('<', full ? v(major, minor, patch, pre) : v(major, minor ?? 0, 0, [0]), explicit)];
    case '>':
      if (major === undefined) return [c('<', v(0, 0, 0, [0]))];
      if (full) return [c('>', v(major, minor, patch, pre), explicit)];
      return [c('>=', minor === undefined ? v(major + 1, 0, 0) : v(major, minor + 1, 0))];
    case '<=':
      if (major === undefined) return [];
      if (full) return [c('<=', v(major, minor, patch, pre), explicit)];
      return [c('<', minor === undefined ? ceil(major + 1) : ceil(major, minor + 1))];
    default:
      throw new SemverError(`Unknown operator "${op}".`);
  }
}

/** Parses a range; throws SemverError naming what could not be read. */
export function parseRange(range: string): Range {
  if (typeof range !== 'string') throw new SemverError(`A version range must be text; got ${typeof range}.`);
  if (range.length > MAX_LENGTH) throw new SemverError(`A version range is at most ${MAX_LENGTH} characters.`);
  return range.split('||').map((alt) => {
    // `>= 1.2` is written with a space sometimes: join an operator to its version.
    const parts = alt.trim().replace(/(<=|>=|<|>|=|\^|~)\s+/g, '$1').split(/\s+/).filter(Boolean);
    return parts.flatMap((part) => {
      const m = /^(<=|>=|<|>|=|\^|~)?(.*)$/.exec(part)!;
      return desugar(m[1] ?? '', parsePartial(m[2], range));
    });
  });
}

function test(comp: Comparator, version: SemVer): boolean {
  const d = compareVersions(version, comp.version);
  switch (comp.op) {
    case '<': return d < 0;
    case '<=': return d <= 0;
    case '>': return d > 0;
    case '>=': return d >= 0;
    case '=': return d === 0;
  }
}

/** True when `version` satisfies `range`. Throws SemverError for an unreadable range or version. */
export function satisfies(version: string | SemVer, range: string | Range): boolean {
  const ver = typeof version === 'string' ? parseVersion(version) : version;
  if (!ver) throw new SemverError(`"${String(version)}" is not a version (expected major.minor.patch, e.g. 1.4.0).`);
  const alternatives = typeof range === 'string' ? parseRange(range) : range;
  return alternatives.some((set) => {
    if (!set.every((comp) => test(comp, ver))) return false;
    if (ver.prerelease.length === 0) return true;
    // A prerelease only matches a range that names a prerelease of the same release.
    return set.some((comp) => comp.explicitPre && comp.version.major === ver.major && comp.version.minor === ver.minor && comp.version.patch === ver.patch);
  });
}

/** True when the text is a range parseRange accepts. */
export function isValidRange(range: string): boolean {
  try {
    parseRange(range);
    return true;
  } catch {
    return false;
  }
}
