/**
 * The default features of behavioural clusters. A file of its own so that the page can name them
 * without importing the fitting code (fit-clusters.ts, loaded on demand with the model code).
 */

/** Behaviour and value: what a relationship manager would describe a client by. */
export const DEFAULT_CLUSTER_FEATURES = ['aum', 'revenue', 'productsHeld', 'txnCount12m', 'lastTxnDate', 'assetOutflow3m'] as const;
