/**
 * Every lme4 reference fit in test/fixtures/conformance, refitted by spruce: with the production (wasm) engine,
 * and with the dense oracle engine as a cross-check on the small models.
 */
import { describe, expect, it } from "vitest";
import { fitMixed as fitLmm } from "../../src/fit/fit.js";
import { readCsv } from "../../src/frame/csv.js";
import { fitJson } from "../../src/report/json.js";
import { expectMatchesLme4 } from "../support/compare.js";
import { createDenseEngine } from "../support/dense-pls.js";
import { fitFixtureIds, fixtureDataPath, loadFitFixture } from "../support/fixtures.js";

const ids = fitFixtureIds();

describe("conformance with lme4 (wasm engine)", () => {
  it("has the reference fits", () => {
    expect(ids.length).toBeGreaterThanOrEqual(15);
  });
  for (const id of ids) {
    it(id, async () => {
      const fx = loadFitFixture(id);
      const model = await fitLmm(fx.formula, readCsv(fixtureDataPath(fx)), { REML: fx.REML });
      expect(model.optimizer.converged).toBe(true);
      expectMatchesLme4(fitJson(model), fx);
    });
  }
});

describe("the comparison itself", () => {
  it("rejects a fit whose fixed effect is off by 2% of its standard error, or whose objective is 0.01 higher", async () => {
    const fx = loadFitFixture("sleepstudy_reml");
    const model = await fitLmm(fx.formula, readCsv(fixtureDataPath(fx)), { REML: fx.REML });
    const good = JSON.parse(JSON.stringify(model));
    expectMatchesLme4(good, fx);
    const badFixef = JSON.parse(JSON.stringify(model));
    badFixef.fixef.Days += 0.02 * (fx.se.Days as number);
    expect(() => expectMatchesLme4(badFixef, fx)).toThrow();
    const badObjective = { ...good, objective: good.objective + 0.01 };
    expect(() => expectMatchesLme4(badObjective, fx)).toThrow();
  });
});

// The dense engine costs O((q+p)³) per evaluation: keep the cross-check to the models with small q.
const denseIds = ids.filter((id) => !id.startsWith("sitka_mm"));

describe("conformance with lme4 (dense oracle engine)", () => {
  for (const id of denseIds) {
    it(id, async () => {
      const fx = loadFitFixture(id);
      const model = await fitLmm(fx.formula, readCsv(fixtureDataPath(fx)), {
        REML: fx.REML,
        engine: createDenseEngine,
      });
      expectMatchesLme4(fitJson(model), fx);
    });
  }
});
