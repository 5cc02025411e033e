/**
 * The page's shared PluginHost, with the built-in plugin installed and started. Elements that are
 * not handed a host (cl-command-palette) use this one. A page that installs its own plugins calls
 * `configureDefaultPluginHost({ allow: [...] })` first, to pass the URL allow-list.
 */
import { PluginHost, type PluginHostOptions } from './plugin-host.js';
import { BUILTIN_MANIFEST, createBuiltinPlugin } from './builtin-plugin.js';

let shared: PluginHost | undefined;

function create(options: PluginHostOptions): PluginHost {
  const host = new PluginHost(options);
  host.addBuiltin(BUILTIN_MANIFEST, createBuiltinPlugin(host));
  void host.start();
  return host;
}

export function getDefaultPluginHost(): PluginHost {
  return (shared ??= create({}));
}

/** Creates the shared host with options; must run before anything asks for it. */
export function configureDefaultPluginHost(options: PluginHostOptions): PluginHost {
  if (shared) throw new Error('The default PluginHost already exists; call configureDefaultPluginHost before any element or script asks for it.');
  return (shared = create(options));
}
