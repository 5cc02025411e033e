// cl-dashboard's filter bar: each page filter as a chip that reads in the UI language (the fields
// and the library's own values translated, a bank's own values as they are), removable one by one.
import { expect } from 'chai';
import '../../src/index.js';
import { DataHub, setLocale } from '../../src/index.js';
import { until } from '../../test/browser/support/until.js';

const hub = await DataHub.create({ cache: false, workers: 1 });

function mount(): HTMLElement & { hub?: DataHub } {
  const el = document.createElement('cl-dashboard') as HTMLElement & { hub?: DataHub };
  el.hub = hub;
  document.body.append(el);
  return el;
}

const chips = (el: HTMLElement) => [...el.shadowRoot!.querySelectorAll('[part="filters"] .chip')].map((c) => c.textContent!.replace(/×/g, '').replace(/\s+/g, ' ').trim());

describe('<cl-dashboard> filter bar', () => {
  afterEach(() => {
    document.body.replaceChildren();
    hub.filters.clear();
  });
  after(() => hub.dispose());

  it('names each filter by field and value, in English and in Simplified Chinese', async () => {
    const el = mount();
    hub.filters.set('segments', [{ column: 'tier', op: 'eq', value: 'mass-affluent' }, { column: 'channel', op: 'eq', value: 'app' }]);
    hub.filters.set('funnel', [{ column: 'segment', op: 'eq', value: 'Private Banking' }]);
    await until(() => chips(el).length === 2, 'two chips');
    expect(chips(el)).to.deep.equal(['wealth tier = Mass affluent · channel = Mobile app', 'segment = Private Banking']);
    await setLocale('zh-CN');
    try {
      await until(() => chips(el)[0]?.startsWith('财富等级'), 'the chips in Chinese');
      expect(chips(el)).to.deep.equal(['财富等级 = 大众富裕 · 渠道 = 手机银行', '客群 = Private Banking']);
    } finally {
      await setLocale('en');
    }
    // The filter itself keeps the data's values.
    expect(hub.filters.snapshot()).to.deep.equal({
      segments: [{ column: 'tier', op: 'eq', value: 'mass-affluent' }, { column: 'channel', op: 'eq', value: 'app' }],
      funnel: [{ column: 'segment', op: 'eq', value: 'Private Banking' }],
    });
  });
});
