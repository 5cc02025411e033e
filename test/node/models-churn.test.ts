// Churn models on real bank data: cross-validated AUC in line with published results, reasons per
// client, and the same pipeline on ingested client-schema data and on the generated portfolio.
//
// Published figures these ranges come from (all drop the identifiers RowNumber, CustomerId, Surname):
// - Churn_Modelling (10,000 clients, target Exited): a CRISP-DM comparison on a 10,000-client bank
//   churn set with credit scores and balances, most likely this one (abstract at
//   garuda.kemdiktisaintek.go.id/documents/detail/6317909), reports hold-out ROC-AUC 0.852 for a
//   random forest and 0.832 for XGBoost; the KNIME hub workflow suryapratap/KNIME_project reports
//   ~0.87 for a random forest; logistic regression is usually quoted at about 0.76-0.78 (we did
//   not find a citable figure for it; our 0.765 sits at the low end).
// (UCI bank-full: see models-bank.test.ts.)
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readRawTable } from '../../workers/models/raw-table.js';
import { decodeFactorValue, factorsOfRow, scoreChurn, trainChurnModel, type ChurnModel } from '../../workers/models/churn-model.js';
import { buildDesign, type FeatureSpec } from '../../workers/models/features.js';
import { explain } from '../../workers/models/reasons.js';
import { ingest } from '../../src/ingest/ingest.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';

const dataset = (path: string) => readFileSync(new URL(`../../../shared/datasets/${path}`, import.meta.url));

const churnTable = readRawTable(dataset('churn_modelling/Churn_Modelling.csv').toString('utf8'), { drop: ['RowNumber', 'CustomerId', 'Surname'] });
const churnSpec: FeatureSpec = {
  numeric: ['CreditScore', 'Age', 'Tenure', 'Balance', 'NumOfProducts', 'HasCrCard', 'IsActiveMember', 'EstimatedSalary'],
  categorical: ['Geography', 'Gender'],
  target: { column: 'Exited' },
};

function reasonsOf(model: ChurnModel, scores: Awaited<ReturnType<typeof scoreChurn>>, row: number, locale: 'en' | 'zh-CN' = 'en') {
  const k = scores.reasons;
  const inputs = [];
  for (const dir of ['up', 'down'] as const) {
    for (let s = 0; s < k; s++) {
      const g = scores[`${dir}Group`][row * k + s];
      if (g < 0) continue;
      const gr = model.groups[g];
      inputs.push({ column: gr.column, value: decodeFactorValue(gr, scores[`${dir}Value`][row * k + s]), contribution: scores[`${dir}Contribution`][row * k + s], typical: gr.typical, storage: gr.storage });
    }
  }
  return explain(inputs, { locale });
}

