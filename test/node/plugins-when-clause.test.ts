import { afterEach, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { evaluateWhen, parseWhen, whenKeys, WhenClauseError, WHEN_MAX_DEPTH } from '../../src/plugins/when-clause.js';
import { ContextKeys } from '../../src/plugins/context-keys.js';

const keys = new Map<string, string | number | boolean>([
  ['clientlens.datasetLoaded', true],
  ['clientlens.datasetRows', 0],
  ['acme.mode', 'advisor'],
  ['acme.level', 3],
]);
const lookup = (k: string) => keys.get(k);
const when = (src: string) => evaluateWhen(parseWhen(src), lookup);

function errorOf(src: string): WhenClauseError {
  try {
    parseWhen(src);
  } catch (err) {
    return err as WhenClauseError;
  }
  throw new Error(`expected ${src} to be refused`);
}

describe('when clauses', () => {
  it('evaluates keys, literals, comparisons, negation and precedence (&& before ||)', () => {
    expect(when('clientlens.datasetLoaded')).toBe(true);
    expect(when('clientlens.datasetRows')).toBe(false);
    expect(when('!clientlens.datasetRows')).toBe(true);
    expect(when("acme.mode == 'advisor'")).toBe(true);
    expect(when('acme.mode != "advisor"')).toBe(false);
    expect(when('acme.level == 3')).toBe(true);
    expect(when("acme.level == '3'"), 'no coercion').toBe(false);
    expect(when('unknown.key')).toBe(false);
    expect(when('unknown.key == false'), 'unset is undefined, not false').toBe(false);
    expect(when('false || true && false')).toBe(false);
    expect(when('(false || true) && true')).toBe(true);
    expect(when('!!clientlens.datasetLoaded')).toBe(true);
    expect(when("!(acme.mode == 'teller') && acme.level != 5")).toBe(true);
    expect(when("'it\\'s' == \"it's\"")).toBe(true);
    expect(when('-1 == -1')).toBe(true);
    expect([...whenKeys(parseWhen("a.b && (c == 'x' || !d)"))].sort()).toEqual(['a.b', 'c', 'd']);
  });

  it('refuses bad syntax with the position and a hint', () => {
    expect(errorOf('a = b').message).toMatch(/compare with ==.*character 3/);
    expect(errorOf('a & b').message).toMatch(/use && or \|\|/);
    expect(errorOf('(a && b').message).toMatch(/expected "\)"/);
    expect(errorOf('a &&').message).toMatch(/ends where a value or key was expected/);
    expect(errorOf('').message).toMatch(/empty/);
    expect(errorOf("'open").message).toMatch(/not closed/);
    expect(errorOf('a == b == c').message).toMatch(/cannot be chained/);
    expect(errorOf('a b').message).toMatch(/unexpected "b"/);
    expect(errorOf('1abc').message).toMatch(/neither a number nor a key/);
  });

  it('never runs input as code: no eval, no Function, and code-like text is just an unknown key or an error', () => {
    const evalSpy = vi.spyOn(globalThis, 'eval');
    const FunctionSpy = vi.spyOn(globalThis, 'Function');
    (globalThis as { __pwned?: boolean }).__pwned = undefined;
    for (const src of ['constructor', '__proto__', 'toString', 'hasOwnProperty != undefined']) expect(when(src), src).toBe(false);
    const hostile = [
      "globalThis.__pwned = true",
      "a); globalThis.__pwned = (true",
      "`${globalThis.__pwned = true}`",
      "a[0]",
      "a.b()",
      'constructor.constructor("globalThis.__pwned = true")()',
      '\\u0061',
    ];
    for (const src of hostile) expect(() => parseWhen(src), src).toThrow(WhenClauseError);
    expect((globalThis as { __pwned?: boolean }).__pwned).toBeUndefined();
    expect(evalSpy).not.toHaveBeenCalled();
    expect(FunctionSpy).not.toHaveBeenCalled();
    const source = readFileSync(new URL('../../src/plugins/when-clause.ts', import.meta.url), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    expect(source).not.toMatch(/\beval\s*\(|new Function|Function\s*\(/);
  });

  it('bounds nesting, length and token count so hostile input fails fast instead of overflowing the stack', () => {
    const ok = `${'('.repeat(WHEN_MAX_DEPTH - 1)}a${')'.repeat(WHEN_MAX_DEPTH - 1)}`;
    expect(when(ok.replace('a', 'clientlens.datasetLoaded'))).toBe(true);
    const t0 = performance.now();
    expect(errorOf(`${'('.repeat(100_000)}a${')'.repeat(100_000)}`).message).toMatch(/longer than 1024/);
    expect(errorOf(`${'('.repeat(600)}a${')'.repeat(400)}`).message).toMatch(/more than 256 tokens/);
    expect(errorOf(`${'('.repeat(50)}a${')'.repeat(50)}`).message).toMatch(/nested deeper than 32/);
    expect(errorOf('!'.repeat(200) + 'a').message).toMatch(/nested deeper than 32/);
    expect(errorOf(Array.from({ length: 300 }, () => 'a').join('&&')).message).toMatch(/more than 256 tokens/);
    expect(errorOf('x'.repeat(2000)).message).toMatch(/longer than 1024/);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('reads context keys from a Map: prototype names are never inherited', () => {
    const ctx = new ContextKeys();
    const seen: string[] = [];
    ctx.onDidChange((k) => seen.push(k));
    const d = ctx.set('acme.mode', 'advisor');
    expect(evaluateWhen(parseWhen("acme.mode == 'advisor' && !constructor"), ctx.lookup)).toBe(true);
    void d.dispose();
    expect(ctx.get('acme.mode')).toBeUndefined();
    expect(seen).toEqual(['acme.mode', 'acme.mode']);
    expect(() => ctx.set('bad key', 1)).toThrow(/context key/);
    expect(() => ctx.set('acme.obj', {} as never)).toThrow(/string, number, boolean/);
  });
});

afterEach(() => vi.restoreAllMocks());
