/**
 * A GLMM as text and JSON: glmer's printed summary (print.summary.merMod's layout for a glmerMod: title with the
 * approximation, family line, AIC table whose "deviance" is −2 logLik, Pearson residuals, random effects without
 * a Residual row, z values and Pr(>|z|) with significance stars, correlation of fixed effects, messages), and the
 * JSON of `spruce fit --json` (same field names) plus family, link, nAGQ and deviance.
 */
import { thetaNames } from "../design/describe.js";
import { normalCdf } from "../distributions/normal.js";
import type { VarCorrRow } from "../fit/varcorr.js";
import { varCorrBlocks } from "../fit/varcorr.js";
import { deparse } from "../formula/deparse.js";
import { parseExpression } from "../formula/parser.js";
import { significanceStars } from "../report/pvalues.js";
import {
  formatNumbers,
  printMatrix,
  printNamedVector,
  quantile7,
  rRound,
  zapsmall,
} from "../report/rformat.js";
import { fixedEffectsCorrelationLines, varCorrTableLines } from "../report/summary.js";
import { minOf } from "../util/extremes.js";
import type { GlmmView } from "./view.js";

const DIGITS = 4;

function deparsedFormula(formula: string): string {
  try {
    return deparse(parseExpression(formula));
  } catch {
    return formula;
  }
}

/** Two-sided normal p-value. */
export function pValueZ(z: number): number {
  return 2 * normalCdf(-Math.abs(z));
}

/** R's format.pval(digits = 3) as printCoefmat shows it: fixed notation down to 1e-4, scientific below. */
function formatPValues(ps: number[]): string[] {
  const fixedIdx = ps.map((p, i) => (p >= 1e-4 ? i : -1)).filter((i) => i >= 0);
  const fixed = formatNumbers(
    fixedIdx.map((i) => ps[i] as number),
    3,
  ).map((s) => s.trim());
  const out = ps.map((p) => (p < 2.2e-16 ? "<2e-16" : p.toExponential(2).replace(/e([+-])(\d)$/, "e$10$2")));
  fixedIdx.forEach((i, k) => {
    out[i] = fixed[k] as string;
  });
  return out;
}

export function glmmSummaryText(m: GlmmView, options: { dataName?: string } = {}): string {
  const approx =
    m.nAGQ === 1
      ? ["Generalized linear mixed model fit by maximum likelihood (Laplace", "  Approximation) [glmerMod]"]
      : [
          "Generalized linear mixed model fit by maximum likelihood (Adaptive",
          `  Gauss-Hermite Quadrature, nAGQ = ${m.nAGQ}) [glmerMod]`,
        ];
  const lines = [...approx, ` Family: ${m.family.name}  ( ${m.family.link.name} )`];
  lines.push(`Formula: ${deparsedFormula(m.formula)}`);
  if (options.dataName) lines.push(`   Data: ${options.dataName}`);
  if (m.weightsName) lines.push(`Weights: ${m.weightsName}`);
  lines.push("");
  const values = [m.AIC(), m.BIC(), m.logLik(), m.objective].map((v) => rRound(v, 1));
  lines.push(
    ...printNamedVector(
      ["AIC", "BIC", "logLik", "deviance", "df.resid"],
      [...formatNumbers(values).map((s) => s.trim()), String(m.dfResidual)],
    ),
  );
  lines.push("");
  const q = zapsmall(quantile7(Array.from(m.residuals("pearson")), [0, 0.25, 0.5, 0.75, 1]), DIGITS + 1);
  lines.push(
    "Scaled residuals: ",
    ...printNamedVector(["Min", "1Q", "Median", "3Q", "Max"], formatNumbers(q, DIGITS)),
  );
  lines.push("", ...randomEffectsLines(m));
  const parts = Object.entries(m.ngrps).map(([g, k]) => `${g}, ${k}`);
  lines.push(`Number of obs: ${m.nobs}, groups:  ${parts.join("; ")}`);
  const fixed = fixedEffectsLines(m);
  if (fixed.length) lines.push("", ...fixed);
  const corr = fixedEffectsCorrelationLines(m.design.fixedNames, m.vcov());
  if (corr.length) lines.push("", ...corr);
  if (m.messages.length) lines.push(...m.messages);
  return lines.join("\n");
}

function randomEffectsLines(m: GlmmView): string[] {
  // No Residual row: the binomial and Poisson families have no scale.
  return varCorrTableLines(varCorrBlocks(m.design.terms, m.theta, 1));
}

