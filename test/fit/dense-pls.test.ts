/**
 * The dense oracle against lme4 (objective, β, σ, vcov at lme4's θ) and its analytic gradient against central
 * finite differences of its own objective. Uses hand-built designs so it depends on nothing but the contracts.
 */
import { describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { type Design, designBuffers, thetaLowerBounds } from "../../src/design/types.js";
import { readCsv } from "../../src/frame/csv.js";
import { createDenseEngine } from "../support/dense-pls.js";
import { asArray, fitFixtureIds, fixtureDataPath, loadFitFixture, loadJson } from "../support/fixtures.js";
import { handDesigns } from "../support/hand-design.js";

const ids = Object.keys(handDesigns);

describe("dense PLS oracle at lme4's θ", () => {
  for (const id of ids) {
    it(`${id}: objective, fixed effects, σ and vcov equal lme4's`, () => {
      const fx = loadFitFixture(id);
      const design = (handDesigns[id] as () => Design)();
      const engine = createDenseEngine(designBuffers(design));
      const theta = Float64Array.from(asArray(fx.theta));
      const sol = engine.solve(theta, fx.REML);
      expect(sol.objective).toBeCloseTo(fx.objective, 6);
      expect(engine.objective(theta, fx.REML)).toBe(sol.objective);
      design.fixedNames.forEach((name, j) => {
        expect(sol.beta[j]).toBeCloseTo(fx.fixef[name] as number, 6);
      });
      expect(sol.sigma / fx.sigma).toBeCloseTo(1, 8);
      const vcov = [fx.vcov].flat(2) as number[];
      vcov.forEach((v, k) => {
        expect((sol.vcovBeta[k] as number) - v).toBeCloseTo(0, 6);
      });
    });
  }
});

describe("dense PLS analytic gradient", () => {
  const points = (nTheta: number, lower: number[]) => [
    Float64Array.from(lower, (lb) => (lb === 0 ? 1 : 0)),
    Float64Array.from({ length: nTheta }, (_, k) => (lower[k] === 0 ? 0.5 + 0.3 * k : 0.2 - 0.1 * k)),
  ];
  // Every distinct model of the reference fits (built by buildDesign), ML and REML.
  const models = new Map<string, { formula: string; data: string }>();
  for (const id of fitFixtureIds()) {
    const fx = loadFitFixture(id);
    models.set(`${fx.data} ${fx.formula}`, { formula: fx.formula, data: fx.data });
  }
  for (const { formula, data } of models.values()) {
    for (const reml of [false, true]) {
      it(`${formula} ${reml ? "REML" : "ML"}: agrees with central finite differences`, () => {
        const design = buildDesign(formula, readCsv(fixtureDataPath({ data })));
        const buffers = designBuffers(design);
        const engine = createDenseEngine(buffers);
        const lower = Array.from(thetaLowerBounds(buffers));
        for (const theta of points(engine.nTheta, lower)) {
          const grad = new Float64Array(engine.nTheta);
          const f = engine.gradient(theta, reml, grad);
          expect(f).toBeCloseTo(engine.objective(theta, reml), 10);
          for (let k = 0; k < engine.nTheta; k++) {
            const h = 1e-5;
            const tp = Float64Array.from(theta);
            const tm = Float64Array.from(theta);
            tp[k] = (tp[k] as number) + h;
            tm[k] = (tm[k] as number) - h;
            const fd = (engine.objective(tp, reml) - engine.objective(tm, reml)) / (2 * h);
            expect(Math.abs((grad[k] as number) - fd)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
          }
        }
      });
    }
  }
});

describe("dense PLS conditional variances", () => {
  it("sleepstudy_reml: equal lme4's ranef(condVar = TRUE) postVar", () => {
    const fx = loadFitFixture("sleepstudy_reml");
    const extras = loadJson<{ ranefCondVar: { condVar: number[][][] }[] }>("extras_sleepstudy_reml.json");
    const engine = createDenseEngine(designBuffers((handDesigns.sleepstudy_reml as () => Design)()));
    const [cv] = engine.condVar(Float64Array.from(asArray(fx.theta)), true);
    const expected = (extras.ranefCondVar[0] as { condVar: number[][][] }).condVar;
    expected.forEach((block, level) => {
      block.forEach((row, i) => {
        row.forEach((v, j) => {
          expect((cv as Float64Array)[level * 4 + i * 2 + j] as number).toBeCloseTo(v, 5);
        });
      });
    });
  });
});
