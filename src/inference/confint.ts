/**
 * Confidence intervals for a fitted linear mixed model, lme4's confint.merMod:
 * - "profile" (lme4's default): profile-likelihood intervals for every parameter (./profile.ts);
 * - "wald": β̂ ± z·se(β̂) for the fixed effects (lme4 gives NA for the variance parameters; we list β only);
 * - "boot": percentile intervals of the parametric bootstrap (refits with the model's criterion), with boot's
 *   interpolation of order statistics on the normal scale (boot:::norm.inter, what lme4's boot.type = "perc" uses).
 * Names as lme4's oldNames = FALSE: `sd_(Intercept)|Subject`, `cor_Days.(Intercept)|Subject`, `sigma`, then β.
 */

import { unbox } from "../diagnostics/json.js";
import { type FittedLmm, modelSolution } from "../diagnostics/model.js";
import { qnorm } from "../distributions/normal.js";
import { ModelError } from "../errors.js";
import { CONFINT_OPTIONS } from "../validate/known-options.js";
import { checkArgument, checkOptions, isFittedModel } from "../validate/options.js";
import { bootPercentileIntervals, checkLevel, type ParameterReplicate } from "./intervals.js";
import { type EngineFactory, type IntervalTable, profileIntervals } from "./profile.js";

export { bootPercentileIntervals, normInter, type ParameterReplicate } from "./intervals.js";
export type { IntervalTable } from "./profile.js";

export type ConfintMethod = "profile" | "wald" | "boot";

export interface ConfintOptions {
  method?: ConfintMethod;
  level?: number;
  /** Bootstrap replicates (method "boot"); lme4's default is 500. */
  nsim?: number;
  seed?: number;
  workers?: number;
  /** Engine builder for the fixed-effect profiles (default: the wasm engine). */
  engineFactory?: EngineFactory;
  /** Replicates already computed for method "boot" (otherwise the bootstrap is run: ./bootstrap.ts). */
  replicates?: ParameterReplicate[];
}

export async function confint(model: FittedLmm, options: ConfintOptions = {}): Promise<IntervalTable> {
  checkArgument("confint", "model", model, isFittedModel);
  checkOptions("confint", options, CONFINT_OPTIONS);
  const method = options.method ?? "profile";
  const level = checkLevel(options.level ?? 0.95);
  if (method === "wald") return waldIntervals(model, level);
  if (method === "profile") return profileIntervals(model, { level, engineFactory: options.engineFactory });
  if (method === "boot") {
    if (options.replicates) return bootPercentileIntervals(model, options.replicates, level);
    // Imported when needed: the bootstrap brings the worker pool with it.
    const { bootstrap } = await import("./bootstrap.js");
    const result = await bootstrap(model, {
      nsim: options.nsim ?? 500,
      seed: options.seed,
      workers: options.workers,
      level,
    });
    return result.intervals;
  }
  throw new ModelError(`confint: unknown method "${String(method)}" (use profile, wald or boot)`);
}

/** Wald intervals β̂ ± Φ⁻¹((1+level)/2)·se for the fixed effects. */
export function waldIntervals(model: FittedLmm, level = 0.95): IntervalTable {
  checkLevel(level);
  const s = modelSolution(model);
  const p = model.design.fixedNames.length;
  const z = qnorm((1 + level) / 2);
  const estimate = Array.from(s.beta);
  const se = estimate.map((_, j) => Math.sqrt(s.vcovBeta[j * p + j] as number));
  return {
    names: [...model.design.fixedNames],
    lower: estimate.map((b, j) => b - z * (se[j] as number)),
    upper: estimate.map((b, j) => b + z * (se[j] as number)),
    estimate,
  };
}

export interface IntervalJson {
  names: string | string[];
  lower: number | number[];
  upper: number | number[];
}

/** Intervals in the extras layout (`profileCI` / `waldCI` / `bootCI`), length-1 vectors unboxed as jsonlite does. */
export async function confintJson(
  model: FittedLmm,
  method: ConfintMethod,
  options: Omit<ConfintOptions, "method"> = {},
): Promise<Record<string, IntervalJson>> {
  const t = await confint(model, { ...options, method });
  const key = method === "profile" ? "profileCI" : method === "wald" ? "waldCI" : "bootCI";
  return { [key]: { names: unbox(t.names), lower: unbox(t.lower), upper: unbox(t.upper) } };
}
