/**
 * An independent check of the leverages on designs without lme4 extras: at fixed θ the fitted values are linear in
 * y, so h_ii = ∂ŷ_i/∂y_i, which a perturbation of y_i measures exactly (up to rounding) through the dense engine.
 * Covers a nested design (per-component factor blocks) and the slope model's 2×2 blocks.
 */
import { describe, expect, it } from "vitest";
import { type Design, designBuffers } from "../../src/design/types.js";
import { hatvalues } from "../../src/diagnostics/hat.js";
import { fittedValues } from "../../src/diagnostics/model.js";
import { createDenseEngine } from "../support/dense-pls.js";
import { asArray, loadFitFixture } from "../support/fixtures.js";
import { handDesigns } from "../support/hand-design.js";

describe.each(["pastes_nested_reml", "sleepstudy_uncorr_ml", "sitka_mm1_reml"])("hat values of %s", (id) => {
  it("equal ∂ŷ_i/∂y_i measured by perturbing y_i", () => {
    const design = (handDesigns[id] as () => Design)();
    const fixture = loadFitFixture(id);
    const theta = Float64Array.from(asArray(fixture.theta));
    const engine = createDenseEngine(designBuffers(design));
    const h = hatvalues({ design, engine, REML: fixture.REML, theta });
    const base = engine.solve(theta, fixture.REML);
    const yhat0 = fittedValues(design, base.beta, base.b);
    const n = design.n;
    let sum = 0;
    for (const i of [0, 1, Math.floor(n / 3), Math.floor(n / 2), n - 1]) {
      const y = Float64Array.from(design.y);
      y[i] = (y[i] as number) + 1;
      engine.setResponse(y);
      const s = engine.solve(theta, fixture.REML);
      const yhat = fittedValues(design, s.beta, s.b);
      expect(Math.abs((yhat[i] as number) - (yhat0[i] as number) - (h[i] as number))).toBeLessThan(1e-8);
    }
    for (const v of h) {
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThan(1);
      sum += v;
    }
    // trace(H) lies between p and p + q.
    expect(sum).toBeGreaterThan(design.fixedNames.length);
  });
});
