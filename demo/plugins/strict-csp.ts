// The portal pattern for a page that uses plugins without importing the kit up front: the elements
// (the palette among them) come with `clientlens`; `loadPlugins(options)` loads the kit on demand and
// creates the shared host with the allow-list. The options are recorded at the call, so the palette,
// which asks for the shared host as soon as the kit has loaded, gets the configured one.
import './record-csp-violations.js';
import { loadPlugins } from '../../src/index.js';

// Not `new URL('./', import.meta.url)`: bundlers rewrite that pattern into an asset URL.
const here = import.meta.url;
const { getDefaultPluginHost } = await loadPlugins({ allow: [new URL('./', here).pathname] });
const host = getDefaultPluginHost();
(window as unknown as { clientlensPlugins: typeof host }).clientlensPlugins = host;
await Promise.all(['suitability', 'wallet-share'].map((name) => host.install(new URL(`./${name}/manifest.json`, here))));
