import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { styles } from './cl-command-palette.styles.js';
import type { PluginHost } from '../../src/plugins/plugin-host.js';
import { loadPlugins } from '../../src/plugins-on-demand.js';
import type { Disposable } from '../../src/lifecycle/disposable.js';
import type { PaletteList } from './palette-list.js';

export interface CommandExecuteDetail {
  readonly command: string;
  readonly result: unknown;
}

export interface CommandErrorDetail {
  readonly command: string;
  readonly message: string;
}

const OPEN_COMMAND = 'clientlens.commandPalette.open';

type ListModule = typeof import('./palette-list.js');
let listModule: Promise<ListModule> | undefined;

/** The palette's body (search, list, keys), loaded when a palette first opens; a failed load is not kept. */
function loadList(): Promise<ListModule> {
  return (listModule ??= import('./palette-list.js').catch((err: unknown) => {
    listModule = undefined;
    throw err;
  }));
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
 * shortcut, and `show()` waits for the kit. The kit is not part of the page's start (issue 5), nor
 * is the palette's body (search, list, keyboard: palette-list.ts), which loads when it first opens;
 * if that load fails, the status next to the button says so and the next open tries again.
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
    status: { state: true },
  };

  open = false;
  theme?: string;
  pluginHost?: PluginHost;
  /** The body, once it has loaded (the first open). */
  private list?: PaletteList;
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
      host.onDidChangeStatus(() => this.open && this.list?.refresh()),
      host.contextKeys.onDidChange(() => (this.open && this.list ? this.list.refresh() : this.requestUpdate())),
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
    const opener = deepActiveElement();
    const list = await this.loadBody();
    if (!list || !this.isConnected || this.open) return;
    this.opener = opener;
    this.status = '';
    this.statusIsError = false;
    this.open = true;
    list.reset();
    await this.updateComplete;
    const dialog = this.dialog!;
    if (!dialog.open) dialog.showModal();
    this.input?.focus();
  }

  /** The body, loading it on the first open; undefined (and the status says why) when it fails to load. */
  private async loadBody(): Promise<PaletteList | undefined> {
    if (this.list) return this.list;
    try {
      const { PaletteList } = await loadList();
      return (this.list ??= new PaletteList(this));
    } catch (err) {
      this.setStatus(msg(str`The command palette could not be loaded: ${(err as Error)?.message ?? err}`, { id: 'palette.load-error' }), true);
      return undefined;
    }
  }

  /** @internal The live region next to the button (PaletteList reports through it); an error stays visible. */
  setStatus(text: string, isError: boolean): void {
    this.status = text;
    this.statusIsError = isError;
    this.requestUpdate();
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

  protected override updated(): void {
    this.list?.updated();
  }

  override render() {
    const shortcut = this.pluginHost?.keybindingLabel(OPEN_COMMAND);
    const ariaKeys = this.pluginHost?.platform === 'mac' ? 'Meta+Shift+P' : 'Control+Shift+P';
    return html`
      <button type="button" class="open" part="button" aria-haspopup="dialog" aria-keyshortcuts=${shortcut ? ariaKeys : nothing} @click=${() => void this.show()}>
        <span>${msg('Commands', { id: 'palette.open' })}</span>${shortcut ? html`<kbd aria-hidden="true">${shortcut}</kbd>` : nothing}
      </button>
      <span class="status ${this.statusIsError ? 'visible' : ''}" role="status" aria-live="polite">${this.status}</span>
      <dialog part="dialog" aria-label=${msg('Command palette', { id: 'palette.label' })} @close=${() => this.handleClose()}>
        ${this.open && this.list ? this.list.render() : nothing}
      </dialog>
    `;
  }
}

function deepActiveElement(): HTMLElement | null {
  let el = document.activeElement as HTMLElement | null;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement as HTMLElement;
  return el;
}
