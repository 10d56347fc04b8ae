/**
 * Refitting a GLMM to a new response from a nearby optimum: the bootstrap's refits (./lrt-job.ts).
 *
 * A bootstrap replicate's optimum lies near the estimates that generated it, and so does its curvature. The
 * general fit (./fit-glmm.ts) runs two stages from lme4's start: θ with β inside PIRLS, then (θ, β) from a
 * finite-difference Hessian — on cbpp about 85 criterion evaluations per model. Here the quasi-Newton method over (θ, β) starts at
 * the given start with a given curvature (./lrt-job.ts: the fit's own Hessian of the criterion, lme4's deriv12,
 * already computed for the standard errors; for the alternative model, the Hessian at the null's estimates), so
 * its first step is a Newton step. On cbpp a refit takes 5–8 steps, ~100 criterion evaluations per replicate
 * for both models (the general two-stage fit from the fitted θ̂: ~170): the curvature varies between
 * replicates (θ̂* does), and BFGS needs a few steps to learn it.
 *
 * Gradients are finite differences of the criterion (PIRLS is converged to 1e-12 relative, so they are smooth):
 * forward ones while the Newton decrement is above 1e-2, central ones (as the general fit's) below, and always
 * for the stopping test. Stopping: the Newton decrement ½ gᵀB⁻¹g below 1e-9·max(1, |f|) (2e-7 on cbpp),
 * which bounds the error of the deviance directly (what T* = d0 − d1 needs), as the LMM refit does
 * (src/inference/refit.ts; 1e-10 there, where a gradient costs one evaluation, not 2(nθ + p)).
 * θ is unbounded here, as in the general fit (the criterion is even in each column of Λ's template).
 *
 * A random-effect SD that ends at 0 (a singular replicate, or a singular fit's start) is probed at 0.05 and the
 * descent restarted from there if the criterion is lower (as the LMM refit probes its bounds).
 *
 * Anything unusual (a curvature that is not positive definite, a line search that cannot descend while the
 * gradient is still large, the iteration cap) returns null and the caller falls back to the general fit. Nothing
 * carries over from one refit to the next, so a replicate's result does not depend on which replicates ran before
 * it in the same worker.
 */
import {
  bfgsUpdate,
  firstOrderChange,
  markFree,
  multiplyAndQuadratic,
  solveFreeNewton,
  stepPair,
} from "../fit/bfgs.js";
import { LME4_GRADIENT_TOLERANCE } from "../fit/constants.js";
import { choleskyInPlace } from "../linalg/cholesky.js";

/** Stopping tolerance on the Newton decrement, relative to |f| (see the module comment). */
const DECREMENT_TOL = 1e-9;
const MAX_ITERATIONS = 40;
/** Relative step of the finite differences (the general fit's). */
const FD_STEP = 1e-5;
/** |θᵢ| below which a diagonal θᵢ counts as 0 (lme4's singular-fit tolerance), and where it is probed. */
const ZERO_SD = 1e-4;
const PROBE_SD = 0.05;
/** Newton decrement (deviance units) below which gradients are central differences rather than forward ones. */
const CENTRAL_BELOW = 1e-2;

/** The criterion (−2 log L) at x = (θ, β); +Infinity where it cannot be evaluated. */
export type Criterion = (x: Float64Array) => number;

export class GlmmNearbyRefit {
  readonly n: number;
  private readonly H0: Float64Array;
  private readonly B: Float64Array;
  private readonly L: Float64Array;
  private readonly sums = new Float64Array(3);
  private readonly free: Uint8Array;
  private readonly lower: Float64Array;
  private readonly g: Float64Array;
  private readonly gt: Float64Array;
  private readonly xt: Float64Array;
  private readonly xh: Float64Array;
  private readonly d: Float64Array;
  private readonly s: Float64Array;
  private readonly y: Float64Array;
  private readonly Bs: Float64Array;
  /** (θ, β) at the end of the last refit. */
  readonly x: Float64Array;
  /** Criterion evaluations of the last refit. */
  evaluations = 0;
  /** lme4's convergence measure at the end of the last refit: √(2 · Newton decrement). */
  scaledGradient = Number.POSITIVE_INFINITY;

  /**
   * @param hessian the fit's Hessian of the criterion over (θ, β) (n² row-major); made positive definite here
   * (a multiple of I added) when it is not. Returns null from `positiveDefinite` if that fails.
   */
  constructor(
    hessian: Float64Array,
    n: number,
    /** Indices of the diagonal θᵢ (random-effect SDs, relative): probed when they end at 0. */
    private readonly diagonals: readonly number[] = [],
  ) {
    this.n = n;
    const alloc = (k: number) => new Float64Array(k);
    this.H0 = Float64Array.from(hessian);
    this.B = alloc(n * n);
    this.L = alloc(n * n);
    this.free = new Uint8Array(n);
    this.lower = alloc(n).fill(Number.NEGATIVE_INFINITY);
    this.g = alloc(n);
    this.gt = alloc(n);
    this.xt = alloc(n);
    this.xh = alloc(n);
    this.d = alloc(n);
    this.s = alloc(n);
    this.y = alloc(n);
    this.Bs = alloc(n);
    this.x = alloc(n);
    this.makePositiveDefinite();
  }

