/**
 * Replicates whose alternative model has a variance near 0: sleepstudy's (Days||Subject) against (1|Subject), seed 5.
 * The bootstrap's nearby refit (assembly/refit/nearby.ts) probes a diagonal θ_i inwards when the descent leaves it
 * at or near 0, the flat saddle of the even deviance; probing only θ_i exactly at 0 left replicates where the
 * halvings stopped a hair above it with T* ≈ 0 (replicates 5, 38, 39 and 42 of these 60: T* 0 where a full fit
 * finds 0.118, 0.0126, 0.498 and 0.00066). Every replicate's T* must be what two fresh fits of its response give.
 */
import { describe, expect, it } from "vitest";
import type { Design } from "../../src/design/types.js";
import { designBuffers } from "../../src/design/types.js";
import { fitDesign } from "../../src/fit/fit.js";
import { createEngine } from "../../src/fit/wasm-engine.js";
import { bootstrapLRT } from "../../src/inference/bootstrap.js";
import { modelSpec } from "../../src/inference/models.js";
import { simulateResponses } from "../../src/inference/simulate.js";
import { fitModel, fixtureData, SLEEP_INT, SLEEP_UNCORR } from "./fit-models.js";

/** The ML fit of a design with its response replaced (a fresh engine, lme4's start). */
async function refitFresh(design: Design, y: Float64Array) {
  const d = { ...design, y };
  return fitDesign(d, await createEngine(designBuffers(d)), { REML: false });
}

describe("bootstrap replicates with a variance near 0", () => {
  it("give the statistic of two fresh fits, replicate by replicate", async () => {
    const data = fixtureData("sleepstudy");
    const m0 = await fitModel(SLEEP_INT, data, false);
    const m1 = await fitModel(SLEEP_UNCORR, data, false);
    const nsim = 60;
    const boot = await bootstrapLRT(m0, m1, { nsim, seed: 5, workers: 0 });
    expect(boot.failures.count).toBe(0);
    const { responses } = simulateResponses(modelSpec(m0), { nsim, seed: 5 });
    let nearZero = 0;
    for (let k = 0; k < nsim; k++) {
      const f0 = await refitFresh(m0.design, responses[k]!);
      const f1 = await refitFresh(m1.design, responses[k]!);
      const T = f0.objective - f1.objective;
      expect(
        Math.abs((boot.stats[k] as number) - T),
        `replicate ${k}: T* ${boot.stats[k]}, fresh fits ${T}`,
      ).toBeLessThan(1e-4);
      if (f1.theta[1]! < 0.06) nearZero++;
    }
    // The case is what it says: several replicates have the slope's θ near 0.
    expect(nearZero).toBeGreaterThanOrEqual(4);
  }, 60_000);
});
