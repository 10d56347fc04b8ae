/**
 * Likelihood-ratio comparison of nested models, lme4's anova.merMod: models ordered by number of parameters,
 * REML fits refitted with ML first (lme4: "refitting model(s) with ML (instead of REML)"), and for each model
 * after the first χ² = 2·max(0, ℓ_i − ℓ_{i−1}) on Df = npar_i − npar_{i−1} degrees of freedom.
 */

import { chiSquareUpper } from "../distributions/chisq.js";
import { SpruceError } from "../errors.js";
import { maxOf } from "../util/extremes.js";
import { ANOVA_OPTIONS } from "../validate/known-options.js";
import { checkArgument, checkOptions, isFittedModel } from "../validate/options.js";
import type { DdfModel } from "./ddf/model.js";
import { type FixedAnovaOptions, type FixedAnovaTable, fixedEffectsAnova } from "./ddf/tables.js";
import { checkSameData, type FittedModel, type MlFit, toMlFit } from "./models.js";
import { checkNested, lrtRoundingTolerance } from "./nesting.js";

export interface AnovaRow {
  /** The model's name: the one given, else its formula. */
  name: string;
  formula: string;
  npar: number;
  AIC: number;
  BIC: number;
  logLik: number;
  deviance: number;
  /** null on the first row (as lme4's NA). */
  Chisq: number | null;
  Df: number | null;
  p: number | null;
}

export interface AnovaResult {
  /** One row per model, by increasing npar. */
  rows: AnovaRow[];
  /** True when at least one model was fitted by REML and refitted with ML. */
  refitted: boolean;
  messages: string[];
  /** The ML fits, in the order of `rows`. */
  fits: MlFit[];
}

export interface AnovaOptions {
  /** Names for the models, in the order given (default: their formulas). */
  names?: string[];
}

/**
 * One model: lmerTest's anova(m, type, ddf), F tests of the fixed-effects terms (type III and Satterthwaite by
 * default; src/inference/ddf). Several models: lme4's likelihood-ratio table.
 */
export function anova(model: FittedModel, options?: FixedAnovaOptions): FixedAnovaTable;
export function anova(...models: FittedModel[]): AnovaResult;
export function anova(models: FittedModel[], options?: AnovaOptions): AnovaResult;
export function anova(
  first: FittedModel | FittedModel[],
  ...rest: (FittedModel | AnovaOptions | FixedAnovaOptions | undefined)[]
): AnovaResult | FixedAnovaTable {
  if (!Array.isArray(first) && rest.length <= 1 && !(rest[0] && "design" in rest[0]))
    return fixedEffectsAnova(asDdfModel(first), (rest[0] as FixedAnovaOptions | undefined) ?? {});
  return modelComparison(first, ...(rest as (FittedModel | AnovaOptions | undefined)[]));
}

function asDdfModel(model: FittedModel): DdfModel {
  if ("solution" in model && "residuals" in model) return model as unknown as DdfModel;
  throw new SpruceError("anova(model): F tests of the fixed effects need a fitted LinearMixedModel");
}

