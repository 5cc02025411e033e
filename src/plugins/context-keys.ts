/**
 * Context keys: named values (`clientlens.datasetLoaded`, `acme.mode`) that when clauses read.
 * A Map, never an object, so a clause naming `__proto__` or `constructor` reads undefined.
 */
import { Emitter, toDisposable, type Disposable } from '../lifecycle/disposable.js';
import type { ContextValue } from './plugin-api.js';

export class ContextKeys {
  private readonly values = new Map<string, ContextValue>();
  private readonly changes = new Emitter<string>();

  /** Sets a key; disposing the result clears it (if it still holds this value). */
  set(key: string, value: ContextValue): Disposable {
    if (typeof key !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.:-]*$/.test(key)) throw new TypeError(`A context key must be a name like "acme.mode"; got ${JSON.stringify(key)}.`);
    if (value !== undefined && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new TypeError(`Context key "${key}" must be a string, number, boolean or undefined; got ${typeof value}.`);
    }
    const before = this.values.get(key);
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, value);
    if (before !== value) this.changes.emit(key);
    return toDisposable(() => {
      if (this.values.get(key) === value) this.set(key, undefined);
    });
  }

  /** Announces that a derived key (e.g. a `config.*` setting) may have changed. */
  touch(key: string): void {
    this.changes.emit(key);
  }

  get(key: string): ContextValue {
    return this.values.get(key);
  }

  /** A lookup function for evaluateWhen. */
  readonly lookup = (key: string): ContextValue => this.values.get(key);

  onDidChange(listener: (key: string) => void): Disposable {
    return this.changes.on(listener);
  }
}
