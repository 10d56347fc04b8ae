/**
 * The hook from `fit()` (src/fit/fit.ts) to GLMMs: which option sets ask for one, and their checks (an LMM-only
 * option with a GLMM family, or a GLMM-only option without one, is an error, never silently ignored).
 */
import { ModelError } from "../errors.js";
import type { DataInput } from "../frame/frame.js";
import { type FamilyOption, fitGlmm } from "./fit.js";
import type { GeneralizedLinearMixedModel } from "./model.js";

export interface GlmmFitOptions {
  /** "binomial" | "poisson" (or { name, link }); "gaussian" is a linear mixed model. */
  family: FamilyOption;
  link?: string;
  /** 1 Laplace (default), 0, or > 1 adaptive Gauss–Hermite points (single scalar random-effects term). */
  nAGQ?: number;
  weights?: string | ArrayLike<number>;
}

function familyName(f: FamilyOption): string {
  return typeof f === "string" ? f : f.name;
}

/** True when the options ask for a GLMM; throws on GLMM options without a family. */
export function isGlmmRequest(options: {
  family?: FamilyOption;
  link?: string;
  nAGQ?: number;
}): options is GlmmFitOptions {
  if (options.family === undefined || familyName(options.family) === "gaussian") {
    if (options.link !== undefined && options.link !== "identity")
      throw new ModelError(`link '${options.link}' needs a family (binomial or poisson)`);
    if (options.nAGQ !== undefined)
      throw new ModelError("nAGQ applies to GLMMs only: give a family (binomial or poisson)");
    return false;
  }
  return true;
}

export function fitGlmmFromOptions(
  formula: string,
  data: DataInput,
  options: GlmmFitOptions & { REML?: boolean; start?: unknown; engine?: unknown; newData?: unknown },
): Promise<GeneralizedLinearMixedModel> {
  if (options.REML !== undefined)
    throw new ModelError(
      "REML is not defined for GLMMs (glmer fits by maximum likelihood): drop the REML option",
    );
  if (options.start !== undefined) throw new ModelError("start values are not supported for GLMMs yet");
  if (options.engine !== undefined)
    throw new ModelError("a custom engine is not supported for GLMMs through fit()");
  return fitGlmm(formula, data, {
    family: options.family,
    ...(options.link !== undefined ? { link: options.link } : {}),
    ...(options.nAGQ !== undefined ? { nAGQ: options.nAGQ } : {}),
    ...(options.weights !== undefined ? { weights: options.weights } : {}),
  });
}
