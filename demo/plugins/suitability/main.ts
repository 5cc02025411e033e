/**
 * Example plugin 1: a suitability-check panel. A product may be sold only to clients whose risk
 * level (1 conservative .. 5 aggressive) is at least the product's risk level (R1..R5). The panel
 * counts suitable and unsuitable clients for the chosen product, honouring the page's filters.
 *
 * It computes with the built-in segment-rollup kernel (counts by risk level) in the worker pool:
 * the main thread never loops over clients. The product catalogue and the chosen product are
 * settings (the product per panel: element scope).
 */
import type { Disposable, PluginContext } from '../../../src/plugins/plugin-api.js';
import { SuitabilityPanel, type SuitabilitySummary } from './suitability-panel.js';

let ctx: PluginContext | undefined;

/** The plugin's context for its panels (set in activate, cleared in deactivate). */
export function pluginContext(): PluginContext {
  if (!ctx) throw new Error('The suitability plugin is not active.');
  return ctx;
}

export function activate(context: PluginContext): void {
  ctx = context;
  const subs: Disposable[] = context.subscriptions;
  subs.push(
    context.registerPanel('acme-suitability', SuitabilityPanel),
    context.registerCommand('acme.suitability.nextProduct', async () => {
      const panels = [...document.querySelectorAll<SuitabilityPanel>('acme-suitability')];
      const products = context.settings.get<{ name: string; risk: number }[]>('products');
      for (const panel of panels) {
        const current = products.findIndex((p) => p.name === context.settings.get<string>('product', { element: panel }));
        await context.settings.update('product', products[(current + 1) % products.length].name, { scope: 'element', element: panel });
      }
      return panels.length;
    }),
    context.registerCommand('acme.suitability.summary', async (): Promise<SuitabilitySummary[]> => {
      const panels = [...document.querySelectorAll<SuitabilityPanel>('acme-suitability')];
      return panels.map((p) => p.summary).filter((s): s is SuitabilitySummary => s !== undefined);
    }),
  );
}

export function deactivate(): void {
  ctx = undefined;
}
