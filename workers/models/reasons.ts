/**
 * Turns a model's top factors for one client into short sentences a relationship manager can act
 * on, in English or Simplified Chinese, quoting the client's own values:
 *   "62% of assets moved out in 3 months" / "62%的资产在3个月内流出"
 *   "124 days without a transaction" / "124天无交易"
 *   "holds only 1 product" / "仅持有1个产品"
 *
 * How a column is understood: if its name is a client-schema field, or matches a field's alias
 * (the same normalisation as field mapping: "NumOfProducts" -> productsHeld, "Balance" -> aum,
 * "Geography" -> region), and the value's kind fits the field's type, a field-specific phrase is
 * used. Otherwise a generic phrase names the column and compares the value with the typical
 * (training median) value, or reads 0/1 columns as no/yes.
 *
 * Wording rules (DOMAIN.md, compliance): a reason states a fact about the client and the direction
 * in which it moved the score ("raises" / "lowers" is carried by `direction`, for the element to
 * show as an arrow or a heading). It never predicts or promises an outcome: no "will", no
 * "guaranteed", no "一定"/"保证". Tests check this.
 *
 * Dates: the feature plan turns date columns into "days before asOf", so lastTxnDate arrives as
 * the number of days since the last transaction and openDate as the days since opening.
 */
import { CLIENT_SCHEMA, isClientField, type ClientField, type FieldType } from '../../src/schema/client-schema.js';
import { normaliseColumnName } from '../../src/schema/field-mapping.js';

export type ReasonLocale = 'en' | 'zh-CN';

export interface ReasonInput {
  /** Source column name (as in the data). */
  readonly column: string;
  /** The client's value: a number (days for dates), a category label, or null when missing. */
  readonly value: number | string | null;
  /** Push on the log-odds: > 0 raises the score. */
  readonly contribution: number;
  /** Typical value (training median) for generic comparisons. */
  readonly typical?: number;
  /** Storage of a numeric source column ('date' values are days before asOf). */
  readonly storage?: 'float' | 'int' | 'bool' | 'date';
}

export interface Reason {
  readonly column: string;
  readonly text: string;
  readonly direction: 'up' | 'down';
  readonly contribution: number;
}

export const ZH_LABELS: Record<ClientField, string> = {
  clientId: '客户编号', name: '名称', clientType: '客户类型', segment: '客群', tier: '财富等级', industry: '行业', companySize: '企业规模',
  region: '地区', branch: '网点', rm: '客户经理', channel: '常用渠道', aum: '管理资产', deposits: '存款', loans: '贷款余额', revenue: '收入',
  costToServe: '服务成本', productsHeld: '持有产品数', txnCount12m: '近12个月交易笔数', lastTxnDate: '最近交易', assetOutflow3m: '近3个月资产流出',
  lifecycleStage: '生命周期阶段', riskLevel: '风险等级', npsScore: '推荐意愿评分', acquisitionCost: '获客成本', openDate: '开户时间', age: '年龄',
  latePayments12m: '近12个月逾期次数', churned: '流失',
};

/** Chinese names of the known category values (other labels are shown as they are). */
const ZH_VALUES: Record<string, string> = {
  mass: '大众', 'mass-affluent': '大众富裕', affluent: '富裕', hnw: '高净值', uhnw: '超高净值',
  prospect: '潜在客户', new: '新客户', growing: '成长期', mature: '成熟期', declining: '衰退期', dormant: '沉睡', churned: '已流失', 'win-back': '挽回',
  retail: '零售', corporate: '对公', branch: '网点', app: '手机银行', phone: '电话', rm: '客户经理',
  micro: '微型', small: '小型', medium: '中型', large: '大型', '(other)': '其他', '(missing)': '缺失',
};

const aliasIndex = new Map<string, ClientField>();
for (const [key, def] of CLIENT_SCHEMA) {
  aliasIndex.set(normaliseColumnName(key), key);
  for (const a of def.aliases) if (!aliasIndex.has(a)) aliasIndex.set(a, key);
}

