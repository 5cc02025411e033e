/**
 * The audit hook: every time an element reads client data (a kernel query, a page of the at-risk
 * list, one client's card, a model trained on the book), it dispatches a `cl-data-access` event
 * (bubbling, composed) saying who asked, for which dataset and fields, when and for what. The host
 * page forwards it to its own log, e.g.
 *   document.addEventListener('cl-data-access', (e) => audit.log(e.detail));
 * It reports requests, not results: nothing of the data itself is in the event.
 */
import type { Dataset } from '../dataset/data-hub.js';
import { impliedColumns } from '../../workers/kernels/implied-columns.js';

export interface DataAccessDetail {
  /** The element that asked: tag name, with `#id` when it has one. */
  readonly who: string;
  /** Dataset id and version (the cache identity). */
  readonly dataset: string;
  readonly version: string;
  /** What was run: a kernel name, or e.g. 'train-churn'. */
  readonly purpose: string;
  /** Columns of the dataset the request reads (every column for a whole-client lookup). */
  readonly fields: readonly string[];
  /** ISO 8601 time of the request. */
  readonly at: string;
}

/** Every string in a spec that names a column of the dataset, in schema order. */
export function fieldsOfSpec(dataset: Dataset, spec: unknown): string[] {
  const columns = new Set(dataset.columns);
  const found = new Set<string>();
  const seen = new Set<unknown>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      if (columns.has(v)) found.add(v);
    } else if (v && typeof v === 'object' && !seen.has(v)) {
      seen.add(v);
      for (const x of Array.isArray(v) ? v : Object.values(v)) walk(x);
    }
  };
  walk(spec);
  return dataset.columns.filter((c) => found.has(c));
}

/**
 * The columns a kernel query reads: those its spec names, and those the kernel reads by default
 * when the spec leaves them out (e.g. the churn rules' lastTxnDate and assetOutflow3m). Known at
 * once, without the kernel's code (it runs in the workers): implied-columns.ts lists the defaults,
 * erring on the side of a column too many. A spec the kernel refuses reads no row, but is reported
 * the same way.
 */
export function fieldsOfQuery(dataset: Dataset, kernel: string, spec: unknown): string[] {
  return fieldsOfSpec(dataset, [spec, impliedColumns(kernel, spec)]);
}

export function announceDataAccess(el: Element, dataset: Dataset, purpose: string, fields: readonly string[]): void {
  const detail: DataAccessDetail = {
    who: `${el.localName}${el.id ? `#${el.id}` : ''}`,
    dataset: dataset.id,
    version: dataset.version,
    purpose,
    fields: [...fields],
    at: new Date().toISOString(),
  };
  el.dispatchEvent(new CustomEvent<DataAccessDetail>('cl-data-access', { detail, bubbles: true, composed: true }));
}
