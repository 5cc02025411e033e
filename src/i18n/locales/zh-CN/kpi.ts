// Simplified Chinese for cl-kpi.
import { str } from '@lit/localize';

export const kpi = {
  'kpi.title': '核心指标',
  'kpi.clients': '客户数',
  'kpi.aum': '管理资产规模',
  'kpi.revenue': '收入（12个月）',
  'kpi.retention': '客户留存率',
  'kpi.churn': '客户流失率',
  'kpi.nps': '净推荐值（NPS）',
  'kpi.cross-sell': '交叉销售率',
  'kpi.cti': '成本收入比',
  'kpi.active': '活跃客户占比',
  'kpi.no-change': '无变化',
  'kpi.vs-baseline': str`较基期 ${0}`,
  'kpi.na': '数据中无此项',
  'kpi.col.metric': '指标',
  'kpi.col.value': '数值',
  'kpi.col.baseline': '基期',
};
