/**
 * What every model fit shares: hooks into the worker's job context (so a long fit yields, can be
 * cancelled and reports progress), and the error a fit throws when the data cannot support it.
 */

export interface FitHooks {
  /** Awaited between iterations (Newton steps, trees, Lloyd passes): yields, throws if cancelled. */
  readonly checkpoint?: () => Promise<void>;
  /** Fraction done, 0..1. */
  readonly progress?: (fraction: number) => void;
}

/** A fit that cannot produce a trustworthy model (non-convergence, degenerate data); the message says why. */
export class ModelFitError extends Error {
  override readonly name = 'ModelFitError';
}
