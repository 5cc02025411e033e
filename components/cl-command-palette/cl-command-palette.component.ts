import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { styles } from './cl-command-palette.styles.js';
import { rankByFuzzy, type FuzzyMatch } from './fuzzy.js';
import type { PluginHost } from '../../src/plugins/plugin-host.js';
import type { PaletteCommand } from '../../src/plugins/plugin-api.js';
import { loadPlugins } from '../../src/plugins-on-demand.js';
import type { Disposable } from '../../src/lifecycle/disposable.js';

export interface CommandExecuteDetail {
  readonly command: string;
  readonly result: unknown;
}

export interface CommandErrorDetail {
  readonly command: string;
  readonly message: string;
}

const OPEN_COMMAND = 'clientlens.commandPalette.open';
/** Commands run recently come first when the query is empty (this page only). */
const recent: string[] = [];

interface Item {
  readonly cmd: PaletteCommand;
  readonly label: string;
  readonly match: FuzzyMatch;
}

/**
 * @summary The command palette: every command plugins contribute (the built-in ones included),
 * fuzzy-searched, with its keybinding. Opens with Ctrl+Shift+P (Cmd+Shift+P on macOS) through the
 * built-in `clientlens.commandPalette.open` command, or from its own button. Fully keyboard
 * driven: type to filter, Arrow Up/Down (Page Up/Down, Home/End with Ctrl) to move, Enter to run,
 * Escape to close; focus returns where it was.
 *
 * Accessibility: a modal dialog with a combobox input that controls a listbox; the active option
 * is announced through aria-activedescendant, the number of results through a live region.
 *
 * Without a `pluginHost`, the palette loads the plugin kit (a dynamic import of `clientlens/plugins`)
 * when it connects and uses the page's shared host; until then it shows its button without the
 * shortcut, and `show()` waits for the kit. The kit is not part of the page's start (issue 5).
 *
 * @prop pluginHost - The PluginHost whose commands to list (default: the page's shared host, set here once loaded).
 * @attr open - Whether the palette is open (reflects).
 * @attr theme - light | dark | high-contrast.
 * @event cl-command-execute - A command ran. detail: { command, result }.
 * @event cl-command-error - A command failed. detail: { command, message }.
 * @csspart button - The button that opens the palette.
 * @csspart dialog - The dialog.
 * @csspart input - The search box.
 * @csspart listbox - The list of commands.
 * @csspart option - One command.
 */
export class ClCommandPalette extends LitElement {
  static override styles = styles;
  static override properties = {
    open: { type: Boolean, reflect: true },
    theme: { type: String, reflect: true },
    pluginHost: { attribute: false },
    query: { state: true },
    active: { state: true },
    items: { state: true },
    status: { state: true },
  };

  open = false;
  theme?: string;
  pluginHost?: PluginHost;
  private query = '';
  private active = 0;
  private items: Item[] = [];
  private status = '';
  private statusIsError = false;
  private opener: HTMLElement | null = null;
  /** The host `subs` listen to: set while connected and attached to a host. */
  private attached?: PluginHost;
  private subs: Disposable[] = [];
  /** The default host's load, while one is in flight (show() awaits it). */
  private loading?: Promise<void>;
  private readonly onOpenRequest = () => void this.show();

  constructor() {
    super();
    updateWhenLocaleChanges(this);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('cl-command-palette-open', this.onOpenRequest);
    if (this.pluginHost) this.attach(this.pluginHost);
    else this.loading ??= this.loadDefaultHost();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('cl-command-palette-open', this.onOpenRequest);
    this.detach();
  }

  /**
   * Loads the plugin kit and takes the page's shared host. The element may be removed (or handed
   * a host) while the import is in flight: then it takes nothing, so no host is created on its
   * behalf and no subscription outlives it; a later connect loads again (the module is cached).
   */
  private async loadDefaultHost(): Promise<void> {
    try {
      const { getDefaultPluginHost } = await loadPlugins();
      if (!this.isConnected || this.pluginHost) return;
      this.pluginHost = getDefaultPluginHost();
      this.attach(this.pluginHost);
    } catch (err) {
      // The kit did not load (network, CSP): the palette stays a button that says so.
      this.status = (err as Error)?.message ?? String(err);
      this.statusIsError = true;
    } finally {
      this.loading = undefined;
    }
  }

