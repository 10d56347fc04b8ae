/**
 * The parametric bootstraps through the worker pool (built dist/parallel/worker.js; `npm test` builds first).
 * Small runs on sleepstudy check determinism, fault recovery, cancellation and each replicate against an
 * independent refit; one 1000-replicate run on Sitka checks the bootstrap p-value against lme4's.
 */
import { describe, expect, it } from "vitest";
import { designBuffers } from "../../src/design/types.js";
import { SpruceError } from "../../src/errors.js";
import { fitDesign } from "../../src/fit/fit.js";
import type { LinearMixedModel } from "../../src/fit/model.js";
import { createEngine } from "../../src/fit/wasm-engine.js";
import { anova } from "../../src/inference/anova.js";
import { bootstrap, bootstrapLRT, bootstrapLrtJson } from "../../src/inference/bootstrap.js";
import { modelSpec, toMlFit } from "../../src/inference/models.js";
import { simulateResponses } from "../../src/inference/simulate.js";
import { BOOT_LRT_JSON_KEYS } from "./boot-json.js";
import { fitModel, fixtureData, SITKA_MM0, SITKA_MM1, SLEEP_INT, SLEEP_SLOPE } from "./fit-models.js";

const sleep = fixtureData("sleepstudy");
const m0 = await fitModel(SLEEP_INT, sleep, false);
const m1 = await fitModel(SLEEP_SLOPE, sleep, false);

/** Fit a model's design to another response from lme4's default start: a refit independent of the bootstrap's. */
async function refitTo(model: LinearMixedModel, y: Float64Array, REML: boolean): Promise<LinearMixedModel> {
  const design = { ...model.design, y };
  return fitDesign(design, await createEngine(designBuffers(design)), { REML });
}

describe("bootstrapLRT", () => {
  it("gives bit-identical statistics for 1, 2 and 3 workers and on the calling thread (same seed)", async () => {
    const runs = [];
    // forceWorkers: 3 workers even on a 2-core machine (the default caps workers at the cores).
    for (const workers of [1, 2, 3, 0])
      runs.push(
        await bootstrapLRT(m0, m1, { nsim: 40, seed: 4242, workers, batchSize: 3, forceWorkers: true }),
      );
    const ref = Array.from((runs[0] as (typeof runs)[number]).stats);
    expect(ref.every(Number.isFinite)).toBe(true);
    for (const r of runs) {
      expect(Array.from(r.stats)).toEqual(ref);
      expect(r.failures.count).toBe(0);
      expect(r.partial).toBe(false);
      expect(r.seed).toBe(4242);
    }
    expect(runs.map((r) => r.workers)).toEqual([1, 2, 3, 0]);
  });

  it("each T* equals 2(ℓ1 − ℓ0) of independent ML fits (default start) of the simulated response", async () => {
    const r = await bootstrapLRT(m0, m1, { nsim: 8, seed: 99, workers: 0 });
    const { responses } = simulateResponses(modelSpec(m0), { nsim: 8, seed: 99 });
    for (const k of [0, 5]) {
      const y = responses[k] as Float64Array;
      const d0 = (await refitTo(m0, y, false)).objective;
      const d1 = (await refitTo(m1, y, false)).objective;
      // Both are optima to ~1e-9 relative of a deviance ≈ 1800: agree to 1e-5 absolute.
      expect(Math.abs((r.stats[k] as number) - (d0 - d1))).toBeLessThan(1e-5);
    }
  });

  it("reports the observed statistic, the χ² p-value of anova and p-values computed from the stats", async () => {
    const r = await bootstrapLRT(m0, m1, { nsim: 30, seed: 1, workers: 2 });
    const a = anova([m0, m1]).rows[1];
    expect(r.observed).toBeCloseTo(a?.Chisq as number, 10);
    expect(r.df).toBe(2);
    expect(r.pChisq).toBeCloseTo(a?.p as number, 15);
    const stats = Array.from(r.stats);
    expect(r.valid).toBe(30);
    expect(r.pBootstrap).toBe((1 + stats.filter((t) => t >= r.observed).length) / 31);
    expect(r.pExceed).toBe(stats.filter((t) => t > r.observed).length / 30);
    const json = bootstrapLrtJson(r);
    expect(Object.keys(json)).toEqual(expect.arrayContaining(BOOT_LRT_JSON_KEYS));
  });

  it("still returns every replicate, identical to an undisturbed run, when a worker is killed mid-run", async () => {
    const clean = await bootstrapLRT(m0, m1, { nsim: 40, seed: 7, workers: 2, batchSize: 4 });
    const hit = await bootstrapLRT(m0, m1, {
      nsim: 40,
      seed: 7,
      workers: 2,
      batchSize: 4,
      faults: { atIndex: 22, mode: "exit" },
    });
    expect(hit.restarts).toBe(1);
    expect(hit.failures.count).toBe(0);
    expect(hit.partial).toBe(false);
    expect(Array.from(hit.stats)).toEqual(Array.from(clean.stats));
  });

  it("stops on abort and returns the replicates done so far, marked partial", async () => {
    const controller = new AbortController();
    const r = await bootstrapLRT(m0, m1, {
      nsim: 2000,
      seed: 3,
      workers: 2,
      batchSize: 5,
      signal: controller.signal,
      onProgress: (done) => done >= 20 && controller.abort(),
    });
    expect(r.partial).toBe(true);
    expect(r.completed).toBeGreaterThanOrEqual(20);
    expect(r.completed).toBeLessThan(2000);
    const finished = Array.from(r.stats).filter(Number.isFinite).length;
    expect(finished).toBe(r.completed);
    expect(r.valid).toBe(finished);
    expect(r.messages.join(" ")).toMatch(/stopped after/);
  });

  it("refits REML models with ML first and says so", async () => {
    const r0 = await fitModel(SLEEP_INT, sleep, true);
    const r1 = await fitModel(SLEEP_SLOPE, sleep, true);
    const r = await bootstrapLRT(r1, r0, { nsim: 4, seed: 1, workers: 0 });
    expect(r.refitted).toBe(true);
    expect(r.messages[0]).toMatch(/refitting model\(s\) with ML/);
    expect(r.observed).toBeCloseTo(toMlFit(m0).deviance - toMlFit(m1).deviance, 6);
  });

  it("refuses models that are not comparable", async () => {
    const other = await fitModel("log(Reaction) ~ Days + (Days|Subject)", sleep, false);
    await expect(bootstrapLRT(m0, other, { nsim: 2, workers: 0 })).rejects.toThrow(/different responses/);
    await expect(bootstrapLRT(m1, m1, { nsim: 2, workers: 0 })).rejects.toThrow(SpruceError);
    await expect(bootstrapLRT(m0, m1, { nsim: 0, workers: 0 })).rejects.toThrow(/nsim/);
  });

  it("Sitka, 1000 replicates: observed T = 12.62 and a bootstrap p-value consistent with lme4's 0.011", async () => {
    const sitka = fixtureData("sitka");
    const s0 = await fitModel(SITKA_MM0, sitka, false);
    const s1 = await fitModel(SITKA_MM1, sitka, false);
    const r = await bootstrapLRT(s0, s1, { nsim: 1000, seed: 20251125, workers: 2 });
    expect(Math.abs(r.observed - 12.62)).toBeLessThan(2e-3);
    expect(r.failures.count).toBe(0);
    expect(r.valid).toBe(1000);
    // lme4's 0.011 is itself a 1000-replicate estimate: the count of T* ≥ T is Binomial(1000, p) with p ≈ 0.011
    // (sd 3.3 replicates, i.e. 0.0033 in p), and the difference of two such estimates has sd ≈ 0.0047. A band of
    // about ±4 sd around 0.011, [0.002, 0.03], fails for a correct bootstrap with probability < 1e-4, while a
    // χ²-like calibration (p = 0.0055) or a broken simulation (p far from 0.01) would be caught by the shape
    // checks below.
    expect(r.pBootstrap).toBeGreaterThan(0.002);
    expect(r.pBootstrap).toBeLessThan(0.03);
    // Under the null T* is roughly χ²₃: its mean should be near 3 (sd of the mean of 1000 draws ≈ 0.08).
    const mean = Array.from(r.stats).reduce((s, t) => s + t, 0) / 1000;
    expect(mean).toBeGreaterThan(2.5);
    expect(mean).toBeLessThan(4);
    expect(Math.min(...r.stats)).toBeGreaterThan(-1e-6);
  }, 180_000);
});

