import { ClDatasetLoader } from './cl-dataset-loader.component.js';

export { ClDatasetLoader };
export type { DatasetLoadDetail, DatasetErrorDetail } from './cl-dataset-loader.component.js';

if (!customElements.get('cl-dataset-loader')) customElements.define('cl-dataset-loader', ClDatasetLoader);

declare global {
  interface HTMLElementTagNameMap {
    'cl-dataset-loader': ClDatasetLoader;
  }
  interface HTMLElementEventMap {
    'cl-dataset-load': CustomEvent<import('./cl-dataset-loader.component.js').DatasetLoadDetail>;
    'cl-dataset-error': CustomEvent<import('./cl-dataset-loader.component.js').DatasetErrorDetail>;
  }
}
