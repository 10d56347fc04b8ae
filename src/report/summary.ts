/**
 * The text of lme4's `summary(m)` for a fitted model, section by section as lme4's print.summary.merMod
 * writes it (digits = 4, lme4's default): title, formula, criterion or AIC table, scaled residuals, random
 * effects, number of observations and groups, fixed effects, their correlation, then fit messages.
 */

import type { VarCorrBlock } from "../fit/varcorr.js";
import { deparse } from "../formula/deparse.js";
import { parseExpression } from "../formula/parser.js";
import { coefTable } from "../inference/ddf/tables.js";
import { maxOf, minOf } from "../util/extremes.js";
import { formatPValue, SIGNIF_LEGEND, significanceStars } from "./pvalues.js";
import {
  abbreviate,
  formatNumbers,
  printMatrix,
  printNamedVector,
  quantile7,
  rRound,
  zapsmall,
} from "./rformat.js";
import type { FittedModelView } from "./view.js";

const DIGITS = 4;
/** lme4.summary.cor.max: the correlation of fixed effects is shown up to this many coefficients. */
const COR_MAX = 12;

export interface SummaryOptions {
  /** Shown as lme4's "   Data:" line (lme4 shows the data argument; the CLI passes the file name). */
  dataName?: string;
  /**
   * Add lmerTest's df and Pr(>|t|) columns to the fixed effects, with Satterthwaite's or Kenward–Roger's
   * denominator degrees of freedom (src/inference/ddf).
   */
  ddf?: "Satterthwaite" | "Kenward-Roger";
}

/** The formula as R deparses it (spaces around ~, +, |), falling back to the text as written. */
function deparsedFormula(formula: string): string {
  try {
    return deparse(parseExpression(formula));
  } catch {
    return formula;
  }
}

function titleLines(model: FittedModelView, options: SummaryOptions): string[] {
  const method = model.REML ? "REML" : "maximum likelihood ";
  const ddf = options.ddf ? `. t-tests use ${options.ddf}'s method` : "";
  const cls = options.ddf ? "lmerModLmerTest" : "lmerMod";
  const lines = [
    `Linear mixed model fit by ${method}${ddf} ['${cls}']`,
    `Formula: ${deparsedFormula(model.formula)}`,
  ];
  if (options.dataName) lines.push(`   Data: ${options.dataName}`);
  if (model.design.weights) lines.push(`Weights: ${model.design.weightsName ?? "(weights)"}`);
  return lines;
}

function criterionLines(model: FittedModelView): string[] {
  if (model.REML) {
    const [v] = formatNumbers([rRound(model.remlCriterion(), 1)]);
    return [`REML criterion at convergence: ${(v as string).trim()}`];
  }
  const values = [model.AIC(), model.BIC(), model.logLik(), model.deviance()].map((v) => rRound(v, 1));
  const formatted = formatNumbers(values).map((s) => s.trim());
  // lme4 formats df.resid on its own so that it prints as an integer; print() right-aligns to a common width.
  return printNamedVector(
    ["AIC", "BIC", "logLik", "deviance", "df.resid"],
    [...formatted, String(model.dfResidual)],
  );
}

function residualLines(model: FittedModelView): string[] {
  const sigma = model.sigma;
  // lme4: residuals(type = "pearson", scaled = TRUE), i.e. √wᵢ(yᵢ − ŷᵢ)/σ̂
  const w = model.design.weights;
  const scaled = Array.from(model.residuals(), (r, i) => (r * (w ? Math.sqrt(w[i] as number) : 1)) / sigma);
  const q = zapsmall(quantile7(scaled, [0, 0.25, 0.5, 0.75, 1]), DIGITS + 1);
  return [
    "Scaled residuals: ",
    ...printNamedVector(["Min", "1Q", "Median", "3Q", "Max"], formatNumbers(q, DIGITS)),
  ];
}

function randomEffectsLines(model: FittedModelView): string[] {
  return varCorrTableLines(model.varCorrBlocks(), model.sigma);
}

/**
 * lme4's formatVC under "Random effects:": Groups, Name, Variance, Std.Dev. and, when a term has several columns,
 * the correlations; a Residual row when the family has a scale (lmer's σ; glmer's binomial and Poisson have none).
 * Shared by the lmer and glmer summaries.
 */
export function varCorrTableLines(blocks: readonly VarCorrBlock[], residualSd?: number): string[] {
  const groups: string[] = [];
  const names: string[] = [];
  const sds: number[] = [];
  for (const b of blocks) {
    b.columns.forEach((c, i) => {
      groups.push(i === 0 ? b.name : "");
      names.push(c);
      sds.push(b.stddev[i] as number);
    });
  }
  if (residualSd !== undefined) {
    groups.push("Residual");
    names.push("");
    sds.push(residualSd);
  }
  const variance = formatNumbers(
    sds.map((s) => s * s),
    DIGITS,
  );
  const stddev = formatNumbers(sds, DIGITS);
  const maxlen = maxOf(blocks.map((b) => b.columns.length));
  const nCorr = maxlen - 1;
  const corrCells: string[][] = [];
  if (nCorr > 0) {
    const dig = Math.max(2, DIGITS - 2);
    for (const b of blocks) {
      const p = b.columns.length;
      // format(round(corr, 2), nsmall = 2) over the whole matrix (common width), upper triangle and diagonal blank.
      const all = formatNumbers(
        Array.from(b.correlation, (v) => rRound(v, dig)),
        7,
        dig,
      );
      for (let i = 0; i < p; i++) {
        const row: string[] = [];
        for (let j = 0; j < nCorr; j++) row.push(j < i ? (all[i * p + j] as string) : "");
        corrCells.push(row);
      }
    }
    if (residualSd !== undefined) corrCells.push(new Array<string>(nCorr).fill(""));
  }
  const header = ["Groups", "Name", "Variance", "Std.Dev."];
  if (nCorr > 0) header.push("Corr", ...new Array<string>(nCorr - 1).fill(""));
  const cells = groups.map((g, i) => [
    g,
    names[i] as string,
    variance[i] as string,
    stddev[i] as string,
    ...(corrCells[i] ?? []),
  ]);
  // formatVC pads Groups and Name like format() does (left-justified to a common width), then print() aligns.
  return [
    "Random effects:",
    ...printMatrix(
      groups.map(() => ""),
      header,
      cells,
    ),
  ];
}

