/**
 * Errors of the plugin kit. Each names the plugin (and, for services, both plugins), the phase or
 * manifest field, and what to do, so a message shown in a badge or a console is enough to act on.
 */
import type { PluginErrorPhase } from './plugin-api.js';

const PHASES: Record<PluginErrorPhase, string> = {
  load: 'loading its code',
  activate: 'activate()',
  command: 'a command',
  panel: 'a panel',
  kernel: 'a kernel',
  'data-source': 'a data source',
  service: 'a service',
  settings: 'its settings',
  deactivate: 'deactivate()',
};

/** Something a plugin's own code did (or failed to do). The host marks that plugin failed. */
export class PluginError extends Error {
  override readonly name = 'PluginError';
  constructor(
    readonly pluginId: string,
    readonly pluginName: string,
    readonly phase: PluginErrorPhase,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Plugin "${pluginName}" (${pluginId}) failed in ${PHASES[phase]}: ${detail}`, options);
  }
}

export interface ManifestIssue {
  /** Path of the field, e.g. "contributes.commands[1].title". */
  readonly field: string;
  readonly problem: string;
}

/** A manifest refused before any plugin code ran: every problem, each naming its field. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  constructor(readonly pluginId: string | undefined, readonly issues: readonly ManifestIssue[], readonly source?: string) {
    const who = pluginId ? `Plugin "${pluginId}"` : 'A plugin';
    const where = source ? ` (${source})` : '';
    super(`${who}${where} was refused: ${issues.map((i) => `${i.field} ${i.problem}`).join('; ')}`);
  }
}

/** A URL outside the host's allow-list (or of a kind never allowed). */
export class PluginUrlError extends Error {
  override readonly name = 'PluginUrlError';
  constructor(readonly url: string, message: string) {
    super(message);
  }
}

/** A service missing, or at a version the consumer cannot use. */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(readonly service: string, readonly consumer: string, readonly provider: string | undefined, message: string) {
    super(message);
  }
}

/** A settings value that does not fit the plugin's schema (or a key it does not declare). */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(readonly pluginId: string, readonly key: string, readonly problems: readonly string[]) {
    super(`Plugin "${pluginId}" setting "${key}": ${problems.join('; ')}`);
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return typeof err === 'string' ? err : `non-error thrown: ${String(err)}`;
}
