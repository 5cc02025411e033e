/**
 * A churn model end to end: feature plan -> cross-validated metrics -> final fit on all rows ->
 * scores with per-client factors. Either kind (logistic regression or boosted trees) goes through
 * the same steps, so both report the same metrics and give reasons the same way.
 *
 * Training contract:
 * - The feature plan (levels, medians, standardisation) is fitted once on all training rows and
 *   reused inside the folds. It uses no labels except to drop rows without one, so the leak into
 *   cross-validation is limited to feature distributions, not outcomes. GBDT bins are likewise
 *   computed once.
 * - Cross-validation (stratified, seeded, default 5 folds) runs on at most `cvMaxRows` rows
 *   (default 200,000; a stratified sample above that) to bound training time on very large books;
 *   the final model is then fitted on ALL rows. Metrics are those of the out-of-fold predictions.
 *
 * Factors: per client, the contribution of each source column (one-hot levels and missing
 * indicators summed into their column) to the log-odds: logistic β_j (x_j - mean_j)/sd_j, GBDT
 * path attribution (gbdt.ts). `scoreChurn` returns the top `reasons` factors that push the score
 * up and down for every client; reasons.ts turns them into words.
 */
import type { Table } from 'apache-arrow';
import { buildDesign, fitFeaturePlan, forEachDesignBlock, FeatureError, type FeaturePlan, type FeatureSpec } from './features.js';
import { fitLogistic, logisticContributions, logitOfRow, predictLogistic, sigmoid, type LogisticModel, type LogisticOptions } from './logistic.js';
import { binDesign, fitGbdt, gbdtContributions, gbdtLogitOfRow, predictGbdt, type GbdtModel, type GbdtOptions } from './gbdt.js';
import { brierScore, calibrationTable, crossValidate, liftTable, logLoss, rocAuc, stratifiedFolds, type CalibrationRow, type LiftRow } from './evaluate.js';
import type { FitHooks } from './common.js';

export type ChurnModelKind = 'logistic' | 'gbdt';

export interface ChurnTrainOptions {
  /** Default 'gbdt' (the stronger default); 'logistic' for a transparent baseline. */
  readonly kind?: ChurnModelKind;
  /** Cross-validation folds; default 5. */
  readonly folds?: number;
  readonly seed?: number;
  readonly logistic?: LogisticOptions;
  readonly gbdt?: GbdtOptions;
  /** Largest number of rows cross-validated; default 200,000. */
  readonly cvMaxRows?: number;
}

export interface ChurnMetrics {
  readonly rows: number;
  readonly positives: number;
  readonly baseRate: number;
  readonly folds: number;
  /** Rows in the cross-validation (all rows, or the stratified sample). */
  readonly cvRows: number;
  /** Pooled out-of-fold ROC AUC. */
  readonly auc: number;
  readonly aucMean: number;
  readonly aucSd: number;
  readonly foldAuc: readonly number[];
  readonly logLoss: number;
  readonly brier: number;
  readonly calibration: readonly CalibrationRow[];
  readonly lift: readonly LiftRow[];
  /** AUC of the final model on its own training rows (compare with `auc` to see over-fitting). */
  readonly trainAuc: number;
}

/** One group of design columns per source column: what a reason talks about. */
export interface FactorGroup {
  readonly column: string;
  readonly kind: 'numeric' | 'category';
  /** Numeric: storage of the source column; dates are "days before asOf". */
  readonly storage?: 'float' | 'int' | 'bool' | 'date';
  /** Numeric: training median ("typical value"). */
  readonly typical?: number;
  /** Category: the labels a factor value indexes (levels..., reference, "(other)"). */
  readonly labels?: readonly string[];
}

export interface ChurnModel {
  readonly kind: ChurnModelKind;
  readonly plan: FeaturePlan;
  readonly model: LogisticModel | GbdtModel;
  readonly groups: readonly FactorGroup[];
  readonly metrics: ChurnMetrics;
  readonly warnings: readonly string[];
}

