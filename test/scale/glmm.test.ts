/**
 * The slow glmer references (`npm run test:scale`): Contraception (1,934 rows; logit, probit, correlated random
 * slope), grouseticks with unscaled HEIGHT, and VerbAgg (7,584 binary answers, 316 people crossed with 24 items),
 * at issue 12's tolerances. Where lme4 warned about convergence spruce may reach a higher logLik.
 */
import { describe, expect, test } from "vitest";
import { expectAgreement, fitFixture, loadGlmmFixture } from "../glmm/glmm-reference.js";

describe("glmer references at scale", () => {
  for (const id of [
    "contraception_binomial",
    "contraception_probit",
    "contraception_slope",
    "grouseticks_height_unscaled",
    "verbagg_binomial",
  ])
    test(id, async () => {
      const fx = loadGlmmFixture(id);
      const m = await fitFixture(fx);
      expectAgreement(m, fx);
      expect(m.converged).toBe(true);
    });
});
