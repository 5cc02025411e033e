/**
 * The command registry: ids to handlers, apart from where commands show (palette, keybindings,
 * buttons). It knows nothing of plugins; the host wraps handlers so a throw is charged to the
 * plugin that registered it, and activates plugins before running a command they contribute.
 */
import { Emitter, toDisposable, type Disposable } from '../lifecycle/disposable.js';
import type { CommandHandler } from './plugin-api.js';

interface Entry {
  readonly owner: string;
  readonly handler: CommandHandler;
}

export class CommandRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly changes = new Emitter<string>();

  /** Registers a handler; throws if the id is taken (naming who holds it). */
  register(command: string, owner: string, handler: CommandHandler): Disposable {
    if (typeof command !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/.test(command)) throw new TypeError(`A command id is a name like "acme.checkSuitability"; got ${JSON.stringify(command)}.`);
    if (typeof handler !== 'function') throw new TypeError(`Command "${command}" needs a handler function.`);
    const taken = this.entries.get(command);
    if (taken) throw new Error(`Command "${command}" is already registered by "${taken.owner}".`);
    const entry: Entry = { owner, handler };
    this.entries.set(command, entry);
    this.changes.emit(command);
    return toDisposable(() => {
      if (this.entries.get(command) !== entry) return;
      this.entries.delete(command);
      this.changes.emit(command);
    });
  }

  has(command: string): boolean {
    return this.entries.has(command);
  }

  /** Who registered the command (a plugin id), if anyone. */
  owner(command: string): string | undefined {
    return this.entries.get(command)?.owner;
  }

  /** Runs a registered command; a sync throw becomes a rejection. */
  async execute(command: string, args: readonly unknown[]): Promise<unknown> {
    const entry = this.entries.get(command);
    if (!entry) throw new Error(`No command "${command}" is registered.`);
    return entry.handler(...args);
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  /** Fires with the id of a command registered or removed. */
  onDidChange(listener: (command: string) => void): Disposable {
    return this.changes.on(listener);
  }
}
