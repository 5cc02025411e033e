// Reasons in words: field-specific phrases with the client's values, English and Chinese, generic
// phrases for other columns, and no promises.
import { describe, expect, it } from 'vitest';
import { describeFactor, explain, fieldOfColumn, type ReasonInput } from '../../workers/models/reasons.js';

describe('reasons in words', () => {
  it('phrases known client fields with their values', () => {
    const cases: [ReasonInput, string, string][] = [
      [{ column: 'assetOutflow3m', value: 0.62, contribution: 1 }, '62% of assets moved out in 3 months', '62%的资产在3个月内流出'],
      [{ column: 'lastTxnDate', value: 124, contribution: 1, storage: 'date' }, '124 days without a transaction', '124天无交易'],
      [{ column: 'productsHeld', value: 1, contribution: 1 }, 'holds only 1 product', '仅持有1个产品'],
      [{ column: 'NumOfProducts', value: 3, contribution: -1 }, 'holds 3 products', '持有3个产品'],
      [{ column: 'txnCount12m', value: 0, contribution: 1 }, 'no transactions in 12 months', '近12个月无交易'],
      [{ column: 'latePayments12m', value: 2, contribution: 1 }, '2 late repayments in 12 months', '近12个月逾期2次'],
      [{ column: 'openDate', value: 1096, contribution: -1, storage: 'date' }, 'client for 3 years', '成为客户3年'],
      [{ column: 'Age', value: 42, contribution: 1 }, 'aged 42', '年龄42岁'],
      [{ column: 'tier', value: 'hnw', contribution: -1 }, 'wealth tier: hnw', '财富等级：高净值'],
      [{ column: 'Balance', value: 0, contribution: 1, typical: 97199 }, 'AUM 0, below the typical 97,199', '管理资产为0，低于常见水平97,199'],
    ];
    for (const [input, en, zh] of cases) {
      expect(describeFactor(input, 'en')).toBe(en);
      expect(describeFactor(input, 'zh-CN')).toBe(zh);
    }
  });

  it('uses generic phrases for other columns, 0/1 flags and missing values', () => {
    expect(describeFactor({ column: 'CreditScore', value: 480, contribution: 1, typical: 652 })).toBe('CreditScore 480, below the typical 652');
    expect(describeFactor({ column: 'CreditScore', value: 480, contribution: 1, typical: 652 }, 'zh-CN')).toBe('CreditScore为480，低于常见水平652');
    expect(describeFactor({ column: 'IsActiveMember', value: 0, contribution: 1, typical: 1, storage: 'int' })).toBe('IsActiveMember: no');
    expect(describeFactor({ column: 'IsActiveMember', value: 1, contribution: -1, typical: 1, storage: 'int' }, 'zh-CN')).toBe('IsActiveMember：是');
    expect(describeFactor({ column: 'poutcome', value: 'success', contribution: 1 })).toBe('poutcome: success');
    // "loan" is an alias of the loans amount field, but here it is a yes/no category: generic phrase.
    expect(describeFactor({ column: 'loan', value: 'yes', contribution: 1 })).toBe('loan: yes');
    expect(describeFactor({ column: 'npsScore', value: null, contribution: 1 })).toBe('NPS response not recorded');
    expect(describeFactor({ column: 'npsScore', value: null, contribution: 1 }, 'zh-CN')).toBe('推荐意愿评分缺失');
    expect(fieldOfColumn('Geography')).toBe('region');
    expect(fieldOfColumn('Tenure')).toBeNull();
  });

  it('lists the strongest factors up and down and never promises an outcome', () => {
    const factors: ReasonInput[] = [
      { column: 'assetOutflow3m', value: 0.7, contribution: 1.2 },
      { column: 'lastTxnDate', value: 200, contribution: 0.8, storage: 'date' },
      { column: 'productsHeld', value: 1, contribution: 0.3 },
      { column: 'age', value: 35, contribution: 0 },
      { column: 'tier', value: 'affluent', contribution: -0.4 },
      { column: 'npsScore', value: 9, contribution: -0.9 },
    ];
    const en = explain(factors, { top: 2 });
    expect(en.up.map((r) => r.text)).toEqual(['70% of assets moved out in 3 months', '200 days without a transaction']);
    expect(en.down.map((r) => r.text)).toEqual(['NPS answer 9 of 10', 'wealth tier: affluent']);
    const zh = explain(factors, { top: 5, locale: 'zh-CN' });
    expect(zh.up).toHaveLength(3);
    expect(zh.down).toHaveLength(2);
    const all = [...en.up, ...en.down, ...zh.up, ...zh.down].map((r) => r.text).join(' ');
    expect(all).not.toMatch(/\bwill\b|guarantee|certain|一定|保证|必然/i);
  });
});
