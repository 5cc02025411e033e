import { expect } from 'chai';
import '../../src/index.js';
import { configureDefaultHub, setLocale, type ClDatasetLoader } from '../../src/index.js';

// One hub for this page, with its own cache database so runs do not see each other's entries.
await configureDefaultHub({ cache: { name: `loader-test-${Date.now()}` }, workers: 2 });

function mount(attrs: Record<string, string>): ClDatasetLoader {
  const el = document.createElement('cl-dataset-loader');
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  document.body.append(el);
  return el;
}

function nextEvent<T>(el: EventTarget, type: string): Promise<CustomEvent<T>> {
  return new Promise((resolve) => el.addEventListener(type, (e) => resolve(e as CustomEvent<T>), { once: true }));
}

function text(el: ClDatasetLoader): string {
  return el.shadowRoot!.textContent!.replace(/\s+/g, ' ');
}

describe('<cl-dataset-loader>', () => {
  afterEach(() => document.querySelectorAll('cl-dataset-loader').forEach((e) => e.remove()));

  it('generates the portfolio its rows attribute asks for and says where it came from', async () => {
    const el = mount({ rows: '20000' });
    const loaded = await nextEvent<{ dataset: { rows: number; origin: string } }>(el, 'cl-dataset-load');
    expect(loaded.detail.dataset.rows).to.equal(20000);
    expect(loaded.bubbles && loaded.composed).to.equal(true);
    await el.updateComplete;
    expect(text(el)).to.contain('20,000').and.contain('generated');
    el.remove();

    // A second element (a "next visit") gets it from the browser cache.
    const again = mount({ rows: '20000' });
    const second = await nextEvent<{ dataset: { origin: string } }>(again, 'cl-dataset-load');
    expect(['cache', 'generated']).to.include(second.detail.dataset.origin);
  });

  it('is keyboard operable: arrow keys move through the sizes and load the one chosen', async () => {
    const el = mount({ rows: '10000', sizes: '10000,20000,30000' });
    await nextEvent(el, 'cl-dataset-load');
    await el.updateComplete;
    const radios = [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('[role="radio"]')];
    expect(radios.map((r) => r.getAttribute('aria-checked'))).to.deep.equal(['true', 'false', 'false']);
    expect(radios.map((r) => r.tabIndex)).to.deep.equal([0, -1, -1]);
    const loading = nextEvent<{ dataset: { rows: number } }>(el, 'cl-dataset-load');
    radios[0].focus();
    radios[0].dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true, composed: true }));
    expect((await loading).detail.dataset.rows).to.equal(20000);
    await el.updateComplete;
    expect(el.getAttribute('rows')).to.equal('20000');
    expect(el.shadowRoot!.activeElement?.textContent?.trim()).to.equal('20K');
  });

  it('lists every problem in a bad file, naming the columns', async () => {
    const el = mount({ rows: '10000' });
    await nextEvent(el, 'cl-dataset-load');
    const errored = nextEvent<{ message: string }>(el, 'cl-dataset-error');
    const file = new File(['age;balance\n30;100\n'], 'no-id.csv', { type: 'text/csv' });
    const input = el.shadowRoot!.querySelector<HTMLInputElement>('input[type="file"]')!;
    const dt = new DataTransfer();
    dt.items.add(file);
    input.files = dt.files;
    input.dispatchEvent(new Event('change'));
    expect((await errored).detail.message).to.contain('clientId');
    await el.updateComplete;
    const alert = el.shadowRoot!.querySelector('[role="alert"]')!;
    expect(alert.textContent).to.contain('clientId');
  });

  it('speaks Simplified Chinese and formats numbers for the locale', async () => {
    await setLocale('zh-CN');
    try {
      const el = mount({ rows: '10000' });
      await nextEvent(el, 'cl-dataset-load');
      await el.updateComplete;
      expect(text(el)).to.contain('客户数据').and.contain('位客户');
      expect(el.shadowRoot!.querySelector('[role="radio"]')!.textContent!.trim()).to.equal('1万');
      // On a phone-width card a step's time stays on one line ("8毫秒", not "8毫" over "秒").
      el.style.cssText = 'display:block;width:300px';
      await new Promise((r) => requestAnimationFrame(r));
      for (const td of el.shadowRoot!.querySelectorAll<HTMLElement>('[part="steps"] td.ms')) {
        const range = document.createRange();
        range.selectNodeContents(td);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
        expect(lines, `lines of "${td.textContent}"`).to.equal(1);
      }
    } finally {
      await setLocale('en');
    }
  });

  it('shows hostile file content as text, never as markup', async () => {
    const el = mount({ rows: '10000' });
    await nextEvent(el, 'cl-dataset-load');
    const errored = nextEvent(el, 'cl-dataset-error');
    const evil = '<img src=x onerror="window.__pwned=1">';
    const file = new File([`${evil};balance\n1;2\n`], 'evil.csv');
    const input = el.shadowRoot!.querySelector<HTMLInputElement>('input[type="file"]')!;
    const dt = new DataTransfer();
    dt.items.add(file);
    input.files = dt.files;
    input.dispatchEvent(new Event('change'));
    await errored;
    await el.updateComplete;
    await new Promise((r) => setTimeout(r, 50));
    expect(el.shadowRoot!.querySelector('img')).to.equal(null);
    expect((window as { __pwned?: number }).__pwned).to.equal(undefined);
  });
});
