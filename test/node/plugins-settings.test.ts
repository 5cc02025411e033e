import { describe, expect, it } from 'vitest';
import { checkSchema, checkValue } from '../../src/plugins/settings-schema.js';
import { SettingsStore, type StorageLike } from '../../src/plugins/settings-store.js';
import type { SettingsContribution } from '../../src/plugins/plugin-api.js';

class MemoryStorage implements StorageLike {
  readonly data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
  removeItem(k: string) {
    this.data.delete(k);
  }
}

const contribution: SettingsContribution = {
  version: 2,
  properties: {
    productRisk: { type: 'integer', minimum: 1, maximum: 5, default: 3 },
    mode: { type: 'string', enum: ['advisor', 'teller'], default: 'advisor', scopes: ['user', 'page'] },
    products: {
      type: 'array',
      default: [],
      items: { type: 'object', required: ['name', 'risk'], properties: { name: { type: 'string' }, risk: { type: 'integer', minimum: 1, maximum: 5 } } },
    },
  },
};
const element = {} as Element;
const otherElement = {} as Element;

describe('settings schema subset', () => {
  it('checks types, enums, bounds, required properties and items, naming the path', () => {
    const s = contribution.properties;
    expect(checkValue(3, s.productRisk)).toEqual([]);
    expect(checkValue(3.5, s.productRisk)).toEqual(['value must be a whole number; got 3.5']);
    expect(checkValue(9, s.productRisk, 'productRisk')).toEqual(['productRisk must be at most 5; got 9']);
    expect(checkValue('3', s.productRisk)).toEqual(['value must be a finite number; got string']);
    expect(checkValue(NaN, s.productRisk)).toEqual(['value must be a finite number; got number']);
    expect(checkValue('boss', s.mode)).toEqual(['value must be one of "advisor", "teller"; got "boss"']);
    expect(checkValue([{ name: 'Fund', risk: 7 }, { risk: 2 }], s.products, 'products')).toEqual(['products[0].risk must be at most 5; got 7', 'products[1].name is required']);
    expect(checkValue({}, s.products)).toEqual(['value must be a list; got object']);
  });

  it('checks schemas themselves, including that defaults fit', () => {
    expect(checkSchema(contribution.properties.products, 'p')).toEqual([]);
    expect(checkSchema({ type: 'integer', default: 9, maximum: 5 }, 'x')).toEqual(['x.default must be at most 5; got 9']);
    expect(checkSchema({ type: 'string', pattern: 'a+' }, 'x')[0]).toMatch(/x.pattern is not a supported keyword/);
    expect(checkSchema({ type: 'string', minimum: 1 }, 'x')).toEqual(['x.minimum applies only to numbers']);
  });
});

