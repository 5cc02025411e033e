/**
 * What a kernel derives from one batch and reads again in a later stage or query (the whale
 * curve's profits, the churn rules' hits), per batch and key. Weakly keyed by the batch: an entry
 * goes with its stored batch or filtered view. Memory for an entry of a view should come from
 * `viewBuffer` (filtered-rows.ts), so that it shares the view's lifetime. The key must name
 * everything besides the batch that the value depends on.
 *
 * At most `perBatch` keys are kept per batch, the least recently used leaving first: a stored batch
 * lives as long as its dataset, and a user trying threshold after threshold must not pile up a
 * copy of the derived data per try.
 */
import type { RecordBatch } from 'apache-arrow';

export class BatchMemo<T> {
  private readonly byBatch = new WeakMap<RecordBatch, Map<string, T>>();

  constructor(private readonly perBatch = 2) {}

  get(batch: RecordBatch, key: string, compute: () => T): T {
    let byKey = this.byBatch.get(batch);
    const hit = byKey?.get(key);
    if (hit !== undefined) {
      // Most recently used last.
      byKey!.delete(key);
      byKey!.set(key, hit);
      return hit;
    }
    const value = compute();
    if (!byKey) this.byBatch.set(batch, (byKey = new Map()));
    if (byKey.size >= this.perBatch) byKey.delete(byKey.keys().next().value!);
    byKey.set(key, value);
    return value;
  }
}
