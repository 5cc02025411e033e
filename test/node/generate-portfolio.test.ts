// The synthetic portfolio generator: determinism, chunk independence, schema, invariants and
// distributions. Expectations are computed here from the raw Arrow buffers, not by the generator.
import { beforeAll, describe, expect, it } from 'vitest';
import { Bool, DateDay, Dictionary, Float64, Int32, Utf8, tableFromIPC, tableToIPC, type DataType, type Table } from 'apache-arrow';
import { CLIENT_FIELDS, WEALTH_TIERS, fieldDef, type ClientField } from '../../src/schema/client-schema.js';
import { daysFromCivil } from '../../src/schema/arrow-columns.js';
import { DEFAULT_TIER_THRESHOLDS } from '../../src/schema/wealth-tiers.js';
import {
  GENERATOR_BATCH_ROWS, GENERATOR_CHUNK_ROWS, chunkCount, generatePortfolio, generatePortfolioChunk, type PortfolioOptions,
} from '../../src/generate/portfolio.js';

type Cell = string | number | boolean | null;

/** Column values of all chunks, read from the Arrow buffers (nulls from the validity bitmaps). */
function readAll(chunks: readonly Table[]): Record<ClientField, Cell[]> {
  const out = {} as Record<ClientField, Cell[]>;
  const decoder = new TextDecoder();
  for (const f of CLIENT_FIELDS) out[f] = [];
  for (const t of chunks) {
    for (const f of CLIENT_FIELDS) for (const d of t.getChild(f)!.data) {
      const bm = d.nullBitmap;
      const isNull = (i: number) => d.nullCount > 0 && bm != null && bm.length > 0 && ((bm[i >> 3] >> (i & 7)) & 1) === 0;
      const dict = d.dictionary ? (d.dictionary.toArray() as string[]) : null;
      const target = out[f];
      for (let i = 0; i < d.length; i++) {
        if (isNull(i)) target.push(null);
        else if (dict) target.push(dict[(d.values as Int32Array)[i]]);
        else if (d.type instanceof Utf8) target.push(decoder.decode((d.values as Uint8Array).subarray(d.valueOffsets[i], d.valueOffsets[i + 1])));
        else if (d.type instanceof Bool) target.push(((d.values[i >> 3] >> (i & 7)) & 1) === 1);
        else target.push((d.values as Int32Array | Float64Array)[i]);
      }
    }
  }
  return out;
}

const ipc = (t: Table) => Buffer.from(tableToIPC(t, 'stream'));
const AS_OF = daysFromCivil(2026, 6, 30);
const N = 200_000;

const expectedStorage: Record<string, (t: DataType) => boolean> = {
  float: (t) => t instanceof Float64,
  int: (t) => t instanceof Int32,
  date: (t) => t instanceof DateDay,
  bool: (t) => t instanceof Bool,
  string: (t) => t instanceof Utf8,
  category: (t) => t instanceof Dictionary && t.dictionary instanceof Utf8 && t.indices instanceof Int32,
};

let chunks: Table[];
let c: Record<ClientField, Cell[]>;

beforeAll(() => {
  chunks = generatePortfolio({ rows: N });
  c = readAll(chunks);
});

const share = (pred: (i: number) => boolean, among: (i: number) => boolean = () => true) => {
  let hit = 0, total = 0;
  for (let i = 0; i < N; i++) if (among(i)) { total++; if (pred(i)) hit++; }
  return hit / total;
};
const opened = (i: number) => c.lastTxnDate[i] !== null;
const daysSinceLast = (i: number) => AS_OF - (c.lastTxnDate[i] as number);

