/**
 * The GLMM parametric bootstrap LRT on the worker pool (built dist/parallel/worker.js; `npm test` builds first):
 * `bootstrapLRT` on two glmer fits gives bit-identical statistics for any number of workers, batch sizes and
 * shards; each replicate equals independent general fits (src/glmm/fit-glmm.ts, lme4's start) of the same
 * simulated response; a killed worker's replicates are rerun; an abort returns the replicates done; failures are
 * counted and listed.
 */
import { describe, expect, it } from "vitest";
import { createEngine } from "../../src/fit/wasm-engine.js";
import { glmmBootstrapLRT } from "../../src/glmm/bootstrap.js";
import { fitGlmmData } from "../../src/glmm/fit-glmm.js";
import { prepareGlmmLrt } from "../../src/glmm/lrt-spec.js";
import type { GeneralizedLinearMixedModel } from "../../src/glmm/model.js";
import { type GlmmData, logNormaliserOf } from "../../src/glmm/pirls.js";
import { bootstrapLrtShard, mergeLrtShards } from "../../src/inference/boot-shard.js";
import { bootstrapLRT, bootstrapLrtJson, lrtResult, runJob } from "../../src/inference/bootstrap.js";
import { combineShards, shardFromJson, shardToJson } from "../../src/inference/shard.js";
import { RandomStream } from "../../src/random/stream.js";
import { BOOT_LRT_JSON_KEYS } from "../inference/boot-json.js";
import { fitModel, fixtureData, SLEEP_INT } from "../inference/fit-models.js";
import { fitFixture, loadGlmmFixture } from "./glmm-reference.js";

const m0 = await fitFixture(loadGlmmFixture("cbpp_null"));
const m1 = await fitFixture(loadGlmmFixture("cbpp_binomial"));

/** Bit-for-bit equality of two statistic vectors (NaN equals NaN, 0 differs from −0). */
function sameBits(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));
}

/** The general fit of `m` (lme4's default start, both stages) to response y: independent of the bootstrap's refit. */
async function generalFit(m: GeneralizedLinearMixedModel, y: Float64Array): Promise<number> {
  const d = m.data;
  const ones = new Float64Array(d.n).fill(1);
  const joint = await createEngine({
    n: d.n,
    p: d.p,
    y: new Float64Array(d.n),
    X: d.X,
    terms: d.terms,
    weights: ones,
  });
  const uOnly = await createEngine({
    n: d.n,
    p: 0,
    y: new Float64Array(d.n),
    X: new Float64Array(0),
    terms: d.terms,
    weights: ones,
  });
  const data: GlmmData = { ...d, y, logNormaliser: logNormaliserOf(m.family, y, d.pw) };
  try {
    return fitGlmmData(data, { joint, uOnly }, m.nAGQ, { hessian: false }).objective;
  } finally {
    joint.dispose();
    uOnly.dispose();
  }
}

