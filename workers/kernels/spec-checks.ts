/**
 * Small checks shared by kernel `validate` functions. Specs are untrusted (they come from element
 * attributes, saved dashboards, worker messages), so each check throws a SpecError that names the
 * exact spec field (e.g. "by[1].bins.edges[2]") and says what was expected.
 */
import { SpecError } from './kernel.js';

/** Longest value shown in a message: a spec may hold a million-entry array or a 100 kB string. */
const MAX_DESCRIBED = 120;

/**
 * A value for an error message: short, and never throws (a BigInt, a cycle or 10,000 levels of
 * nesting would make JSON.stringify or String throw, turning a SpecError into a crash).
 */
export function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (typeof v === 'bigint') return `${v}n (a BigInt)`;
  let text: string;
  try {
    // A long array is shown by its first entries: serialising a million of them costs seconds.
    text = Array.isArray(v) && v.length > 20 ? `${JSON.stringify(v.slice(0, 5)).slice(0, -1)},... (an array of ${v.length} entries)]` : (JSON.stringify(v) ?? typeof v);
  } catch {
    text = Array.isArray(v) ? `an array of ${v.length} entries` : v !== null && typeof v === 'object' ? 'an object that cannot be shown' : typeof v;
  }
  return text.length > MAX_DESCRIBED ? `${text.slice(0, MAX_DESCRIBED)}... (${text.length} characters)` : text;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** An object with only `allowed` keys; unknown keys are an error (usually a typo). */
export function requireObject(kernel: string, field: string, v: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(v)) throw new SpecError(kernel, field, `must be an object; got ${describe(v)}.`);
  for (const key of Object.keys(v)) {
    if (!allowed.includes(key)) throw new SpecError(kernel, `${field ? `${field}.` : ''}${key}`, `is not a known option; expected one of: ${allowed.join(', ')}.`);
  }
  return v;
}

export function requireArray(kernel: string, field: string, v: unknown, minLength = 0): unknown[] {
  if (!Array.isArray(v)) throw new SpecError(kernel, field, `must be an array; got ${describe(v)}.`);
  if (v.length < minLength) throw new SpecError(kernel, field, `must have at least ${minLength} ${minLength === 1 ? 'entry' : 'entries'}; got ${v.length}.`);
  return v;
}

export function requireString(kernel: string, field: string, v: unknown): string {
  if (typeof v !== 'string' || v === '') throw new SpecError(kernel, field, `must be a non-empty string; got ${describe(v)}.`);
  return v;
}

export function requireFinite(kernel: string, field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SpecError(kernel, field, `must be a finite number; got ${describe(v)}.`);
  return v;
}

export function requireInteger(kernel: string, field: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new SpecError(kernel, field, `must be an integer from ${min} to ${max}; got ${describe(v)}.`);
  }
  return v;
}

/** Finite numbers, strictly ascending; `field` names the array, entries are named `field[i]`. */
export function requireAscending(kernel: string, field: string, v: unknown, minLength = 1): number[] {
  const arr = requireArray(kernel, field, v, minLength);
  const out: number[] = [];
  for (let i = 0; i < arr.length; i++) {
    const x = requireFinite(kernel, `${field}[${i}]`, arr[i]);
    if (i > 0 && !(x > out[i - 1])) {
      throw new SpecError(kernel, `${field}[${i}]`, `must be greater than ${field}[${i - 1}] (${out[i - 1]}): the list must be strictly ascending; got ${x}.`);
    }
    out.push(x);
  }
  return out;
}

/** Non-empty strings, all different. */
export function requireLabels(kernel: string, field: string, v: unknown, length?: number): string[] {
  const arr = requireArray(kernel, field, v, 1);
  if (length !== undefined && arr.length !== length) {
    throw new SpecError(kernel, field, `must have ${length} labels (one more than the cut points); got ${arr.length}.`);
  }
  const out: string[] = [];
  const seen = new Set<string>(); // a Set, not out.includes: a hostile spec may list 50,000 labels
  for (let i = 0; i < arr.length; i++) {
    const s = requireString(kernel, `${field}[${i}]`, arr[i]);
    if (seen.has(s)) throw new SpecError(kernel, `${field}[${i}]`, `repeats the label ${describe(s)}; labels must be unique.`);
    out.push(s);
    seen.add(s);
  }
  return out;
}
