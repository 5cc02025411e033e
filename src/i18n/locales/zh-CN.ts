// Simplified Chinese UI text, one file per element under zh-CN/, keyed by the explicit msg() ids.
import { loader } from './zh-CN/loader.js';
import { shared } from './zh-CN/shared.js';
import { fields } from './zh-CN/fields.js';
import { kpi } from './zh-CN/kpi.js';
import { segments } from './zh-CN/segments.js';
import { funnel } from './zh-CN/funnel.js';
import { profitability } from './zh-CN/profitability.js';
import { churnWatch } from './zh-CN/churn-watch.js';
import { clientCard } from './zh-CN/client-card.js';
import { plugins } from './zh-CN/plugins.js';

export const templates = {
  ...loader,
  ...shared,
  ...fields,
  ...kpi,
  ...segments,
  ...funnel,
  ...profitability,
  ...churnWatch,
  ...clientCard,
  ...plugins,
};