function fixedEffectsLines(m: GlmmView): string[] {
  const names = m.design.fixedNames;
  if (names.length === 0) return [];
  const est = Object.values(m.fixef());
  const se = Object.values(m.se());
  const z = est.map((e, i) => e / (se[i] as number));
  const pv = z.map(pValueZ);
  const acs = [...est, ...se].map(Math.abs).filter((v) => Number.isFinite(v) && v !== 0);
  const digmin = acs.length ? 1 + Math.floor(Math.log10(minOf(acs))) : 1;
  const dec = Math.max(1, DIGITS - digmin);
  const cs = formatNumbers(
    [...est, ...se].map((v) => rRound(v, dec)),
    DIGITS,
  );
  const zs = formatNumbers(
    z.map((v) => rRound(v, 3)),
    DIGITS,
  );
  const ps = formatPValues(pv);
  const p = names.length;
  const cells = names.map((_, i) => [
    cs[i] as string,
    cs[p + i] as string,
    zs[i] as string,
    ps[i] as string,
    significanceStars(pv[i] as number).padEnd(3),
  ]);
  return [
    "Fixed effects:",
    ...printMatrix(names, ["Estimate", "Std. Error", "z value", "Pr(>|z|)", ""], cells, true),
    "---",
    "Signif. codes:  0 ‘***’ 0.001 ‘**’ 0.01 ‘*’ 0.05 ‘.’ 0.1 ‘ ’ 1",
  ];
}

export interface GlmmJson {
  formula: string;
  family: string;
  link: string;
  nAGQ: number;
  nobs: number;
  ngrps: Record<string, number>;
  /** The criterion minimised, −2 logLik (what glmer's summary prints as "deviance"). */
  objective: number;
  logLik: number;
  npar: number;
  AIC: number;
  BIC: number;
  /** R's deviance(m) for a glmer fit: the conditional GLM deviance, Σ squared deviance residuals. */
  deviance: number;
  dfResidual: number;
  theta: number[];
  thetaNames: string[];
  fixef: Record<string, number>;
  se: Record<string, number>;
  z: Record<string, number>;
  p: Record<string, number>;
  vcov: number[][];
  /** Where the SEs come from: the finite-difference Hessian over (θ, β) (lme4's default) or σ²(RXᵀRX)⁻¹. */
  vcovSource: string;
  varcorr: VarCorrRow[];
  ranef: { group: string; levels: string[]; terms: string[]; values: number[][] }[];
  fitted: number[];
  residuals: number[];
  singular: boolean;
  converged: boolean;
  evaluations: number;
  elapsedMs: number;
  messages: string[];
  droppedFixed: string[];
  droppedRows: number;
  weights?: string;
}

function finite(x: number): number {
  return Number.isFinite(x) ? x : (null as unknown as number);
}

export function glmmJson(m: GlmmView): GlmmJson {
  const fixef = m.fixef();
  const se = m.se();
  const z: Record<string, number> = {};
  const p: Record<string, number> = {};
  for (const name of Object.keys(fixef)) {
    const zi = (fixef[name] as number) / (se[name] as number);
    z[name] = finite(zi);
    p[name] = finite(pValueZ(zi));
  }
  return {
    formula: m.formula,
    family: m.family.name,
    link: m.family.link.name,
    nAGQ: m.nAGQ,
    nobs: m.nobs,
    ngrps: m.ngrps,
    objective: m.objective,
    logLik: m.logLik(),
    npar: m.npar,
    AIC: m.AIC(),
    BIC: m.BIC(),
    deviance: m.deviance(),
    dfResidual: m.dfResidual,
    theta: Array.from(m.theta),
    thetaNames: thetaNames(m.design),
    fixef,
    se: Object.fromEntries(Object.entries(se).map(([k, v]) => [k, finite(v)])),
    z,
    p,
    vcov: m.vcov().map((r) => r.map(finite)),
    vcovSource: m.result.vcovSource,
    varcorr: m.varCorr().map((r) => ({ ...r, sdcor: finite(r.sdcor) })),
    ranef: m.ranef().map((g) => ({ group: g.group, levels: g.levels, terms: g.terms, values: g.values })),
    fitted: Array.from(m.fitted()),
    residuals: Array.from(m.residuals()),
    singular: m.singular,
    converged: m.converged,
    evaluations: m.result.evaluations,
    elapsedMs: m.result.elapsedMs,
    messages: [...m.messages],
    droppedFixed: m.design.droppedFixed,
    droppedRows: m.design.droppedRows,
    ...(m.weightsName ? { weights: m.weightsName } : {}),
  };
}