describe('determinism and chunks', () => {
  it('gives byte-identical IPC for the same options, even after other tables were built', () => {
    const a = generatePortfolio({ rows: 200_001 });
    generatePortfolioChunk({ rows: 10, seed: 1 }, 0); // moves apache-arrow's dictionary id counter
    const b = generatePortfolio({ rows: 200_001 });
    expect(a.length).toBe(2);
    for (let k = 0; k < a.length; k++) expect(ipc(a[k]).equals(ipc(b[k]))).toBe(true);
  });

  it('gives different data for a different seed', () => {
    const a = readAll([generatePortfolioChunk({ rows: 5_000 }, 0)]);
    const b = readAll([generatePortfolioChunk({ rows: 5_000, seed: 7 }, 0)]);
    expect(a.clientId).toEqual(b.clientId);
    const sameAum = a.aum.filter((v, i) => v === b.aum[i]).length;
    const sameName = a.name.filter((v, i) => v === b.name[i]).length;
    expect(sameAum).toBeLessThan(250); // prospects (aum 0) may coincide; little else should
    expect(sameName).toBeLessThan(500);
  });

  it('makes the last chunk alone equal to the last chunk of a full run, with the right row ranges and batches', () => {
    const opts: PortfolioOptions = { rows: 330_001, seed: 99 };
    const all = generatePortfolio(opts);
    expect(GENERATOR_CHUNK_ROWS).toBe(2 * GENERATOR_BATCH_ROWS);
    expect(chunkCount(330_001)).toBe(3);
    expect(all.map((t) => t.numRows)).toEqual([131_072, 131_072, 330_001 - 2 * 131_072]);
    expect(all.map((t) => t.batches.map((b) => b.numRows))).toEqual([[65_536, 65_536], [65_536, 65_536], [65_536, 330_001 - 5 * 65_536]]);
    const alone = generatePortfolioChunk(opts, 2);
    expect(ipc(alone).equals(ipc(all[2]))).toBe(true);
    // Chunks made out of order give the same bytes too.
    for (const k of [1, 0]) expect(ipc(generatePortfolioChunk(opts, k)).equals(ipc(all[k]))).toBe(true);
    const ids = readAll([alone]).clientId;
    expect(ids[0]).toBe(`C${String(2 * GENERATOR_CHUNK_ROWS + 1).padStart(8, '0')}`);
    expect(ids.at(-1)).toBe('C00330001');
  });

  it('draws every batch from its own random stream', () => {
    const a = c.aum.slice(0, GENERATOR_BATCH_ROWS), b = c.aum.slice(GENERATOR_BATCH_ROWS, 2 * GENERATOR_BATCH_ROWS);
    const same = a.filter((v, i) => v === b[i] && v !== 0).length;
    expect(same).toBeLessThan(50);
  });

  it("makes a shorter run a prefix of a longer one in a chunk's second batch too", () => {
    const short = readAll([generatePortfolioChunk({ rows: 70_000 }, 0)]);
    const long = readAll([generatePortfolioChunk({ rows: 131_072 }, 0)]);
    for (const f of CLIENT_FIELDS) expect(long[f].slice(65_536, 70_000), f).toEqual(short[f].slice(65_536));
  });

  it('makes a shorter run a prefix of a longer one', () => {
    const short = readAll([generatePortfolioChunk({ rows: 1_000 }, 0)]);
    const long = readAll([generatePortfolioChunk({ rows: 3_000 }, 0)]);
    for (const f of CLIENT_FIELDS) expect(long[f].slice(0, 1_000)).toEqual(short[f]);
  });

  it('counts chunks', () => {
    expect(chunkCount(1)).toBe(1);
    expect(chunkCount(131_072)).toBe(1);
    expect(chunkCount(131_073)).toBe(2);
    expect(chunkCount(50_000_000)).toBe(382);
  });
});

