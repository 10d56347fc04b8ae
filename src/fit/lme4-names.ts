/**
 * lme4's generic functions, called as in R: `sigma(m)`, `logLik(m)`, `VarCorr(m)`, `isSingular(m)`, `REMLcrit(m)`,
 * `fixef(m)`, `ranef(m)`, `refit(m, newy)`, `update(m, formula)`, and `fromJSON(json, data)` (a model back from its
 * JSON). The methods of LinearMixedModel stay as they are; these are the names an lme4 user reaches for first.
 */
import { buildDesign } from "../design/build.js";
import { designBuffers } from "../design/types.js";
import { DataError, ModelError } from "../errors.js";
import type { DataInput } from "../frame/frame.js";
import type { FitJson } from "../report/json.js";
import { type FitOptions, fitDesign, fitMixed, modelAtTheta } from "./fit.js";
import { LinearMixedModel, type RanefGroup } from "./model.js";
import type { VarCorrBlock } from "./varcorr.js";
import { createEngine } from "./wasm-engine.js";

/** lme4's sigma(m): the residual standard deviation σ̂. */
export function sigma(model: LinearMixedModel): number {
  return model.sigma;
}

/** lme4's logLik(m): the log-likelihood (REML log-likelihood for a REML fit). */
export function logLik(model: LinearMixedModel): number {
  return model.logLik();
}

/** lme4's VarCorr(m). */
export function VarCorr(model: LinearMixedModel): VarCorrBlock[] {
  return model.varCorrBlocks();
}

/** lme4's isSingular(m). */
export function isSingular(model: LinearMixedModel): boolean {
  return model.singular;
}

/** lme4's REMLcrit(m). */
export function REMLcrit(model: LinearMixedModel): number {
  return model.remlCriterion();
}

/** lme4's fixef(m). */
export function fixef(model: LinearMixedModel): Record<string, number> {
  return model.fixef();
}

/** lme4's ranef(m, condVar). */
export function ranef(model: LinearMixedModel, options: { condVar?: boolean } = {}): RanefGroup[] {
  return model.ranef(options);
}

/**
 * lme4's refit(m, newresp): the same model (design, REML or ML) fitted to a new response, one value per
 * observation the model used (after incomplete rows were dropped), starting from m's θ̂.
 */
export async function refit(model: LinearMixedModel, newy: ArrayLike<number>): Promise<LinearMixedModel> {
  const n = model.nobs;
  if (newy === null || typeof newy !== "object" || typeof newy.length !== "number")
    throw new DataError("refit: the new response must be an array of numbers");
  if (newy.length !== n)
    throw new DataError(
      `refit: the new response has ${newy.length} values but the model used ${n} observations`,
    );
  const y = Float64Array.from(newy);
  for (let i = 0; i < n; i++)
    if (!Number.isFinite(y[i] as number))
      throw new DataError(`refit: value ${i + 1} of the new response is not a finite number (${newy[i]})`);
  const design = { ...model.design, y };
  const engine = await createEngine(designBuffers(design));
  return fitDesign(design, engine, { REML: model.REML, start: model.theta }, model.data);
}

/**
 * lme4's update(m, formula): the model refitted with a new formula (and options), on the data it was fitted to.
 * As in R, `.` stands for the old side: `update(m, ". ~ . - treat")`, `update(m, ". ~ . + x")`, `"log(.) ~ ."`.
 * `options` (REML etc.) default to the model's; `data` replaces the data.
 */
export async function update(
  model: LinearMixedModel,
  formula: string,
  options: FitOptions & { data?: DataInput } = {},
): Promise<LinearMixedModel> {
  const { data: newData, ...fitOptions } = options;
  const data = newData ?? model.data;
  if (data === undefined)
    throw new ModelError(
      "update: this model does not know its data (it was not made by fit()); pass { data }",
    );
  return fitMixed(updateFormula(model.formula, formula), data, { REML: model.REML, ...fitOptions });
}

/** R's update.formula, textually: `.` on either side of the new formula stands for that side of the old one. */
export function updateFormula(old: string, next: string): string {
  const [oldLhs, oldRhs] = splitFormula(old);
  const [newLhs, newRhs] = splitFormula(next);
  const dot = /(?<![\w.])\.(?![\w.])/g;
  const lhs = newLhs.replace(dot, () => oldLhs.trim());
  const rhs = newRhs.replace(dot, () => `(${oldRhs.trim()})`);
  return `${lhs.trim()} ~ ${rhs.trim()}`;
}

function splitFormula(formula: string): [string, string] {
  const at = formula.indexOf("~");
  if (at < 0) return [".", formula];
  return [formula.slice(0, at), formula.slice(at + 1)];
}

/**
 * A fitted model back from its JSON (`model.toJSON()`, `JSON.stringify(model)`) and the data it was fitted to:
 * the design is rebuilt from the formula and the model re-solved at the stored θ̂ (the same numbers: the solve at
 * a given θ is deterministic); the optimiser's report is the stored one.
 */
export async function fromJSON(json: FitJson | string, data: DataInput): Promise<LinearMixedModel> {
  const j: FitJson = typeof json === "string" ? JSON.parse(json) : json;
  if (j === null || typeof j !== "object" || typeof j.formula !== "string" || !Array.isArray(j.theta))
    throw new DataError("fromJSON: not the JSON of a fitted model (formula and theta are needed)");
  const design = buildDesign(j.formula, data);
  if (design.n !== j.nobs)
    throw new DataError(
      `fromJSON: the model was fitted to ${j.nobs} observations but these data give ${design.n}`,
    );
  const engine = await createEngine(designBuffers(design));
  const atTheta = modelAtTheta(design, engine, j.theta, { REML: j.REML });
  return new LinearMixedModel({
    design,
    engine,
    y: atTheta.y,
    REML: atTheta.REML,
    solution: atTheta.solution,
    singular: j.singular,
    messages: [...j.messages],
    optimizer: {
      converged: j.converged,
      evaluations: j.evaluations,
      gradientNorm: j.gradientNorm ?? Number.NaN,
      method: j.optimizer,
      message: "restored from JSON",
      elapsedMs: j.elapsedMs,
    },
    data,
  });
}
