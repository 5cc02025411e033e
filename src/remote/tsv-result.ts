/**
 * Reads ClickHouse's TabSeparatedWithNamesAndTypes answer into JavaScript values by column type:
 * numbers (NaN and +-Infinity included: `nan`, `inf`, `-inf`), null (`\N`), strings (TSV escapes
 * undone), dates as days since 1970-01-01, and arrays of numbers. Floats are printed by ClickHouse
 * in the shortest form that reads back to the same double, so Number() gives the engine's exact
 * value. 64-bit integers past 2^53 lose precision (the results here are counts far below that).
 */

export interface TsvResult {
  readonly names: string[];
  readonly types: string[];
  readonly rows: unknown[][];
}

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', r: '\r', n: '\n', t: '\t', '0': '\0', "'": "'", '\\': '\\', a: '\x07', v: '\v', '"': '"' };

function unescape(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(.)/gs, (_, c: string) => ESCAPES[c] ?? c);
}

function number(s: string): number {
  switch (s) {
    case 'inf':
    case '+inf':
      return Infinity;
    case '-inf':
      return -Infinity;
    case 'nan':
    case '-nan':
    case '+nan':
      return NaN;
  }
  const n = Number(s);
  if (Number.isNaN(n)) throw new Error(`"${s}" is not a number`);
  return n;
}

function day(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) throw new Error(`"${s}" is not a date`);
  return Math.round(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000);
}

function inner(type: string): string {
  let t = type;
  for (;;) {
    const m = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(t);
    if (!m) return t;
    t = m[1];
  }
}

type Reader = (s: string) => unknown;

function readerOf(type: string): Reader {
  const t = inner(type);
  const nullable = type !== t;
  let read: Reader;
  if (/^(U?Int\d+|Float\d+|Decimal.*)$/.test(t)) read = number;
  else if (t === 'Date') read = day;
  else if (t === 'String' || /^FixedString/.test(t) || /^Enum/.test(t)) read = unescape;
  else if (/^Array\(/.test(t)) {
    const el = inner(t.slice(6, -1));
    if (!/^(U?Int\d+|Float\d+)$/.test(el)) throw new Error(`arrays of ${el} are not read (only arrays of numbers)`);
    read = (s) => {
      if (s === '[]') return [];
      return s.slice(1, -1).split(',').map((x) => (x === 'NULL' ? null : number(x)));
    };
  } else if (t === 'Nothing') read = () => null;
  else throw new Error(`column type ${type} is not read`);
  return nullable || t === 'Nothing' ? (s) => (s === '\\N' ? null : read(s)) : read;
}

export function parseTsvResult(text: string): TsvResult {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length < 2) throw new Error(`expected a header of names and types; got ${JSON.stringify(text.slice(0, 200))}`);
  const names = lines[0].split('\t').map(unescape);
  const types = lines[1].split('\t').map(unescape);
  if (names.length !== types.length) throw new Error('the names and types lines differ in length');
  const readers = types.map(readerOf);
  const rows: unknown[][] = [];
  for (let i = 2; i < lines.length; i++) {
    const cells = lines[i].split('\t');
    if (cells.length !== names.length) throw new Error(`row ${i - 1} has ${cells.length} fields; expected ${names.length}`);
    rows.push(cells.map((c, k) => readers[k](c)));
  }
  return { names, types, rows };
}

/** The rows of a result as objects keyed by column name. */
export function resultObjects(result: TsvResult): Record<string, unknown>[] {
  return result.rows.map((r) => Object.fromEntries(result.names.map((n, k) => [n, r[k]])));
}
