/**
 * `spruce anova` and `spruce boot` end to end through the built CLI (dist/cli/main.js; `npm test` builds first):
 * the JSON the hidden comparisons read, and no progress-bar control characters when stderr is not a terminal.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { conformanceDir, loadJson } from "../support/fixtures.js";
import { BOOT_LRT_JSON_KEYS } from "./boot-json.js";
import { SITKA_MM0, SITKA_MM1, SLEEP_INT, SLEEP_SLOPE } from "./fit-models.js";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const sleepCsv = `${conformanceDir}/data/sleepstudy.csv`;
const sitkaCsv = `${conformanceDir}/data/sitka.csv`;

describe("spruce anova", () => {
  it("--json gives lme4's Chisq, Df, p, logLik, AIC, BIC and says the REML fits were refitted", async () => {
    const { stdout, stderr } = await run("node", [cli, "anova", sitkaCsv, SITKA_MM0, SITKA_MM1, "--json"]);
    const out = JSON.parse(stdout);
    const ref = loadJson<{ Chisq: number; Df: number; p: number; logLik: number[] }>("anova_sitka.json");
    expect(Math.abs(out.Chisq - ref.Chisq)).toBeLessThan(2e-3);
    expect(out.Df).toBe(ref.Df);
    expect(Math.abs(out.p / ref.p - 1)).toBeLessThan(0.01);
    expect(out.logLik).toHaveLength(2);
    expect(out.AIC).toHaveLength(2);
    expect(out.BIC).toHaveLength(2);
    expect(out.refitted).toBe(true);
    expect(stderr).toMatch(/refitting model\(s\) with ML/);
  });

  it("--ml fits by ML directly (refitted: false) and prints the table without --json", async () => {
    const { stdout } = await run("node", [cli, "anova", sleepCsv, SLEEP_INT, SLEEP_SLOPE, "--ml"]);
    expect(stdout).toMatch(/Pr\(>Chisq\)/);
    expect(stdout).toMatch(/42\.139/);
    expect(stdout).not.toMatch(/refitting/);
  });

  it("reports models that cannot be compared as a clear error (exit code 2, no stack trace)", async () => {
    const failure = await run("node", [
      cli,
      "anova",
      sleepCsv,
      SLEEP_INT,
      "log(Reaction) ~ Days + (1|Subject)",
    ]).catch((e: { code: number; stderr: string }) => e);
    expect((failure as { code: number }).code).toBe(2);
    expect((failure as { stderr: string }).stderr).toMatch(
      /^spruce: anova: the models have different responses/,
    );
  });
});

describe("spruce boot", () => {
  it("--json gives observed, nsim, pChisq, pBootstrap, pExceed, stats, failures, workers, elapsedMs; same seed, same stats", async () => {
    const args = [cli, "boot", sleepCsv, SLEEP_INT, SLEEP_SLOPE, "--nsim", "20", "--seed", "9", "--json"];
    const a = JSON.parse((await run("node", [...args, "--workers", "2"])).stdout);
    const b = JSON.parse((await run("node", [...args, "--workers", "1"])).stdout);
    for (const key of BOOT_LRT_JSON_KEYS) expect(a).toHaveProperty(key);
    expect(a.nsim).toBe(20);
    expect(a.stats).toHaveLength(20);
    expect(a.stats).toEqual(b.stats);
    expect(a.workers).toBe(2);
    expect(a.failures.count).toBe(0);
    expect(Math.abs(a.observed - 42.1393)).toBeLessThan(2e-3);
  });

  it("draws no progress bar when stderr is not a terminal, and rejects a bad --nsim", async () => {
    const { stderr } = await run("node", [
      cli,
      "boot",
      sleepCsv,
      SLEEP_INT,
      SLEEP_SLOPE,
      "--nsim",
      "4",
      "--workers",
      "1",
    ]);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for terminal escape sequences
    expect(stderr).not.toMatch(/\u001b\[/);
    const bad = await run("node", [cli, "boot", sleepCsv, SLEEP_INT, SLEEP_SLOPE, "--nsim", "ten"]).catch(
      (e) => e,
    );
    expect(bad.stderr).toMatch(/--nsim must be an integer ≥ 1, got "ten"/);
  });
});
