/**
 * Terms on one grouping factor as one block of the kernels (src/fit/factor-blocks.ts): which terms are joined, the
 * joined columns and θ's map, and a model that needed it — `y ~ x + (x || g)` with 5,000 subjects
 * (test/fixtures/factor-blocks, data from make-data.mjs). Kept apart, its second term put 5,000 rows into the
 * trailing block (three 5,003×5,003 buffers, 0.56 GiB: "could not allocate" in a fresh process); joined, there is no
 * trailing random row. Against lme4 1.1-31: criterion, θ, β, σ, conditional modes and SDs, REML and ML.
 * The engine with joined terms is held to the dense oracle and to the numbers from before the change by
 * test/engine (random designs "two terms on one factor", "… apart in design order", "three terms … trailing block").
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { type DesignBuffers, designBuffers } from "../../src/design/types.js";
import { buildBlockedLayout, denseBlockOrder } from "../../src/fit/blocked-layout.js";
import { factorBlocks, sameFactorGroups } from "../../src/fit/factor-blocks.js";
import { fitMixed as fit } from "../../src/fit/fit.js";
// @ts-expect-error: a plain .mjs script beside its fixture, shared with make-reference.R's data
import { uncorrelatedSlopes } from "../fixtures/factor-blocks/make-data.mjs";
import { expectAtLme4Optimum, type Lme4Optimum } from "../support/compare.js";
import { fixturesDir } from "../support/fixtures.js";

type Term = DesignBuffers["terms"][number];
const term = (refs: number[], p: number, nlevels = 3): Term => ({
  nlevels,
  p,
  refs: Int32Array.from(refs),
  z: Float64Array.from({ length: refs.length * p }, (_, k) => k + 1),
});

describe("which terms are one block", () => {
  it("joins terms whose observations sit at the same levels, in design order", () => {
    const g = [0, 1, 2, 0, 1, 2];
    const h = [0, 0, 1, 1, 2, 2];
    expect(sameFactorGroups([term(g, 1), term(h, 1), term(g, 2)])).toEqual([[0, 2], [1]]);
  });

  it("keeps apart factors with as many levels but other groupings", () => {
    expect(sameFactorGroups([term([0, 1, 2, 0], 1), term([0, 1, 2, 1], 1)])).toEqual([[0], [1]]);
  });

  it("keeps apart a factor and its nesting inside another (other level counts)", () => {
    expect(sameFactorGroups([term([0, 1, 2, 3], 1, 4), term([0, 0, 1, 1], 1, 2)])).toEqual([[0], [1]]);
  });
});

describe("the joined block", () => {
  // (1|g) + (1|h) + (x|g): θ = [g, h, g.(Intercept), g.x-cov, g.x] in lme4's order.
  const g = [0, 1, 2, 0, 1, 2];
  const terms = [term(g, 1), term([0, 0, 1, 1, 2, 2], 1), term(g, 2)];
  const fb = factorBlocks(terms);

  it("puts the members' columns side by side, row by row", () => {
    expect(fb.members).toEqual([[0, 2], [1]]);
    expect(fb.terms.map((t) => t.p)).toEqual([3, 1]);
    const z = fb.terms[0]!.z;
    for (let i = 0; i < 6; i++) {
      expect(z[i * 3]).toBe(terms[0]!.z[i]);
      expect(z[i * 3 + 1]).toBe(terms[2]!.z[i * 2]);
      expect(z[i * 3 + 2]).toBe(terms[2]!.z[i * 2 + 1]);
    }
    expect(Array.from(fb.blockOf)).toEqual([0, 1, 0]);
    expect(Array.from(fb.columnOffset)).toEqual([0, 0, 1]);
  });

  it("maps each template entry to its θ, with fixed zeros between members and above the diagonal", () => {
    // Block 0 (3×3, column-major): (0,0) ← θ0; (1,1) ← θ2, (2,1) ← θ3, (2,2) ← θ4; block 1: (0,0) ← θ1.
    expect(Array.from(fb.thetaIndex)).toEqual([0, -1, -1, -1, 2, 3, -1, -1, 4, 1]);
    expect(fb.nTheta).toBe(5);
  });

  it("without terms on one factor, is the terms themselves and θ in order", () => {
    const solo = [term(g, 2), term([0, 0, 1, 1, 2, 2], 1)];
    const apart = factorBlocks(solo);
    expect(apart.terms.map((t) => t.z)).toEqual(solo.map((t) => t.z));
    expect(apart.terms[0]!.z).toBe(solo[0]!.z);
    expect(Array.from(apart.thetaIndex)).toEqual([0, 1, -1, 2, 3]);
  });
});

interface Reference {
  formula: string;
  fits: (Lme4Optimum & { REML: boolean; levels: string[]; ranef: number[][]; condSD: number[][] })[];
}
const ref = JSON.parse(
  readFileSync(join(fixturesDir, "factor-blocks", "reference.json"), "utf8"),
) as Reference;
const data = uncorrelatedSlopes(5000, 10) as Record<string, (number | string)[]>;

describe("(x || g) with 5,000 subjects", () => {
  it("has no trailing random rows: one block of 2 columns per subject", () => {
    const buffers = designBuffers(buildDesign(ref.formula, data));
    expect(buffers.terms.length).toBe(2);
    expect(denseBlockOrder(buffers)).toBe(3);
    const L = buildBlockedLayout(buffers);
    expect([L.nTerms, L.p1, L.l1, L.qRest, L.nd, L.nTheta]).toEqual([1, 2, 5000, 0, 3, 2]);
  });

  for (const r of ref.fits)
    it(`${r.REML ? "REML" : "ML"}: lme4's optimum, conditional modes and SDs`, async () => {
      const m = await fit(ref.formula, data, { REML: r.REML });
      expect(m.optimizer.converged).toBe(true);
      expectAtLme4Optimum(m, r, 1e-6);
      // lme4 converged here without a warning: its criterion, not a lower one.
      expect(Math.abs(m.objective - r.objective)).toBeLessThan(1e-6);
      const [re] = m.ranef({ condVar: true });
      expect(re!.terms).toEqual(["(Intercept)", "x"]);
      r.levels.forEach((level, k) => {
        const l = re!.levels.indexOf(level);
        for (let j = 0; j < 2; j++) {
          expect(Math.abs(re!.values[l]![j]! - r.ranef[k]![j]!)).toBeLessThan(1e-4);
          expect(Math.abs(Math.sqrt(re!.condVar![l]![j]![j]!) - r.condSD[k]![j]!)).toBeLessThan(1e-5);
        }
        expect(re!.condVar![l]![0]![1]).toBe(0);
      });
    });
});
