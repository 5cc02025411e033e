import type { Disposable } from '../../src/lifecycle/disposable.js';
import { whenIdle } from '../../src/query/when-idle.js';

/**
 * Has the browser look up, while a dashboard's data loads, the fonts its panels will draw in.
 *
 * Each text size x weight a page lays out for the first time costs a font lookup on the main thread
 * (per font in the stack, and a fallback font for Chinese characters): 1-3 ms each in a new tab
 * here (headless Chromium, Linux). The panels' loading states use few of the type scale's steps, so
 * most lookups fell inside the layout that draws the first answers: 20-55 ms of that 45-75 ms
 * task. A dashboard's page is mostly idle while its cache is read (about 0.7 s for 1M clients), so
 * the lookups are made then instead: one step of the scale per animation frame, so that no frame
 * gets more than a few milliseconds of it.
 *
 * Contract: what it adds is hidden from sight and from assistive technology, and gone when it ends
 * or when the returned Disposable is disposed. It starts once the page is idle.
 */

/** The type scale's steps (theme.styles.ts). */
export const TYPE_SCALE = ['--_text-chart', '--_text-xs', '--_text-sm', '--_text-md', '--_text-base', '--_text-lg', '--_text-xl'] as const;

/**
 * What each sample reads: Latin letters and digits in every step and weight; a Chinese character in
 * the normal weight only, where the data's Chinese labels (regions, client names) are drawn. An
 * interface in Chinese has its own Chinese text looked up by its loading state already.
 */
const LATIN = 'a1';
const CHINESE = 'a1中';

/** [style, text] per sample: each step in the normal and the strong weight, then the monospace ids. */
function samples(): [string, string][] {
  const out: [string, string][] = [];
  for (const size of TYPE_SCALE) {
    out.push([`font-size:var(${size})`, CHINESE], [`font-size:var(${size});font-weight:var(--_weight-strong)`, LATIN]);
  }
  out.push(['font-size:var(--_text-sm);font-family:var(--_font-mono)', LATIN]);
  return out;
}

export function warmTypeScale(root: ShadowRoot): Disposable {
  const stop = new AbortController();
  const box = document.createElement('div');
  box.setAttribute('aria-hidden', 'true');
  // In the flow of nothing, never seen; `visibility: hidden` text is still shaped by layout.
  box.style.cssText = 'position:absolute;top:0;left:0;visibility:hidden;pointer-events:none;white-space:nowrap;contain:layout style';
  let frame = 0;
  void whenIdle(stop.signal, 2000).then(() => {
    if (stop.signal.aborted) return;
    const queue = samples();
    root.append(box);
    const next = () => {
      if (stop.signal.aborted) return;
      const sample = queue.shift();
      if (sample === undefined) return void box.remove();
      const span = document.createElement('span');
      span.style.cssText = sample[0];
      span.textContent = sample[1];
      box.append(span);
      frame = requestAnimationFrame(next);
    };
    frame = requestAnimationFrame(next);
  });
  return {
    dispose: () => {
      stop.abort();
      cancelAnimationFrame(frame);
      box.remove();
    },
  };
}