/** A factor of one client: the source column, its value for the client, and its push on the log-odds. */
export interface ChurnFactor {
  readonly group: number;
  readonly column: string;
  /** Number (original units; days for dates), a category label, or null when missing. */
  readonly value: number | string | null;
  readonly contribution: number;
}

function groupsOf(plan: FeaturePlan): { groups: FactorGroup[]; groupOfColumn: Int32Array } {
  const groups: FactorGroup[] = [];
  const groupOfColumn = new Int32Array(plan.columns.length).fill(-1);
  for (const np of plan.numeric) {
    const g = groups.length;
    groups.push({ column: np.column, kind: 'numeric', storage: np.storage, typical: np.typical });
    if (np.index >= 0) groupOfColumn[np.index] = g;
    if (np.missingIndex >= 0) groupOfColumn[np.missingIndex] = g;
  }
  for (const cp of plan.categorical) {
    const g = groups.length;
    groups.push({ column: cp.column, kind: 'category', labels: [...cp.levels, cp.reference, '(other)'] });
    for (const j of cp.indices) groupOfColumn[j] = g;
    if (cp.otherIndex >= 0) groupOfColumn[cp.otherIndex] = g;
    if (cp.missingIndex >= 0) groupOfColumn[cp.missingIndex] = g;
  }
  return { groups, groupOfColumn };
}

function stratifiedSample(y: Uint8Array, size: number, seed: number): Int32Array {
  // One fold of a ceil(n/size)-fold split is a stratified sample of about n/k rows.
  const k = Math.ceil(y.length / size);
  const fold = stratifiedFolds(y, k, seed ^ 0x5a5a);
  const out: number[] = [];
  for (let i = 0; i < fold.length; i++) if (fold[i] === 0) out.push(i);
  return Int32Array.from(out);
}

function scaled(hooks: FitHooks, from: number, to: number): FitHooks {
  return { checkpoint: hooks.checkpoint, progress: hooks.progress ? (f) => hooks.progress!(from + (to - from) * f) : undefined };
}

export async function trainChurnModel(tables: readonly Table[], spec: FeatureSpec, options: ChurnTrainOptions = {}, hooks: FitHooks = {}): Promise<ChurnModel> {
  if (!spec.target) throw new FeatureError('A churn model needs a target column (spec.target), e.g. { column: "churned" }.');
  const kind = options.kind ?? 'gbdt';
  if (kind !== 'logistic' && kind !== 'gbdt') throw new Error(`Model kind must be "logistic" or "gbdt"; got ${JSON.stringify(kind)}.`);
  const folds = options.folds ?? 5;
  const seed = options.seed ?? 1;
  const plan = fitFeaturePlan(tables, spec);
  await hooks.checkpoint?.();
  const design = buildDesign(tables, plan, true);
  const y = design.y!;
  const data = { x: design.x, n: design.n, p: design.p, y };
  const scaling = { mean: plan.columns.map((c) => c.mean), sd: plan.columns.map((c) => c.sd) };
  const binned = kind === 'gbdt' ? binDesign(design.x, design.n, design.p, options.gbdt?.bins) : null;
  await hooks.checkpoint?.();

  const cvMax = options.cvMaxRows ?? 200_000;
  const cvRows = design.n > cvMax ? stratifiedSample(y, cvMax, seed) : null;
  const fitOn = async (rows: Int32Array | null, h: FitHooks): Promise<LogisticModel | GbdtModel> =>
    kind === 'logistic' ? fitLogistic(data, scaling, options.logistic, rows, h) : fitGbdt(data, { seed, ...options.gbdt }, rows, h, binned);
  const predict = (m: LogisticModel | GbdtModel, rows: Int32Array | null) =>
    m.kind === 'logistic' ? predictLogistic(m, design.x, design.n, rows) : predictGbdt(m, design.x, design.n, rows);

  const cv = await crossValidate(
    y, folds, seed,
    async (train, test, f) => predict(await fitOn(train, scaled(hooks, (0.8 * f) / folds, (0.8 * (f + 1)) / folds)), test),
    cvRows, { checkpoint: hooks.checkpoint },
  );
  const model = await fitOn(null, scaled(hooks, 0.8, 1));
  const used = cvRows ?? Int32Array.from({ length: design.n }, (_, i) => i);
  const oof = Float64Array.from(used, (i) => cv.oof[i]);
  const labels = Uint8Array.from(used, (i) => y[i]);
  const trainPred = predict(model, null);
  const metrics: ChurnMetrics = {
    rows: design.n, positives: plan.positives, baseRate: plan.positives / design.n, folds, cvRows: used.length,
    auc: cv.auc, aucMean: cv.aucMean, aucSd: cv.aucSd, foldAuc: cv.foldAuc,
    logLoss: logLoss(oof, labels), brier: brierScore(oof, labels),
    calibration: calibrationTable(oof, labels), lift: liftTable(oof, labels),
    trainAuc: rocAuc(trainPred, y),
  };
  const warnings = [...plan.warnings];
  if (cvRows) warnings.push(`Cross-validation used a stratified sample of ${cvRows.length} of ${design.n} rows; the final model uses all rows.`);
  return { kind, plan, model, groups: groupsOf(plan).groups, metrics, warnings };
}

