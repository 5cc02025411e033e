// Vue 3 with render functions (no template compiler needed): `.prop` style binding through
// `h(tag, { baseline })` sets properties on custom elements, `onCl-dataset-load` listens to events.
import { createApp, h, ref } from 'vue';
import '../../src/index.js';

createApp({
  setup() {
    const rows = ref<number | null>(null);
    const baseline = { churnRate: 0.13, nps: 20 };
    return () =>
      h('main', [
        h('h1', 'Vue host'),
        h('p', { id: 'vue-status' }, rows.value === null ? 'waiting for data' : `Vue saw ${rows.value} clients`),
        h('cl-dataset-loader', { rows: 30000, 'onCl-dataset-load': (e: CustomEvent<{ dataset: { rows: number } }>) => (rows.value = e.detail.dataset.rows) }),
        h('cl-kpi', { baseline, currency: 'EUR' }),
      ]);
  },
}).mount('#app');
