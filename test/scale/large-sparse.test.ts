/**
 * A trailing block above the dense size limit whose factor is sparse (issue 15): 5,000 teachers nested in 500
 * schools, crossed with 50,000 students (150,000 rows; test/fixtures/scale/large-sparse, data from make-data.mjs).
 * Its order, 5,503, is above maxDenseBlock's 4,000, but its sparse factor costs what a dense block of order ~250 does:
 * fitted (before: refused for "a 5503×5503 matrix, about 56 GFlop" per evaluation, a cost it never pays), to
 * lme4 1.1-31's numbers — at lme4's θ̂ the criterion is lme4's, and the fit's optimum is at or below it (lme4 warned:
 * max|grad| 0.0036).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { designBuffers } from "../../src/design/types.js";
import { buildBlockedLayout, denseBlockOrder } from "../../src/fit/blocked-layout.js";
import { fitMixed as fit } from "../../src/fit/fit.js";
import { planSparseTrailing, sparsePlanWithin } from "../../src/fit/sparse-trailing/plan.js";
import { createWasmEngine } from "../../src/fit/wasm-engine.js";
import { MAX_DENSE_BLOCK_DEFAULT } from "../../src/validate/limits.js";
import { loadKernels } from "../../src/wasm/load.js";
// @ts-expect-error: a plain .mjs script beside its fixture, shared with make-reference.R's data
import { starLike } from "../fixtures/scale/large-sparse/make-data.mjs";
import { expectAtLme4Optimum } from "../support/compare.js";
import { fixturesDir } from "../support/fixtures.js";

const ref = JSON.parse(
  readFileSync(join(fixturesDir, "scale", "large-sparse", "reference.json"), "utf8"),
) as {
  formula: string;
  objective: number;
  theta: number[];
  beta: number[];
  sigma: number;
};
const data = starLike(500, 10, 50_000) as Record<string, (number | string)[]>;

describe("a sparse trailing block above the dense size limit", () => {
  it("is above the limit by its order, within it by its factor's cost, and at lme4's θ̂ gives lme4's criterion", async () => {
    const kernels = await loadKernels();
    const buffers = designBuffers(buildDesign(ref.formula, data));
    expect(denseBlockOrder(buffers)).toBe(5503);
    expect(denseBlockOrder(buffers)).toBeGreaterThan(MAX_DENSE_BLOCK_DEFAULT);
    const plan = sparsePlanWithin(kernels, buildBlockedLayout(buffers), MAX_DENSE_BLOCK_DEFAULT);
    expect(plan).not.toBeNull();
    // The plan fit() hands the engine is the one the engine would make itself.
    expect(plan).toEqual(planSparseTrailing(kernels, buildBlockedLayout(buffers), "auto"));
    // …but not within a dense block of order 100.
    expect(sparsePlanWithin(kernels, buildBlockedLayout(buffers), 100)).toBeNull();
    const engine = createWasmEngine(kernels, buffers);
    try {
      const f = engine.objective(Float64Array.from(ref.theta), true);
      expect(Math.abs(f - ref.objective)).toBeLessThan(1e-9 * ref.objective);
    } finally {
      engine.dispose();
    }
  });

  it("fit() fits it with the default limits, at lme4's optimum or below", async () => {
    const m = await fit(ref.formula, data);
    expect(m.optimizer.converged).toBe(true);
    expectAtLme4Optimum(m, ref);
  });
});