/** Log-odds and per-design-column contributions of one design row; returns the base value. */
function contributions(model: ChurnModel, x: Float64Array, offset: number, out: Float64Array): number {
  const m = model.model;
  return m.kind === 'logistic' ? logisticContributions(m, x, offset, out) : gbdtContributions(m, x, offset, out);
}

function logit(model: ChurnModel, x: Float64Array, offset: number): number {
  const m = model.model;
  return m.kind === 'logistic' ? logitOfRow(m, x, offset) : gbdtLogitOfRow(m, x, offset);
}

/** The value a factor group shows for one design row (see ChurnFactor.value). */
function groupValue(plan: FeaturePlan, g: number, x: Float64Array, offset: number): number | string | null {
  const nNum = plan.numeric.length;
  if (g < nNum) {
    const np = plan.numeric[g];
    if (np.missingIndex >= 0 && x[offset + np.missingIndex] === 1) return null;
    return np.index >= 0 ? x[offset + np.index] : np.typical;
  }
  const cp = plan.categorical[g - nNum];
  if (cp.missingIndex >= 0 && x[offset + cp.missingIndex] === 1) return null;
  if (cp.otherIndex >= 0 && x[offset + cp.otherIndex] === 1) return '(other)';
  for (let k = 0; k < cp.indices.length; k++) if (x[offset + cp.indices[k]] === 1) return cp.levels[k];
  return cp.reference;
}

/** Every factor of one design row, largest |contribution| first. */
export function factorsOfRow(model: ChurnModel, x: Float64Array, offset: number): { base: number; logit: number; factors: ChurnFactor[] } {
  const { groups, groupOfColumn } = groupsOf(model.plan);
  const contrib = new Float64Array(model.plan.columns.length);
  const base = contributions(model, x, offset, contrib);
  const byGroup = new Float64Array(groups.length);
  for (let j = 0; j < contrib.length; j++) if (groupOfColumn[j] >= 0) byGroup[groupOfColumn[j]] += contrib[j];
  let total = base;
  for (const c of contrib) total += c;
  const factors = groups.map((gr, g) => ({ group: g, column: gr.column, value: groupValue(model.plan, g, x, offset), contribution: byGroup[g] }));
  factors.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  return { base, logit: total, factors };
}

export interface ChurnScores {
  readonly rows: number;
  readonly probability: Float64Array;
  /** Reasons per row: `reasons` slots up and `reasons` slots down, factor group index or -1. */
  readonly reasons: number;
  readonly upGroup: Int32Array;
  readonly upContribution: Float64Array;
  readonly downGroup: Int32Array;
  readonly downContribution: Float64Array;
  /**
   * The client's value of each reason's factor: a number (NaN = missing) for numeric groups, or
   * the index into FactorGroup.labels for categories (-1 = missing).
   */
  readonly upValue: Float64Array;
  readonly downValue: Float64Array;
}

