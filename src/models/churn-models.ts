/**
 * The churn model of each loaded dataset on a page, shared by every element of one hub: the list
 * and the card show the same model's scores, a model is trained once however many elements ask,
 * and a trained model is saved in IndexedDB (the model store) under the dataset's identity, so the
 * next visit scores at once instead of training again.
 *
 * Contract:
 * - A model belongs to a dataset *version* (`Dataset.key`): new data never gets an old model.
 * - `train` while training returns the running training; `cancel` aborts it.
 * - Saving is best effort: without IndexedDB (or when it fails) the model stays in memory and the
 *   state says `saved: false`; a stored record that cannot be read is ignored and training is
 *   offered again, never a half-read model.
 * - The model code (training, the store's records) loads on demand (models-on-demand.ts): when a
 *   model is trained, or restored while the models database exists. A page whose browser never
 *   saved a model asks `indexedDB.databases()` and loads nothing; restoring no longer creates the
 *   database (saving does). A failed load reads as "no saved model" for `restore` and as the
 *   training's error for `train`.
 */
import type { DataHub, Dataset } from '../dataset/data-hub.js';
import { Emitter, toDisposable, type Disposable } from '../lifecycle/disposable.js';
import type { ChurnModel } from '../../workers/models/churn-model.js';
import type { ModelStore } from '../../workers/models/model-store.js';
import type { TrainChurnOptions } from './train-churn.js';
import { loadModelCode, trainChurn } from './models-on-demand.js';

export type ChurnModelState =
  | { readonly status: 'none' }
  | { readonly status: 'training'; readonly progress: number }
  | { readonly status: 'ready'; readonly model: ChurnModel; readonly saved: boolean; readonly trainedAt: string }
  | { readonly status: 'error'; readonly error: Error };

interface Entry {
  state: ChurnModelState;
  training?: { promise: Promise<ChurnModel>; abort: AbortController };
  restoring?: Promise<ChurnModel | undefined>;
}

const services = new WeakMap<DataHub, ChurnModels>();

export class ChurnModels {
  /** The service of a hub (one per hub, created on first use). */
  static of(hub: DataHub): ChurnModels {
    let s = services.get(hub);
    if (!s) services.set(hub, (s = new ChurnModels(hub)));
    return s;
  }

  private readonly entries = new Map<string, Entry>();
  private readonly changes = new Emitter<string>();
  private store?: Promise<ModelStore | undefined>;

  private constructor(private readonly hub: DataHub) {}

  state(dataset: Dataset): ChurnModelState {
    return this.entries.get(dataset.key)?.state ?? { status: 'none' };
  }

  /** The ready model of the dataset, if any. */
  model(dataset: Dataset): ChurnModel | undefined {
    const s = this.state(dataset);
    return s.status === 'ready' ? s.model : undefined;
  }

  /** Called with the dataset key whenever that dataset's model state changes. */
  onChange(listener: (datasetKey: string) => void): Disposable {
    return this.changes.on(listener);
  }

  /** Loads the saved model of this dataset version, if one was saved; never throws. */
  restore(dataset: Dataset): Promise<ChurnModel | undefined> {
    const entry = this.entry(dataset.key);
    if (entry.state.status === 'ready') return Promise.resolve(entry.state.model);
    return (entry.restoring ??= (async () => {
      try {
        if (!(await mayHaveSavedModels())) return undefined;
        const store = await this.openStore();
        const record = await store?.find(modelId(dataset));
        if (!record || entry.state.status === 'ready' || entry.state.status === 'training') return this.model(dataset);
        const model = (await loadModelCode()).churnModelFromRecord(record);
        this.set(entry, dataset.key, { status: 'ready', model, saved: true, trainedAt: record.createdAt });
        return model;
      } catch (err) {
        console.warn(`clientlens: the saved churn model could not be read (${(err as Error).message}); it will be trained again when asked.`);
        return undefined;
      }
    })());
  }

