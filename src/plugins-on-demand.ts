/**
 * `loadPlugins` for `clientlens/core` (and the standalone bundle): the plugin kit (the
 * `clientlens/plugins` entry) loaded on the first call rather than with every page.
 */
import type { PluginHostOptions } from './plugins/plugin-host.js';
import { presetDefaultHostOptions } from './plugins/default-host-options.js';

/** The `clientlens/plugins` module: PluginHost, getDefaultPluginHost, configureDefaultPluginHost, ... */
export type PluginKit = typeof import('./plugins.js');

let kit: Promise<PluginKit> | undefined;

/**
 * Loads the plugin kit (once; later calls share the load). With `options`, the page's shared
 * PluginHost is created with them: they are recorded at the call, so a `<cl-command-palette>` that
 * asks for the host while the kit loads gets the configured one. Rejects if the shared host was
 * already created or configured.
 */
export async function loadPlugins(options?: PluginHostOptions): Promise<PluginKit> {
  if (options) presetDefaultHostOptions(options);
  // A failed load (network) is not cached: the next call tries again.
  const plugins = await (kit ??= import('./plugins.js').catch((err: unknown) => {
    kit = undefined;
    throw err;
  }));
  if (options) plugins.getDefaultPluginHost();
  return plugins;
}