describe("bootstrapLRT on two GLMMs (cbpp, binomial)", () => {
  it("gives bit-identical statistics on the calling thread and on 1 and 2 workers, any batch size", async () => {
    const runs = [
      await bootstrapLRT(m0, m1, { nsim: 30, seed: 2024, workers: 0 }),
      await bootstrapLRT(m0, m1, { nsim: 30, seed: 2024, workers: 1, batchSize: 30 }),
      await bootstrapLRT(m1, m0, { nsim: 30, seed: 2024, workers: 2, batchSize: 4 }),
    ];
    const ref = runs[0]?.stats as Float64Array;
    expect(Array.from(ref).every(Number.isFinite)).toBe(true);
    for (const r of runs) {
      expect(sameBits(r.stats, ref)).toBe(true);
      expect(r.failures.count).toBe(0);
      expect(r.partial).toBe(false);
      expect(r.seed).toBe(2024);
      expect(r.nonConverged).toEqual([]);
    }
    expect(runs.map((r) => r.workers)).toEqual([0, 1, 2]);
    // The first version's API is the same run on the calling thread.
    const legacy = await glmmBootstrapLRT(m0, m1, { nsim: 30, seed: 2024 });
    expect(sameBits(legacy.stats, ref)).toBe(true);
  });

  it("replicate k: T* from the response of stream (seed, k) equals independent general fits of it", async () => {
    const r = await bootstrapLRT(m0, m1, { nsim: 6, seed: 11, workers: 0 });
    const fixed = m0.predict(undefined, { random: false });
    const rng = new RandomStream(11);
    for (const k of [0, 4]) {
      // The job draws exactly as the model's simulate(): new u*, then the family's draws.
      const y = m0.drawResponse(rng.reset(k), fixed);
      const d0 = await generalFit(m0, y);
      const d1 = await generalFit(m1, y);
      // Both optimisers stop within ~1e-8 of the optimum of a criterion ≈ 100–200.
      expect(Math.abs((r.stats[k] as number) - (d0 - d1))).toBeLessThan(1e-5);
    }
  });

  it("nAGQ = 9 (the AGQ criterion) and nAGQ = 0 (the general θ-only refit): T* equals independent general fits", async () => {
    for (const nAGQ of [9, 0]) {
      const a0 = await fitFixture({ ...loadGlmmFixture("cbpp_null"), nAGQ });
      const a1 = await fitFixture({ ...loadGlmmFixture("cbpp_binomial"), nAGQ });
      const r = await bootstrapLRT(a0, a1, { nsim: 3, seed: 5, workers: 0 });
      expect(r.failures.count).toBe(0);
      const y = a0.drawResponse(new RandomStream(5).reset(2), a0.predict(undefined, { random: false }));
      const t = (await generalFit(a0, y)) - (await generalFit(a1, y));
      expect(Math.abs((r.stats[2] as number) - t), `nAGQ ${nAGQ}`).toBeLessThan(1e-5);
    }
  });

  it("a singular null (refits start at θ = 0): each null refit equals the general fit from lme4's start", async () => {
    const prepared = prepareGlmmLrt(m0, m1, 8);
    const spec = { ...prepared.spec, null: { ...prepared.spec.null, theta: Float64Array.of(0) } };
    const nsim = 8;
    const run = await runJob(spec, nsim, { workers: 0 });
    expect(run.failures).toEqual([]);
    // The job's draws with θ = 0: the q normals of u* are drawn (and multiplied by 0), then the responses.
    const fixed = m0.predict(undefined, { random: false });
    const q = m0.u.length;
    const rng = new RandomStream(8);
    for (let k = 0; k < nsim; k++) {
      rng.reset(k);
      for (let i = 0; i < q; i++) rng.nextNormal();
      const y = Float64Array.from(fixed, (eta, i) =>
        m0.family.draw(m0.family.link.inverse(eta), m0.data.pw[i] as number, rng),
      );
      const d0 = await generalFit(m0, y);
      expect(Math.abs((run.values[k * 4 + 1] as number) - d0), `replicate ${k}`).toBeLessThan(1e-5);
    }
  });

  it("reports the anova χ² statistic and p-values from the stats, with the LMM bootstrap's JSON fields", async () => {
    const r = await bootstrapLRT(m0, m1, { nsim: 20, seed: 3, workers: 2 });
    expect(Math.abs(r.observed - 25.61)).toBeLessThan(4e-3);
    expect(r.observed).toBe(m0.objective - m1.objective);
    expect(r.df).toBe(3);
    const stats = Array.from(r.stats);
    expect(r.valid).toBe(20);
    expect(r.pBootstrap).toBe((1 + stats.filter((t) => t >= r.observed).length) / 21);
    expect(r.pExceed).toBe(stats.filter((t) => t > r.observed).length / 20);
    expect(r.refitted).toBe(false);
    expect(Object.keys(bootstrapLrtJson(r))).toEqual(expect.arrayContaining(BOOT_LRT_JSON_KEYS));
  });

  it("under the null, T* is χ²₃-like: mean ≈ 3 and about 5% beyond χ²₃'s 95% quantile (200 replicates)", async () => {
    const r = await bootstrapLRT(m0, m1, { nsim: 200, seed: 31, workers: 2 });
    expect(r.valid).toBe(200);
    const stats = Array.from(r.stats);
    const mean = stats.reduce((a, t) => a + t, 0) / 200;
    // sd of the mean of 200 χ²₃ draws: √(6/200) ≈ 0.17; ±3.5 sd.
    expect(Math.abs(mean - 3)).toBeLessThan(0.6);
    // Share beyond 7.815 (χ²₃'s 95% quantile): binomial sd √(0.05·0.95/200) ≈ 0.015; ±3.5 sd.
    const beyond = stats.filter((t) => t > 7.814727903251178).length / 200;
    expect(Math.abs(beyond - 0.05)).toBeLessThan(0.054);
    expect(Math.min(...stats)).toBeGreaterThan(-1e-6);
  });

  it("reruns a killed worker's replicates: identical to an undisturbed run", async () => {
    const clean = await bootstrapLRT(m0, m1, { nsim: 24, seed: 7, workers: 2, batchSize: 3 });
    const hit = await bootstrapLRT(m0, m1, {
      nsim: 24,
      seed: 7,
      workers: 2,
      batchSize: 3,
      faults: { atIndex: 13, mode: "exit" },
    });
    expect(hit.restarts).toBe(1);
    expect(hit.failures.count).toBe(0);
    expect(sameBits(hit.stats, clean.stats)).toBe(true);
  });

  it("stops on abort and returns the replicates done so far, marked partial", async () => {
    const controller = new AbortController();
    const r = await bootstrapLRT(m0, m1, {
      nsim: 5000,
      seed: 3,
      workers: 2,
      batchSize: 4,
      signal: controller.signal,
      onProgress: (done) => done >= 8 && controller.abort(),
    });
    expect(r.partial).toBe(true);
    expect(r.completed).toBeGreaterThanOrEqual(8);
    expect(r.completed).toBeLessThan(5000);
    expect(Array.from(r.stats).filter(Number.isFinite).length).toBe(r.completed);
    expect(r.messages.join(" ")).toMatch(/stopped after/);
  });

  it("shards merged in any order equal the one-machine run, bit for bit", async () => {
    const whole = await bootstrapLRT(m0, m1, { nsim: 18, seed: 99, workers: 0 });
    const files = [];
    for (const index of [2, 0, 1]) {
      const shard = await bootstrapLrtShard(m0, m1, {
        nsim: 18,
        seed: 99,
        workers: index === 1 ? 1 : 0,
        shard: { index, count: 3 },
      });
      expect(shard.job).toMatchObject({ family: "binomial", link: "logit", nAGQ: 1 });
      // Through the file format and back.
      files.push({ file: shardFromJson(shardToJson(shard), `s${index}`), name: `s${index}` });
    }
    const merged = mergeLrtShards(combineShards(files));
    expect(sameBits(merged.stats, whole.stats)).toBe(true);
    expect(merged.pBootstrap).toBe(whole.pBootstrap);
    expect(merged.observed).toBe(whole.observed);
  });

  it("refuses R's generator, a GLMM beside an LMM, and GLMMs of different families", async () => {
    await expect(bootstrapLRT(m0, m1, { nsim: 2, workers: 0, rng: "r", seed: 1 })).rejects.toThrow(
      /rbinom\/rpois/,
    );
    const lmm = await fitModel(SLEEP_INT, fixtureData("sleepstudy"), false);
    await expect(bootstrapLRT(m0, lmm, { nsim: 2, workers: 0 })).rejects.toThrow(/not one of each/);
    const probit = await fitFixture({ ...loadGlmmFixture("cbpp_binomial"), link: "probit" });
    await expect(bootstrapLRT(m0, probit, { nsim: 2, workers: 0 })).rejects.toThrow(/families or links/);
    await expect(bootstrapLRT(m1, m1, { nsim: 2, workers: 0 })).rejects.toThrow(/same number of parameters/);
  });
});