describe('SettingsStore: scopes, persistence, migration', () => {
  it('reads element, then page, then user, then default; validates writes; reports changes', async () => {
    const storage = new MemoryStorage();
    const store = new SettingsStore('acme.s', contribution, storage);
    const events: string[] = [];
    store.onDidChange((e) => events.push(`${e.key}@${e.scope}`));
    expect(store.get('productRisk')).toBe(3);
    await store.update('productRisk', 4, { scope: 'user' });
    expect(store.get('productRisk')).toBe(4);
    await store.update('productRisk', 2, { scope: 'page' });
    expect(store.get('productRisk')).toBe(2);
    await store.update('productRisk', 5, { scope: 'element', element });
    expect(store.get('productRisk', { element })).toBe(5);
    expect(store.get('productRisk', { element: otherElement })).toBe(2);
    expect(store.inspect('productRisk', { element })).toEqual({ key: 'productRisk', defaultValue: 3, user: 4, page: 2, element: 5, value: 5 });
    await store.update('productRisk', undefined, { scope: 'page' });
    expect(store.get('productRisk')).toBe(4);
    expect(events).toEqual(['productRisk@user', 'productRisk@page', 'productRisk@element', 'productRisk@page']);
    expect(JSON.parse(storage.getItem('clientlens.settings.acme.s')!)).toEqual({ version: 2, values: { productRisk: 4 } });

    await expect(store.update('productRisk', 8, { scope: 'user' })).rejects.toThrow('Plugin "acme.s" setting "productRisk": productRisk must be at most 5; got 8');
    await expect(store.update('mode', 'teller', { scope: 'element', element })).rejects.toThrow(/cannot be set per element \(allowed: user, page\)/);
    await expect(store.update('nope', 1, { scope: 'page' })).rejects.toThrow(/"nope": is not declared .*declared: productRisk, mode, products/);
    expect(() => store.get('__proto__')).toThrow(/is not declared/);
    await expect(store.update('productRisk', 1, { scope: 'global' as never })).rejects.toThrow(/scope must be user, page or element/);
  });

  it('persists user values across instances, and hands out copies', async () => {
    const storage = new MemoryStorage();
    const a = new SettingsStore('acme.s', contribution, storage);
    await a.update('products', [{ name: 'Bond fund', risk: 2 }], { scope: 'user' });
    const b = new SettingsStore('acme.s', contribution, storage);
    const products = b.get<{ name: string; risk: number }[]>('products');
    expect(products).toEqual([{ name: 'Bond fund', risk: 2 }]);
    products[0].risk = 5;
    expect(b.get<{ risk: number }[]>('products')[0].risk).toBe(2);
  });

  it('ignores hand-edited or corrupt stored values instead of handing them to the plugin', () => {
    const warnings: string[] = [];
    const storage = new MemoryStorage();
    storage.setItem('clientlens.settings.acme.s', JSON.stringify({ version: 2, values: { productRisk: 'high', mode: 'teller' } }));
    const store = new SettingsStore('acme.s', contribution, storage, (m) => warnings.push(m));
    expect(store.get('productRisk')).toBe(3);
    expect(store.get('mode')).toBe('teller');
    storage.setItem('clientlens.settings.acme.t', '{not json');
    expect(new SettingsStore('acme.t', contribution, storage, (m) => warnings.push(m)).get('productRisk')).toBe(3);
    expect(warnings[0]).toMatch(/stored settings of plugin "acme.t" could not be read/);
  });

  it('migrates values stored under an older settings version through the hook, dropping what no longer fits', async () => {
    const warnings: string[] = [];
    const storage = new MemoryStorage();
    // Version 1 stored risk as a letter grade and had a setting since removed.
    storage.setItem('clientlens.settings.acme.s', JSON.stringify({ version: 1, values: { riskGrade: 'D', legacy: true, mode: 'teller' } }));
    const store = new SettingsStore('acme.s', contribution, storage, (m) => warnings.push(m));
    expect(store.get('mode'), 'old values are not served before migration').toBe('advisor');
    const calls: unknown[] = [];
    const result = await store.migrate((stored, from, to) => {
      calls.push({ stored, from, to });
      const { riskGrade, ...rest } = stored as { riskGrade: string };
      return { ...rest, productRisk: 'ABCDE'.indexOf(riskGrade) + 1 };
    });
    expect(calls).toEqual([{ stored: { riskGrade: 'D', legacy: true, mode: 'teller' }, from: 1, to: 2 }]);
    expect(result).toEqual({ from: 1, to: 2, dropped: ['legacy'] });
    expect(store.get('productRisk')).toBe(4);
    expect(store.get('mode')).toBe('teller');
    expect(JSON.parse(storage.getItem('clientlens.settings.acme.s')!)).toEqual({ version: 2, values: { mode: 'teller', productRisk: 4 } });
    expect(warnings.join()).toMatch(/settings legacy did not fit settings version 2/);
    expect(await store.migrate(() => ({})), 'nothing to do once migrated').toBeNull();
  });

  it('keeps the values that still fit when there is no hook, and surfaces a throwing hook', async () => {
    const storage = new MemoryStorage();
    storage.setItem('clientlens.settings.acme.s', JSON.stringify({ version: 1, values: { productRisk: 2, mode: 'boss' } }));
    const store = new SettingsStore('acme.s', contribution, storage, () => {});
    await store.migrate(undefined);
    expect(store.inspect('productRisk').user).toBe(2);
    expect(store.get('mode')).toBe('advisor');
    storage.setItem('clientlens.settings.acme.s', JSON.stringify({ version: 1, values: {} }));
    const again = new SettingsStore('acme.s', contribution, storage, () => {});
    await expect(again.migrate(() => {
      throw new Error('cannot read v1');
    })).rejects.toThrow('cannot read v1');
  });

  it('keeps working without storage (sandboxed frames) and when a write fails', async () => {
    const none = new SettingsStore('acme.s', contribution, null);
    await none.update('productRisk', 5, { scope: 'user' });
    expect(none.get('productRisk')).toBe(5);
    const warnings: string[] = [];
    const full = new SettingsStore('acme.s', contribution, { getItem: () => null, setItem: () => { throw new Error('QuotaExceededError'); }, removeItem: () => {} }, (m) => warnings.push(m));
    await full.update('productRisk', 1, { scope: 'user' });
    expect(full.get('productRisk')).toBe(1);
    expect(warnings[0]).toMatch(/could not be saved \(QuotaExceededError\)/);
  });
});
