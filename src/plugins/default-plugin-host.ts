/**
 * The page's shared PluginHost, with the built-in plugin installed and started. Elements that are
 * not handed a host (cl-command-palette) use this one. A page that installs its own plugins passes
 * the URL allow-list first: `configureDefaultPluginHost({ allow: [...] })` from `clientlens/plugins`,
 * or `loadPlugins({ allow: [...] })` from `clientlens/core` (which records the options before the
 * kit loads; see default-host-options.ts).
 */
import { PluginHost, type PluginHostOptions } from './plugin-host.js';
import { BUILTIN_MANIFEST, createBuiltinPlugin } from './builtin-plugin.js';
import { claimDefaultHostOptions, hasPresetOptions } from './default-host-options.js';

let shared: PluginHost | undefined;

function create(options: PluginHostOptions): PluginHost {
  const host = new PluginHost(options);
  host.addBuiltin(BUILTIN_MANIFEST, createBuiltinPlugin(host));
  void host.start();
  return host;
}

/** The shared host, created on the first call (with the options `loadPlugins(options)` recorded, if any). */
export function getDefaultPluginHost(): PluginHost {
  return (shared ??= create(claimDefaultHostOptions()));
}

/** Creates the shared host with options; must run before anything asks for it. */
export function configureDefaultPluginHost(options: PluginHostOptions): PluginHost {
  if (shared || hasPresetOptions()) throw new Error('The default PluginHost already exists; call configureDefaultPluginHost before any element or script asks for it.');
  claimDefaultHostOptions();
  return (shared = create(options));
}
