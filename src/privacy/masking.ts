/**
 * Masking of sensitive fields, set by the host for the whole page and applied by every element in
 * what it shows, its tooltips and tables, and its exports alike. Masking is for display: kernels
 * still see the real values (a client's id is still unique), the screen and files do not.
 */
import { Emitter, type Disposable } from '../lifecycle/disposable.js';

export type MaskableField = 'name' | 'clientId' | 'rm';

let masked = new Set<MaskableField>();
const changes = new Emitter<ReadonlySet<MaskableField>>();

/** Which fields to mask from now on (an empty list turns masking off). */
export function setMasking(fields: readonly MaskableField[]): void {
  for (const f of fields) if (f !== 'name' && f !== 'clientId' && f !== 'rm') throw new TypeError(`setMasking: "${f}" cannot be masked; choose from name, clientId, rm.`);
  masked = new Set(fields);
  changes.emit(masked);
}

export function isMaskableField(name: string): name is MaskableField {
  return name === 'name' || name === 'clientId' || name === 'rm';
}

export function maskedFields(): ReadonlySet<MaskableField> {
  return masked;
}

export function onMaskingChange(listener: (fields: ReadonlySet<MaskableField>) => void): Disposable {
  return changes.on(listener);
}

/**
 * The value as it may be shown: names keep their first character ("王**", "S****"), ids keep their
 * last four ("****5678"); unmasked fields pass through unchanged.
 */
export function maskValue(field: string, value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (!masked.has(field as MaskableField)) return value;
  const chars = [...value];
  if (field === 'clientId') return chars.length <= 4 ? '*'.repeat(chars.length) : '*'.repeat(chars.length - 4) + chars.slice(-4).join('');
  return chars.length <= 1 ? '*' : chars[0] + '*'.repeat(Math.min(chars.length - 1, 6));
}
