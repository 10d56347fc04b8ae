/**
 * The analytic derivatives behind Satterthwaite's df (src/inference/ddf/satterthwaite.ts) against central finite
 * differences of what the engine computes independently: the deviance lmerTest differentiates (devfun_vp: the
 * REML or ML deviance as a function of varpar = (θ, σ), β profiled) and vcov(β̂) at (θ, σ) (get_covbeta).
 */
import { describe, expect, it } from "vitest";
import type { LinearMixedModel } from "../../../src/fit/model.js";
import { satterthwaiteParts } from "../../../src/inference/ddf/satterthwaite.js";
import { fitModel, fixtureData, SITKA_MM1, SLEEP_SLOPE } from "../fit-models.js";

function deviance(model: LinearMixedModel, vp: Float64Array): number {
  const k = vp.length - 1;
  const sigma = vp[k] as number;
  const s2 = sigma * sigma;
  const sol = model.engine.solve(vp.subarray(0, k), model.REML);
  const n = model.nobs;
  const p = model.p;
  let d = sol.logDetM + sol.pwrss / s2 + n * Math.log(2 * Math.PI * s2);
  if (model.REML) d += sol.logDetS - p * Math.log(2 * Math.PI * s2);
  return d;
}

function vcovBeta(model: LinearMixedModel, vp: Float64Array): Float64Array {
  const k = vp.length - 1;
  const sigma = vp[k] as number;
  const sol = model.engine.solve(vp.subarray(0, k), model.REML);
  // The engine's vcov is σ̂(θ)²S⁻¹; lmerTest's get_covbeta is σ²S⁻¹ at the given σ.
  return sol.vcovBeta.map((v) => (v * sigma * sigma) / (sol.sigma * sol.sigma));
}

function varpar(model: LinearMixedModel): Float64Array {
  return Float64Array.from([...model.theta, model.sigma]);
}

function step(x: number): number {
  // The engine's deviance carries rounding of ~1e-10 relative: steps much below 1e-3 drown in it.
  return 3e-3 * Math.max(Math.abs(x), 0.1);
}

function checkModel(name: string, get: () => Promise<LinearMixedModel>) {
  describe(name, () => {
    it("the Hessian of the deviance in (θ, σ) matches central differences", async () => {
      const model = await get();
      const parts = satterthwaiteParts(model);
      const x = varpar(model);
      const m = x.length;
      for (let a = 0; a < m; a++)
        for (let b = 0; b <= a; b++) {
          const ha = step(x[a] as number);
          const hb = step(x[b] as number);
          const at = (da: number, db: number) => {
            const y = Float64Array.from(x);
            y[a] = (y[a] as number) + da;
            y[b] = (y[b] as number) + db;
            return deviance(model, y);
          };
          const fd =
            a === b
              ? (at(ha, 0) - 2 * deviance(model, x) + at(-ha, 0)) / (ha * ha)
              : (at(ha, hb) - at(ha, -hb) - at(-ha, hb) + at(-ha, -hb)) / (4 * ha * hb);
          const exact = parts.hessian[a * m + b] as number;
          const scale = Math.sqrt(
            Math.abs((parts.hessian[a * m + a] as number) * (parts.hessian[b * m + b] as number)),
          );
          expect(Math.abs(exact - fd) / scale, `H[${a},${b}] ${exact} vs ${fd}`).toBeLessThan(1e-4);
        }
    });

    it("the gradient of the deviance is ~0 at the estimates and matches central differences", async () => {
      const model = await get();
      const parts = satterthwaiteParts(model);
      const x = varpar(model);
      for (let a = 0; a < x.length; a++) {
        const h = step(x[a] as number);
        const y = Float64Array.from(x);
        y[a] = (x[a] as number) + h;
        const up = deviance(model, y);
        y[a] = (x[a] as number) - h;
        const down = deviance(model, y);
        const fd = (up - down) / (2 * h);
        const scale = Math.sqrt(Math.abs(parts.hessian[a * x.length + a] as number));
        // O(h²) truncation of the central difference at this step size is ~1e-4 of the scale.
        expect(Math.abs((parts.gradient[a] as number) - fd) / scale).toBeLessThan(1e-3);
        expect(Math.abs(parts.gradient[a] as number) / scale).toBeLessThan(2e-2);
      }
    });

    it("the Jacobian of vcov(β̂) in (θ, σ) matches central differences", async () => {
      const model = await get();
      const parts = satterthwaiteParts(model);
      const x = varpar(model);
      const p = model.p;
      for (let a = 0; a < x.length; a++) {
        const h = step(x[a] as number);
        const y = Float64Array.from(x);
        y[a] = (x[a] as number) + h;
        const up = vcovBeta(model, y);
        y[a] = (x[a] as number) - h;
        const down = vcovBeta(model, y);
        const J = parts.jacobian[a] as Float64Array;
        for (let i = 0; i < p; i++)
          for (let j = 0; j < p; j++) {
            const fd = ((up[i * p + j] as number) - (down[i * p + j] as number)) / (2 * h);
            const scale = Math.sqrt(
              (parts.vcovBeta[i * p + i] as number) * (parts.vcovBeta[j * p + j] as number),
            );
            expect(Math.abs((J[i * p + j] as number) - fd) / scale, `dPhi/d${a}[${i},${j}]`).toBeLessThan(
              1e-5,
            );
          }
      }
    });
  });
}

checkModel("sleepstudy REML", () => fitModel(SLEEP_SLOPE, fixtureData("sleepstudy"), true));
checkModel("sleepstudy ML", () => fitModel(SLEEP_SLOPE, fixtureData("sleepstudy"), false));
checkModel("Sitka REML", () => fitModel(SITKA_MM1, fixtureData("sitka"), true));
