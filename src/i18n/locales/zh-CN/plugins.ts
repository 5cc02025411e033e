// Simplified Chinese for cl-command-palette and the plugin error badge.
import { str } from '@lit/localize';

export const plugins = {
  'palette.open': '命令',
  'palette.label': '命令面板',
  'palette.input': '输入命令名称',
  'palette.placeholder': '输入命令…',
  'palette.empty': '没有匹配的命令',
  'palette.results': str`${0} 个结果`,
  'palette.failed': str`“${0}”执行失败：${1}`,
  'palette.load-error': str`命令面板无法加载：${0}`,
  'plugin.badge': '插件错误',
  'plugin.failed-title': str`“${0}”已停止工作`,
  'plugin.failed-hint': '仪表板的其他部分仍可正常使用。',
};
