/**
 * The GLMM bootstrap's quasi-Newton refit (src/glmm/nearby-refit.ts) on functions with known minima: it converges
 * from a wrong curvature (BFGS learns it), and a random-effect SD stuck at the stationary point 0 of an even
 * criterion is probed and left for the true minimum.
 */
import { describe, expect, it } from "vitest";
import { GlmmNearbyRefit } from "../../src/glmm/nearby-refit.js";

describe("GlmmNearbyRefit", () => {
  it("minimises a convex function from a curvature 3× off, to the Newton-decrement tolerance", () => {
    // f = 50 + (x0 − 1)² + 2(x1 + 0.5)² + x0·x1 … a quadratic with minimum where ∇f = 0.
    const f = (x: Float64Array) => {
      const a = x[0] as number;
      const b = x[1] as number;
      return 50 + (a - 1) ** 2 + 2 * (b + 0.5) ** 2 + 0.5 * a * b;
    };
    // Exact minimiser: [2 0.5; 0.5 4][a b]ᵀ = [2 −2]ᵀ.
    const det = 2 * 4 - 0.25;
    const a = (2 * 4 - 0.5 * -2) / det;
    const b = (2 * -2 - 0.5 * 2) / det;
    const refit = new GlmmNearbyRefit(Float64Array.of(6, 0, 0, 12), 2);
    const fmin = refit.run(f, Float64Array.of(-1, 1));
    expect(fmin).not.toBeNull();
    expect(Math.abs((fmin as number) - f(Float64Array.of(a, b)))).toBeLessThan(1e-7);
    expect(Math.abs((refit.x[0] as number) - a)).toBeLessThan(1e-3);
    expect(Math.abs((refit.x[1] as number) - b)).toBeLessThan(1e-3);
  });

  it("leaves θ = 0 (a maximum of an even criterion) for the minimum at |θ| = 1 by probing the zero SD", () => {
    // Even in θ (index 0), a maximum at θ = 0: the gradient there is 0 (to rounding), so a gradient method stays.
    const f = (x: Float64Array) => ((x[0] as number) ** 2 - 1) ** 2 + ((x[1] as number) - 2) ** 2;
    const withProbe = new GlmmNearbyRefit(Float64Array.of(1, 0, 0, 2), 2, [0]);
    const fmin = withProbe.run(f, Float64Array.of(0, 2));
    expect(fmin).not.toBeNull();
    expect(fmin as number).toBeLessThan(1e-8);
    expect(Math.abs(Math.abs(withProbe.x[0] as number) - 1)).toBeLessThan(1e-3);
    // Without the SD listed as one, the refit stops at the stationary point θ = 0.
    const without = new GlmmNearbyRefit(Float64Array.of(1, 0, 0, 2), 2);
    expect(without.run(f, Float64Array.of(0, 2))).toBeCloseTo(1, 6);
  });
});
