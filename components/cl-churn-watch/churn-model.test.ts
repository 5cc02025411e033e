// The churn model in the page, in real Chromium with real workers and IndexedDB: cl-churn-watch
// trains it on a button, scores the listed clients with reasons, cl-client-card shows the same
// client's score, a second page restores the saved model instead of training, and a dataset a
// model cannot learn from gets a readable message while the rule list keeps working.
import { expect } from 'chai';
import { seriousViolations } from '../../test/browser/support/axe.js';
import '../../src/index.js';
import { ChurnModels, DataHub, formatPercent, runKernel, type ClChurnWatch, type ClClientCard } from '../../src/index.js';
import type { ScoreChurnResult } from '../../workers/jobs/model-jobs.js';
import type { ClientLookupPage } from '../../workers/kernels/client-lookup.js';

const ROWS = 20_000;
const cacheName = `churn-model-test-${Date.now()}`;
// Set in `before` rather than at the top level: mocha's timeout covers a hook, so a load that never
// finishes fails the file with a message instead of stalling the whole run.
let hub: DataHub;
let dataset: Awaited<ReturnType<DataHub['load']>>;

function mount<T extends HTMLElement>(markup: string, props: Record<string, unknown> = {}): T {
  const tpl = document.createElement('template');
  tpl.innerHTML = markup;
  const el = tpl.content.firstElementChild as T;
  Object.assign(el, props);
  document.body.append(el);
  return el;
}

