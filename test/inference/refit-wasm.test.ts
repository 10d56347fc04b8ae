/**
 * The nearby refit in wasm (assembly/refit/nearby.ts, src/inference/refit-wasm.ts) against NearbyRefit, the
 * TypeScript reference (./refit.test.ts holds that one to independent optima): the same steps, so the same θ̂,
 * objective, evaluation count and convergence measure, bit for bit, on replicates of the Sitka and sleepstudy
 * bootstraps, on the REML criterion at the parameter bootstrap's tolerance, from the θ_ii = 0 boundary (the
 * inward probes and the restart), with prior weights, and when the refit gives up. Each refit runs on its own
 * engine (two engines on the same buffers), and the wasm engine's factor cache must stay right afterwards.
 */
import { describe, expect, it } from "vitest";
import type { DesignBuffers } from "../../src/design/types.js";
import { thetaLowerBounds } from "../../src/design/types.js";
import type { PlsEngine } from "../../src/fit/engine.js";
import { minimizeBounded } from "../../src/fit/optimize.js";
import { createReducedEngine } from "../../src/fit/response-reduction.js";
import type { TrailingFactor } from "../../src/fit/sparse-trailing/plan.js";
import { createWasmEngine } from "../../src/fit/wasm-engine.js";
import { nearbyCurvature } from "../../src/inference/refit.js";
import { wasmNearbyRefitFor } from "../../src/inference/refit-wasm.js";
import { type ModelParameters, simulateResponses } from "../../src/inference/simulate.js";
import { loadKernels } from "../../src/wasm/load.js";
import { randomBuffers } from "../engine/random-designs.js";
import { NearbyRefit } from "../support/nearby-refit.js";
import { type ModelId, referenceModel } from "./designs.js";

const kernels = await loadKernels();
const makeEngine = (b: DesignBuffers, trailing?: TrailingFactor): PlsEngine =>
  createReducedEngine(b, (x) => createWasmEngine(kernels, x, trailing ? { trailing } : {}));

/** The two refits of one model, each on its own engine, from the model's θ̂ (curvature measured once). */
function pair(
  m: ModelParameters,
  reml: boolean,
  tolerance = 1e-10,
  H0?: Float64Array,
  trailing?: TrailingFactor,
) {
  const js = makeEngine(m.buffers, trailing);
  const wasmEngine = makeEngine(m.buffers, trailing);
  const lower = thetaLowerBounds(m.buffers);
  const H = H0 ?? nearbyCurvature(js, m.theta, lower, reml);
  const reference = new NearbyRefit(js, m.theta, lower, reml, tolerance, H);
  const wasm = wasmNearbyRefitFor(wasmEngine, m.theta, lower, reml, { tolerance, H0: H });
  if (!wasm) throw new Error("a wasm engine on the dense path has a wasm refit");
  return { js, wasmEngine, reference, wasm };
}

/** Both refits from `start` on response y: every output identical, bit for bit. */
function expectSameRefit(p: ReturnType<typeof pair>, y: Float64Array, start: Float64Array): number | null {
  p.js.setResponse(y);
  p.wasmEngine.setResponse(y);
  const f = p.reference.run(start);
  const fw = p.wasm.run(start);
  expect(fw === null).toBe(f === null);
  if (f !== null) expect(Object.is(fw, f)).toBe(true);
  if (f !== null) expect(Array.from(p.wasm.theta)).toEqual(Array.from(p.reference.theta));
  expect(p.wasm.evaluations).toBe(p.reference.evaluations);
  expect(Object.is(p.wasm.scaledGradient, p.reference.scaledGradient)).toBe(true);
  return f;
}

const replicatesOf = (m: ModelParameters, nsim: number, seed: number) =>
  simulateResponses(m, { nsim, seed }).responses;

