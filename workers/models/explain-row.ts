/**
 * One client's churn score with the reasons behind it, in words: the per-client explanation the
 * churn-watch list and the client card show. Works on a single row of a table, so a page of a list
 * (a few hundred rows) is explained without scoring the whole dataset.
 */
import type { Table } from 'apache-arrow';
import { forEachDesignBlock } from './features.js';
import { factorsOfRow, type ChurnModel } from './churn-model.js';
import { sigmoid } from './logistic.js';
import { explain, type Reason, type ReasonLocale } from './reasons.js';

export interface RowExplanation {
  /** Probability of churn, 0..1. */
  readonly probability: number;
  /** Factors that raised the score, strongest first. */
  readonly up: readonly Reason[];
  /** Factors that lowered it, strongest first. */
  readonly down: readonly Reason[];
}

export function explainRow(model: ChurnModel, table: Table, row: number, options: { top?: number; locale?: ReasonLocale } = {}): RowExplanation {
  if (!(Number.isInteger(row) && row >= 0 && row < table.numRows)) throw new RangeError(`explainRow: row ${row} is outside the table's ${table.numRows} rows.`);
  let out: RowExplanation | undefined;
  forEachDesignBlock([table.slice(row, row + 1)], model.plan, false, (x) => {
    const { logit, factors } = factorsOfRow(model, x, 0);
    const inputs = factors.map((f) => {
      const g = model.groups[f.group];
      return { column: f.column, value: f.value, contribution: f.contribution, typical: g.typical, storage: g.storage };
    });
    out = { probability: sigmoid(logit), ...explain(inputs, options) };
  });
  // forEachDesignBlock visits every non-empty table, so a one-row slice always yields a row.
  return out!;
}