describe("GLMM bootstrap failures (Poisson, epil)", () => {
  it("counts and lists failed replicates, the same ones on any number of workers", async () => {
    const e0 = await fitFixture(loadGlmmFixture("epil_null"));
    const e1 = await fitFixture(loadGlmmFixture("epil_poisson"));
    const prepared = prepareGlmmLrt(e0, e1, 5);
    // A null model with a huge random-effect SD: some replicates draw a Poisson mean beyond what can be
    // simulated (beyond 1e6: an error inside the replicate), the others run.
    const spec = { ...prepared.spec, null: { ...prepared.spec.null, theta: Float64Array.of(5) } };
    const a = await runJob(spec, 6, { workers: 0 });
    const b = await runJob(spec, 6, { workers: 2, batchSize: 2 });
    expect(a.failures.length).toBeGreaterThan(0);
    expect(a.failures.length).toBeLessThan(6);
    expect(b.failures).toEqual(a.failures);
    expect(a.failures[0]?.message).toMatch(/cannot simulate a Poisson count/);
    const r = lrtResult(prepared, a, 6, 0);
    expect(r.failures.count).toBe(a.failures.length);
    expect(r.valid).toBe(6 - a.failures.length);
    for (const i of r.failures.indices) expect(Number.isNaN(r.stats[i] as number)).toBe(true);
    expect(r.messages.join(" ")).toMatch(/replicates failed/);
  });
});
