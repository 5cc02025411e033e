// Model store over fake-indexeddb: save, load, list, delete, and validation of what is read back.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openDB } from 'idb';
import { Float64, Int32, Table, vectorFromArray } from 'apache-arrow';
import { MODEL_FORMAT_VERSION, ModelStore, ModelStoreError, churnModelFromRecord, churnModelRecord } from '../../workers/models/model-store.js';
import { fitGbdt } from '../../workers/models/gbdt.js';
import { scoreChurn, trainChurnModel } from '../../workers/models/churn-model.js';

let counter = 0;
const open: ModelStore[] = [];
async function store() {
  const name = `test-models-${++counter}`;
  const s = await ModelStore.open(name);
  open.push(s);
  return { s, name };
}
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

describe('model store', () => {
  it('round-trips a model with typed arrays, lists summaries newest first, deletes', async () => {
    const { s } = await store();
    const x = Float64Array.from({ length: 400 }, (_, i) => (i * 37) % 101);
    const y = Uint8Array.from({ length: 400 }, (_, i) => (x[i] > 50 ? 1 : 0));
    const gbdt = await fitGbdt({ x, y, n: 400, p: 1 }, { trees: 5 });
    await s.save({ id: 'a', kind: 'churn-gbdt', features: { columns: ['x'] }, params: gbdt, metrics: { auc: 0.9 }, createdAt: '2026-01-01T00:00:00.000Z' });
    await s.save({ id: 'b', kind: 'kmeans', features: {}, params: { k: 3 }, metrics: { silhouette: 0.5 }, createdAt: '2026-02-01T00:00:00.000Z' });
    const back = await s.load('a');
    expect(back.version).toBe(MODEL_FORMAT_VERSION);
    expect((back.params as typeof gbdt).value).toBeInstanceOf(Float64Array);
    expect((back.params as typeof gbdt).value).toEqual(gbdt.value);
    const list = await s.list();
    expect(list.map((m) => m.id)).toEqual(['b', 'a']);
    expect(list[0]).not.toHaveProperty('params');
    expect((await s.list('churn-gbdt')).map((m) => m.id)).toEqual(['a']);
    expect(await s.delete('a')).toBe(true);
    expect(await s.delete('a')).toBe(false);
    await expect(s.load('a')).rejects.toThrow(/No saved model has id "a"/);
  });

  it('saves a trained churn model and scores new data with it after loading', async () => {
    const { s } = await store();
    const n = 600;
    const aum = Array.from({ length: n }, (_, i) => (i * 7919) % 1000);
    const products = Array.from({ length: n }, (_, i) => 1 + (i % 4));
    const churned = aum.map((a, i) => (a < 300 && products[i] === 1 ? 1 : (i * 31) % 17 === 0 ? 1 : 0));
    const table = new Table({ aum: vectorFromArray(aum, new Float64()), productsHeld: vectorFromArray(products, new Int32()), churned: vectorFromArray(churned, new Int32()) });
    const model = await trainChurnModel([table], { numeric: ['aum', 'productsHeld'], target: { column: 'churned' } }, { kind: 'gbdt', folds: 3, gbdt: { trees: 20 } });
    await s.save(churnModelRecord(model, { id: 'churn-1', datasetId: 'demo' }));
    const loaded = churnModelFromRecord(await s.load('churn-1'));
    expect(loaded.metrics.auc).toBe(model.metrics.auc);
    const fresh = new Table({ aum: vectorFromArray([100, 900], new Float64()), productsHeld: vectorFromArray([1, 4], new Int32()) });
    const before = await scoreChurn(model, [fresh]);
    const after = await scoreChurn(loaded, [fresh]);
    expect(after.probability).toEqual(before.probability);
    expect(after.probability[0]).toBeGreaterThan(after.probability[1]);
    await s.save({ id: 'k', kind: 'kmeans', features: {}, params: {}, metrics: {} });
    expect(() => churnModelFromRecord({ id: 'k', kind: 'kmeans', version: 1, createdAt: '2026-01-01T00:00:00Z', features: {}, params: {}, metrics: {} })).toThrow(/not a churn model/);
  });

  it('refuses records of an unknown format version or kind, naming the problem', async () => {
    const { s, name } = await store();
    // Written behind the store's back, as a newer clientlens would.
    const db = await openDB(name, 1);
    await db.put('models', { id: 'future', kind: 'churn-gbdt', version: 2, createdAt: '2026-01-01T00:00:00Z', features: {}, params: {}, metrics: {} });
    await db.put('models', { id: 'odd', kind: 'neural-net', version: 1, createdAt: '2026-01-01T00:00:00Z', features: {}, params: {}, metrics: {} });
    db.close();
    const e = await s.load('future').catch((err) => err);
    expect(e).toBeInstanceOf(ModelStoreError);
    expect(e.message).toMatch(/format version 2; this version of clientlens reads format 1/);
    await expect(s.load('odd')).rejects.toThrow(/unknown kind "neural-net"/);
    await expect(s.save({ id: '', kind: 'kmeans', features: {}, params: {}, metrics: {} })).rejects.toThrow(/has no id/);
  });
});
