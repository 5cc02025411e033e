/**
 * What a reader sees for a client field and for the values of the library's own vocabulary (wealth
 * tiers, lifecycle stages, client types, channels, company sizes, the default risk preferences, the
 * asset and loyalty bands, the group of missing values), in the UI locale. Only display: filters,
 * exports and events keep the values themselves. A column or a value the library does not define
 * (a bank's own segment names, a region) is shown as it is.
 */
import { msg } from '@lit/localize';
import { DEFAULT_MISSING_LABEL } from '../../workers/kernels/dimension-specs.js';

/** A client field as a sentence names it ("Clients by region", "Split by wealth tier"). */
export function fieldName(key: string): string {
  switch (key) {
    case 'clientId': return msg('client ID', { id: 'field.client-id' });
    case 'name': return msg('name', { id: 'field.name' });
    case 'clientType': return msg('client type', { id: 'field.client-type' });
    case 'segment': return msg('segment', { id: 'field.segment' });
    case 'tier': return msg('wealth tier', { id: 'field.tier' });
    case 'industry': return msg('industry', { id: 'field.industry' });
    case 'companySize': return msg('company size', { id: 'field.company-size' });
    case 'region': return msg('region', { id: 'field.region' });
    case 'branch': return msg('branch', { id: 'field.branch' });
    case 'rm': return msg('relationship manager', { id: 'field.rm' });
    case 'channel': return msg('channel', { id: 'field.channel' });
    case 'aum': return msg('AUM', { id: 'field.aum' });
    case 'deposits': return msg('deposits', { id: 'field.deposits' });
    case 'loans': return msg('loans', { id: 'field.loans' });
    case 'revenue': return msg('revenue', { id: 'field.revenue' });
    case 'costToServe': return msg('cost to serve', { id: 'field.cost-to-serve' });
    case 'productsHeld': return msg('products held', { id: 'field.products-held' });
    case 'txnCount12m': return msg('transactions (12 months)', { id: 'field.txn-count' });
    case 'lastTxnDate': return msg('last transaction', { id: 'field.last-txn' });
    case 'assetOutflow3m': return msg('asset outflow (3 months)', { id: 'field.asset-outflow' });
    case 'lifecycleStage': return msg('lifecycle stage', { id: 'field.lifecycle-stage' });
    case 'riskLevel': return msg('risk level', { id: 'field.risk-level' });
    case 'npsScore': return msg('NPS response', { id: 'field.nps' });
    case 'acquisitionCost': return msg('acquisition cost', { id: 'field.acquisition-cost' });
    case 'openDate': return msg('client since', { id: 'field.open-date' });
    case 'age': return msg('age', { id: 'field.age' });
    case 'latePayments12m': return msg('late payments (12 months)', { id: 'field.late-payments' });
    case 'churned': return msg('churned', { id: 'field.churned' });
    default: return key;
  }
}

/**
 * A value of `field` (a client field, or cl-segments' 'risk-preference' grouping) as shown: the
 * vocabulary's values in words in the UI locale ("High net worth", "高净值"), '(missing)' (the
 * group of null values) too, anything else as it is.
 */
export function valueLabel(field: string | null, value: string): string {
  if (value === DEFAULT_MISSING_LABEL) return msg('(missing)', { id: 'value.missing' });
  switch (field) {
    case 'lifecycleStage':
      return stageLabel(value);
    case 'tier':
      switch (value) {
        case 'mass': return msg('Mass', { id: 'value.tier.mass' });
        case 'mass-affluent': return msg('Mass affluent', { id: 'value.tier.mass-affluent' });
        case 'affluent': return msg('Affluent', { id: 'value.tier.affluent' });
        case 'hnw': return msg('High net worth', { id: 'value.tier.hnw' });
        case 'uhnw': return msg('Ultra high net worth', { id: 'value.tier.uhnw' });
      }
      break;
    case 'clientType':
      switch (value) {
        case 'retail': return msg('Retail', { id: 'value.client-type.retail' });
        case 'corporate': return msg('Corporate', { id: 'value.client-type.corporate' });
      }
      break;
    case 'channel':
      switch (value) {
        case 'branch': return msg('Branch', { id: 'value.channel.branch' });
        case 'app': return msg('Mobile app', { id: 'value.channel.app' });
        case 'phone': return msg('Phone', { id: 'value.channel.phone' });
        case 'rm': return msg('Relationship manager', { id: 'value.channel.rm' });
      }
      break;
    case 'risk-preference':
      switch (value) {
        case 'conservative': return msg('Conservative', { id: 'value.risk.conservative' });
        case 'balanced': return msg('Balanced', { id: 'value.risk.balanced' });
        case 'aggressive': return msg('Aggressive', { id: 'value.risk.aggressive' });
      }
      break;
    case 'companySize':
      switch (value) {
        case 'micro': return msg('Micro', { id: 'value.company-size.micro' });
        case 'small': return msg('Small', { id: 'value.company-size.small' });
        case 'medium': return msg('Medium', { id: 'value.company-size.medium' });
        case 'large': return msg('Large', { id: 'value.company-size.large' });
      }
      break;
  }
  return value;
}

/** A lifecycle stage as shown (the funnel's steps, the client card): "Prospect", "潜在客户"; another label as it is. */
export function stageLabel(value: string): string {
  switch (value) {
    case 'prospect': return msg('Prospect', { id: 'value.stage.prospect' });
    case 'new': return msg('New', { id: 'value.stage.new' });
    case 'growing': return msg('Growing', { id: 'value.stage.growing' });
    case 'mature': return msg('Mature', { id: 'value.stage.mature' });
    case 'declining': return msg('Declining', { id: 'value.stage.declining' });
    case 'dormant': return msg('Dormant', { id: 'value.stage.dormant' });
    case 'churned': return msg('Churned', { id: 'value.stage.churned' });
    case 'win-back': return msg('Win-back', { id: 'value.stage.win-back' });
    default: return value;
  }
}

/** A band of the asset x loyalty matrix's default scales (low, mid or medium, high) as shown. */
export function bandLabel(value: string): string {
  switch (value) {
    case 'low': return msg('low', { id: 'value.band.low' });
    case 'mid': return msg('mid', { id: 'value.band.mid' });
    case 'medium': return msg('medium', { id: 'value.band.medium' });
    case 'high': return msg('high', { id: 'value.band.high' });
    default: return valueLabel(null, value);
  }
}
