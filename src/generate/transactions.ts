/**
 * Synthetic transaction log for the clients of one portfolio chunk, consistent with their summary.
 *
 * Contracts (for every client of chunk k of generatePortfolioChunk(options, k)):
 * - the number of its transactions d days before asOf with d <= 364 (the 365-day "12 months" of
 *   portfolio.ts) equals txnCount12m;
 * - its latest transaction date equals lastTxnDate; none is after asOf or before openDate;
 * - the log covers `months` months of 365/12 days before asOf (asOf - date <= floor(months * 365 / 12) - 1)
 *   with one exception: a client whose last transaction is older than the window still has that
 *   one transaction, so the log always reproduces lastTxnDate;
 * - win-back clients: the 12-month transactions all lie in the last 61 days, earlier ones more
 *   than 364 days ago (the silence they came back from);
 * - prospects (no lastTxnDate) have no transactions.
 * Rows are grouped by client in the chunk's row order, dates ascending within a client.
 * Randomness: an Rng keyed by (seed, STREAM_TRANSACTIONS, k), separate from the clients' stream,
 * so the log is deterministic and chunks are independent, like the portfolio.
 */
import { Dictionary, Float64, Int32, DateDay, Table, Utf8, makeData, makeVector, type RecordBatch, type Vector } from 'apache-arrow';
import { CLIENT_TYPES, LIFECYCLE_STAGES } from '../schema/client-schema.js';
import { Rng, weightTable } from './random.js';
import {
  PORTFOLIO_GENERATOR_VERSION, STREAM_TRANSACTIONS, checkChunkIndex, generateResolvedChunk, resolvePortfolioOptions, type PortfolioOptions,
} from './portfolio.js';
import { sharedDictionary, withStableDictionaries } from './stable-dictionaries.js';

export const TRANSACTION_KINDS = ['deposit', 'withdrawal', 'transfer', 'card', 'fee', 'investment'] as const;
export type TransactionKind = (typeof TRANSACTION_KINDS)[number];
export const DEFAULT_TRANSACTION_MONTHS = 24;
export const MIN_TRANSACTION_MONTHS = 12;
export const MAX_TRANSACTION_MONTHS = 120;
export const TRANSACTION_FIELDS = ['clientId', 'date', 'amount', 'kind'] as const;

export interface TransactionOptions extends PortfolioOptions {
  /** Months of history, an integer 12..120 (at least the 12 months txnCount12m counts); default 24. */
  months?: number;
}

/** Days of history the log covers for `months` months. */
export function windowDays(months: number): number {
  return Math.floor((months * 365) / 12);
}

const K_TRANSFER = TRANSACTION_KINDS.indexOf('transfer'), K_CARD = TRANSACTION_KINDS.indexOf('card');
const K_FEE = TRANSACTION_KINDS.indexOf('fee'), K_INVESTMENT = TRANSACTION_KINDS.indexOf('investment');
/** Mix of kinds: retail, retail of tier affluent and above (more investing), corporate. */
const KIND_RETAIL = weightTable([0.18, 0.16, 0.2, 0.36, 0.04, 0.06]);
const KIND_WEALTHY = weightTable([0.16, 0.14, 0.22, 0.26, 0.04, 0.18]);
const KIND_CORPORATE = weightTable([0.22, 0.12, 0.48, 0.03, 0.08, 0.07]);
const ST_WINBACK = LIFECYCLE_STAGES.indexOf('win-back');
const TYPE_CORPORATE = CLIENT_TYPES.indexOf('corporate');
/** Dictionary id of the kind column (the only dictionary of the log). */
const KIND_DICTIONARY_ID = 0;
/** Days before asOf within which a win-back client's 12-month transactions lie. */
const WINBACK_RECENT_DAYS = 60;

const isValid = (bitmap: Uint8Array | null | undefined, i: number) => !bitmap || bitmap.length === 0 || (bitmap[i >> 3] & (1 << (i & 7))) !== 0;

