/**
 * A fit as JSON, with the field names of the lme4 reference fits (test/fixtures/conformance/*.json, written by
 * runner/lme4_reference.R) plus the optimiser's report. `spruce fit --json` prints this object; other commands
 * (diagnostics, intervals) extend it by spreading it into a larger object.
 */
import type { LinearMixedModel, RanefGroup } from "../fit/model.js";
import type { VarCorrRow } from "../fit/varcorr.js";

export interface FitJson {
  formula: string;
  REML: boolean;
  nobs: number;
  ngrps: Record<string, number>;
  /** Deviance for ML, REML criterion for REML (what was minimised). */
  objective: number;
  logLik: number;
  npar: number;
  AIC: number;
  BIC: number;
  /** ML deviance (for REML fits evaluated at the REML estimates, as lme4's deviance()). */
  deviance: number;
  sigma: number;
  theta: number[];
  thetaNames: string[];
  fixef: Record<string, number>;
  se: Record<string, number>;
  vcov: number[][];
  varcorr: VarCorrRow[];
  ranef: { group: string; levels: string[]; terms: string[]; values: number[][] }[];
  fitted: number[];
  residuals: number[];
  singular: boolean;
  converged: boolean;
  evaluations: number;
  gradientNorm: number;
  elapsedMs: number;
  optimizer: string;
  messages: string[];
  droppedFixed: string[];
  droppedRows: number;
}

/** lme4's names of θ: "Subject.(Intercept)", "Subject.Days.(Intercept)" (row.column for off-diagonals). */
export function thetaNames(model: LinearMixedModel): string[] {
  const names: string[] = [];
  for (const t of model.design.terms) {
    const p = t.columns.length;
    for (let j = 0; j < p; j++)
      for (let i = j; i < p; i++)
        names.push(i === j ? `${t.group}.${t.columns[i]}` : `${t.group}.${t.columns[i]}.${t.columns[j]}`);
  }
  return names;
}

/** JSON numbers cannot be NaN/Infinity: those become null (as jsonlite writes NA). */
function finite(x: number): number {
  return Number.isFinite(x) ? x : (null as unknown as number);
}

export function fitJson(model: LinearMixedModel): FitJson {
  const ranef = model.ranef().map((g: RanefGroup) => ({
    group: g.group,
    levels: g.levels,
    terms: g.terms,
    values: g.values,
  }));
  return {
    formula: model.formula,
    REML: model.REML,
    nobs: model.nobs,
    ngrps: model.ngrps,
    objective: model.objective,
    logLik: model.logLik(),
    npar: model.npar,
    AIC: model.AIC(),
    BIC: model.BIC(),
    deviance: model.deviance(),
    sigma: model.sigma,
    theta: Array.from(model.theta),
    thetaNames: thetaNames(model),
    fixef: model.fixef(),
    se: model.se(),
    vcov: model.vcov(),
    varcorr: model.varCorr().map((r) => ({ ...r, vcov: finite(r.vcov), sdcor: finite(r.sdcor) })),
    ranef,
    fitted: Array.from(model.fitted()),
    residuals: Array.from(model.residuals()),
    singular: model.singular,
    converged: model.optimizer.converged,
    evaluations: model.optimizer.evaluations,
    gradientNorm: model.optimizer.gradientNorm,
    elapsedMs: model.optimizer.elapsedMs,
    optimizer: model.optimizer.method,
    messages: [...model.messages],
    droppedFixed: [...model.design.droppedFixed],
    droppedRows: model.design.droppedRows,
  };
}
