/**
 * What cl-funnel's default chart (one horizontal funnel) and its views loaded on demand
 * (cl-funnel.views.ts: vertical, side by side, the table) share: the funnels of a result, labels,
 * tooltips, and the marks' selection and keyboard use.
 */
import { msg, str } from '@lit/localize';
import { COMPANY_SIZES, WEALTH_TIERS } from '../../src/schema/client-schema.js';
import { stageLabel, valueLabel } from '../shared/field-labels.js';
import { formatNumber, formatPercent } from '../../src/i18n/format.js';
import type { FunnelResult, FunnelStep } from '../../workers/kernels/funnel.js';
import { handleRovingKeys } from '../shared/roving-focus.js';
import { chartMarks, type TooltipController } from '../shared/tooltip.js';

/** One funnel on screen: all clients, or one category of `split-by`. */
export interface Funnel {
  readonly category: string | null;
  /** The category as shown (null for the funnel of every client). */
  readonly shown: string | null;
  readonly rows: number;
  readonly steps: readonly FunnelStep[];
}

/** What a funnel chart reads of the element, as it is when it renders. */
export interface FunnelViewHost {
  readonly width: number;
  readonly selected: string | null | undefined;
  readonly selectedCategory: string | null;
  readonly tip: TooltipController;
  /** The element's shadow root (the charts find their marks in it for keyboard use). */
  readonly renderRoot: ParentNode;
  /** Selects a step of a category's funnel (null clears; selecting the selected one clears it). */
  select(step: string | null, category?: string | null): void;
}

/** Category columns whose labels have an order of their own (the client schema's vocabularies). */
const NATURAL_ORDER: Record<string, readonly string[]> = { tier: WEALTH_TIERS, companySize: COMPANY_SIZES };

/** The funnels of a result: one per category of the split (in the column's natural order when it has one), else one. */
export function funnelsOf(r: FunnelResult): Funnel[] {
  if (r.by) {
    const vocab = NATURAL_ORDER[r.by.column];
    const rank = (k: string | null) => (!vocab || k === null ? Infinity : vocab.indexOf(k) < 0 ? vocab.length : vocab.indexOf(k));
    const cats = vocab ? [...r.by.categories].sort((a, b) => rank(a.label) - rank(b.label)) : r.by.categories;
    return cats.map((c) => ({ category: c.label, shown: categoryLabel(r.by!.column, c.label), rows: c.rows, steps: c.steps }));
  }
  return [{ category: null, shown: null, rows: r.rows, steps: r.steps }];
}

/** A category of a split funnel (a value of the split's column) as shown. */
function categoryLabel(by: string, c: string | null): string {
  return c === null ? msg('(none)', { id: 'funnel.none' }) : valueLabel(by, c);
}

export function pct(v: number | null): string {
  return v === null ? '—' : formatPercent(v);
}

export function days(v: number): string {
  return msg(str`median ${formatNumber(v, { maximumFractionDigits: 1 })} days`, { id: 'funnel.median-days' });
}

/** A step's tooltip (and, joined with commas, its accessible name). */
export function tipText(s: FunnelStep, f: Funnel, k: number): string {
  const lines = [f.shown !== null ? `${f.shown} · ${stageLabel(s.label)}` : stageLabel(s.label), msg(str`${formatNumber(s.count)} clients`, { id: 'funnel.clients' })];
  if (k > 0) {
    lines.push(msg(str`${pct(s.conversionFromPrevious)} of the previous step`, { id: 'funnel.from-previous' }));
    lines.push(msg(str`${pct(s.conversionFromFirst)} of the first step`, { id: 'funnel.from-first' }));
    lines.push(msg(str`${formatNumber(s.dropOff ?? 0)} dropped off`, { id: 'funnel.dropped' }));
    if (s.medianDaysFromPrevious !== null) lines.push(days(s.medianDaysFromPrevious));
  }
  return lines.join('\n');
}

/** The class of a step's mark: dimmed when another step is selected, outlined when it is. */
export function markClass(host: FunnelViewHost, s: FunnelStep, f: Funnel): string {
  const sel = host.selected;
  const isSel = sel === s.label && host.selectedCategory === f.category;
  return `mark ${sel && !isSel ? 'dim' : ''} ${isSel ? 'selected' : ''}`;
}

/** The chart's keydown handler: arrows move between the marks (in `order`), Enter selects, Escape clears. */
export function stepKeys(host: FunnelViewHost, order: readonly { f: Funnel; s: FunnelStep }[]) {
  return (e: KeyboardEvent) =>
    handleRovingKeys(e, chartMarks(host), { onActivate: (i) => host.select(order[i].s.label, order[i].f.category), onEscape: () => host.select(null) });
}
