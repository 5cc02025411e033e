/**
 * `clientlens/plugins`: the plugin kit's code (issue 5). Kept out of `clientlens` and
 * `clientlens/core`, whose start it would double: a page pays for it only when it uses plugins
 * (imports this entry, or calls `loadPlugins()` from core) or a `<cl-command-palette>` without a
 * `pluginHost` connects (the palette loads it then). The types stay in core and `clientlens/plugin-api`.
 */
export { PluginHost, CLIENTLENS_VERSION } from './plugins/plugin-host.js';
export type { PluginHostOptions, InstallOptions, LoadDataSourceOptions } from './plugins/plugin-host.js';
export { getDefaultPluginHost, configureDefaultPluginHost } from './plugins/default-plugin-host.js';
export { BUILTIN_MANIFEST, BUILTIN_PLUGIN_ID, createBuiltinPlugin } from './plugins/builtin-plugin.js';
export { validateManifest } from './plugins/manifest.js';
export { PluginError, ManifestError, PluginUrlError, ServiceError, SettingsError } from './plugins/plugin-errors.js';
export { parseWhen, evaluateWhen, WhenClauseError } from './plugins/when-clause.js';
export { satisfies, parseVersion, SemverError } from './plugins/semver.js';
export type * from './plugins/plugin-api.js';
