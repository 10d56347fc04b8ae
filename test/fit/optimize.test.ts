/**
 * The optimiser on functions whose minimum is known: a bounded quadratic with active and inactive bounds,
 * Rosenbrock (free and with its bound active), the derivative-free fallback, and the failure paths.
 */
import { describe, expect, it } from "vitest";
import { valueDifferenceHessian } from "../../src/fit/fd-hessian.js";
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

/** Wraps an objective to count its calls with and without a gradient. */
function counted(f: Objective) {
  const calls = { withGradient: 0, valueOnly: 0 };
  const wrapped: Objective = (x, g) => {
    if (g) calls.withGradient++;
    else calls.valueOnly++;
    return f(x, g);
  };
  return { wrapped, calls };
}

/**
 * InstEval's REML difficulty in two variables: one stiff direction and one 1000× flatter whose minimum is far
 * from the start, along which f is concave before it turns convex (as the profiled deviance in a θ of a factor
 * with few levels). f = 1e4·(a − 0.3)² + 30·h(b), h(b) = (b − 0.07)² − 0.3·(b − 0.07)⁴/(1 + (b − 0.07)⁴).
 */
const anisotropic: Objective = (x, g) => {
  const a = (x[0] as number) - 0.3;
  const b = (x[1] as number) - 0.07;
  const b2 = b * b;
  const b4 = b2 * b2;
  if (g) {
    g[0] = 2e4 * a;
    g[1] = 30 * (2 * b - (0.3 * 4 * b2 * b) / (1 + b4) ** 2);
  }
  return 1e4 * a * a + 30 * (b2 - (0.3 * b4) / (1 + b4));
};

const free2 = { lower: Float64Array.from([-Infinity, -Infinity]) };