describe('churn models on Churn_Modelling.csv (target Exited)', () => {
  let logistic: ChurnModel, gbdt: ChurnModel;

  it('logistic regression: 5-fold CV AUC in the published range', async () => {
    logistic = await trainChurnModel([churnTable], churnSpec, { kind: 'logistic' });
    const m = logistic.metrics;
    expect(m.rows).toBe(10_000);
    expect(m.positives).toBe(2037);
    expect(m.auc).toBeGreaterThan(0.74);
    expect(m.auc).toBeLessThan(0.8);
    expect(m.foldAuc).toHaveLength(5);
    // Calibrated on average; the top decile holds far more churners than the base rate.
    const meanPred = m.calibration.reduce((a, r) => a + r.meanPredicted * r.count, 0) / m.cvRows;
    expect(Math.abs(meanPred - m.baseRate)).toBeLessThan(0.01);
    expect(m.lift[0].lift).toBeGreaterThan(2.5);
  });

  it('boosted trees: 5-fold CV AUC in the published range, clearly above logistic', async () => {
    gbdt = await trainChurnModel([churnTable], churnSpec, { kind: 'gbdt' });
    expect(gbdt.metrics.auc).toBeGreaterThan(0.84);
    expect(gbdt.metrics.auc).toBeLessThan(0.89);
    expect(gbdt.metrics.auc - logistic.metrics.auc).toBeGreaterThan(0.06);
    expect(gbdt.metrics.lift[0].lift).toBeGreaterThan(3);
    for (const r of gbdt.metrics.calibration) expect(Math.abs(r.meanPredicted - r.observedRate)).toBeLessThan(0.08);
  });

  it('scores every client with reasons that add up to the score, for both kinds', async () => {
    for (const model of [logistic, gbdt]) {
      const s = await scoreChurn(model, [churnTable], { reasons: 3 });
      expect(s.rows).toBe(10_000);
      expect(s.probability.every((p) => p > 0 && p < 1)).toBe(true);
      const design = buildDesign([churnTable], model.plan, false);
      for (const row of [0, 1, 42, 9999]) {
        const f = factorsOfRow(model, design.x, row * design.p);
        const total = f.base + f.factors.reduce((a, x) => a + x.contribution, 0);
        expect(total).toBeCloseTo(f.logit, 10);
        expect(1 / (1 + Math.exp(-f.logit))).toBeCloseTo(s.probability[row], 12);
        // The top "up" slot is the largest positive factor.
        const topUp = f.factors.filter((x) => x.contribution > 0).sort((a, b) => b.contribution - a.contribution)[0];
        if (topUp) expect(model.groups[s.upGroup[row * 3]].column).toBe(topUp.column);
      }
      const words = reasonsOf(model, s, 0);
      expect(words.up.length + words.down.length).toBeGreaterThan(0);
      const zh = reasonsOf(model, s, 0, 'zh-CN');
      expect(zh.up.map((r) => r.text).join()).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});

describe('churn models on client-schema data', () => {
  it('trains on Churn_Modelling read through ingest() and explains with field phrases', async () => {
    const { table } = ingest(new Uint8Array(dataset('churn_modelling/Churn_Modelling.csv')), { format: 'csv' });
    // ingest maps Balance -> aum, NumOfProducts -> productsHeld, Age -> age, Geography -> region, Exited -> churned.
    const spec: FeatureSpec = { numeric: ['aum', 'productsHeld', 'age'], categorical: ['region'], target: { column: 'churned' } };
    const model = await trainChurnModel([table], spec, { kind: 'gbdt', folds: 3 });
    expect(model.metrics.auc).toBeGreaterThan(0.78);
    const s = await scoreChurn(model, [table], { reasons: 2 });
    const texts: string[] = [];
    for (let row = 0; row < 200; row++) texts.push(...reasonsOf(model, s, row).up.map((r) => r.text));
    expect(texts.some((t) => /^holds (only )?\d+ products?$/.test(t))).toBe(true);
    expect(texts.some((t) => /^aged \d+$/.test(t))).toBe(true);
  });

  it('trains on the generated portfolio, where dates become days and reasons quote them', async () => {
    const tables = generatePortfolio({ rows: 20_000, seed: 11 });
    const spec: FeatureSpec = {
      numeric: ['assetOutflow3m', 'lastTxnDate', 'productsHeld', 'txnCount12m', 'npsScore', 'latePayments12m', 'openDate', 'aum'],
      categorical: ['tier', 'channel'],
      target: { column: 'churned' },
      asOfDay: Date.UTC(2026, 5, 30) / 86_400_000,
    };
    const model = await trainChurnModel(tables, spec, { kind: 'gbdt', folds: 3 });
    expect(model.warnings.join()).toMatch(/no value in target "churned"/); // prospects
    expect(model.metrics.auc).toBeGreaterThan(0.7);
    const s = await scoreChurn(model, tables, { reasons: 3 });
    const texts: string[] = [];
    for (let row = 0; row < 2000 && texts.length < 4000; row++) {
      if (s.probability[row] < 0.3) continue;
      texts.push(...reasonsOf(model, s, row).up.map((r) => r.text), ...reasonsOf(model, s, row, 'zh-CN').up.map((r) => r.text));
    }
    expect(texts.some((t) => /^\d+ days without a transaction$/.test(t) || /^\d+% of assets moved out in 3 months$/.test(t))).toBe(true);
    expect(texts.some((t) => /^\d+天无交易$/.test(t) || /^\d+%的资产在3个月内流出$/.test(t))).toBe(true);
  });
});
