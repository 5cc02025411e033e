// Wealth tiers: boundaries are inclusive lower bounds, NaN has no tier, bad threshold lists are
// rejected with a message that names the problem.
import { describe, expect, it } from 'vitest';
import { WEALTH_TIERS } from '../../src/schema/client-schema.js';
import {
  DEFAULT_TIER_THRESHOLDS, TIER_THRESHOLD_COUNT, tierIndexOf, tierOf, validateTierThresholds,
} from '../../src/schema/wealth-tiers.js';

describe('DEFAULT_TIER_THRESHOLDS', () => {
  it('has one ascending lower bound per tier above mass and is frozen', () => {
    expect(TIER_THRESHOLD_COUNT).toBe(4);
    expect([...DEFAULT_TIER_THRESHOLDS]).toEqual([50_000, 500_000, 6_000_000, 50_000_000]);
    expect(() => validateTierThresholds(DEFAULT_TIER_THRESHOLDS)).not.toThrow();
    expect(Object.isFrozen(DEFAULT_TIER_THRESHOLDS)).toBe(true);
  });
});

describe('tierOf', () => {
  it('puts an AUM equal to a bound in the higher tier and one cent below in the lower', () => {
    const expected = ['mass-affluent', 'affluent', 'hnw', 'uhnw'];
    DEFAULT_TIER_THRESHOLDS.forEach((bound, i) => {
      expect(tierOf(bound)).toBe(expected[i]);
      expect(tierOf(bound - 0.01)).toBe(i === 0 ? 'mass' : expected[i - 1]);
    });
  });

  it('handles zero, negative, huge and infinite amounts', () => {
    expect(tierOf(0)).toBe('mass');
    expect(tierOf(-1_000)).toBe('mass');
    expect(tierOf(1e15)).toBe('uhnw');
    expect(tierOf(Infinity)).toBe('uhnw');
  });

  it('gives NaN no tier instead of silently calling it mass', () => {
    expect(tierIndexOf(NaN)).toBe(-1);
    expect(() => tierOf(NaN)).toThrow(/NaN/);
  });

  it('uses custom thresholds', () => {
    const t = [10, 20, 30, 40];
    expect([5, 10, 19.99, 20, 30, 39, 40, 1e9].map((x) => tierOf(x, t))).toEqual([
      'mass', 'mass-affluent', 'mass-affluent', 'affluent', 'hnw', 'hnw', 'uhnw', 'uhnw',
    ]);
    expect(tierOf(0, [0, 1, 2, 3])).toBe('mass-affluent');
  });

  it('agrees with counting the bounds at or below the amount', () => {
    let s = 12345;
    for (let i = 0; i < 5_000; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const aum = Math.exp((s / 2 ** 32) * 20); // 1 .. 4.8e8, log-uniform
      const count = DEFAULT_TIER_THRESHOLDS.filter((b) => b <= aum).length;
      expect(tierOf(aum)).toBe(WEALTH_TIERS[count]);
      expect(tierIndexOf(aum)).toBe(count);
    }
  });
});

describe('validateTierThresholds', () => {
  const bad: [unknown, RegExp][] = [
    [undefined, /must be an array/],
    ['50000,500000', /must be an array/],
    [null, /got null/],
    [[50_000, 500_000, 6_000_000], /exactly 4 entries.*got 3/],
    [[1, 2, 3, 4, 5], /exactly 4 entries.*got 5/],
    [[], /exactly 4 entries.*got 0/],
    [[-1, 2, 3, 4], /"mass-affluent".*negative/],
    [[1, 2, 3, -4], /"uhnw".*negative/],
    [[1, 3, 2, 4], /strictly ascending.*"hnw" \(2\).*"affluent" \(3\)/],
    [[1, 2, 2, 4], /strictly ascending/],
    [[1, NaN, 3, 4], /"affluent".*finite number/],
    [[1, 2, Infinity, 4], /"hnw".*finite number/],
    [[1, '2', 3, 4], /"affluent".*finite number.*"2"/],
  ];
  it.each(bad)('rejects %j', (value, message) => {
    expect(() => validateTierThresholds(value)).toThrow(message);
  });

  it('names the input in the message', () => {
    expect(() => validateTierThresholds([1, 2], 'Attribute "tier-thresholds"')).toThrow(/^Attribute "tier-thresholds" must have exactly 4/);
  });

  it('accepts zero as the first bound and any strictly ascending list', () => {
    expect(() => validateTierThresholds([0, 1, 2, 3])).not.toThrow();
    expect(() => validateTierThresholds([10_000, 100_000, 1_000_000, 10_000_000])).not.toThrow();
  });
});
