// Chinese text (the zh-CN interface, the generated book's names, regions and branches) must draw as
// glyphs in the Chromium the tests and screenshots use. Without a CJK font on the machine every
// Chinese character draws as the same empty box: the screenshots we look at then show boxes for
// every name, and the layout of Chinese text costs a font search per new character, which users'
// machines (with a CJK font) never pay. scripts/ensure-chromium.mjs installs one on Debian.
import { expect } from 'chai';

/** The pixels of `text` drawn in the panels' own font stack (components/shared/theme.styles.ts). */
function drawn(text: string): Uint8ClampedArray {
  const canvas = document.createElement('canvas');
  canvas.width = 64;
  canvas.height = 32;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, 64, 32);
  ctx.fillStyle = '#000';
  ctx.font = "24px system-ui, -apple-system, 'Segoe UI', 'PingFang SC', 'Microsoft YaHei', sans-serif";
  ctx.textBaseline = 'top';
  ctx.fillText(text, 4, 4);
  return ctx.getImageData(0, 0, 64, 32).data;
}

const inked = (pixels: Uint8ClampedArray) => pixels.filter((v, i) => i % 4 === 0 && v < 128).length;
const differing = (a: Uint8ClampedArray, b: Uint8ClampedArray) => a.filter((v, i) => i % 4 === 0 && Math.abs(v - b[i]) > 64).length;

describe('Chinese text in the browser under test', () => {
  it('draws different characters differently (a CJK font is installed, not one missing-glyph box for all)', () => {
    const hua = drawn('华'), bei = drawn('北'), xi = drawn('西');
    expect(inked(hua), 'the character draws something').to.be.greaterThan(20);
    const hint = 'no CJK font? `node scripts/ensure-chromium.mjs` installs one on Debian';
    expect(differing(hua, bei), `华 and 北 look alike: ${hint}`).to.be.greaterThan(20);
    expect(differing(bei, xi), `北 and 西 look alike: ${hint}`).to.be.greaterThan(20);
  });
});