/** The client-schema field a column means, if any (exact key first, then aliases). */
export function fieldOfColumn(column: string): ClientField | null {
  if (isClientField(column)) return column;
  return aliasIndex.get(normaliseColumnName(column)) ?? null;
}

const numberFormats = new Map<string, Intl.NumberFormat>();
function fmt(value: number, locale: ReasonLocale, digits = 0): string {
  const key = `${locale}|${digits}`;
  let f = numberFormats.get(key);
  if (!f) numberFormats.set(key, (f = new Intl.NumberFormat(locale, { maximumFractionDigits: digits })));
  return f.format(value);
}

/** Digits that keep a value readable: none for big numbers, up to 2 for small ones. */
function auto(value: number, locale: ReasonLocale): string {
  const a = Math.abs(value);
  return fmt(value, locale, a >= 100 || Number.isInteger(value) ? 0 : a >= 1 ? 1 : 2);
}

function fieldPhrase(field: ClientField, type: FieldType, v: number | string, typical: number | undefined, zh: boolean, locale: ReasonLocale): string | null {
  if (typeof v === 'string') {
    if (type !== 'category' && type !== 'string' && type !== 'bool') return null;
    const label = zh ? ZH_VALUES[v] ?? v : v;
    return zh ? `${ZH_LABELS[field]}：${label}` : `${CLIENT_SCHEMA.get(field)!.label.toLowerCase()}: ${label}`;
  }
  if (type === 'category' || type === 'string') return null;
  const n = v;
  switch (field) {
    case 'assetOutflow3m': {
      if (n < 0.005) return zh ? '近3个月无资产流出' : 'no asset outflow in 3 months';
      const pct = fmt(n * 100, locale, 0);
      // The figure first, as in the rule reasons: a narrow list cuts the end of a reason.
      return zh ? `${pct}%的资产在3个月内流出` : `${pct}% of assets moved out in 3 months`;
    }
    case 'lastTxnDate': {
      const d = Math.round(n);
      if (d >= 30) return zh ? `${fmt(d, locale)}天无交易` : `${fmt(d, locale)} days without a transaction`;
      return zh ? `最近一次交易在${fmt(d, locale)}天前` : `last transaction ${fmt(d, locale)} day${d === 1 ? '' : 's'} ago`;
    }
    case 'openDate': {
      const years = n / 365.25;
      if (years < 1) return zh ? `成为客户${fmt(Math.max(0, n / 30.44), locale)}个月` : `client for ${fmt(Math.max(0, n / 30.44), locale)} months`;
      return zh ? `成为客户${fmt(years, locale, 1)}年` : `client for ${fmt(years, locale, 1)} years`;
    }
    case 'productsHeld': {
      const k = Math.round(n);
      if (k <= 1) return zh ? `仅持有${k}个产品` : `holds only ${k} product${k === 1 ? '' : 's'}`;
      return zh ? `持有${k}个产品` : `holds ${k} products`;
    }
    case 'txnCount12m': {
      const k = Math.round(n);
      if (k === 0) return zh ? '近12个月无交易' : 'no transactions in 12 months';
      return zh ? `近12个月交易${fmt(k, locale)}笔` : `${fmt(k, locale)} transaction${k === 1 ? '' : 's'} in 12 months`;
    }
    case 'latePayments12m': {
      const k = Math.round(n);
      if (k === 0) return zh ? '近12个月无逾期' : 'no late repayments in 12 months';
      return zh ? `近12个月逾期${k}次` : `${k} late repayment${k === 1 ? '' : 's'} in 12 months`;
    }
    case 'age':
      return zh ? `年龄${fmt(Math.round(n), locale)}岁` : `aged ${fmt(Math.round(n), locale)}`;
    case 'npsScore':
      return zh ? `推荐意愿评分${fmt(n, locale)}/10` : `NPS answer ${fmt(n, locale)} of 10`;
    case 'riskLevel':
      return zh ? `风险等级${fmt(n, locale)}/5` : `risk level ${fmt(n, locale)} of 5`;
    case 'churned':
      return null;
    default: {
      // Money and other amounts: the value against the typical one.
      const label = zh ? ZH_LABELS[field] : CLIENT_SCHEMA.get(field)!.label;
      return comparePhrase(label, n, typical, zh, locale);
    }
  }
}

