/**
 * The demo page's plugins: the shared PluginHost is configured with the allow-list (this folder)
 * before any element asks for it, then the three example plugins are installed from their
 * manifests. Nothing else is fetched until a plugin is used: scroll to a plugin panel, run one of
 * their commands (Ctrl+Shift+P), or load the Arrow data source.
 *
 * The demo uses plugins from the start, so it imports the kit statically (`clientlens/plugins`,
 * here its source); a page that does not pays nothing for it (see docs/plugins.md).
 * Imported by main.ts before the elements, so the palette finds the configured host.
 */
import { tableToIPC } from 'apache-arrow';
import { configureDefaultPluginHost } from '../../src/plugins.js';
import { generatePortfolio } from '../../src/generate/portfolio.js';

// Not `new URL('./', import.meta.url)`: bundlers rewrite that pattern into an asset URL.
const here = import.meta.url;
const base = new URL('./', here);
export const host = configureDefaultPluginHost({ allow: [base.pathname] });
(window as unknown as { clientlensPlugins: typeof host }).clientlensPlugins = host;

function install(name: string) {
  return host.install(new URL(`./${name}/manifest.json`, base)).catch((err: Error) => void console.warn(`clientlens demo: plugin ${name} was not installed: ${err.message}`));
}

void install('suitability');
void install('wallet-share');
void install('arrow-source').then(async (status) => {
  if (!status) return;
  // The Arrow data source needs a file: the demo makes a small one in the page (no file is
  // shipped) and points the plugin's page-scope `url` setting at it; "Arrow file: Load the
  // configured Arrow file" then appears in the palette.
  const bytes = tableToIPC(generatePortfolio({ rows: 5_000, seed: 7 })[0], 'file');
  const url = URL.createObjectURL(new Blob([new Uint8Array(bytes)], { type: 'application/vnd.apache.arrow.file' }));
  await host.settingsOf('acme.arrow-source').update('url', url, { scope: 'page' });
});
