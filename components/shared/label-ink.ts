/**
 * The colour of a label drawn on a coloured mark (a heatmap cell, a treemap tile). The marks'
 * colour scales are the same in every theme, so the label follows the fill, not the theme: a theme's
 * text colour is light in the dark theme and vanished on the scales' light end.
 *
 * Contract: `inkOn(fill)` is black or white, whichever contrasts more with `fill` (WCAG 2 relative
 * luminance). One of the two always reaches 4.58:1, above the 4.5:1 that small text needs; a
 * dark grey or navy ink would fall to ~4.1:1 on mid-tone fills.
 */
import { rgb } from 'd3-color';

export const INK_ON_LIGHT = '#000';
export const INK_ON_DARK = '#fff';

/** WCAG 2 relative luminance of a CSS colour d3-color can parse; throws on one it cannot. */
export function relativeLuminance(color: string): number {
  const c = rgb(color);
  if (!c.displayable()) throw new TypeError(`Not a colour a label can be matched to: ${JSON.stringify(color)}.`);
  const channel = (v: number) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
}

export function inkOn(fill: string): string {
  const l = relativeLuminance(fill);
  // Contrast with white is 1.05 / (l + 0.05), with black (l + 0.05) / 0.05.
  return 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? INK_ON_DARK : INK_ON_LIGHT;
}
