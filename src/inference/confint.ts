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
import {
  type EngineFactory,
  type IntervalTable,
  profileIntervals,
  thetaToSdCor,
  varianceParameterNames,
} from "./profile.js";

export type { IntervalTable } from "./profile.js";

export type ConfintMethod = "profile" | "wald" | "boot";

/** One bootstrap replicate's estimates. */
export interface ParameterReplicate {
  theta: ArrayLike<number>;
  sigma: number;
  beta: ArrayLike<number>;
}

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

function checkLevel(level: number): number {
  if (!(level > 0 && level < 1)) throw new ModelError(`confint: level must be between 0 and 1, got ${level}`);
  return level;
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
    // Imported when needed: the bootstrap module uses this one (percentile intervals), and it starts workers.
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

/**
 * Percentile intervals from bootstrap replicates, each turned into lme4's parameter vector (sd/cor, σ, β).
 * Non-finite replicates (failed refits) are left out of the order statistics, as boot does.
 */
export function bootPercentileIntervals(
  model: FittedLmm,
  replicates: ParameterReplicate[],
  level = 0.95,
): IntervalTable {
  checkLevel(level);
  if (replicates.length < 2) throw new ModelError("confint: the bootstrap needs at least 2 replicates");
  const sizes = model.design.terms.map((t) => t.columns.length);
  const names = [...varianceParameterNames(model.design), ...model.design.fixedNames];
  const rows = replicates.map((r) => [...thetaToSdCor(r.theta, sizes, r.sigma), ...Array.from(r.beta)]);
  const s = modelSolution(model);
  const estimate = [...thetaToSdCor(model.theta, sizes, s.sigma), ...s.beta];
  const a = (1 - level) / 2;
  const lower: number[] = [];
  const upper: number[] = [];
  names.forEach((_, k) => {
    const t = rows.map((r) => r[k] as number).filter(Number.isFinite);
    const [lo, hi] = normInter(t, [a, 1 - a]);
    lower.push(lo as number);
    upper.push(hi as number);
  });
  return { names, lower, upper, estimate };
}

/**
 * boot:::norm.inter: the α quantiles of replicates t, at order statistic (R+1)α, interpolated between neighbouring
 * order statistics on the normal quantile scale when (R+1)α is not an integer; extreme ones clamp to min/max.
 */
export function normInter(values: number[], alphas: number[]): number[] {
  const t = [...values].sort((x, y) => x - y);
  const R = t.length;
  if (R === 0) return alphas.map(() => Number.NaN);
  return alphas.map((alpha) => {
    const rk = (R + 1) * alpha;
    const k = Math.trunc(rk);
    if (k === rk && k >= 1 && k <= R) return t[k - 1] as number;
    if (k <= 0) return t[0] as number;
    if (k >= R) return t[R - 1] as number;
    const z = qnorm(alpha);
    const zk = qnorm(k / (R + 1));
    const zk1 = qnorm((k + 1) / (R + 1));
    const tk = t[k - 1] as number;
    const tk1 = t[k] as number;
    return tk + ((z - zk) / (zk1 - zk)) * (tk1 - tk);
  });
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
