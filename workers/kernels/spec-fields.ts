/**
 * Reading fields of an untrusted kernel spec: each failure is a SpecError naming the field.
 * Used by the relationship kernels (profitability, whale curve, churn rules).
 */
import { daysFromCivil } from '../../src/schema/arrow-columns.js';
import { SpecError } from './kernel.js';
import { describe } from './spec-checks.js';

/** The spec as a plain object (undefined/null: all defaults); unknown fields are errors (typos). */
export function specObject(kernel: string, spec: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (spec === undefined || spec === null) return {};
  if (typeof spec !== 'object' || Array.isArray(spec)) throw new SpecError(kernel, 'spec', `must be an object; got ${describe(spec)}.`);
  const o = spec as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new SpecError(kernel, k, `is not a field of this kernel's spec (fields: ${allowed.join(', ')}).`);
  }
  return o;
}

export interface NumberRule {
  readonly min?: number;
  readonly max?: number;
  /** Exclusive bounds. */
  readonly above?: number;
  readonly below?: number;
  readonly integer?: boolean;
}

/** A finite number within the bounds; `fallback` when the field is undefined. */
export function numberField(kernel: string, field: string, value: unknown, fallback: number, rule: NumberRule): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new SpecError(kernel, field, `must be a finite number; got ${describe(value)}.`);
  if (rule.integer && !Number.isInteger(value)) throw new SpecError(kernel, field, `must be an integer; got ${value}.`);
  if (rule.min !== undefined && value < rule.min) throw new SpecError(kernel, field, `must be at least ${rule.min}; got ${value}.`);
  if (rule.max !== undefined && value > rule.max) throw new SpecError(kernel, field, `must be at most ${rule.max}; got ${value}.`);
  if (rule.above !== undefined && !(value > rule.above)) throw new SpecError(kernel, field, `must be greater than ${rule.above}; got ${value}.`);
  if (rule.below !== undefined && !(value < rule.below)) throw new SpecError(kernel, field, `must be less than ${rule.below}; got ${value}.`);
  return value;
}

/**
 * A day as days since 1970-01-01: an ISO date 'YYYY-MM-DD' or an integer day number.
 */
export function dayField(kernel: string, field: string, value: unknown): number {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || Math.abs(value) > 3_000_000) throw new SpecError(kernel, field, `must be an ISO date 'YYYY-MM-DD' or an integer day number; got ${value}.`);
    return value;
  }
  if (typeof value === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (m) {
      const y = Number(m[1]);
      const mo = Number(m[2]);
      const d = Number(m[3]);
      const day = daysFromCivil(y, mo, d);
      const back = new Date(day * 86_400_000);
      if (mo >= 1 && mo <= 12 && back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d) return day;
    }
  }
  throw new SpecError(kernel, field, `must be an ISO date 'YYYY-MM-DD' or an integer day number; got ${describe(value)}.`);
}

/** A short non-empty string (ids, labels). */
export function stringField(kernel: string, field: string, value: unknown, maxLength: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw new SpecError(kernel, field, `must be a non-empty string of at most ${maxLength} characters; got ${describe(value)}.`);
  }
  return value;
}
