/**
 * InstEval conformance (`npm run test:scale`, too slow for every CI run): both reference models of
 * test/fixtures/scale fitted through the public path and compared with lme4 1.1-31 to the fit-engine
 * tolerances (objective within 2e-3 or lower; fixed effects within 1% of their standard error; standard errors,
 * σ and random-effect standard deviations within 1% relative; the same singular flag). Also: the design
 * built from the formula equals an independent hand-built one, the engine reproduces lme4 at lme4's θ, and its
 * analytic gradient agrees with central finite differences at InstEval size.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { type Design, designBuffers } from "../../src/design/types.js";
import * as fitModule from "../../src/fit/fit.js";
import type { LinearMixedModel } from "../../src/fit/model.js";
import { createEngine } from "../../src/fit/wasm-engine.js";
import type { DataFrame } from "../../src/frame/frame.js";
import { readCsv } from "../../src/frame/index.js";
import {
  type InstEvalColumns,
  instevalCsv,
  instevalDesign,
  loadScaleFixture,
  readInstEval,
  type ScaleFixture,
  scaleIds,
} from "./insteval-design.js";

let frame: DataFrame;
let columns: InstEvalColumns;
beforeAll(() => {
  frame = readCsv(instevalCsv);
  columns = readInstEval();
});

/** The public fit: `fit(formula, data, { REML })` once it exists, else the same path spelled out. */
async function fitPublic(formula: string, data: DataFrame, REML: boolean): Promise<LinearMixedModel> {
  const publicFit = (fitModule as Record<string, unknown>).fit as
    | ((f: string, d: DataFrame, o: { REML: boolean }) => Promise<LinearMixedModel>)
    | undefined;
  if (publicFit) return publicFit(formula, data, { REML });
  const design = buildDesign(formula, data);
  return fitModule.fitDesign(design, await createEngine(designBuffers(design)), { REML });
}

/** Number of differing entries (or −1 for different lengths): vitest's deep equality is slow on 2M entries. */
function mismatches(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return -1;
  let count = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) count++;
  return count;
}

function relDiff(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

describe("InstEval data", () => {
  it("reads the 73,421-row CSV through readCsv (its speed is measured in bench/scale.bench.ts)", () => {
    expect(frame.nrow).toBe(73421);
    expect(frame.names).toEqual(["s", "d", "studage", "lectage", "service", "dept", "y"]);
  });
});

for (const id of scaleIds) {
  describe(id, () => {
    const fx: ScaleFixture = loadScaleFixture(id);

    it("buildDesign gives the hand-built design (names, X, y, levels, refs)", () => {
      const built = buildDesign(fx.formula, frame);
      const hand = instevalDesign(id, columns);
      expect(built.n).toBe(fx.nobs);
      expect(built.fixedNames).toEqual(Object.keys(fx.fixef));
      expect(hand.fixedNames).toEqual(Object.keys(fx.fixef));
      expect(mismatches(built.X, hand.X)).toBe(0);
      expect(mismatches(built.y, hand.y)).toBe(0);
      expect(built.terms.map((t) => t.group)).toEqual(Object.keys(fx.ngrps));
      built.terms.forEach((t, k) => {
        const h = hand.terms[k] as Design["terms"][number];
        expect(t.levels.length).toBe(fx.ngrps[t.group]);
        expect(t.levels).toEqual(h.levels);
        expect(mismatches(t.refs, h.refs)).toBe(0);
        expect(mismatches(t.z, h.z)).toBe(0);
      });
    });

    it("the engine at lme4's θ reproduces lme4's objective, fixed effects and σ", async () => {
      const design = instevalDesign(id, columns);
      const engine = await createEngine(designBuffers(design));
      const sol = engine.solve(Float64Array.from(fx.theta), fx.REML);
      expect(Math.abs(sol.objective - fx.objective)).toBeLessThan(2e-3);
      design.fixedNames.forEach((name, j) => {
        expect(Math.abs((sol.beta[j] as number) - (fx.fixef[name] as number))).toBeLessThan(
          1e-6 * (fx.se[name] as number),
        );
        expect(
          relDiff(Math.sqrt(sol.vcovBeta[j * design.fixedNames.length + j] as number), fx.se[name] as number),
        ).toBeLessThan(1e-6);
      });
      expect(relDiff(sol.sigma, fx.sigma)).toBeLessThan(1e-8);
      engine.dispose();
    });

    it("the analytic gradient agrees with central finite differences away from the optimum", async () => {
      const design = instevalDesign(id, columns);
      const engine = await createEngine(designBuffers(design));
      // Away from θ̂ the gradient is large, so relative agreement is meaningful; h balances the truncation
      // error (h² f''') against rounding in an objective of size 2.4e5.
      const theta = Float64Array.from(fx.theta, (t, i) => t * (1.3 - 0.2 * i));
      const grad = new Float64Array(engine.nTheta);
      engine.gradient(theta, fx.REML, grad);
      const h = 1e-5;
      for (let i = 0; i < engine.nTheta; i++) {
        const tp = Float64Array.from(theta);
        const tm = Float64Array.from(theta);
        tp[i] = (tp[i] as number) + h;
        tm[i] = (tm[i] as number) - h;
        const fd = (engine.objective(tp, fx.REML) - engine.objective(tm, fx.REML)) / (2 * h);
        expect(Math.abs((grad[i] as number) - fd)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
      }
      engine.dispose();
    });

    // One fit per model, shared by the tests below (a fit takes seconds at this size).
    let fitted: Promise<LinearMixedModel> | undefined;
    const model = () => {
      fitted ??= fitPublic(fx.formula, frame, fx.REML);
      return fitted;
    };

    it("the public fit agrees with lme4 (objective, fixef, se, σ, RE SDs, singular)", async () => {
      const m = await model();
      // Objective: within 2e-3 of lme4's, or lower (a better optimum is allowed).
      expect(m.objective - fx.objective).toBeLessThan(2e-3);
      const fixef = m.fixef();
      const se = m.se();
      expect(Object.keys(fixef)).toEqual(Object.keys(fx.fixef));
      for (const [name, ref] of Object.entries(fx.fixef)) {
        expect(Math.abs((fixef[name] as number) - ref)).toBeLessThan(0.01 * (fx.se[name] as number));
        expect(relDiff(se[name] as number, fx.se[name] as number)).toBeLessThan(0.01);
      }
      expect(relDiff(m.sigma, fx.sigma)).toBeLessThan(0.01);
      const rows = m.varCorr();
      for (const ref of fx.varcorr) {
        const row = rows.find((r) => r.grp === ref.grp && r.var1 === ref.var1 && r.var2 === ref.var2);
        expect(row, `variance component ${ref.grp}`).toBeDefined();
        expect(relDiff(row?.sdcor as number, ref.sdcor)).toBeLessThan(0.01);
      }
      expect(m.singular).toBe(fx.singular);
    });

    it("the optimizer reports convergence, as lme4 does for this model (no convergence warning)", async () => {
      const m = await model();
      expect(fx.lme4Warnings ?? []).toEqual([]);
      expect(m.optimizer.converged, `optimizer: ${m.optimizer.message}`).toBe(true);
      expect(m.messages.some((msg) => msg.includes("converge"))).toBe(false);
      m.engine.dispose();
    });
  });
}
