/**
 * Prior weights (lme4's `weights =`): observation i has residual variance σ²/wᵢ. The engine forms the weighted
 * statistics ZᵀWZ, XᵀWy, … (assembly/pls/statistics.ts), so the penalised residual sum of squares is
 * Σ wᵢ(yᵢ − μᵢ)² + ‖u‖², and the profiled deviance gains the log-determinant of W, −Σ log wᵢ, exactly as lme4's
 * lmerResp::Laplace (docs/architecture.md, "Prior weights").
 *
 * Zero weights: lme4 keeps such a row (it counts in n, in σ̂'s denominator and in nobs; it has a fitted value and
 * a residual, and a leverage of 0) but sums log wᵢ over every row, so one zero weight makes its deviance +Inf and
 * its optimiser never leaves the start. spruce keeps the row the same way and sums log wᵢ over the positive
 * weights only: the same deviance up to that constant, so the same estimates an lme4 fit would have if its
 * deviance were finite (test/fixtures/weighted/runner/lme4_weighted.R makes the references that way).
 */
import { DataError } from "../errors.js";

/** Σ log wᵢ over the positive weights (the log-determinant of W that the deviance subtracts). */
export function logPriorWeights(w: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) {
    const v = w[i] as number;
    if (v > 0) s += Math.log(v);
  }
  return s;
}

/**
 * Weights must be finite and ≥ 0 and one per observation. `rows` maps observation i to its row in the data (for
 * the message); without it the observation's position is named.
 */
export function checkWeights(w: ArrayLike<number>, n: number, rows?: ArrayLike<number>): void {
  if (w.length !== n)
    throw new DataError(`the weights have ${w.length} values, the model has ${n} observations`);
  let positive = false;
  for (let i = 0; i < n; i++) {
    const v = w[i] as number;
    const where = rows ? `data row ${(rows[i] as number) + 1}` : `observation ${i + 1}`;
    if (typeof v !== "number" || !Number.isFinite(v))
      throw new DataError(`the weight of ${where} is ${v}; prior weights must be finite numbers`);
    if (v < 0) throw new DataError(`the weight of ${where} is ${v}; prior weights must not be negative`);
    if (v > 0) positive = true;
  }
  if (!positive) throw new DataError("every prior weight is 0: there is nothing to fit");
}
