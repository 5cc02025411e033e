import { beforeAll, describe, expect, it } from 'vitest';
import type { Table } from 'apache-arrow';
import { generatePortfolio } from '../../src/generate/portfolio.js';
import { makeClientTable } from '../../src/schema/arrow-columns.js';
import { SpecError } from '../../workers/kernels/kernel.js';
import { MAX_LOOKUP_IDS, clientLookupKernel, type ClientLookupPage, type ClientLookupResult, type ClientRowsPage, type ClientValues } from '../../workers/kernels/client-lookup.js';
import { runKernelLocal, runKernelSplit } from '../../workers/kernels/run-local.js';
import { KERNELS } from '../../workers/kernels/index.js';

const ROWS = 150_000;

/**
 * Row `row` as apache-arrow's own row accessor reads it (an independent path from the kernel's
 * buffer reads), in the kernel's JSON-safe form: DateDay comes back as epoch milliseconds.
 */
function arrowRow(tables: readonly Table[], row: number): ClientValues {
  let r = row;
  for (const t of tables) {
    if (r < t.numRows) {
      const obj = t.get(r)!.toJSON() as Record<string, unknown>;
      const out: ClientValues = {};
      for (const f of t.schema.fields) {
        const v = obj[f.name];
        out[f.name] = v === null || v === undefined ? null : String(f.type).startsWith('Date') ? new Date(v as number).toISOString().slice(0, 10) : (v as string | number | boolean);
      }
      return out;
    }
    r -= t.numRows;
  }
  throw new Error(`row ${row} is past the end`);
}

function idAt(tables: readonly Table[], row: number): string {
  return arrowRow(tables, row).clientId as string;
}

async function specError(p: Promise<unknown>): Promise<SpecError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(SpecError);
  return e as SpecError;
}

