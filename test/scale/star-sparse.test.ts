/**
 * The sparse trailing block at scale (issue 15): mlmRev's `star` (24,611 rows, students crossed with teachers
 * nested in schools, REML) fitted through the public `fit()` takes the sparse path and agrees with lme4 1.1-31
 * (test/fixtures/perf/star_reml.json) to the conformance tolerances (test/support/compare.ts), its conditional
 * modes to 1% of σ; at lme4's θ̂ the sparse and the dense trailing factors give the same criterion to 1e-10.
 * InstEval, whose lecturer block fills in, keeps the dense path.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { designBuffers } from "../../src/design/types.js";
import { buildBlockedLayout } from "../../src/fit/blocked-layout.js";
import { fitMixed as fit } from "../../src/fit/fit.js";
import { planSparseTrailing } from "../../src/fit/sparse-trailing/plan.js";
import { createWasmEngine } from "../../src/fit/wasm-engine.js";
import { readCsv } from "../../src/frame/index.js";
import { loadKernels } from "../../src/wasm/load.js";
import { expectSummaryMatchesLme4 } from "../support/compare.js";
import { asArray, fixtureDataPath, fixturesDir, loadFitFixture } from "../support/fixtures.js";
import { instevalDesign } from "./insteval-design.js";

const perfDir = join(fixturesDir, "perf");
const fx = loadFitFixture("star_reml", perfDir);
const frame = readCsv(fixtureDataPath(fx, perfDir));

describe("star (students × teachers nested in schools): the sparse trailing block", () => {
  it("chooses the sparse factor from the symbolic fill", async () => {
    const kernels = await loadKernels();
    const buffers = designBuffers(buildDesign(fx.formula, frame));
    const layout = buildBlockedLayout(buffers);
    expect(layout.nd).toBe(1462);
    const plan = planSparseTrailing(kernels, layout, "auto");
    expect(plan).not.toBeNull();
    // far below the dense lower triangle and the dense flops
    expect(plan!.nnz).toBeLessThan(0.05 * ((layout.nd * (layout.nd + 1)) / 2));
    expect(plan!.flops).toBeLessThan(0.01 * (layout.nd ** 3 / 3));
  });

  it("sparse and dense factors give the same REML criterion and gradient at lme4's θ̂", async () => {
    const kernels = await loadKernels();
    const buffers = designBuffers(buildDesign(fx.formula, frame));
    const theta = Float64Array.from(asArray(fx.theta));
    const sparse = createWasmEngine(kernels, buffers, { trailing: "sparse" });
    const dense = createWasmEngine(kernels, buffers, { trailing: "dense" });
    try {
      const gs = new Float64Array(3);
      const gd = new Float64Array(3);
      const fs = sparse.gradient(theta, true, gs);
      const fd = dense.gradient(theta, true, gd);
      expect(Math.abs(fs - fd) / Math.abs(fd)).toBeLessThan(1e-10);
      for (let i = 0; i < 3; i++)
        expect(Math.abs(gs[i]! - gd[i]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(gd[i]!)));
      expect(Math.abs(fs - fx.objective)).toBeLessThan(1e-6 * fx.objective);
    } finally {
      sparse.dispose();
      dense.dispose();
    }
  });

  it("fit() agrees with lme4 (objective, fixef, se, σ, RE SDs, names, singular; ranef to 1% of σ)", async () => {
    const m = await fit(fx.formula, frame, { REML: true });
    const got = m.toJSON();
    expectSummaryMatchesLme4(got, fx);
    expect(m.optimizer.converged).toBe(true);
    // conditional modes, group by group and level by level (the same level order as lme4's)
    let worst = 0;
    let count = 0;
    fx.ranef.forEach((g, k) => {
      const mine = got.ranef[k]!;
      expect(mine.group).toBe(g.group);
      expect(mine.levels).toEqual(asArray(g.levels));
      (g.values as number[][]).forEach((row, level) => {
        asArray(row).forEach((v, j) => {
          worst = Math.max(worst, Math.abs((mine.values[level] as number[])[j]! - v));
          count++;
        });
      });
    });
    expect(count).toBe(10765 + 1374 + 80);
    expect(worst).toBeLessThan(0.01 * fx.sigma);
  });
});

describe("InstEval keeps the dense path", () => {
  it("its lecturer block fills in: the symbolic analysis declines the sparse factor", async () => {
    const kernels = await loadKernels();
    const buffers = designBuffers(instevalDesign("insteval_ml"));
    expect(planSparseTrailing(kernels, buildBlockedLayout(buffers), "auto")).toBeNull();
  });
});
