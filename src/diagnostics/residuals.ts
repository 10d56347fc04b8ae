/**
 * Residuals and Cook's distances with lme4's definitions for a linear mixed model (wᵢ the prior weights, 1 without):
 * - response residuals y − ŷ (ŷ includes the conditional modes of the random effects);
 * - Pearson residuals: √w·(y − ŷ), which without weights are the response residuals (lme4 does not divide by σ
 *   for an LMM: residuals(m, type = "pearson") is on the response scale);
 * - scaled residuals (residuals(m, scaled = TRUE)): response residuals / σ̂;
 * - Cook's distance (cooks.distance.merMod): (r_i/(1 − h_i))² h_i / (σ̂² p), r Pearson, h the leverages,
 *   p the rank of X.
 */
import { hatvalues } from "./hat.js";
import { type FittedLmm, fittedValues, modelSolution } from "./model.js";

export type ResidualType = "response" | "pearson";

export interface ResidualOptions {
  type?: ResidualType;
  /** Divide by σ̂ (lme4's `scaled = TRUE`). */
  scaled?: boolean;
}

export function fitted(model: FittedLmm): Float64Array {
  const s = modelSolution(model);
  return fittedValues(model.design, s.beta, s.b);
}

export function residuals(model: FittedLmm, options: ResidualOptions = {}): Float64Array {
  const s = modelSolution(model);
  const yhat = fittedValues(model.design, s.beta, s.b);
  const y = model.design.y;
  const scale = options.scaled ? 1 / s.sigma : 1;
  const w = options.type === "pearson" ? model.design.weights : undefined;
  // Without prior weights the Pearson and response residuals coincide.
  return yhat.map((f, i) => ((y[i] as number) - f) * scale * (w ? Math.sqrt(w[i] as number) : 1));
}

export function cooksDistance(model: FittedLmm): Float64Array {
  const s = modelSolution(model);
  const h = hatvalues(model);
  const r = residuals(model, { type: "pearson" });
  const p = model.design.fixedNames.length;
  const denom = s.sigma * s.sigma * p;
  return h.map((hi, i) => {
    const d = (((r[i] as number) / (1 - hi)) ** 2 * hi) / denom;
    // lme4 turns an infinite distance (h = 1) into NaN; we do the same rather than report Infinity.
    return Number.isFinite(d) ? d : Number.NaN;
  });
}
