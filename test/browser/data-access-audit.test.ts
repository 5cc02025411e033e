// The audit hook: every element that reads client data tells the page who asked, for which
// dataset and fields, and when, through a bubbling `cl-data-access` event the host can log.
import { expect } from 'chai';
import '../../src/index.js';
import { DataHub, type DataAccessDetail } from '../../src/index.js';

const hub = await DataHub.create({ cache: { name: `audit-test-${Date.now()}` }, workers: 2 });
const dataset = await hub.load({ kind: 'generate', options: { rows: 5000 } });
const log: DataAccessDetail[] = [];
document.addEventListener('cl-data-access', (e) => log.push((e as CustomEvent<DataAccessDetail>).detail));

function mount(markup: string): HTMLElement {
  const el = document.createElement('template');
  el.innerHTML = markup;
  const node = el.content.firstElementChild as HTMLElement;
  Object.assign(node, { hub, data: dataset });
  document.body.append(node);
  return node;
}

async function until<T>(probe: () => T | undefined | false, ms = 20_000): Promise<T> {
  const t0 = performance.now();
  for (;;) {
    const v = probe();
    if (v) return v;
    if (performance.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('cl-data-access audit events', () => {
  after(async () => {
    document.body.replaceChildren();
    await hub.dispose();
  });

  it('a chart reports the fields its query reads, the dataset and the time', async () => {
    const t0 = Date.now();
    mount('<cl-segments id="by-region" by="region" measure="aum"></cl-segments>');
    const e = await until(() => log.find((d) => d.who === 'cl-segments#by-region'));
    expect(e.dataset).to.equal(dataset.id);
    expect(e.version).to.equal(dataset.version);
    expect(e.purpose).to.equal('segment-rollup');
    expect([...e.fields].sort()).to.deep.equal(['aum', 'region']);
    expect(Date.parse(e.at)).to.be.within(t0 - 1000, Date.now() + 1000);
  });

  it('the client card reports every column of the client it shows, and nothing of the values', async () => {
    const id = 'C00000042';
    mount(`<cl-client-card client-id="${id}"></cl-client-card>`);
    const e = await until(() => log.find((d) => d.who === 'cl-client-card'));
    expect(e.purpose).to.equal('client-lookup');
    expect(e.fields).to.deep.equal(dataset.columns);
    expect(JSON.stringify(e)).to.not.contain(id);
  });

  it('the churn list reports its rule query and the columns each page looks up', async () => {
    mount('<cl-churn-watch></cl-churn-watch>');
    await until(() => log.some((d) => d.who === 'cl-churn-watch' && d.purpose === 'client-lookup'));
    const rules = log.find((d) => d.who === 'cl-churn-watch' && d.purpose === 'churn-rules')!;
    expect(rules.fields).to.include.members(['lastTxnDate', 'assetOutflow3m']);
    const page = log.find((d) => d.who === 'cl-churn-watch' && d.purpose === 'client-lookup')!;
    expect(page.fields).to.include.members(['name', 'aum']);
  });
});
