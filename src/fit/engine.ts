/**
 * The contract of a penalised-least-squares engine: given θ, the profiled deviance, its gradient and the
 * solution (β̂, û, σ̂). Implemented by the wasm blocked-Cholesky engine (src/fit/wasm-engine.ts) and, for tests,
 * by a plain dense factorisation (test/support/dense-pls.ts).
 *
 * Orders: θ as in design/types.ts; random effects (u, b, condVar) term by term in design order, within a term
 * level-major: b[offset_t + level * p_t + j].
 */
import type { DesignBuffers } from "../design/types.js";

export interface PlsSolution {
  theta: Float64Array;
  reml: boolean;
  /** Deviance (ML) or REML criterion at θ, β and σ profiled out. */
  objective: number;
  beta: Float64Array;
  /** Spherical random effects û (length q). */
  u: Float64Array;
  /** Conditional modes b̂ = Λû (length q). */
  b: Float64Array;
  /** Penalised weighted residual sum of squares r² = Σ wᵢ(yᵢ − μᵢ)² + ‖u‖². */
  pwrss: number;
  /** σ̂: sqrt(r²/n) for ML, sqrt(r²/(n−p)) for REML. */
  sigma: number;
  /** log|M| = log det(ΛᵀZᵀZΛ + I). */
  logDetM: number;
  /** log|S|, S = XᵀX − XᵀZΛM⁻¹ΛᵀZᵀX (the REML term). */
  logDetS: number;
  /** Covariance of β̂: σ̂² S⁻¹, p×p row-major. */
  vcovBeta: Float64Array;
}

export interface PlsEngine {
  readonly buffers: DesignBuffers;
  /** Number of θ parameters. */
  readonly nTheta: number;
  /** Replace the response (a bootstrap replicate): only ZᵀWy, XᵀWy, yᵀWy are recomputed. */
  setResponse(y: Float64Array): void;
  /**
   * Replace the prior weights (length n, finite, ≥ 0; see src/design/weights.ts): every statistic is recomputed.
   * The deviance then includes −Σ log wᵢ over the positive weights. What penalised iteratively reweighted least
   * squares calls once per iteration.
   */
  setWeights(w: Float64Array): void;
  objective(theta: Float64Array, reml: boolean): number;
  /** Fills `grad` with ∂objective/∂θ and returns the objective. */
  gradient(theta: Float64Array, reml: boolean, grad: Float64Array): number;
  solve(theta: Float64Array, reml: boolean): PlsSolution;
  /**
   * Conditional variances of the random effects, as lme4's `ranef(condVar = TRUE)` postVar: for each term an
   * array of nlevels × p × p (level-major, each block row-major) holding σ̂² Λ_t M⁻¹_tt Λ_tᵀ blocks.
   */
  condVar(theta: Float64Array, reml: boolean): Float64Array[];
  /** Release wasm memory. */
  dispose(): void;
}