  /** Symmetrise H0 and add a multiple of I until it is positive definite (a fit at a boundary can be indefinite). */
  private makePositiveDefinite(): void {
    const { n, H0 } = this;
    let maxDiag = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        const v = ((H0[i * n + j] as number) + (H0[j * n + i] as number)) / 2;
        H0[i * n + j] = v;
        H0[j * n + i] = v;
      }
      maxDiag = Math.max(maxDiag, Math.abs(H0[i * n + i] as number));
    }
    if (!Number.isFinite(maxDiag) || maxDiag === 0) {
      H0.fill(0);
      for (let i = 0; i < n; i++) H0[i * n + i] = 1;
      return;
    }
    let shift = 0;
    for (let tries = 0; tries < 30 && !this.isPositiveDefinite(H0); tries++) {
      const next = shift === 0 ? 1e-8 * maxDiag : shift * 10;
      for (let i = 0; i < n; i++) H0[i * n + i] = (H0[i * n + i] as number) + next - shift;
      shift = next;
    }
  }

  private isPositiveDefinite(H: Float64Array): boolean {
    this.L.set(H);
    return choleskyInPlace(this.L, this.n) < 0;
  }

  /**
   * The finite-difference gradient of f at x (where f is fx) into g: forward differences (n evaluations, error
   * ~h·f''/2 ≈ 1e-4 per component) while far from the optimum, central ones (2n, error ~h²) near it.
   */
  private gradient(f: Criterion, x: Float64Array, fx: number, g: Float64Array, central: boolean): void {
    const t = this.xh;
    t.set(x);
    for (let i = 0; i < this.n; i++) {
      const xi = x[i] as number;
      const h = FD_STEP * Math.max(1, Math.abs(xi));
      t[i] = xi + h;
      const fp = f(t);
      if (central) {
        t[i] = xi - h;
        g[i] = (fp - f(t)) / (2 * h);
      } else g[i] = (fp - fx) / h;
      t[i] = xi;
      this.evaluations += central ? 2 : 1;
    }
  }

  /**
   * Minimise f from `start`. Returns the criterion at the optimum ((θ, β) in `x`), or null when the caller should
   * fall back to the general fit.
   */
  run(f: Criterion, start: Float64Array): number | null {
    this.evaluations = 0;
    this.x.set(start);
    let fx = this.descend(f);
    for (let restarts = 0; fx !== null && restarts < 2; restarts++) {
      if (!this.probeZeroSds(f, fx)) break;
      fx = this.descend(f);
    }
    return fx;
  }

  /**
   * A random-effect SD (a diagonal θᵢ) at 0 is a stationary point whatever the data (the criterion is even in
   * θᵢ), so a gradient method started there, or led there, cannot tell a minimum from a maximum: a singular fit's
   * replicates would keep θᵢ = 0 even where the data want it positive. Probe θᵢ = PROBE_SD; true (x moved there)
   * when the criterion is lower.
   */
  private probeZeroSds(f: Criterion, fx: number): boolean {
    const x = this.x;
    const xt = this.xt;
    let moved = false;
    let best = fx;
    for (const i of this.diagonals) {
      if (Math.abs(x[i] as number) > ZERO_SD) continue;
      xt.set(x);
      xt[i] = PROBE_SD;
      const fi = f(xt);
      this.evaluations++;
      if (fi < best - 1e-10 * Math.max(1, Math.abs(best))) {
        best = fi;
        x[i] = PROBE_SD;
        moved = true;
      }
    }
    return moved;
  }

  /** The quasi-Newton descent from x, started with the curvature H0. */
  private descend(f: Criterion): number | null {
    const { n, B, L, free, lower, g, gt, xt, d, s, y, Bs, sums } = this;
    const x = this.x;
    this.scaledGradient = Number.POSITIVE_INFINITY;
    B.set(this.H0);
    let fx = f(x);
    this.evaluations++;
    if (!Number.isFinite(fx)) return null;
    // The start is not an optimum (the fit's estimates are not the replicate's): forward differences first.
    let central = false;
    this.gradient(f, x, fx, g, central);
    for (let iter = 0; iter < MAX_ITERATIONS; iter++) {
      markFree(x, g, lower, free);
      if (!solveFreeNewton(B, g, free, n, L, d)) return null;
      let decrement = 0;
      for (let i = 0; i < n; i++) decrement -= 0.5 * (g[i] as number) * (d[i] as number);
      this.scaledGradient = Math.sqrt(2 * Math.max(0, decrement));
      if (decrement <= DECREMENT_TOL * Math.max(1, Math.abs(fx))) {
        if (central) return fx;
        // Judged on a forward-difference gradient: confirm with a central one before stopping.
        this.gradient(f, x, fx, g, true);
        central = true;
        iter--;
        continue;
      }
      let alpha = 1;
      let accepted = false;
      let ft = Number.NaN;
      for (let ls = 0; ls < 30; ls++) {
        for (let i = 0; i < n; i++) xt[i] = (x[i] as number) + alpha * (d[i] as number);
        const decrease = firstOrderChange(g, x, xt);
        ft = f(xt);
        this.evaluations++;
        if (Number.isFinite(ft) && ft <= fx + 1e-4 * decrease) {
          accepted = true;
          break;
        }
        alpha *= 0.5;
      }
      // Cannot descend: the criterion's rounding noise was reached if the gradient is already small.
      if (!accepted) return this.scaledGradient <= LME4_GRADIENT_TOLERANCE ? fx : null;
      // Near the optimum (the last decrement small), central differences: the stopping test needs their accuracy.
      central = decrement <= CENTRAL_BELOW;
      this.gradient(f, xt, ft, gt, central);
      stepPair(x, xt, g, gt, s, y, sums);
      const sy = sums[0] as number;
      x.set(xt);
      g.set(gt);
      fx = ft;
      // Near the optimum step pairs have positive curvature; one that does not is skipped.
      if (sy > 1e-12 * Math.sqrt((sums[1] as number) * (sums[2] as number))) {
        const sBs = multiplyAndQuadratic(B, n, s, Bs);
        bfgsUpdate(B, n, Bs, sBs, y, sy);
      }
    }
    return null;
  }
}
