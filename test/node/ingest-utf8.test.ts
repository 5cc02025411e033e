/**
 * The CSV reader works on UTF-8 bytes: these tests hold its byte-level helpers to what TextDecoder
 * and the text trimming do, and check text cells that carry ill-formed bytes, Unicode spaces or
 * many multi-byte characters.
 */
import { describe, expect, it } from 'vitest';
import type { Table } from 'apache-arrow';
import { ingest, type IngestOptions } from '../../src/ingest/ingest.js';
import type { IngestIssue } from '../../src/ingest/ingest-report.js';
import { isSpace } from '../../src/ingest/csv.js';
import { invalidUtf8At, trimEnd, trimStart } from '../../src/ingest/utf8-bytes.js';
import { Rng } from '../../src/generate/random.js';

const enc = (s: string) => new TextEncoder().encode(s);
const bytesOf = (...parts: (string | number[])[]) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...enc(p)] : p)));
const csv = (bytes: Uint8Array, options: IngestOptions = {}) => ingest(bytes, { format: 'csv', ...options });
const col = (t: Table, name: string) => [...t.getChild(name)!];
const loose = new TextDecoder('utf-8', { ignoreBOM: true });
const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text stored in each row of a string column, read from its bytes: Arrow's getter would drop a leading U+FEFF. */
function stored(t: Table, name: string): (string | null)[] {
  const data = t.getChild(name)!.data[0];
  const valid = (i: number) => !data.nullBitmap || data.nullBitmap.length === 0 || ((data.nullBitmap[i >> 3] >> (i & 7)) & 1) === 1;
  return Array.from({ length: data.length }, (_, i) => (valid(i) ? loose.decode(data.values.subarray(data.valueOffsets[i], data.valueOffsets[i + 1])) : null));
}

