/**
 * Confidence intervals of models fitted by spruce (formula → fit → confint) against lme4's confint(oldNames =
 * FALSE): profile intervals within 2% of the interval's width, Wald intervals within 1e-4 relative, same names.
 */
import { describe, expect, it } from "vitest";
// Aliased: a bare `fit(` reads as a focused test to the linter.
import { fitMixed as fitModel } from "../../src/fit/fit.js";
import { readCsv } from "../../src/frame/index.js";
import { confint, confintJson, normInter, waldIntervals } from "../../src/inference/confint.js";
import { sdCorToTheta, thetaToSdCor } from "../../src/inference/profile.js";
import { extrasIds, loadExtras, maxRelError } from "../diagnostics/support.js";
import { asArray, fixtureDataPath } from "../support/fixtures.js";

describe.each(extrasIds)("confint of spruce's fit: %s", (id) => {
  const ref = loadExtras(id);
  const modelPromise = fitModel(ref.formula, readCsv(fixtureDataPath(ref)), { REML: ref.REML });

  it("profile intervals match lme4's within 2% of the interval width", async () => {
    const model = await modelPromise;
    const ours = await confint(model, { method: "profile" });
    expect(ours.names).toEqual(asArray(ref.profileCI.names));
    const lo = asArray(ref.profileCI.lower);
    const hi = asArray(ref.profileCI.upper);
    ours.names.forEach((name, k) => {
      const width = (hi[k] as number) - (lo[k] as number);
      expect(Math.abs((ours.lower[k] as number) - (lo[k] as number)) / width, `${name} lower`).toBeLessThan(
        0.02,
      );
      expect(Math.abs((ours.upper[k] as number) - (hi[k] as number)) / width, `${name} upper`).toBeLessThan(
        0.02,
      );
    });
  });

  it("Wald intervals match lme4's within 1e-4 relative", async () => {
    const model = await modelPromise;
    const ours = waldIntervals(model);
    expect(ours.names).toEqual(asArray(ref.waldCI.names));
    expect(maxRelError(ours.lower, asArray(ref.waldCI.lower))).toBeLessThan(1e-4);
    expect(maxRelError(ours.upper, asArray(ref.waldCI.upper))).toBeLessThan(1e-4);
  });

  it("confintJson has the extras layout (jsonlite's unboxing of length-1 vectors)", async () => {
    const model = await modelPromise;
    const json = await confintJson(model, "wald");
    expect(Object.keys(json)).toEqual(["waldCI"]);
    const w = json.waldCI as { names: unknown; lower: unknown };
    expect(typeof w.names).toBe(typeof ref.waldCI.names);
    expect(typeof w.lower).toBe(typeof ref.waldCI.lower);
  });
});

describe("profile on a 3×3 random-effects term (sitka, REML)", () => {
  it("gives finite intervals around the ML estimates, correlations inside [−1, 1]", async () => {
    const model = await fitModel(
      "size ~ treat*(time+I(time^2)) + (time+I(time^2)|tree)",
      readCsv(fixtureDataPath({ data: "data/sitka.csv" })),
    );
    const ci = await confint(model, { method: "profile" });
    expect(ci.names.slice(0, 7)).toEqual([
      "sd_(Intercept)|tree",
      "cor_time.(Intercept)|tree",
      "cor_I(time^2).(Intercept)|tree",
      "sd_time|tree",
      "cor_I(time^2).time|tree",
      "sd_I(time^2)|tree",
      "sigma",
    ]);
    ci.names.forEach((name, k) => {
      const lo = ci.lower[k] as number;
      const hi = ci.upper[k] as number;
      const est = ci.estimate[k] as number;
      expect(Number.isFinite(lo) && Number.isFinite(hi), name).toBe(true);
      expect(lo, name).toBeLessThan(est);
      expect(hi, name).toBeGreaterThan(est);
      if (name.startsWith("cor_")) {
        expect(lo).toBeGreaterThanOrEqual(-1);
        expect(hi).toBeLessThanOrEqual(1);
      }
    });
    // For β the profile and Wald intervals nearly coincide in a balanced design.
    const wald = waldIntervals(model);
    wald.names.forEach((name, j) => {
      const k = ci.names.indexOf(name);
      const width = (wald.upper[j] as number) - (wald.lower[j] as number);
      expect(Math.abs((ci.lower[k] as number) - (wald.lower[j] as number)) / width, name).toBeLessThan(0.05);
    });
  });
});

describe("sd/cor scale", () => {
  it("θ → (sd, cor, σ) → θ round-trips for a 3×3 term and a scalar term", () => {
    const theta = Float64Array.from([1.2, -0.3, 0.4, 0.8, 0.1, 0.5, 0.7]);
    const sizes = [3, 1];
    const sdcor = thetaToSdCor(theta, sizes, 2.5);
    expect(sdcor[sdcor.length - 1]).toBe(2.5);
    // sd of the first column is σ·|T11|, the scalar term's sd is σ·θ.
    expect(sdcor[0]).toBeCloseTo(2.5 * 1.2, 14);
    expect(sdcor[6]).toBeCloseTo(2.5 * 0.7, 14);
    const back = sdCorToTheta(sdcor, sizes, 2.5);
    expect(back).not.toBeNull();
    expect(maxRelError(back as Float64Array, theta)).toBeLessThan(1e-12);
  });
  it("a correlation matrix that is not positive semi-definite is rejected", () => {
    // cor(1,2) = 0.9, cor(1,3) = 0.9, cor(2,3) = −0.9 is impossible.
    expect(sdCorToTheta([1, 0.9, 0.9, 1, -0.9, 1], [3], 1)).toBeNull();
  });
  it("a zero standard deviation gives a zero column", () => {
    const t = sdCorToTheta([2, 0, 0], [2], 1) as Float64Array;
    expect(Array.from(t)).toEqual([2, 0, 0]);
  });
});

describe("bootstrap percentile (boot's norm.inter)", () => {
  it("uses the order statistic when (R+1)α is whole and interpolates on the normal scale otherwise", () => {
    const t = Array.from({ length: 39 }, (_, i) => i + 1);
    // (39+1)·0.025 = 1 and (39+1)·0.975 = 39: exactly the extremes.
    expect(normInter(t, [0.025, 0.975])).toEqual([1, 39]);
    const u = Array.from({ length: 100 }, (_, i) => i + 1);
    // (101)·0.025 = 2.525: between the 2nd and 3rd order statistics.
    const [lo] = normInter(u, [0.025]);
    expect(lo).toBeGreaterThan(2);
    expect(lo).toBeLessThan(3);
  });
  it("confint(method: boot) runs the parametric bootstrap and brackets the estimates", async () => {
    const ref = loadExtras("sleepstudy_reml");
    const model = await fitModel(ref.formula, readCsv(fixtureDataPath(ref)));
    const ci = await confint(model, { method: "boot", nsim: 60, seed: 42, workers: 0 });
    expect(ci.names).toEqual(asArray(ref.profileCI.names));
    ci.names.forEach((name, k) => {
      expect(ci.lower[k] as number, name).toBeLessThan(ci.upper[k] as number);
    });
    // β intervals from 60 replicates are close to the profile ones (a loose check of scale, not of precision).
    const lo = asArray(ref.profileCI.lower);
    const hi = asArray(ref.profileCI.upper);
    for (const k of [4, 5]) {
      const width = (hi[k] as number) - (lo[k] as number);
      expect(Math.abs((ci.lower[k] as number) - (lo[k] as number)) / width).toBeLessThan(0.35);
    }
  });
});
