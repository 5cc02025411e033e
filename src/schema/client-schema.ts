/**
 * ClientSchema: the fields the widgets understand, and how each is stored in Arrow.
 *
 * Contract:
 * - A dataset is an Arrow table whose column names are ClientField keys (after field mapping).
 * - Only `clientId` is required for every dataset; a widget that needs more names them with
 *   `requireFields`, which explains which field is missing and what it means.
 * - Storage types are fixed so that kernels can read raw typed arrays without conversions:
 *   float -> Float64, int -> Int32, date -> DateDay (Int32 days since 1970-01-01), bool -> Bool,
 *   category -> Dictionary<Utf8, Int32>, string -> Utf8. Missing values are Arrow nulls, never 0.
 */

export type FieldType = 'string' | 'category' | 'float' | 'int' | 'date' | 'bool';

/** What a number means, so elements can format it (currency, percent, count). */
export type FieldUnit = 'currency' | 'ratio' | 'count' | 'score' | 'days';

export interface FieldDef {
  readonly key: ClientField;
  readonly type: FieldType;
  /** Human label in English; elements translate through i18n by key. */
  readonly label: string;
  readonly description: string;
  readonly unit?: FieldUnit;
  /** Inclusive bounds; a value outside is a validation error naming the field and row. */
  readonly min?: number;
  readonly max?: number;
  /** Known values of a category; other values are accepted but reported as a warning. */
  readonly values?: readonly string[];
  /** Lower-case, separator-free column names banks commonly use for this field (auto-mapping). */
  readonly aliases: readonly string[];
}

export const CLIENT_FIELDS = [
  'clientId', 'name', 'clientType', 'segment', 'tier', 'industry', 'companySize', 'region', 'branch', 'rm',
  'channel', 'aum', 'deposits', 'loans', 'revenue', 'costToServe', 'productsHeld', 'txnCount12m',
  'lastTxnDate', 'assetOutflow3m', 'lifecycleStage', 'riskLevel', 'npsScore', 'acquisitionCost',
  'openDate', 'age', 'latePayments12m', 'churned',
] as const;

export type ClientField = (typeof CLIENT_FIELDS)[number];

export const WEALTH_TIERS = ['mass', 'mass-affluent', 'affluent', 'hnw', 'uhnw'] as const;
export const LIFECYCLE_STAGES = ['prospect', 'new', 'growing', 'mature', 'declining', 'dormant', 'churned', 'win-back'] as const;
export const CLIENT_TYPES = ['retail', 'corporate'] as const;
export const COMPANY_SIZES = ['micro', 'small', 'medium', 'large'] as const;
export const CHANNELS = ['branch', 'app', 'phone', 'rm'] as const;

