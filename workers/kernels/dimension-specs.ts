/**
 * Dimensions (how segment-rollup and friends group clients) as specs: their shapes and the
 * built-in defaults (wealth tiers, asset scale, risk preference). Elements and the built-in plugin
 * offer these on the page; validating and binning (dimension.ts) run in the workers.
 */
import type { FilterSpec } from './filter.js';
import type { ClusterDimension } from './cluster-dimension.js';
import { WEALTH_TIERS } from '../../src/schema/client-schema.js';
import { DEFAULT_TIER_THRESHOLDS } from '../../src/schema/wealth-tiers.js';

export const DEFAULT_MISSING_LABEL = '(missing)';
export const DEFAULT_TAG_OTHERWISE = 'other';

export interface BinsSpec {
  readonly column: string;
  readonly edges: readonly number[];
  readonly labels: readonly string[];
  readonly missingLabel?: string;
}

export interface TierSpec {
  readonly column?: string;
  readonly thresholds?: readonly number[];
  readonly labels?: readonly string[];
  readonly missingLabel?: string;
}

export interface TagRule {
  readonly label: string;
  readonly when: FilterSpec;
}

export type Dimension =
  | { readonly column: string; readonly missingLabel?: string }
  | { readonly tier: TierSpec }
  | { readonly bins: BinsSpec }
  | { readonly tag: { readonly rules: readonly TagRule[]; readonly otherwise?: string } }
  | { readonly cluster: ClusterDimension };

/** Wealth tiers by AUM with the schema's defaults. */
export const DEFAULT_TIER: TierSpec = Object.freeze({ column: 'aum', thresholds: DEFAULT_TIER_THRESHOLDS, labels: WEALTH_TIERS });

/**
 * Asset scale, a dynamic tag: low below the mass-affluent entry (50,000), mid up to the affluent
 * (wealth-management) entry (500,000), high from there: the first two default tier thresholds, so
 * "high assets" is the clientele that gets wealth-management service. Ascending like tiers.
 */
export const DEFAULT_ASSET_SCALE: BinsSpec = Object.freeze({
  column: 'aum',
  edges: Object.freeze([DEFAULT_TIER_THRESHOLDS[0], DEFAULT_TIER_THRESHOLDS[1]]),
  labels: Object.freeze(['low', 'mid', 'high']),
});

/** Risk preference from the risk-assessment level 1..5: 1-2 conservative, 3 balanced, 4-5 aggressive. */
export const DEFAULT_RISK_PREFERENCE: BinsSpec = Object.freeze({
  column: 'riskLevel',
  edges: Object.freeze([3, 4]),
  labels: Object.freeze(['conservative', 'balanced', 'aggressive']),
});