describe("bootstrap (parameters)", () => {
  it("replicate k equals an independent REML fit of simulated response k; identical for 0 and 2 workers", async () => {
    const reml = await fitModel(SLEEP_SLOPE, sleep, true);
    const a = await bootstrap(reml, { nsim: 12, seed: 5, workers: 2 });
    const b = await bootstrap(reml, { nsim: 12, seed: 5, workers: 0 });
    expect(a.values.map((v) => Array.from(v))).toEqual(b.values.map((v) => Array.from(v)));
    expect(a.names).toEqual([
      "sd_(Intercept)|Subject",
      "cor_Days.(Intercept)|Subject",
      "sd_Days|Subject",
      "sigma",
      "(Intercept)",
      "Days",
    ]);
    const { responses } = simulateResponses(modelSpec(reml), { nsim: 12, seed: 5 });
    const k = 3;
    const fit = await refitTo(reml, responses[k] as Float64Array, true);
    // The replicate's optimum is at least as good as the independent fit's (same criterion, same data) ...
    const replicateTheta = Float64Array.from(a.replicates[k]?.theta as ArrayLike<number>);
    expect(fit.engine.objective(replicateTheta, true)).toBeLessThanOrEqual(fit.objective + 1e-9);
    // ... and the estimates agree to the reference's own accuracy: fitDesign stops at lme4's gradient tolerance
    // (|g| ≤ 2e-3, here σ and the sd to ~3e-6 relative), so compare at 1e-4 relative.
    const vc = fit.varCorr();
    const sd0 = vc.find((r) => r.var1 === "(Intercept)" && r.var2 === null)?.sdcor as number;
    expect(Math.abs((a.values[0]?.[k] as number) / sd0 - 1)).toBeLessThan(1e-4);
    expect(Math.abs((a.values[3]?.[k] as number) / fit.sigma - 1)).toBeLessThan(1e-4);
    expect(Math.abs((a.values[4]?.[k] as number) / (fit.fixef()["(Intercept)"] as number) - 1)).toBeLessThan(
      1e-4,
    );
    expect(a.replicates[k]?.sigma).toBe(a.values[3]?.[k]);
    expect(a.REML).toBe(true);
  });

  it("percentile intervals bracket the estimates of β and σ", async () => {
    const r = await bootstrap(m1, { nsim: 60, seed: 11, workers: 2 });
    for (const name of ["sigma", "(Intercept)", "Days"]) {
      const i = r.intervals.names.indexOf(name);
      const e = r.estimate[r.names.indexOf(name)] as number;
      expect(r.intervals.lower[i]).toBeLessThan(e);
      expect(r.intervals.upper[i]).toBeGreaterThan(e);
    }
  });
});
