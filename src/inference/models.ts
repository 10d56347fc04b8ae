/**
 * What model comparison and the bootstraps need from fitted models: ML fits (REML ones are refitted, as lme4's
 * anova and PBmodcomp do), their parameters as flat buffers, and a check that two models describe the same data.
 */
import { type Design, designBuffers } from "../design/types.js";
import { type FittedLmm, modelSolution } from "../diagnostics/model.js";
import { SpruceError } from "../errors.js";
import { fitDesign } from "../fit/fit.js";
import type { LinearMixedModel } from "../fit/model.js";
import type { ModelSpec } from "../parallel/protocol.js";

/** A fitted model as inference sees it (LinearMixedModel has all of these). */
export type FittedModel = FittedLmm;

/** A model fitted by maximum likelihood, with what the comparison tables need. */
export interface MlFit {
  model: FittedModel;
  /** ML deviance −2ℓ at the ML estimates. */
  deviance: number;
  logLik: number;
  /** lme4's npar: fixed effects + θ + σ. */
  npar: number;
  nobs: number;
  /** True when the model was fitted by REML and refitted here by ML. */
  refitted: boolean;
}

/**
 * The model as an ML fit: itself when fitted by ML, else refitted by ML starting from its REML θ̂ (with the same
 * engine: the response does not change, so the engine's statistics are still those of the data).
 */
export function toMlFit(model: FittedModel): MlFit {
  let ml: FittedModel = model;
  const refitted = model.REML;
  if (refitted)
    ml = fitDesign(model.design, model.engine, { REML: false, start: model.theta }) as LinearMixedModel;
  const s = modelSolution(ml);
  const deviance = s.objective;
  const npar = ml.design.fixedNames.length + s.theta.length + 1;
  return { model: ml, deviance, logLik: -deviance / 2, npar, nobs: ml.design.n, refitted };
}

/** β̂, σ̂, θ̂ and the buffers of a fitted model: what a worker needs to simulate from it or refit it. */
export function modelSpec(model: FittedModel): ModelSpec {
  const s = modelSolution(model);
  return {
    buffers: designBuffers(model.design),
    theta: Float64Array.from(s.theta),
    beta: Float64Array.from(s.beta),
    sigma: s.sigma,
    ...(model.design.xtx ? { xtx: model.design.xtx } : {}),
  };
}

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Models can be compared only when fitted to the same observations of the same response: the same response
 * (by name and values) and the same rows of the data after incomplete rows were dropped.
 */
export function checkSameData(designs: Design[], what: string): void {
  const first = designs[0] as Design;
  designs.forEach((d, i) => {
    if (i === 0) return;
    if (d.response !== first.response)
      throw new SpruceError(
        `${what}: the models have different responses (model 1: ${first.response}, model ${i + 1}: ${d.response}); ` +
          "they must be fitted to the same response to be compared",
      );
    if (d.n !== first.n || !sameArray(d.rows, first.rows))
      throw new SpruceError(
        `${what}: the models were not fitted to the same rows (model 1: ${first.n} observations, model ${i + 1}: ${d.n}` +
          `${d.n === first.n ? ", but different ones" : ""}); incomplete rows are dropped per model — remove rows ` +
          "with missing values in any variable of either model first",
      );
    if (!sameArray(d.y, first.y))
      throw new SpruceError(
        `${what}: the models have the same response name (${d.response}) but different response values: were they fitted to different data?`,
      );
  });
}
