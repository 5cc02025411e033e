/**
 * A small client table full of the cases the kernels have rules for, for remote-vs-local tests:
 * nulls in every column, NaN and +-Infinity in float columns, -0, overflowing profits, many ties
 * in ranking values, duplicate and null client ids, ids whose byte order differs from UTF-16
 * order. Deterministic (a fixed linear congruential sequence), one Arrow table.
 */
import { Bool, DateDay, Dictionary, Float64, Int32, Table, Utf8, vectorFromArray } from 'apache-arrow';

export const EDGE_AS_OF_DAY = 20_634; // 2026-06-30

export function edgeTable(rows = 3000): Table {
  let s = 12345;
  const rnd = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const ID_TAILS = ['', 'a', 'Z', 'é', '客户', '😀', 'ﬀ'];
  const money = [0, -0, 1000, 1000, 50_000, 500_000, 2e6, 123.25, -400, NaN, Infinity, -Infinity, null];
  const cols = {
    clientId: [] as (string | null)[], region: [] as (string | null)[], aum: [] as (number | null)[], revenue: [] as (number | null)[],
    costToServe: [] as (number | null)[], acquisitionCost: [] as (number | null)[], assetOutflow3m: [] as (number | null)[],
    npsScore: [] as (number | null)[], riskLevel: [] as (number | null)[], productsHeld: [] as (number | null)[], txnCount12m: [] as (number | null)[],
    latePayments12m: [] as (number | null)[], lastTxnDate: [] as (number | null)[], churned: [] as (boolean | null)[],
    openDate: [] as (number | null)[], lifecycleStage: [] as (string | null)[],
  };
  for (let i = 0; i < rows; i++) {
    cols.clientId.push(i % 97 === 5 ? null : `E${String(i % 1400).padStart(4, '0')}${pick(ID_TAILS)}`);
    cols.region.push(i % 13 === 0 ? null : pick(['North', 'South', '华东', 'west', "O'Brien"]));
    cols.aum.push(rnd() < 0.5 ? pick(money) : Math.round(rnd() * 3e6) / 4);
    const huge = i % 211 === 0;
    cols.revenue.push(huge ? 1.5e308 : rnd() < 0.3 ? pick(money) : Math.round(rnd() * 20_000) / 8);
    cols.costToServe.push(huge ? -1.5e308 : rnd() < 0.3 ? pick(money) : Math.round(rnd() * 12_000) / 8);
    cols.acquisitionCost.push(rnd() < 0.2 ? pick([null, NaN, Infinity, 0, -5]) : Math.round(rnd() * 900));
    cols.assetOutflow3m.push(pick([0, 0.3, 0.5, 0.5000001, 0.9, NaN, null, Infinity, -Infinity, 0.2]));
    cols.npsScore.push(rnd() < 0.15 ? null : Math.floor(rnd() * 11));
    cols.riskLevel.push(rnd() < 0.1 ? pick([null, NaN]) : Math.floor(rnd() * 11) / 2);
    cols.productsHeld.push(rnd() < 0.1 ? null : 1 + Math.floor(rnd() * 6));
    cols.txnCount12m.push(rnd() < 0.1 ? pick([null, NaN, Infinity]) : Math.floor(rnd() * 50));
    cols.latePayments12m.push(rnd() < 0.3 ? null : Math.floor(rnd() * 4));
    cols.lastTxnDate.push(rnd() < 0.1 ? null : EDGE_AS_OF_DAY - Math.floor(rnd() * 400));
    cols.churned.push(rnd() < 0.1 ? null : rnd() < 0.2);
    // Some opening dates after the last transaction (out of order), some equal, some missing.
    const last = cols.lastTxnDate[i];
    cols.openDate.push(rnd() < 0.1 ? null : (last ?? EDGE_AS_OF_DAY) - Math.floor(rnd() * 900) + (rnd() < 0.15 ? 500 : 0));
    cols.lifecycleStage.push(rnd() < 0.05 ? null : pick(['prospect', 'new', 'growing', 'mature', 'declining', 'dormant', 'churned', 'win-back', 'odd\tstage', "won't say"]));
  }
  const f64 = (xs: (number | null)[]) => vectorFromArray(xs, new Float64());
  const i32 = (xs: (number | null)[]) => vectorFromArray(xs, new Int32());
  return new Table({
    clientId: vectorFromArray(cols.clientId, new Utf8()),
    region: vectorFromArray(cols.region, new Dictionary(new Utf8(), new Int32())),
    aum: f64(cols.aum),
    revenue: f64(cols.revenue),
    costToServe: f64(cols.costToServe),
    acquisitionCost: f64(cols.acquisitionCost),
    assetOutflow3m: f64(cols.assetOutflow3m),
    npsScore: i32(cols.npsScore),
    riskLevel: f64(cols.riskLevel),
    productsHeld: i32(cols.productsHeld),
    txnCount12m: f64(cols.txnCount12m),
    latePayments12m: i32(cols.latePayments12m),
    lastTxnDate: vectorFromArray(cols.lastTxnDate.map((d) => (d === null ? null : new Date(d * 86_400_000))), new DateDay()),
    churned: vectorFromArray(cols.churned, new Bool()),
    openDate: vectorFromArray(cols.openDate.map((d) => (d === null ? null : new Date(d * 86_400_000))), new DateDay()),
    lifecycleStage: vectorFromArray(cols.lifecycleStage, new Dictionary(new Utf8(), new Int32())),
  });
}
