/**
 * A fit as JSON, with the field names of the lme4 reference fits (test/fixtures/conformance/*.json, written by
 * runner/lme4_reference.R) plus the optimiser's report. `spruce fit --json` prints this object; other commands
 * (diagnostics, intervals) extend it by spreading it into a larger object.
 */
import { thetaNames } from "../design/describe.js";
import type { RanefGroup } from "../fit/results.js";
import type { VarCorrRow } from "../fit/varcorr.js";
import type { FittedModelView } from "./view.js";

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
  /** The prior-weights column (or "(weights)" for an array); absent for an unweighted fit. */
  weights?: string;
}

/** JSON numbers cannot be NaN/Infinity: those become null (as jsonlite writes NA). */
function finite(x: number): number {
  return Number.isFinite(x) ? x : (null as unknown as number);
}

export function fitJson(model: FittedModelView): FitJson {
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
    thetaNames: thetaNames(model.design),
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
    ...(model.design.weights ? { weights: model.design.weightsName ?? "(weights)" } : {}),
  };
}

/**
 * The fit as R's jsonlite writes it with `auto_unbox = TRUE` (how the lme4 reference files were made): vectors of
 * length one become scalars (θ of a one-parameter model, a term list with one term). `spruce fit --json` prints
 * this so its output reads exactly like the reference files; `fitJson` keeps arrays for JavaScript callers.
 */
export function unboxLikeJsonlite<T extends FitJson>(json: T): T {
  const unbox = <V>(xs: V[]): V | V[] => (xs.length === 1 ? (xs[0] as V) : xs);
  return {
    ...json,
    theta: unbox(json.theta),
    thetaNames: unbox(json.thetaNames),
    ranef: json.ranef.map((g) => ({ ...g, levels: unbox(g.levels), terms: unbox(g.terms) })),
  } as unknown as T;
}
