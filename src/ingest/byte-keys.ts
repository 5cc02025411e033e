/**
 * A hash map from byte strings to numbers whose lookups take a slice of a larger buffer: the key is
 * compared in place, so finding a category value neither copies its bytes nor makes a JS string.
 * Keys are copied in only when they are added.
 */

/** FNV-1a over bytes, with a final mix so that the low bits alone spread well. */
export function hashBytes(src: Uint8Array, a: number, b: number): number {
  let h = 0x811c9dc5;
  for (let i = a; i < b; i++) h = Math.imul(h ^ src[i], 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}

export class ByteKeyMap {
  /** Key bytes, one after another; entry e's key is keys[start[e], start[e + 1]). */
  private keys = new Uint8Array(256);
  private readonly start: number[] = [0];
  private readonly values: number[] = [];
  private readonly hashes: number[] = [];
  /** Open addressing: entry index + 1, 0 for a free slot; kept at most half full. */
  private slots = new Int32Array(16);

  /** The value of the key src[a, b) whose hashBytes is h, or -1. */
  get(src: Uint8Array, a: number, b: number, h: number): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    const keys = this.keys;
    const len = b - a;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = slots[i] - 1;
      if (e < 0) return -1;
      if (this.hashes[e] !== h) continue;
      const k = this.start[e];
      if (this.start[e + 1] - k !== len) continue;
      let j = 0;
      while (j < len && keys[k + j] === src[a + j]) j++;
      if (j === len) return this.values[e];
    }
  }

  /** Adds the key src[a, b) (not present yet) whose hashBytes is h. */
  set(src: Uint8Array, a: number, b: number, h: number, value: number): void {
    const e = this.values.length;
    const k = this.start[e];
    if (k + (b - a) > this.keys.length) {
      const grown = new Uint8Array(Math.max(this.keys.length * 2, k + (b - a)));
      grown.set(this.keys.subarray(0, k));
      this.keys = grown;
    }
    this.keys.set(src.subarray(a, b), k);
    this.start.push(k + (b - a));
    this.values.push(value);
    this.hashes.push(h);
    if ((e + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(e);
  }

  private place(e: number): void {
    const mask = this.slots.length - 1;
    let i = this.hashes[e] & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = e + 1;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    for (let e = 0; e < this.values.length; e++) this.place(e);
  }
}