/** The client columns the log is drawn from, of one record batch of a portfolio chunk. */
function clientColumns(batch: RecordBatch) {
  const col = (name: string) => batch.getChild(name)!.data[0];
  const id = col('clientId');
  const last = col('lastTxnDate');
  return {
    n: batch.numRows,
    idOffsets: id.valueOffsets as Int32Array,
    idBytes: id.values as Uint8Array,
    lastValid: last.nullBitmap,
    last: last.values as Int32Array,
    open: col('openDate').values as Int32Array,
    n12s: col('txnCount12m').values as Int32Array,
    stage: col('lifecycleStage').values as Int32Array,
    type: col('clientType').values as Int32Array,
    tier: col('tier').values as Int32Array,
    aum: col('aum').values as Float64Array,
    products: col('productsHeld').values as Int32Array,
  };
}

type ClientColumns = ReturnType<typeof clientColumns>;

/**
 * Calls `fn` for each client of the chunk that has a last transaction, in row order: `part` is its
 * batch's columns, `c` its row in that batch, `i` its row in the chunk, `k` the days from its last
 * transaction to asOf and `tenure` the days from its opening.
 */
function eachTransactingClient(parts: readonly ClientColumns[], asOf: number, fn: (part: ClientColumns, c: number, i: number, k: number, tenure: number) => void): void {
  for (let i = 0, p = 0; p < parts.length; p++) {
    const part = parts[p];
    for (let c = 0; c < part.n; c++, i++) {
      if (isValid(part.lastValid, c)) fn(part, c, i, asOf - part.last[c], asOf - part.open[c]);
    }
  }
}

