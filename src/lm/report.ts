/**
 * A linear model as text (R's print(summary(lm))) and as JSON (`spruce fit --json` for a formula without
 * random effects: the field names of the mixed fits where they mean the same thing).
 */
import { formatNumbers } from "../report/rformat.js";
import { maxOf, minOf } from "../util/extremes.js";
import type { LinearModel } from "./model.js";
import { formatColumn, formatPValues, printRight, SIGNIF_LEGEND, withStars } from "./print.js";

export interface LmJson {
  model: "lm";
  formula: string;
  nobs: number;
  rank: number;
  dfResidual: number;
  fixef: Record<string, number | null>;
  se: Record<string, number | null>;
  tvalue: Record<string, number | null>;
  pvalue: Record<string, number | null>;
  aliased: string[];
  vcov: (number | null)[][];
  sigma: number;
  rSquared: number;
  adjRSquared: number;
  fstatistic: { value: number; numdf: number; dendf: number; p: number } | null;
  RSS: number;
  logLik: number;
  npar: number;
  AIC: number;
  BIC: number;
  deviance: number;
  fitted: number[];
  residuals: number[];
  droppedRows: number;
  messages: string[];
}

const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

function record(names: readonly string[], values: (name: string) => number): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const n of names) out[n] = orNull(values(n));
  return out;
}

export function lmJson(m: LinearModel): LmJson {
  const s = m.summaryStats();
  const rows = new Map(s.coefficients.map((r) => [r.name, r]));
  const names = m.design.fixedNames;
  const fixef = m.fixef();
  return {
    model: "lm",
    formula: m.formula,
    nobs: m.nobs,
    rank: m.rank,
    dfResidual: m.dfResidual,
    fixef: record(names, (n) => fixef[n] as number),
    se: record(names, (n) => rows.get(n)?.se ?? Number.NaN),
    tvalue: record(names, (n) => rows.get(n)?.t ?? Number.NaN),
    pvalue: record(names, (n) => rows.get(n)?.p ?? Number.NaN),
    aliased: s.aliased,
    vcov: m.vcov().map((row) => row.map(orNull)),
    sigma: s.sigma,
    rSquared: s.rSquared,
    adjRSquared: s.adjRSquared,
    fstatistic: s.fstatistic,
    RSS: m.rss,
    logLik: m.logLik(),
    npar: m.npar,
    AIC: m.AIC(),
    BIC: m.BIC(),
    deviance: m.rss,
    fitted: Array.from(m.fittedValues),
    residuals: Array.from(m.residualValues),
    droppedRows: m.design.droppedRows,
    messages: [...m.messages],
  };
}

/** print(summary(lm)) with R's default digits (4 significant for most, printCoefmat's rules for the table). */
export function lmSummaryText(m: LinearModel, dataName?: string): string {
  const s = m.summaryStats();
  const digits = 4;
  const out: string[] = [
    "",
    "Call:",
    `lm(formula = ${m.formula}${dataName ? `, data = ${dataName}` : ""})`,
    "",
  ];
  const r = m.residualValues;
  if (r.length > 5) {
    out.push("Residuals:");
    const q = s.residualQuantiles;
    const vals = formatNumbers([q.min, q.q1, q.median, q.q3, q.max], digits);
    const names = ["Min", "1Q", "Median", "3Q", "Max"];
    const w = Math.max(maxOf(vals.map((v) => v.length)), maxOf(names.map((n) => n.length)));
    out.push(
      `${names.map((n) => n.padStart(w)).join(" ")} `,
      `${vals.map((v) => v.padStart(w)).join(" ")} `,
      "",
    );
  } else {
    out.push("Residuals:", formatNumbers(Array.from(r), digits).join(" "), "");
  }
  const aliasedNote =
    s.aliased.length > 0 ? ` (${s.aliased.length} not defined because of singularities)` : "";
  out.push(`Coefficients:${aliasedNote}`);
  const names = m.design.fixedNames;
  const rows = new Map(s.coefficients.map((c) => [c.name, c]));
  // printCoefmat: estimate and SE rounded together to digits − digmin decimals, t to 3 decimals.
  const finite = s.coefficients.flatMap((c) => [Math.abs(c.estimate), Math.abs(c.se)]).filter((v) => v > 0);
  const digmin = finite.length ? 1 + Math.floor(Math.log10(minOf(finite))) : 1;
  const dec = Math.max(1, digits - digmin);
  // Estimates and standard errors are formatted as one matrix (common decimals), as printCoefmat does.
  const both = formatColumn(
    [
      ...names.map((n) => (rows.has(n) ? round(rows.get(n)!.estimate, dec) : null)),
      ...names.map((n) => (rows.has(n) ? round(rows.get(n)!.se, dec) : null)),
    ],
    digits,
  );
  const est = both.slice(0, names.length);
  const se = both.slice(names.length);
  const t = formatColumn(
    names.map((n) => (rows.has(n) ? round(rows.get(n)!.t, 3) : null)),
    digits,
  );
  const pv = names.map((n) => rows.get(n)?.p ?? null);
  const pf = formatPValues(pv, 3);
  const cols = ["Estimate", "Std. Error", "t value", "Pr(>|t|)"];
  const cells = names.map((n, i) =>
    rows.has(n)
      ? [est[i] as string, se[i] as string, t[i] as string, pf[i] as string]
      : ["NA", "NA", "NA", "NA"],
  );
  const hasStars = withStars(cells, cols, pv);
  out.push(...printRight(names, cols, cells));
  if (hasStars) out.push("---", SIGNIF_LEGEND);
  out.push("");
  const sig = formatNumbers([s.sigma], digits)[0]?.trim();
  out.push(`Residual standard error: ${sig} on ${s.dfResidual} degrees of freedom`);
  if (s.fstatistic) {
    const r2 = formatNumbers([s.rSquared], digits)[0]?.trim();
    const ar2 = formatNumbers([s.adjRSquared], digits)[0]?.trim();
    out.push(`Multiple R-squared:  ${r2},\tAdjusted R-squared:  ${ar2} `);
    const f = s.fstatistic;
    const fv = formatNumbers([f.value], digits)[0]?.trim();
    const fp = formatPValues([f.p], digits)[0];
    out.push(`F-statistic: ${fv} on ${f.numdf} and ${f.dendf} DF,  p-value: ${fp}`);
  }
  for (const msg of m.messages) out.push(msg);
  return out.join("\n");
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}
