/**
 * Re-optimising θ for a new response from a nearby optimum: the bootstrap's refits.
 *
 * A bootstrap replicate's optimum is close to the θ̂ that generated it, and so is its curvature. The general
 * optimiser (src/fit/optimize.ts) starts its quasi-Newton model from a scaled identity and needs ~22 evaluations
 * per Sitka refit; starting the BFGS model from the Hessian at θ̂ (computed once per worker, by central
 * differences of the analytic gradient on the observed data: `nearbyCurvature`) takes the first step as a Newton
 * step, and the refit needs ~9 (measured on 120 Sitka refits, deviances within 5e-9 of the general optimiser's).
 *
 * Stopping: by the Newton decrement ½ gᵀB⁻¹g (the predicted distance to the minimum in objective units) below
 * 1e-10·max(1, |f|), which bounds the error of the deviance directly (what T* = d0 − d1 needs), rather than by
 * the gradient, whose scale depends on the parametrisation. Bounds (θ diagonal ≥ 0) are handled as in the general
 * optimiser: variables held at a bound by an outward gradient are fixed for the step, steps are projected.
 *
 * Anything unusual (curvature not positive definite on the free set, a line search that cannot descend while the
 * gradient is still large, the iteration cap) gives up and the caller falls back to the general optimiser.
 * Nothing carries over from one refit to the next, so a replicate's result does not depend on which worker ran
 * which replicates before it. After convergence each diagonal θ_i at or near 0 (below half the probe point) is
 * probed inwards (the deviance is even in θ_i, so a gradient method cannot tell a minimum there from a saddle, and
 * the halvings stop a hair above 0 as often as on it); if the objective is lower there the search restarts from
 * that point (at most twice).
 *
 * The refit runs in wasm, on the engine's own context (assembly/refit/nearby.ts, ./refit-wasm.ts): one call per
 * refit, and no optimiser code for a fresh worker's JIT to compile (issue 15). Its TypeScript form, with the same
 * steps in the same order and the building blocks of src/fit/bfgs.ts, is the tests' reference
 * (test/support/nearby-refit.ts), held to independent optima and the wasm refit to it, bit for bit.
 */

import { LME4_GRADIENT_TOLERANCE } from "../fit/constants.js";
import type { PlsEngine } from "../fit/engine.js";
import { gradientDifferenceHessian } from "../fit/fd-hessian.js";
import { choleskyInPlace } from "../linalg/cholesky.js";

/** Default stopping tolerance on the Newton decrement, relative to |f| (see the module comment). */
export const DECREMENT_TOL = 1e-10;
/** Gradient below which a stalled line search means the objective's rounding noise was reached (lme4's 2e-3). */
export const NOISE_GRADIENT = LME4_GRADIENT_TOLERANCE;

/** A refit from a nearby optimum: the wasm one (./refit-wasm.ts), or the tests' TypeScript reference. */
export interface NearbyRefitter {
  readonly n: number;
  /** θ at the end of the last refit. */
  readonly theta: Float64Array;
  /** Gradient evaluations of the last refit. */
  evaluations: number;
  /** lme4's convergence measure at the end of the last refit: max |L⁻¹g| ≈ √(2·Newton decrement) (B = LLᵀ). */
  scaledGradient: number;
  /** Refit from `start` for the engine's current response: the objective at the optimum, or null to fall back. */
  run(start: Float64Array): number | null;
}

/**
 * The curvature every refit starts from: the Hessian at `center` by central differences of the engine's gradient
 * (the engine holding the response of the fit at `center`), symmetrised and shifted until positive definite.
 */
export function nearbyCurvature(
  engine: PlsEngine,
  center: Float64Array,
  lower: Float64Array,
  reml: boolean,
): Float64Array {
  const n = center.length;
  const H = new Float64Array(n * n);
  gradientDifferenceHessian((x, g) => engine.gradient(x, reml, g), center, H, {
    scheme: "central",
    lower,
    step: (j) => 1e-4 * Math.max(1, Math.abs(center[j] as number)),
  });
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(H[i * n + i] as number));
  if (!Number.isFinite(maxDiag) || maxDiag === 0) {
    H.fill(0);
    for (let i = 0; i < n; i++) H[i * n + i] = 1;
    return H;
  }
  // Add a multiple of I until positive definite (at a boundary optimum the curvature can be indefinite).
  const L = new Float64Array(n * n);
  const positiveDefinite = (): boolean => {
    L.set(H);
    return choleskyInPlace(L, n) < 0;
  };
  let shift = 0;
  for (let tries = 0; tries < 30 && !positiveDefinite(); tries++) {
    const next = shift === 0 ? 1e-8 * maxDiag : shift * 10;
    for (let i = 0; i < n; i++) H[i * n + i] = (H[i * n + i] as number) + next - shift;
    shift = next;
  }
  return H;
}
