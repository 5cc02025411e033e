// The demo page: the URL holds the state (?rows, ?data, ?locale, ?theme) so any view can be linked.
// Plugins first: the palette element takes the host they configure (see plugins/setup.ts).
import './plugins/setup.js';
import '../src/index.js';
import { getDefaultHub, getLocale, matchLocale, setLocale } from '../src/core.js';

const params = new URLSearchParams(location.search);
const loader = document.querySelector('cl-dataset-loader')!;
const localeSelect = document.querySelector<HTMLSelectElement>('#locale')!;
const themeSelect = document.querySelector<HTMLSelectElement>('#theme')!;

const pageText: Record<string, Record<string, string>> = {
  'zh-CN': { title: 'clientlens · 客户分析', language: '语言', theme: '主题', 'theme-light': '浅色', 'theme-dark': '深色', 'theme-high-contrast': '高对比度' },
};

function applyPageText(): void {
  const locale = getLocale();
  document.documentElement.lang = locale;
  for (const el of document.querySelectorAll<HTMLElement>('[data-i18n]')) {
    el.dataset.en ??= el.textContent ?? '';
    el.textContent = pageText[locale]?.[el.dataset.i18n!] ?? el.dataset.en;
  }
  localeSelect.value = locale;
}

function updateUrl(change: Record<string, string | null>): void {
  for (const [k, v] of Object.entries(change)) {
    if (v === null || v === '') params.delete(k);
    else params.set(k, v);
  }
  const q = params.toString();
  history.replaceState(null, '', q ? `?${q}` : location.pathname);
}

const rows = Number(params.get('rows'));
if (params.get('data')) loader.src = params.get('data')!;
else if (Number.isInteger(rows) && rows > 0) loader.rows = rows;
// Models that fit on the whole book (k-means, BG/NBD + Gamma-Gamma) are opt-in: on a 1M-client
// book they keep a worker busy for seconds, which the dashboard's own panels should not wait for.
if (params.get('models') === '1') {
  const clusters = document.createElement('cl-segments');
  clusters.id = 'clusters';
  clusters.setAttribute('by', 'cluster');
  clusters.dataset.span = 'full';
  document.querySelector('#risk')?.after(clusters);
  document.querySelector('#cltv')?.setAttribute('clv', 'model');
}
/** The elements' theme attribute and the page behind them ('' = light). */
function applyTheme(theme: string): void {
  for (const el of document.querySelectorAll('main > *')) {
    if (theme) el.setAttribute('theme', theme);
    else el.removeAttribute('theme');
  }
  document.body.style.background = theme === 'dark' ? '#0d1117' : '';
}
// One of the picker's themes; anything else (?theme=light, a typo) is the light one, so the picker never shows blank.
const theme = [...themeSelect.options].some((o) => o.value === params.get('theme')) ? params.get('theme')! : '';
themeSelect.value = theme;
applyTheme(theme);

await setLocale(matchLocale(params.get('locale') ?? navigator.language));
applyPageText();

localeSelect.addEventListener('change', async () => {
  await setLocale(localeSelect.value);
  updateUrl({ locale: localeSelect.value === 'en' ? null : localeSelect.value });
  applyPageText();
});
themeSelect.addEventListener('change', () => {
  applyTheme(themeSelect.value);
  updateUrl({ theme: themeSelect.value || null });
});
loader.addEventListener('cl-dataset-request', (e) => {
  const { source } = (e as CustomEvent).detail;
  if (source.kind === 'generate') updateUrl({ rows: String(source.options.rows), data: null });
  if (source.kind === 'file') updateUrl({ rows: null, data: null });
});
loader.addEventListener('cl-dataset-load', (e) => {
  const d = e.detail.dataset;
  console.info(`clientlens: ${d.rows} clients (${d.origin})`, d.steps);
});

// For the console and bench/dashboard.mjs: the page's data hub (datasets, filters, pool).
(window as unknown as { clientlensHub: unknown }).clientlensHub = await getDefaultHub();
