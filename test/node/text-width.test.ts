import { describe, expect, it } from 'vitest';
import { fitText, textWidth } from '../../components/shared/text-width.js';

describe('textWidth', () => {
  it('counts a Chinese character as a full em and a Latin one as less', () => {
    expect(textWidth('华北', 11)).toBe(22);
    expect(textWidth('AB', 10)).toBeCloseTo(12);
    expect(textWidth('¥5.5亿', 10)).toBeCloseTo(4 * 6 + 10);
    // A character outside the basic plane counts once, not per UTF-16 unit.
    expect(textWidth('𠀀', 10)).toBe(10);
  });
});

describe('fitText', () => {
  it('keeps a text that fits whole', () => {
    expect(fitText('Mass', 100)).toBe('Mass');
  });

  it('cuts a long text to the room, with an ellipsis, never wider than the room', () => {
    for (const text of ['Small and medium enterprises', '高净值客户（私人银行部）', 'Ultra high net worth']) {
      for (const room of [20, 35, 60, 90]) {
        const cut = fitText(text, room);
        if (cut === '') continue;
        expect(cut.endsWith('…'), `${text} in ${room}px: ${cut}`).toBe(true);
        expect(text.startsWith(cut.slice(0, -1).trimEnd())).toBe(true);
        expect(textWidth(cut)).toBeLessThanOrEqual(room);
      }
    }
    expect(fitText('Small and medium enterprises', 60)).toBe('Small an…');
  });

  it('gives nothing when not even one character and the ellipsis fit', () => {
    expect(fitText('高净值', 12)).toBe('');
    expect(fitText('Mass', 0)).toBe('');
  });
});