/** The transaction log of the clients of chunk `chunkIndex` (see the file comment). */
export function generateTransactions(options: TransactionOptions, chunkIndex: number): Table {
  const o = resolvePortfolioOptions(options, ['months']);
  const months = options.months ?? DEFAULT_TRANSACTION_MONTHS;
  if (typeof months !== 'number' || !Number.isInteger(months) || months < MIN_TRANSACTION_MONTHS || months > MAX_TRANSACTION_MONTHS) {
    throw new Error(`Option "months" must be an integer from ${MIN_TRANSACTION_MONTHS} to ${MAX_TRANSACTION_MONTHS} (txnCount12m needs 12 months); got ${String(months)}.`);
  }
  checkChunkIndex(o.rows, chunkIndex);
  const clients = generateResolvedChunk(o, chunkIndex);
  const window = windowDays(months);
  const asOf = o.asOfDay;
  const rng = new Rng(o.seed, STREAM_TRANSACTIONS, chunkIndex);
  const n = clients.numRows;
  // A chunk holds its clients in record batches; both passes walk them in row order.
  const parts = clients.batches.map(clientColumns);

  // Pass 1: how many transactions each client has before the last 12 months (the 12-month count
  // is given). olderLo/olderHi: the day range (days before asOf) of those older transactions.
  const olderCount = new Int32Array(n);
  const olderLo = new Int32Array(n);
  const olderHi = new Int32Array(n);
  let total = 0;
  let idByteCount = 0;
  eachTransactingClient(parts, asOf, (part, c, i, k, tenure) => {
    const n12 = part.n12s[c];
    const lo = k >= 365 ? k : 365;
    const hi = Math.min(window - 1, tenure);
    let count = k >= 365 ? 1 : 0; // the last transaction itself, when older than 12 months
    if (hi >= lo) {
      // Yearly rate of the earlier period: an active client's current pace (varied); for
      // clients who went quiet or came back, the pace of a typical relationship of their kind.
      const corporate = part.type[c] === TYPE_CORPORATE;
      const active = n12 > 0 && k < 90 && part.stage[c] !== ST_WINBACK;
      const rate = active
        ? ((n12 * 365) / Math.max(30, Math.min(364, tenure) - k + 1)) * rng.lognormal(0, 0.25)
        : (corporate ? 60 : 8) + 3 * part.products[c];
      count += rng.poisson((rate * (hi - lo + 1)) / 365);
    }
    olderCount[i] = count;
    olderLo[i] = lo;
    olderHi[i] = Math.max(lo, hi);
    total += n12 + count;
    idByteCount += (n12 + count) * (part.idOffsets[c + 1] - part.idOffsets[c]);
  });

  // Pass 2: dates (sorted per client), kinds and amounts.
  const date = new Int32Array(total);
  const amount = new Float64Array(total);
  const kind = new Int32Array(total);
  const idOut = new Int32Array(total + 1);
  const idOutBytes = new Uint8Array(idByteCount);

  let r = 0;
  let bytePos = 0;
  eachTransactingClient(parts, asOf, (part, c, i, k, tenure) => {
    const n12 = part.n12s[c];
    const begin = r;
    // Days before asOf; converted to dates and sorted below.
    if (n12 > 0) {
      date[r++] = k;
      const hi12 = part.stage[c] === ST_WINBACK ? WINBACK_RECENT_DAYS : Math.min(364, tenure);
      for (let j = 1; j < n12; j++) date[r++] = k + rng.int(hi12 - k + 1);
    }
    let older = olderCount[i];
    if (k >= 365) {
      date[r++] = k;
      older--;
    }
    const lo = olderLo[i], span = olderHi[i] - lo + 1;
    for (let j = 0; j < older; j++) date[r++] = lo + rng.int(span);
    const end = r;
    for (let j = begin; j < end; j++) date[j] = asOf - date[j];
    date.subarray(begin, end).sort();

    const corporate = part.type[c] === TYPE_CORPORATE;
    const kinds = corporate ? KIND_CORPORATE : part.tier[c] >= 2 ? KIND_WEALTHY : KIND_RETAIL;
    const scale = Math.max(part.aum[c], 2_000);
    for (let j = begin; j < end; j++) {
      const kd = rng.weighted(kinds);
      kind[j] = kd;
      let x: number;
      if (kd === K_CARD) x = rng.lognormal(Math.log(corporate ? 2_500 : 180), 1);
      else if (kd === K_FEE) x = rng.lognormal(Math.log(corporate ? 200 : 15), 0.7);
      else if (kd === K_INVESTMENT) x = Math.max(100, rng.lognormal(Math.log(scale * 0.08), 0.8));
      else x = rng.lognormal(Math.log(scale * (kd === K_TRANSFER ? 0.05 : 0.04)), 1); // deposit, withdrawal, transfer
      amount[j] = Math.max(0.01, Math.round(x * 100) / 100);
    }

    // The client's id bytes, once per transaction.
    const idStart = part.idOffsets[c], idEnd = part.idOffsets[c + 1];
    for (let j = begin; j < end; j++) {
      for (let b = idStart; b < idEnd; b++) idOutBytes[bytePos++] = part.idBytes[b];
      idOut[j + 1] = bytePos;
    }
  });
  if (r !== total) throw new Error(`generateTransactions: internal count mismatch (${r} rows written, ${total} planned).`);

  const kindType = new Dictionary(new Utf8(), new Int32(), KIND_DICTIONARY_ID);
  const vectors: Record<string, Vector> = {
    clientId: makeVector(makeData({ type: new Utf8(), length: total, nullCount: 0, valueOffsets: idOut, data: idOutBytes })),
    date: makeVector(makeData({ type: new DateDay(), length: total, nullCount: 0, data: date })),
    amount: makeVector(makeData({ type: new Float64(), length: total, nullCount: 0, data: amount })),
    kind: makeVector(makeData({ type: kindType, length: total, nullCount: 0, data: kind, dictionary: sharedDictionary(TRANSACTION_KINDS) })),
  };
  return withStableDictionaries(new Table(vectors), {
    order: TRANSACTION_FIELDS,
    idOf: () => KIND_DICTIONARY_ID,
    vocabularyOf: () => TRANSACTION_KINDS,
    metadata: new Map([
      ['clientlens.generator', `clientlens synthetic transactions v${PORTFOLIO_GENERATOR_VERSION}`],
      ['clientlens.seed', String(o.seed)],
      ['clientlens.asOf', o.asOf],
      ['clientlens.currency', o.currency],
      ['clientlens.months', String(months)],
    ]),
  });
}