function comparePhrase(label: string, n: number, typical: number | undefined, zh: boolean, locale: ReasonLocale): string {
  const value = auto(n, locale);
  if (typical === undefined || !Number.isFinite(typical) || n === typical) return zh ? `${label}为${value}` : `${label} ${value}`;
  const t = auto(typical, locale);
  if (zh) return `${label}为${value}，${n > typical ? '高于' : '低于'}常见水平${t}`;
  return `${label} ${value}, ${n > typical ? 'above' : 'below'} the typical ${t}`;
}

/** One factor in words (see the file comment). */
export function describeFactor(input: ReasonInput, locale: ReasonLocale = 'en'): string {
  const zh = locale === 'zh-CN';
  const v = input.value;
  const missing = v === null || (typeof v === 'number' && Number.isNaN(v));
  // The field a column means, if its values are of the field's kind (a yes/no "loan" column is
  // not the loans amount; a "lastTxnDate" of plain numbers is not a date turned into days).
  let field = fieldOfColumn(input.column);
  if (field && !missing) {
    const type = CLIENT_SCHEMA.get(field)!.type;
    const textual = type === 'category' || type === 'string';
    const fits = typeof v === 'string' ? textual || type === 'bool' : !textual && !(type === 'date' && input.storage !== undefined && input.storage !== 'date');
    if (!fits) field = null;
  }
  const label = field ? (zh ? ZH_LABELS[field] : CLIENT_SCHEMA.get(field)!.label) : input.column;
  if (missing) return zh ? `${label}缺失` : `${label} not recorded`;
  if (field) {
    const phrase = fieldPhrase(field, CLIENT_SCHEMA.get(field)!.type, v!, input.typical, zh, locale);
    if (phrase) return phrase;
  }
  if (typeof v === 'string') {
    const shown = zh ? ZH_VALUES[v] ?? v : v;
    return zh ? `${label}：${shown}` : `${label}: ${shown}`;
  }
  if (input.storage === 'bool' || ((v === 0 || v === 1) && input.typical !== undefined && (input.typical === 0 || input.typical === 1) && input.storage !== 'float')) {
    return zh ? `${label}：${v ? '是' : '否'}` : `${label}: ${v ? 'yes' : 'no'}`;
  }
  if (input.storage === 'date') return zh ? `${label}距今${fmt(Math.round(v), locale)}天` : `${label} ${fmt(Math.round(v), locale)} days ago`;
  return comparePhrase(label, v, input.typical, zh, locale);
}

/**
 * The top `top` factors that raise the score and the top `top` that lower it, in words, largest
 * push first. Factors with no push (contribution 0) are never reasons.
 */
export function explain(factors: readonly ReasonInput[], options: { top?: number; locale?: ReasonLocale } = {}): { up: Reason[]; down: Reason[] } {
  const top = options.top ?? 3;
  const locale = options.locale ?? 'en';
  const up = factors.filter((f) => f.contribution > 0).sort((a, b) => b.contribution - a.contribution).slice(0, top);
  const down = factors.filter((f) => f.contribution < 0).sort((a, b) => a.contribution - b.contribution).slice(0, top);
  const toReason = (f: ReasonInput, direction: 'up' | 'down'): Reason => ({ column: f.column, text: describeFactor(f, locale), direction, contribution: f.contribution });
  return { up: up.map((f) => toReason(f, 'up')), down: down.map((f) => toReason(f, 'down')) };
}
