/**
 * NearbyRefit, the bootstrap's fast refit in its TypeScript form (test/support/nearby-refit.ts, the reference of the
 * wasm refit: ./refit-wasm.test.ts): it must reach the same optimum as an independent optimisation, from
 * the generating θ̂ and from a start on the θ_ii = 0 boundary (a stationary point of the deviance by symmetry).
 * The reference here is the dense test oracle engine with the general optimiser started at lme4's default θ.
 */
import { describe, expect, it } from "vitest";
import { thetaLowerBounds, thetaStart } from "../../src/design/types.js";
import { minimizeBounded } from "../../src/fit/optimize.js";

import { simulateResponses } from "../../src/inference/simulate.js";
import { createDenseEngine } from "../support/dense-pls.js";
import { loadFitFixture } from "../support/fixtures.js";
import { NearbyRefit } from "../support/nearby-refit.js";
import { referenceModel } from "./designs.js";

function denseOptimum(buffers: Parameters<typeof createDenseEngine>[0], reml: boolean): number {
  const e = createDenseEngine(buffers);
  return minimizeBounded((x, g) => (g ? e.gradient(x, reml, g) : e.objective(x, reml)), thetaStart(buffers), {
    lower: thetaLowerBounds(buffers),
  }).f;
}

describe("NearbyRefit", () => {
  const m0 = referenceModel("sleepstudy_int_ml");
  const m1 = referenceModel("sleepstudy_ml");

  it("refits simulated responses to the optimum of an independent fit (dense engine, default start)", () => {
    const engine = createDenseEngine(m1.buffers);
    const refit = new NearbyRefit(engine, m1.theta, thetaLowerBounds(m1.buffers), false);
    const { responses } = simulateResponses(m0, { nsim: 6, seed: 21 });
    for (const y of responses) {
      engine.setResponse(y);
      const f = refit.run(m1.theta);
      expect(f).not.toBeNull();
      const reference = denseOptimum({ ...m1.buffers, y }, false);
      // Stopping rule: Newton decrement ≤ 1e-10·|f| (≈ 2e-7 here); the reference converges at least as tightly.
      expect(Math.abs((f as number) - reference)).toBeLessThan(1e-6);
      expect(refit.scaledGradient).toBeLessThan(2e-3);
      expect(refit.evaluations).toBeLessThan(30);
    }
  });

  it("leaves the θ_ii = 0 boundary when the optimum is inside (the deviance is even in θ_ii, so g = 0 there)", () => {
    const engine = createDenseEngine(m1.buffers);
    const refit = new NearbyRefit(engine, m1.theta, thetaLowerBounds(m1.buffers), false);
    const start = Float64Array.from([m1.theta[0] as number, m1.theta[1] as number, 0]);
    const f = refit.run(start);
    expect(Math.abs((f as number) - loadFitFixture("sleepstudy_ml").objective)).toBeLessThan(1e-6);
    expect(refit.theta[2]).toBeGreaterThan(0.2);
  });

  it("refits the REML criterion too", () => {
    const engine = createDenseEngine(m1.buffers);
    const refit = new NearbyRefit(engine, m1.theta, thetaLowerBounds(m1.buffers), true);
    const { responses } = simulateResponses(m1, { nsim: 3, seed: 2 });
    for (const y of responses) {
      engine.setResponse(y);
      const f = refit.run(m1.theta);
      expect(Math.abs((f as number) - denseOptimum({ ...m1.buffers, y }, true))).toBeLessThan(1e-6);
    }
  });
});
