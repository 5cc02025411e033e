/**
 * Trained models saved in IndexedDB (through idb), in their own small database
 * 'clientlens-models', separate from the dataset cache: models are small, precious (they carry
 * their validation metrics) and must not be evicted with cached data.
 *
 * Record: { id, kind, version, createdAt, features, params, metrics, name?, datasetId? }.
 * - `version` is the MODEL FORMAT version (MODEL_FORMAT_VERSION). Loading a record written by a
 *   newer or unknown format throws ModelStoreError naming both versions, never guesses.
 * - `kind` is one of MODEL_KINDS; `features` is the FeaturePlan (or, for CLV, the summary
 *   conventions), `params` the fitted parameters, `metrics` the validation figures.
 * - Typed arrays are stored as they are (structured clone), so a GBDT keeps its Float64Arrays.
 * `list()` returns summaries without params, cheap enough for a model picker.
 * Works wherever IndexedDB exists: page, worker, or Node with fake-indexeddb in tests.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ChurnModel } from './churn-model.js';

export const MODEL_FORMAT_VERSION = 1;
export const MODEL_DB_NAME = 'clientlens-models';
export const MODEL_KINDS = ['churn-logistic', 'churn-gbdt', 'clv-bgnbd-gg', 'kmeans'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

export interface StoredModel<P = unknown> {
  readonly id: string;
  readonly kind: ModelKind;
  readonly version: number;
  /** ISO 8601 time of training. */
  readonly createdAt: string;
  readonly name?: string;
  readonly datasetId?: string;
  readonly features: unknown;
  readonly params: P;
  readonly metrics: Record<string, unknown>;
}

export type ModelSummary = Omit<StoredModel, 'params' | 'features'>;

interface ModelDB extends DBSchema {
  models: { key: string; value: StoredModel; indexes: { byKind: string } };
}

const DB_VERSION = 1;

export class ModelStoreError extends Error {
  override readonly name = 'ModelStoreError';
}

/** Checks a record read back (or about to be written); throws ModelStoreError naming the problem. */
export function validateModel(record: unknown, where = 'model'): StoredModel {
  if (record === null || typeof record !== 'object') throw new ModelStoreError(`The ${where} is not a model record (got ${record === null ? 'null' : typeof record}).`);
  const r = record as Record<string, unknown>;
  if (typeof r.id !== 'string' || r.id === '') throw new ModelStoreError(`The ${where} has no id.`);
  if (r.version !== MODEL_FORMAT_VERSION) {
    throw new ModelStoreError(
      `Model "${r.id}" was saved in format version ${JSON.stringify(r.version)}; this version of clientlens reads format ${MODEL_FORMAT_VERSION}. Retrain the model, or use the clientlens version that saved it.`,
    );
  }
  if (!MODEL_KINDS.includes(r.kind as ModelKind)) throw new ModelStoreError(`Model "${r.id}" has unknown kind ${JSON.stringify(r.kind)}; known kinds: ${MODEL_KINDS.join(', ')}.`);
  if (typeof r.createdAt !== 'string' || Number.isNaN(Date.parse(r.createdAt))) throw new ModelStoreError(`Model "${r.id}" has no valid createdAt time.`);
  if (r.params === undefined || r.params === null) throw new ModelStoreError(`Model "${r.id}" has no params.`);
  if (r.metrics === null || typeof r.metrics !== 'object') throw new ModelStoreError(`Model "${r.id}" has no metrics.`);
  return r as unknown as StoredModel;
}

export class ModelStore {
  private constructor(private readonly db: IDBPDatabase<ModelDB>) {}

  /** Opens (creating if needed) the models database. `name` is for tests; default 'clientlens-models'. */
  static async open(name: string = MODEL_DB_NAME): Promise<ModelStore> {
    if (typeof indexedDB === 'undefined') throw new ModelStoreError('IndexedDB is not available here, so models cannot be saved; keep the trained model in memory instead.');
    const db = await openDB<ModelDB>(name, DB_VERSION, {
      upgrade(d) {
        const store = d.createObjectStore('models', { keyPath: 'id' });
        store.createIndex('byKind', 'kind');
      },
    });
    return new ModelStore(db);
  }

  /** Saves (or replaces) a model; the record is validated first. */
  async save(model: Omit<StoredModel, 'version' | 'createdAt'> & Partial<Pick<StoredModel, 'version' | 'createdAt'>>): Promise<StoredModel> {
    const record = validateModel({ version: MODEL_FORMAT_VERSION, createdAt: new Date().toISOString(), ...model }, 'model to save');
    await this.db.put('models', record);
    return record;
  }

  /** The model with this id, validated; throws ModelStoreError if it is missing or unreadable. */
  async load(id: string): Promise<StoredModel> {
    const record = await this.db.get('models', id);
    if (record === undefined) throw new ModelStoreError(`No saved model has id "${id}".`);
    return validateModel(record, `saved model "${id}"`);
  }

  /** The model with this id, validated, or undefined when none was saved under it. */
  async find(id: string): Promise<StoredModel | undefined> {
    const record = await this.db.get('models', id);
    return record === undefined ? undefined : validateModel(record, `saved model "${id}"`);
  }

  /** Summaries (no params), newest first; optionally of one kind. */
  async list(kind?: ModelKind): Promise<ModelSummary[]> {
    const all = kind ? await this.db.getAllFromIndex('models', 'byKind', kind) : await this.db.getAll('models');
    return all
      .map(({ params: _p, features: _f, ...rest }) => rest)
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  }

  /** Deletes a model; returns false if there was none with that id. */
  async delete(id: string): Promise<boolean> {
    const tx = this.db.transaction('models', 'readwrite');
    const existed = (await tx.store.getKey(id)) !== undefined;
    if (existed) await tx.store.delete(id);
    await tx.done;
    return existed;
  }

  close(): void {
    this.db.close();
  }
}

/** The record that saves a trained churn model: its plan as `features`, fitted trees or coefficients as `params`. */
export function churnModelRecord(model: ChurnModel, meta: { id: string; name?: string; datasetId?: string }): Omit<StoredModel, 'version' | 'createdAt'> {
  return {
    ...meta,
    kind: model.kind === 'logistic' ? 'churn-logistic' : 'churn-gbdt',
    features: model.plan,
    params: { model: model.model, groups: model.groups, warnings: model.warnings },
    metrics: { ...model.metrics },
  };
}

/** Rebuilds a churn model from a loaded record, ready for scoreChurn on new data. */
export function churnModelFromRecord(record: StoredModel): ChurnModel {
  if (record.kind !== 'churn-logistic' && record.kind !== 'churn-gbdt') throw new ModelStoreError(`Model "${record.id}" is a ${record.kind} model, not a churn model.`);
  const params = record.params as { model?: ChurnModel['model']; groups?: ChurnModel['groups']; warnings?: string[] };
  const plan = record.features as ChurnModel['plan'];
  if (!params?.model || !params.groups || !plan || plan.version !== 1 || !Array.isArray(plan.columns)) {
    throw new ModelStoreError(`Model "${record.id}" is incomplete: it lacks its feature plan or fitted parameters.`);
  }
  const kind = record.kind === 'churn-logistic' ? 'logistic' : 'gbdt';
  if (params.model.kind !== kind) throw new ModelStoreError(`Model "${record.id}" says ${record.kind} but holds a ${params.model.kind} model.`);
  return { kind, plan, model: params.model, groups: params.groups, metrics: record.metrics as unknown as ChurnModel['metrics'], warnings: params.warnings ?? [] };
}