describe("minimizeBounded: objective-only trials (valueOnlyTrials)", () => {
  it("off by default: every evaluation computes the gradient", () => {
    const { wrapped, calls } = counted(anisotropic);
    const r = minimizeBounded(wrapped, Float64Array.from([1, 1]), free2);
    expect(r.converged).toBe(true);
    expect(calls.valueOnly).toBe(0);
    expect(r.gradientEvaluations).toBe(r.evaluations);
  });

  it("counts evaluations with and without the gradient as the objective saw them", () => {
    const { wrapped, calls } = counted(anisotropic);
    const r = minimizeBounded(wrapped, Float64Array.from([1, 1]), { ...free2, valueOnlyTrials: true });
    expect(r.evaluations).toBe(calls.withGradient + calls.valueOnly);
    expect(r.gradientEvaluations).toBe(calls.withGradient);
  });

  it("badly scaled problem: converges, and the value-only trials are actually used", () => {
    const { wrapped, calls } = counted(anisotropic);
    const r = minimizeBounded(wrapped, Float64Array.from([1, 1]), { ...free2, valueOnlyTrials: true });
    expect(r.converged).toBe(true);
    // The minimiser of h: h'(b) = 0 at b = 0.07 only (the quartic term is too small to create another minimum).
    expect(r.x[0]).toBeCloseTo(0.3, 6);
    expect(r.x[1]).toBeCloseTo(0.07, 4);
    expect(calls.valueOnly).toBeGreaterThan(0);
    expect(r.gradientEvaluations).toBeLessThan(r.evaluations);
  });

  it("the reported gradient is the one at the reported point, even when that point was first seen by value", () => {
    const r = minimizeBounded(anisotropic, Float64Array.from([1, 1]), { ...free2, valueOnlyTrials: true });
    const g = new Float64Array(2);
    const f = anisotropic(r.x, g);
    expect(r.f).toBe(f);
    expect(Array.from(r.gradient)).toEqual(Array.from(g));
  });

  it("extrapolation along a long flat valley: same minimum, cheaper at InstEval's cost ratio than the default path", () => {
    // f = (x − 50)²/1e4 + 1e2·y²: from 0 the first steps are tiny along x; doubling by value alone carries it.
    const f = quadratic([50, 0], [1e-4, 1e2]);
    const byValues = minimizeBounded(f, Float64Array.from([0, 1]), { ...free2, valueOnlyTrials: true });
    const allGradient = minimizeBounded(f, Float64Array.from([0, 1]), free2);
    expect(byValues.converged).toBe(true);
    expect(byValues.x[0]).toBeCloseTo(50, 2);
    expect(byValues.x[1]).toBeCloseTo(0, 6);
    // InstEval: f and ∇f cost about 190 ms, f alone about 60 ms.
    const cost = (r: { evaluations: number; gradientEvaluations: number }) =>
      190 * r.gradientEvaluations + 60 * (r.evaluations - r.gradientEvaluations);
    expect(byValues.gradientEvaluations).toBeLessThan(allGradient.gradientEvaluations);
    expect(cost(byValues)).toBeLessThan(cost(allGradient));
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

  it("finiteDifferenceHessian: on a badly scaled quadratic the first step is a Newton step", () => {
    // weights 1e4 : 1 : 1e-2 — from the identity the quasi-Newton method first has to learn this scale
    const f = quadratic([0.3, -1, 2], [1e4, 1, 1e-2]);
    const r = minimizeBounded(f, Float64Array.from([1, 1, 1]), {
      lower: Float64Array.from([-Infinity, -Infinity, -Infinity]),
      finiteDifferenceHessian: true,
    });
    expect(r.converged).toBe(true);
    expect(Array.from(r.x)).toEqual([expect.closeTo(0.3, 8), expect.closeTo(-1, 8), expect.closeTo(2, 6)]);
    // 1 at the start, 3 for the Hessian, 1 at the Newton step (already the minimum)
    expect(r.gradientEvaluations).toBeLessThanOrEqual(5);
    const plain = minimizeBounded(f, Float64Array.from([1, 1, 1]), {
      lower: Float64Array.from([-Infinity, -Infinity, -Infinity]),
    });
    expect(plain.gradientEvaluations).toBeGreaterThan(r.gradientEvaluations);
  });

  it("finiteDifferenceHessian: an indefinite estimate falls back to the identity start and still converges", () => {
    // at (0, 1) Rosenbrock's Hessian is indefinite: ∂²f/∂a² = 2 − 400(b − 3a²) = −398
    const r = minimizeBounded(rosenbrock, Float64Array.from([0, 1]), {
      lower: Float64Array.from([-Infinity, -Infinity]),
      finiteDifferenceHessian: true,
    });
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 4);
    expect(r.x[1]).toBeCloseTo(1, 4);
  });
  it("valueDifferenceHessian: second differences of f alone match the analytic Hessian (to O(h))", () => {
    // f = e^a + a²b + 3b² + b³: H = [[e^a + 2b, 2a], [2a, 6 + 6b]]
    const f = (x: Float64Array) => {
      const a = x[0] as number;
      const b = x[1] as number;
      return Math.exp(a) + a * a * b + 3 * b * b + b ** 3;
    };
    const x = Float64Array.from([0.3, 0.7]);
    const [a, b] = [0.3, 0.7];
    const g = [Math.exp(a) + 2 * a * b, a * a + 6 * b + 3 * b * b];
    const exact = [Math.exp(a) + 2 * b, 2 * a, 2 * a, 6 + 6 * b];
    for (const h of [1e-3, 1e-4]) {
      const H = new Float64Array(4);
      expect(valueDifferenceHessian(f, x, f(x), g, H, () => h)).toBe(true);
      // truncation error O(h): the third derivatives here are below 7, so 20h bounds it
      for (let i = 0; i < 4; i++)
        expect(Math.abs((H[i] as number) - (exact[i] as number))).toBeLessThan(20 * h);
      expect(H[1]).toBe(H[2]);
    }
    const nan = new Float64Array(4);
    expect(
      valueDifferenceHessian(
        () => Number.NaN,
        x,
        f(x),
        g,
        nan,
        () => 1e-3,
      ),
    ).toBe(false);
  });

  it("finiteDifferenceHessian with valueOnlyTrials and two variables: the Hessian from values of f alone", () => {
    const f = quadratic([0.3, -1], [1e4, 1]);
    let values = 0;
    let gradients = 0;
    const counted: Objective = (x, g) => {
      if (g) gradients++;
      else values++;
      return f(x, g);
    };
    const r = minimizeBounded(counted, Float64Array.from([1, 1]), {
      lower: Float64Array.from([-Infinity, -Infinity]),
      finiteDifferenceHessian: true,
      valueOnlyTrials: true,
    });
    expect(r.converged).toBe(true);
    // the stopping rule (predicted decrease ≤ 1e-10) leaves |x − x̂| up to √(2e-10/w) along a weight-w axis
    expect(r.x[0]).toBeCloseTo(0.3, 8);
    expect(r.x[1]).toBeCloseTo(-1, 6);
    // the start's gradient, three values for the Hessian, then the Newton step lands on the minimum
    expect(values).toBe(3);
    expect(gradients).toBeLessThanOrEqual(3);
  });
  it("valueDifferenceHessian with a gradient column: column 1 from ∇f, the 2×2 rest from values (n = 3)", () => {
    // f = e^a·b + b²c + c³ + a·c: ∇f = (e^a b + c, e^a + 2bc, b² + 3c² + a)
    const grad = (a: number, b: number, c: number) => [
      Math.exp(a) * b + c,
      Math.exp(a) + 2 * b * c,
      b * b + 3 * c * c + a,
    ];
    const value = (x: Float64Array) => {
      const [a, b, c] = [x[0] as number, x[1] as number, x[2] as number];
      return Math.exp(a) * b + b * b * c + c ** 3 + a * c;
    };
    const x = Float64Array.from([0.2, 0.5, 0.9]);
    const [a, b, c] = [0.2, 0.5, 0.9];
    const exact = [
      [Math.exp(a) * b, Math.exp(a), 1],
      [Math.exp(a), 2 * c, 2 * b],
      [1, 2 * b, 6 * c],
    ].flat();
    let gradients = 0;
    let values = 0;
    const at = (xx: Float64Array, g: Float64Array) => {
      gradients++;
      g.set(grad(xx[0] as number, xx[1] as number, xx[2] as number));
      return value(xx);
    };
    const H = new Float64Array(9);
    const counted = (xx: Float64Array) => {
      values++;
      return value(xx);
    };
    const h = 1e-4;
    expect(valueDifferenceHessian(counted, x, value(x), grad(a, b, c), H, () => h, { columns: 1, at })).toBe(
      true,
    );
    expect([gradients, values]).toEqual([1, 3]);
    for (let i = 0; i < 9; i++)
      expect(Math.abs((H[i] as number) - (exact[i] as number))).toBeLessThan(20 * h);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(H[i * 3 + j]).toBe(H[j * 3 + i]);
  });
});
