// Records every CSP violation so the e2e test can assert there were none, then sets up the plugins.
const violations: string[] = [];
document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective}: ${e.blockedURI}`));
(window as unknown as { __cspViolations: string[] }).__cspViolations = violations;
const { configureDefaultPluginHost } = await import('../../src/plugins/default-plugin-host.js');
// Not `new URL('./', import.meta.url)`: bundlers rewrite that pattern into an asset URL.
const here = import.meta.url;
const host = configureDefaultPluginHost({ allow: [new URL('./', here).pathname] });
(window as unknown as { clientlensPlugins: typeof host }).clientlensPlugins = host;
await Promise.all(['suitability', 'wallet-share'].map((name) => host.install(new URL(`./${name}/manifest.json`, here))));
await import('../../src/index.js');
export {};
