/**
 * Re-optimising θ for a new response from a nearby optimum: the bootstrap's refits.
 *
 * A bootstrap replicate's optimum is close to the θ̂ that generated it, and so is its curvature. The general
 * optimiser (src/fit/optimize.ts) starts its quasi-Newton model from a scaled identity and needs ~22 evaluations
 * per Sitka refit; starting the BFGS model from the Hessian at θ̂ (computed once per worker, by central
 * differences of the analytic gradient on the observed data) takes the first step as a Newton step, and the
 * refit needs ~9 (measured on 120 Sitka refits, deviances within 5e-9 of the general optimiser's).
 *
 * Stopping: by the Newton decrement ½ gᵀB⁻¹g (the predicted distance to the minimum in objective units) below
 * 1e-10·max(1, |f|), which bounds the error of the deviance directly (what T* = d0 − d1 needs), rather than by
 * the gradient, whose scale depends on the parametrisation. Bounds (θ diagonal ≥ 0) are handled as in the general
 * optimiser: variables held at a bound by an outward gradient are fixed for the step, steps are projected.
 *
 * Anything unusual (curvature not positive definite on the free set, a line search that cannot descend while the
 * gradient is still large, the iteration cap) returns `null` and the caller falls back to the general optimiser.
 * Nothing carries over from one refit to the next, so a replicate's result does not depend on which worker ran
 * which replicates before it. The steps it shares with the general optimiser (free set, Newton direction on it,
 * projected trial point, BFGS update) are the ones in src/fit/bfgs.ts.
 */

import {
  bfgsUpdate,
  firstOrderChange,
  markFree,
  multiplyAndQuadratic,
  projectedGradientNorm,
  projectedStep,
  solveFreeNewton,
  stepPair,
} from "../fit/bfgs.js";
import { LME4_GRADIENT_TOLERANCE } from "../fit/constants.js";
import type { PlsEngine } from "../fit/engine.js";
import { gradientDifferenceHessian } from "../fit/fd-hessian.js";
import { choleskyInPlace } from "../linalg/cholesky.js";

/** Default stopping tolerance on the Newton decrement, relative to |f| (see the module comment). */
export const DECREMENT_TOL = 1e-10;
const MAX_ITERATIONS = 60;
/** Gradient below which a stalled line search means the objective's rounding noise was reached (lme4's 2e-3). */
const NOISE_GRADIENT = LME4_GRADIENT_TOLERANCE;

export class NearbyRefit {
  readonly n: number;
  /** The curvature model every refit starts from (positive definite, n×n row-major). */
  private readonly H0: Float64Array;
  private readonly B: Float64Array;
  private readonly L: Float64Array;
  /** sᵀy, sᵀs, yᵀy of the last step (see stepPair). */
  private readonly sums: Float64Array;
  private readonly free: Uint8Array;
  private readonly g: Float64Array;
  private readonly gt: Float64Array;
  private readonly xt: Float64Array;
  private readonly d: Float64Array;
  private readonly s: Float64Array;
  private readonly y: Float64Array;
  private readonly Bs: Float64Array;
  /** θ at the end of the last refit. */
  readonly theta: Float64Array;
  /** Gradient evaluations of the last refit. */
  evaluations = 0;
  /** lme4's convergence measure at the end of the last refit: max |L⁻¹g| ≈ √(2·Newton decrement) (B = LLᵀ). */
  scaledGradient = Number.POSITIVE_INFINITY;

  /**
   * @param engine the engine, holding the response of the fit at `center` (the observed data) when constructed.
   * @param center θ̂ of that fit, where the curvature is measured.
   */
  constructor(
    private readonly engine: PlsEngine,
    private readonly center: Float64Array,
    private readonly lower: Float64Array,
    private readonly reml: boolean,
    /**
     * Stop when the Newton decrement is below tolerance·max(1, |f|). The default bounds the objective's error
     * (what a likelihood-ratio statistic needs); the parameters themselves are then accurate to about
     * √(tolerance), so the parameter bootstrap asks for less.
     */
    private readonly tolerance = DECREMENT_TOL,
  ) {
    const n = center.length;
    this.n = n;
    const alloc = (k: number) => new Float64Array(k);
    this.B = alloc(n * n);
    this.L = alloc(n * n);
    this.sums = alloc(3);
    this.free = new Uint8Array(n);
    this.g = alloc(n);
    this.gt = alloc(n);
    this.xt = alloc(n);
    this.d = alloc(n);
    this.s = alloc(n);
    this.y = alloc(n);
    this.Bs = alloc(n);
    this.theta = alloc(n);
    this.H0 = this.curvature();
  }

