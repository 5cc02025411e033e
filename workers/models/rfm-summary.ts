/**
 * From a transaction log (customer, day, value) to the per-customer summary the BG/NBD and
 * Gamma-Gamma models are fitted on, for a calibration period (and, optionally, a holdout period
 * right after it, to check forecasts).
 *
 * Conventions (those of Fader, Hardie & Lee 2005 on CDNOW, and of the `lifetimes` package's
 * summary_data_from_transaction_data, which produced shared/datasets/cdnow/*summary*.csv):
 * - Transactions on the same day are one transaction: their values are summed. Time resolution is
 *   the day; `periodDays` (default 7) turns day differences into model time units (weeks).
 * - The clock starts at each customer's first transaction (their "birth"). That first transaction
 *   is not counted: frequency x is the number of REPEAT transaction days in the calibration period.
 * - recency t_x = (day of last repeat transaction - first day) / periodDays; 0 when x = 0.
 * - age T = (calibrationEnd - first day) / periodDays. calibrationEnd is inclusive (a purchase ON
 *   that day is in the calibration period). For CDNOW: first purchase 1997-01-01, calibration end
 *   1997-09-30 gives T = 272 / 7 = 38.86 weeks, as in the published summary.
 * - monetary value = mean of the day totals of the repeat transactions (the first purchase is
 *   excluded, as in the Gamma-Gamma papers); 0 when x = 0.
 * - Customers whose first transaction is after calibrationEnd are not summarised (they were not
 *   customers yet); they are counted in `notYetBorn`.
 * - Holdout (when holdoutEnd is given): number of distinct transaction days and their total value
 *   in (calibrationEnd, holdoutEnd].
 *
 * Cost: one counting sort by customer (O(n)); days within a customer are sorted only when the log
 * is not already in (customer, day) order. No allocation per transaction.
 */
import { Type, type Table } from 'apache-arrow';

export interface TransactionLog {
  /** Dense customer index (0 .. customers-1) of each transaction. */
  readonly customer: Int32Array;
  /** Day number of each transaction (e.g. days since 1970-01-01). */
  readonly day: Int32Array;
  /** Value of each transaction; null when only counts are known. */
  readonly value: Float64Array | null;
  readonly customers: number;
  /** Original id of each dense index, when known (for display and joins). */
  readonly ids?: readonly (string | number)[];
}

export interface RfmOptions {
  /** Last day of the calibration period (inclusive). */
  readonly calibrationEnd: number;
  /** Last day of the holdout period (inclusive); omit for no holdout. */
  readonly holdoutEnd?: number;
  /** Days per model time unit; default 7 (weeks). */
  readonly periodDays?: number;
}

export interface RfmSummary {
  /** Customers summarised (born on or before calibrationEnd). */
  readonly n: number;
  /** Dense customer index of each summarised customer. */
  readonly customer: Int32Array;
  /** Repeat transactions in the calibration period. */
  readonly x: Float64Array;
  /** Recency, in periods since the first transaction. */
  readonly tx: Float64Array;
  /** Age at calibration end, in periods. */
  readonly T: Float64Array;
  /** Mean value of the repeat transactions (0 when x = 0). */
  readonly monetary: Float64Array;
  /** Day of the first transaction. */
  readonly firstDay: Int32Array;
  /** Holdout transactions and value, when holdoutEnd was given. */
  readonly holdoutX: Float64Array | null;
  readonly holdoutValue: Float64Array | null;
  /** Length of the holdout period in periods (0 without a holdout). */
  readonly holdoutLength: number;
  readonly periodDays: number;
  readonly calibrationEnd: number;
  readonly notYetBorn: number;
}

