/**
 * The JSON Schema subset plugin settings use (type, enum, minimum, maximum, default, properties,
 * required, items): checking a schema itself (at manifest validation) and checking values against
 * it (on every write and on every read from storage). Problems are sentences naming the path.
 */
import type { SettingSchema, SettingScope } from './plugin-api.js';

const TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array'] as const;
const SCOPES: readonly SettingScope[] = ['user', 'page', 'element'];
const KEYS = new Set(['type', 'description', 'default', 'enum', 'minimum', 'maximum', 'properties', 'required', 'items', 'scopes']);
/** Deeper schemas are refused: settings are small. */
const MAX_DEPTH = 8;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function isPlain(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Problems with a value against a schema; empty when it fits. */
export function checkValue(value: unknown, schema: SettingSchema, path = 'value', depth = 0): string[] {
  if (depth > MAX_DEPTH) return [`${path} is nested too deeply`];
  const problems: string[] = [];
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') return [`${path} must be text; got ${typeOf(value)}`];
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return [`${path} must be true or false; got ${typeOf(value)}`];
      break;
    case 'number':
    case 'integer':
      if (typeof value !== 'number' || !Number.isFinite(value)) return [`${path} must be a finite number; got ${typeOf(value)}`];
      if (schema.type === 'integer' && !Number.isInteger(value)) return [`${path} must be a whole number; got ${value}`];
      if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${path} must be at least ${schema.minimum}; got ${value}`);
      if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${path} must be at most ${schema.maximum}; got ${value}`);
      break;
    case 'array':
      if (!Array.isArray(value)) return [`${path} must be a list; got ${typeOf(value)}`];
      if (schema.items) value.forEach((item, i) => problems.push(...checkValue(item, schema.items!, `${path}[${i}]`, depth + 1)));
      break;
    case 'object':
      if (!isPlain(value)) return [`${path} must be an object; got ${typeOf(value)}`];
      for (const key of schema.required ?? []) if (!Object.prototype.hasOwnProperty.call(value, key)) problems.push(`${path}.${key} is required`);
      for (const [key, sub] of Object.entries(schema.properties ?? {})) {
        if (Object.prototype.hasOwnProperty.call(value, key)) problems.push(...checkValue(value[key], sub, `${path}.${key}`, depth + 1));
      }
      break;
  }
  if (schema.enum && !schema.enum.some((e) => e === value)) problems.push(`${path} must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}; got ${JSON.stringify(value)}`);
  return problems;
}

/** Problems with a schema itself (unknown keywords, a default that does not fit it...). */
export function checkSchema(schema: unknown, path: string, depth = 0): string[] {
  if (depth > MAX_DEPTH) return [`${path} is nested deeper than ${MAX_DEPTH} levels`];
  if (!isPlain(schema)) return [`${path} must be a schema object`];
  const s = schema as unknown as SettingSchema & Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(s)) if (!KEYS.has(key)) problems.push(`${path}.${key} is not a supported keyword (use ${[...KEYS].join(', ')})`);
  if (!TYPES.includes(s.type)) return [...problems, `${path}.type must be one of ${TYPES.join(', ')}; got ${JSON.stringify(s.type)}`];
  if (s.description !== undefined && typeof s.description !== 'string') problems.push(`${path}.description must be text`);
  for (const bound of ['minimum', 'maximum'] as const) {
    if (s[bound] === undefined) continue;
    if (s.type !== 'number' && s.type !== 'integer') problems.push(`${path}.${bound} applies only to numbers`);
    else if (typeof s[bound] !== 'number' || !Number.isFinite(s[bound])) problems.push(`${path}.${bound} must be a finite number`);
  }
  if (typeof s.minimum === 'number' && typeof s.maximum === 'number' && s.minimum > s.maximum) problems.push(`${path}.minimum is above its maximum`);
  if (s.enum !== undefined && (!Array.isArray(s.enum) || s.enum.length === 0 || s.enum.some((e) => !['string', 'number', 'boolean'].includes(typeof e)))) problems.push(`${path}.enum must be a non-empty list of strings, numbers or booleans`);
  if (s.properties !== undefined) {
    if (s.type !== 'object' || !isPlain(s.properties)) problems.push(`${path}.properties must be an object of schemas on an object type`);
    else for (const [k, sub] of Object.entries(s.properties)) problems.push(...checkSchema(sub, `${path}.properties.${k}`, depth + 1));
  }
  if (s.required !== undefined && (s.type !== 'object' || !Array.isArray(s.required) || s.required.some((r) => typeof r !== 'string'))) problems.push(`${path}.required must be a list of property names on an object type`);
  if (s.items !== undefined) {
    if (s.type !== 'array') problems.push(`${path}.items applies only to arrays`);
    else problems.push(...checkSchema(s.items, `${path}.items`, depth + 1));
  }
  if (s.scopes !== undefined && (!Array.isArray(s.scopes) || s.scopes.length === 0 || s.scopes.some((x) => !SCOPES.includes(x)))) problems.push(`${path}.scopes must list some of ${SCOPES.join(', ')}`);
  if (problems.length === 0 && s.default !== undefined) problems.push(...checkValue(s.default, s, `${path}.default`));
  return problems;
}
