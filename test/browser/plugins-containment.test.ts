import { expect } from 'chai';
import '../../components/cl-dashboard/cl-dashboard.js';
import type { DataHub } from '../../src/dataset/data-hub.js';
import type { PluginHost } from '../../src/plugins/plugin-host.js';
import type { PluginStatus } from '../../src/plugins/plugin-api.js';
import { DEMO, FIXTURES, createHost, createHub, fixture, shadowText, until } from './fixtures/plugin-support.js';

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('plugins: failures are contained', () => {
  let hub: DataHub;
  let host: PluginHost;
  let dashboard: HTMLElement;
  const errorEvents: { pluginId: string; phase: string; message: string }[] = [];
  const failures: PluginStatus[] = [];
  const onError = (e: Event) => errorEvents.push((e as CustomEvent).detail);

  before(async () => {
    window.addEventListener('cl-plugin-error', onError);
    hub = await createHub(20_000);
    host = createHost(hub);
    host.onDidChangeStatus((s) => s.state === 'failed' && failures.push(s));
    await host.start();
    await host.install(`${DEMO}suitability/manifest.json`);
    await host.install(`${DEMO}wallet-share/manifest.json`);
    dashboard = document.createElement('cl-dashboard');
    dashboard.innerHTML = '<acme-suitability id="suit"></acme-suitability>';
    document.body.append(dashboard);
    await until(() => /Suitable/.test(shadowText(document.getElementById('suit'))), 'the suitability panel');
  });
  after(async () => {
    window.removeEventListener('cl-plugin-error', onError);
    dashboard.remove();
    await host.dispose();
    await hub.dispose();
  });

  it('a plugin throwing in activate() is marked failed with a message naming it; what it registered is undone', async () => {
    await host.install(fixture('broken.activate', 'throws-on-activate.ts', { commands: [{ command: 'broken.run', title: 'Run' }] }, { displayName: 'Broken scorer' }), { baseUrl: FIXTURES });
    const err = await rejection(host.executeCommand('broken.run'));
    expect(err.message).to.equal('Command "broken.run" is unavailable: Plugin "Broken scorer" (broken.activate) failed in activate(): the scoring service URL is not configured');
    expect(host.status('broken.activate')).to.deep.include({ state: 'failed' });
    expect(host.commands.has('broken.never')).to.equal(false);
    expect(errorEvents.at(-1)).to.deep.include({ pluginId: 'broken.activate', phase: 'activate' });
    expect(failures.map((f) => f.id)).to.include('broken.activate');
    // The others keep working.
    const summary = await host.executeCommand<{ suitable: number }[]>('acme.suitability.summary');
    expect(summary[0].suitable).to.be.greaterThan(0);
  });

  it('a command that throws fails its plugin only', async () => {
    await host.install(fixture('flaky.calc', 'throwing-command.ts', { commands: [{ command: 'flaky.divide', title: 'Divide' }] }, { displayName: 'Flaky calculator' }), { baseUrl: FIXTURES });
    expect(await host.executeCommand('flaky.divide', 9, 3)).to.equal(3);
    const err = await rejection(host.executeCommand('flaky.divide', 1, 0));
    expect(err.name).to.equal('PluginError');
    expect(err.message).to.equal('Plugin "Flaky calculator" (flaky.calc) failed in a command: command "flaky.divide": cannot divide a wallet by zero');
    expect(host.status('flaky.calc').state).to.equal('failed');
    expect(await host.executeCommand<{ clients: number }>('acme.walletShare.compute')).to.have.property('clients').greaterThan(0);
  });

  it('a panel that throws while rendering shows an error badge naming the plugin in its dashboard slot', async () => {
    await host.install(fixture('fragile.panel', 'throwing-panel.ts', { panels: [{ tag: 'fragile-panel', title: 'Fragile' }] }, { displayName: 'Fragile panel' }), { baseUrl: FIXTURES });
    const panel = document.createElement('fragile-panel');
    panel.id = 'fragile';
    dashboard.append(panel);
    await until(() => host.status('fragile.panel').state === 'failed', 'the fragile plugin to fail');
    const badge = panel.shadowRoot!.querySelector('[role="alert"]')!;
    expect(badge.textContent).to.contain('Fragile panel stopped working').and.contain('failed in a panel: <fragile-panel>: ');
    expect(host.status('fragile.panel').error!.phase).to.equal('panel');
    // Still a panel of the dashboard (saved and restored like a built-in one); its neighbour still renders.
    const state = (dashboard as unknown as { state: { panels: { tag: string }[] } }).state;
    expect(state.panels.map((p) => p.tag)).to.deep.equal(['acme-suitability', 'fragile-panel']);
    expect(shadowText(document.getElementById('suit'))).to.contain('Suitable');
  });

  it('a kernel that loops forever is stopped by its time budget; the page stays responsive and other kernels still run', async () => {
    await host.install(
      fixture('spin.kernel', 'spin-panel.ts', { kernels: [{ name: 'spin.forever', module: './spin.kernel.ts', timeoutMs: 1500 }], panels: [{ tag: 'spin-panel', title: 'Spinner' }] }, { displayName: 'Spinning score' }),
      { baseUrl: FIXTURES },
    );
    const restartsBefore = hub.pool.stats().reduce((s, w) => s + w.restarts, 0);
    // Main-thread responsiveness while both workers spin: the longest gap between 20 ms timers.
    let worstGap = 0;
    let last = performance.now();
    let probing = true;
    const probe = () => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
      if (probing) setTimeout(probe, 20);
    };
    setTimeout(probe, 20);
    const panel = document.createElement('spin-panel');
    dashboard.append(panel);
    await until(() => host.status('spin.kernel').state === 'failed', 'the spinning kernel to be stopped', 30_000);
    probing = false;
    const error = host.status('spin.kernel').error!;
    expect(error.phase).to.equal('kernel');
    expect(error.message).to.contain('Plugin "Spinning score" (spin.kernel) failed in a kernel: kernel "spin.forever": ').and.contain('time budget of 1500 ms');
    expect(worstGap, 'longest main-thread stall (ms)').to.be.lessThan(250);
    await until(() => panel.shadowRoot?.querySelector('[role="alert"]') !== null, 'the badge on the spinner panel');
    expect(shadowText(panel)).to.contain('Spinning score stopped working');
    await until(() => hub.pool.stats().reduce((s, w) => s + w.restarts, 0) > restartsBefore, 'the stuck workers to be replaced', 10_000);

    // The replaced workers reload their data and the plugin kernels, and serve everyone else.
    const kpis = await host.runKernel<{ clients: number }>('kpis', {});
    expect(kpis.clients).to.equal(20_000);
    const share = await host.executeCommand<{ clients: number; skipped: number }>('acme.walletShare.compute');
    expect(share.clients + share.skipped).to.equal(20_000);
    expect(host.status('acme.wallet-share').state).to.equal('active');
    expect((await rejection(host.runKernel('spin.forever', {}))).message).to.match(/^Kernel "spin.forever" is unavailable: Plugin "Spinning score"/);
  });

  it('a cancelled plugin kernel is not a failure', async () => {
    const abort = new AbortController();
    const run = host.runKernel('acme.walletShare', {}, { signal: abort.signal });
    abort.abort();
    expect((await rejection(run)).name).to.equal('AbortError');
    expect(host.status('acme.wallet-share').state).to.equal('active');
  });

  it('a bad spec is the caller\'s error, not the plugin\'s', async () => {
    const err = await rejection(host.runKernel('acme.walletShare', { edges: [0.5, 0.2] }));
    expect(err.name).to.equal('SpecError');
    expect(err.message).to.contain('edges must be ascending');
    expect(host.status('acme.wallet-share').state).to.equal('active');
  });

  it('retry() revives a failed panel plugin in place once the cause is gone', async () => {
    const before = document.getElementById('fragile')!;
    await host.retry('fragile.panel');
    // The fixture still throws: it fails again, and the new element shows the badge again.
    await until(() => host.status('fragile.panel').state === 'failed', 'the fragile plugin to fail again');
    const now = document.getElementById('fragile')!;
    expect(now === before, 'a new element replaced the badged one').to.equal(false);
    await until(() => /stopped working/.test(shadowText(now)), 'the badge on the re-created panel');
  });
});
