// Hostile strings in client data (names, segment and region labels) are shown as text by every
// element: a list of XSS payloads goes through the data, and no script may run.
import { expect } from 'chai';
import '../../src/index.js';
import { configureDefaultHub, type DataHub } from '../../src/index.js';

const PAYLOADS = [
  '<img src=x onerror="window.__xss=(window.__xss||0)+1">',
  '<svg onload="window.__xss=(window.__xss||0)+1"></svg>',
  '"><script>window.__xss=(window.__xss||0)+1</script>',
  "'><iframe src=\"javascript:window.parent.__xss=(window.parent.__xss||0)+1\"></iframe>",
  '<a href="javascript:window.__xss=1">x</a>',
  '\u202Egnp.exe\u202C',
  '{{constructor.constructor("window.__xss=1")()}}',
  '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=1">',
];

const hub: DataHub = await configureDefaultHub({ cache: { name: `hostile-${Date.now()}` }, workers: 2 });

function csvCell(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

const rows: string[] = ['clientId,name,segment,region,aum,revenue,costToServe,productsHeld,txnCount12m,lastTxnDate,assetOutflow3m,lifecycleStage,riskLevel'];
PAYLOADS.forEach((p, i) => {
  rows.push([`X${i}`, csvCell(p), csvCell(p), csvCell(PAYLOADS[(i + 1) % PAYLOADS.length]), 1_000_000 + i, 5000, 9000, 1, 0, '2025-01-01', '0.8', 'mature', 3].join(','));
});
const dataset = await hub.load({ kind: 'bytes', name: 'hostile.csv', bytes: new TextEncoder().encode(rows.join('\n')).buffer as ArrayBuffer });
hub.setCurrent(dataset);

async function settle(el: HTMLElement & { updateComplete?: Promise<unknown> }): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await el.updateComplete;
    const busy = el.shadowRoot?.querySelector('[aria-busy="true"]');
    if (!busy && el.shadowRoot && el.shadowRoot.textContent!.trim().length > 0 && i > 5) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('hostile content in every element', () => {
  it(`renders ${PAYLOADS.length} XSS payloads as text everywhere, and no script runs`, async () => {
    const html = [
      '<cl-segments by="segment"></cl-segments>',
      '<cl-segments by="region" view="treemap"></cl-segments>',
      '<cl-profitability view="segments"></cl-profitability>',
      '<cl-funnel split-by="segment"></cl-funnel>',
      '<cl-churn-watch></cl-churn-watch>',
      '<cl-client-card client-id="X0"></cl-client-card>',
      '<cl-kpi></cl-kpi>',
    ];
    const wrap = document.createElement('div');
    wrap.innerHTML = html.join('');
    document.body.append(wrap);
    const elements = [...wrap.children] as HTMLElement[];
    for (const el of elements) await settle(el);
    // Every chart's table view too: labels go through a second template there.
    for (const el of elements) {
      const table = [...(el.shadowRoot?.querySelectorAll<HTMLButtonElement>('.seg button') ?? [])].find((b) => b.textContent?.trim() === 'Table');
      table?.click();
      await settle(el);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect((window as { __xss?: number }).__xss ?? 0, 'scripts executed').to.equal(0);
    for (const el of elements) {
      const root = el.shadowRoot!;
      expect(root.querySelectorAll('img, iframe, script, math, a[href^="javascript"]').length, `${el.localName}: no element from the data`).to.equal(0);
    }
    const segText = elements[0].shadowRoot!.textContent!;
    expect(segText, 'the payload is shown as text').to.contain('<img src=x onerror=');
    const card = elements[5].shadowRoot!.textContent!;
    expect(card).to.contain('<img src=x onerror=');
    console.log(`hostile content: ${PAYLOADS.length} payloads x ${elements.length} elements, 0 scripts executed`);
    wrap.remove();
  });
});
