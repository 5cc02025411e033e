// React 19 renders custom elements natively: object props are set as properties, `on<event>` props
// listen to the element's events. No wrapper library needed.
import { createElement as h, useState } from 'react';
import { createRoot } from 'react-dom/client';
import '../../src/index.js';
import type { KpiResult } from '../../workers/kernels/kpis.js';

function App() {
  const [rows, setRows] = useState<number | null>(null);
  const baseline: Partial<KpiResult> = { churnRate: 0.13, nps: 20, crossSellRate: 0.5 };
  return h('main', null,
    h('h1', null, 'React host'),
    h('p', { id: 'react-status' }, rows === null ? 'waiting for data' : `React saw ${rows} clients`),
    h('cl-dataset-loader', { rows: 30000, 'oncl-dataset-load': (e: CustomEvent<{ dataset: { rows: number } }>) => setRows(e.detail.dataset.rows) }),
    h('cl-kpi', { baseline, currency: 'USD' }),
  );
}

createRoot(document.getElementById('root')!).render(h(App));
