/**
 * The optimiser on functions whose minimum is known: a bounded quadratic with active and inactive bounds,
 * Rosenbrock (free and with its bound active), the derivative-free fallback, and the failure paths.
 */
import { describe, expect, it } from "vitest";
import { minimizeBounded, nelderMead, type Objective } from "../../src/fit/optimize.js";

/** f(x) = Σ w_i (x_i − c_i)², gradient 2 w_i (x_i − c_i). */
function quadratic(c: number[], w: number[]): Objective {
  return (x, g) => {
    let f = 0;
    for (let i = 0; i < c.length; i++) {
      const d = (x[i] as number) - (c[i] as number);
      f += (w[i] as number) * d * d;
      if (g) g[i] = 2 * (w[i] as number) * d;
    }
    return f;
  };
}

const rosenbrock: Objective = (x, g) => {
  const a = x[0] as number;
  const b = x[1] as number;
  if (g) {
    g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
    g[1] = 200 * (b - a * a);
  }
  return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
};

describe("minimizeBounded", () => {
  it("bounded quadratic: centre inside the bounds is found exactly", () => {
    const r = minimizeBounded(quadratic([0.5, -2, 3], [1, 10, 0.1]), Float64Array.from([1, 1, 1]), {
      lower: Float64Array.from([0, -Infinity, 0]),
    });
    expect(r.converged).toBe(true);
    expect(Array.from(r.x)).toEqual([expect.closeTo(0.5, 6), expect.closeTo(-2, 6), expect.closeTo(3, 6)]);
    expect(r.f).toBeLessThan(1e-10);
    expect(r.method).toBe("quasi-newton");
  });

  it("bounded quadratic: centre below a bound stops exactly on the bound with an outward gradient", () => {
    const r = minimizeBounded(quadratic([-1, 2, -0.5], [1, 1, 4]), Float64Array.from([1, 1, 1]), {
      lower: Float64Array.from([0, 0, 0]),
    });
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBe(0);
    expect(r.x[1]).toBeCloseTo(2, 6);
    expect(r.x[2]).toBe(0);
    // f at the constrained minimum: 1·1² + 4·0.5² = 2; the projected gradient there is 0.
    expect(r.f).toBeCloseTo(2, 10);
    expect(r.gradientNorm).toBeLessThan(1e-6);
  });

  it("Rosenbrock without bounds reaches (1, 1) from the classic start", () => {
    const r = minimizeBounded(rosenbrock, Float64Array.from([-1.2, 1]), {
      lower: Float64Array.from([-Infinity, -Infinity]),
    });
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 4);
    expect(r.x[1]).toBeCloseTo(1, 4);
    expect(r.evaluations).toBeLessThan(200);
  });

  it("Rosenbrock with the bound x₀ ≥ 1.5 active: minimum at (1.5, 2.25)", () => {
    // For fixed x₀ the best x₁ is x₀², leaving (1 − x₀)², increasing for x₀ > 1: the bound is active.
    const r = minimizeBounded(rosenbrock, Float64Array.from([3, 0]), {
      lower: Float64Array.from([1.5, -Infinity]),
    });
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBe(1.5);
    expect(r.x[1]).toBeCloseTo(2.25, 5);
    expect(r.f).toBeCloseTo(0.25, 8);
  });

  it("an infeasible start is projected onto the bounds first", () => {
    const r = minimizeBounded(quadratic([2], [1]), Float64Array.from([-5]), {
      lower: Float64Array.from([0]),
    });
    expect(r.x[0]).toBeCloseTo(2, 6);
  });

  it("falls back to Nelder–Mead when the gradient is wrong, and still finds the minimum", () => {
    // The reported gradient has the wrong sign: every quasi-Newton direction goes uphill, the line search fails.
    const f = quadratic([1, -1], [1, 3]);
    const wrong: Objective = (x, g) => {
      const v = f(x, g);
      if (g) for (let i = 0; i < g.length; i++) g[i] = -(g[i] as number);
      return v;
    };
    const r = minimizeBounded(wrong, Float64Array.from([4, 4]), {
      lower: Float64Array.from([-Infinity, -Infinity]),
    });
    expect(r.method).toBe("nelder-mead+quasi-newton");
    expect(r.x[0]).toBeCloseTo(1, 3);
    expect(r.x[1]).toBeCloseTo(-1, 3);
  });

  it("reports non-convergence when the evaluation budget runs out", () => {
    const r = minimizeBounded(rosenbrock, Float64Array.from([-1.2, 1]), {
      lower: Float64Array.from([-Infinity, -Infinity]),
      maxEvaluations: 5,
    });
    expect(r.converged).toBe(false);
    expect(r.message).toMatch(/evaluation limit reached \(max\|grad\| .*, tol 0.002\)/);
    // Never worse than the start.
    expect(r.f).toBeLessThanOrEqual(rosenbrock(Float64Array.from([-1.2, 1]), null));
  });

  it("treats a non-finite objective as a failed trial and backs off", () => {
    // log barrier: undefined for x ≤ 0 without a bound to say so; minimum of x − log x at x = 1.
    const f: Objective = (x, g) => {
      const v = x[0] as number;
      if (g) g[0] = 1 - 1 / v;
      return v - Math.log(v);
    };
    const r = minimizeBounded(f, Float64Array.from([5]), { lower: Float64Array.from([-Infinity]) });
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 5);
  });
});

describe("nelderMead", () => {
  it("minimises Rosenbrock from the classic start", () => {
    const x = Float64Array.from([-1.2, 1]);
    const r = nelderMead((p) => rosenbrock(p, null), x, Float64Array.from([-Infinity, -Infinity]), {
      maxEvaluations: 2000,
    });
    expect(r.f).toBeLessThan(1e-8);
    expect(x[0]).toBeCloseTo(1, 3);
  });

  it("respects a lower bound", () => {
    const x = Float64Array.from([3]);
    nelderMead((p) => ((p[0] as number) + 1) ** 2, x, Float64Array.from([0]));
    expect(x[0]).toBe(0);
  });
});
