// axe-core ships as a UMD script: imported for its side effect it sets window.axe.
import 'axe-core/axe.js';
import type { AxeResults, RunOptions } from 'axe-core';

interface Axe {
  run(context: Element, options?: RunOptions): Promise<AxeResults>;
}

/** axe's serious and critical violations inside `el` (open shadow roots included), as "id: help". */
export async function seriousViolations(el: Element): Promise<string[]> {
  const axe = (window as unknown as { axe: Axe }).axe;
  const result = await axe.run(el, { resultTypes: ['violations'] });
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
}
