/**
 * When clauses: the small, safe expression language that decides whether a command or keybinding
 * is offered, over context keys (`clientlens.datasetLoaded && acme.mode == 'advisor'`).
 *
 * Grammar (precedence low to high):
 *   expr    := or
 *   or      := and ( '||' and )*
 *   and     := unary ( '&&' unary )*
 *   unary   := '!' unary | compare
 *   compare := primary ( ( '==' | '!=' ) primary )?
 *   primary := '(' expr ')' | 'string' | "string" | number | true | false | identifier
 * An identifier is a context key (letters, digits, `_ . - :`), read from the key lookup given to
 * `evaluate`; an unset key is `undefined`. `!x` and bare `x` use truthiness; `==` / `!=` compare
 * strictly (no coercion).
 *
 * Safety: a hand-written tokenizer and recursive-descent parser into a small tree; nothing is ever
 * evaluated as code (no eval, no Function). Input is bounded in length, tokens and nesting depth,
 * so hostile text fails fast with a WhenClauseError instead of exhausting the stack.
 */
import type { ContextValue } from './plugin-api.js';

export const WHEN_MAX_LENGTH = 1024;
export const WHEN_MAX_DEPTH = 32;
export const WHEN_MAX_TOKENS = 256;

export class WhenClauseError extends Error {
  override readonly name = 'WhenClauseError';
  constructor(readonly source: string, readonly position: number, readonly problem: string) {
    super(`when clause ${JSON.stringify(source.length > 80 ? `${source.slice(0, 77)}...` : source)}: ${problem} (at character ${position + 1}).`);
  }
}

export type WhenNode =
  | { readonly kind: 'literal'; readonly value: string | number | boolean }
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'not'; readonly operand: WhenNode }
  | { readonly kind: 'and' | 'or'; readonly left: WhenNode; readonly right: WhenNode }
  | { readonly kind: 'eq' | 'ne'; readonly left: WhenNode; readonly right: WhenNode };

type Token =
  | { readonly t: 'op'; readonly v: '&&' | '||' | '!' | '==' | '!=' | '(' | ')'; readonly at: number }
  | { readonly t: 'str'; readonly v: string; readonly at: number }
  | { readonly t: 'num'; readonly v: number; readonly at: number }
  | { readonly t: 'id'; readonly v: string; readonly at: number }
  | { readonly t: 'end'; readonly at: number };

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_.:-]/;

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (at: number, problem: string): never => {
    throw new WhenClauseError(src, at, problem);
  };
  while (i < src.length) {
    const ch = src[i];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    if (tokens.length >= WHEN_MAX_TOKENS) fail(i, `more than ${WHEN_MAX_TOKENS} tokens`);
    const two = src.slice(i, i + 2);
    if (two === '&&' || two === '||' || two === '==' || two === '!=') {
      tokens.push({ t: 'op', v: two, at: i });
      i += 2;
    } else if (ch === '!' || ch === '(' || ch === ')') {
      tokens.push({ t: 'op', v: ch, at: i });
      i++;
    } else if (ch === "'" || ch === '"') {
      const start = i++;
      let text = '';
      for (;;) {
        if (i >= src.length) fail(start, 'a string is not closed');
        const c = src[i++];
        if (c === ch) break;
        if (c === '\\') {
          if (i >= src.length) fail(start, 'a string is not closed');
          text += src[i++];
        } else text += c;
      }
      tokens.push({ t: 'str', v: text, at: start });
    } else if (/[0-9]/.test(ch) || (ch === '-' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?/.exec(src.slice(i, i + 40))!;
      if (IDENT_PART.test(src[i + m[0].length] ?? '') && src[i + m[0].length] !== '.') fail(i, `"${src.slice(i, i + m[0].length + 1)}" is neither a number nor a key (keys start with a letter)`);
      tokens.push({ t: 'num', v: Number(m[0]), at: i });
      i += m[0].length;
    } else if (IDENT_START.test(ch)) {
      const start = i;
      while (i < src.length && IDENT_PART.test(src[i])) i++;
      tokens.push({ t: 'id', v: src.slice(start, i), at: start });
    } else {
      const hint = ch === '=' ? ' (compare with ==)' : ch === '&' || ch === '|' ? ' (use && or ||)' : '';
      fail(i, `unexpected character ${JSON.stringify(ch)}${hint}`);
    }
  }
  tokens.push({ t: 'end', at: src.length });
  return tokens;
}

