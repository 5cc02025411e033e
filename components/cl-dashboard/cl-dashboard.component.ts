import { LitElement, html, nothing } from 'lit';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { styles } from './cl-dashboard.styles.js';
import { getDefaultHub } from '../../src/dataset/default-hub.js';
import { fieldName, valueLabel } from '../shared/field-labels.js';
import type { DataHub } from '../../src/dataset/data-hub.js';
import type { FilterCondition } from '../../src/query/filter-store.js';
import type { Disposable } from '../../src/lifecycle/disposable.js';
import { MaskingController } from '../shared/masking-controller.js';

/** The font warm-up (font-warmer.ts) helps only while data loads: fetched then, not with the page's start. */
const loadFontWarmer = () => import('../shared/font-warmer.js');

/** Everything needed to bring a dashboard back: what was loaded, the filters, each panel's settings. */
export interface DashboardState {
  readonly version: 1;
  readonly dataset?: { readonly rows?: number; readonly src?: string };
  readonly filters: Record<string, readonly FilterCondition[]>;
  readonly panels: { readonly tag: string; readonly id?: string; readonly attributes: Record<string, string> }[];
}

const STATE_PARAM = 'cl';
/** Attributes that are presentation or wiring, not panel settings worth saving. */
const SKIP_ATTRIBUTES = new Set(['class', 'style', 'slot', 'theme', 'data-span']);

/**
 * @summary Lays out clientlens panels in a responsive grid, shows the page's shared filters as
 * removable chips, and saves / restores the whole state as JSON or in the URL.
 *
 * @slot - Panels (cl-kpi, cl-segments, ... or a plugin's element). `data-span="full"` spans the row.
 * @attr url-state - Keep the state in the page URL (`?cl=...`) so a view can be linked.
 * @attr theme - light | dark | high-contrast, passed down to every panel.
 * @event cl-state-change - The state changed (filters, dataset, panel settings). detail: DashboardState.
 * @cssproperty --cl-dashboard-columns - Columns on wide screens (default 2).
 * @cssproperty --cl-dashboard-gap - Space between panels.
 * @csspart filters - The filter bar.
 */
export class ClDashboard extends LitElement {
  static override styles = styles;
  static override properties = {
    urlState: { type: Boolean, attribute: 'url-state' },
    theme: { type: String, reflect: true },
    hub: { attribute: false },
    filters: { state: true },
  };

  urlState = false;
  theme?: string;
  hub?: DataHub;
  private filters: Record<string, readonly FilterCondition[]> = {};
  private subs: Disposable[] = [];
  private observer?: MutationObserver;
  private restoring = false;
  private readonly masking = new MaskingController(this);

  constructor() {
    super();
    updateWhenLocaleChanges(this);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.attach();
    const root = this.renderRoot as ShadowRoot;
    const warm = loadFontWarmer().then(
      (m) => (this.isConnected ? m.warmTypeScale(root) : undefined),
      () => undefined, // best effort: without it the fonts are looked up as the answers are drawn
    );
    this.subs.push({ dispose: () => void warm.then((w) => w?.dispose()) });
    this.observer = new MutationObserver(() => this.announce());
    this.observer.observe(this, { subtree: true, attributes: true, childList: true });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.subs.forEach((s) => s.dispose());
    this.subs = [];
    this.observer?.disconnect();
  }

  private async attach(): Promise<void> {
    const hub = (this.hub ??= await getDefaultHub());
    this.subs.push(
      hub.filters.onChange(() => {
        this.filters = hub.filters.snapshot();
        this.announce();
      }),
      hub.onCurrentChange(() => this.announce()),
    );
    if (this.urlState) {
      const encoded = new URLSearchParams(location.search).get(STATE_PARAM);
      if (encoded) {
        try {
          this.restore(decodeState(encoded));
        } catch (err) {
          console.warn(`clientlens: the dashboard state in the URL could not be restored: ${(err as Error).message}`);
        }
      }
    }
  }

  protected override updated(changed: Map<string, unknown>): void {
    if (changed.has('theme')) for (const el of this.panels()) this.theme ? el.setAttribute('theme', this.theme) : el.removeAttribute('theme');
  }

  private panels(): Element[] {
    return [...this.children].filter((el) => el.localName.includes('-'));
  }

  /** The dashboard's state now. */
  get state(): DashboardState {
    const loader = this.querySelector('cl-dataset-loader');
    return {
      version: 1,
      dataset: loader ? { rows: Number(loader.getAttribute('rows')) || undefined, src: loader.getAttribute('src') ?? undefined } : undefined,
      filters: this.hub?.filters.snapshot() ?? {},
      panels: this.panels().map((el) => ({
        tag: el.localName,
        id: el.id || undefined,
        attributes: Object.fromEntries([...el.attributes].filter((a) => !SKIP_ATTRIBUTES.has(a.name) && a.name !== 'id').map((a) => [a.name, a.value])),
      })),
    };
  }