describe('schema', () => {
  it('has every ClientSchema field, in order, in its storage type', () => {
    const fields = chunks[0].schema.fields;
    expect(fields.map((f) => f.name)).toEqual([...CLIENT_FIELDS]);
    for (const f of fields) expect(expectedStorage[fieldDef(f.name as ClientField).type](f.type), f.name).toBe(true);
  });

  it('has identical schemas, dictionary ids, dictionaries and metadata in every chunk', () => {
    const describeSchema = (t: Table) =>
      JSON.stringify({
        fields: t.schema.fields.map((f) => [f.name, String(f.type), f.nullable, f.type instanceof Dictionary ? f.type.id : null]),
        meta: [...t.schema.metadata],
        dicts: t.schema.fields.filter((f) => f.type instanceof Dictionary).map((f) => t.getChild(f.name)!.data[0].dictionary!.toArray()),
      });
    const first = describeSchema(chunks[0]);
    for (const t of chunks.slice(1)) expect(describeSchema(t)).toBe(first);
    // A different run in the same process: same ids and dictionaries (metadata differs by seed).
    const other = generatePortfolioChunk({ rows: 100, seed: 5 }, 0);
    expect(other.schema.fields.map((f) => (f.type instanceof Dictionary ? f.type.id : null))).toEqual(
      chunks[0].schema.fields.map((f) => (f.type instanceof Dictionary ? f.type.id : null)),
    );
    const ids = chunks[0].schema.fields.filter((f) => f.type instanceof Dictionary).map((f) => (f.type as Dictionary).id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('records provenance in the schema metadata', () => {
    const m = generatePortfolioChunk({ rows: 10, seed: 3, asOf: '2025-12-31', currency: 'HKD', tierThresholds: [1, 2, 3, 4] }, 0).schema.metadata;
    expect(m.get('clientlens.seed')).toBe('3');
    expect(m.get('clientlens.asOf')).toBe('2025-12-31');
    expect(m.get('clientlens.currency')).toBe('HKD');
    expect(JSON.parse(m.get('clientlens.tierThresholds')!)).toEqual([1, 2, 3, 4]);
  });

  it('concatenates chunks into a table that round-trips through the IPC file and stream formats', () => {
    const all = chunks[0].concat(...chunks.slice(1));
    expect(all.numRows).toBe(N);
    for (const format of ['file', 'stream'] as const) {
      const back = tableFromIPC(tableToIPC(all, format));
      expect(back.numRows).toBe(N);
      for (const row of [0, 65535, 65536, 150_000, N - 1]) {
        expect(back.get(row)!.toJSON()).toEqual(all.get(row)!.toJSON());
        expect(back.getChild('branch')!.get(row)).toBe(c.branch[row]);
        expect(back.getChild('rm')!.get(row)).toBe(c.rm[row]);
      }
    }
  });

  it('uses only known category values', () => {
    for (const f of CLIENT_FIELDS) {
      const values = fieldDef(f).values;
      if (!values) continue;
      const seen = new Set(c[f].filter((v) => v !== null));
      for (const v of seen) expect(values, `${f}=${String(v)}`).toContain(v);
    }
  });
});

describe('row invariants (200k rows)', () => {
  it('numbers clients C + 8-digit row number, all unique', () => {
    expect(new Set(c.clientId).size).toBe(N);
    c.clientId.forEach((id, i) => {
      if (id !== `C${String(i + 1).padStart(8, '0')}`) throw new Error(`row ${i}: id ${id}`);
    });
  });

  it('fills type-specific fields only where they apply', () => {
    for (let i = 0; i < N; i++) {
      if (c.clientType[i] === 'retail') {
        const age = c.age[i] as number;
        if (!(Number.isInteger(age) && age >= 18 && age <= 95) || c.industry[i] !== null || c.companySize[i] !== null) {
          throw new Error(`retail row ${i}: age ${age}, industry ${c.industry[i]}, size ${c.companySize[i]}`);
        }
      } else if (c.clientType[i] !== 'corporate' || c.age[i] !== null || c.industry[i] === null || c.companySize[i] === null) {
        throw new Error(`row ${i}: type ${c.clientType[i]}, age ${c.age[i]}, industry ${c.industry[i]}, size ${c.companySize[i]}`);
      }
    }
  });

  it('derives tier from AUM and segment from type, tier, industry and size', () => {
    for (let i = 0; i < N; i++) {
      const aum = c.aum[i] as number;
      const tier = WEALTH_TIERS[DEFAULT_TIER_THRESHOLDS.filter((b) => aum >= b).length];
      const t = WEALTH_TIERS.indexOf(tier);
      const expectedSegment = c.clientType[i] === 'retail'
        ? t <= 1 ? 'Personal' : t === 2 ? 'Premier' : 'Private Banking'
        : c.industry[i] === '金融业' || c.industry[i] === '公用事业' ? 'Institutional'
          : c.companySize[i] === 'micro' || c.companySize[i] === 'small' ? 'SME' : 'Corporate';
      if (c.tier[i] !== tier || c.segment[i] !== expectedSegment) {
        throw new Error(`row ${i}: aum ${aum} tier ${c.tier[i]} (expected ${tier}), segment ${c.segment[i]} (expected ${expectedSegment})`);
      }
    }
  });

  it('nests RMs in branches and branches in regions', () => {
    const branchRegion = new Map<Cell, Cell>();
    const rmBranch = new Map<Cell, Cell>();
    for (let i = 0; i < N; i++) {
      if (c.region[i] === null || c.branch[i] === null) throw new Error(`row ${i} has no region or branch`);
      if ((branchRegion.get(c.branch[i]) ?? c.region[i]) !== c.region[i]) throw new Error(`branch ${c.branch[i]} in two regions`);
      branchRegion.set(c.branch[i], c.region[i]);
      if (c.rm[i] !== null) {
        if ((rmBranch.get(c.rm[i]) ?? c.branch[i]) !== c.branch[i]) throw new Error(`RM ${c.rm[i]} in two branches`);
        rmBranch.set(c.rm[i], c.branch[i]);
      }
    }
    expect(branchRegion.size).toBeGreaterThanOrEqual(195);
    expect(branchRegion.size).toBeLessThanOrEqual(200);
    expect(rmBranch.size).toBeGreaterThanOrEqual(1_900);
    expect(rmBranch.size).toBeLessThanOrEqual(2_000);
    expect(new Set(branchRegion.values()).size).toBeGreaterThanOrEqual(5);
    // The branch's city starts its name; every branch of a city is in one region already (above).
  });

  it('assigns an RM to corporates, prospects and retail above mass; the RM channel needs an RM', () => {
    for (let i = 0; i < N; i++) {
      const prospect = c.lifecycleStage[i] === 'prospect';
      const covered = c.clientType[i] === 'corporate' || prospect || c.tier[i] !== 'mass';
      if ((c.rm[i] !== null) !== covered) throw new Error(`row ${i}: rm ${c.rm[i]}, tier ${c.tier[i]}`);
      if (c.channel[i] === 'rm' && c.rm[i] === null) throw new Error(`row ${i}: RM channel without an RM`);
    }
  });

  it('keeps amounts in range: deposits <= aum, non-negative balances and costs', () => {
    for (let i = 0; i < N; i++) {
      const aum = c.aum[i] as number, dep = c.deposits[i] as number, loans = c.loans[i] as number;
      const rev = c.revenue[i] as number, cost = c.costToServe[i] as number;
      if (!(aum >= 0 && dep >= 0 && dep <= aum && loans >= 0 && cost >= 0 && Number.isFinite(rev))) {
        throw new Error(`row ${i}: aum ${aum} deposits ${dep} loans ${loans} revenue ${rev} cost ${cost}`);
      }
      const out = c.assetOutflow3m[i];
      if (out !== null && !((out as number) >= 0 && (out as number) <= 1)) throw new Error(`row ${i}: outflow ${out}`);
      const risk = c.riskLevel[i];
      if (risk !== null && !(Number.isInteger(risk) && (risk as number) >= 1 && (risk as number) <= 5)) throw new Error(`row ${i}: risk ${risk}`);
      const nps = c.npsScore[i];
      if (nps !== null && !(Number.isInteger(nps) && (nps as number) >= 0 && (nps as number) <= 10)) throw new Error(`row ${i}: nps ${nps}`);
      const cac = c.acquisitionCost[i];
      if (cac !== null && !((cac as number) >= 0)) throw new Error(`row ${i}: cac ${cac}`);
    }
  });

  it('keeps dates ordered: openDate <= lastTxnDate <= asOf, within 25 years', () => {
    const earliest = daysFromCivil(2001, 6, 29);
    for (let i = 0; i < N; i++) {
      const open = c.openDate[i], last = c.lastTxnDate[i];
      if ((open === null) !== (last === null)) throw new Error(`row ${i}: openDate ${open}, lastTxnDate ${last}`);
      if (open === null) continue;
      if (!((open as number) >= earliest && (open as number) <= (last as number) && (last as number) <= AS_OF)) {
        throw new Error(`row ${i}: openDate ${open}, lastTxnDate ${last}, asOf ${AS_OF}`);
      }
    }
  });

  it('ties transaction counts, products and late payments to the facts they describe', () => {
    for (let i = 0; i < N; i++) {
      const n12 = c.txnCount12m[i] as number, products = c.productsHeld[i] as number;
      if (opened(i)) {
        if ((n12 === 0) !== daysSinceLast(i) >= 365) throw new Error(`row ${i}: ${n12} transactions, last ${daysSinceLast(i)} days ago`);
        if (!(products >= 1 && products <= 10)) throw new Error(`row ${i}: ${products} products`);
      }
      const hasLoan = (c.loans[i] as number) > 0;
      const late = c.latePayments12m[i];
      if (hasLoan !== (late !== null)) throw new Error(`row ${i}: loans ${c.loans[i]}, late payments ${late}`);
      if (late !== null && !(Number.isInteger(late) && (late as number) >= 0 && (late as number) <= 12)) throw new Error(`row ${i}: late ${late}`);
    }
  });

  it('gives prospects no relationship: nulls where nothing applies, true zeros for balances', () => {
    let prospects = 0;
    for (let i = 0; i < N; i++) {
      if (c.lifecycleStage[i] !== 'prospect') {
        if (!opened(i)) throw new Error(`row ${i}: stage ${c.lifecycleStage[i]} without a relationship`);
        for (const f of ['openDate', 'lastTxnDate', 'channel', 'assetOutflow3m', 'riskLevel', 'acquisitionCost', 'churned'] as const) {
          if (c[f][i] === null) throw new Error(`client row ${i}: ${f} is null`);
        }
        continue;
      }
      prospects++;
      for (const f of ['openDate', 'lastTxnDate', 'channel', 'assetOutflow3m', 'riskLevel', 'npsScore', 'acquisitionCost', 'latePayments12m', 'churned'] as const) {
        if (c[f][i] !== null) throw new Error(`prospect row ${i}: ${f} = ${c[f][i]}`);
      }
      for (const f of ['aum', 'deposits', 'loans', 'revenue', 'costToServe', 'productsHeld', 'txnCount12m'] as const) {
        if (c[f][i] !== 0) throw new Error(`prospect row ${i}: ${f} = ${c[f][i]}`);
      }
      if (c.tier[i] !== 'mass') throw new Error(`prospect row ${i}: tier ${c.tier[i]}`);
    }
    expect(prospects / N).toBeGreaterThan(0.015);
    expect(prospects / N).toBeLessThan(0.04);
    // Nulls are Arrow nulls (validity bitmaps), not zeros.
    expect(chunks[0].getChild('age')!.nullCount).toBeGreaterThan(0);
    expect(chunks[0].getChild('npsScore')!.nullCount).toBeGreaterThan(0);
    expect(c.age.filter((a) => a === 0).length).toBe(0);
  });

  it('follows the documented lifecycle rules', () => {
    for (let i = 0; i < N; i++) {
      const stage = c.lifecycleStage[i];
      if (!opened(i)) {
        expect(stage).toBe('prospect');
        continue;
      }
      const tenure = AS_OF - (c.openDate[i] as number);
      const k = daysSinceLast(i);
      if (stage === 'win-back') {
        if (!(k < 90 && tenure >= 548)) throw new Error(`win-back row ${i}: last ${k} days ago, tenure ${tenure}`);
        continue;
      }
      const expected = tenure < 183 ? 'new'
        : k >= 365 ? 'churned'
        : k >= 180 ? 'dormant'
        : k >= 90 || (c.assetOutflow3m[i] as number) > 0.3 ? 'declining'
        : tenure < 3 * 365 ? 'growing'
        : 'mature';
      if (stage !== expected) throw new Error(`row ${i}: stage ${stage}, expected ${expected} (tenure ${tenure}, last ${k}, outflow ${c.assetOutflow3m[i]})`);
    }
  });

  it('builds Chinese personal and company names, about 10% romanised', () => {
    let retail = 0, latin = 0;
    for (let i = 0; i < N; i++) {
      const name = c.name[i] as string;
      if (c.clientType[i] === 'retail') {
        retail++;
        if (/^[A-Z][a-z]+ [A-Z][a-z]+$/.test(name)) latin++;
        else if (!/^[\u4e00-\u9fff]{2,4}$/.test(name)) throw new Error(`row ${i}: personal name ${name}`);
      } else if (!/^[\u4e00-\u9fff]{4,}公司$/.test(name)) {
        throw new Error(`row ${i}: company name ${name}`);
      }
    }
    expect(latin / retail).toBeGreaterThan(0.08);
    expect(latin / retail).toBeLessThan(0.12);
  });
});

describe('distributions (200k rows)', () => {
  it('has about 88% retail clients', () => {
    const s = share((i) => c.clientType[i] === 'retail');
    expect(s).toBeGreaterThan(0.86);
    expect(s).toBeLessThan(0.9);
  });

  it('spreads wealth tiers like a bank: mostly mass, a thin ultra-high-net-worth tail', () => {
    const tierShare = (t: string) => share((i) => c.tier[i] === t);
    const bounds: Record<string, [number, number]> = {
      mass: [0.58, 0.72], 'mass-affluent': [0.18, 0.28], affluent: [0.06, 0.12], hnw: [0.008, 0.025], uhnw: [0.0003, 0.003],
    };
    for (const [t, [lo, hi]] of Object.entries(bounds)) {
      expect(tierShare(t), t).toBeGreaterThan(lo);
      expect(tierShare(t), t).toBeLessThan(hi);
    }
    // Heavy tail: the top 1% of clients hold a large part of all assets.
    const aums = (c.aum as number[]).slice().sort((a, b) => b - a);
    const total = aums.reduce((s, x) => s + x, 0);
    const top = aums.slice(0, N / 100).reduce((s, x) => s + x, 0);
    expect(top / total).toBeGreaterThan(0.4);
  });

  it('has 8-12% of clients without a transaction for 90+ days and 3-5% with outflow above one half', () => {
    const dormant = share((i) => daysSinceLast(i) >= 90, opened);
    expect(dormant).toBeGreaterThan(0.08);
    expect(dormant).toBeLessThan(0.12);
    const outflow = share((i) => (c.assetOutflow3m[i] as number) > 0.5, opened);
    expect(outflow).toBeGreaterThan(0.025);
    expect(outflow).toBeLessThan(0.055);
  });

  it('has a 10-15% churn rate that the warning signals explain', () => {
    const churn = share((i) => c.churned[i] === true, opened);
    expect(churn).toBeGreaterThan(0.1);
    expect(churn).toBeLessThan(0.15);
    const among = (pred: (i: number) => boolean) => share((i) => c.churned[i] === true, (i) => opened(i) && pred(i));
    const active = among((i) => daysSinceLast(i) < 90 && (c.assetOutflow3m[i] as number) < 0.3);
    expect(among((i) => daysSinceLast(i) >= 180)).toBeGreaterThan(2 * active);
    expect(among((i) => (c.assetOutflow3m[i] as number) > 0.5)).toBeGreaterThan(2 * active);
    expect(among((i) => (c.latePayments12m[i] as number) >= 3)).toBeGreaterThan(1.5 * active);
    expect(among((i) => (c.productsHeld[i] as number) >= 4)).toBeLessThan(among((i) => c.productsHeld[i] === 1));
    expect(among((i) => c.npsScore[i] !== null && (c.npsScore[i] as number) <= 6)).toBeGreaterThan(among((i) => (c.npsScore[i] as number) >= 9));
  });

  it('has about 30% NPS respondents and an NPS between +15 and +45', () => {
    let promoters = 0, detractors = 0, answers = 0;
    for (let i = 0; i < N; i++) {
      const s = c.npsScore[i];
      if (s === null) continue;
      answers++;
      if ((s as number) >= 9) promoters++;
      else if ((s as number) <= 6) detractors++;
    }
    const nps = (100 * (promoters - detractors)) / answers;
    expect(nps).toBeGreaterThan(15);
    expect(nps).toBeLessThan(45);
    expect(answers / N).toBeGreaterThan(0.25);
    expect(answers / N).toBeLessThan(0.35);
  });

  it('has value destroyers and a few negative revenues', () => {
    const destroyers = share((i) => (c.revenue[i] as number) < (c.costToServe[i] as number), opened);
    expect(destroyers).toBeGreaterThan(0.1);
    expect(destroyers).toBeLessThan(0.6);
    const negative = share((i) => (c.revenue[i] as number) < 0, opened);
    expect(negative).toBeGreaterThan(0.003);
    expect(negative).toBeLessThan(0.05);
  });

  it('raises products held with the tier, and has loans for a minority', () => {
    const mean = (t: string) => {
      let s = 0, n = 0;
      for (let i = 0; i < N; i++) if (c.tier[i] === t && opened(i) && c.clientType[i] === 'retail') { s += c.productsHeld[i] as number; n++; }
      return s / n;
    };
    expect(mean('affluent')).toBeGreaterThan(mean('mass') + 0.5);
    expect(mean('hnw')).toBeGreaterThan(mean('mass-affluent'));
    const withLoans = share((i) => (c.loans[i] as number) > 0, opened);
    expect(withLoans).toBeGreaterThan(0.1);
    expect(withLoans).toBeLessThan(0.4);
  });

  it('has every lifecycle stage, with plausible weights', () => {
    const counts = new Map<Cell, number>();
    for (const s of c.lifecycleStage) counts.set(s, (counts.get(s) ?? 0) + 1);
    for (const s of fieldDef('lifecycleStage').values!) expect(counts.get(s) ?? 0, s).toBeGreaterThan(N * 0.005);
    expect((counts.get('mature')! + counts.get('growing')!) / N).toBeGreaterThan(0.5);
    expect(counts.get('new')! / N).toBeGreaterThan(0.03);
    expect(counts.get('new')! / N).toBeLessThan(0.12);
  });
});

describe('options', () => {
  it('moves every date with asOf and re-tiers with custom thresholds', () => {
    const t = generatePortfolioChunk({ rows: 5_000, asOf: '2020-01-15', tierThresholds: [10_000, 100_000, 1_000_000, 10_000_000] }, 0);
    const r = readAll([t]);
    const asOf = daysFromCivil(2020, 1, 15);
    const last = r.lastTxnDate.filter((d) => d !== null) as number[];
    expect(Math.max(...last)).toBe(asOf);
    for (let i = 0; i < 5_000; i++) {
      const aum = r.aum[i] as number;
      expect(r.tier[i]).toBe(WEALTH_TIERS[[10_000, 100_000, 1_000_000, 10_000_000].filter((b) => aum >= b).length]);
    }
  });

  const bad: [string, unknown, RegExp][] = [
    ['rows 0', { rows: 0 }, /"rows" must be an integer from 1 to 50,000,000; got 0/],
    ['rows negative', { rows: -5 }, /"rows"/],
    ['rows fractional', { rows: 10.5 }, /"rows".*got 10.5/],
    ['rows too many', { rows: 50_000_001 }, /"rows"/],
    ['rows as string', { rows: '100' }, /"rows"/],
    ['rows missing', {}, /"rows".*got undefined/],
    ['seed negative', { rows: 10, seed: -1 }, /"seed" must be an integer from 0 to 4294967295/],
    ['seed too big', { rows: 10, seed: 2 ** 32 }, /"seed"/],
    ['seed fractional', { rows: 10, seed: 0.5 }, /"seed"/],
    ['asOf not a date', { rows: 10, asOf: 'yesterday' }, /"asOf" must be an ISO date/],
    ['asOf impossible day', { rows: 10, asOf: '2026-02-30' }, /"asOf".*"2026-02-30"/],
    ['asOf wrong separators', { rows: 10, asOf: '2026/06/30' }, /"asOf"/],
    ['asOf number', { rows: 10, asOf: 20260630 }, /"asOf"/],
    ['currency lower case', { rows: 10, currency: 'cny' }, /"currency" must be a three-letter ISO 4217 code/],
    ['thresholds too short', { rows: 10, tierThresholds: [1, 2, 3] }, /"tierThresholds" must have exactly 4 entries/],
    ['thresholds descending', { rows: 10, tierThresholds: [4, 3, 2, 1] }, /"tierThresholds" must be strictly ascending/],
    ['thresholds negative', { rows: 10, tierThresholds: [-1, 3, 4, 5] }, /"tierThresholds".*negative/],
    ['unknown option', { rows: 10, row: 5 }, /Unknown option "row"; expected one of: rows, seed, asOf, currency, tierThresholds/],
    ['not an object', null, /must be an object/],
  ];
  it.each(bad)('rejects %s', (_label, options, message) => {
    expect(() => generatePortfolioChunk(options as PortfolioOptions, 0)).toThrow(message);
    expect(() => generatePortfolio(options as PortfolioOptions)).toThrow(message);
  });

  it('rejects a chunk index outside the run', () => {
    expect(() => generatePortfolioChunk({ rows: 200_001 }, 2)).toThrow(/chunkIndex must be an integer from 0 to 1 for 200001 rows \(131072 rows a chunk\); got 2/);
    expect(() => generatePortfolioChunk({ rows: 10 }, -1)).toThrow(/chunkIndex.*got -1/);
    expect(() => generatePortfolioChunk({ rows: 10 }, 0.5)).toThrow(/chunkIndex.*got 0.5/);
  });
});