const defs: FieldDef[] = [
  { key: 'clientId', type: 'string', label: 'Client ID', description: 'Unique identifier of the client', aliases: ['clientid', 'customerid', 'custid', 'id', 'clientno', 'customerno', 'cifno', 'cif', 'accountid', '客户编号', '客户号', '客户id'] },
  { key: 'name', type: 'string', label: 'Name', description: 'Client or company name', aliases: ['name', 'clientname', 'customername', 'surname', 'companyname', '客户名称', '姓名', '名称'] },
  { key: 'clientType', type: 'category', label: 'Client type', description: 'Retail (individual) or corporate', values: CLIENT_TYPES, aliases: ['clienttype', 'customertype', 'type', '客户类型'] },
  { key: 'segment', type: 'category', label: 'Segment', description: "The bank's own segment label", aliases: ['segment', 'clientsegment', 'customersegment', '客群', '客户分群'] },
  { key: 'tier', type: 'category', label: 'Wealth tier', description: 'Wealth tier by AUM', values: WEALTH_TIERS, aliases: ['tier', 'wealthtier', '客户等级', '财富等级'] },
  { key: 'industry', type: 'category', label: 'Industry', description: 'Industry of a corporate client', aliases: ['industry', 'sector', '行业'] },
  { key: 'companySize', type: 'category', label: 'Company size', description: 'Size band of a corporate client', values: COMPANY_SIZES, aliases: ['companysize', 'size', 'sizeband', '企业规模'] },
  { key: 'region', type: 'category', label: 'Region', description: 'Geographic region', aliases: ['region', 'geography', 'country', 'province', 'area', '地区', '区域'] },
  { key: 'branch', type: 'category', label: 'Branch', description: 'Home branch', aliases: ['branch', 'branchname', 'branchid', '网点', '支行'] },
  { key: 'rm', type: 'category', label: 'Relationship manager', description: 'Relationship manager responsible for the client', aliases: ['rm', 'relationshipmanager', 'rmname', 'rmid', 'advisor', '客户经理'] },
  { key: 'channel', type: 'category', label: 'Preferred channel', description: 'Channel the client uses most', values: CHANNELS, aliases: ['channel', 'preferredchannel', '渠道'] },
  { key: 'aum', type: 'float', unit: 'currency', min: 0, label: 'AUM', description: 'Assets under management with the bank', aliases: ['aum', 'assets', 'assetsundermanagement', 'balance', 'totalassets', '资产', '管理资产', '金融资产'] },
  { key: 'deposits', type: 'float', unit: 'currency', min: 0, label: 'Deposits', description: 'Deposit balance', aliases: ['deposits', 'deposit', 'depositbalance', '存款', '存款余额'] },
  { key: 'loans', type: 'float', unit: 'currency', min: 0, label: 'Loans', description: 'Outstanding loan balance', aliases: ['loans', 'loan', 'loanbalance', '贷款', '贷款余额'] },
  { key: 'revenue', type: 'float', unit: 'currency', label: 'Revenue', description: 'Revenue from the client over the last 12 months', aliases: ['revenue', 'income', 'revenue12m', '收入', '营收'] },
  { key: 'costToServe', type: 'float', unit: 'currency', min: 0, label: 'Cost to serve', description: 'Cost of serving the client over the last 12 months', aliases: ['costtoserve', 'cost', 'servicecost', '服务成本', '成本'] },
  { key: 'productsHeld', type: 'int', unit: 'count', min: 0, max: 1000, label: 'Products held', description: 'Number of products the client holds', aliases: ['productsheld', 'numofproducts', 'products', 'productcount', '持有产品数', '产品数'] },
  { key: 'txnCount12m', type: 'int', unit: 'count', min: 0, label: 'Transactions (12 months)', description: 'Number of transactions over the last 12 months', aliases: ['txncount12m', 'txncount', 'transactions', 'transactioncount', '交易笔数', '交易次数'] },
  { key: 'lastTxnDate', type: 'date', label: 'Last transaction', description: 'Date of the latest transaction', aliases: ['lasttxndate', 'lasttransactiondate', 'lasttxn', '最近交易日期', '最后交易日'] },
  { key: 'assetOutflow3m', type: 'float', unit: 'ratio', min: 0, max: 1, label: 'Asset outflow (3 months)', description: 'Share of assets moved out over the last 3 months (0 to 1)', aliases: ['assetoutflow3m', 'assetoutflow', 'outflow', 'outflowratio', '资产流出', '资产流出比例'] },
  { key: 'lifecycleStage', type: 'category', label: 'Lifecycle stage', description: 'Stage of the relationship', values: LIFECYCLE_STAGES, aliases: ['lifecyclestage', 'lifecycle', 'stage', '生命周期', '生命周期阶段'] },
  { key: 'riskLevel', type: 'int', unit: 'score', min: 1, max: 5, label: 'Risk level', description: "Client's risk-assessment level, 1 (conservative) to 5 (aggressive)", aliases: ['risklevel', 'riskprofile', 'riskappetite', 'riskrating', '风险等级', '风险评级'] },
  { key: 'npsScore', type: 'int', unit: 'score', min: 0, max: 10, label: 'NPS response', description: 'Answer to "how likely to recommend us", 0 to 10; empty if not asked', aliases: ['npsscore', 'nps', 'npsresponse', '净推荐值'] },
  { key: 'acquisitionCost', type: 'float', unit: 'currency', min: 0, label: 'Acquisition cost', description: 'Cost of acquiring the client (CAC)', aliases: ['acquisitioncost', 'cac', '获客成本'] },
  { key: 'openDate', type: 'date', label: 'Client since', description: 'Date the relationship was opened', aliases: ['opendate', 'clientsince', 'customersince', 'startdate', '开户日期'] },
  { key: 'age', type: 'int', unit: 'count', min: 0, max: 130, label: 'Age', description: 'Age of an individual client in years', aliases: ['age', '年龄'] },
  { key: 'latePayments12m', type: 'int', unit: 'count', min: 0, label: 'Late payments (12 months)', description: 'Late loan repayments over the last 12 months', aliases: ['latepayments12m', 'latepayments', 'arrears', '逾期次数'] },
  { key: 'churned', type: 'bool', label: 'Churned', description: 'Whether the client left (outcome label for models)', aliases: ['churned', 'exited', 'churn', 'attrited', '流失'] },
];

export const CLIENT_SCHEMA: ReadonlyMap<ClientField, FieldDef> = new Map(defs.map((d) => [d.key, d]));

/** Fields every dataset must carry. */
export const REQUIRED_FIELDS: readonly ClientField[] = ['clientId'];

export function isClientField(name: string): name is ClientField {
  return CLIENT_SCHEMA.has(name as ClientField);
}

export function fieldDef(key: ClientField): FieldDef {
  const def = CLIENT_SCHEMA.get(key);
  if (!def) throw new Error(`Unknown client field "${key}"`);
  return def;
}

/** Raised when an element or kernel needs fields a dataset does not have. */
export class MissingFieldsError extends Error {
  override readonly name = 'MissingFieldsError';
  constructor(
    readonly consumer: string,
    readonly missing: readonly ClientField[],
  ) {
    super(
      `${consumer} needs ${missing.length === 1 ? 'field' : 'fields'} ` +
        missing.map((f) => `"${f}" (${fieldDef(f).label})`).join(', ') +
        ' which the dataset does not have. Map a column of yours to ' +
        (missing.length === 1 ? 'it' : 'them') +
        ' in the field mapping.',
    );
  }
}

/** Throws MissingFieldsError naming every field of `needed` absent from `available`. */
export function requireFields(consumer: string, available: Iterable<string>, needed: readonly ClientField[]): void {
  const have = new Set(available);
  const missing = needed.filter((f) => !have.has(f));
  if (missing.length > 0) throw new MissingFieldsError(consumer, missing);
}