function encodedValue(model: ChurnModel, g: number, x: Float64Array, offset: number): number {
  const v = groupValue(model.plan, g, x, offset);
  if (model.groups[g].kind === 'numeric') return v === null ? NaN : (v as number);
  if (v === null) return -1;
  return model.groups[g].labels!.indexOf(v as string);
}

/**
 * Scores every row of `tables` (no target needed) with the top `reasons` factors up and down.
 * Works block by block: memory is O(rows) for the outputs only.
 */
export async function scoreChurn(model: ChurnModel, tables: readonly Table[], options: { reasons?: number } = {}, hooks: FitHooks = {}): Promise<ChurnScores> {
  const k = options.reasons ?? 3;
  if (!(Number.isInteger(k) && k >= 0 && k <= 20)) throw new Error(`reasons must be a whole number 0..20; got ${k}.`);
  let total = 0;
  for (const t of tables) total += t.numRows;
  const probability = new Float64Array(total);
  const upGroup = new Int32Array(total * k).fill(-1), downGroup = new Int32Array(total * k).fill(-1);
  const upContribution = new Float64Array(total * k), downContribution = new Float64Array(total * k);
  const upValue = new Float64Array(total * k).fill(NaN), downValue = new Float64Array(total * k).fill(NaN);
  const { groups, groupOfColumn } = groupsOf(model.plan);
  const p = model.plan.columns.length;
  const contrib = new Float64Array(p);
  const byGroup = new Float64Array(groups.length);

  const scoreBlock = (x: Float64Array, n: number, firstRow: number) => {
    for (let r = 0; r < n; r++) {
      const off = r * p;
      const row = firstRow + r;
      if (k === 0) {
        probability[row] = sigmoid(logit(model, x, off));
        continue;
      }
      let eta = contributions(model, x, off, contrib);
      byGroup.fill(0);
      for (let j = 0; j < p; j++) {
        eta += contrib[j];
        if (groupOfColumn[j] >= 0) byGroup[groupOfColumn[j]] += contrib[j];
      }
      probability[row] = sigmoid(eta);
      // Top k positive and top k negative groups by repeated selection (k is small).
      for (let s = 0; s < k; s++) {
        let bestUp = -1, bestDown = -1;
        for (let g = 0; g < groups.length; g++) {
          const c = byGroup[g];
          if (c > 0 && (bestUp < 0 || c > byGroup[bestUp])) bestUp = g;
          if (c < 0 && (bestDown < 0 || c < byGroup[bestDown])) bestDown = g;
        }
        const slot = row * k + s;
        if (bestUp >= 0) {
          upGroup[slot] = bestUp;
          upContribution[slot] = byGroup[bestUp];
          upValue[slot] = encodedValue(model, bestUp, x, off);
          byGroup[bestUp] = 0;
        }
        if (bestDown >= 0) {
          downGroup[slot] = bestDown;
          downContribution[slot] = byGroup[bestDown];
          downValue[slot] = encodedValue(model, bestDown, x, off);
          byGroup[bestDown] = 0;
        }
      }
    }
  };

  // One table (a worker's chunk) at a time, with a checkpoint between tables.
  let done = 0;
  for (const table of tables) {
    const tableFirst = done;
    forEachDesignBlock([table], model.plan, false, (x, _y, n, first) => scoreBlock(x, n, tableFirst + first));
    done += table.numRows;
    hooks.progress?.(done / Math.max(1, total));
    await hooks.checkpoint?.();
  }
  return { rows: total, probability, reasons: k, upGroup, upContribution, downGroup, downContribution, upValue, downValue };
}

/** Decodes the value stored in ChurnScores for a factor group (see ChurnScores.upValue). */
export function decodeFactorValue(group: FactorGroup, encoded: number): number | string | null {
  if (group.kind === 'numeric') return Number.isNaN(encoded) ? null : encoded;
  return encoded < 0 ? null : group.labels![encoded] ?? null;
}
