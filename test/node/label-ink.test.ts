// Labels on coloured marks: the ink chosen for a fill must be readable on it (WCAG 2, 4.5:1 for
// small text). Luminance and contrast are computed here from the WCAG formulas, not by the module.
import { describe, expect, it } from 'vitest';
import { INK_ON_DARK, INK_ON_LIGHT, inkOn, relativeLuminance } from '../../components/shared/label-ink.js';

/** sRGB hex (#rgb or #rrggbb) -> WCAG relative luminance (the spec's formula, written out). */
function luminanceOfHex(hex: string): number {
  const digits = hex.length === 4 ? [...hex.slice(1)].map((d) => d + d).join('') : hex.slice(1);
  const n = Number.parseInt(digits, 16);
  const lin = (v: number) => (v / 255 <= 0.04045 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin((n >> 16) & 255) + 0.7152 * lin((n >> 8) & 255) + 0.0722 * lin(n & 255);
}

function contrast(a: number, b: number): number {
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}

const hex = (r: number, g: number, b: number) => `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;

describe('inkOn', () => {
  it('picks white on black and black on white', () => {
    expect(inkOn('#000000')).toBe(INK_ON_DARK);
    expect(inkOn('#ffffff')).toBe(INK_ON_LIGHT);
    expect(INK_ON_DARK).not.toBe(INK_ON_LIGHT);
  });

  it('gives at least 4.5:1 on every fill of a 17-step RGB grid', () => {
    let worst = Infinity;
    for (let r = 0; r <= 255; r += 15) {
      for (let g = 0; g <= 255; g += 15) {
        for (let b = 0; b <= 255; b += 15) {
          const fill = hex(r, g, b);
          worst = Math.min(worst, contrast(luminanceOfHex(fill), luminanceOfHex(inkOn(fill))));
        }
      }
    }
    expect(worst).toBeGreaterThanOrEqual(4.5);
  });

  it("reads the charts' hsl() fills, from their light end to their dark end", () => {
    for (let lightness = 30; lightness <= 94; lightness++) {
      const fill = `hsl(212, 65%, ${lightness}%)`;
      const l = relativeLuminance(fill);
      expect(contrast(l, luminanceOfHex(inkOn(fill))), fill).toBeGreaterThanOrEqual(4.5);
    }
    // The old rule put the theme's text colour (light in the dark theme) on the matrix's light
    // cells: far below 4.5:1.
    expect(contrast(relativeLuminance('hsl(212, 65%, 94%)'), luminanceOfHex('#e6ebf2'))).toBeLessThan(1.5);
  });

  it('matches the WCAG luminance of hex colours', () => {
    for (const c of ['#0b63c5', '#b3261e', '#777777', '#e6ebf2']) expect(relativeLuminance(c)).toBeCloseTo(luminanceOfHex(c), 10);
  });

  it('refuses a string that is not a colour, quoting it', () => {
    expect(() => inkOn('var(--_text)')).toThrow(/Not a colour a label can be matched to: "var\(--_text\)"/);
  });
});
