// Simplified Chinese UI text, one file per element under zh-CN/, keyed by the explicit msg() ids.
import { loader } from './zh-CN/loader.js';
import { shared } from './zh-CN/shared.js';
import { kpi } from './zh-CN/kpi.js';
import { segments } from './zh-CN/segments.js';

export const templates = {
  ...loader,
  ...shared,
  ...kpi,
  ...segments,
};
