/**
 * Power by simulation against a closed form. Balanced one-way random-intercept design, treatment between groups
 * (half the groups each arm), m observations per group: with τ² = σ_b² + σ²/m, the group means are
 * N(arm mean, τ²) and the ML likelihood-ratio statistic of the treatment is exactly G·log(1 + t²/(G − 2)), t the
 * two-sample t statistic of the group means (G − 2 df, noncentral with λ = δ / (τ·√(1/n₁ + 1/n₂))), as long as
 * σ̂_b² stays off its bound (made negligible here: σ_b = 1 against σ/√m = 0.25). So
 *   power = P(|T| > c),  c = √((G − 2)(exp(q/G) − 1)),  q = χ²₁ quantile at 1 − α,
 * computed below by integrating the normal tail over the χ²_{G−2} density: an independent computation of what
 * spruce's simulate-refit-test loop estimates. The simulation uses the fitted σ̂_b, σ̂; so does the formula.
 */
import { describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { modelSolution } from "../../src/diagnostics/model.js";
import { dchisq } from "../../src/distributions/chisq.js";
import { normalCdf, qnorm } from "../../src/distributions/normal.js";
import { fit } from "../../src/fit/fit.js";
import { toDataFrame } from "../../src/frame/frame.js";
import { extendAlong } from "../../src/inference/extend.js";
import { mergePowerShards, powerShard, powerSimulation } from "../../src/inference/power-run.js";
import { combineShards, type ShardFile, shardFromJson, shardToJson } from "../../src/inference/shard.js";
import { RandomStream } from "../../src/random/stream.js";

const G0 = 16;
const M = 4;
const FORMULA = "y ~ treat + (1|g)";

/** G0 groups of M, treatment alternating by group (so any number of copies along g stays balanced). */
function oneWayData() {
  const rng = new RandomStream(99);
  const g: number[] = [];
  const treat: string[] = [];
  const y: number[] = [];
  for (let j = 0; j < G0; j++) {
    const b = rng.nextNormal();
    for (let k = 0; k < M; k++) {
      g.push(j + 1);
      treat.push(j % 2 ? "b" : "a");
      y.push(10 + b + 0.25 * rng.nextNormal());
    }
  }
  return { y, g, treat };
}
const data = oneWayData();

/** P(G·log(1 + T²/(G−2)) > q) for T ~ t'(G − 2, λ): Simpson's rule over the χ²_{G−2} density. */
function closedFormPower(G: number, delta: number, tau: number, alpha: number): number {
  const nu = G - 2;
  const n1 = G / 2;
  const lambda = delta / (tau * Math.sqrt(2 / n1));
  const q = qnorm(1 - alpha / 2) ** 2;
  const c = Math.sqrt(nu * Math.expm1(q / G));
  const upper = nu + 40 * Math.sqrt(2 * nu) + 40;
  const steps = 20000;
  const h = upper / steps;
  let sum = 0;
  for (let k = 0; k <= steps; k++) {
    const v = k * h;
    const s = c * Math.sqrt(v / nu);
    const f = dchisq(v, nu) * (normalCdf(-s - lambda) + normalCdf(-s + lambda));
    sum += (k === 0 || k === steps ? 1 : k % 2 ? 4 : 2) * f;
  }
  return (sum * h) / 3;
}

describe("closed form of the test support", () => {
  it("at λ = 0 and large G it is α; at large G it is the normal-approximation power", () => {
    expect(closedFormPower(2000, 0, 1, 0.05)).toBeCloseTo(0.05, 3);
    const G = 4000;
    const lambda = 2.5;
    const delta = lambda * Math.sqrt(2 / (G / 2));
    const z = qnorm(0.975);
    expect(closedFormPower(G, delta, 1, 0.05)).toBeCloseTo(normalCdf(lambda - z) + normalCdf(-lambda - z), 3);
  });
});

describe("spruce power", async () => {
  const model = await fit(FORMULA, data, { REML: true });
  const s = modelSolution(model);
  const sigmaB = (s.theta[0] as number) * s.sigma;
  const tau = Math.sqrt(sigmaB ** 2 + s.sigma ** 2 / M);
  const SIZES = [16, 24, 32, 48];
  const NSIM = 500;
  const EFFECT = 0.8;
  const curve = await powerSimulation(FORMULA, data, {
    test: "treatb",
    effect: EFFECT,
    along: "g",
    sizes: SIZES,
    nsim: NSIM,
    seed: 2026,
    // On this thread: the API tests start no worker threads (worker runs are covered by power-cli.test.ts, and
    // Node can abort a process that terminates workers while V8 still compiles for them, nodejs/node#56312's kind).
    workers: 0,
  });

  it("agrees with the closed form within simulation error at every size", () => {
    expect(sigmaB).toBeGreaterThan(0.5);
    for (const p of curve.points) {
      const exact = closedFormPower(p.size as number, EFFECT, tau, 0.05);
      const se = Math.sqrt((exact * (1 - exact)) / p.valid);
      if (process.env.SPRUCE_PRINT_POWER)
        console.log(`G=${p.size} simulated ${p.power} exact ${exact.toFixed(4)} se ${se.toFixed(4)}`);
      expect(p.valid).toBe(NSIM);
      expect(p.nobs).toBe((p.size as number) * M);
      expect(Math.abs(p.power - exact)).toBeLessThan(3.5 * se);
      expect(p.lower).toBeLessThan(p.power);
      expect(p.upper).toBeGreaterThan(p.power);
    }
  });

  it("gives a curve that is monotone within simulation error", () => {
    const pts = curve.points;
    for (let k = 1; k < pts.length; k++) {
      const a = pts[k - 1] as (typeof pts)[number];
      const b = pts[k] as (typeof pts)[number];
      const se = Math.sqrt((a.power * (1 - a.power)) / a.valid + (b.power * (1 - b.power)) / b.valid);
      expect(b.power).toBeGreaterThan(a.power - 2 * se);
    }
    expect((pts[3] as (typeof pts)[number]).power).toBeGreaterThan((pts[0] as (typeof pts)[number]).power);
  });

  it("holds its level under no effect (the closed form's size at 16 groups)", async () => {
    const r = await powerSimulation(FORMULA, data, {
      test: "treatb",
      effect: 0,
      nsim: 800,
      seed: 5,
      workers: 0,
    });
    const p = r.points[0] as (typeof r.points)[number];
    expect(p.size).toBeNull();
    const exact = closedFormPower(G0, 0, tau, 0.05);
    expect(exact).toBeGreaterThan(0.05); // the ML LRT is a little liberal with 16 groups
    expect(Math.abs(p.power - exact)).toBeLessThan(3.5 * Math.sqrt((exact * (1 - exact)) / p.valid));
  });

  it("shards merged in any order give the one-machine curve exactly", async () => {
    const options = {
      test: "treatb",
      effect: EFFECT,
      along: "g",
      sizes: [16, 24],
      nsim: 40,
      seed: 8,
      workers: 0,
    };
    const whole = await powerSimulation(FORMULA, data, options);
    const files: { file: ShardFile; name: string }[] = [];
    for (let index = 0; index < 3; index++) {
      const f = await powerShard(FORMULA, data, { ...options, shard: { index, count: 3 } });
      files.push({ file: shardFromJson(shardToJson(f), `p${index}.json`), name: `p${index}.json` });
    }
    expect(files[1]?.file.shard).toMatchObject({ first: 26, end: 53 }); // across the two sizes (80 replicates)
    const merged = mergePowerShards(combineShards([files[2], files[0], files[1]] as typeof files));
    expect(merged.points).toEqual(whole.points);
    expect(merged.messages).toEqual(whole.messages);
    expect(() => mergePowerShards(combineShards([files[0], files[2]] as typeof files))).toThrow(
      /27 of 80 replicates are missing: indices 26–52/,
    );
  });

  it("says when it falls back from Satterthwaite to the likelihood-ratio test", async () => {
    const r = await powerSimulation(FORMULA, data, {
      test: "treatb",
      effect: 1,
      nsim: 5,
      seed: 1,
      workers: 0,
      method: "satterthwaite-when-available",
    });
    expect(r.method).toBe("lrt");
    expect(r.requestedMethod).toBe("satterthwaite-when-available");
    expect(r.messages.join("\n")).toMatch(
      /Satterthwaite's t-test is not yet available inside power simulations .* likelihood-ratio test/,
    );
  });

  it("refuses what it cannot do, naming it", async () => {
    const base = { effect: 1, nsim: 5, seed: 1, workers: 0 };
    await expect(powerSimulation(FORMULA, data, { ...base, test: "treatc" })).rejects.toThrow(
      /--test treatc: not a fixed-effect coefficient of the model \(its coefficients: \(Intercept\), treatb\)/,
    );
    await expect(powerSimulation(FORMULA, data, { ...base, test: "treatb", sizes: [10] })).rejects.toThrow(
      /--sizes needs --along GROUP/,
    );
    await expect(
      powerSimulation(FORMULA, data, { ...base, test: "treatb", along: "treat", sizes: [10] }),
    ).rejects.toThrow(
      /--along treat: not a grouping factor of the model's random effects \(its grouping factors: g\)/,
    );
    await expect(
      powerSimulation(FORMULA, data, { ...base, test: "treatb", method: "wald" as "lrt" }),
    ).rejects.toThrow(/--method must be lrt or satterthwaite-when-available/);
    await expect(
      powerSimulation(FORMULA, data, { ...base, test: "treatb", along: "g", sizes: [1] }),
    ).rejects.toThrow(/each size must be an integer ≥ 2/);
  });
});

describe("extendAlong (simr's extend)", () => {
  const frame = toDataFrame(data);
  const design = buildDesign(FORMULA, frame);

  it("at the observed number of groups gives back the model's own design", () => {
    const same = buildDesign(FORMULA, extendAlong(frame, design, "g", G0));
    expect(Array.from(same.y)).toEqual(Array.from(design.y));
    expect(Array.from(same.X)).toEqual(Array.from(design.X));
    expect(same.terms[0]?.levels).toEqual(design.terms[0]?.levels);
  });

  it("copies groups' rows under new levels, or keeps the first levels", () => {
    const more = buildDesign(FORMULA, extendAlong(frame, design, "g", 20));
    expect(more.n).toBe(20 * M);
    expect(more.terms[0]?.levels).toHaveLength(20);
    expect(more.terms[0]?.levels).toContain("1#1");
    // The copies keep their source groups' covariates: the treatment column of X repeats groups 1–4.
    const treatCol = Array.from(more.X.subarray(more.n, 2 * more.n));
    expect(treatCol.slice(G0 * M)).toEqual(treatCol.slice(0, 4 * M));
    const fewer = buildDesign(FORMULA, extendAlong(frame, design, "g", 6));
    expect(fewer.terms[0]?.levels).toEqual(["1", "2", "3", "4", "5", "6"]);
  });
});
