/**
 * Seeded, deterministic synthetic bank portfolio: one Arrow table of ClientSchema rows per chunk.
 *
 * Contracts:
 * - Chunk k holds global rows [k * GENERATOR_CHUNK_ROWS, min(rows, (k + 1) * GENERATOR_CHUNK_ROWS)),
 *   as record batches of GENERATOR_BATCH_ROWS rows. Batch b (global rows from b *
 *   GENERATOR_BATCH_ROWS) is drawn from an Rng keyed by (seed, STREAM_CLIENTS, b) only, row after
 *   row, so chunks can be made in any order on any worker and equal a sequential run; a batch's first
 *   rows do not depend on `rows` either (a shorter run is a prefix of a longer one), and a row's
 *   values do not depend on how many batches a chunk holds.
 * - Every chunk has the same Arrow schema (same fields, types, dictionary ids, metadata) and the
 *   same dictionaries (the fixed vocabularies of vocabulary.ts), so chunks concatenate as is.
 * - Pure: no DOM, no global state besides memoised constant vocabularies; safe in Web Workers.
 *
 * Data model (all rules below are deliberate; tests check them):
 * - Days: dates are DateDay. "Last 12 months" means the 365 days ending at asOf: a transaction
 *   d days before asOf (d = asOf - date) is within 12 months when d <= 364. "No transaction for
 *   N days" means asOf - lastTxnDate >= N.
 * - Prospects (~2.5%): identified but no relationship opened. openDate, lastTxnDate, channel,
 *   assetOutflow3m, riskLevel, npsScore, acquisitionCost, latePayments12m and churned are null (they
 *   do not apply); aum, deposits, loans, revenue, costToServe, productsHeld, txnCount12m are 0 (true
 *   zeros). They have an RM (who owns the lead), so their tier is 'mass' (tierOf(0)).
 * - Every opened client has a lastTxnDate (the account-opening deposit at least), with
 *   openDate <= lastTxnDate <= asOf. txnCount12m is 0 exactly when asOf - lastTxnDate >= 365.
 * - Activity: ~88% active (last transaction < 90 days ago); ~4% quiet 90-179 days; ~3.5% dormant
 *   180-364 days; ~2.5% lost (365 days or more, drained to about a quarter of their assets);
 *   ~2% win-back (back in the last month after a silence: their 12-month transactions all lie in
 *   the last 61 days and their earlier ones more than 364 days ago; see transactions.ts).
 * - lifecycleStage, first rule that matches: prospect (not opened); new (opened < 183 days ago);
 *   churned (no transaction for 365+ days); dormant (180+ days); win-back; declining (no
 *   transaction for 90+ days, or assetOutflow3m > 0.3); growing (opened < 3 years ago); mature.
 * - rm: corporates, prospects and retail clients of tier mass-affluent and above have an RM of their
 *   home branch; mass retail clients are served by the branch pool (rm null, channel never 'rm').
 * - tier = tierOf(aum, tierThresholds) for every row. segment: retail Personal (mass, mass-affluent),
 *   Premier (affluent), Private Banking (hnw, uhnw); corporate Institutional (financial and public-
 *   utility industries), SME (micro, small), Corporate (medium, large).
 * - industry, companySize: corporates only; age: retail only (18..95); latePayments12m: only
 *   clients with a loan (loans > 0).
 * - deposits <= aum; revenue = deposit spread + investment fees + loan spread + product fees - credit
 *   losses, so it is negative for a few (promotional deposit rates, late payers); costToServe =
 *   channel base + tier service + per product + per transaction, so many small branch clients cost
 *   more than they earn (the whale curve has value destroyers).
 * - churned (the model label) is drawn from a logistic model of dormancy, asset outflow, products,
 *   NPS answer, late payments and tenure; it is never copied from a rule, so a model can learn it
 *   but not read it off one column.
 */
