/**
 * The Poisson family's simulation (src/glmm/family.ts): inversion up to a mean of 700, a sum of independent
 * Poisson parts above (where e^−μ underflows), an error beyond 1e6. Checked by the moments of many draws.
 */
import { describe, expect, it } from "vitest";
import { ModelError } from "../../src/errors.js";
import { makeFamily } from "../../src/glmm/family.js";
import { RandomStream } from "../../src/random/stream.js";

function moments(mu: number, n: number): { mean: number; variance: number } {
  const poisson = makeFamily("poisson");
  const rng = new RandomStream(42);
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const k = poisson.draw(mu, 1, rng);
    expect(Number.isInteger(k)).toBe(true);
    s += k;
    s2 += k * k;
  }
  const mean = s / n;
  return { mean, variance: s2 / n - mean * mean };
}

describe("Poisson draws", () => {
  for (const mu of [3.5, 650, 731, 5000])
    it(`mean and variance ≈ μ = ${mu} (4000 draws, within 4 standard errors)`, () => {
      const n = 4000;
      const { mean, variance } = moments(mu, n);
      expect(Math.abs(mean - mu)).toBeLessThan(4 * Math.sqrt(mu / n));
      // Var of the sample variance ≈ (μ + 2μ²)/n for a Poisson (fourth central moment μ + 3μ²).
      expect(Math.abs(variance - mu)).toBeLessThan(4 * Math.sqrt((mu + 2 * mu * mu) / n));
    });

  it("refuses a mean beyond 1e6 (and a non-finite one) with a ModelError, never a hang", () => {
    const poisson = makeFamily("poisson");
    const rng = new RandomStream(1);
    expect(() => poisson.draw(2e6, 1, rng)).toThrow(ModelError);
    expect(() => poisson.draw(Number.POSITIVE_INFINITY, 1, rng)).toThrow(/cannot simulate a Poisson count/);
    expect(() => poisson.draw(Number.NaN, 1, rng)).toThrow(ModelError);
  });
});
