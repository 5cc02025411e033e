// cl-dashboard's filter bar: each page filter as a chip that reads in the UI language (the fields
// and the library's own values translated, a bank's own values as they are), removable one by one;
// and its theme, handed to every panel in it.
import { expect } from 'chai';
import '../../src/index.js';
import { DataHub, setLocale } from '../../src/index.js';
import { until } from '../../test/browser/support/until.js';

const hub = await DataHub.create({ cache: false, workers: 1 });
after(() => hub.dispose());

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

describe('<cl-dashboard> theme', () => {
  afterEach(() => document.body.replaceChildren());

  it("hands a theme's palette to a plugin's panel through the --cl-* tokens", async () => {
    const el = mount();
    // A plugin's panel as docs/plugins.md writes one: colours from --cl-* with its own fallbacks.
    const panel = document.createElement('div');
    panel.style.color = 'var(--cl-color-text, rgb(1, 2, 3))';
    panel.style.backgroundColor = 'var(--cl-color-surface, rgb(4, 5, 6))';
    el.append(panel);
    await (el as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
    const colours = () => [getComputedStyle(panel).color, getComputedStyle(panel).backgroundColor];
    expect(colours(), 'light: the panel keeps its own fallbacks').to.deep.equal(['rgb(1, 2, 3)', 'rgb(4, 5, 6)']);
    expect(getComputedStyle(panel).colorScheme).to.equal('normal');
    el.setAttribute('theme', 'dark');
    await until(() => colours()[0] !== 'rgb(1, 2, 3)', 'the dark palette');
    // The dark theme's text and surface (components/shared/theme.styles.ts).
    expect(colours()).to.deep.equal(['rgb(230, 235, 242)', 'rgb(22, 27, 34)']);
    // Its native controls (a <select>) and scrollbars draw dark as well.
    expect(getComputedStyle(panel).colorScheme).to.equal('dark');
    el.setAttribute('theme', 'high-contrast');
    await until(() => colours()[0] === 'rgb(0, 0, 0)', 'the high-contrast palette');
    expect(colours()[1]).to.equal('rgb(255, 255, 255)');
    // A page's own token still wins over the theme's default.
    el.style.setProperty('--cl-color-text', 'rgb(7, 8, 9)');
    el.setAttribute('theme', 'dark');
    await until(() => colours()[0] === 'rgb(7, 8, 9)', "the page's own text colour");
  });
});
