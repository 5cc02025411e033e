// The page side of the models (src/models/) loads the model code on demand; what it must know
// without that code it keeps in a copy, checked here against the code's own.
import { describe, expect, it } from 'vitest';
import { CHURN_MODEL_DB_NAME } from '../../src/models/churn-models.js';
import { MODEL_DB_NAME } from '../../workers/models/model-store.js';
import { planColumns } from '../../workers/models/features.js';
import { defaultChurnColumns, defaultChurnFeatures } from '../../src/models/default-churn-features.js';
import { CLIENT_FIELDS, fieldDef } from '../../src/schema/client-schema.js';

describe('models on demand: what the page knows without the model code', () => {
  it('names the database the model store opens', () => {
    expect(CHURN_MODEL_DB_NAME).toBe(MODEL_DB_NAME);
  });

  it('lists the columns the default churn model reads, as the model code plans them', () => {
    const schema = CLIENT_FIELDS.map((name) => ({ name, type: fieldDef(name).type }));
    expect(defaultChurnColumns(schema)).toEqual(planColumns(defaultChurnFeatures(schema)));
  });
});
