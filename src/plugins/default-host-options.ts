/**
 * Options for the page's shared PluginHost given before the plugin kit has loaded, by
 * `loadPlugins(options)`. The kit loads with a dynamic import(), and a `<cl-command-palette>` may ask
 * for the shared host as soon as that import resolves, possibly before the page's own code runs
 * again; recording the options at the call (synchronously) means whoever creates the host first
 * creates it with them.
 *
 * Kit-free on purpose (type imports only): it is part of the page's start code.
 */
import type { PluginHostOptions } from './plugin-host.js';

let preset: PluginHostOptions | undefined;
let created = false;

/** Records the shared host's options; throws if it exists already or was configured before. */
export function presetDefaultHostOptions(options: PluginHostOptions): void {
  if (created || preset) throw new Error('The default PluginHost is already configured or created; pass its options once, before any element or script asks for it.');
  preset = options;
}

/** Whether options were recorded and no host took them yet. */
export function hasPresetOptions(): boolean {
  return !created && preset !== undefined;
}

/** Called once by whoever creates the shared host: the recorded options (default: none). */
export function claimDefaultHostOptions(): PluginHostOptions {
  created = true;
  return preset ?? {};
}
