/**
 * `spruce fit DATA "F" --family … [--link] [--nAGQ] [--weights] --json` as a user runs it (the built CLI; `npm test`
 * builds dist/ first), compared with lme4's glmer (test/fixtures/glmm) at issue 12's tolerances, and its errors.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { glmmDir, loadGlmmFixture } from "../glmm/glmm-reference.js";
import { BOOT_LRT_JSON_KEYS } from "../inference/boot-json.js";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

describe("spruce fit --family", () => {
  for (const id of [
    "cbpp_proportion_weights",
    "contraception_probit",
    "epil_agq5",
    "exposure_offset_poisson",
  ])
    it(`${id} --json agrees with lme4`, async () => {
      const fx = loadGlmmFixture(id);
      const args = [
        cli,
        "fit",
        join(glmmDir, fx.data),
        fx.formula,
        "--family",
        fx.family,
        "--link",
        fx.link,
        "--nAGQ",
        String(fx.nAGQ),
        "--json",
      ];
      if (fx.weights) args.push("--weights", fx.weights);
      const { stdout } = await run("node", args, { maxBuffer: 16 * 1024 * 1024 });
      const json = JSON.parse(stdout);
      expect([json.family, json.link, json.nAGQ, json.nobs]).toEqual([fx.family, fx.link, fx.nAGQ, fx.nobs]);
      expect(json.logLik).toBeGreaterThan(fx.logLik - 2e-3);
      expect(Math.abs(json.deviance / fx.deviance - 1)).toBeLessThan(1e-3);
      for (const [name, b] of Object.entries(fx.fixef)) {
        expect(Math.abs(json.fixef[name] - b)).toBeLessThan(0.02 * fx.se[name]!);
        expect(Math.abs(json.se[name] / fx.se[name]! - 1)).toBeLessThan(0.02);
      }
      fx.varcorr.forEach((r, i) => {
        expect(json.varcorr[i].grp).toBe(r.grp);
        expect(Math.abs(json.varcorr[i].sdcor / r.sdcor - 1)).toBeLessThan(0.02);
      });
      expect(json.singular).toBe(false);
      expect(json.ngrps).toEqual(Object.fromEntries(fx.ranef.map((g) => [g.group, g.levels.length])));
    });

  it("prints glmer's summary without --json", async () => {
    const fx = loadGlmmFixture("cbpp_binomial");
    const { stdout } = await run("node", [
      cli,
      "fit",
      join(glmmDir, fx.data),
      fx.formula,
      "--family",
      "binomial",
    ]);
    expect(stdout).toContain(" Family: binomial  ( logit )");
    expect(stdout).toContain("z value Pr(>|z|)");
  });

  it("anova and boot accept --family (lme4's anova table; a reproducible bootstrap)", async () => {
    const fx = loadGlmmFixture("cbpp_binomial");
    const data = join(glmmDir, fx.data);
    const f0 = "cbind(incidence, size - incidence) ~ 1 + (1|herd)";
    const a = JSON.parse(
      (await run("node", [cli, "anova", data, f0, fx.formula, "--family", "binomial", "--json"])).stdout,
    );
    expect(Math.abs(a.Chisq - 25.61)).toBeLessThan(4e-3);
    const args = [
      cli,
      "boot",
      data,
      f0,
      fx.formula,
      "--family",
      "binomial",
      "--nsim",
      "5",
      "--seed",
      "3",
      "--json",
    ];
    const b1 = JSON.parse((await run("node", [...args, "--workers", "1"])).stdout);
    const b2 = JSON.parse((await run("node", [...args, "--workers", "2"])).stdout);
    const b0 = JSON.parse((await run("node", [...args, "--workers", "0"])).stdout);
    // Same seed, same statistics on any number of workers (JSON numbers round-trip the doubles).
    expect(b2.stats).toEqual(b1.stats);
    expect(b0.stats).toEqual(b1.stats);
    expect([b0.workers, b1.workers, b2.workers]).toEqual([0, 1, 2]);
    expect(b1.valid).toBe(5);
    expect(b1.pBootstrap).toBeCloseTo(1 / 6, 12);
    // The LMM bootstrap's JSON fields.
    expect(Object.keys(b1)).toEqual(expect.arrayContaining(BOOT_LRT_JSON_KEYS));
    expect([b1.rng, b1.df, b1.partial, b1.refitted]).toEqual(["philox", 3, false, false]);
    await expect(run("node", [...args, "--rng", "r"])).rejects.toThrow(/rbinom\/rpois/);
    await expect(run("node", [...args, "--ml"])).rejects.toThrow(/--ml does not apply/);
  });

  it("boot --family --shard k/K writes shards that spruce merge turns into the one-machine result", async () => {
    const fx = loadGlmmFixture("cbpp_binomial");
    const data = join(glmmDir, fx.data);
    const f0 = "cbind(incidence, size - incidence) ~ 1 + (1|herd)";
    const base = [cli, "boot", data, f0, fx.formula, "--family", "binomial", "--nsim", "9", "--seed", "21"];
    const dir = mkdtempSync(join(tmpdir(), "spruce-glmm-shards-"));
    try {
      const whole = JSON.parse((await run("node", [...base, "--workers", "1", "--json"])).stdout);
      const files = [0, 1, 2].map((k) => join(dir, `s${k}.json`));
      for (const [k, file] of files.entries())
        await run("node", [...base, "--workers", "0", "--shard", `${k}/3`, "--out", file]);
      const merged = JSON.parse((await run("node", [cli, "merge", ...files.reverse(), "--json"])).stdout);
      for (const key of Object.keys(whole))
        if (!["workers", "restarts", "elapsedMs"].includes(key)) expect(merged[key], key).toEqual(whole[key]);
      // A shard of another family's bootstrap does not merge with these.
      const poisson = join(dir, "poisson.json");
      await run("node", [
        cli,
        "boot",
        data,
        "incidence ~ 1 + (1|herd)",
        "incidence ~ factor(period) + (1|herd)",
        "--family",
        "poisson",
        "--nsim",
        "9",
        "--seed",
        "21",
        "--workers",
        "0",
        "--shard",
        "0/3",
        "--out",
        poisson,
      ]);
      await expect(run("node", [cli, "merge", poisson, ...files.slice(1)])).rejects.toThrow(
        /belongs to a different run/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("unsupported combinations are errors", async () => {
    const fx = loadGlmmFixture("cbpp_binomial");
    const data = join(glmmDir, fx.data);
    await expect(run("node", [cli, "fit", data, fx.formula, "--family", "binomial", "--ml"])).rejects.toThrow(
      /--ml/,
    );
    await expect(run("node", [cli, "fit", data, fx.formula, "--family", "gamma"])).rejects.toThrow(
      /family 'gamma'/,
    );
    await expect(run("node", [cli, "fit", data, "incidence ~ 1 + (1|herd)", "--nAGQ", "3"])).rejects.toThrow(
      /--nAGQ/,
    );
    await expect(
      run("node", [cli, "fit", data, fx.formula, "--family", "binomial", "--diagnostics"]),
    ).rejects.toThrow(/not available with --family/);
  });
});
