/** The response reduction's least squares (src/fit/least-squares.ts): residuals orthogonal to X, sparse or dense. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ResponseReduction } from "../../src/fit/least-squares.js";

/** X with an intercept, a dense covariate and indicator columns of a factor (sparse), column-major. */
function design(n: number, levels: number, xs: number[]): Float64Array {
  const p = 2 + (levels - 1);
  const X = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    X[i] = 1;
    X[n + i] = xs[i % xs.length] as number;
    const level = i % levels;
    if (level > 0) X[(1 + level) * n + i] = 1;
  }
  return X;
}

describe("ResponseReduction", () => {
  it("property: Xᵀ(y − Xβ₀) = 0 and y − Xβ₀ is the returned residual (fixed seed)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 9, max: 12 }),
        fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 40, maxLength: 40 }),
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 40, maxLength: 40 }),
        fc.double({ min: -1e12, max: 1e12, noNaN: true }),
        (levels, xs, ys, shift) => {
          const n = 40 * 3;
          const p = 1 + levels;
          const X = design(n, levels, xs);
          const red = new ResponseReduction(X, n, p);
          const y = Float64Array.from({ length: n }, (_, i) => (ys[i % 40] as number) + shift + i * 0.01);
          const r = new Float64Array(n);
          const beta0 = red.reduce(y, r);
          let yNorm = 0;
          for (const v of y) yNorm = Math.max(yNorm, Math.abs(v));
          for (let j = 0; j < p; j++) {
            let dot = 0;
            let colNorm = 0;
            for (let i = 0; i < n; i++) {
              dot += (X[j * n + i] as number) * (r[i] as number);
              colNorm += (X[j * n + i] as number) ** 2;
            }
            // Orthogonal to rounding of the residual's size (not of y's: that is what the refinement buys).
            let rNorm = 0;
            for (const v of r) rNorm += v * v;
            expect(Math.abs(dot)).toBeLessThanOrEqual(1e-9 * Math.sqrt(colNorm * rNorm) + 1e-15 * yNorm * n);
          }
          // r = y − Xβ₀ to rounding of y.
          for (let i = 0; i < n; i += 17) {
            let fitted = 0;
            for (let j = 0; j < p; j++) fitted += (X[j * n + i] as number) * (beta0[j] as number);
            expect(Math.abs((y[i] as number) - fitted - (r[i] as number))).toBeLessThanOrEqual(
              1e-14 * yNorm + 1e-12,
            );
          }
        },
      ),
      { seed: 18, numRuns: 60 },
    );
  });

  it("a rank-deficient or empty X leaves y as it is (β₀ = 0)", () => {
    const n = 10;
    const X = new Float64Array(2 * n).fill(1); // two identical columns
    const y = Float64Array.from({ length: n }, (_, i) => i);
    const r = new Float64Array(n);
    expect(Array.from(new ResponseReduction(X, n, 2).reduce(y, r))).toEqual([0, 0]);
    expect(Array.from(r)).toEqual(Array.from(y));
    expect(Array.from(new ResponseReduction(new Float64Array(0), n, 0).reduce(y, r))).toEqual([]);
  });
});