async function until<T>(what: string, probe: () => T | undefined | null | false, ms = 90_000): Promise<T> {
  const t0 = performance.now();
  for (;;) {
    const v = probe();
    if (v) return v;
    if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const shadowText = (el: Element) => el.shadowRoot!.textContent!.replace(/\s+/g, ' ');
const scoredRows = (el: ClChurnWatch) =>
  [...el.shadowRoot!.querySelectorAll<HTMLElement>('.body [role="row"][data-client]')].filter((r) => /\d%/.test(r.querySelector('.score .num')?.textContent ?? ''));

/** Every client's probability from the whole-partition scorer (a different job than the list's). */
async function independentScores(): Promise<Float64Array> {
  const model = ChurnModels.of(hub).model(dataset)!;
  const parts = await dataset.runOnPartitions<ScoreChurnResult>('score-churn', () => ({ datasetId: dataset.key, model, reasons: 0 }));
  const all = new Float64Array(ROWS).fill(NaN);
  for (const p of parts) {
    let local = 0;
    p.rowOffsets.forEach((offset, c) => {
      for (let i = 0; i < p.chunkRows[c]; i++) all[offset + i] = p.probability[local + i];
      local += p.chunkRows[c];
    });
  }
  return all;
}

describe('churn model in the page', () => {
  before(async () => {
    hub = await DataHub.create({ cache: { name: cacheName }, workers: 2 });
    dataset = await hub.load({ kind: 'generate', options: { rows: ROWS, seed: 5 } });
  });

  after(async () => {
    document.body.replaceChildren();
    await hub?.dispose();
  });

  it('trains on the button, then scores the listed clients with reasons, as the whole-dataset scorer does', async () => {
    const el = mount<ClChurnWatch>('<cl-churn-watch></cl-churn-watch>', { hub, data: dataset });
    const button = await until('the train button', () => el.shadowRoot?.querySelector<HTMLButtonElement>('.model-train'));
    expect(shadowText(el)).to.contain('Rules only');
    button.click();
    await until('training to start', () => el.modelState.status === 'training');
    await until('the model', () => el.modelState.status === 'ready' || (el.modelState.status === 'error' && el.modelState));
    expect(el.modelState.status, JSON.stringify(el.modelState)).to.equal('ready');
    const rows = await until('scored rows', () => scoredRows(el).length >= 5 && scoredRows(el));
    expect(shadowText(el)).to.match(/Scored by a churn model \(gradient-boosted trees, cross-validated AUC 0\.\d+ on 19,\d{3} clients\)/);

    const probability = await independentScores();
    const ids = rows.slice(0, 10).map((r) => r.dataset.client!);
    const looked = await runKernel<ClientLookupPage>(dataset, 'client-lookup', { clientIds: ids, columns: ['clientId'] });
    for (const [k, r] of rows.slice(0, 10).entries()) {
      const found = looked.clients[k];
      expect(found.found).to.equal(true);
      const p = probability[(found as { row: number }).row];
      expect(r.querySelector('.score .num')!.textContent!.trim(), `client ${ids[k]}`).to.equal(formatPercent(p, 'en', 0));
      const why = r.querySelector('.score .why');
      expect(why, 'a reason in words').to.not.equal(null);
      expect(why!.textContent!.trim().length).to.be.greaterThan(3);
      expect(why!.getAttribute('title')).to.contain('Raises the risk:');
    }
    expect(await seriousViolations(el)).to.deep.equal([]);
  });

  it('shows the same score on the client card, with what raises and lowers it', async () => {
    const list = mount<ClChurnWatch>('<cl-churn-watch></cl-churn-watch>', { hub, data: dataset });
    const row = (await until('scored rows', () => scoredRows(list)[0]))!;
    const shownInList = row.querySelector('.score .num')!.textContent!.trim();
    const card = mount<ClClientCard>(`<cl-client-card client-id="${row.dataset.client}"></cl-client-card>`, { hub, data: dataset });
    await until('the card score', () => /Model score \d+%/.test(shadowText(card)));
    expect(shadowText(card)).to.contain(`Model score ${shownInList}; reasons`);
    expect(card.shadowRoot!.querySelectorAll('li.up').length).to.be.greaterThan(0);
    expect(await seriousViolations(card)).to.deep.equal([]);
  });

  it('a new page restores the saved model from IndexedDB instead of training again', async () => {
    const first = ChurnModels.of(hub).state(dataset);
    expect(first.status).to.equal('ready');
    const hub2 = await DataHub.create({ cache: { name: cacheName }, workers: 1 });
    try {
      const again = await hub2.load({ kind: 'generate', options: { rows: ROWS, seed: 5 } });
      expect(again.key).to.equal(dataset.key);
      const models = ChurnModels.of(hub2);
      expect(models.state(again).status).to.equal('none');
      const restored = await models.restore(again);
      expect(restored, 'a saved model').to.not.equal(undefined);
      const state = models.state(again);
      expect(state.status).to.equal('ready');
      expect(state.status === 'ready' && state.saved).to.equal(true);
      expect(restored!.metrics.auc).to.equal((first as { model: { metrics: { auc: number } } }).model.metrics.auc);
    } finally {
      await hub2.dispose();
    }
  });

  it('says why a model cannot be trained (one outcome only) and keeps the rule list', async () => {
    const header = 'clientId,name,aum,lastTxnDate,assetOutflow3m,churned';
    const lines = Array.from({ length: 200 }, (_, i) => `C${i},Client ${i},${1000 + i},2026-01-0${1 + (i % 9)},0.${i % 10},false`);
    const bytes = new TextEncoder().encode([header, ...lines].join('\n')).buffer as ArrayBuffer;
    const flat = await hub.load({ kind: 'bytes', bytes, name: 'one-class.csv' });
    try {
      const el = mount<ClChurnWatch>('<cl-churn-watch model="auto"></cl-churn-watch>', { hub, data: flat });
      const alert = await until('the model error', () => el.shadowRoot?.querySelector('.model.error'));
      expect(alert.getAttribute('role')).to.equal('alert');
      expect(alert.textContent).to.match(/could not be trained: .*(class|positive|both)/i);
      // The rule list is a query of its own and may answer after the model's error.
      await until('the rule list', () => el.total !== undefined);
      expect(el.total).to.equal(200);
      expect(el.shadowRoot!.querySelector('.model-train')!.textContent).to.contain('Try again');
    } finally {
      await flat.release();
    }
  });
});
