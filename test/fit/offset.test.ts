/**
 * offset() terms in linear mixed models against lme4 1.1-31 (test/fixtures/offset/offset_reference.json, made by
 * offset_reference.R beside it, every fit converged tightly): one and two offsets, ML and REML, on sleepstudy and
 * Sitka. Through `spruce fit --json` (logLik, fixef, se, varcorr, theta) and the API: fitted values, residuals,
 * predict() on the fitting rows and on new data (offsets evaluated there), with and without the random effects;
 * simulate() draws around offset + Xβ (compared draw for draw with R's, from lme4's estimates); the bootstrap's
 * refits fit the simulated response less the offset (the lecture's set.seed(517·i) loop against lme4's); refit,
 * update and the JSON round trip keep the offset.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { designBuffers } from "../../src/design/types.js";
import {
  fitted as diagnosticFitted,
  residuals as diagnosticResiduals,
} from "../../src/diagnostics/residuals.js";
import { fitMixed, modelAtTheta } from "../../src/fit/fit.js";
import { fromJSON, refit, update } from "../../src/fit/lme4-names.js";
import { createEngine } from "../../src/fit/wasm-engine.js";
import { readCsv } from "../../src/frame/csv.js";
import { bootstrapLRT } from "../../src/inference/bootstrap.js";
import { confint } from "../../src/inference/confint.js";
import { simulateResponses } from "../../src/inference/simulate.js";
import { simulate } from "../../src/inference/simulate-model.js";
import { fixturesDir } from "../support/fixtures.js";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

interface VarCorrRef {
  grp: string[];
  var1: (string | null)[];
  var2: (string | null)[];
  vcov: number[];
  sdcor: number[];
}
interface Case {
  id: string;
  data: string;
  formula: string;
  REML: boolean;
  names: string[];
  fixef: number[];
  se: number[];
  sigma: number[];
  logLik: number[];
  deviance: number[];
  REMLcrit: number[];
  theta: number[];
  varcorr: VarCorrRef;
  fitted: number[];
  residuals: number[];
  predictFixed: number[];
  newdata: Record<string, (number | string)[]>;
  predictNew: number[];
  predictNewFixed: number[];
}
const ref = JSON.parse(readFileSync(join(fixturesDir, "offset", "offset_reference.json"), "utf8")) as {
  cases: Case[];
  simulation: {
    formula: string;
    theta: number[];
    beta: number[];
    sigma: number[];
    stream: { seed: number; nsim: number; y1: number[]; y3: number[] };
    perReplicate: Record<string, number[]>;
  };
  bootstrap: {
    null: string;
    alt: string;
    nsim: number;
    rSeedPerReplicate: number;
    observed: number[];
    stats: number[];
  };
  profile: { formula: string; names: string[]; lower: number[]; upper: number[] };
};

/** Largest |a − b| / max(1, |b|). */
function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < b.length; i++)
    m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)) / Math.max(1, Math.abs(b[i] as number)));
  return m;
}

// lme4 converged tightly; spruce stops where its default rule stops (θ to ~1e-5, the log-likelihood to ~1e-8), so
// the optimised fits agree to that accuracy (the conformance suite's 2e-4 is looser). At lme4's own θ̂ the numbers
// are exact (EXACT): that is where a wrong offset would show.
const TOL = 1e-4;
const EXACT = 1e-9;

