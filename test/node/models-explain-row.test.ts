// explainRow (one client's score and reasons, what the list and the card show) against scoreChurn,
// the whole-table scorer with its own top-k selection: same probability, same reasons, both model
// kinds; and the default features of the client schema (no leaking lifecycle stage).
import { describe, expect, it } from 'vitest';
import { decodeFactorValue, scoreChurn, trainChurnModel, type ChurnModel } from '../../workers/models/churn-model.js';
import { explainRow } from '../../workers/models/explain-row.js';
import { describeFactor } from '../../workers/models/reasons.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { defaultChurnFeatures, MissingLabelError } from '../../src/models/default-churn-features.js';
import { schemaOfTable } from '../../workers/kernels/run-local.js';

const tables = generatePortfolio({ rows: 6000, seed: 11 });
const spec = defaultChurnFeatures(schemaOfTable(tables[0]));

describe('defaultChurnFeatures', () => {
  it('uses the churned label and leaves identifiers and lifecycle stage out', () => {
    expect(spec.target).toEqual({ column: 'churned' });
    const used = [...(spec.numeric ?? []), ...(spec.categorical ?? [])];
    for (const c of ['clientId', 'name', 'rm', 'branch', 'lifecycleStage', 'churned']) expect(used).not.toContain(c);
    expect(used).toContain('lastTxnDate');
    expect(used).toContain('assetOutflow3m');
  });

  it('says what is missing when there is no label', () => {
    expect(() => defaultChurnFeatures([{ name: 'clientId', type: 'Utf8' }, { name: 'aum', type: 'Float64' }])).toThrow(MissingLabelError);
    expect(() => defaultChurnFeatures([{ name: 'clientId', type: 'Utf8' }])).toThrow(/"churned" column/);
  });
});

for (const kind of ['logistic', 'gbdt'] as const) {
  describe(`explainRow, ${kind}`, () => {
    let model: ChurnModel;
    it('trains', async () => {
      model = await trainChurnModel(tables, spec, { kind, folds: 2, gbdt: { trees: 20 } });
      expect(model.metrics.auc).toBeGreaterThan(0.6);
    });

    it('gives the whole-table scorer\'s probability and top reasons for every sampled row', async () => {
      const table = tables[0];
      const scores = await scoreChurn(model, [table], { reasons: 3 });
      const k = scores.reasons;
      for (let row = 0; row < table.numRows; row += 97) {
        const e = explainRow(model, table, row, { top: 3 });
        expect(e.probability).toBeCloseTo(scores.probability[row], 12);
        for (const dir of ['up', 'down'] as const) {
          const expected: string[] = [];
          for (let s = 0; s < k; s++) {
            const g = scores[`${dir}Group`][row * k + s];
            if (g < 0) continue;
            const gr = model.groups[g];
            const contribution = scores[`${dir}Contribution`][row * k + s];
            expected.push(describeFactor({ column: gr.column, value: decodeFactorValue(gr, scores[`${dir}Value`][row * k + s]), contribution, typical: gr.typical, storage: gr.storage }));
          }
          expect(e[dir].map((r) => r.text), `row ${row} ${dir}`).toEqual(expected);
          for (const r of e[dir]) expect(dir === 'up' ? r.contribution > 0 : r.contribution < 0).toBe(true);
        }
      }
    });

    it('speaks Chinese when asked, and refuses a row outside the table', () => {
      const e = explainRow(model, tables[0], 0, { locale: 'zh-CN' });
      expect([...e.up, ...e.down].some((r) => /[\u4e00-\u9fff]/.test(r.text))).toBe(true);
      expect(() => explainRow(model, tables[0], tables[0].numRows)).toThrow(/outside the table/);
    });
  });
}