function modelComparison(
  first: FittedModel | FittedModel[],
  ...rest: (FittedModel | AnovaOptions | undefined)[]
): AnovaResult {
  // lme4's anova(m0, m1, ...) and, for names, anova([m0, m1], { names }).
  const list = Array.isArray(first);
  const models = list ? first : [first, ...(rest as FittedModel[])];
  const options: AnovaOptions = (list ? (rest[0] as AnovaOptions | undefined) : undefined) ?? {};
  if (models.length < 2) throw new SpruceError("anova: give at least two models to compare");
  models.forEach((m, i) => {
    checkArgument("anova", `model ${i + 1}`, m, isFittedModel);
  });
  checkOptions("anova", options, ANOVA_OPTIONS);
  if (options.names && options.names.length !== models.length)
    throw new SpruceError(`anova: ${options.names.length} names for ${models.length} models`);
  checkSameData(
    models.map((m) => m.design),
    "anova",
  );
  const fits = models.map((m, i) => ({
    fit: toMlFit(m),
    name: options.names?.[i] ?? m.design.formula,
    order: i,
  }));
  // Stable sort by npar, as lme4 (which keeps the given order for ties).
  fits.sort((a, b) => a.fit.npar - b.fit.npar || a.order - b.order);
  const refitted = fits.some((f) => f.fit.refitted);
  const messages = refitted ? ["refitting model(s) with ML (instead of REML)"] : [];
  // A likelihood-ratio test needs each model nested in the next (issue 18: non-nested models gave χ² < 0 tests).
  for (let i = 1; i < fits.length; i++)
    checkNested(
      (fits[i - 1] as (typeof fits)[number]).fit.model.design,
      (fits[i] as (typeof fits)[number]).fit.model.design,
      "anova",
    );
  const rows: AnovaRow[] = fits.map(({ fit, name }, i) => {
    const n = fit.nobs;
    const row: AnovaRow = {
      name,
      formula: fit.model.design.formula,
      npar: fit.npar,
      AIC: fit.deviance + 2 * fit.npar,
      BIC: fit.deviance + fit.npar * Math.log(n),
      logLik: fit.logLik,
      deviance: fit.deviance,
      Chisq: null,
      Df: null,
      p: null,
    };
    if (i > 0) {
      const prev = (fits[i - 1] as (typeof fits)[number]).fit;
      const raw = 2 * (fit.logLik - prev.logLik);
      const chisq = Math.max(0, raw);
      const df = fit.npar - prev.npar;
      row.Df = df;
      if (raw < -lrtRoundingTolerance(prev.deviance)) {
        // The larger model fits worse than the one nested in it: its optimum was not found. No test.
        messages.push(
          `model ${i + 1} (${name}) has a higher deviance than model ${i} (${raw.toFixed(4)} as χ²): ` +
            "its fit did not reach the optimum, so no test is reported",
        );
        row.Chisq = null;
        row.p = null;
        return row;
      }
      row.Chisq = chisq;
      // Equal npar: no test (lme4 prints NA).
      row.p = df > 0 ? chiSquareUpper(chisq, df) : null;
    }
    return row;
  });
  return { rows, refitted, messages, fits: fits.map((f) => f.fit) };
}

/** The JSON of `spruce anova` for two models (the last comparison for more). */
export function anovaSummary(result: AnovaResult): {
  Chisq: number | null;
  Df: number | null;
  p: number | null;
  logLik: number[];
  AIC: number[];
  BIC: number[];
  deviance: number[];
  npar: number[];
  models: string[];
  refitted: boolean;
  messages: string[];
} {
  const last = result.rows[result.rows.length - 1] as AnovaRow;
  return {
    Chisq: last.Chisq,
    Df: last.Df,
    p: last.p,
    logLik: result.rows.map((r) => r.logLik),
    AIC: result.rows.map((r) => r.AIC),
    BIC: result.rows.map((r) => r.BIC),
    deviance: result.rows.map((r) => r.deviance),
    npar: result.rows.map((r) => r.npar),
    models: result.rows.map((r) => r.name),
    refitted: result.refitted,
    messages: result.messages,
  };
}

function fmt(x: number | null, digits: number): string {
  if (x === null || Number.isNaN(x)) return "";
  return x.toFixed(digits);
}

function fmtP(p: number | null): string {
  if (p === null) return "";
  return p < 2.2e-16 ? "< 2.2e-16" : p.toPrecision(4);
}

/** The table as lme4 prints it. */
export function formatAnova(result: AnovaResult): string {
  const header = ["", "npar", "AIC", "BIC", "logLik", "deviance", "Chisq", "Df", "Pr(>Chisq)"];
  const body = result.rows.map((r, i) => [
    `m${i}`,
    String(r.npar),
    fmt(r.AIC, 2),
    fmt(r.BIC, 2),
    fmt(r.logLik, 2),
    fmt(r.deviance, 2),
    fmt(r.Chisq, 4),
    r.Df === null ? "" : String(r.Df),
    fmtP(r.p),
  ]);
  const widths = header.map((h, j) =>
    Math.max(h.length, maxOf(body.map((row) => (row[j] as string).length))),
  );
  const line = (cells: string[]): string =>
    cells
      .map((c, j) => (j === 0 ? c.padEnd(widths[j] as number) : c.padStart(widths[j] as number)))
      .join("  ");
  const out: string[] = [];
  for (const m of result.messages) out.push(m);
  out.push("Models:");
  result.rows.forEach((r, i) => {
    out.push(`m${i}: ${r.name}`);
  });
  out.push(line(header));
  for (const row of body) out.push(line(row));
  return out.join("\n");
}
