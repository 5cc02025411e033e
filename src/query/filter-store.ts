/**
 * Shared, page-level filters: each element (or the host page) owns one named slot of conditions;
 * an element queries with every slot but its own (cross-filtering: a chart that made a selection
 * still shows all its bars, highlighted). Conditions use the kernels' filter language
 * (workers/kernels/filter.ts): `{ column, op, value? , values? }`, combined with AND.
 */
import { Emitter, type Disposable } from '../lifecycle/disposable.js';

export interface FilterCondition {
  readonly column: string;
  readonly op: string;
  readonly value?: unknown;
  readonly values?: readonly unknown[];
}

export interface FilterSpec {
  readonly all?: readonly FilterCondition[];
}

export interface FilterChange {
  readonly source: string;
  readonly conditions: readonly FilterCondition[];
}

export class FilterStore {
  private readonly slots = new Map<string, readonly FilterCondition[]>();
  private readonly changes = new Emitter<FilterChange>();

  /** Replaces the conditions of `source`; an empty list clears it. */
  set(source: string, conditions: readonly FilterCondition[]): void {
    const before = JSON.stringify(this.slots.get(source) ?? []);
    if (conditions.length === 0) this.slots.delete(source);
    else this.slots.set(source, conditions);
    if (before !== JSON.stringify(conditions)) this.changes.emit({ source, conditions });
  }

  /** Listeners subscribed to changes (for leak checks: back to its baseline once elements are gone). */
  get listenerCount(): number {
    return this.changes.size;
  }

  get(source: string): readonly FilterCondition[] {
    return this.slots.get(source) ?? [];
  }

  clear(): void {
    for (const source of [...this.slots.keys()]) this.set(source, []);
  }

  /** Every slot's conditions except `exclude`'s, as one filter spec (undefined when empty). */
  combined(exclude?: string): FilterSpec | undefined {
    const all: FilterCondition[] = [];
    for (const [source, conditions] of this.slots) if (source !== exclude) all.push(...conditions);
    return all.length ? { all } : undefined;
  }

  /** Every slot, for saving a dashboard's state. */
  snapshot(): Record<string, readonly FilterCondition[]> {
    return Object.fromEntries(this.slots);
  }

  onChange(listener: (c: FilterChange) => void): Disposable {
    return this.changes.on(listener);
  }
}
