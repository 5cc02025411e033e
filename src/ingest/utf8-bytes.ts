/**
 * UTF-8 text handled as bytes: validity, the whitespace that cells are trimmed of, and decoding of
 * the few pieces that must become JS strings. This lets the CSV reader store and compare text
 * cells without decoding the file.
 */

// ignoreBOM: a U+FEFF inside the data is a character of a cell, not a byte order mark to drop.
const loose = new TextDecoder('utf-8', { ignoreBOM: true });

/** Text of bytes[a, b); invalid sequences become U+FFFD exactly as a whole-file TextDecoder would have made them. */
export function decodeUtf8(bytes: Uint8Array, a: number, b: number): string {
  return loose.decode(bytes.subarray(a, b));
}

const NO_WORDS = new Uint32Array(0);

/**
 * Offset of the first byte in bytes[a, b) where an ill-formed UTF-8 sequence starts (overlong
 * forms, surrogates and code points above U+10FFFF are ill-formed, as for TextDecoder); -1 if none.
 */
export function invalidUtf8At(bytes: Uint8Array, a: number, b: number): number {
  // Long ASCII runs are skipped four bytes at a time, through aligned 32-bit words: word k holds
  // bytes [first + 4k, first + 4k + 4). A short range (one cell) is not worth the view. Offsets
  // reach 2^31, hence >>> and * rather than >> and <<.
  const first = (4 - (bytes.byteOffset & 3)) & 3;
  const words = b - a >= 256 && bytes.length >= first + 4 ? new Uint32Array(bytes.buffer, bytes.byteOffset + first, (bytes.length - first) >>> 2) : NO_WORDS;
  const lastWord = Math.min(words.length, (b - first) >>> 2);
  let i = a;
  while (i < b) {
    if (bytes[i] < 0x80) {
      i++;
      while (i < b && ((i - first) & 3) !== 0 && bytes[i] < 0x80) i++;
      if (i < b && bytes[i] < 0x80) {
        let k = (i - first) >>> 2;
        while (k < lastWord && (words[k] & 0x80808080) === 0) k++;
        i = first + k * 4;
        while (i < b && bytes[i] < 0x80) i++;
      }
      continue;
    }
    const c = bytes[i];
    let more: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) more = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      more = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      more = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else return i;
    if (i + more >= b) return i;
    const c1 = bytes[i + 1];
    if (c1 < lo || c1 > hi) return i;
    if (more >= 2 && (bytes[i + 2] & 0xc0) !== 0x80) return i;
    if (more === 3 && (bytes[i + 3] & 0xc0) !== 0x80) return i;
    i += more + 1;
  }
  return -1;
}

/*
 * Whitespace trimmed from cells: bytes up to 32 (ASCII controls and space) and the UTF-8 forms of
 * U+0085, U+00A0, U+1680, U+2000-200A, U+2028, U+2029, U+202F, U+205F, U+3000 and U+FEFF: the same
 * characters as isSpace in csv.ts, which trims decoded text. Every multi-byte form starts with a
 * lead byte, so a match is a whole character even next to ill-formed bytes.
 */

function isSpace3(c0: number, c1: number, c2: number): boolean {
  switch (c0) {
    case 0xe1: return c1 === 0x9a && c2 === 0x80;
    case 0xe2: return c1 === 0x80 ? (c2 >= 0x80 && c2 <= 0x8a) || c2 === 0xa8 || c2 === 0xa9 || c2 === 0xaf : c1 === 0x81 && c2 === 0x9f;
    case 0xe3: return c1 === 0x80 && c2 === 0x80;
    case 0xef: return c1 === 0xbb && c2 === 0xbf;
    default: return false;
  }
}

/** Byte length of the whitespace character at bytes[i] (i < b), or 0 if there is none. */
export function spaceAt(bytes: Uint8Array, i: number, b: number): number {
  const c = bytes[i];
  if (c <= 32) return 1;
  if (c < 0xc2) return 0;
  if (c === 0xc2) return i + 1 < b && (bytes[i + 1] === 0x85 || bytes[i + 1] === 0xa0) ? 2 : 0;
  return i + 2 < b && isSpace3(c, bytes[i + 1], bytes[i + 2]) ? 3 : 0;
}

/** Byte length of the whitespace character ending at bytes[b - 1] (a < b), or 0 if there is none. */
export function spaceBefore(bytes: Uint8Array, a: number, b: number): number {
  const c = bytes[b - 1];
  if (c <= 32) return 1;
  if (c < 0x80 || c > 0xbf) return 0;
  if (b - 2 >= a && bytes[b - 2] === 0xc2) return c === 0x85 || c === 0xa0 ? 2 : 0;
  return b - 3 >= a && isSpace3(bytes[b - 3], bytes[b - 2], c) ? 3 : 0;
}

/** Start of bytes[a, b) with leading whitespace skipped. */
export function trimStart(bytes: Uint8Array, a: number, b: number): number {
  for (let n: number; a < b && (n = spaceAt(bytes, a, b)) > 0;) a += n;
  return a;
}

/** End of bytes[a, b) with trailing whitespace dropped. */
export function trimEnd(bytes: Uint8Array, a: number, b: number): number {
  for (let n: number; b > a && (n = spaceBefore(bytes, a, b)) > 0;) b -= n;
  return b;
}
