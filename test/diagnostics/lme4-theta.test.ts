/**
 * Diagnostics at lme4's θ̂ (dense reference engine) against lme4's extras: hat values, Cook's distances, Pearson
 * and scaled residuals within 1e-4 relative, conditional variances within 1e-3 relative.
 */
import { describe, expect, it } from "vitest";
import { ranefCondVar } from "../../src/diagnostics/condvar.js";
import { hatvalues } from "../../src/diagnostics/hat.js";
import { cooksDistance, residuals } from "../../src/diagnostics/residuals.js";
import { asArray } from "../support/fixtures.js";
import { extrasIds, lme4ThetaModel, loadExtras, maxRelError } from "./support.js";

describe.each(extrasIds)("diagnostics at lme4's θ̂: %s", (id) => {
  const model = lme4ThetaModel(id);
  const ref = loadExtras(id);

  it("hat values match lme4's hatvalues()", () => {
    expect(maxRelError(hatvalues(model), ref.hatvalues)).toBeLessThan(1e-4);
  });
  it("Cook's distances match lme4's cooks.distance()", () => {
    expect(maxRelError(cooksDistance(model), ref.cooksDistance, 1e-6)).toBeLessThan(1e-4);
  });
  it("Pearson and scaled residuals match lme4's residuals()", () => {
    expect(maxRelError(residuals(model, { type: "pearson" }), ref.pearsonResiduals, 1e-6)).toBeLessThan(1e-4);
    expect(maxRelError(residuals(model, { scaled: true }), ref.scaledResiduals, 1e-6)).toBeLessThan(1e-4);
  });
  it("conditional variances match lme4's ranef(condVar = TRUE)", () => {
    const ours = ranefCondVar(model);
    expect(ours.map((g) => g.group)).toEqual(ref.ranefCondVar.map((g) => g.group));
    ours.forEach((g, k) => {
      const r = ref.ranefCondVar[k] as (typeof ref.ranefCondVar)[number];
      expect(g.terms).toEqual(asArray(r.terms));
      expect(maxRelError(g.condVar.flat(2), r.condVar.flat(2) as number[])).toBeLessThan(1e-3);
    });
  });
});
