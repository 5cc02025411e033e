/**
 * The open command palette's body, loaded on demand the first time the palette opens (issue 5): the
 * search box, the fuzzy-ranked list of commands with their keybindings, keyboard use (arrows, Page
 * Up/Down, Ctrl+Home/End, Enter) and running the chosen command. The element
 * (cl-command-palette.component.ts) keeps the button, the dialog, opening and closing.
 *
 * Contract: one PaletteList per element, made when the body has loaded; it keeps the query, the
 * active option and the ranked items, asks its host to re-render when they change, and reports
 * through `setStatus` (the element's live region) and the element's events.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { msg, str } from '@lit/localize';
import { rankByFuzzy, type FuzzyMatch } from './fuzzy.js';
import type { PluginHost } from '../../src/plugins/plugin-host.js';
import type { PaletteCommand } from '../../src/plugins/plugin-api.js';
import type { CommandErrorDetail, CommandExecuteDetail } from './cl-command-palette.component.js';

/** The palette's own command: not listed in itself. */
const OPEN_COMMAND = 'clientlens.commandPalette.open';
/** Commands run recently come first when the query is empty (this page only). */
const recent: string[] = [];

interface Item {
  readonly cmd: PaletteCommand;
  readonly label: string;
  readonly match: FuzzyMatch;
}

/** What the list needs of its element. */
export interface PaletteListHost extends EventTarget {
  readonly pluginHost?: PluginHost;
  readonly renderRoot: ParentNode;
  requestUpdate(): void;
  /** Closes the palette (focus returns where it was). */
  hide(): void;
  /** Says `text` in the live region; an error stays visible. */
  setStatus(text: string, isError: boolean): void;
}

export class PaletteList {
  private query = '';
  private active = 0;
  private items: Item[] = [];
  /** The active option changed since the last render: scroll it into view after the next one. */
  private reveal = false;

  constructor(private readonly host: PaletteListHost) {}

  /** A fresh list for a palette being opened: empty query, first option active. */
  reset(): void {
    this.query = '';
    this.active = 0;
    this.refresh();
  }

  /** Ranks the host's commands for the query (the list follows plugins and context keys changing). */
  refresh(): void {
    const commands = (this.host.pluginHost?.paletteCommands() ?? []).filter((c) => c.command !== OPEN_COMMAND);
    const ordered = this.query.trim() ? commands : [...commands].sort((a, b) => rank(a) - rank(b));
    this.items = rankByFuzzy(ordered, this.query, (c) => labelOf(c)).map(({ item, match }) => ({ cmd: item, label: labelOf(item), match }));
    this.active = Math.min(this.active, Math.max(0, this.items.length - 1));
    this.reveal = true;
    this.host.setStatus(msg(str`${this.items.length} results`, { id: 'palette.results' }), false);
    this.host.requestUpdate();
  }

  /** Call after the element updated: keeps the active option in view. */
  updated(): void {
    if (!this.reveal) return;
    this.reveal = false;
    this.host.renderRoot.querySelector('[aria-selected="true"]')?.scrollIntoView?.({ block: 'nearest' });
  }

  private setActive(i: number): void {
    if (i === this.active) return;
    this.active = i;
    this.reveal = true;
    this.host.requestUpdate();
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
      if (n) this.setActive(((to % n) + n) % n);
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
    const host = this.host.pluginHost!;
    this.host.hide();
    recent.splice(0, recent.length, cmd.command, ...recent.filter((c) => c !== cmd.command).slice(0, 9));
    try {
      const result = await host.executeCommand(cmd.command);
      this.host.dispatchEvent(new CustomEvent<CommandExecuteDetail>('cl-command-execute', { detail: { command: cmd.command, result }, bubbles: true, composed: true }));
    } catch (err) {
      const message = (err as Error)?.message ?? String(err);
      this.host.setStatus(msg(str`${labelOf(cmd)} failed: ${message}`, { id: 'palette.failed' }), true);
      this.host.dispatchEvent(new CustomEvent<CommandErrorDetail>('cl-command-error', { detail: { command: cmd.command, message }, bubbles: true, composed: true }));
    }
  }

  /** The dialog's content: search box, list of commands, "no match" line. */
  render(): TemplateResult {
    const activeId = this.items.length ? `cl-cp-opt-${this.active}` : undefined;
    return html`<input
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
        @input=${(e: InputEvent) => this.handleInput(e)}
        @keydown=${(e: KeyboardEvent) => this.handleKeydown(e)}
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
            @pointermove=${() => this.setActive(i)}
          >
            <span class="title">${renderLabel(it)}</span>
            <span class="meta">
              ${it.cmd.pluginId.startsWith('clientlens.') ? nothing : html`<span class="plugin">${it.cmd.pluginName}</span>`}
              ${it.cmd.keybinding ? html`<kbd>${it.cmd.keybinding}</kbd>` : nothing}
            </span>
          </li>`,
        )}
      </ul>
      ${this.items.length === 0 ? html`<p class="empty">${msg('No matching commands', { id: 'palette.empty' })}</p>` : nothing}`;
  }
}

/** `text` with the characters at `positions` marked. */
function highlight(text: string, positions: readonly number[]): (TemplateResult | string)[] {
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

function renderLabel(it: Item) {
  const cat = it.cmd.category ? `${it.cmd.category}: ` : '';
  const parts = highlight(it.label, it.match.positions);
  if (!cat) return parts;
  // The category is de-emphasised: split the highlighted label where the title starts.
  const catPositions = it.match.positions.filter((p) => p < cat.length);
  const titlePositions = it.match.positions.filter((p) => p >= cat.length).map((p) => p - cat.length);
  return html`<span class="cat">${highlight(cat, catPositions)}</span>${highlight(it.cmd.title, titlePositions)}`;
}

function labelOf(c: PaletteCommand): string {
  return c.category ? `${c.category}: ${c.title}` : c.title;
}

function rank(c: PaletteCommand): number {
  const i = recent.indexOf(c.command);
  return i < 0 ? recent.length : i;
}
