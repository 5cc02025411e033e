/**
 * Wealth tiers by AUM: the one place that maps an amount to a tier, shared by the generator and
 * by kernels that re-tier data with a bank's own thresholds.
 *
 * Thresholds are the inclusive LOWER bounds of the tiers above 'mass', in the portfolio currency:
 * `[massAffluent, affluent, hnw, uhnw]`, strictly ascending. A client whose AUM equals a bound is
 * in the higher tier.
 */
import { WEALTH_TIERS } from './client-schema.js';

export type WealthTier = (typeof WEALTH_TIERS)[number];

/**
 * Defaults in CNY, following common practice at Chinese retail banks:
 * - 50,000: the usual entry to "gold"/mass-affluent service;
 * - 500,000: wealth-management (affluent) service;
 * - 6,000,000: private banking, the customary entry of RMB 6 million in financial assets;
 * - 50,000,000: ultra-high-net-worth desks.
 * A bank changes them in settings; in other currencies they must be restated, not converted blindly.
 */
export const DEFAULT_TIER_THRESHOLDS: readonly number[] = Object.freeze([50_000, 500_000, 6_000_000, 50_000_000]);

/** Number of thresholds a tier list needs: one per tier above the first. */
export const TIER_THRESHOLD_COUNT = WEALTH_TIERS.length - 1;

/**
 * Throws an Error naming the problem when `thresholds` is not a usable threshold list: not an
 * array, wrong length, a non-finite or negative entry, or not strictly ascending. `label` names
 * the input in the message (an option or attribute name). Input may be untrusted (attributes).
 */
export function validateTierThresholds(thresholds: unknown, label = 'tier thresholds'): asserts thresholds is readonly number[] {
  const expect = `${TIER_THRESHOLD_COUNT} ascending lower bounds for ${WEALTH_TIERS.slice(1).join(', ')}`;
  if (!Array.isArray(thresholds)) {
    throw new Error(`${label} must be an array of ${expect}; got ${thresholds === null ? 'null' : typeof thresholds}.`);
  }
  if (thresholds.length !== TIER_THRESHOLD_COUNT) {
    throw new Error(`${label} must have exactly ${TIER_THRESHOLD_COUNT} entries (${expect}); got ${thresholds.length}.`);
  }
  for (let i = 0; i < thresholds.length; i++) {
    const t: unknown = thresholds[i];
    const tier = WEALTH_TIERS[i + 1];
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      throw new Error(`${label}: the lower bound of "${tier}" (entry ${i}) must be a finite number; got ${JSON.stringify(t) ?? String(t)}.`);
    }
    if (t < 0) throw new Error(`${label}: the lower bound of "${tier}" (entry ${i}) is negative (${t}); AUM thresholds must be >= 0.`);
    if (i > 0 && !(t > (thresholds[i - 1] as number))) {
      throw new Error(
        `${label} must be strictly ascending: the lower bound of "${tier}" (${t}) is not above that of "${WEALTH_TIERS[i]}" (${thresholds[i - 1]}).`,
      );
    }
  }
}

/**
 * Index into WEALTH_TIERS for an AUM (0 = mass), or -1 when `aum` is NaN (no tier; a null AUM
 * must not silently become 'mass'). No validation here, so it can run per row: callers validate
 * the thresholds once with `validateTierThresholds`.
 */
export function tierIndexOf(aum: number, thresholds: readonly number[] = DEFAULT_TIER_THRESHOLDS): number {
  if (aum !== aum) return -1;
  let k = 0;
  while (k < thresholds.length && aum >= thresholds[k]) k++;
  return k;
}

/** The tier of an AUM. Throws for NaN (see tierIndexOf); thresholds as in tierIndexOf. */
export function tierOf(aum: number, thresholds: readonly number[] = DEFAULT_TIER_THRESHOLDS): WealthTier {
  const k = tierIndexOf(aum, thresholds);
  if (k < 0) throw new RangeError('tierOf: AUM is NaN; a client without an AUM has no wealth tier.');
  return WEALTH_TIERS[k];
}
