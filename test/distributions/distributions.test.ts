import { describe, expect, it } from "vitest";
import { chiSquareUpper } from "../../src/distributions/chisq.js";
import { gammaQ, logGamma } from "../../src/distributions/gamma.js";
import { normalCdf } from "../../src/distributions/normal.js";

describe("distribution functions", () => {
  it("logGamma matches log((n-1)!) and Γ(1/2) = √π", () => {
    let fact = 1;
    for (let n = 1; n < 20; n++) {
      if (n > 1) fact *= n - 1;
      expect(logGamma(n)).toBeCloseTo(Math.log(fact), 10);
    }
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
  });

  it("χ² upper tail with 2 df is exp(-x/2) (closed form), on both sides of the series/fraction switch", () => {
    for (const x of [0.01, 0.5, 1, 3, 3.99, 4.01, 10, 42.1393, 200]) {
      const exact = Math.exp(-x / 2);
      expect(Math.abs(chiSquareUpper(x, 2) - exact) / exact).toBeLessThan(1e-12);
    }
  });

  it("χ² upper tail with 4 df is exp(-x/2)(1 + x/2) (closed form)", () => {
    for (const x of [0.2, 2, 5, 12.62, 60]) {
      const exact = Math.exp(-x / 2) * (1 + x / 2);
      expect(Math.abs(chiSquareUpper(x, 4) - exact) / exact).toBeLessThan(1e-12);
    }
  });

  it("χ² 1 df quantiles: 3.841459 → 0.05, 6.634897 → 0.01 (R's qchisq)", () => {
    expect(chiSquareUpper(3.841458820694124, 1)).toBeCloseTo(0.05, 12);
    expect(chiSquareUpper(6.634896601021214, 1)).toBeCloseTo(0.01, 12);
  });

  it("Φ matches known values and is symmetric", () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 15);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 13);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316301, 15);
    expect(Math.abs(normalCdf(-8) / 6.22096057427178e-16 - 1)).toBeLessThan(1e-10);
    for (const x of [0.3, 1.7, 4]) expect(normalCdf(x) + normalCdf(-x)).toBeCloseTo(1, 14);
  });

  it("gammaQ handles the edges: x ≤ 0 gives 1, x = ∞ gives 0, a ≤ 0 gives NaN", () => {
    expect(gammaQ(2, 0)).toBe(1);
    expect(gammaQ(2, Number.POSITIVE_INFINITY)).toBe(0);
    expect(gammaQ(0, 1)).toBeNaN();
  });
});