function groupsLine(model: FittedModelView): string {
  const parts = Object.entries(model.ngrps).map(([g, k]) => `${g}, ${k}`);
  return `Number of obs: ${model.nobs}, groups:  ${parts.join("; ")}`;
}

/** printCoefmat(digits = 4) of Estimate, Std. Error, t value. */
function fixedEffectsLines(model: FittedModelView, ddf?: SummaryOptions["ddf"]): string[] {
  const names = model.design.fixedNames;
  if (names.length === 0) return [];
  const est = Object.values(model.fixef());
  const se = Object.values(model.se());
  const t = est.map((e, i) => e / (se[i] as number));
  const acs = [...est, ...se].map(Math.abs).filter((v) => Number.isFinite(v) && v !== 0);
  // Decimals: enough for the smallest magnitude among estimates and standard errors (R's digmin rule).
  const digmin = acs.length ? 1 + Math.floor(Math.log10(minOf(acs))) : 1;
  const dec = Math.max(1, DIGITS - digmin);
  const cs = formatNumbers(
    [...est, ...se].map((v) => rRound(v, dec)),
    DIGITS,
  );
  const digTst = Math.max(1, Math.min(5, DIGITS - 1));
  const ts = formatNumbers(
    t.map((v) => rRound(v, digTst)),
    DIGITS,
  );
  const p = names.length;
  if (ddf) {
    // lmerTest's table: df with the estimates' decimals, then Pr(>|t|) and the significance stars.
    const table = coefTable(model, ddf);
    const dfs = formatNumbers(
      table.df.map((v) => rRound(v, dec)),
      DIGITS,
      dec,
    );
    const cells = names.map((_, i) => [
      cs[i] as string,
      cs[p + i] as string,
      dfs[i] as string,
      ts[i] as string,
      formatPValue(table.p[i] as number),
      significanceStars(table.p[i] as number),
    ]);
    return [
      "Fixed effects:",
      ...printMatrix(names, ["Estimate", "Std. Error", "df", "t value", "Pr(>|t|)", ""], cells, true),
      "---",
      SIGNIF_LEGEND,
    ];
  }
  const cells = names.map((_, i) => [cs[i] as string, cs[p + i] as string, ts[i] as string]);
  return ["Fixed effects:", ...printMatrix(names, ["Estimate", "Std. Error", "t value"], cells, true)];
}

/**
 * lme4's "Correlation of Fixed Effects" block (lower triangle, abbreviated names, 3 decimals) from vcov(β̂); none
 * for fewer than 2 or more than COR_MAX coefficients. Shared by the lmer and glmer summaries.
 */
export function fixedEffectsCorrelationLines(
  names: readonly string[],
  V: readonly (readonly number[])[],
): string[] {
  const p = names.length;
  if (p < 2 || p > COR_MAX) return [];
  const corr: number[] = [];
  for (let i = 0; i < p; i++)
    for (let j = 0; j < p; j++)
      corr.push(
        ((V[i] as number[])[j] as number) /
          Math.sqrt(((V[i] as number[])[i] as number) * ((V[j] as number[])[j] as number)),
      );
  const all = formatNumbers(
    corr.map((v) => rRound(v, 3)),
    7,
    3,
  );
  const rowNames = abbreviate(names, 11).slice(1);
  const colNames = abbreviate(names, 6).slice(0, p - 1);
  const cells = rowNames.map((_, r) => {
    const i = r + 1;
    return colNames.map((_, j) => (j < i ? (all[i * p + j] as string) : ""));
  });
  return ["Correlation of Fixed Effects:", ...printMatrix(rowNames, colNames, cells)];
}

/** The full summary text (lines joined with "\n", no trailing newline). */
export function summaryText(model: FittedModelView, options: SummaryOptions = {}): string {
  const lines: string[] = [
    ...titleLines(model, options),
    "",
    ...criterionLines(model),
    "",
    ...residualLines(model),
    "",
    ...randomEffectsLines(model),
    groupsLine(model),
  ];
  const fixed = fixedEffectsLines(model, options.ddf);
  if (fixed.length) lines.push("", ...fixed);
  const corr = fixedEffectsCorrelationLines(model.design.fixedNames, model.vcov());
  if (corr.length) lines.push("", ...corr);
  if (model.messages.length) lines.push(...model.messages);
  return lines.join("\n");
}