import { RecordBatch, Table } from 'apache-arrow';
import {
  CHANNELS, CLIENT_FIELDS, CLIENT_TYPES, COMPANY_SIZES, LIFECYCLE_STAGES, WEALTH_TIERS, type ClientField,
} from '../schema/client-schema.js';
import { daysFromCivil, makeClientTable } from '../schema/arrow-columns.js';
import { DEFAULT_TIER_THRESHOLDS, tierIndexOf, validateTierThresholds } from '../schema/wealth-tiers.js';
import { Rng, weightTable } from './random.js';
import {
  BRANCHES, BRANCH_CITY, BRANCH_WEIGHTS, BRANCH_REGION, INDUSTRIES, INDUSTRY_WEIGHTS, INDUSTRY_DEFS, REGIONS, RMS,
  RMS_PER_BRANCH, RM_IN_BRANCH_WEIGHTS, SEGMENTS, SEG_CORPORATE, SEG_INSTITUTIONAL, SEG_PERSONAL, SEG_PREMIER,
  SEG_PRIVATE, SEG_SME, appendCompanyName, appendPersonName,
} from './vocabulary.js';
import { withStableDictionaries } from './stable-dictionaries.js';
import { Utf8ColumnBuilder } from './utf8-column.js';

/** Rows of a record batch, the unit the Rng streams are keyed by (and kernels' unit of work). */
export const GENERATOR_BATCH_ROWS = 65_536;
/**
 * Rows of a chunk: the unit of generation, caching (one IndexedDB record) and partitioning. Two
 * batches: a cached load reads every record back as a Blob, and each Blob read costs Chromium CPU
 * beside its bytes (160 MB read by two workers: 650-740 ms in 16 Blobs, 580-650 ms in 8), on the
 * two cores the panels' scores then need.
 */
export const GENERATOR_CHUNK_ROWS = 2 * GENERATOR_BATCH_ROWS;
/**
 * Bumped whenever the same options would produce different data (model, vocabularies, Rng), so
 * caches of generated datasets can key on it. Also in the schema metadata. 2: chunks of two
 * batches. The clients are those of v1, but a chunk's transaction log (transactions.ts, keyed by
 * chunk) covers twice the clients, and a v1 entry's chunk k is not v2's.
 */
export const PORTFOLIO_GENERATOR_VERSION = 2;
export const MAX_GENERATOR_ROWS = 50_000_000;
export const DEFAULT_SEED = 20260630;
export const DEFAULT_AS_OF = '2026-06-30';
export const DEFAULT_CURRENCY = 'CNY';

/** Rng stream ids: the client summaries and the transaction log never share random numbers. */
export const STREAM_CLIENTS = 1;
export const STREAM_TRANSACTIONS = 2;

export interface PortfolioOptions {
  /** Number of clients, an integer 1..50,000,000. */
  rows: number;
  /** Integer 0..2^32-1; default 20260630. */
  seed?: number;
  /** ISO date YYYY-MM-DD the data describes; default '2026-06-30'. */
  asOf?: string;
  /** ISO 4217 code; informative only (schema metadata), amounts are CNY-like; default 'CNY'. */
  currency?: string;
  /** Lower bounds of mass-affluent, affluent, hnw, uhnw; default DEFAULT_TIER_THRESHOLDS. */
  tierThresholds?: readonly number[];
}

export interface ResolvedPortfolioOptions {
  readonly rows: number;
  readonly seed: number;
  readonly asOf: string;
  /** asOf as days since 1970-01-01. */
  readonly asOfDay: number;
  readonly currency: string;
  readonly tierThresholds: readonly number[];
}

const OPTION_KEYS = ['rows', 'seed', 'asOf', 'currency', 'tierThresholds'];

/**
 * Validates options and fills defaults; throws an Error naming the option and what is expected.
 * `extraKeys` are further options the caller handles itself (e.g. `months` of transactions).
 */
export function resolvePortfolioOptions(options: PortfolioOptions, extraKeys: readonly string[] = []): ResolvedPortfolioOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(`Portfolio options must be an object like { rows: 100000 }; got ${Array.isArray(options) ? 'an array' : options === null ? 'null' : typeof options}.`);
  }
  const known = [...OPTION_KEYS, ...extraKeys];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`Unknown option "${key}"; expected one of: ${known.join(', ')}.`);
  }
  const { rows, seed = DEFAULT_SEED, asOf = DEFAULT_AS_OF, currency = DEFAULT_CURRENCY, tierThresholds = DEFAULT_TIER_THRESHOLDS } = options;
  if (typeof rows !== 'number' || !Number.isInteger(rows) || rows < 1 || rows > MAX_GENERATOR_ROWS) {
    throw new Error(`Option "rows" must be an integer from 1 to ${MAX_GENERATOR_ROWS.toLocaleString('en-US')}; got ${String(rows)}.`);
  }
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`Option "seed" must be an integer from 0 to 4294967295; got ${String(seed)}.`);
  }
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) {
    throw new Error(`Option "currency" must be a three-letter ISO 4217 code such as "CNY"; got ${JSON.stringify(currency)}.`);
  }
  const asOfDay = parseIsoDay(asOf);
  validateTierThresholds(tierThresholds, 'Option "tierThresholds"');
  return { rows, seed, asOf, asOfDay, currency, tierThresholds: Object.freeze([...tierThresholds]) };
}

