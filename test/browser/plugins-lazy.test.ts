import { expect } from 'chai';
import type { DataHub } from '../../src/dataset/data-hub.js';
import type { PluginHost } from '../../src/plugins/plugin-host.js';
import { DEMO, FIXTURES, RequestLog, createHost, createHub, shadowText, until } from './fixtures/plugin-support.js';

describe('plugins: lazy activation (nothing loads until needed)', () => {
  let hub: DataHub;
  let host: PluginHost;
  const log = new RequestLog();

  before(async () => {
    hub = await createHub(20_000);
    host = createHost(hub);
    await host.start();
    await host.install(`${DEMO}suitability/manifest.json`);
    await host.install(`${DEMO}wallet-share/manifest.json`);
    await host.install(`${FIXTURES}unused.manifest.json`);
  });
  after(async () => {
    await host.dispose();
    await hub.dispose();
    log.dispose();
  });

  it('fetches only the manifests at install time', () => {
    expect(log.under(DEMO)).to.deep.equal([`${DEMO}suitability/manifest.json`, `${DEMO}wallet-share/manifest.json`]);
    expect(log.under(FIXTURES)).to.deep.equal([`${FIXTURES}unused.manifest.json`]);
    expect(host.pluginStatuses().map((s) => `${s.id}:${s.state}`)).to.deep.equal(['clientlens.builtin:inactive', 'acme.suitability:inactive', 'acme.wallet-share:inactive', 'unused.plugin:inactive']);
  });

  it('activates a panel\'s plugin only when the panel scrolls into view (onPanel)', async () => {
    const spacer = document.createElement('div');
    spacer.style.height = '4000px';
    const panel = document.createElement('acme-suitability');
    document.body.append(spacer, panel);
    await new Promise((r) => setTimeout(r, 400));
    expect(host.status('acme.suitability').state, 'below the fold').to.equal('inactive');
    expect(log.under(`${DEMO}suitability/`)).to.deep.equal([`${DEMO}suitability/manifest.json`]);

    panel.scrollIntoView();
    await until(() => host.status('acme.suitability').state === 'active', 'the suitability plugin to activate');
    expect(host.status('acme.suitability').activatedBy).to.equal('onPanel:acme-suitability');
    await until(() => /Suitable/.test(shadowText(panel)), 'the panel to show figures');
    expect(log.under(`${DEMO}suitability/`)).to.include(`${DEMO}suitability/main.ts`);
    spacer.remove();
  });

  it('activates a command\'s plugin when the command runs (onCommand) and loads its kernel module then, in the workers only', async () => {
    expect(log.under(`${DEMO}wallet-share/`)).to.deep.equal([`${DEMO}wallet-share/manifest.json`]);
    const result = await host.executeCommand<{ clients: number; skipped: number }>('acme.walletShare.compute');
    expect(result.clients + result.skipped).to.equal(20_000);
    // The kernel (validate, map, reduce) runs in the workers, which imported its module for this
    // run (their requests are not in this page's log); the page never imports kernel code.
    expect(log.under(`${DEMO}wallet-share/`)).to.deep.equal([`${DEMO}wallet-share/main.ts`, `${DEMO}wallet-share/manifest.json`]);
  });

  it('never requested anything of the plugin nobody used', () => {
    expect(log.under(FIXTURES)).to.deep.equal([`${FIXTURES}unused.manifest.json`]);
    expect(host.status('unused.plugin').state).to.equal('inactive');
  });
});