  /** Follows `host`: the list tracks plugins failing or activating, and context keys changing. */
  private attach(host: PluginHost): void {
    if (this.attached === host) return;
    this.detach();
    this.attached = host;
    this.subs.push(
      host.onDidChangeStatus(() => this.open && this.refresh()),
      host.contextKeys.onDidChange(() => (this.open ? this.refresh() : this.requestUpdate())),
    );
  }

  private detach(): void {
    this.subs.forEach((s) => void s.dispose());
    this.subs = [];
    this.attached = undefined;
  }

  protected override willUpdate(changed: PropertyValues): void {
    // A host handed over after connecting replaces the one followed so far.
    if (changed.has('pluginHost') && this.isConnected && this.pluginHost) this.attach(this.pluginHost);
  }

  private get dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector('dialog');
  }

  private get input(): HTMLInputElement | null {
    return this.renderRoot.querySelector('input');
  }

  /** Opens the palette with an empty query and focuses the search box. */
  async show(): Promise<void> {
    if (!this.pluginHost) await this.loading;
    // Removed while the kit loaded, or the kit failed to load: nothing to show.
    if (!this.pluginHost || !this.isConnected) return;
    if (this.open && this.dialog?.open) return this.input?.focus();
    this.opener = deepActiveElement();
    this.query = '';
    this.active = 0;
    this.status = '';
    this.statusIsError = false;
    this.open = true;
    this.refresh();
    await this.updateComplete;
    const dialog = this.dialog!;
    if (!dialog.open) dialog.showModal();
    this.input?.focus();
  }

  /** Closes the palette; focus returns to where it was before opening. */
  hide(): void {
    this.dialog?.open ? this.dialog.close() : this.handleClose();
  }

  private handleClose(): void {
    if (!this.open) return;
    this.open = false;
    const back = this.opener;
    this.opener = null;
    if (back?.isConnected) back.focus();
  }

  private refresh(): void {
    const commands = (this.pluginHost?.paletteCommands() ?? []).filter((c) => c.command !== OPEN_COMMAND);
    const ordered = this.query.trim() ? commands : [...commands].sort((a, b) => rank(a) - rank(b));
    this.items = rankByFuzzy(ordered, this.query, (c) => labelOf(c)).map(({ item, match }) => ({ cmd: item, label: labelOf(item), match }));
    this.active = Math.min(this.active, Math.max(0, this.items.length - 1));
    this.status = msg(str`${this.items.length} results`, { id: 'palette.results' });
    this.statusIsError = false;
  }

  private handleInput(e: InputEvent): void {
    this.query = (e.target as HTMLInputElement).value;
    this.active = 0;
    this.refresh();
  }

  private handleKeydown(e: KeyboardEvent): void {
    const n = this.items.length;
    const move = (to: number) => {
      e.preventDefault();
      if (n) this.active = ((to % n) + n) % n;
    };
    switch (e.key) {
      case 'ArrowDown': return move(this.active + 1);
      case 'ArrowUp': return move(this.active - 1);
      case 'PageDown': return move(Math.min(n - 1, this.active + 8));
      case 'PageUp': return move(Math.max(0, this.active - 8));
      case 'Home': if (e.ctrlKey) move(0); return;
      case 'End': if (e.ctrlKey) move(n - 1); return;
      case 'Enter': {
        e.preventDefault();
        const item = this.items[this.active];
        if (item) void this.run(item.cmd);
        return;
      }
    }
  }

  private async run(cmd: PaletteCommand): Promise<void> {
    // Items are listed only from a host, so there is one.
    const host = this.pluginHost!;
    this.hide();
    recent.splice(0, recent.length, cmd.command, ...recent.filter((c) => c !== cmd.command).slice(0, 9));
    try {
      const result = await host.executeCommand(cmd.command);
      this.dispatchEvent(new CustomEvent<CommandExecuteDetail>('cl-command-execute', { detail: { command: cmd.command, result }, bubbles: true, composed: true }));
    } catch (err) {
      const message = (err as Error)?.message ?? String(err);
      this.status = msg(str`${labelOf(cmd)} failed: ${message}`, { id: 'palette.failed' });
      this.statusIsError = true;
      this.dispatchEvent(new CustomEvent<CommandErrorDetail>('cl-command-error', { detail: { command: cmd.command, message }, bubbles: true, composed: true }));
    }
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('active') || changed.has('items')) this.renderRoot.querySelector('[aria-selected="true"]')?.scrollIntoView?.({ block: 'nearest' });
  }

  private highlight(text: string, positions: readonly number[]): (TemplateResult | string)[] {
    if (!positions.length) return [text];
    const marked = new Set(positions);
    const out: (TemplateResult | string)[] = [];
    let i = 0;
    while (i < text.length) {
      let j = i;
      const on = marked.has(i);
      while (j < text.length && marked.has(j) === on) j++;
      out.push(on ? html`<mark>${text.slice(i, j)}</mark>` : text.slice(i, j));
      i = j;
    }
    return out;
  }

  override render() {
    const shortcut = this.pluginHost?.keybindingLabel(OPEN_COMMAND);
    const activeId = this.items.length ? `cl-cp-opt-${this.active}` : undefined;
    const ariaKeys = this.pluginHost?.platform === 'mac' ? 'Meta+Shift+P' : 'Control+Shift+P';
    return html`
      <button type="button" class="open" part="button" aria-haspopup="dialog" aria-keyshortcuts=${shortcut ? ariaKeys : nothing} @click=${() => void this.show()}>
        <span>${msg('Commands', { id: 'palette.open' })}</span>${shortcut ? html`<kbd aria-hidden="true">${shortcut}</kbd>` : nothing}
      </button>
      <span class="status ${this.statusIsError ? 'visible' : ''}" role="status" aria-live="polite">${this.status}</span>
      <dialog part="dialog" aria-label=${msg('Command palette', { id: 'palette.label' })} @close=${() => this.handleClose()}>
        ${this.open
          ? html`<input
                part="input"
                type="text"
                role="combobox"
                autocomplete="off"
                spellcheck="false"
                aria-autocomplete="list"
                aria-expanded=${this.items.length ? 'true' : 'false'}
                aria-controls="cl-cp-list"
                aria-activedescendant=${activeId ?? nothing}
                aria-label=${msg('Type the name of a command', { id: 'palette.input' })}
                placeholder=${msg('Type a command…', { id: 'palette.placeholder' })}
                .value=${this.query}
                @input=${this.handleInput}
                @keydown=${this.handleKeydown}
              />
              <ul id="cl-cp-list" role="listbox" part="listbox" aria-label=${msg('Commands', { id: 'palette.open' })} ?hidden=${this.items.length === 0}>
                ${this.items.map(
                  (it, i) => html`<li
                    id="cl-cp-opt-${i}"
                    role="option"
                    part="option"
                    aria-selected=${i === this.active ? 'true' : 'false'}
                    data-command=${it.cmd.command}
                    @click=${() => void this.run(it.cmd)}
                    @pointermove=${() => i !== this.active && (this.active = i)}
                  >
                    <span class="title">${this.renderLabel(it)}</span>
                    <span class="meta">
                      ${it.cmd.pluginId.startsWith('clientlens.') ? nothing : html`<span class="plugin">${it.cmd.pluginName}</span>`}
                      ${it.cmd.keybinding ? html`<kbd>${it.cmd.keybinding}</kbd>` : nothing}
                    </span>
                  </li>`,
                )}
              </ul>
              ${this.items.length === 0 ? html`<p class="empty">${msg('No matching commands', { id: 'palette.empty' })}</p>` : nothing}`
          : nothing}
      </dialog>
    `;
  }

  private renderLabel(it: Item) {
    const cat = it.cmd.category ? `${it.cmd.category}: ` : '';
    const parts = this.highlight(it.label, it.match.positions);
    if (!cat) return parts;
    // The category is de-emphasised: split the highlighted label where the title starts.
    const catPositions = it.match.positions.filter((p) => p < cat.length);
    const titlePositions = it.match.positions.filter((p) => p >= cat.length).map((p) => p - cat.length);
    return html`<span class="cat">${this.highlight(cat, catPositions)}</span>${this.highlight(it.cmd.title, titlePositions)}`;
  }
}

function labelOf(c: PaletteCommand): string {
  return c.category ? `${c.category}: ${c.title}` : c.title;
}

function rank(c: PaletteCommand): number {
  const i = recent.indexOf(c.command);
  return i < 0 ? recent.length : i;
}

function deepActiveElement(): HTMLElement | null {
  let el = document.activeElement as HTMLElement | null;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement as HTMLElement;
  return el;
}