export function summariseTransactions(log: TransactionLog, options: RfmOptions): RfmSummary {
  const { customer, day, value, customers } = log;
  const m = customer.length;
  if (day.length !== m || (value && value.length !== m)) throw new Error(`Transaction log columns differ in length (customer ${m}, day ${day.length}, value ${value?.length ?? 'none'}).`);
  const periodDays = options.periodDays ?? 7;
  if (!(periodDays > 0)) throw new Error(`periodDays must be positive; got ${periodDays}.`);
  const calEnd = options.calibrationEnd;
  const holdEnd = options.holdoutEnd;
  if (!Number.isInteger(calEnd)) throw new Error(`calibrationEnd must be a day number; got ${calEnd}.`);
  if (holdEnd !== undefined && !(holdEnd > calEnd)) throw new Error(`holdoutEnd (${holdEnd}) must be after calibrationEnd (${calEnd}).`);

  // Counting sort of transaction indices by customer; detect whether days are already ordered.
  const start = new Int32Array(customers + 1);
  for (let i = 0; i < m; i++) {
    const c = customer[i];
    if (c < 0 || c >= customers) throw new Error(`Transaction ${i} has customer index ${c}, outside 0..${customers - 1}.`);
    start[c + 1]++;
  }
  for (let c = 0; c < customers; c++) start[c + 1] += start[c];
  const order = new Int32Array(m);
  const fill = start.slice(0, customers);
  for (let i = 0; i < m; i++) order[fill[customer[i]]++] = i;
  let maxSegment = 0;
  let needsSort = false;
  for (let c = 0; c < customers; c++) {
    const a = start[c], b = start[c + 1];
    maxSegment = Math.max(maxSegment, b - a);
    for (let k = a + 1; k < b && !needsSort; k++) if (day[order[k]] < day[order[k - 1]]) needsSort = true;
  }
  if (needsSort) {
    // Per customer: sort keys day * 2^21 + local position (exact in float64 for |day| < 2^31).
    const scratch = new Float64Array(maxSegment);
    const tmp = new Int32Array(maxSegment);
    const SHIFT = 2 ** 21;
    if (maxSegment >= SHIFT) throw new Error(`A customer has ${maxSegment} transactions; at most ${SHIFT - 1} are supported.`);
    for (let c = 0; c < customers; c++) {
      const a = start[c], len = start[c + 1] - a;
      if (len < 2) continue;
      for (let k = 0; k < len; k++) {
        scratch[k] = day[order[a + k]] * SHIFT + k;
        tmp[k] = order[a + k];
      }
      const keys = scratch.subarray(0, len).sort();
      for (let k = 0; k < len; k++) {
        const local = keys[k] - Math.floor(keys[k] / SHIFT) * SHIFT;
        order[a + k] = tmp[local];
      }
    }
  }

  let born = 0;
  for (let c = 0; c < customers; c++) if (start[c + 1] > start[c] && day[order[start[c]]] <= calEnd) born++;
  const out = {
    customer: new Int32Array(born),
    x: new Float64Array(born),
    tx: new Float64Array(born),
    T: new Float64Array(born),
    monetary: new Float64Array(born),
    firstDay: new Int32Array(born),
    holdoutX: holdEnd !== undefined ? new Float64Array(born) : null,
    holdoutValue: holdEnd !== undefined ? new Float64Array(born) : null,
  };
  let notYetBorn = 0;
  let j = 0;
  for (let c = 0; c < customers; c++) {
    const a = start[c], b = start[c + 1];
    if (a === b) continue;
    const first = day[order[a]];
    if (first > calEnd) {
      notYetBorn++;
      continue;
    }
    let x = 0, last = first, repeatValue = 0, hx = 0, hv = 0;
    let k = a;
    // Skip the first day (all transactions on it are the first purchase).
    while (k < b && day[order[k]] === first) k++;
    while (k < b) {
      const d = day[order[k]];
      let total = 0;
      while (k < b && day[order[k]] === d) {
        if (value) total += value[order[k]];
        k++;
      }
      if (d <= calEnd) {
        x++;
        last = d;
        repeatValue += total;
      } else if (holdEnd !== undefined && d <= holdEnd) {
        hx++;
        hv += total;
      }
    }
    out.customer[j] = c;
    out.x[j] = x;
    out.tx[j] = x > 0 ? (last - first) / periodDays : 0;
    out.T[j] = (calEnd - first) / periodDays;
    out.monetary[j] = x > 0 ? repeatValue / x : 0;
    out.firstDay[j] = first;
    if (out.holdoutX) {
      out.holdoutX[j] = hx;
      out.holdoutValue![j] = hv;
    }
    j++;
  }
  return {
    n: born,
    ...out,
    holdoutLength: holdEnd !== undefined ? (holdEnd - calEnd) / periodDays : 0,
    periodDays,
    calibrationEnd: calEnd,
    notYetBorn,
  };
}

export interface LogColumns {
  /** Customer id column: Utf8, dictionary-encoded, or integer. */
  readonly customer: string;
  /** Date column: DateDay, or an integer/float day number. */
  readonly date: string;
  /** Value column (numeric); omit for counts only. */
  readonly value?: string;
}

