/**
 * The built-in analytics as a plugin on the same API a bank's team uses: the clientlens panels
 * (cl-kpi, cl-segments, cl-funnel, cl-profitability, cl-churn-watch), the named segmentations,
 * and the host commands (command palette, filters, sample data, theme, language, retry). If the
 * API is good enough for these, it is good enough for a plugin.
 *
 * Differences a third-party plugin does not get: its module is passed in (no import), it may
 * use the reserved `clientlens` publisher and `cl-` tags, and its panels are not wrapped (they
 * are clientlens' own elements, already defined by the page's script).
 */
import type { PluginContext, PluginManifest, PluginModule } from './plugin-api.js';
import type { PluginHost } from './plugin-host.js';
import { setLocale } from '../i18n/locale.js';
import { DEFAULT_ASSET_SCALE, DEFAULT_RISK_PREFERENCE, DEFAULT_TIER } from '../../workers/kernels/dimension-specs.js';
import { CLIENTLENS_VERSION } from './version.js';

/** The built-in panels and the module that defines each (loaded only if the page uses the tag). */
const PANELS: { readonly tag: string; readonly title: string; readonly load: () => Promise<unknown> }[] = [
  { tag: 'cl-kpi', title: '%panel.kpi%', load: () => import('../../components/cl-kpi/cl-kpi.js') },
  { tag: 'cl-segments', title: '%panel.segments%', load: () => import('../../components/cl-segments/cl-segments.js') },
  { tag: 'cl-funnel', title: '%panel.funnel%', load: () => import('../../components/cl-funnel/cl-funnel.js') },
  { tag: 'cl-profitability', title: '%panel.profitability%', load: () => import('../../components/cl-profitability/cl-profitability.js') },
  { tag: 'cl-churn-watch', title: '%panel.churn%', load: () => import('../../components/cl-churn-watch/cl-churn-watch.js') },
];

export const BUILTIN_PLUGIN_ID = 'clientlens.builtin';

export const BUILTIN_MANIFEST: PluginManifest = {
  id: BUILTIN_PLUGIN_ID,
  version: CLIENTLENS_VERSION,
  displayName: '%name%',
  description: 'The built-in clientlens panels, segmentations and commands.',
  engines: { clientlens: CLIENTLENS_VERSION },
  main: 'built-in',
  contributes: {
    commands: [
      { command: 'clientlens.commandPalette.open', title: '%cmd.palette%', category: '%cat.view%' },
      { command: 'clientlens.filters.clear', title: '%cmd.clear-filters%', category: '%cat.filters%', when: 'clientlens.filtersActive' },
      { command: 'clientlens.data.generate', title: '%cmd.generate%', category: '%cat.data%' },
      { command: 'clientlens.theme.light', title: '%cmd.theme-light%', category: '%cat.theme%' },
      { command: 'clientlens.theme.dark', title: '%cmd.theme-dark%', category: '%cat.theme%' },
      { command: 'clientlens.theme.highContrast', title: '%cmd.theme-hc%', category: '%cat.theme%' },
      { command: 'clientlens.language.en', title: 'English', category: '%cat.language%', when: "clientlens.locale != 'en'" },
      { command: 'clientlens.language.zhCN', title: '简体中文', category: '%cat.language%', when: "clientlens.locale != 'zh-CN'" },
      { command: 'clientlens.plugins.retryFailed', title: '%cmd.retry%', category: '%cat.plugins%' },
    ],
    keybindings: [{ command: 'clientlens.commandPalette.open', key: 'mod+shift+p' }],
    panels: PANELS.map(({ tag, title }) => ({ tag, title })),
    segmentations: [
      { id: 'clientlens.tier', title: '%seg.tier%' },
      { id: 'clientlens.assetScale', title: '%seg.asset-scale%' },
      { id: 'clientlens.riskPreference', title: '%seg.risk%' },
    ],
    settings: {
      version: 1,
      properties: {
        sampleRows: { type: 'integer', minimum: 1000, maximum: 2_000_000, default: 100_000, description: 'Clients in the generated sample portfolio.' },
      },
    },
    locales: {
      en: {
        name: 'clientlens built-ins',
        'cat.view': 'View', 'cat.filters': 'Filters', 'cat.data': 'Data', 'cat.theme': 'Theme', 'cat.language': 'Language', 'cat.plugins': 'Plugins',
        'cmd.palette': 'Show all commands', 'cmd.clear-filters': 'Clear all filters', 'cmd.generate': 'Generate a sample portfolio',
        'cmd.theme-light': 'Light', 'cmd.theme-dark': 'Dark', 'cmd.theme-hc': 'High contrast', 'cmd.retry': 'Retry failed plugins',
        'panel.kpi': 'Key figures', 'panel.segments': 'Client segments', 'panel.funnel': 'Funnel', 'panel.profitability': 'Profitability', 'panel.churn': 'Churn watch',
        'seg.tier': 'Wealth tier', 'seg.asset-scale': 'Asset scale', 'seg.risk': 'Risk preference',
      },
      'zh-CN': {
        name: 'clientlens 内置功能',
        'cat.view': '视图', 'cat.filters': '筛选', 'cat.data': '数据', 'cat.theme': '主题', 'cat.language': '语言', 'cat.plugins': '插件',
        'cmd.palette': '显示所有命令', 'cmd.clear-filters': '清除所有筛选', 'cmd.generate': '生成示例客户组合',
        'cmd.theme-light': '浅色', 'cmd.theme-dark': '深色', 'cmd.theme-hc': '高对比度', 'cmd.retry': '重试出错的插件',
        'panel.kpi': '核心指标', 'panel.segments': '客户分群', 'panel.funnel': '漏斗', 'panel.profitability': '盈利分析', 'panel.churn': '流失预警',
        'seg.tier': '财富等级', 'seg.asset-scale': '资产规模', 'seg.risk': '风险偏好',
      },
    },
  },
};