describe("the nearby refit in wasm", () => {
  it.each<[ModelId, ModelId]>([
    ["sitka_mm0_ml", "sitka_mm1_ml"],
    ["sleepstudy_int_ml", "sleepstudy_ml"],
  ])(
    "takes NearbyRefit's steps on the likelihood-ratio bootstrap's replicates (%s against %s)",
    (null0, alt) => {
      const m0 = referenceModel(null0);
      const m1 = referenceModel(alt);
      const p0 = pair(m0, false);
      const p1 = pair(m1, false);
      let evaluations = 0;
      for (const y of replicatesOf(m0, 60, 11)) {
        expect(expectSameRefit(p0, y, m0.theta)).not.toBeNull();
        expect(expectSameRefit(p1, y, m1.theta)).not.toBeNull();
        evaluations += p0.reference.evaluations + p1.reference.evaluations;
      }
      // The comparison covers real work: several evaluations per refit.
      expect(evaluations).toBeGreaterThan(4 * 2 * 60);
    },
  );

  it("takes the same steps on the REML criterion at the parameter bootstrap's tolerance", () => {
    const m = referenceModel("sleepstudy_ml");
    const p = pair(m, true, 1e-14);
    for (const y of replicatesOf(m, 20, 5)) expectSameRefit(p, y, m.theta);
  });

  it("probes inwards from the θ_ii = 0 boundary and restarts, as NearbyRefit does", () => {
    const m = referenceModel("sleepstudy_ml");
    // A diagonal curvature model: the gradient in θ₃ is 0 at θ₃ = 0 (the deviance is even in it), so the descent
    // stays on the boundary until the inward probe moves it and the descent restarts.
    const H = nearbyCurvature(makeEngine(m.buffers), m.theta, thetaLowerBounds(m.buffers), false);
    const n = m.theta.length;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) H[i * n + j] = 0;
    const p = pair(m, false, 1e-10, H);
    const start = Float64Array.from([m.theta[0] as number, m.theta[1] as number, 0]);
    const f = expectSameRefit(p, m.buffers.y, start);
    expect(f).not.toBeNull();
    // The probe found the interior optimum (θ₃ > 0): the restart path ran.
    expect(p.wasm.theta[2]).toBeGreaterThan(0.2);
  });

  it("halves the step as NearbyRefit does (a curvature model ten times too flat: steps ten times too long)", () => {
    const m = referenceModel("sitka_mm1_ml");
    const H = nearbyCurvature(makeEngine(m.buffers), m.theta, thetaLowerBounds(m.buffers), false).map(
      (v) => v / 10,
    );
    const p = pair(m, false, 1e-10, H);
    for (const y of replicatesOf(m, 10, 17)) expect(expectSameRefit(p, y, m.theta)).not.toBeNull();
  });

  it("takes the same steps on an engine whose trailing block is factored sparse (crossed factors)", () => {
    const buffers = randomBuffers(
      144,
      2,
      [
        { nlevels: 12, p: 1, level: (i) => i % 12 },
        { nlevels: 9, p: 1, level: (i) => Math.floor(i / 16) },
      ],
      5,
    );
    const engine = makeEngine(buffers, "sparse");
    const lower = thetaLowerBounds(buffers);
    const fitted = minimizeBounded(
      (x, g) => (g ? engine.gradient(x, false, g) : engine.objective(x, false)),
      Float64Array.of(1, 1),
      {
        lower,
      },
    );
    const sol = engine.solve(Float64Array.from(fitted.x), false);
    const m: ModelParameters = { buffers, theta: sol.theta, beta: sol.beta, sigma: sol.sigma };
    const p = pair(m, false, 1e-10, undefined, "sparse");
    for (const y of replicatesOf(m, 12, 9)) expectSameRefit(p, y, m.theta);
  });

  it("subtracts the prior weights' log-determinant as the engine does", () => {
    const m = referenceModel("sleepstudy_ml");
    const weights = Float64Array.from({ length: m.buffers.n }, (_, i) => 0.5 + (i % 7) / 4);
    const weighted: ModelParameters = { ...m, buffers: { ...m.buffers, weights } };
    const p = pair(weighted, false);
    for (const y of replicatesOf(weighted, 10, 3)) expect(expectSameRefit(p, y, m.theta)).not.toBeNull();
  });

  it("gives up where NearbyRefit gives up (a curvature model far too flat: the line search cannot descend)", () => {
    const m = referenceModel("sleepstudy_ml");
    const n = m.theta.length;
    const flat = new Float64Array(n * n);
    for (let i = 0; i < n; i++) flat[i * n + i] = 1e-12;
    const p = pair(m, false, 1e-10, flat);
    const [y] = replicatesOf(m, 1, 8);
    expect(expectSameRefit(p, y as Float64Array, m.theta)).toBeNull();
  });

  it("leaves the engine's factor cache right: a solve at θ̂ afterwards equals a fresh engine's", () => {
    const m = referenceModel("sitka_mm1_ml");
    const p = pair(m, false);
    const [y] = replicatesOf(m, 1, 4);
    expectSameRefit(p, y as Float64Array, m.theta);
    const fresh = makeEngine(m.buffers);
    fresh.setResponse(y as Float64Array);
    const after = p.wasmEngine.solve(p.wasm.theta, false);
    const reference = fresh.solve(p.wasm.theta, false);
    expect(Object.is(after.objective, reference.objective)).toBe(true);
    expect(Array.from(after.beta)).toEqual(Array.from(reference.beta));
    // And at another θ the engine factors again rather than reusing the refit's factor.
    const other = Float64Array.from(m.theta, (t) => t * 0.9);
    expect(Object.is(p.wasmEngine.objective(other, false), fresh.objective(other, false))).toBe(true);
    p.wasm.dispose();
    p.wasm.dispose();
  });
});
