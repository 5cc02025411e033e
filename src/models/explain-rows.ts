/**
 * Scores and explains the clients at given global rows (a page of a list, one card) with a churn
 * model: each worker answers for the rows it holds. The reasons come back in the page's language.
 */
import type { Dataset } from '../dataset/data-hub.js';
import type { ChurnModel } from '../../workers/models/churn-model.js';
import { MAX_EXPLAIN_ROWS, type ExplainedRow, type ExplainRowsArgs } from '../../workers/jobs/model-jobs.js';

export interface ExplainRowsOptions {
  readonly locale?: string;
  /** Reasons each way; default 3. */
  readonly top?: number;
  readonly signal?: AbortSignal;
}

export async function explainRows(dataset: Dataset, model: ChurnModel, rows: readonly number[], options: ExplainRowsOptions = {}): Promise<Map<number, ExplainedRow>> {
  const out = new Map<number, ExplainedRow>();
  const distinct = [...new Set(rows)];
  for (let i = 0; i < distinct.length; i += MAX_EXPLAIN_ROWS) {
    const batch = distinct.slice(i, i + MAX_EXPLAIN_ROWS);
    const locale = options.locale?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
    const parts = await dataset.runOnPartitions<ExplainedRow[]>('explain-rows', () => ({ datasetId: dataset.key, model, rows: batch, top: options.top, locale }) satisfies ExplainRowsArgs, { signal: options.signal });
    for (const part of parts) for (const r of part) out.set(r.row, r);
  }
  return out;
}
