/**
 * Models beyond the reference fits (same data, other formulas: crossed with a numeric factor, overparameterised,
 * nested via '/', uncorrelated vector terms, a singular vector term): the quasi-Newton optimum must not be
 * beaten by an independent derivative-free search (bounded Nelder–Mead from the optimum and from another start).
 */
import { describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { designBuffers, thetaLowerBounds } from "../../src/design/types.js";
import { fitDesign } from "../../src/fit/fit.js";
import { nelderMead } from "../../src/fit/optimize.js";
import { createEngine } from "../../src/fit/wasm-engine.js";
import { readCsv } from "../../src/frame/csv.js";
import { conformanceDir } from "../support/fixtures.js";

const cases: [file: string, formula: string, singular: boolean][] = [
  ["sleepstudy.csv", "Reaction ~ Days + (Days|Subject) + (1|Days)", true],
  ["cake.csv", "angle ~ recipe + temp + (1|replicate/recipe)", false],
  ["cake.csv", "angle ~ temp + (temp|replicate)", true],
  ["sitka.csv", "size ~ treat*(time+I(time^2)) + (time+I(time^2)||tree)", false],
];

describe("the optimum is not beaten by Nelder–Mead", () => {
  for (const [file, formula, singular] of cases) {
    for (const REML of [true, false]) {
      it(`${formula} (${REML ? "REML" : "ML"})`, async () => {
        const design = buildDesign(formula, readCsv(`${conformanceDir}/data/${file}`));
        const buffers = designBuffers(design);
        const engine = await createEngine(buffers);
        const model = fitDesign(design, engine, { REML });
        expect(model.optimizer.converged).toBe(true);
        expect(model.singular).toBe(singular);
        const lower = thetaLowerBounds(buffers);
        for (const start of [model.theta, Float64Array.from(lower, (l) => (l === 0 ? 0.5 : 0.1))]) {
          const x = Float64Array.from(start);
          const r = nelderMead((t) => engine.objective(t, REML), x, lower, {
            maxEvaluations: 2000,
            xtol: 1e-10,
            ftol: 1e-15,
          });
          expect(model.objective - r.f).toBeLessThan(1e-6);
        }
      });
    }
  }
});
