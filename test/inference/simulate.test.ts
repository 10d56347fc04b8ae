/**
 * simulate: the simulated responses must have the model's distribution, y* ~ N(Xβ̂, σ̂²I + Z Σ_b Zᵀ) with Σ_b taken
 * from lme4's VarCorr (an independent statement of the covariance, so the θ layout is checked too).
 *
 * Each check standardises a sample moment by its standard error under the model and requires |z| < 5. With N draws
 * the sample mean is exactly normal; sample (co)variances are close to normal at N = 3000. Bonferroni over all the
 * checks of a test (≤ 800) keeps the chance that a correct simulator fails below 800 · 5.7e-7 ≈ 5e-4; the seeds are
 * fixed, so the outcome is deterministic anyway.
 */
import { describe, expect, it } from "vitest";
import { ResponseSimulator, simulateResponses } from "../../src/inference/simulate.js";
import { RandomStream } from "../../src/random/stream.js";
import { loadFitFixture } from "../support/fixtures.js";
import { type ModelId, referenceModel } from "./designs.js";

const N = 3000;

/** Σ_b of the single term from lme4's VarCorr rows (variances and covariances, by column name order). */
function termCovariance(id: ModelId, columns: string[]): number[][] {
  const f = loadFitFixture(id);
  const p = columns.length;
  const S = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (const row of f.varcorr) {
    if (row.grp === "Residual" || row.var1 === null) continue;
    const i = columns.indexOf(row.var1);
    const j = row.var2 === null ? i : columns.indexOf(row.var2);
    (S[i] as number[])[j] = row.vcov;
    (S[j] as number[])[i] = row.vcov;
  }
  return S;
}

function checkMoments(id: ModelId, columns: string[], seed: number): void {
  const model = referenceModel(id);
  const { n, X, p, terms } = model.buffers;
  const term = terms[0] as (typeof terms)[number];
  // (Days||Subject) is two scalar terms: their variances sit on the diagonal of one 2×2 Σ_b (no covariance row).
  const zOf = (i: number, a: number): number =>
    terms.length === 1
      ? (term.z[i * term.p + a] as number)
      : ((terms[a] as (typeof terms)[number]).z[i] as number);
  const pb = terms.length === 1 ? term.p : terms.length;
  const S = termCovariance(id, columns);
  const sigma2 = model.sigma ** 2;
  const mean = new Float64Array(n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < p; j++) mean[i] += (X[j * n + i] as number) * (model.beta[j] as number);
  const cov = (i: number, k: number): number => {
    if (term.refs[i] !== term.refs[k]) return 0;
    let v = 0;
    for (let a = 0; a < pb; a++)
      for (let b = 0; b < pb; b++) v += zOf(i, a) * ((S[a] as number[])[b] as number) * zOf(k, b);
    return v + (i === k ? sigma2 : 0);
  };

  const { responses } = simulateResponses(model, { nsim: N, seed });
  const sum = new Float64Array(n);
  const sumsq = new Float64Array(n);
  for (const y of responses)
    for (let i = 0; i < n; i++) {
      sum[i] += y[i] as number;
      sumsq[i] += (y[i] as number) ** 2;
    }
  let worstMean = 0;
  let worstVar = 0;
  for (let i = 0; i < n; i++) {
    const v = cov(i, i);
    const m = (sum[i] as number) / N;
    const s2 = ((sumsq[i] as number) - N * m * m) / (N - 1);
    worstMean = Math.max(worstMean, Math.abs(m - (mean[i] as number)) / Math.sqrt(v / N));
    // Var of the sample variance of a normal: 2v²/(N−1).
    worstVar = Math.max(worstVar, Math.abs(s2 - v) / (v * Math.sqrt(2 / (N - 1))));
  }
  expect(worstMean).toBeLessThan(5);
  expect(worstVar).toBeLessThan(5);

  // Covariances: within the first group (all pairs of its observations) and across two groups (must be 0).
  const g0 = [...Array(n).keys()].filter((i) => term.refs[i] === term.refs[0]);
  const other = [...Array(n).keys()].find((i) => term.refs[i] !== term.refs[0]) as number;
  const pairs: [number, number][] = [];
  for (let a = 0; a < g0.length; a++)
    for (let b = a + 1; b < g0.length; b++) pairs.push([g0[a] as number, g0[b] as number]);
  pairs.push([g0[0] as number, other]);
  let worstCov = 0;
  for (const [i, k] of pairs) {
    let s = 0;
    const mi = (sum[i] as number) / N;
    const mk = (sum[k] as number) / N;
    for (const y of responses) s += ((y[i] as number) - mi) * ((y[k] as number) - mk);
    const c = s / (N - 1);
    const target = cov(i, k);
    // Var of a sample covariance of a bivariate normal: (v_i v_k + c²)/(N−1).
    const se = Math.sqrt((cov(i, i) * cov(k, k) + target * target) / (N - 1));
    worstCov = Math.max(worstCov, Math.abs(c - target) / se);
  }
  expect(worstCov).toBeLessThan(5);
}