/** 'YYYY-MM-DD' (a real calendar date, years 1900..2200) -> days since 1970-01-01. */
function parseIsoDay(asOf: unknown): number {
  const m = typeof asOf === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(asOf) : null;
  const bad = () => new Error(`Option "asOf" must be an ISO date YYYY-MM-DD between 1900 and 2200, such as "2026-06-30"; got ${JSON.stringify(asOf)}.`);
  if (!m) throw bad();
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  if (y < 1900 || y > 2200 || mo < 1 || mo > 12 || d < 1) throw bad();
  const day = daysFromCivil(y, mo, d);
  // Date.UTC rolls 2026-02-30 over to March; a round trip catches it.
  const back = new Date(day * 86_400_000);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() + 1 !== mo || back.getUTCDate() !== d) throw bad();
  return day;
}

/** Number of chunks for `rows` clients. */
export function chunkCount(rows: number): number {
  if (!Number.isInteger(rows) || rows < 1 || rows > MAX_GENERATOR_ROWS) {
    throw new Error(`chunkCount: rows must be an integer from 1 to ${MAX_GENERATOR_ROWS.toLocaleString('en-US')}; got ${String(rows)}.`);
  }
  return Math.ceil(rows / GENERATOR_CHUNK_ROWS);
}

/** Throws unless chunkIndex is an integer in [0, chunkCount(rows)). */
export function checkChunkIndex(rows: number, chunkIndex: number): void {
  const n = chunkCount(rows);
  if (typeof chunkIndex !== 'number' || !Number.isInteger(chunkIndex) || chunkIndex < 0 || chunkIndex >= n) {
    throw new Error(`chunkIndex must be an integer from 0 to ${n - 1} for ${rows} rows (${GENERATOR_CHUNK_ROWS} rows a chunk); got ${String(chunkIndex)}.`);
  }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary indices and model parameters. Amounts are CNY-like.

const iCh = (c: (typeof CHANNELS)[number]) => CHANNELS.indexOf(c);
const CH_BRANCH = iCh('branch'), CH_APP = iCh('app'), CH_PHONE = iCh('phone'), CH_RM = iCh('rm');
const iSt = (s: (typeof LIFECYCLE_STAGES)[number]) => LIFECYCLE_STAGES.indexOf(s);
const ST_PROSPECT = iSt('prospect'), ST_NEW = iSt('new'), ST_GROWING = iSt('growing'), ST_MATURE = iSt('mature');
const ST_DECLINING = iSt('declining'), ST_DORMANT = iSt('dormant'), ST_CHURNED = iSt('churned'), ST_WINBACK = iSt('win-back');
const TYPE_RETAIL = CLIENT_TYPES.indexOf('retail'), TYPE_CORPORATE = CLIENT_TYPES.indexOf('corporate');

const P_CORPORATE = 0.12;
const P_PROSPECT = 0.025;
/** Activity states of opened clients (cumulative thresholds of one uniform draw). */
const P_LOST = 0.025, P_DORMANT = 0.035, P_QUIET = 0.04, P_WINBACK = 0.02;
const A_ACTIVE = 0, A_QUIET = 1, A_DORMANT = 2, A_LOST = 3, A_WINBACK = 4;

/**
 * Retail log-AUM: median e^MU at age 46, AGE_SLOPE per year of age, a wide spread (many near-empty
 * accounts, a long tail). Tuned so that, with the default thresholds and the corporates, tiers are
 * about 65% mass, 24% mass-affluent, 9% affluent, 1.5% hnw, 0.1% uhnw. The retail median is then
 * ~12k: a median near 60k cannot coexist with 60-70% of clients below a 50k mass-affluent bound.
 */
const RETAIL_LOG_MU = Math.log(13_000);
const RETAIL_LOG_SIGMA = 2.45;
const RETAIL_AGE_SLOPE = 0.025;
/** Corporate AUM medians by size (micro, small, medium, large); balances held with this bank. */
const CORP_AUM_MEDIAN = [90_000, 350_000, 2_200_000, 11_000_000];
const CORP_LOG_SIGMA = 1.1;
const SIZE_WEIGHTS = weightTable([0.45, 0.3, 0.18, 0.07]);
const SIZE_WEIGHTS_INSTITUTIONAL = weightTable([0.05, 0.2, 0.4, 0.35]);
const CORP_LOAN_MEDIAN = [300_000, 2_000_000, 12_000_000, 90_000_000];

/** Probability that an RM-covered retail client prefers the RM channel, by tier index. */
const RM_CHANNEL_P = [0, 0.08, 0.3, 0.6, 0.75];
/** Transactions a year of an active client by preferred channel (index of CHANNELS). */
const TXN_RATE = new Float64Array(CHANNELS.length);
TXN_RATE[CH_BRANCH] = 9; TXN_RATE[CH_APP] = 30; TXN_RATE[CH_PHONE] = 12; TXN_RATE[CH_RM] = 16;
/** Yearly cost to serve: channel base, cost per transaction; tier service cost (private bankers...). */
const COST_BASE = new Float64Array(CHANNELS.length);
COST_BASE[CH_BRANCH] = 320; COST_BASE[CH_APP] = 50; COST_BASE[CH_PHONE] = 160; COST_BASE[CH_RM] = 900;
const COST_PER_TXN = new Float64Array(CHANNELS.length);
COST_PER_TXN[CH_BRANCH] = 4; COST_PER_TXN[CH_APP] = 0.2; COST_PER_TXN[CH_PHONE] = 2; COST_PER_TXN[CH_RM] = 3;
const COST_TIER = [0, 80, 600, 4_000, 15_000];
const CORP_COST_BASE = [1_500, 3_750, 9_000, 22_500];
/** Acquisition cost medians: retail by channel, corporate by size. */
const CAC_RETAIL = new Float64Array(CHANNELS.length);
CAC_RETAIL[CH_BRANCH] = 400; CAC_RETAIL[CH_APP] = 150; CAC_RETAIL[CH_PHONE] = 250; CAC_RETAIL[CH_RM] = 2_500;
const CAC_CORP = [3_000, 6_000, 15_000, 36_000];
/** Intercept of the churn logit; tuned for a 10-15% churn rate. */
const CHURN_B0 = -2.25;

const round2 = (x: number) => Math.round(x * 100) / 100;

/** The vocabulary of each category column, in dictionary order. */
const VOCABULARIES: Partial<Record<ClientField, readonly string[]>> = {
  clientType: CLIENT_TYPES, segment: SEGMENTS, tier: WEALTH_TIERS, industry: INDUSTRIES, companySize: COMPANY_SIZES,
  region: REGIONS, branch: BRANCHES, rm: RMS, channel: CHANNELS, lifecycleStage: LIFECYCLE_STAGES,
};

const vocabularyOf = (field: string): readonly string[] => {
  const v = VOCABULARIES[field as ClientField];
  if (!v) throw new Error(`No vocabulary for category column "${field}".`);
  return v;
};
/** Dictionary id of a category column: its position in CLIENT_FIELDS (stable across chunks and runs). */
const dictionaryIdOf = (field: string): number => CLIENT_FIELDS.indexOf(field as ClientField);

export function portfolioMetadata(o: ResolvedPortfolioOptions): Map<string, string> {
  return new Map([
    ['clientlens.generator', `clientlens synthetic portfolio v${PORTFOLIO_GENERATOR_VERSION}`],
    ['clientlens.seed', String(o.seed)],
    ['clientlens.asOf', o.asOf],
    ['clientlens.currency', o.currency],
    ['clientlens.tierThresholds', JSON.stringify(o.tierThresholds)],
  ]);
}

/** Generates the clients of chunk `chunkIndex` (see the file comment for the contracts). */
export function generatePortfolioChunk(options: PortfolioOptions, chunkIndex: number): Table {
  const o = resolvePortfolioOptions(options);
  checkChunkIndex(o.rows, chunkIndex);
  return generateResolvedChunk(o, chunkIndex);
}

/** All chunks, in order (a convenience for Node tests and benchmarks). */
export function generatePortfolio(options: PortfolioOptions): Table[] {
  const o = resolvePortfolioOptions(options);
  const out: Table[] = [];
  for (let k = 0, n = chunkCount(o.rows); k < n; k++) out.push(generateResolvedChunk(o, k));
  return out;
}

/**
 * generatePortfolioChunk for options already checked by resolvePortfolioOptions (a worker can
 * resolve once and generate many chunks). chunkIndex is not checked here: see checkChunkIndex.
 */
export function generateResolvedChunk(o: ResolvedPortfolioOptions, chunkIndex: number): Table {
  const first = (chunkIndex * GENERATOR_CHUNK_ROWS) / GENERATOR_BATCH_ROWS;
  const end = Math.min(first + GENERATOR_CHUNK_ROWS / GENERATOR_BATCH_ROWS, Math.ceil(o.rows / GENERATOR_BATCH_ROWS));
  const head = generateBatch(o, first);
  if (end - first === 1) return head;
  // Every batch has an equal schema (stable dictionaries, same metadata): the chunk uses the first's.
  const batches = [head.batches[0]];
  for (let b = first + 1; b < end; b++) batches.push(new RecordBatch(head.schema, generateBatch(o, b).batches[0].data));
  return new Table(head.schema, batches);
}

/** Batch `batchIndex` of the portfolio, as a single-batch table (see the file comment). */
function generateBatch(o: ResolvedPortfolioOptions, batchIndex: number): Table {
  const start = batchIndex * GENERATOR_BATCH_ROWS;
  const n = Math.min(o.rows, start + GENERATOR_BATCH_ROWS) - start;
  const rng = new Rng(o.seed, STREAM_CLIENTS, batchIndex);
  const asOf = o.asOfDay;
  const thresholds = o.tierThresholds;

  // Ids and names go straight to UTF-8 bytes (no per-row JS strings; see utf8-column.ts).
  const clientId = new Utf8ColumnBuilder(n, 9);
  const name = new Utf8ColumnBuilder(n, 12);
  const clientType = new Int32Array(n);
  const segment = new Int32Array(n);
  const tier = new Int32Array(n);
  const industry = new Int32Array(n), industryValid = new Uint8Array(n);
  const companySize = new Int32Array(n), companySizeValid = new Uint8Array(n);
  const region = new Int32Array(n);
  const branch = new Int32Array(n);
  const rm = new Int32Array(n), rmValid = new Uint8Array(n);
  const channel = new Int32Array(n), channelValid = new Uint8Array(n);
  const aum = new Float64Array(n);
  const deposits = new Float64Array(n);
  const loans = new Float64Array(n);
  const revenue = new Float64Array(n);
  const costToServe = new Float64Array(n);
  const productsHeld = new Int32Array(n);
  const txnCount12m = new Int32Array(n);
  const lastTxnDate = new Int32Array(n), lastTxnValid = new Uint8Array(n);
  const outflow = new Float64Array(n), outflowValid = new Uint8Array(n);
  const stage = new Int32Array(n);
  const riskLevel = new Int32Array(n), riskValid = new Uint8Array(n);
  const nps = new Int32Array(n), npsValid = new Uint8Array(n);
  const cac = new Float64Array(n), cacValid = new Uint8Array(n);
  const openDate = new Int32Array(n), openValid = new Uint8Array(n);
  const age = new Int32Array(n), ageValid = new Uint8Array(n);
  const late = new Int32Array(n), lateValid = new Uint8Array(n);
  const churned = new Uint8Array(n), churnedValid = new Uint8Array(n);

  for (let i = 0; i < n; i++) {
    const g = start + i;
    clientId.appendAscii(67 /* 'C' */);
    clientId.appendPaddedInt(g + 1, 8);
    clientId.endRow();

    // Who: type, home branch (and so region), corporate attributes or age.
    const corporate = rng.uniform() < P_CORPORATE;
    clientType[i] = corporate ? TYPE_CORPORATE : TYPE_RETAIL;
    const br = rng.weighted(BRANCH_WEIGHTS);
    branch[i] = br;
    region[i] = BRANCH_REGION[br];
    let years = 0; // age of a retail client
    let size = 0;
    let ind = 0;
    if (corporate) {
      ind = rng.weighted(INDUSTRY_WEIGHTS);
      size = rng.weighted(INDUSTRY_DEFS[ind].institutional ? SIZE_WEIGHTS_INSTITUTIONAL : SIZE_WEIGHTS);
      industry[i] = ind; industryValid[i] = 1;
      companySize[i] = size; companySizeValid[i] = 1;
      appendCompanyName(rng, name, ind, BRANCH_CITY[br], size);
    } else {
      let a: number;
      do a = 46 + 16 * rng.normal(); while (a < 18 || a >= 96);
      years = Math.floor(a);
      age[i] = years; ageValid[i] = 1;
      appendPersonName(rng, name);
    }
    name.endRow();
    const prospect = rng.uniform() < P_PROSPECT;

    // Relationship length and activity.
    let tenure = 0; // days since opening
    let activity = A_ACTIVE;
    let k = 0; // days since the last transaction
    if (!prospect) {
      const maxTenure = corporate ? 25 * 365 : Math.max(30, Math.min(25 * 365, (years - 18) * 365 + 180));
      tenure = Math.floor(rng.exponential(7.5 * 365));
      if (tenure > maxTenure) tenure = Math.floor(rng.uniform() * maxTenure);
      openDate[i] = asOf - tenure; openValid[i] = 1;
      const r = rng.uniform();
      if (r < P_LOST && tenure >= 365) {
        activity = A_LOST;
        k = 365 + Math.floor(rng.exponential(300));
        if (k > tenure) k = 365 + rng.int(tenure - 364);
      } else if (r < P_LOST + P_DORMANT && tenure >= 180) {
        activity = A_DORMANT;
        k = 180 + rng.int(Math.min(185, tenure - 179));
      } else if (r < P_LOST + P_DORMANT + P_QUIET && tenure >= 90) {
        activity = A_QUIET;
        k = 90 + rng.int(Math.min(90, tenure - 89));
      } else if (r < P_LOST + P_DORMANT + P_QUIET + P_WINBACK && tenure >= 548) {
        activity = A_WINBACK;
        k = rng.int(31);
      }
    }

    // Wealth: log-normal AUM, then tier.
    let amount = 0;
    if (!prospect) {
      const z = rng.normal();
      amount = corporate
        ? CORP_AUM_MEDIAN[size] * Math.exp(CORP_LOG_SIGMA * z)
        : Math.exp(RETAIL_LOG_MU + RETAIL_LOG_SIGMA * z + RETAIL_AGE_SLOPE * (years - 46));
      if (activity === A_LOST) amount *= 0.25;
      if (tenure < 183) amount *= 0.6;
      amount = round2(amount);
    }
    aum[i] = amount;
    const t = tierIndexOf(amount, thresholds);
    tier[i] = t;
    segment[i] = corporate
      ? INDUSTRY_DEFS[ind].institutional ? SEG_INSTITUTIONAL : size <= 1 ? SEG_SME : SEG_CORPORATE
      : t <= 1 ? SEG_PERSONAL : t === 2 ? SEG_PREMIER : SEG_PRIVATE;
    const hasRm = corporate || prospect || t >= 1;
    if (hasRm) {
      rm[i] = br * RMS_PER_BRANCH + rng.weighted(RM_IN_BRANCH_WEIGHTS);
      rmValid[i] = 1;
    }

    if (prospect) {
      stage[i] = ST_PROSPECT;
      continue; // every other column keeps its zero value / null mask
    }

    // Preferred channel.
    let ch: number;
    if (corporate) {
      const u = rng.uniform();
      ch = u < 0.5 + 0.1 * size ? CH_RM : rng.uniform() < 0.5 ? CH_BRANCH : rng.uniform() < 0.8 ? CH_APP : CH_PHONE;
    } else if (hasRm && rng.uniform() < RM_CHANNEL_P[t]) {
      ch = CH_RM;
    } else {
      const wApp = years < 35 ? 0.72 : years < 50 ? 0.58 : years < 65 ? 0.36 : 0.16;
      const wBranch = years < 35 ? 0.16 : years < 50 ? 0.26 : years < 65 ? 0.44 : 0.66;
      const u = rng.uniform() * (wApp + wBranch + 0.1);
      ch = u < wApp ? CH_APP : u < wApp + wBranch ? CH_BRANCH : CH_PHONE;
    }
    channel[i] = ch; channelValid[i] = 1;

    // Loans, late payments, products.
    let loan = 0;
    if (corporate) {
      if (rng.uniform() < 0.35 + 0.1 * size) loan = CORP_LOAN_MEDIAN[size] * rng.lognormal(0, 0.9);
    } else if (rng.uniform() < (years >= 25 && years <= 55 ? 0.24 : 0.08) + 0.04 * t) {
      loan = rng.uniform() < 0.55 ? rng.lognormal(Math.log(700_000), 0.7) : rng.lognormal(Math.log(40_000), 0.9);
    }
    loan = round2(loan);
    loans[i] = loan;
    let latePay = 0;
    if (loan > 0) {
      latePay = rng.uniform() < 0.84 ? 0 : Math.min(12, 1 + rng.poisson(1));
      late[i] = latePay; lateValid[i] = 1;
    }
    const products = Math.min(10, 1 + rng.poisson(
      corporate ? 1 + 0.7 * size + (loan > 0 ? 0.8 : 0) : 0.5 + 0.55 * t + (loan > 0 ? 0.8 : 0) + (ch === CH_RM ? 0.4 : 0),
    ));
    productsHeld[i] = products;

    // Transactions over the last 12 months (see the activity rules in the file comment).
    const rate = corporate
      ? 40 * (size === 0 ? 0.6 : size === 1 ? 1 : size === 2 ? 2 : 3.5) * (0.8 + 0.05 * products) * rng.lognormal(0, 0.4)
      : TXN_RATE[ch] * (0.7 + 0.12 * products) * rng.lognormal(0, 0.5);
    let n12: number;
    if (activity === A_ACTIVE) {
      k = Math.min(Math.floor(rng.exponential(365 / rate)), 89, tenure);
      n12 = 1 + rng.poisson((rate * (Math.min(364, tenure) - k)) / 365);
    } else if (activity === A_QUIET || activity === A_DORMANT) {
      n12 = 1 + rng.poisson((Math.min(rate, 6) * (Math.min(364, tenure) - k)) / 730);
    } else if (activity === A_WINBACK) {
      n12 = 1 + rng.poisson((rate * (60 - k)) / 365);
    } else {
      n12 = 0;
    }
    txnCount12m[i] = n12;
    lastTxnDate[i] = asOf - k; lastTxnValid[i] = 1;

    // Deposits (<= aum).
    const share = corporate
      ? Math.min(1, Math.max(0.2, 0.8 + 0.12 * rng.normal()))
      : Math.min(1, Math.max(0.05, 0.9 - 0.13 * t + 0.12 * rng.normal()));
    const dep = Math.min(amount, round2(amount * share));
    deposits[i] = dep;

    // Share of assets moved out over 3 months: mostly small, a few above one half.
    const pHigh = tenure < 90 || activity === A_LOST ? 0.005 : activity === A_QUIET || activity === A_DORMANT ? 0.09 : 0.03;
    const ro = rng.uniform();
    const uo = rng.uniform();
    const out = ro < pHigh ? 0.501 + 0.499 * Math.pow(uo, 0.8) : ro < pHigh + 0.22 ? 0.05 + 0.45 * Math.pow(uo, 1.6) : 0.05 * uo * uo;
    const outR = Math.round(out * 10_000) / 10_000;
    outflow[i] = outR; outflowValid[i] = 1;

    // Revenue and cost to serve over 12 months.
    const depMargin = rng.uniform() < 0.025 ? -0.006 : 0.011;
    let rev = dep * depMargin + (amount - dep) * (corporate ? 0.004 : 0.007) + loan * (corporate ? 0.013 : 0.02)
      + products * (corporate ? 900 * (1 + size) : 60);
    if (latePay >= 2) rev -= loan * 0.015 * Math.min(latePay, 6);
    revenue[i] = round2(rev * rng.lognormal(0, 0.25));
    const cost = corporate
      ? CORP_COST_BASE[size] + 200 * products + n12 + (ch === CH_RM ? 3_000 : 0)
      : COST_BASE[ch] + COST_TIER[t] + 30 * products + COST_PER_TXN[ch] * n12;
    costToServe[i] = round2(cost * rng.lognormal(0, 0.2));

    // Acquisition cost and risk-assessment level.
    cac[i] = round2((corporate ? CAC_CORP[size] : CAC_RETAIL[ch] * (1 + 0.6 * t)) * rng.lognormal(0, 0.5));
    cacValid[i] = 1;
    const riskX = corporate ? 2.6 + 0.2 * size + 0.9 * rng.normal() : 3.1 - (years - 45) / 22 + 0.2 * t + 0.9 * rng.normal();
    riskLevel[i] = Math.min(5, Math.max(1, Math.round(riskX)));
    riskValid[i] = 1;

    // NPS answer for about 30% (fewer among inactive clients); lower when leaving or in arrears.
    const inactive = activity === A_QUIET || activity === A_DORMANT || activity === A_LOST;
    let npsAnswer = -1;
    if (rng.uniform() < (inactive ? 0.12 : 0.33)) {
      const sat = 8.3 + (ch === CH_RM ? 0.3 : 0) - (outR > 0.5 ? 1.8 : 0) - (activity === A_DORMANT || activity === A_LOST ? 1 : 0)
        - 0.7 * Math.min(latePay, 3) + 1.9 * rng.normal();
      npsAnswer = Math.min(10, Math.max(0, Math.round(sat)));
      nps[i] = npsAnswer; npsValid[i] = 1;
    }

    // Churn label from a logistic model.
    const tenureYears = tenure / 365;
    const x = CHURN_B0 + (k >= 90 ? 1.2 : 0) + (k >= 180 ? 0.9 : 0) + (k >= 365 ? 0.9 : 0) + 3.2 * outR - 0.3 * (products - 1)
      + 0.4 * Math.min(latePay, 4) + (npsAnswer < 0 ? 0 : npsAnswer <= 6 ? 0.9 : npsAnswer >= 9 ? -0.5 : 0)
      - 0.05 * Math.min(tenureYears, 15);
    churned[i] = rng.uniform() < 1 / (1 + Math.exp(-x)) ? 1 : 0;
    churnedValid[i] = 1;

    stage[i] = tenure < 183 ? ST_NEW
      : k >= 365 ? ST_CHURNED
      : k >= 180 ? ST_DORMANT
      : activity === A_WINBACK ? ST_WINBACK
      : k >= 90 || outR > 0.3 ? ST_DECLINING
      : tenure < 3 * 365 ? ST_GROWING
      : ST_MATURE;
  }

  // Every other column goes through makeClientTable (storage types of ClientSchema); the two Utf8
  // columns are spliced in, in ClientSchema order, by withStableDictionaries.
  const table = makeClientTable({
    clientType: { type: 'category', indices: clientType, dictionary: CLIENT_TYPES, valid: null },
    segment: { type: 'category', indices: segment, dictionary: SEGMENTS, valid: null },
    tier: { type: 'category', indices: tier, dictionary: WEALTH_TIERS, valid: null },
    industry: { type: 'category', indices: industry, dictionary: INDUSTRIES, valid: industryValid },
    companySize: { type: 'category', indices: companySize, dictionary: COMPANY_SIZES, valid: companySizeValid },
    region: { type: 'category', indices: region, dictionary: REGIONS, valid: null },
    branch: { type: 'category', indices: branch, dictionary: BRANCHES, valid: null },
    rm: { type: 'category', indices: rm, dictionary: RMS, valid: rmValid },
    channel: { type: 'category', indices: channel, dictionary: CHANNELS, valid: channelValid },
    aum: { type: 'float', values: aum, valid: null },
    deposits: { type: 'float', values: deposits, valid: null },
    loans: { type: 'float', values: loans, valid: null },
    revenue: { type: 'float', values: revenue, valid: null },
    costToServe: { type: 'float', values: costToServe, valid: null },
    productsHeld: { type: 'int', values: productsHeld, valid: null },
    txnCount12m: { type: 'int', values: txnCount12m, valid: null },
    lastTxnDate: { type: 'date', values: lastTxnDate, valid: lastTxnValid },
    assetOutflow3m: { type: 'float', values: outflow, valid: outflowValid },
    lifecycleStage: { type: 'category', indices: stage, dictionary: LIFECYCLE_STAGES, valid: null },
    riskLevel: { type: 'int', values: riskLevel, valid: riskValid },
    npsScore: { type: 'int', values: nps, valid: npsValid },
    acquisitionCost: { type: 'float', values: cac, valid: cacValid },
    openDate: { type: 'date', values: openDate, valid: openValid },
    age: { type: 'int', values: age, valid: ageValid },
    latePayments12m: { type: 'int', values: late, valid: lateValid },
    churned: { type: 'bool', values: churned, valid: churnedValid },
  });
  return withStableDictionaries(table, {
    order: CLIENT_FIELDS,
    prebuilt: { clientId: clientId.finish(), name: name.finish() },
    idOf: dictionaryIdOf,
    vocabularyOf,
    metadata: portfolioMetadata(o),
  });
}
