/**
 * The results of a GLMM pair for the page (in the analysis worker): glmer's summaries (Wald z tests), lme4's
 * anova table for glmerMod fits, Wald intervals of m1's fixed effects (lme4's confint(method = "Wald"), which has
 * none for the random-effect SDs) — the FitReport the page shows for an LMM pair, with what applies to GLMMs.
 */
import { qnorm } from "../../src/distributions/normal.js";
import { glmmAnova } from "../../src/glmm/anova.js";
import type { GeneralizedLinearMixedModel } from "../../src/glmm/model.js";
import type { FitReport, SummaryTexts } from "./analysis-protocol.js";
import { pairWarning } from "./model-pair.js";

const LEVEL = 0.95;

function summaryTexts(m: GeneralizedLinearMixedModel, dataName: string): SummaryTexts {
  const text = m.summary({ dataName });
  return { REML: false, glmm: true, none: text, Satterthwaite: text, "Kenward-Roger": null };
}

export function glmmFitReport(
  m0: GeneralizedLinearMixedModel,
  m1: GeneralizedLinearMixedModel,
  dataName: string,
  started: number,
): FitReport {
  const warning = pairWarning(m0, m1);
  let anova: FitReport["anova"] = { rows: [], note: "" };
  if (!warning || !/same number of parameters/.test(warning)) {
    const result = glmmAnova([m0, m1], ["m0", "m1"]);
    const models = result.rows.map((row) => `${row.name}: ${row.formula}`).join("; ");
    anova = {
      rows: result.rows,
      note: `${m1.family.name} family, ${m1.family.link.name} link, fitted by maximum likelihood (glmer). Models: ${models}.`,
    };
  }
  const z = qnorm(1 - (1 - LEVEL) / 2);
  const fixef = m1.fixef();
  const se = m1.se();
  const rows = Object.entries(fixef).map(([name, b]) => {
    const s = se[name] as number;
    const ok = Number.isFinite(s);
    return { name, estimate: b, lower: ok ? b - z * s : null, upper: ok ? b + z * s : null };
  });
  return {
    ok: true,
    summaries: { null: summaryTexts(m0, dataName), alt: summaryTexts(m1, dataName) },
    anova,
    // The diagnostic plots are those of linear mixed models (residuals against fitted values, QQ): none here.
    plots: [],
    intervals: { method: 'Wald, fixed effects (lme4\'s confint(method = "Wald"))', level: LEVEL, rows },
    elapsedMs: performance.now() - started,
    evaluations: [m0.result.evaluations, m1.result.evaluations],
    nobs: m1.nobs,
    ...(warning ? { pairWarning: warning } : {}),
  };
}
