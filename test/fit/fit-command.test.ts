/**
 * `spruce fit DATA.csv "FORMULA" [--ml] [--json]`, run in-process through commander: the JSON has the reference
 * fits' fields and agrees with lme4; without --json it prints the summary; extensions add options and fields.
 */
import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type FitExtension, registerFit } from "../../src/cli/commands/fit.js";
import { expectMatchesLme4 } from "../support/compare.js";
import { fixtureDataPath, loadFitFixture } from "../support/fixtures.js";

async function runCli(
  args: string[],
  extensions: FitExtension[] = [],
): Promise<{ stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const program = new Command().exitOverride();
    registerFit(program, extensions);
    await program.parseAsync(["node", "spruce", "fit", ...args]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return { stdout, stderr };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("spruce fit", () => {
  it.each(["dyestuff_reml", "sleepstudy_slope_only_reml", "sleepstudy_reml"])(
    "--json is shaped like the lme4 reference file %s (jsonlite's auto_unbox: one-element vectors are scalars)",
    async (id) => {
      const fx = loadFitFixture(id) as unknown as Record<string, unknown> & { formula: string };
      const { stdout } = await runCli([fixtureDataPath(fx as never), fx.formula, "--json"]);
      const json = JSON.parse(stdout) as Record<string, unknown>;
      const shape = (v: unknown): string => (Array.isArray(v) ? "array" : v === null ? "null" : typeof v);
      const lme4Only = new Set(["id", "data", "lme4Warnings", "lme4Seconds", "lme4Version"]);
      for (const [key, ref] of Object.entries(fx)) {
        if (lme4Only.has(key)) continue;
        expect(shape(json[key]), key).toBe(shape(ref));
      }
      const ranef = json.ranef as Record<string, unknown>[];
      (fx.ranef as Record<string, unknown>[]).forEach((g, i) => {
        for (const key of ["group", "levels", "terms", "values"])
          expect(shape(ranef[i]?.[key])).toBe(shape(g[key]));
      });
    },
  );

  it("--ml --json: the reference fields, agreeing with lme4 (sleepstudy ML)", async () => {
    const fx = loadFitFixture("sleepstudy_ml");
    const { stdout } = await runCli([fixtureDataPath(fx), fx.formula, "--ml", "--json"]);
    const json = JSON.parse(stdout);
    for (const key of [
      "nobs",
      "ngrps",
      "objective",
      "logLik",
      "npar",
      "AIC",
      "BIC",
      "sigma",
      "theta",
      "fixef",
      "se",
    ])
      expect(json).toHaveProperty(key);
    for (const key of ["varcorr", "ranef", "fitted", "residuals", "singular", "converged", "evaluations"])
      expect(json).toHaveProperty(key);
    expect(json).toHaveProperty("gradientNorm");
    expect(json.elapsedMs).toBeGreaterThan(0);
    expect(json.REML).toBe(false);
    expectMatchesLme4(json, fx);
  });

  it("REML by default; singular message on stderr, JSON alone on stdout", async () => {
    const fx = loadFitFixture("dyestuff2_reml");
    const { stdout, stderr } = await runCli([fixtureDataPath(fx), fx.formula, "--json"]);
    const json = JSON.parse(stdout);
    expect(json.REML).toBe(true);
    expectMatchesLme4(json, fx);
    expect(stderr).toContain("boundary (singular) fit: see help('isSingular')");
  });

  it("without --json prints lme4's summary", async () => {
    const fx = loadFitFixture("penicillin_reml");
    const { stdout } = await runCli([fixtureDataPath(fx), fx.formula]);
    expect(stdout).toMatch(/^Linear mixed model fit by REML \['lmerMod'\]\n/);
    expect(stdout).toContain("Formula: diameter ~ 1 + (1 | plate) + (1 | sample)");
    expect(stdout).toContain("Number of obs: 144, groups:  plate, 24; sample, 6");
    expect(stdout).toContain("REML criterion at convergence: 330.9");
  });

  it("extensions add options, JSON fields and text", async () => {
    const fx = loadFitFixture("dyestuff_reml");
    const ext: FitExtension = {
      configure: (c) => {
        c.option("--extra", "an extension's option");
      },
      json: (model, options) => ({ extra: options.extra === true, nobsAgain: model.nobs }),
      text: () => "extension text",
    };
    const json = JSON.parse(
      (await runCli([fixtureDataPath(fx), fx.formula, "--json", "--extra"], [ext])).stdout,
    );
    expect(json.extra).toBe(true);
    expect(json.nobsAgain).toBe(30);
    const { stdout } = await runCli([fixtureDataPath(fx), fx.formula], [ext]);
    expect(stdout.trimEnd().endsWith("extension text")).toBe(true);
  });

  it("a missing file is a user-facing error naming the file", async () => {
    await expect(runCli(["/nonexistent/data.csv", "y ~ x + (1|g)"])).rejects.toMatchObject({
      userFacing: true,
    });
  });
});
