/**
 * The wasm PIRLS (assembly/glmm/pirls.ts through src/glmm/wasm-pirls.ts) against the TypeScript reference `pirls`
 * (same iterations, same answers to ~1e-10), its step-halving and quasi-separation behaviour, and the analytic
 * gradients of the Laplace criterion (assembly/glmm/gradient.ts) against central finite differences.
 */
import { beforeEach, describe, expect, test } from "vitest";
import { buildBlockedLayout } from "../../src/fit/blocked-layout.js";
import type { TrailingFactor } from "../../src/fit/sparse-trailing/plan.js";
import { createEngine, evaluationContext } from "../../src/fit/wasm-engine.js";
import { gradientDifferences } from "../../src/glmm/fit-glmm.js";
import { type GlmmData, laplaceDeviance, type PirlsState, pirls } from "../../src/glmm/pirls.js";
import { wasmPirlsFor } from "../../src/glmm/wasm-pirls.js";
import { fitFixture, loadGlmmFixture } from "./glmm-reference.js";

/** The trailing factor of the engines under test: as the GLMM fit chooses ("auto"), or forced sparse. */
let trailing: TrailingFactor = "auto";

function engine(d: GlmmData, joint: boolean) {
  const buffers = {
    n: d.n,
    p: joint ? d.p : 0,
    y: new Float64Array(d.n),
    X: joint ? d.X : new Float64Array(0),
    terms: d.terms,
    weights: new Float64Array(d.n).fill(1),
  };
  // As the GLMM fit makes them, or with the trailing block forced onto the sparse factor's pattern.
  return createEngine(buffers, { trailing });
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

function expectSameState(a: PirlsState, b: PirlsState, d: GlmmData, label: string) {
  expect(b.iterations, label).toBe(a.iterations);
  expect(b.halvings, label).toBe(a.halvings);
  expect(b.diverging, label).toBe(a.diverging);
  const scale = Math.max(1, Math.abs(laplaceDeviance(d, a)));
  expect(Math.abs(laplaceDeviance(d, a) - laplaceDeviance(d, b)) / scale, label).toBeLessThan(1e-10);
  expect(maxDiff(a.u, b.u), label).toBeLessThan(1e-10);
  expect(maxDiff(a.beta, b.beta), label).toBeLessThan(1e-10);
  expect(maxDiff(a.eta, b.eta), label).toBeLessThan(1e-10);
  expect(maxDiff(a.weights, b.weights), label).toBeLessThan(1e-10);
}

/** Central differences of f at x, step h·max(1, |xᵢ|). */
function centralDifferences(f: (x: Float64Array) => number, x: Float64Array, h = 1e-5): Float64Array {
  return x.map((xi, i) => {
    const d = h * Math.max(1, Math.abs(xi));
    const t = Float64Array.from(x);
    t[i] = xi + d;
    const fp = f(t);
    t[i] = xi - d;
    return (fp - f(t)) / (2 * d);
  });
}

// Binomial logit (one term; crossed terms; a cbind response), Poisson log (three terms, an offset), a 2×2 term
// (correlated intercept and slope), (V4 || subject) (two terms on one factor: one block with a fixed zero).
const CASES = [
  "cbpp_binomial",
  "verbagg_binomial",
  "grouseticks_poisson",
  "exposure_offset_poisson",
  "contraception_slope",
  "epil_uncorr",
];

describe.each(["auto", "sparse"] as const)(
  "wasm PIRLS against the TypeScript reference, trailing factor %s",
  (mode) => {
    beforeEach(() => {
      trailing = mode;
    });
    test.each(CASES)("%s: u-only and joint PIRLS, cold and warm starts", async (id) => {
      const m = await fitFixture(loadGlmmFixture(id));
      const d = m.data;
      const [tsU, wU, tsJ, wJ] = await Promise.all([
        engine(d, false),
        engine(d, false),
        engine(d, true),
        engine(d, true),
      ]);
      const u = wasmPirlsFor(d, wU)!;
      const j = wasmPirlsFor(d, wJ)!;
      expect(u).not.toBeNull();
      if (mode === "sparse")
        expect(evaluationContext(wU)!.trailing).toBe(
          buildBlockedLayout(wU.buffers).qRest > 0 ? "sparse" : "dense",
        );
      // Away from the optimum, so that PIRLS has work to do.
      const theta = Float64Array.from(m.theta, (t) => 1.1 * t + 0.01);
      const beta = Float64Array.from(m.beta, (b) => 0.97 * b + 0.01);
      const a = pirls(d, tsU, theta, beta, null);
      expectSameState(a, u.run(theta, beta, null), d, `${id} u-only`);
      const start = { beta, u: Float64Array.from(a.u, (v) => 0.5 * v) };
      expectSameState(
        pirls(d, tsU, m.theta, m.beta, start),
        u.run(m.theta, m.beta, start),
        d,
        `${id} u-only warm`,
      );
      expectSameState(pirls(d, tsJ, theta, null, null), j.run(theta, null, null), d, `${id} joint`);
      expectSameState(pirls(d, tsJ, theta, null, start), j.run(theta, null, start), d, `${id} joint warm`);
      u.dispose();
      j.dispose();
      for (const e of [tsU, wU, tsJ, wJ]) e.dispose();
    });

    test("step-halving from a start far from the mode: the same halvings and mode as the reference", async () => {
      const m = await fitFixture(loadGlmmFixture("grouseticks_poisson"));
      const d = m.data;
      const [ts, w] = await Promise.all([engine(d, false), engine(d, false)]);
      const run = wasmPirlsFor(d, w)!;
      const far = { beta: m.beta, u: new Float64Array(m.u.length).fill(-6) };
      const a = pirls(d, ts, m.theta, m.beta, far);
      const b = run.run(m.theta, m.beta, far);
      expect(b.halvings).toBeGreaterThan(0);
      expectSameState(a, b, d, "far start");
      run.dispose();
      ts.dispose();
      w.dispose();
    });

    test("quasi-separation: the joint wasm PIRLS stops and flags it, as the reference does", async () => {
      const m = await fitFixture(loadGlmmFixture("separation_binomial"));
      const d = m.data;
      const [ts, w] = await Promise.all([engine(d, true), engine(d, true)]);
      const run = wasmPirlsFor(d, w)!;
      const a = pirls(d, ts, m.theta, null, null);
      const b = run.run(m.theta, null, null);
      expect(b.iterations).toBeLessThan(100);
      expect(b.diverging).toBe(a.diverging);
      expect(Math.abs(laplaceDeviance(d, a) - laplaceDeviance(d, b))).toBeLessThan(1e-8);
      run.dispose();
      ts.dispose();
      w.dispose();
    });

    test("probit and cloglog have no wasm PIRLS (the TypeScript one runs them, without an analytic gradient)", async () => {
      for (const id of ["contraception_probit", "cbpp_cloglog"]) {
        const m = await fitFixture(loadGlmmFixture(id));
        const e = await engine(m.data, false);
        expect(wasmPirlsFor(m.data, e), id).toBeNull();
        e.dispose();
      }
    });
  },
);

describe.each(["auto", "sparse"] as const)(
  "analytic gradient of the Laplace criterion, trailing factor %s",
  (mode) => {
    beforeEach(() => {
      trailing = mode;
    });
    test.each(CASES)("%s: ∇ over (θ, β) and the first stage's ∇θ match central differences", async (id) => {
      const m = await fitFixture(loadGlmmFixture(id));
      const d = m.data;
      const nT = m.theta.length;
      const [wU, wJ] = await Promise.all([engine(d, false), engine(d, true)]);
      const u = wasmPirlsFor(d, wU)!;
      const j = wasmPirlsFor(d, wJ)!;
      const theta = Float64Array.from(m.theta, (t) => 1.1 * t + 0.01);
      const beta = Float64Array.from(m.beta, (b) => 0.97 * b + 0.01);
      const from = u.run(theta, beta, null);
      const start = { beta, u: from.u };
      const f = (x: Float64Array) => laplaceDeviance(d, u.run(x.slice(0, nT), x.slice(nT), start));
      const x = new Float64Array(nT + d.p);
      x.set(theta);
      x.set(beta, nT);
      f(x);
      const g = u.gradient()!;
      const fd = centralDifferences(f, x);
      for (let i = 0; i < x.length; i++)
        expect(Math.abs((g[i] as number) - (fd[i] as number)), `${id} ∂/∂x${i}`).toBeLessThan(
          1e-5 * Math.max(1, Math.abs(fd[i] as number)),
        );
      const s0 = j.run(theta, null, null);
      const f1 = (t: Float64Array) => laplaceDeviance(d, j.run(t, null, { beta: s0.beta, u: s0.u }));
      f1(theta);
      const g1 = j.gradient()!;
      const fd1 = centralDifferences(f1, theta);
      expect(g1.length).toBe(nT);
      for (let i = 0; i < nT; i++)
        expect(Math.abs((g1[i] as number) - (fd1[i] as number)), `${id} stage 1 ∂/∂θ${i}`).toBeLessThan(
          1e-5 * Math.max(1, Math.abs(fd1[i] as number)),
        );
      u.dispose();
      j.dispose();
      wU.dispose();
      wJ.dispose();
    });
  },
);

describe("Hessian from the analytic gradient", () => {
  beforeEach(() => {
    trailing = "auto";
  });
  test.each(["epil_poisson", "verbagg_binomial"])(
    "%s: forward and central differences of the gradient match lme4's deriv12 Hessian (entries within 2% of its scale) and each other",
    async (id) => {
      const fx = loadGlmmFixture(id);
      const m = await fitFixture(fx);
      const d = m.data;
      const nT = m.theta.length;
      const e = await engine(d, false);
      const run = wasmPirlsFor(d, e)!;
      const x = Float64Array.from([...[fx.theta].flat(), ...fx.beta] as number[]);
      let previous = run.run(x.slice(0, nT), x.slice(nT), null);
      const gx = run.gradient()!;
      const grad = (xx: Float64Array) => {
        previous = run.run(xx.slice(0, nT), xx.slice(nT), previous);
        return run.gradient()!;
      };
      const forward = gradientDifferences(grad, x, gx).H;
      const central = gradientDifferences(grad, x, gx, { central: true }).H;
      const Href = fx.convergence.hessian!;
      const k = x.length;
      let scale = 0;
      for (const row of Href) for (const v of row) scale = Math.max(scale, Math.abs(v));
      for (let i = 0; i < k; i++)
        for (let j = 0; j < k; j++) {
          const ref = Href[i]![j]!;
          expect(Math.abs(forward[i * k + j]! - ref), `${id} H[${i}][${j}]`).toBeLessThan(0.02 * scale);
          expect(Math.abs(forward[i * k + j]! - central[i * k + j]!), `${id} fwd−central`).toBeLessThan(
            1e-4 * scale,
          );
        }
      run.dispose();
      e.dispose();
    },
  );
});
