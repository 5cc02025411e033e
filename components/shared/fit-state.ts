/**
 * What an element knows of a page-shared model fit it waits for (clusters, lifetime value): the
 * key it asked with, and the result or error once they arrive. A new key starts a new ask; an
 * answer to an older key is dropped. The host re-renders when an answer lands.
 */
import type { ReactiveControllerHost } from 'lit';

export interface FitAnswer<T> {
  readonly key: string;
  value?: T;
  error?: Error;
}

export class FitState<T> {
  /** The latest ask and what is known of it. */
  last?: FitAnswer<T>;

  constructor(private readonly host: ReactiveControllerHost) {}

  /** Asks `fit()` when `key` differs from the last ask; returns what is known so far. */
  ask(key: string, fit: () => Promise<T>): FitAnswer<T> {
    if (this.last?.key !== key) {
      const answer: FitAnswer<T> = (this.last = { key });
      fit().then(
        (v) => this.last === answer && ((answer.value = v), this.host.requestUpdate()),
        (e: Error) => this.last === answer && ((answer.error = e), this.host.requestUpdate()),
      );
    }
    return this.last!;
  }
}