describe('client-lookup kernel', () => {
  let chunks: Table[];
  let ids: string[];
  beforeAll(() => {
    chunks = generatePortfolio({ rows: ROWS });
    ids = chunks.flatMap((t) => t.getChild('clientId')!.toArray() as string[]);
  });

  it('is registered for the worker pool', () => {
    expect(KERNELS.get('client-lookup')).toBe(clientLookupKernel);
  });

  it('looks up generated ids that are unique, so a match is never ambiguous', () => {
    expect(ids.length).toBe(ROWS);
    expect(new Set(ids).size).toBe(ROWS);
  });

  it('returns every column of one client exactly as the Arrow table holds it', async () => {
    // First and last rows, both sides of a chunk boundary (65,536 rows), and a spread in between.
    const rows = [0, 1, 65_535, 65_536, 131_071, 131_072, ROWS - 1];
    for (let k = 0; k < 40; k++) rows.push(Math.floor(((k * 7919) % 1000) * (ROWS / 1000)) + k);
    let sawNull = false;
    let sawDate = false;
    for (const row of rows) {
      const expected = arrowRow(chunks, row);
      const got = await runKernelLocal<ClientLookupResult>(clientLookupKernel, chunks, { clientId: expected.clientId });
      expect(got.found).toBe(true);
      if (!got.found) continue;
      expect(got.row).toBe(row);
      expect(got.matches).toBe(1);
      expect(Object.keys(got.values)).toEqual(chunks[0].schema.fields.map((f) => f.name));
      expect(got.values).toEqual(expected);
      sawNull ||= Object.values(got.values).includes(null);
      sawDate ||= /^\d{4}-\d{2}-\d{2}$/.test(String(got.values.lastTxnDate));
    }
    expect(sawNull, 'some sampled clients have missing values (kept as null)').toBe(true);
    expect(sawDate, 'dates come back as YYYY-MM-DD').toBe(true);
  });

  it('keeps nulls of a prospect (no relationship opened) as null, never 0', async () => {
    const stage = chunks[0].getChild('lifecycleStage')!;
    let row = -1;
    for (let i = 0; i < stage.length && row < 0; i++) if (stage.get(i) === 'prospect') row = i;
    expect(row).toBeGreaterThanOrEqual(0);
    const got = await runKernelLocal<ClientLookupResult>(clientLookupKernel, chunks, { clientId: idAt(chunks, row) });
    expect(got.found && got.values.lastTxnDate).toBe(null);
    expect(got.found && got.values.riskLevel).toBe(null);
    expect(got.found && got.values.aum).toBe(0);
  });

  it('is JSON-safe: a JSON round trip changes nothing', async () => {
    const got = await runKernelLocal<ClientLookupPage>(clientLookupKernel, chunks, { clientIds: ids.slice(1000, 1200) });
    expect(JSON.parse(JSON.stringify(got))).toEqual(got);
  });

  it('says { found: false } for an id the dataset does not have', async () => {
    expect(await runKernelLocal(clientLookupKernel, chunks, { clientId: 'C99999999' })).toEqual({ found: false, clientId: 'C99999999' });
    // A prefix or an extension of a real id is not a match.
    expect((await runKernelLocal<ClientLookupResult>(clientLookupKernel, chunks, { clientId: ids[5].slice(0, -1) })).found).toBe(false);
    expect((await runKernelLocal<ClientLookupResult>(clientLookupKernel, chunks, { clientId: `${ids[5]}0` })).found).toBe(false);
  });

  it('returns a page of clients in request order, with misses and repeats in place', async () => {
    const rows = Array.from({ length: 300 }, (_, k) => (k * 499) % ROWS);
    const request = rows.map((r) => ids[r]);
    request.splice(10, 0, 'nobody');
    request.push(ids[rows[3]]); // the same id twice
    const got = await runKernelLocal<ClientLookupPage>(clientLookupKernel, chunks, { clientIds: request });
    expect(got.clients.map((c) => c.clientId)).toEqual(request);
    expect(got.clients[10]).toEqual({ found: false, clientId: 'nobody' });
    const hits = got.clients.filter((c) => c.found);
    expect(hits.length).toBe(301);
    for (const c of hits) if (c.found) expect(c.values).toEqual(arrowRow(chunks, c.row));
    expect(got.clients.at(-1)).toEqual(got.clients[3]);
    expect((await runKernelLocal<ClientLookupPage>(clientLookupKernel, chunks, { clientIds: [] })).clients).toEqual([]);
  });

  it('returns only the columns asked for', async () => {
    const got = await runKernelLocal<ClientLookupPage>(clientLookupKernel, chunks, { clientIds: [ids[7]], columns: ['name', 'aum', 'lastTxnDate'] });
    const c = got.clients[0];
    expect(c.found && c.values).toEqual({ name: arrowRow(chunks, 7).name, aum: arrowRow(chunks, 7).aum, lastTxnDate: arrowRow(chunks, 7).lastTxnDate });
  });

  it('gives the same answer split across workers as on one thread', async () => {
    const request = [ids[0], ids[70_000], ids[ROWS - 1], 'nobody', ids[65_536]];
    const local = await runKernelLocal(clientLookupKernel, chunks, { clientIds: request });
    for (const parts of [2, 3, 5]) expect(await runKernelSplit(clientLookupKernel, chunks, { clientIds: request }, parts)).toEqual(local);
  });

  it('returns the first row of an id that repeats and counts its rows, however the rows are split', async () => {
    const chunk = (rows: [string | null, number][]) =>
      makeClientTable({
        clientId: { type: 'string', values: rows.map((r) => r[0]) },
        aum: { type: 'float', values: Float64Array.from(rows, (r) => r[1]), valid: null },
      });
    const tables = [chunk([['a', 1], ['b', 2], [null, 3]]), chunk([['a', 4], ['c', NaN]]), chunk([['a', 5], ['<b>x</b>', 6]])];
    const got = await runKernelLocal<ClientLookupPage>(clientLookupKernel, tables, { clientIds: ['a', 'c', '<b>x</b>'] });
    expect(got.clients).toEqual([
      { found: true, clientId: 'a', row: 0, values: { clientId: 'a', aum: 1 }, matches: 3 },
      // NaN is not a JSON number: null.
      { found: true, clientId: 'c', row: 4, values: { clientId: 'c', aum: null }, matches: 1 },
      { found: true, clientId: '<b>x</b>', row: 6, values: { clientId: '<b>x</b>', aum: 6 }, matches: 1 },
    ]);
    for (const parts of [2, 3]) expect(await runKernelSplit(clientLookupKernel, tables, { clientIds: ['a', 'c', '<b>x</b>'] }, parts)).toEqual(got);
  });

  it('tells apart ids whose hashes collide, and answers again from the index it built', async () => {
    // FNV-1a (32-bit) written out here, independently of the kernel, to find real collisions.
    const fnv = (text: string) => {
      let h = 0x811c9dc5;
      for (const b of new TextEncoder().encode(text)) h = Math.imul(h ^ b, 0x01000193);
      return h >>> 0;
    };
    const seen = new Map<number, string>();
    const pairs: [string, string][] = [];
    for (let i = 0; pairs.length < 3; i++) {
      const id = `K${i.toString(36)}`;
      const other = seen.get(fnv(id));
      if (other !== undefined) pairs.push([other, id]);
      else seen.set(fnv(id), id);
    }
    const rows = pairs.flat();
    const table = makeClientTable({
      clientId: { type: 'string', values: [...rows, pairs[0][1], 'filler'] },
      aum: { type: 'float', values: Float64Array.from([...rows, pairs[0][1], 'filler'], (_, i) => i), valid: null },
    });
    const request = [...rows, 'absent'];
    for (let round = 0; round < 2; round++) {
      const got = await runKernelLocal<ClientLookupPage>(clientLookupKernel, [table], { clientIds: request });
      expect(got.clients.map((c) => (c.found ? [c.clientId, c.row, c.values.aum, c.matches] : [c.clientId, null]))).toEqual([
        ...rows.map((id, i) => [id, i, i, id === pairs[0][1] ? 2 : 1]),
        ['absent', null],
      ]);
    }
  });

  it('reads the clients at given row numbers, in request order, with repeats and rows past the end', async () => {
    // Both sides of the chunk boundaries (65,536 rows), the last row, one past it, and a spread.
    const request = [65_536, 0, 65_535, ROWS - 1, ROWS, 131_072, 65_536, 2 ** 40];
    for (let k = 0; k < 30; k++) request.push((k * 4999) % ROWS);
    const got = await runKernelLocal<ClientRowsPage>(clientLookupKernel, chunks, { rows: request, columns: ['clientId', 'aum', 'lastTxnDate', 'tier'] });
    expect(got.rows.map((r) => r.row)).toEqual(request);
    for (const r of got.rows) {
      if (r.row >= ROWS) expect(r).toEqual({ found: false, row: r.row });
      else {
        const { clientId, aum, lastTxnDate, tier } = arrowRow(chunks, r.row);
        expect(r).toEqual({ found: true, row: r.row, values: { clientId, aum, lastTxnDate, tier } });
      }
    }
    for (const parts of [2, 3, 5]) expect(await runKernelSplit(clientLookupKernel, chunks, { rows: request, columns: ['clientId', 'aum', 'lastTxnDate', 'tier'] }, parts)).toEqual(got);
    // Every column by default, as a lookup by id gives them.
    const whole = await runKernelLocal<ClientRowsPage>(clientLookupKernel, chunks, { rows: [70_001] });
    expect(whole.rows[0]).toEqual({ found: true, row: 70_001, values: arrowRow(chunks, 70_001) });
    expect((await runKernelLocal<ClientRowsPage>(clientLookupKernel, chunks, { rows: [] })).rows).toEqual([]);
  });

  it('reads rows of a dataset without a clientId column, and of a repeated id the row asked for', async () => {
    const table = makeClientTable({
      name: { type: 'string', values: ['a', 'b', 'a'] },
      aum: { type: 'float', values: Float64Array.from([1, 2, 3]), valid: null },
    });
    const got = await runKernelLocal<ClientRowsPage>(clientLookupKernel, [table], { rows: [2, 0] });
    expect(got.rows).toEqual([{ found: true, row: 2, values: { name: 'a', aum: 3 } }, { found: true, row: 0, values: { name: 'a', aum: 1 } }]);
  });

  it('refuses bad specs with errors naming the field', async () => {
    expect((await specError(runKernelLocal(clientLookupKernel, chunks, { rows: [3, -1] }))).field).toBe('rows[1]');
    expect((await specError(runKernelLocal(clientLookupKernel, chunks, { rows: [1.5] }))).field).toBe('rows[0]');
    expect((await specError(runKernelLocal(clientLookupKernel, chunks, { rows: ['7'] }))).field).toBe('rows[0]');
    expect((await specError(runKernelLocal(clientLookupKernel, chunks, { rows: 7 }))).field).toBe('rows');
    expect((await specError(runKernelLocal(clientLookupKernel, chunks, { rows: Array.from({ length: MAX_LOOKUP_IDS + 1 }, (_, k) => k) }))).message).toContain('at most 500');
    expect((await specError(runKernelLocal(clientLookupKernel, chunks, { clientIds: ['a'], rows: [1] }))).field).toBe('rows');
    expect((await specError(runKernelLocal(clientLookupKernel, chunks, { rows: [1], id: 'aum' }))).field).toBe('id');
    expect((await specError(runKernelLocal(clientLookupKernel, chunks, {}))).field).toBe('clientId');
    expect((await specError(runKernelLocal(clientLookupKernel, chunks, { clientId: 'a', clientIds: ['b'] }))).field).toBe('clientIds');
    expect((await specError(runKernelLocal(clientLookupKernel, chunks, { clientId: '' }))).field).toBe('clientId');
    expect((await specError(runKernelLocal(clientLookupKernel, chunks, { clientId: 42 }))).field).toBe('clientId');
    expect((await specError(runKernelLocal(clientLookupKernel, chunks, { clientIds: ['a', 7] }))).field).toBe('clientIds[1]');
    const tooMany = Array.from({ length: MAX_LOOKUP_IDS + 1 }, (_, k) => `x${k}`);
    expect((await specError(runKernelLocal(clientLookupKernel, chunks, { clientIds: tooMany }))).message).toContain('at most 500');
    expect((await specError(runKernelLocal(clientLookupKernel, chunks, { clientId: 'a', columns: ['aum', 'wealth'] }))).field).toBe('columns[1]');
    expect((await specError(runKernelLocal(clientLookupKernel, chunks, { clientId: 'a', id: 'aum' }))).field).toBe('id');
    // Page filters do not hide the client an RM opened: a filter is refused, not applied.
    expect((await specError(runKernelLocal(clientLookupKernel, chunks, { clientId: 'a', filter: { all: [] } }))).field).toBe('filter');
  });
});