  /** Trains (or returns the training in progress); the model is saved when it is done. */
  train(dataset: Dataset, options: Omit<TrainChurnOptions, 'signal' | 'onProgress'> = {}): Promise<ChurnModel> {
    const entry = this.entry(dataset.key);
    if (entry.training) return entry.training.promise;
    const abort = new AbortController();
    // One listener for the dataset's life: training stops with it.
    const stop = dataset.onDispose(() => abort.abort(new DOMException('The dataset was closed.', 'AbortError')));
    this.set(entry, dataset.key, { status: 'training', progress: 0 });
    let lastShown = 0;
    const promise = trainChurn(this.hub, dataset, {
      ...options,
      signal: abort.signal,
      onProgress: (f) => {
        // Progress events are frequent; elements need a few per second at most.
        if (f - lastShown < 0.02 && f < 1) return;
        lastShown = f;
        this.set(entry, dataset.key, { status: 'training', progress: f });
      },
    })
      .then(async (model) => {
        const saved = await this.save(dataset, model);
        this.set(entry, dataset.key, { status: 'ready', model, saved, trainedAt: new Date().toISOString() });
        return model;
      })
      .catch((err: Error) => {
        this.set(entry, dataset.key, err?.name === 'AbortError' ? { status: 'none' } : { status: 'error', error: err });
        throw err;
      })
      .finally(() => {
        entry.training = undefined;
        void stop.dispose();
      });
    entry.training = { promise, abort };
    return promise;
  }

  cancel(dataset: Dataset): void {
    this.entries.get(dataset.key)?.training?.abort.abort(new DOMException('Training was cancelled.', 'AbortError'));
  }

  /** Uses a model trained elsewhere (e.g. loaded by the host page) for this dataset. */
  use(dataset: Dataset, model: ChurnModel): Disposable {
    const entry = this.entry(dataset.key);
    this.set(entry, dataset.key, { status: 'ready', model, saved: false, trainedAt: new Date().toISOString() });
    return toDisposable(() => {
      if (entry.state.status === 'ready' && entry.state.model === model) this.set(entry, dataset.key, { status: 'none' });
    });
  }

  private entry(key: string): Entry {
    let e = this.entries.get(key);
    if (!e) this.entries.set(key, (e = { state: { status: 'none' } }));
    return e;
  }

  private set(entry: Entry, key: string, state: ChurnModelState): void {
    entry.state = state;
    this.changes.emit(key);
  }

  /** Rejects when the model code fails to load (not kept: the next call loads again). */
  private async openStore(): Promise<ModelStore | undefined> {
    const code = await loadModelCode();
    return (this.store ??= code.ModelStore.open().catch((err: Error) => {
      console.warn(`clientlens: models are kept in memory only (${err.message}).`);
      return undefined;
    }));
  }

  private async save(dataset: Dataset, model: ChurnModel): Promise<boolean> {
    try {
      const store = await this.openStore();
      if (!store) return false;
      await store.save((await loadModelCode()).churnModelRecord(model, { id: modelId(dataset), name: `Churn model of ${dataset.id}`, datasetId: dataset.key }));
      return true;
    } catch (err) {
      console.warn(`clientlens: the churn model could not be saved (${(err as Error).message}); it is kept in memory for this page.`);
      return false;
    }
  }
}

function modelId(dataset: Dataset): string {
  return `churn:${dataset.key}`;
}

/** ModelStore.open()'s database (MODEL_DB_NAME of workers/models/model-store.ts, which loads on demand; a test checks they agree). */
export const CHURN_MODEL_DB_NAME = 'clientlens-models';

/**
 * False only when the browser can tell that the models database does not exist (so no model was
 * ever saved here): then restoring loads no model code. True when it exists or cannot be told
 * (no `indexedDB.databases()`, or it fails), so restoring looks as it always did.
 */
async function mayHaveSavedModels(): Promise<boolean> {
  if (typeof indexedDB === 'undefined') return false;
  if (typeof indexedDB.databases !== 'function') return true;
  try {
    return (await indexedDB.databases()).some((db) => db.name === CHURN_MODEL_DB_NAME);
  } catch {
    return true;
  }
}
