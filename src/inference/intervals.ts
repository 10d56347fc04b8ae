/**
 * Intervals from bootstrap replicates, a leaf module shared by ./confint.ts (method "boot" with given replicates)
 * and ./bootstrap.ts (the intervals of a parameter bootstrap): each replicate turned into lme4's parameter vector
 * (sd/cor, σ, β), and percentile intervals with boot's interpolation of order statistics on the normal scale.
 */
import { type FittedLmm, modelSolution } from "../diagnostics/model.js";
import { qnorm } from "../distributions/normal.js";
import { ModelError } from "../errors.js";
import { type IntervalTable, thetaToSdCor, varianceParameterNames } from "./profile.js";

/** One bootstrap replicate's estimates. */
export interface ParameterReplicate {
  theta: ArrayLike<number>;
  sigma: number;
  beta: ArrayLike<number>;
}

/** A confidence level strictly between 0 and 1. */
export function checkLevel(level: number): number {
  if (!(level > 0 && level < 1)) throw new ModelError(`confint: level must be between 0 and 1, got ${level}`);
  return level;
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