function isWellFormed(bytes: Uint8Array): boolean {
  try {
    fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function only(issues: readonly IngestIssue[], code: string): IngestIssue {
  const found = issues.filter((i) => i.code === code);
  expect(found, `one ${code} issue in ${JSON.stringify(issues.map((i) => i.code))}`).toHaveLength(1);
  return found[0];
}

describe('UTF-8 bytes', () => {
  it('finds the first ill-formed sequence where TextDecoder does, at any alignment', () => {
    const rng = new Rng(7, 1);
    const wrong: string[] = [];
    const pool = [0x41, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xa0, 0x9f, 0xed, 0xef, 0xf0, 0x90, 0x8f, 0xf4, 0xf5, 0xff, 0xe4, 0xb8, 0xad];
    for (let t = 0; t < 20_000; t++) {
      // A long ASCII run first, so that the word-at-a-time skip is taken too.
      const ascii = rng.int(3) === 0 ? 20 + rng.int(300) : 0;
      const n = ascii + 1 + rng.int(10);
      const offset = rng.int(4);
      const view = new Uint8Array(n + offset + 4).subarray(offset, offset + n);
      for (let i = 0; i < n; i++) view[i] = i < ascii || rng.chance(0.3) ? 0x41 : pool[rng.int(pool.length)];
      const at = invalidUtf8At(view, 0, n);
      const valid = isWellFormed(view);
      // Where it is: the bytes before it are well-formed and decode as the start of the whole.
      const ok = at < 0 ? valid : !valid && isWellFormed(view.subarray(0, at)) && loose.decode(view).startsWith(`${loose.decode(view.subarray(0, at))}\uFFFD`);
      if (!ok) wrong.push(`${[...view]} -> ${at}`);
    }
    expect(wrong).toEqual([]);
  });

  it('trims exactly the characters the text trimming does', () => {
    const wrong: string[] = [];
    for (let cp = 0; cp < 0x10000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCharCode(cp);
      const lead = enc(`${ch}x`);
      const trail = enc(`x${ch}`);
      const trimmed = trimStart(lead, 0, lead.length) === lead.length - 1;
      if (trimmed !== isSpace(cp) || (trimEnd(trail, 0, trail.length) === 1) !== trimmed) wrong.push(`U+${cp.toString(16)}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('CSV: text cells as bytes', () => {
  it('reads ill-formed UTF-8 in a quoted cell with "" and text after the quote as U+FFFD, naming where', () => {
    const bytes = bytesOf('clientId,name,aum\nA,ok,1\nB,"x""', [0xff, 0xe4, 0xbd], '"" y"', [0xc3], 'z,2\n');
    const { table, report } = csv(bytes);
    expect(col(table, 'name')).toEqual(['ok', 'x"\uFFFD\uFFFD" y\uFFFDz']);
    expect(col(table, 'aum')).toEqual([1, 2]);
    const warning = only(report.issues, 'malformed-input');
    expect(warning).toMatchObject({ severity: 'warning', rows: [2], column: 'name' });
    expect(warning.message).toContain('row 2, column "name"');
  });

  it('reads ill-formed bytes in ids and categories as text would, and locates them in unmapped columns', () => {
    const bytes = bytesOf('clientId,region,note\n', ' A', [0xff], '\u3000,East', [0xfe], ',n\nB,East', [0xff], ',', [0xc0], 'x\nC,West,n\n');
    const { table, report } = csv(bytes);
    expect(col(table, 'clientId')).toEqual(['A\uFFFD', 'B', 'C']);
    // Two different ill-formed spellings read as the same text: one dictionary value.
    expect(col(table, 'region')).toEqual(['East\uFFFD', 'East\uFFFD', 'West']);
    expect([...table.getChild('region')!.data[0].dictionary!]).toEqual(['East\uFFFD', 'West']);
    expect(only(report.issues, 'malformed-input')).toMatchObject({ rows: [1], column: 'clientId' });

    const unmapped = csv(bytesOf('clientId,note\nA,fine\nB,', [0xc4, 0xe3], '\n'));
    expect(unmapped.table.numRows).toBe(2);
    expect(only(unmapped.report.issues, 'malformed-input')).toMatchObject({ severity: 'warning', rows: [2], column: 'note' });
  });

  it('trims Unicode spaces from ids and categories, and keeps names as written', () => {
    const text = 'clientId,name,region\n\u00a0C1\u3000, \u2003Ann\ufeff ,\u202fEast\u205f\n\ufeffC2,\ufeffBo,"\u1680West "\n';
    const { table } = csv(enc(text));
    expect(col(table, 'clientId')).toEqual(['C1', 'C2']);
    expect(stored(table, 'name')).toEqual([' \u2003Ann\ufeff ', '\ufeffBo']);
    expect(col(table, 'region')).toEqual(['East', 'West']);
  });

  it('keeps multi-byte characters whole as the text buffers grow, and when rows are left out', () => {
    const names: string[] = [];
    const lines = ['clientId,name,region,aum'];
    for (let i = 0; i < 30_000; i++) {
      // 4-byte, 3-byte and 2-byte characters; every 50th name is long (copied in one piece).
      const name = `${'😀'.repeat(i % 5)}王${i}é${i % 50 === 0 ? '长'.repeat(40) : ''}`;
      names.push(name);
      lines.push(`C${i},${i % 7 === 0 ? `"${name}"` : name},区${i % 300},${i % 1000 === 999 ? 'bad' : i}`);
    }
    const { table, report } = csv(enc(lines.join('\n')));
    const kept = names.filter((_, i) => i % 1000 !== 999);
    expect(report).toMatchObject({ rowsRead: 30_000, rowsKept: kept.length });
    expect(col(table, 'name').join('\u0001')).toBe(kept.join('\u0001'));
    expect(col(table, 'region').slice(0, 301).join()).toBe(Array.from({ length: 301 }, (_, i) => `区${i % 300}`).join());
    expect(table.getChild('region')!.data[0].dictionary!.length).toBe(300);
  });

  it('finds duplicate ids by their bytes', () => {
    const { table, report } = csv(enc('clientId,name\n客户1,a\n客户2,b\n 客户1 ,c\n客户12,d\n'));
    expect(col(table, 'clientId')).toEqual(['客户1', '客户2', '客户12']);
    expect(only(report.issues, 'duplicate-id')).toMatchObject({ rows: [3], examples: ['客户1'] });
  });

  it('reads random byte cells as a TextDecoder reads them', () => {
    const rng = new Rng(11, 3);
    const pieces = [[0x41], [0x20], [0x22], [0x2c], [0x0a], [0xff], [0xc3], [0xc3, 0xa9], [0xe2, 0x80], [0xe4, 0xbd, 0xa0], [0xf0, 0x9f, 0x98, 0x80], [0xed, 0xa0, 0x80], [0xef, 0xbb, 0xbf]];
    for (let t = 0; t < 200; t++) {
      const expected: (string | null)[] = [];
      const out: number[] = [...enc('clientId,name\n')];
      const rows = 1 + rng.int(20);
      for (let r = 0; r < rows; r++) {
        const cell: number[] = [];
        for (let k = rng.int(6); k > 0; k--) cell.push(...pieces[rng.int(pieces.length)]);
        expected.push(cell.length === 0 ? null : loose.decode(Uint8Array.from(cell)));
        out.push(...enc(`R${r},"`));
        for (const b of cell) out.push(...(b === 0x22 ? [0x22, 0x22] : [b]));
        out.push(0x22, 0x0a);
      }
      const { table } = csv(Uint8Array.from(out));
      expect(stored(table, 'name')).toEqual(expected);
    }
  });
});
