/**
 * anova against lme4's likelihood-ratio tables (test/fixtures/conformance/anova_*.json): Chisq within 2e-3, the
 * same Df, p within 1% relative; logLik/AIC/BIC within 2e-3 (lme4 did not fully converge on Sitka; a slightly
 * better optimum is allowed there, docs/architecture.md "Reference values").
 */
import { describe, expect, it } from "vitest";
import { SpruceError } from "../../src/errors.js";
import { fromRecords } from "../../src/frame/frame.js";
import { anova, anovaSummary, formatAnova } from "../../src/inference/anova.js";
import { conformanceDir, loadJson, readFixtureCsv } from "../support/fixtures.js";
import {
  fitModel,
  fixtureData,
  SITKA_MM0,
  SITKA_MM1,
  SLEEP_INT,
  SLEEP_SLOPE,
  SLEEP_UNCORR,
} from "./fit-models.js";

interface AnovaFixture {
  Chisq: number;
  Df: number;
  p: number;
  logLik: number[];
  AIC: number[];
  BIC: number[];
}

const cases: [string, string, string, "sleepstudy" | "sitka"][] = [
  ["anova_sleepstudy", SLEEP_INT, SLEEP_SLOPE, "sleepstudy"],
  ["anova_sleepstudy_uncorr", SLEEP_UNCORR, SLEEP_SLOPE, "sleepstudy"],
  ["anova_sitka", SITKA_MM0, SITKA_MM1, "sitka"],
];

function expectMatches(summary: ReturnType<typeof anovaSummary>, ref: AnovaFixture): void {
  expect(Math.abs((summary.Chisq as number) - ref.Chisq)).toBeLessThan(2e-3);
  expect(summary.Df).toBe(ref.Df);
  expect(Math.abs((summary.p as number) / ref.p - 1)).toBeLessThan(0.01);
  for (let i = 0; i < 2; i++) {
    expect(Math.abs((summary.logLik[i] as number) - (ref.logLik[i] as number))).toBeLessThan(2e-3);
    expect(Math.abs((summary.AIC[i] as number) - (ref.AIC[i] as number))).toBeLessThan(4e-3);
    expect(Math.abs((summary.BIC[i] as number) - (ref.BIC[i] as number))).toBeLessThan(4e-3);
  }
}

describe("anova", () => {
  it.each(cases)("%s: ML fits give lme4's table", async (id, f0, f1, data) => {
    const d = fixtureData(data);
    const result = anova([await fitModel(f0, d, false), await fitModel(f1, d, false)]);
    expect(result.refitted).toBe(false);
    expect(result.messages).toEqual([]);
    expectMatches(anovaSummary(result), loadJson<AnovaFixture>(`${id}.json`));
  });

  it("takes the models as lme4 does, anova(m0, m1), with the same table as the list form", async () => {
    const d = fixtureData("sleepstudy");
    const m0 = await fitModel(SLEEP_INT, d, false);
    const m1 = await fitModel(SLEEP_SLOPE, d, false);
    const variadic = anovaSummary(anova(m0, m1));
    expect(variadic).toEqual(anovaSummary(anova([m0, m1])));
    expectMatches(variadic, loadJson<AnovaFixture>("anova_sleepstudy.json"));
  });

  it.each(cases)("%s: REML fits are refitted with ML first, and say so", async (id, f0, f1, data) => {
    const d = fixtureData(data);
    const result = anova([await fitModel(f0, d, true), await fitModel(f1, d, true)]);
    expect(result.refitted).toBe(true);
    expect(result.messages).toEqual(["refitting model(s) with ML (instead of REML)"]);
    expectMatches(anovaSummary(result), loadJson<AnovaFixture>(`${id}.json`));
  });

  it("orders the models by npar whatever order they are given in", async () => {
    const d = fixtureData("sleepstudy");
    const result = anova([await fitModel(SLEEP_SLOPE, d, false), await fitModel(SLEEP_INT, d, false)]);
    expect(result.rows.map((r) => r.npar)).toEqual([4, 6]);
    expect(result.rows[0]?.formula).toBe(SLEEP_INT);
    expect(result.rows[0]?.Chisq).toBeNull();
    expectMatches(anovaSummary(result), loadJson<AnovaFixture>("anova_sleepstudy.json"));
  });

  it("compares three models row by row (each against the one before)", async () => {
    const d = fixtureData("sleepstudy");
    const r = anova([
      await fitModel(SLEEP_SLOPE, d, false),
      await fitModel(SLEEP_INT, d, false),
      await fitModel(SLEEP_UNCORR, d, false),
    ]);
    expect(r.rows.map((x) => x.npar)).toEqual([4, 5, 6]);
    const ref = loadJson<AnovaFixture>("anova_sleepstudy_uncorr.json");
    expect(Math.abs((r.rows[2]?.Chisq as number) - ref.Chisq)).toBeLessThan(2e-3);
    expect(r.rows[2]?.Df).toBe(1);
  });

  it("prints lme4's columns", async () => {
    const d = fixtureData("sleepstudy");
    const text = formatAnova(
      anova([await fitModel(SLEEP_INT, d, true), await fitModel(SLEEP_SLOPE, d, true)]),
    );
    expect(text).toMatch(/refitting model\(s\) with ML/);
    expect(text).toMatch(/npar\s+AIC\s+BIC\s+logLik\s+deviance\s+Chisq\s+Df\s+Pr\(>Chisq\)/);
    expect(text).toMatch(/42\.139\d/);
  });

  it("refuses models with different responses", async () => {
    const d = fixtureData("sleepstudy");
    const m0 = await fitModel(SLEEP_INT, d, false);
    const m1 = await fitModel("log(Reaction) ~ Days + (1|Subject)", d, false);
    expect(() => anova([m0, m1])).toThrow(SpruceError);
    expect(() => anova([m0, m1])).toThrow(/different responses/);
  });

  it("refuses models fitted to different rows (a variable missing for one model only)", async () => {
    const raw = readFixtureCsv(`${conformanceDir}/data/sleepstudy.csv`);
    const records = (raw.Reaction as number[]).map((r, i) => ({
      Reaction: r,
      Days: raw.Days?.[i] as number,
      Subject: String(raw.Subject?.[i]),
      // A covariate missing on row 3: the model that uses it drops that row.
      extra: i === 3 ? null : i % 2,
    }));
    const d = fromRecords(records);
    const m0 = await fitModel(SLEEP_INT, d, false);
    const m1 = await fitModel("Reaction ~ Days + extra + (1|Subject)", d, false);
    expect(() => anova([m0, m1])).toThrow(
      /not fitted to the same rows \(model 1: 180 observations, model 2: 179/,
    );
  });

  it("needs two models", async () => {
    const m = await fitModel(SLEEP_INT, fixtureData("sleepstudy"), false);
    expect(() => anova([m])).toThrow(/at least two models/);
  });
});
