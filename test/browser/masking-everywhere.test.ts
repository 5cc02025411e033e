/**
 * The host's masking policy (setMasking) reaches everything an element shows: on-screen text,
 * tooltips and aria-labels, the table view, and the exported CSV. With names, client ids and RM
 * names masked, none of the dataset's known values may appear anywhere; with the policy turned
 * off again, they do (so the check can fail, and elements follow onMaskingChange).
 */
import { expect } from 'chai';
import '../../src/index.js';
import { configureDefaultHub, type DataHub } from '../../src/index.js';
import { setMasking } from '../../src/privacy/masking.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';

const ROWS = 3000;
const hub: DataHub = await configureDefaultHub({ cache: false, workers: 2 });
const dataset = await hub.load({ kind: 'generate', options: { rows: ROWS } });
hub.setCurrent(dataset);

/** Every name (3+ characters, so a two-character name cannot match inside other text), id and RM. */
const table = generatePortfolio({ rows: ROWS })[0];
const KNOWN = new Set<string>();
for (const column of ['name', 'clientId', 'rm']) {
  const v = table.getChild(column)!;
  for (let i = 0; i < table.numRows; i++) {
    const s = v.get(i) as string | null;
    if (s !== null && [...s].length >= 3) KNOWN.add(s);
  }
}
// A client with a name and an RM, for the card.
const cardRow = [...Array(table.numRows).keys()].find((i) => table.getChild('rm')!.get(i) !== null && [...String(table.getChild('name')!.get(i))].length >= 3)!;
const CARD_ID = String(table.getChild('clientId')!.get(cardRow));

/** Blobs handed to downloads: the real export path, recorded at the browser API it ends in. */
const downloads: Blob[] = [];
const createObjectURL = URL.createObjectURL.bind(URL);
URL.createObjectURL = (obj: Blob | MediaSource) => {
  if (obj instanceof Blob) downloads.push(obj);
  return createObjectURL(obj);
};

async function settle(el: HTMLElement & { updateComplete?: Promise<unknown> }): Promise<void> {
  for (let i = 0; i < 400; i++) {
    await el.updateComplete;
    const busy = el.shadowRoot?.querySelector('[aria-busy="true"], .loading-row');
    if (!busy && el.shadowRoot && el.shadowRoot.textContent!.trim().length > 0 && i > 5) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Text, tooltips and accessible names in an element's shadow tree. */
function shown(el: Element): string {
  const root = el.shadowRoot!;
  const parts = [root.textContent ?? ''];
  for (const node of root.querySelectorAll('*')) {
    for (const attr of ['title', 'aria-label', 'aria-description', 'alt', 'placeholder']) {
      const v = node.getAttribute(attr);
      if (v) parts.push(v);
    }
  }
  return parts.join('\n');
}

function leaks(text: string): string[] {
  const out: string[] = [];
  for (const k of KNOWN) if (text.includes(k)) out.push(k);
  return out;
}

async function showTable(el: HTMLElement): Promise<void> {
  const button = [...(el.shadowRoot?.querySelectorAll<HTMLButtonElement>('.seg button') ?? [])].find((b) => b.textContent?.trim() === 'Table');
  button?.click();
  await settle(el);
}

async function exportCsv(el: HTMLElement): Promise<string> {
  const before = downloads.length;
  const button = [...(el.shadowRoot?.querySelectorAll<HTMLButtonElement>('button') ?? [])].find((b) => b.textContent?.trim() === 'CSV');
  expect(button, `${el.localName} has a CSV button`).to.not.equal(undefined);
  button!.click();
  for (let i = 0; i < 100 && downloads.length === before; i++) await new Promise((r) => setTimeout(r, 20));
  expect(downloads.length, 'a CSV was exported').to.equal(before + 1);
  return downloads.at(-1)!.text();
}

function mount(html: string): HTMLElement[] {
  const wrap = document.createElement('div');
  wrap.innerHTML = html;
  document.body.append(wrap);
  return [...wrap.children] as HTMLElement[];
}

describe('masking by the host policy, everywhere', () => {
  afterEach(() => setMasking([]));

  it('churn watch and client card: list, groups by RM, card, table views, tooltips and CSV', async () => {
    setMasking(['name', 'clientId', 'rm']);
    const [watch, card] = mount(`<cl-churn-watch by="rm"></cl-churn-watch><cl-client-card client-id="${CARD_ID}"></cl-client-card>`);
    await settle(watch);
    await settle(card);
    const chart = { watch: shown(watch), card: shown(card) };
    expect(chart.card, 'the card rendered its client').to.contain('Holdings');
    await showTable(watch);
    const tableText = shown(watch);
    expect(tableText, 'the RM table view rendered').to.match(/R\*{4,}/);
    const csv = await exportCsv(watch);
    expect(csv.split('\r\n')[0]).to.contain('rm');

    const found = { list: leaks(chart.watch), card: leaks(chart.card), table: leaks(tableText), csv: leaks(csv) };
    const checked = chart.watch.length + chart.card.length + tableText.length + csv.length;
    console.log(`masking: ${KNOWN.size} known names/ids/RMs checked against ${checked} characters of text, tooltips, tables and CSV; leaks: ${Object.values(found).flat().length}`);
    expect(found).to.deep.equal({ list: [], card: [], table: [], csv: [] });

    // Turning the policy off shows the real values again, without re-mounting.
    setMasking([]);
    await new Promise((r) => setTimeout(r, 50));
    await settle(card);
    expect(shown(card), 'the card follows onMaskingChange').to.contain(CARD_ID);
    expect(leaks(await exportCsv(watch)).length, 'unmasked CSV carries RM names').to.be.above(0);
    watch.parentElement!.remove();
  });

  it('segments by RM: bars, tooltips, table view and CSV', async () => {
    setMasking(['rm']);
    const [seg] = mount('<cl-segments by="rm"></cl-segments>');
    await settle(seg);
    const chart = shown(seg);
    await showTable(seg);
    const tableText = shown(seg);
    const csv = await exportCsv(seg);
    expect({ chart: leaks(chart), table: leaks(tableText), csv: leaks(csv) }).to.deep.equal({ chart: [], table: [], csv: [] });
    seg.parentElement!.remove();
  });
});