describe("simulate", () => {
  it("sleepstudy (Days|Subject): mean Xβ̂, variance σ̂² + z Σ_b zᵀ, within-subject covariances, none across", () => {
    checkMoments("sleepstudy_ml", ["(Intercept)", "Days"], 20251125);
  });

  it("Sitka 3×3 term (time + I(time^2) | tree): same moments, so the θ layout matches lme4's VarCorr", () => {
    checkMoments("sitka_mm0_ml", ["(Intercept)", "time", "I(time^2)"], 7);
  });

  it("two scalar terms (Days || Subject): the two variance components add", () => {
    checkMoments("sleepstudy_uncorr_ml", ["(Intercept)", "Days"], 99);
  });

  it("response k depends only on (seed, k) and equals the simulator driven by stream k", () => {
    const model = referenceModel("sleepstudy_ml");
    const a = simulateResponses(model, { nsim: 5, seed: 11 }).responses;
    const b = simulateResponses(model, { nsim: 3, seed: 11 }).responses;
    expect(Array.from(b[2] as Float64Array)).toEqual(Array.from(a[2] as Float64Array));
    const sim = new ResponseSimulator(model.buffers, model.theta, model.beta, model.sigma);
    const y = sim.simulate(new RandomStream(11, 4), new Float64Array(model.buffers.n));
    expect(Array.from(y)).toEqual(Array.from(a[4] as Float64Array));
  });

  it("reports a random seed when none is given, and that seed reproduces the draws", () => {
    const model = referenceModel("sleepstudy_int_ml");
    const first = simulateResponses(model, { nsim: 2 });
    const again = simulateResponses(model, { nsim: 2, seed: first.seed });
    expect(Array.from(again.responses[1] as Float64Array)).toEqual(
      Array.from(first.responses[1] as Float64Array),
    );
  });

  it("rejects a θ of the wrong length and a bad nsim with SpruceErrors", () => {
    const model = referenceModel("sleepstudy_ml");
    expect(() => simulateResponses({ ...model, theta: new Float64Array(2) })).toThrow(/θ has 2 entries/);
    expect(() => simulateResponses(model, { nsim: 0 })).toThrow(/nsim must be a positive integer/);
  });
});

describe("simulate(model)", () => {
  it("draws from the fitted model's estimates: the same responses as simulateResponses on its parameters", async () => {
    const { simulate } = await import("../../src/inference/simulate-model.js");
    const { modelSpec } = await import("../../src/inference/models.js");
    const { fitModel, fixtureData, SLEEP_SLOPE } = await import("./fit-models.js");
    const m = await fitModel(SLEEP_SLOPE, fixtureData("sleepstudy"), true);
    const a = simulate(m, { nsim: 3, seed: 8 });
    const b = simulateResponses(modelSpec(m), { nsim: 3, seed: 8 });
    expect(a.responses.map((y) => Array.from(y))).toEqual(b.responses.map((y) => Array.from(y)));
    // modelSpec carries lme4's estimates for this model (REML sleepstudy): σ̂ = 25.59 and β̂ = (251.41, 10.47).
    const spec = modelSpec(m);
    expect(spec.sigma).toBeCloseTo(25.5918, 3);
    expect(spec.beta[0]).toBeCloseTo(251.4051, 3);
  });
});
