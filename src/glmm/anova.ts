/**
 * Likelihood-ratio comparison of nested GLMMs, lme4's anova(g0, g1) for glmerMod fits: models ordered by number
 * of parameters, χ² = 2·max(0, ℓᵢ − ℓᵢ₋₁) on npar differences, "deviance" = −2 logLik (the criterion), as lme4's
 * table. The result has the shape of the LMM anova (src/inference/anova.ts) so its formatting and JSON apply.
 */
import { chiSquareUpper } from "../distributions/chisq.js";
import { SpruceError } from "../errors.js";
import type { AnovaResult, AnovaRow } from "../inference/anova.js";
import type { GeneralizedLinearMixedModel } from "./model.js";

export function glmmAnova(models: GeneralizedLinearMixedModel[], names?: string[]): AnovaResult {
  if (models.length < 2) throw new SpruceError("anova: give at least two models to compare");
  const first = models[0] as GeneralizedLinearMixedModel;
  for (const m of models) {
    if (m.nobs !== first.nobs || m.design.rows.some((r, i) => r !== first.design.rows[i]))
      throw new SpruceError(
        "anova: the models were not fitted to the same observations (rows with missing values?)",
      );
    if (m.family.name !== first.family.name || m.family.link.name !== first.family.link.name)
      throw new SpruceError("anova: the models have different families or links");
    if (m.nAGQ !== first.nAGQ && (m.nAGQ > 1 || first.nAGQ > 1))
      throw new SpruceError(
        "anova: nAGQ > 1 log-likelihoods leave out a constant; compare models fitted with the same nAGQ",
      );
  }
  const order = models.map((m, i) => ({ m, i })).sort((a, b) => a.m.npar - b.m.npar || a.i - b.i);
  const rows: AnovaRow[] = order.map(({ m, i }) => ({
    name: names?.[i] ?? m.formula,
    formula: m.formula,
    npar: m.npar,
    AIC: m.AIC(),
    BIC: m.BIC(),
    logLik: m.logLik(),
    deviance: m.objective,
    Chisq: null,
    Df: null,
    p: null,
  }));
  for (let k = 1; k < rows.length; k++) {
    const row = rows[k] as AnovaRow;
    const prev = rows[k - 1] as AnovaRow;
    const chisq = 2 * Math.max(0, row.logLik - prev.logLik);
    const df = row.npar - prev.npar;
    row.Chisq = chisq;
    row.Df = df;
    row.p = df > 0 ? chiSquareUpper(chisq, df) : null;
  }
  return { rows, refitted: false, messages: [], fits: [] };
}
