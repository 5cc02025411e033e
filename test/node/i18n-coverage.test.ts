// Every UI message in the elements has a Simplified Chinese translation, and no translation is
// left over from a message that no longer exists.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { templates } from '../../src/i18n/locales/zh-CN.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

const root = new URL('../../', import.meta.url).pathname;
const used = new Map<string, string>();
for (const file of [...sources(join(root, 'components')), ...sources(join(root, 'src'))]) {
  const text = readFileSync(file, 'utf8');
  if (!text.includes('msg(')) continue;
  // msg(..., { id: 'x.y' }): the options object is always written exactly like this.
  for (const m of text.matchAll(/\{\s*id:\s*'([a-z0-9-]+\.[a-z0-9.-]+)'\s*\}/g)) used.set(m[1], file);
}

describe('zh-CN translations', () => {
  it('cover every message id the UI uses', () => {
    const missing = [...used.keys()].filter((id) => !(id in templates));
    expect(missing, `missing in src/i18n/locales/zh-CN/: ${missing.map((id) => `${id} (${used.get(id)})`).join(', ')}`).toEqual([]);
  });

  it('have no entries for ids no longer used', () => {
    expect(Object.keys(templates).filter((id) => !used.has(id))).toEqual([]);
  });

  it('found the messages (the scan itself works)', () => {
    expect(used.size).toBeGreaterThan(50);
  });
});