  /** Applies a saved state: panel attributes (matched by id, else by position and tag), dataset, filters. */
  restore(input: unknown): void {
    const state = validateState(input);
    this.restoring = true;
    try {
      const panels = this.panels();
      state.panels.forEach((p, i) => {
        const el = (p.id ? panels.find((e) => e.id === p.id) : undefined) ?? (panels[i]?.localName === p.tag ? panels[i] : undefined);
        if (!el) return;
        for (const [name, value] of Object.entries(p.attributes)) if (el.getAttribute(name) !== value) el.setAttribute(name, value);
      });
      const loader = this.querySelector('cl-dataset-loader');
      if (loader && state.dataset?.src) loader.setAttribute('src', state.dataset.src);
      else if (loader && state.dataset?.rows) loader.setAttribute('rows', String(state.dataset.rows));
      if (this.hub) for (const [source, conditions] of Object.entries(state.filters)) this.hub.filters.set(source, conditions);
    } finally {
      this.restoring = false;
    }
    this.announce();
  }

  private announceQueued = false;
  private announce(): void {
    if (this.restoring || this.announceQueued) return;
    this.announceQueued = true;
    queueMicrotask(() => {
      this.announceQueued = false;
      const state = this.state;
      if (this.urlState) {
        const url = new URL(location.href);
        url.searchParams.set(STATE_PARAM, encodeState(state));
        history.replaceState(history.state, '', url);
      }
      this.dispatchEvent(new CustomEvent<DashboardState>('cl-state-change', { detail: state, bubbles: true, composed: true }));
    });
  }

  private removeFilter(source: string): void {
    this.hub?.filters.set(source, []);
  }

  private describe(c: FilterCondition): string {
    // A chip of a filter on rm (a selected bar of segments by RM) must follow the masking policy.
    // Fields and the library's own values in the UI locale (wealth tier = 大众).
    const shown = (x: unknown) => (typeof x === 'string' ? valueLabel(c.column, this.masking.label(c.column, x)) : String(x));
    const v = c.values ? c.values.map(shown).join(', ') : c.value === undefined ? '' : shown(c.value);
    const op = { eq: '=', ne: '≠', in: '∈', notIn: '∉', lt: '<', lte: '≤', gt: '>', gte: '≥', between: '∈', isNull: msg('is empty', { id: 'dash.is-empty' }), notNull: msg('is set', { id: 'dash.is-set' }) }[c.op] ?? c.op;
    return `${fieldName(c.column)} ${op} ${v}`.trim();
  }

  override render() {
    const entries = Object.entries(this.filters).filter(([, c]) => c.length > 0);
    return html`
      <div class="bar" part="filters" role="region" aria-label=${msg('Filters', { id: 'dash.filters' })}>
        <span class="label">${entries.length ? msg('Filters:', { id: 'dash.filters-label' }) : msg('No filters. Click a bar or a cell to filter every panel.', { id: 'dash.no-filters' })}</span>
        ${entries.map(
          ([source, conditions]) => html`<span class="chip">
            ${conditions.map((c) => this.describe(c)).join(' · ')}
            <button type="button" aria-label=${msg(str`Remove filter ${conditions.map((c) => this.describe(c)).join(', ')}`, { id: 'dash.remove-filter' })} @click=${() => this.removeFilter(source)}>×</button>
          </span>`,
        )}
        ${entries.length > 1 ? html`<button type="button" @click=${() => this.hub?.filters.clear()}>${msg('Clear all', { id: 'dash.clear' })}</button>` : nothing}
      </div>
      <div class="grid" part="grid"><slot></slot></div>
    `;
  }
}

export function encodeState(state: DashboardState): string {
  const bytes = new TextEncoder().encode(JSON.stringify(state));
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeState(encoded: string): DashboardState {
  const bin = atob(encoded.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return validateState(JSON.parse(new TextDecoder().decode(bytes)));
}

/** Checks a state from JSON or a URL (untrusted) before anything is applied. */
export function validateState(input: unknown): DashboardState {
  const s = input as Partial<DashboardState> | null;
  if (!s || typeof s !== 'object') throw new TypeError('A dashboard state must be an object.');
  if (s.version !== 1) throw new TypeError(`Unknown dashboard state version ${JSON.stringify(s.version)}; expected 1.`);
  if (!s.filters || typeof s.filters !== 'object') throw new TypeError('state.filters must be an object of filter lists.');
  for (const [k, list] of Object.entries(s.filters)) {
    if (!Array.isArray(list) || list.some((c) => !c || typeof c.column !== 'string' || typeof c.op !== 'string')) throw new TypeError(`state.filters.${k} must be a list of {column, op, value} conditions.`);
  }
  if (!Array.isArray(s.panels)) throw new TypeError('state.panels must be a list.');
  s.panels.forEach((p, i) => {
    if (!p || typeof p.tag !== 'string' || typeof p.attributes !== 'object') throw new TypeError(`state.panels[${i}] must have a tag and attributes.`);
    for (const [name, value] of Object.entries(p.attributes)) {
      if (!/^[a-z][a-z0-9-]*$/.test(name) || name.startsWith('on')) throw new TypeError(`state.panels[${i}].attributes has a disallowed name "${name}".`);
      if (typeof value !== 'string') throw new TypeError(`state.panels[${i}].attributes.${name} must be text.`);
    }
  });
  if (s.dataset !== undefined) {
    const rows = s.dataset.rows;
    if (rows !== undefined && !(Number.isInteger(rows) && rows > 0)) throw new TypeError('state.dataset.rows must be a positive whole number.');
    if (s.dataset.src !== undefined && typeof s.dataset.src !== 'string') throw new TypeError('state.dataset.src must be a URL.');
  }
  return s as DashboardState;
}
