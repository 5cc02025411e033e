// Simplified Chinese for the panel frame and cl-dashboard.
import { str } from '@lit/localize';

export const shared = {
  'panel.view': '视图',
  'panel.chart': '图表',
  'panel.table': '表格',
  'panel.export': '导出',
  'panel.csv.title': '下载数据（CSV）',
  'panel.svg.title': '下载图表（SVG）',
  'panel.png.title': '下载图表（PNG）',
  'panel.loading-data': '正在加载数据…',
  'panel.updating': '正在更新…',
  'panel.computing': '正在计算…',
  'panel.progress': '进度',
  'panel.data-error': str`无法加载数据：${0}`,
  'panel.no-data': '请先加载客户数据。',
  'panel.empty': '没有符合当前筛选条件的客户。',
  'dash.is-empty': '为空',
  'dash.is-set': '有值',
  'dash.filters': '筛选条件',
  'dash.filters-label': '筛选：',
  'dash.no-filters': '暂无筛选。点击柱形或单元格即可筛选所有面板。',
  'dash.remove-filter': str`移除筛选 ${0}`,
  'dash.clear': '全部清除',
};
