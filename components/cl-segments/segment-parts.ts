/**
 * What cl-segments' default chart (bars) and its views loaded on demand (cl-segments.views.ts:
 * treemap, asset x loyalty matrix, the table) share: the rows of a rollup, value formats and
 * tooltips.
 */
import { msg, str } from '@lit/localize';
import { fieldDef, isClientField } from '../../src/schema/client-schema.js';
import { formatCurrency, formatNumber, formatPercent } from '../../src/i18n/format.js';
import type { TooltipController } from '../shared/tooltip.js';

/** `label` is the group's real key (filters, selection, scale domain); `shown` is what the page's masking policy lets the screen show. */
export type Row = { label: string; shown: string; value: number; count: number; share: number | null };

/** What a segments chart reads of the element, as it is when it renders. */
export interface SegmentViewHost {
  readonly width: number;
  readonly currency: string;
  readonly measure: string | undefined;
  readonly agg: 'sum' | 'mean' | 'median' | 'count';
  readonly selected: string | null | undefined;
  readonly tip: TooltipController;
  /** The element's shadow root (the charts find their marks in it for keyboard use). */
  readonly renderRoot: ParentNode;
  /** Selects a segment (null clears; selecting the selected one clears it). */
  select(label: string | null): void;
}

function isMoney(host: SegmentViewHost): boolean {
  if (!host.measure || host.agg === 'count' || !isClientField(host.measure)) return false;
  return fieldDef(host.measure).unit === 'currency';
}

/** A row's value: money compact in the page's currency, large counts compact. */
export function formatValue(host: SegmentViewHost, v: number): string {
  if (isMoney(host)) return formatCurrency(v, host.currency, undefined, { notation: 'compact', maximumFractionDigits: 1 });
  return formatNumber(v, { maximumFractionDigits: 1, notation: Math.abs(v) >= 1e6 ? 'compact' : 'standard' });
}

/** A row's tooltip (and, joined with commas, its accessible name). */
export function tipText(host: SegmentViewHost, r: Row): string {
  const share = r.share === null ? '' : `\n${msg(str`${formatPercent(r.share)} of the total`, { id: 'seg.share' })}`;
  return `${r.shown}\n${msg(str`${formatNumber(r.count)} clients`, { id: 'seg.clients' })}${host.measure && host.agg !== 'count' ? `\n${host.measure} (${host.agg}): ${formatValue(host, r.value)}` : ''}${share}`;
}