  /** Hessian at the centre by central differences of the gradient, symmetrised and made positive definite. */
  private curvature(): Float64Array {
    const { n, center, engine, reml } = this;
    const H = new Float64Array(n * n);
    gradientDifferenceHessian((x, g) => engine.gradient(x, reml, g), center, H, {
      scheme: "central",
      lower: this.lower,
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
    let shift = 0;
    for (let tries = 0; tries < 30 && !this.positiveDefinite(H); tries++) {
      const next = shift === 0 ? 1e-8 * maxDiag : shift * 10;
      for (let i = 0; i < n; i++) H[i * n + i] = (H[i * n + i] as number) + next - shift;
      shift = next;
    }
    return H;
  }

  /** Whether the Cholesky factorisation of the n×n matrix H succeeds (H itself is left as it is). */
  private positiveDefinite(H: Float64Array): boolean {
    this.L.set(H);
    return choleskyInPlace(this.L, this.n) < 0;
  }

  /**
   * Minimise the engine's objective for its current response from `start` (feasible). Returns the objective at
   * the optimum (θ in `theta`), or null when the caller should fall back to the general optimiser.
   *
   * A diagonal θ_i at its bound 0 is a stationary point whatever the data: the deviance is even in θ_i (flipping
   * the sign of a column of the template changes nothing), so its derivative there is 0 and a gradient method that
   * steps onto the bound cannot tell a minimum from a saddle. After convergence each such θ_i is probed inwards;
   * if the objective is lower there the search restarts from that point.
   */
  run(start: Float64Array): number | null {
    this.evaluations = 0;
    this.theta.set(start);
    let f = this.descend();
    for (let restarts = 0; f !== null && restarts < 2; restarts++) {
      const better = this.probeBounds(f);
      if (better === null) break;
      f = this.descend();
    }
    return f;
  }

  /** Probe each diagonal θ_i sitting at 0: true (θ moved to the better point) when moving inwards lowers f. */
  private probeBounds(f: number): number | null {
    const { n, lower, engine, reml, xt } = this;
    const x = this.theta;
    let best: number | null = null;
    for (let i = 0; i < n; i++) {
      if (lower[i] !== 0 || (x[i] as number) > 0) continue;
      xt.set(x);
      xt[i] = 0.05 * Math.max(0.01, Math.abs(this.center[i] as number));
      const fi = engine.objective(xt, reml);
      this.evaluations++;
      if (fi < (best ?? f) - 1e-10 * Math.max(1, Math.abs(f))) {
        best = fi;
        x[i] = xt[i] as number;
      }
    }
    return best;
  }

  /** The quasi-Newton descent from `theta`, started with the curvature at the centre. */
  private descend(): number | null {
    const { n, engine, reml, lower, B, L, free, g, gt, xt, d, s, y, Bs, sums } = this;
    const x = this.theta;
    B.set(this.H0);
    let f = engine.gradient(x, reml, g);
    this.evaluations++;
    this.scaledGradient = Number.POSITIVE_INFINITY;
    if (!Number.isFinite(f)) return null;
    for (let iter = 0; iter < MAX_ITERATIONS; iter++) {
      markFree(x, g, lower, free);
      const pg = projectedGradientNorm(x, g, lower);
      if (pg === 0) {
        this.scaledGradient = 0;
        return f;
      }
      if (!solveFreeNewton(B, g, free, n, L, d)) return null;
      let decrement = 0;
      for (let i = 0; i < n; i++) if (free[i]) decrement -= 0.5 * (g[i] as number) * (d[i] as number);
      this.scaledGradient = Math.sqrt(2 * Math.max(0, decrement));
      if (decrement <= this.tolerance * Math.max(1, Math.abs(f))) return f;
      let alpha = 1;
      let accepted = false;
      let ft = Number.NaN;
      for (let ls = 0; ls < 30; ls++) {
        if (!projectedStep(x, d, alpha, lower, xt)) break;
        const decrease = firstOrderChange(g, x, xt);
        ft = engine.gradient(xt, reml, gt);
        this.evaluations++;
        if (Number.isFinite(ft) && ft <= f + 1e-4 * decrease) {
          accepted = true;
          break;
        }
        alpha *= 0.5;
      }
      if (!accepted) return pg <= NOISE_GRADIENT ? f : null;
      stepPair(x, xt, g, gt, s, y, sums);
      const sy = sums[0] as number;
      x.set(xt);
      g.set(gt);
      f = ft;
      // Plain BFGS (no damping, unlike the general optimiser): near the optimum the pairs have positive curvature,
      // and one that does not is skipped.
      if (sy > 1e-12 * Math.sqrt((sums[1] as number) * (sums[2] as number))) {
        const sBs = multiplyAndQuadratic(B, n, s, Bs);
        bfgsUpdate(B, n, Bs, sBs, y, sy);
      }
    }
    return null;
  }
}
