/**
 * spruce's GLMMs against lme4 1.1-31 glmer (test/fixtures/glmm): every fast reference case at issue 12's
 * tolerances. The slow ones (Contraception, VerbAgg, unscaled grouseticks) are in test/scale/glmm.test.ts.
 */
import { describe, expect, test } from "vitest";
import { expectAgreement, fitFixture, loadGlmmFixture } from "./glmm-reference.js";

const FAST = [
  "cbpp_binomial",
  "cbpp_null",
  "cbpp_proportion_weights",
  "cbpp_cloglog",
  "cbpp_agq9",
  "cbpp_agq0",
  "bacteria_factor",
  "epil_poisson",
  "epil_null",
  "epil_uncorr",
  "epil_agq5",
  "exposure_offset_poisson",
  "grouseticks_poisson",
  "grouseticks_poisson_agq0",
];

describe("glmer references", () => {
  for (const id of FAST)
    test(id, async () => {
      const fx = loadGlmmFixture(id);
      const m = await fitFixture(fx);
      expectAgreement(m, fx);
      expect(m.converged).toBe(true);
    });

  test("quasi-complete separation: stops, reports, agrees where the MLE is finite", async () => {
    const fx = loadGlmmFixture("separation_binomial");
    const m = await fitFixture(fx);
    expectAgreement(m, fx, true);
    // armhigh runs off towards +∞; lme4 stops at 20.9, spruce wherever the criterion is flat.
    expect(m.fixef().armhigh).toBeGreaterThan(10);
    expect(m.messages.join("\n")).toMatch(/separation/);
  });
});