describe.each(ref.cases)("lmer $id: $formula", (c) => {
  const dataPath = join(fixturesDir, c.data);
  const data = readCsv(dataPath);

  it("spruce fit --json: logLik, fixef, se, sigma, theta and varcorr equal lme4's", async () => {
    const args = [cli, "fit", dataPath, c.formula, "--json"];
    if (!c.REML) args.push("--ml");
    const { stdout } = await run("node", args, { maxBuffer: 1 << 24 });
    const out = JSON.parse(stdout) as {
      logLik: number;
      sigma: number;
      theta: number | number[];
      fixef: Record<string, number>;
      se: Record<string, number>;
      varcorr: { grp: string; var1: string | null; var2: string | null; vcov: number; sdcor: number }[];
      fitted: number[];
    };
    expect(Object.keys(out.fixef)).toEqual(c.names);
    expect(Math.abs(out.logLik - (c.logLik[0] as number))).toBeLessThan(1e-6);
    expect(maxRelDiff([out.sigma], c.sigma)).toBeLessThan(TOL);
    expect(maxRelDiff(Object.values(out.fixef), c.fixef)).toBeLessThan(TOL);
    expect(maxRelDiff(Object.values(out.se), c.se)).toBeLessThan(TOL);
    expect(maxRelDiff(Array.isArray(out.theta) ? out.theta : [out.theta], c.theta)).toBeLessThan(TOL);
    expect(out.varcorr.map((r) => r.grp)).toEqual(c.varcorr.grp);
    expect(out.varcorr.map((r) => r.var1 ?? null)).toEqual(c.varcorr.var1);
    // Variances and covariances are products of θ's: twice θ's error, and a flat correlation's more (sleep_one_ml's
    // covariance is 2e-4 off while the log-likelihoods agree to 4e-8). Still 20 times tighter than conformance.
    expect(
      maxRelDiff(
        out.varcorr.map((r) => r.vcov),
        c.varcorr.vcov,
      ),
    ).toBeLessThan(5 * TOL);
    expect(
      maxRelDiff(
        out.varcorr.map((r) => r.sdcor),
        c.varcorr.sdcor,
      ),
    ).toBeLessThan(5 * TOL);
    // The JSON's fitted values include the offsets (lme4's fitted()).
    expect(maxRelDiff(out.fitted, c.fitted)).toBeLessThan(TOL);
  });

  it("at lme4's θ̂: logLik, fixef, se, σ, fitted and predictions to rounding", async () => {
    const design = buildDesign(c.formula, data);
    const m = modelAtTheta(design, await createEngine(designBuffers(design)), c.theta, { REML: c.REML });
    expect(maxRelDiff([m.logLik()], c.logLik)).toBeLessThan(EXACT);
    expect(maxRelDiff([m.sigma], c.sigma)).toBeLessThan(EXACT);
    expect(maxRelDiff(Object.values(m.fixef()), c.fixef)).toBeLessThan(EXACT);
    expect(maxRelDiff(Object.values(m.se()), c.se)).toBeLessThan(EXACT);
    expect(maxRelDiff(m.fitted(), c.fitted)).toBeLessThan(EXACT);
    expect(maxRelDiff(m.predict(undefined, { random: false }), c.predictFixed)).toBeLessThan(EXACT);
    expect(maxRelDiff(m.predict(c.newdata), c.predictNew)).toBeLessThan(EXACT);
    expect(maxRelDiff(m.predict(c.newdata, { random: false }), c.predictNewFixed)).toBeLessThan(EXACT);
    expect(maxRelDiff([m.deviance()], c.deviance)).toBeLessThan(EXACT);
    expect(maxRelDiff([m.remlCriterion()], c.REMLcrit)).toBeLessThan(EXACT);
  });

  it("API: fitted, residuals, predict (fitting rows and new data, with and without random effects), deviance", async () => {
    const m = await fitMixed(c.formula, data, { REML: c.REML });
    expect(maxRelDiff(m.fitted(), c.fitted)).toBeLessThan(TOL);
    expect(maxRelDiff(m.predict(), c.fitted)).toBeLessThan(TOL);
    expect(maxRelDiff(m.predict(undefined, { random: false }), c.predictFixed)).toBeLessThan(TOL);
    // Residuals are y − fitted: differences of numbers of the size of y, so compare on y's scale.
    const r = m.residuals();
    const scale = Math.max(...c.fitted.map(Math.abs));
    for (let i = 0; i < r.length; i++)
      expect(Math.abs((r[i] as number) - (c.residuals[i] as number))).toBeLessThan(TOL * scale);
    expect(maxRelDiff(m.predict(c.newdata), c.predictNew)).toBeLessThan(TOL);
    expect(maxRelDiff(m.predict(c.newdata, { random: false }), c.predictNewFixed)).toBeLessThan(TOL);
    expect(maxRelDiff([m.deviance()], c.deviance)).toBeLessThan(TOL);
    expect(maxRelDiff([m.remlCriterion()], c.REMLcrit)).toBeLessThan(TOL);
  });
});

