// A new current dataset reaches the panels that follow the hub in a task per panel: every panel
// then builds and starts its query and redraws, and a dozen of them in one task made a 73 ms
// main-thread task on the 1M dashboard's load. Seen here through the audit events each panel
// sends as its query starts (components/shared/dataset-controller.ts).
import { expect } from 'chai';
import '../../src/index.js';
import { DataHub, type DataAccessDetail } from '../../src/index.js';
import { until } from './support/until.js';

const hub = await DataHub.create({ cache: false, workers: 2 });
const first = await hub.load({ kind: 'generate', options: { rows: 3000 } });
const second = await hub.load({ kind: 'generate', options: { rows: 2000, seed: 11 } });

describe('a new current dataset', () => {
  after(async () => {
    document.body.replaceChildren();
    await hub.dispose();
  });

  it('starts no panel query in the task that set it, then every panel\'s, not all in one task', async () => {
    const panels = ['cl-kpi', 'cl-segments', 'cl-funnel', 'cl-profitability'].map((tag) => Object.assign(document.createElement(tag), { hub }));
    document.body.append(...panels);
    hub.setCurrent(first);
    await until(() => panels.every((p) => (p as HTMLElement & { value?: unknown }).value !== undefined), 'the first answers');
    const started: string[] = [];
    const taskOf: number[] = [];
    let task = 0;
    const channel = new MessageChannel();
    // Counts tasks: a message to itself per task, posted again from each.
    channel.port1.onmessage = () => {
      task++;
      if (started.length < panels.length) channel.port2.postMessage(null);
    };
    document.addEventListener('cl-data-access', (e) => {
      const d = (e as CustomEvent<DataAccessDetail>).detail;
      if (d.version === second.version && d.dataset === second.id) {
        started.push(d.who);
        taskOf.push(task);
      }
    });
    hub.setCurrent(second);
    channel.port2.postMessage(null);
    for (let i = 0; i < 50; i++) await Promise.resolve();
    expect(started, 'queries started in the task that set the dataset').to.deep.equal([]);
    await until(() => started.length >= panels.length, 'every panel\'s query');
    expect(new Set(started)).to.have.property('size', panels.length);
    // Not all in one task.
    expect(new Set(taskOf).size).to.be.greaterThan(1);
  });
});
