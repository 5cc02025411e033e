// The seeded generator behind the synthetic data: a pinned integer stream (datasets change if it
// does) and sane distributions. Reference values come from an independent Python implementation
// of sfc32 seeded with the splitmix32 finaliser.
import { describe, expect, it } from 'vitest';
import { Rng, weightTable, mix32 } from '../../src/generate/random.js';

describe('Rng stream', () => {
  it('matches the reference sfc32 / splitmix32 values', () => {
    expect([mix32(0), mix32(1), mix32(0xffffffff)]).toEqual([1684164658, 1580013426, 3950124170]);
    const r = new Rng(20260630, 1, 0);
    expect(Array.from({ length: 5 }, () => r.nextU32())).toEqual([3398617501, 749190039, 4269084580, 2628176136, 2838000947]);
  });

  it('gives different streams for keys differing in any one part', () => {
    const first = (s: number, a: number, b: number) => new Rng(s, a, b).nextU32();
    const keys: [number, number, number][] = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0], [1, 1, 0], [0, 1, 1]];
    expect(new Set(keys.map((k) => first(...k))).size).toBe(keys.length);
  });

  it('keeps uniforms in [0, 1) and uniformPos in (0, 1]', () => {
    const r = new Rng(3);
    let sum = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = r.uniform(), v = r.uniformPos();
      if (!(u >= 0 && u < 1 && v > 0 && v <= 1)) throw new Error(`draw ${i}: ${u}, ${v}`);
      sum += u;
    }
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
  });
});

describe('Rng distributions', () => {
  const moments = (draw: () => number, n = 200_000) => {
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) {
      const x = draw();
      s += x;
      s2 += x * x;
    }
    const mean = s / n;
    return { mean, variance: s2 / n - mean * mean };
  };

  it('draws standard normals (mean 0, variance 1, 2.3% beyond +2 sd)', () => {
    const r = new Rng(4);
    const { mean, variance } = moments(() => r.normal());
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
    let above = 0;
    for (let i = 0; i < 200_000; i++) if (r.normal() > 2) above++;
    expect(above / 200_000).toBeGreaterThan(0.021);
    expect(above / 200_000).toBeLessThan(0.0245);
  });

  it('matches the normal CDF everywhere, tails included', () => {
    // Phi by Simpson integration of the density (independent of the generator).
    const phi = (z: number) => {
      const a = -10, steps = 20_000, h = (z - a) / steps;
      const f = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
      let s = f(a) + f(z);
      for (let i = 1; i < steps; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
      return (s * h) / 3;
    };
    const r = new Rng(9);
    const n = 1_000_000;
    const points = [-4, -3.6, -3, -2, -1, -0.3, 0, 0.3, 1, 2, 3, 3.6, 4];
    const below = new Array<number>(points.length).fill(0);
    for (let i = 0; i < n; i++) {
      const x = r.normal();
      for (let p = 0; p < points.length; p++) if (x < points[p]) below[p]++;
    }
    points.forEach((z, p) => {
      const expected = phi(z);
      const sd = Math.sqrt((expected * (1 - expected)) / n);
      expect(Math.abs(below[p] / n - expected), `z=${z}`).toBeLessThan(5 * sd + 2e-6);
    });
  });

  it('draws log-normals with median e^mu', () => {
    const r = new Rng(5);
    const xs = Array.from({ length: 50_001 }, () => r.lognormal(Math.log(60_000), 1.5)).sort((a, b) => a - b);
    expect(xs[25_000] / 60_000).toBeGreaterThan(0.96);
    expect(xs[25_000] / 60_000).toBeLessThan(1.04);
  });

  it.each([0.3, 2, 12, 29.9, 45, 400])('draws Poisson counts with mean = variance = %d', (lambda) => {
    const r = new Rng(6);
    const { mean, variance } = moments(() => r.poisson(lambda), 100_000);
    expect(Math.abs(mean - lambda)).toBeLessThan(0.03 * lambda + 0.01);
    expect(Math.abs(variance - lambda)).toBeLessThan(0.06 * lambda + 0.02);
  });

  it('returns 0 for a non-positive Poisson mean', () => {
    const r = new Rng(1);
    expect([r.poisson(0), r.poisson(-3), r.poisson(NaN)]).toEqual([0, 0, 0]);
  });

  it('picks weighted indices in proportion, never a zero weight, for short and long tables', () => {
    for (const weights of [[1, 0, 3, 6], Array.from({ length: 40 }, (_, i) => (i % 5 === 0 ? 0 : i))]) {
      const table = weightTable(weights);
      const total = weights.reduce((a, b) => a + b, 0);
      const counts = new Array<number>(weights.length).fill(0);
      const r = new Rng(7);
      for (let i = 0; i < 200_000; i++) counts[r.weighted(table)]++;
      weights.forEach((w, i) => {
        if (w === 0) expect(counts[i]).toBe(0);
        else expect(Math.abs(counts[i] / 200_000 - w / total)).toBeLessThan(0.005);
      });
    }
  });

  it('rejects unusable weights', () => {
    expect(() => weightTable([])).toThrow(/at least one/);
    expect(() => weightTable([1, -1])).toThrow(/weight 1 is -1/);
    expect(() => weightTable([1, NaN])).toThrow(/finite/);
    expect(() => weightTable([0, 0])).toThrow(/all zero/);
  });
});