describe("offsets through refit, update, JSON and errors", () => {
  const c = ref.cases.find((x) => x.id === "sleep_two_ml") as Case;
  const data = readCsv(join(fixturesDir, c.data));

  it("refit(m, y) with the model's own response gives the same fit; update() keeps the offsets", async () => {
    const m = await fitMixed(c.formula, data, { REML: false });
    const again = await refit(m, m.y);
    expect(Math.abs(again.logLik() - m.logLik())).toBeLessThan(1e-8);
    expect(maxRelDiff(again.fitted(), c.fitted)).toBeLessThan(TOL);
    const same = await update(m, ". ~ .");
    expect(same.logLik()).toBe(m.logLik());
    // update() re-reads the formula: the offsets stay (as R's update.formula keeps them).
    const noDays = await update(m, ". ~ . - Days");
    const direct = await fitMixed(
      "Reaction ~ 1 + offset(z1) + offset(10 * log(exposure)) + (1 | Subject)",
      data,
      { REML: false },
    );
    expect(Math.abs(noDays.logLik() - direct.logLik())).toBeLessThan(1e-8);
    // R keeps an offset that '- offset(z)' names (terms() cannot drop one); spruce says so instead of ignoring it.
    await expect(update(m, ". ~ . - offset(z1)")).rejects.toThrow(/offset cannot be removed/);
  });

  it("the diagnostics' fitted values and residuals include the offsets", async () => {
    const m = await fitMixed(c.formula, data, { REML: false });
    expect(maxRelDiff(diagnosticFitted(m), m.fitted())).toBeLessThan(1e-12);
    const r = diagnosticResiduals(m);
    const own = m.residuals();
    for (let i = 0; i < r.length; i++)
      expect(Math.abs((r[i] as number) - (own[i] as number))).toBeLessThan(1e-9);
  });

  it("fromJSON rebuilds the model with its offsets", async () => {
    const m = await fitMixed(c.formula, data, { REML: false });
    const back = await fromJSON(JSON.stringify(m), data);
    expect(maxRelDiff(back.fitted(), m.fitted())).toBeLessThan(1e-12);
  });

  it("an offset equal to a multiple of a fixed-effect column moves only that coefficient (an identity)", async () => {
    const plain = await fitMixed("Reaction ~ Days + (Days | Subject)", data, { REML: true });
    const shifted = await fitMixed("Reaction ~ Days + offset(2.5 * Days) + (Days | Subject)", data, {
      REML: true,
    });
    expect(Math.abs(shifted.logLik() - plain.logLik())).toBeLessThan(1e-7);
    expect(Math.abs((shifted.fixef().Days as number) - ((plain.fixef().Days as number) - 2.5))).toBeLessThan(
      1e-6,
    );
    expect(maxRelDiff(shifted.fitted(), plain.fitted())).toBeLessThan(1e-7);
  });

  it("new data without the offset's column is an error naming it", async () => {
    const m = await fitMixed(c.formula, data, { REML: false });
    const nd = { Days: [1], exposure: [1], Subject: [308] };
    expect(() => m.predict(nd)).toThrow(/z1/);
  });
});

