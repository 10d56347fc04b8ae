/**
 * `spruce fit DATA "F" --family binomial [--link probit] [--nAGQ 9] [--weights COL] [--json]`: a GLMM as lme4's
 * glmer. The JSON has `spruce fit --json`'s field names (logLik, fixef, se, varcorr, nobs, ngrps, theta, singular)
 * plus family, link, nAGQ and deviance (R's deviance(m): the conditional GLM deviance; −2 logLik is `objective`).
 */

import { ModelError } from "../../errors.js";
import { readCsv } from "../../frame/csv.js";
import type { DataFrame } from "../../frame/frame.js";
import { fitGlmm } from "../../glmm/fit.js";
import type { GeneralizedLinearMixedModel } from "../../glmm/model.js";
import { glmmJson, glmmSummaryText } from "../../glmm/report.js";

export interface GlmmCommandOptions {
  family?: string;
  link?: string;
  nAGQ?: string;
  weights?: string;
  json?: boolean;
  ml?: boolean;
  [option: string]: unknown;
}

/** True when the command line asks for a GLMM (a family other than gaussian). */
export function wantsGlmm(options: { family?: string; link?: string; nAGQ?: string }): boolean {
  if (options.family === undefined || options.family === "gaussian") {
    if (options.link !== undefined || options.nAGQ !== undefined)
      throw new ModelError("--link and --nAGQ need --family binomial or --family poisson");
    return false;
  }
  return true;
}

/** Parse --nAGQ as a whole number. */
export function parseNAGQ(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isInteger(v) || v < 0) throw new ModelError(`--nAGQ must be a whole number ≥ 0, got '${text}'`);
  return v;
}

/** Fit and print (summary or JSON); `extensionOptions` are LMM-only options that were given (an error here). */
export async function runGlmmCommand(
  dataPath: string,
  formula: string,
  options: GlmmCommandOptions,
  extensionOptions: string[],
): Promise<void> {
  if (options.ml)
    throw new ModelError("--ml does not apply to GLMMs (glmer always fits by maximum likelihood)");
  if (extensionOptions.length > 0)
    throw new ModelError(
      `${extensionOptions.join(", ")} ${extensionOptions.length === 1 ? "is" : "are"} not available with --family yet`,
    );
  const data = readCsv(dataPath);
  const t0 = performance.now();
  const nAGQ = parseNAGQ(options.nAGQ);
  const model = await fitGlmm(formula, data, {
    family: options.family as string,
    ...(options.link !== undefined ? { link: options.link } : {}),
    ...(nAGQ !== undefined ? { nAGQ } : {}),
    ...(options.weights !== undefined ? { weights: options.weights } : {}),
  });
  const elapsedMs = performance.now() - t0;
  if (options.json) {
    for (const m of model.messages) process.stderr.write(`${m}\n`);
    const json = glmmJson(model);
    const unboxed = {
      ...json,
      elapsedMs,
      theta: json.theta.length === 1 ? json.theta[0] : json.theta,
      thetaNames: json.thetaNames.length === 1 ? json.thetaNames[0] : json.thetaNames,
    };
    process.stdout.write(`${JSON.stringify(unboxed, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${glmmSummaryText(model, { dataName: dataPath })}\n`);
}

/**
 * `spruce boot … --family`: how the two GLMMs are fitted (the bootstrap itself is `spruce boot`'s, on the worker
 * pool, with the LMM's output). --ml and --drop-nan do not apply to glmer fits: errors, not ignored.
 */
export function glmmPairFitter(
  f0: string,
  f1: string,
  options: Pick<GlmmCommandOptions, "family" | "link" | "nAGQ" | "weights" | "ml"> & { dropNan?: boolean },
): (data: DataFrame) => Promise<[GeneralizedLinearMixedModel, GeneralizedLinearMixedModel]> {
  if (options.ml)
    throw new ModelError("--ml does not apply to GLMMs (glmer always fits by maximum likelihood)");
  if (options.dropNan) throw new ModelError("--drop-nan is not available with --family");
  const nAGQ = parseNAGQ(options.nAGQ);
  const glmmOptions = {
    family: options.family as string,
    ...(options.link !== undefined ? { link: options.link } : {}),
    ...(nAGQ !== undefined ? { nAGQ } : {}),
    ...(options.weights !== undefined ? { weights: options.weights } : {}),
  };
  return async (data) => [await fitGlmm(f0, data, glmmOptions), await fitGlmm(f1, data, glmmOptions)];
}
