/**
 * One fit per page for a question asked by several elements (the clusters of a dataset, its
 * lifetime-value model...): the first ask starts it, later asks get the same promise. A failed
 * fit is not kept, so asking again tries again; a closed dataset drops its fits.
 */
import type { DataHub, Dataset } from '../dataset/data-hub.js';

const fits = new WeakMap<DataHub, Map<string, Promise<unknown>>>();

/** `kind` names the question, `options` what shapes the answer (stable JSON). */
export function sharedFit<T>(hub: DataHub, dataset: Dataset, kind: string, options: unknown, fit: () => Promise<T>): Promise<T> {
  let byKey = fits.get(hub);
  if (!byKey) fits.set(hub, (byKey = new Map()));
  const key = `${kind}|${dataset.key}|${JSON.stringify(options)}`;
  let running = byKey.get(key) as Promise<T> | undefined;
  if (!running) {
    const own = byKey;
    running = fit();
    own.set(key, running);
    running.catch(() => own.delete(key));
    dataset.onDispose(() => own.delete(key));
  }
  return running;
}
