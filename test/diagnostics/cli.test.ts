/**
 * The command-line side: `spruce plot` writes the SVGs and prints their paths; `spruce fit --json --diagnostics
 * --confint profile` (the fit command with the diagnostics extension) adds the extras fields.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { registerFit } from "../../src/cli/commands/fit.js";
import { diagnosticsFitExtension } from "../../src/cli/commands/fit-diagnostics.js";
import { registerPlot } from "../../src/cli/commands/plot.js";
import { xmlError } from "../plot/xml.js";
import { asArray, fixtureDataPath } from "../support/fixtures.js";
import { loadExtras, maxRelError } from "./support.js";

async function run(register: (p: Command) => void, args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  register(program);
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    await program.parseAsync(["node", "spruce", ...args]);
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
  return out;
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("spruce plot", () => {
  it("writes one valid SVG per diagnostic plot and prints the paths", async () => {
    const dir = mkdtempSync(join(tmpdir(), "spruce-plot-"));
    dirs.push(dir);
    const ref = loadExtras("sleepstudy_reml");
    const out = await run(registerPlot, [
      "plot",
      fixtureDataPath(ref),
      ref.formula,
      "--out",
      join(dir, "figs"),
    ]);
    const paths = out.trim().split("\n");
    expect(paths.map((p) => p.slice(p.lastIndexOf("/") + 1))).toEqual([
      "residuals-fitted.svg",
      "qq-residuals.svg",
      "qq-ranef.svg",
      "cooks-distance.svg",
      "observed-fitted.svg",
    ]);
    for (const p of paths) expect(xmlError(readFileSync(p, "utf8")), p).toBeNull();
  });
});

describe("spruce fit --json --diagnostics --confint profile", () => {
  it("adds the extras fields with lme4's values", async () => {
    const ref = loadExtras("sitka_intercept_reml");
    const out = await run(
      (p) => registerFit(p, [diagnosticsFitExtension]),
      ["fit", fixtureDataPath(ref), ref.formula, "--json", "--diagnostics", "--confint", "profile"],
    );
    const json = JSON.parse(out) as Record<string, unknown>;
    for (const key of [
      "hatvalues",
      "cooksDistance",
      "pearsonResiduals",
      "scaledResiduals",
      "ranefCondVar",
      "profileCI",
      "waldCI",
    ])
      expect(json, key).toHaveProperty(key);
    expect(maxRelError(json.hatvalues as number[], ref.hatvalues)).toBeLessThan(1e-4);
    const prof = json.profileCI as { names: string[]; lower: number[]; upper: number[] };
    expect(prof.names).toEqual(asArray(ref.profileCI.names));
    const lo = asArray(ref.profileCI.lower);
    const hi = asArray(ref.profileCI.upper);
    prof.names.forEach((_, k) => {
      const w = (hi[k] as number) - (lo[k] as number);
      expect(Math.abs((prof.lower[k] as number) - (lo[k] as number)) / w).toBeLessThan(0.02);
      expect(Math.abs((prof.upper[k] as number) - (hi[k] as number)) / w).toBeLessThan(0.02);
    });
    expect(json.waldCI).toEqual({
      names: expect.any(Array),
      lower: expect.any(Array),
      upper: expect.any(Array),
    });
  });

  it("without --json prints the diagnostics summary and an interval table", async () => {
    const ref = loadExtras("sleepstudy_reml");
    const out = await run(
      (p) => registerFit(p, [diagnosticsFitExtension]),
      ["fit", fixtureDataPath(ref), ref.formula, "--diagnostics", "--confint", "wald"],
    );
    expect(out).toContain("Diagnostics:");
    expect(out).toContain("Cook's distance above 3 x mean");
    expect(out).toContain("Confidence intervals (wald):");
    expect(out).toMatch(/\(Intercept\)\s+238\.0\d+\s+264\.78/);
  });

  it("rejects an unknown interval method", async () => {
    const ref = loadExtras("sleepstudy_reml");
    await expect(
      run(
        (p) => registerFit(p, [diagnosticsFitExtension]),
        ["fit", fixtureDataPath(ref), ref.formula, "--confint", "bayes"],
      ),
    ).rejects.toThrow(/bayes/);
  });
});