describe("simulate() and the bootstrap with offsets", () => {
  const data = readCsv(join(fixturesDir, "offset", "sleep_offset.csv"));
  const s = ref.simulation;

  it("R's set.seed(1); simulate(m, 3) draw for draw, from lme4's estimates (the offsets in the mean)", () => {
    const design = buildDesign(s.formula, data);
    const r = simulateResponses(
      {
        buffers: designBuffers(design),
        theta: Float64Array.from(s.theta),
        beta: Float64Array.from(s.beta),
        sigma: s.sigma[0] as number,
      },
      { nsim: s.stream.nsim, seed: s.stream.seed, rng: "r" },
    );
    expect(maxRelDiff(r.responses[0] as Float64Array, s.stream.y1)).toBeLessThan(1e-12);
    expect(maxRelDiff(r.responses[2] as Float64Array, s.stream.y3)).toBeLessThan(1e-12);
  });

  it("simulate(model) from spruce's own fit: R's draws to the estimates' agreement", async () => {
    const m = await fitMixed(s.formula, data, { REML: false });
    const r = simulate(m, { nsim: s.stream.nsim, seed: s.stream.seed, rng: "r" });
    expect(maxRelDiff(r.responses[0] as Float64Array, s.stream.y1)).toBeLessThan(TOL);
  });

  it("set.seed(517 * i); simulate(m0); refit both: lme4's statistics, on 0 and 2 workers", async () => {
    const b = ref.bootstrap;
    const m0 = await fitMixed(b.null, data, { REML: false });
    const m1 = await fitMixed(b.alt, data, { REML: false });
    const opts = { nsim: b.nsim, rng: "r" as const, rSeedPerReplicate: b.rSeedPerReplicate, batchSize: 4 };
    const r0 = await bootstrapLRT(m0, m1, { ...opts, workers: 0 });
    const r2 = await bootstrapLRT(m0, m1, { ...opts, workers: 2 });
    expect(Array.from(r2.stats)).toEqual(Array.from(r0.stats));
    expect(Math.abs(r0.observed - (b.observed[0] as number))).toBeLessThan(1e-5);
    for (let i = 0; i < b.nsim; i++)
      expect(Math.abs((r0.stats[i] as number) - (b.stats[i] as number))).toBeLessThan(1e-4);
  });
});

describe("spruce boot with offsets", () => {
  it("--rng r --r-seed-per-replicate 517 --json: lme4's loop statistics", async () => {
    const b = ref.bootstrap;
    const { stdout } = await run(
      "node",
      [
        cli,
        "boot",
        join(fixturesDir, "offset", "sleep_offset.csv"),
        b.null,
        b.alt,
        "--nsim",
        String(b.nsim),
        "--rng",
        "r",
        "--r-seed-per-replicate",
        String(b.rSeedPerReplicate),
        "--json",
      ],
      { maxBuffer: 1 << 24 },
    );
    const out = JSON.parse(stdout) as { observed: number; stats: number[]; pExceed: number };
    expect(Math.abs(out.observed - (b.observed[0] as number))).toBeLessThan(1e-5);
    expect(out.stats).toHaveLength(b.nsim);
    for (let i = 0; i < b.nsim; i++)
      expect(Math.abs((out.stats[i] as number) - (b.stats[i] as number))).toBeLessThan(1e-4);
  });
});

describe("profile intervals with offsets", () => {
  it("confint(method = 'profile') equals lme4's within 0.5% of each interval's width", async () => {
    const p = ref.profile;
    const m = await fitMixed(p.formula, readCsv(join(fixturesDir, "offset", "sleep_offset.csv")), {
      REML: false,
    });
    const ci = await confint(m, { method: "profile" });
    expect(ci.names).toEqual(p.names);
    ci.names.forEach((name, k) => {
      const width = (p.upper[k] as number) - (p.lower[k] as number);
      expect(
        Math.abs((ci.lower[k] as number) - (p.lower[k] as number)) / width,
        `${name} lower`,
      ).toBeLessThan(5e-3);
      expect(
        Math.abs((ci.upper[k] as number) - (p.upper[k] as number)) / width,
        `${name} upper`,
      ).toBeLessThan(5e-3);
    });
  });
});
