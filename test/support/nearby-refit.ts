/**
 * NearbyRefit: the bootstrap's refit from a nearby optimum in TypeScript, the reference of the wasm refit
 * (assembly/refit/nearby.ts; src/inference/refit.ts describes the method). The refit ran here until it moved
 * into wasm; test/inference/refit.test.ts holds this form to independent optima, and
 * test/inference/refit-wasm.test.ts the wasm form to this one, step for step and bit for bit. Built from the
 * same blocks as the general optimiser (src/fit/bfgs.ts).
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
} from "../../src/fit/bfgs.js";
import type { PlsEngine } from "../../src/fit/engine.js";
import {
  DECREMENT_TOL,
  type NearbyRefitter,
  NOISE_GRADIENT,
  nearbyCurvature,
} from "../../src/inference/refit.js";

/** Iteration cap of one descent (assembly/refit/nearby.ts has the same). */
const MAX_ITERATIONS = 60;

export class NearbyRefit implements NearbyRefitter {
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
    /** The curvature at the centre, when already measured (nearbyCurvature). */
    H0?: Float64Array,
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
    this.H0 = H0 ?? nearbyCurvature(engine, center, lower, reml);
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

  /**
   * Probe each diagonal θ_i at or near 0 (below half the probe point): true (θ moved to the better point) when moving
   * inwards lowers f. Near, not only at: the line search's halvings leave θ_i a hair above 0 as often as on it, on
   * the same flat saddle.
   */
  private probeBounds(f: number): number | null {
    const { n, lower, engine, reml, xt } = this;
    const x = this.theta;
    let best: number | null = null;
    for (let i = 0; i < n; i++) {
      const probe = 0.05 * Math.max(0.01, Math.abs(this.center[i] as number));
      if (lower[i] !== 0 || (x[i] as number) >= 0.5 * probe) continue;
      xt.set(x);
      xt[i] = probe;
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
