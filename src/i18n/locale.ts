/**
 * UI language for every clientlens element: English (source) and Simplified Chinese, through
 * @lit/localize in runtime mode. Messages carry explicit ids (`msg('...', { id: 'loader.title' })`),
 * so translations are plain maps in src/i18n/locales/ with no extraction build step.
 *
 * Contract: @lit/localize allows one configuration per page; clientlens owns it. A host page picks
 * the language with `setLocale('zh-CN')` (or the `?locale=` demo parameter); elements re-render.
 */
import { configureLocalization } from '@lit/localize';

export const SOURCE_LOCALE = 'en';
export const TARGET_LOCALES = ['zh-CN'] as const;
export type Locale = typeof SOURCE_LOCALE | (typeof TARGET_LOCALES)[number];

const { getLocale: currentLocale, setLocale: applyLocale } = configureLocalization({
  sourceLocale: SOURCE_LOCALE,
  targetLocales: TARGET_LOCALES,
  loadLocale: (locale) => {
    if (locale === 'zh-CN') return import('./locales/zh-CN.js');
    throw new Error(`No translations for locale "${locale}".`);
  },
});

/** Maps a BCP 47 tag to a supported UI locale: zh, zh-Hans, zh-CN, zh-SG -> zh-CN; others -> en. */
export function matchLocale(tag: string | null | undefined): Locale {
  const t = (tag ?? '').trim().toLowerCase();
  if (t === 'zh' || t.startsWith('zh-cn') || t.startsWith('zh-hans') || t.startsWith('zh-sg')) return 'zh-CN';
  return 'en';
}

export function getLocale(): Locale {
  return currentLocale() as Locale;
}

/** Switches every element's language; resolves when the translations are loaded. */
export function setLocale(tag: string): Promise<void> {
  return applyLocale(matchLocale(tag));
}