/**
 * Reads a transaction log from Arrow tables (e.g. generateTransactions' clientId/date/amount).
 * Customer ids become dense indices in order of first appearance. Utf8 ids are compared as bytes
 * with the previous row, so a log grouped by customer decodes one string per customer, not per row.
 * Rows with a null customer or date are skipped (counted in `skipped`); a null value counts as 0.
 */
export function transactionLogFromTables(tables: readonly Table[], cols: LogColumns): TransactionLog & { skipped: number } {
  let m = 0;
  for (const t of tables) m += t.numRows;
  const customer = new Int32Array(m);
  const day = new Int32Array(m);
  const value = cols.value ? new Float64Array(m) : null;
  const index = new Map<string | number, number>();
  const ids: (string | number)[] = [];
  const decoder = new TextDecoder();
  let r = 0;
  let skipped = 0;
  const idOf = (key: string | number): number => {
    let c = index.get(key);
    if (c === undefined) {
      c = ids.length;
      index.set(key, c);
      ids.push(key);
    }
    return c;
  };
  for (const t of tables) {
    for (const batch of t.batches) {
      const idCol = batch.getChild(cols.customer);
      const dateCol = batch.getChild(cols.date);
      const valCol = cols.value ? batch.getChild(cols.value) : null;
      if (!idCol) throw new Error(`The transaction log has no column "${cols.customer}" (columns: ${batch.schema.fields.map((f) => f.name).join(', ')}).`);
      if (!dateCol) throw new Error(`The transaction log has no column "${cols.date}".`);
      if (cols.value && !valCol) throw new Error(`The transaction log has no column "${cols.value}".`);
      const idData = idCol.data[0];
      const dData = dateCol.data[0];
      const vData = valCol?.data[0];
      const idType = idData.type.typeId;
      const dType = dData.type.typeId;
      if (dType !== Type.Date && dType !== Type.Int && dType !== Type.Float) throw new Error(`Date column "${cols.date}" is ${String(dData.type)}; expected a date or a day number.`);
      if (vData && vData.type.typeId !== Type.Int && vData.type.typeId !== Type.Float) throw new Error(`Value column "${cols.value}" is ${String(vData.type)}; expected a number.`);
      const dVals = dData.values as Int32Array | Float64Array;
      const vVals = vData?.values as Float64Array | Int32Array | undefined;
      const valid = (d: typeof idData, i: number) => d.nullCount === 0 || d.getValid(i);
      let labels: number[] | null = null;
      if (idType === Type.Dictionary) {
        const dict = idData.dictionary!;
        labels = new Array(dict.length);
        for (let k = 0; k < dict.length; k++) labels[k] = idOf(String(dict.get(k)));
      } else if (idType !== Type.Utf8 && idType !== Type.Int) {
        throw new Error(`Customer column "${cols.customer}" is ${String(idData.type)}; expected text, a category or an integer.`);
      }
      const offsets = idType === Type.Utf8 ? (idData.valueOffsets as Int32Array) : null;
      const bytes = idType === Type.Utf8 ? (idData.values as Uint8Array) : null;
      let prevA = -1, prevB = -1, prevC = -1;
      for (let i = 0; i < batch.numRows; i++) {
        if (!valid(idData, i) || !valid(dData, i)) {
          skipped++;
          continue;
        }
        let c: number;
        if (labels) c = labels[(idData.values as Int32Array)[i]];
        else if (offsets && bytes) {
          const a = offsets[i], b = offsets[i + 1];
          let same = prevC >= 0 && b - a === prevB - prevA;
          for (let k = 0; same && k < b - a; k++) same = bytes[a + k] === bytes[prevA + k];
          c = same ? prevC : idOf(decoder.decode(bytes.subarray(a, b)));
          prevA = a;
          prevB = b;
          prevC = c;
        } else c = idOf((idData.values as Int32Array)[i]);
        customer[r] = c;
        day[r] = Math.floor(dVals[i]);
        if (value) value[r] = vData && vVals && valid(vData, i) ? vVals[i] : 0;
        r++;
      }
    }
  }
  return { customer: customer.subarray(0, r), day: day.subarray(0, r), value: value ? value.subarray(0, r) : null, customers: ids.length, ids, skipped };
}
