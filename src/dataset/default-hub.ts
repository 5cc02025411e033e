/**
 * The page's shared DataHub: elements that are not handed a hub use this one, so two elements
 * showing the same dataset load it once and share one worker pool.
 */
import { DataHub, type DataHubOptions } from './data-hub.js';

let shared: Promise<DataHub> | undefined;

export function getDefaultHub(): Promise<DataHub> {
  return (shared ??= DataHub.create());
}

/** Sets up the shared hub with options; must run before any element asks for it. */
export function configureDefaultHub(options: DataHubOptions): Promise<DataHub> {
  if (shared) throw new Error('The default DataHub already exists; call configureDefaultHub before any clientlens element loads data.');
  return (shared = DataHub.create(options));
}