/** Sets `theme` on every dashboard and on clientlens panels outside one (dashboards pass it on). */
function applyTheme(theme: string | null): void {
  for (const el of document.querySelectorAll('cl-dashboard, [data-cl-theme-root]')) {
    if (theme) el.setAttribute('theme', theme);
    else el.removeAttribute('theme');
  }
  for (const { tag } of PANELS) {
    for (const el of document.querySelectorAll(tag)) {
      if (el.closest('cl-dashboard')) continue;
      if (theme) el.setAttribute('theme', theme);
      else el.removeAttribute('theme');
    }
  }
}

/** The built-in plugin's code; it needs the host for "retry failed plugins". */
export function createBuiltinPlugin(host: PluginHost): PluginModule {
  return {
    async activate(ctx: PluginContext) {
      const { subscriptions: subs } = ctx;
      subs.push(
        ctx.registerCommand('clientlens.commandPalette.open', () => {
          // The palette element listens for this: the command registry stays apart from the UI.
          window.dispatchEvent(new CustomEvent('cl-command-palette-open'));
        }),
        ctx.registerCommand('clientlens.filters.clear', () => ctx.hub.filters.clear()),
        ctx.registerCommand('clientlens.data.generate', async (rows?: number) => {
          const dataset = await ctx.hub.load({ kind: 'generate', options: { rows: rows ?? ctx.settings.get<number>('sampleRows') } });
          ctx.hub.setCurrent(dataset);
          return { rows: dataset.rows };
        }),
        ctx.registerCommand('clientlens.theme.light', () => applyTheme(null)),
        ctx.registerCommand('clientlens.theme.dark', () => applyTheme('dark')),
        ctx.registerCommand('clientlens.theme.highContrast', () => applyTheme('high-contrast')),
        ctx.registerCommand('clientlens.language.en', () => setLocale('en')),
        ctx.registerCommand('clientlens.language.zhCN', () => setLocale('zh-CN')),
        ctx.registerCommand('clientlens.plugins.retryFailed', async () => {
          const failed = host.pluginStatuses().filter((s) => s.state === 'failed');
          for (const s of failed) await host.retry(s.id);
          return failed.map((s) => s.id);
        }),
        ctx.registerSegmentation('clientlens.tier', { dimension: () => ({ tier: DEFAULT_TIER }) }),
        ctx.registerSegmentation('clientlens.assetScale', { dimension: () => ({ bins: DEFAULT_ASSET_SCALE }) }),
        ctx.registerSegmentation('clientlens.riskPreference', { dimension: () => ({ bins: DEFAULT_RISK_PREFERENCE }) }),
      );
      if (typeof customElements === 'undefined') return;
      // Panels already defined by the page (or used on it) are registered; others load only when used.
      await Promise.all(
        PANELS.map(async ({ tag, load }) => {
          if (!customElements.get(tag) && document.querySelector(tag)) await load();
          const element = customElements.get(tag);
          if (element) subs.push(ctx.registerPanel(tag, element));
        }),
      );
    },
  };
}
