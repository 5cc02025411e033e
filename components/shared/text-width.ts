/**
 * A label's width in pixels, estimated from its characters. The charts place labels while they
 * build their templates, before anything is in the page; measuring each label would force a layout
 * per label.
 *
 * Wide characters (CJK ideographs, kana, hangul, full-width forms and punctuation) take one em. Any
 * other character takes 0.6 em, a little over the mean advance of the UI sans-serif fonts' Latin
 * letters and digits, so that a label judged to fit does fit. A Chinese label is about twice as wide
 * as its length suggests: counting it like Latin text let labels run into axis ticks and out of
 * treemap tiles on narrow charts.
 */
export function textWidth(text: string, fontPx = 11): number {
  let ems = 0;
  for (const ch of text) ems += isWide(ch.codePointAt(0)!) ? 1 : 0.6;
  return ems * fontPx;
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) || // hangul jamo
    (cp >= 0x2e80 && cp <= 0xa4cf) || // CJK radicals, punctuation, kana, ideographs, Yi
    (cp >= 0xac00 && cp <= 0xd7a3) || // hangul syllables
    (cp >= 0xf900 && cp <= 0xfaff) || // CJK compatibility ideographs
    (cp >= 0xfe30 && cp <= 0xfe4f) || // CJK compatibility forms
    (cp >= 0xff00 && cp <= 0xff60) || // full-width forms
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x20000 && cp <= 0x3fffd) // supplementary ideographs
  );
}

/**
 * `text`, or as much of it as fits in `maxPx` followed by an ellipsis; '' when not even one
 * character and the ellipsis fit. For marks whose full name is in their tooltip and aria-label.
 */
export function fitText(text: string, maxPx: number, fontPx = 11): string {
  if (textWidth(text, fontPx) <= maxPx) return text;
  const chars = [...text];
  let width = textWidth('…', fontPx);
  let n = 0;
  while (n < chars.length && width + textWidth(chars[n], fontPx) <= maxPx) width += textWidth(chars[n++], fontPx);
  return n === 0 ? '' : `${chars.slice(0, n).join('').trimEnd()}…`;
}
