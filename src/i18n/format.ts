/**
 * Number, currency, date and duration formats from the active UI locale (Intl), so a figure reads
 * "1,234,567.8" in English and "1,234,567.8" / "123.5万" conventions follow zh-CN where Intl does.
 * Formatters are cached per (locale, options): building an Intl formatter is the slow part.
 */
import { getLocale } from './locale.js';

export { formatBytes } from './format-bytes.js';

const cache = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (!f) cache.set(key, (f = new Intl.NumberFormat(locale, options)));
  return f;
}

export function formatNumber(value: number, options: Intl.NumberFormatOptions = {}, locale: string = getLocale()): string {
  return numberFormat(locale, options).format(value);
}

export function formatCurrency(value: number, currency: string, locale: string = getLocale(), options: Intl.NumberFormatOptions = {}): string {
  return numberFormat(locale, { style: 'currency', currency, ...options }).format(value);
}

export function formatPercent(value: number, locale: string = getLocale(), digits = 1): string {
  return numberFormat(locale, { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: digits }).format(value);
}

/** Milliseconds as "850 ms" or "2.4 s" (units localised by Intl). */
export function formatDuration(ms: number, locale: string = getLocale()): string {
  if (ms < 1000) return numberFormat(locale, { style: 'unit', unit: 'millisecond', maximumFractionDigits: 0 }).format(ms);
  return numberFormat(locale, { style: 'unit', unit: 'second', maximumFractionDigits: 1 }).format(ms / 1000);
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** Days since 1970-01-01 (Arrow DateDay) as a localised date. */
export function formatDay(days: number, locale: string = getLocale()): string {
  let f = dayFormats.get(locale);
  if (!f) dayFormats.set(locale, (f = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' })));
  return f.format(new Date(days * 86_400_000));
}