/** Parses a when clause into a tree; throws WhenClauseError with the position of the problem. */
export function parseWhen(src: string): WhenNode {
  if (typeof src !== 'string') throw new WhenClauseError(String(src), 0, 'must be text');
  if (src.length > WHEN_MAX_LENGTH) throw new WhenClauseError(src, WHEN_MAX_LENGTH, `longer than ${WHEN_MAX_LENGTH} characters`);
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const isOp = (v: string) => {
    const t = tokens[pos];
    return t.t === 'op' && t.v === v;
  };
  const fail = (problem: string): never => {
    throw new WhenClauseError(src, peek().at, problem);
  };
  const describe = (t: Token) => (t.t === 'end' ? 'the end' : t.t === 'str' ? JSON.stringify(t.v) : `"${String(t.v)}"`);

  const or = (depth: number): WhenNode => {
    let left = and(depth);
    while (isOp('||')) {
      pos++;
      left = { kind: 'or', left, right: and(depth) };
    }
    return left;
  };
  const and = (depth: number): WhenNode => {
    let left = unary(depth);
    while (isOp('&&')) {
      pos++;
      left = { kind: 'and', left, right: unary(depth) };
    }
    return left;
  };
  const unary = (depth: number): WhenNode => {
    if (depth > WHEN_MAX_DEPTH) fail(`nested deeper than ${WHEN_MAX_DEPTH} levels`);
    if (isOp('!')) {
      pos++;
      return { kind: 'not', operand: unary(depth + 1) };
    }
    return compare(depth);
  };
  const compare = (depth: number): WhenNode => {
    const left = primary(depth);
    if (isOp('==') || isOp('!=')) {
      const op = (peek() as { v: string }).v;
      pos++;
      const right = primary(depth);
      if (isOp('==') || isOp('!=')) fail('comparisons cannot be chained; use && between them');
      return { kind: op === '==' ? 'eq' : 'ne', left, right };
    }
    return left;
  };
  const primary = (depth: number): WhenNode => {
    const t = peek();
    if (t.t === 'op' && t.v === '(') {
      if (depth + 1 > WHEN_MAX_DEPTH) fail(`nested deeper than ${WHEN_MAX_DEPTH} levels`);
      pos++;
      const inner = or(depth + 1);
      if (!isOp(')')) fail(`expected ")" but found ${describe(peek())}`);
      pos++;
      return inner;
    }
    if (t.t === 'str' || t.t === 'num') {
      pos++;
      return { kind: 'literal', value: t.v };
    }
    if (t.t === 'id') {
      pos++;
      if (t.v === 'true' || t.v === 'false') return { kind: 'literal', value: t.v === 'true' };
      return { kind: 'key', key: t.v };
    }
    return fail(t.t === 'end' ? 'the clause ends where a value or key was expected' : `expected a value or key but found ${describe(t)}`);
  };

  if (peek().t === 'end') fail('the clause is empty');
  const tree = or(0);
  if (peek().t !== 'end') fail(`unexpected ${describe(peek())}`);
  return tree;
}

/** Reads a context key; unknown keys are undefined. */
export type ContextLookup = (key: string) => ContextValue;

function value(node: WhenNode, lookup: ContextLookup): ContextValue {
  switch (node.kind) {
    case 'literal': return node.value;
    case 'key': return lookup(node.key);
    default: return truth(node, lookup);
  }
}

function truth(node: WhenNode, lookup: ContextLookup): boolean {
  switch (node.kind) {
    case 'literal': return Boolean(node.value);
    case 'key': return Boolean(lookup(node.key));
    case 'not': return !truth(node.operand, lookup);
    case 'and': return truth(node.left, lookup) && truth(node.right, lookup);
    case 'or': return truth(node.left, lookup) || truth(node.right, lookup);
    case 'eq': return value(node.left, lookup) === value(node.right, lookup);
    case 'ne': return value(node.left, lookup) !== value(node.right, lookup);
  }
}

/** Evaluates a parsed clause against context keys. */
export function evaluateWhen(node: WhenNode, lookup: ContextLookup): boolean {
  return truth(node, lookup);
}

/** Every context key a clause reads (to re-check it only when one of them changes). */
export function whenKeys(node: WhenNode, into = new Set<string>()): Set<string> {
  switch (node.kind) {
    case 'key': into.add(node.key); break;
    case 'not': whenKeys(node.operand, into); break;
    case 'and': case 'or': case 'eq': case 'ne': whenKeys(node.left, into); whenKeys(node.right, into); break;
  }
  return into;
}
