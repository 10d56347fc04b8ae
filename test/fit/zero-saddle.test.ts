/**
 * A small random-intercept variance: the optimiser's line search can end on θ = 0 (or 1e-16), where the symmetric
 * deviance has a zero derivative but no minimum, and report a singular fit lme4 does not (src/fit/zero-saddle.ts).
 * The fixtures (test/fixtures/zero-saddle/: data from make-data.mjs, lme4 1.1-31 fits from make-reference.R) are
 * cases where that happened, for lmer and for glmer (both of its stages); the fit must now reach lme4's optimum,
 * and still leave a true singular fit at 0.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { designBuffers } from "../../src/design/types.js";
import { fit } from "../../src/fit/fit.js";
import { minimizeBounded } from "../../src/fit/optimize.js";
import { ensureReducedEngine } from "../../src/fit/response-reduction.js";
import { createEngine } from "../../src/fit/wasm-engine.js";
import { NEAR_ZERO, probeZeroDiagonals } from "../../src/fit/zero-saddle.js";
import { readCsv } from "../../src/frame/index.js";
import { fixturesDir, loadJson } from "../support/fixtures.js";

interface Reference {
  objective: number;
  theta: number;
  sigma: number;
  fixef: Record<string, number>;
  singular: boolean;
}
const dir = join(fixturesDir, "zero-saddle");
const reference = loadJson<Record<string, { REML: Reference; ML: Reference }>>("reference.json", dir);
const glmmReference = reference as unknown as Record<string, Record<"binomial" | "poisson", Reference>>;
const files = Object.keys(reference).filter((k) => k.startsWith("seed-"));
const glmmCases = Object.keys(reference)
  .filter((k) => k.startsWith("glmm-"))
  .flatMap((file) => (["binomial", "poisson"] as const).map((family) => [file, family] as const));
const FORMULA = "y ~ x + (1|g)";
const cases = files.flatMap((file) => [true, false].map((REML) => [file, REML] as const));

describe("a diagonal θ at or near 0 is probed inwards (lme4's optimum, not the saddle of the symmetric deviance)", () => {
  it("covers five data sets by REML and ML, two of them with lme4's singular fits", () => {
    expect(files).toHaveLength(5);
    expect(cases.filter(([f, REML]) => reference[f]?.[REML ? "REML" : "ML"].singular)).toHaveLength(2);
  });

  it.each(cases)("%s (REML %s): lme4's criterion, θ, σ and β", async (file, REML) => {
    const ref = (reference[file] as { REML: Reference; ML: Reference })[REML ? "REML" : "ML"];
    const m = await fit(FORMULA, readCsv(join(dir, file)), { REML });
    // The optimum is flat in θ near 0 (lme4 stops within ~1e-4 of it): the criterion is what must agree.
    expect(Math.abs(m.objective - ref.objective)).toBeLessThan(1e-6);
    expect(Math.abs((m.theta[0] as number) - ref.theta)).toBeLessThan(5e-4);
    expect(m.singular).toBe(ref.singular);
    expect(Math.abs(m.sigma - ref.sigma)).toBeLessThan(1e-4);
    expect(Math.abs((m.fixef().x as number) - (ref.fixef.x as number))).toBeLessThan(1e-4);
  });

  it.each(["seed-2.csv", "seed-9.csv", "seed-12.csv"])(
    "%s: the optimiser alone stops near θ = 0, well above lme4's REML criterion (what the probe repairs)",
    async (file) => {
      const design = buildDesign(FORMULA, readCsv(join(dir, file)));
      const engine = ensureReducedEngine(await createEngine(designBuffers(design)));
      const result = minimizeBounded(
        (t, g) => (g ? engine.gradient(t, true, g) : engine.objective(t, true)),
        Float64Array.of(1),
        { lower: Float64Array.of(Number.NEGATIVE_INFINITY), valueOnlyTrials: true },
      );
      expect(Math.abs(result.x[0] as number)).toBeLessThan(NEAR_ZERO);
      expect(result.f - (reference[file] as { REML: Reference }).REML.objective).toBeGreaterThan(0.1);
    },
  );

  it("covers four glmer data sets, binomial and Poisson, three of them singular", () => {
    expect(glmmCases).toHaveLength(8);
    expect(glmmCases.filter(([f, family]) => glmmReference[f]?.[family].singular)).toHaveLength(3);
  });

  it.each(glmmCases)("%s (%s): glmer's −2 log L, θ and β", async (file, family) => {
    const ref = (glmmReference[file] as Record<"binomial" | "poisson", Reference>)[family];
    const response = family === "binomial" ? "y" : "k";
    const m = await fit(`${response} ~ x + (1|g)`, readCsv(join(dir, file)), { family });
    // glmer stops a little short of the optimum (its end points are up to 2e-5 higher); never lower by more.
    expect(m.objective - ref.objective).toBeLessThan(1e-6);
    expect(ref.objective - m.objective).toBeLessThan(1e-4);
    expect(Math.abs((m.theta[0] as number) - ref.theta)).toBeLessThan(2e-3);
    expect(m.singular).toBe(ref.singular);
    expect(Math.abs((m.fixef().x as number) - (ref.fixef.x as number))).toBeLessThan(1e-3);
  });

  it("moves a zero diagonal to the best inward probe of an even function with its minimum away from 0", () => {
    // f(θ) = (θ² − 0.04)²: a local maximum at 0, minima at ±0.2; the probes are 0.1, 0.01 and 0.001.
    const f = (t: Float64Array) => ((t[0] as number) ** 2 - 0.04) ** 2;
    const probe = probeZeroDiagonals(Float64Array.of(0), Float64Array.of(0), f(Float64Array.of(0)), f);
    expect(probe.evaluations).toBe(3);
    expect(Array.from(probe.start ?? [])).toEqual([0.1]);
    expect(probe.f).toBe(f(Float64Array.of(0.1)));
  });

  it("leaves a boundary minimum, an off-diagonal θ and a θ away from 0 alone", () => {
    const bowl = (t: Float64Array) =>
      (t[0] as number) ** 2 + (t[1] as number) ** 2 + ((t[2] as number) - 1) ** 2;
    // θ₁ at its true minimum 0; θ₂ an off-diagonal (lower bound −∞) at 0; θ₃ = 1 far from 0.
    const theta = Float64Array.of(0, 0, 1);
    const probe = probeZeroDiagonals(
      theta,
      Float64Array.of(0, Number.NEGATIVE_INFINITY, 0),
      bowl(theta),
      bowl,
    );
    expect(probe.start).toBeNull();
    expect(probe.evaluations).toBe(3);
  });
});
