// The bootstrap's refit from a nearby optimum (src/inference/refit.ts, NearbyRefit) inside wasm: projected BFGS
// from the curvature at θ̂, line search by halving, stop on the Newton decrement, inward probes of diagonal θ_i
// held at 0. It calls plsEvaluate on the engine's context directly, so a replicate's refit is one call from
// TypeScript instead of ~10 evaluations each crossing the boundary, and a fresh worker has no optimiser code to
// warm up in V8 (issue 15: the cold bootstrap). Every step is the TypeScript refit's, operation for operation,
// and so are the evaluations and their order: the same θ̂ and objective to the last bit
// (test/inference/refit-wasm.test.ts), which keeps a seed's bootstrap statistics what they were.

import { Context, MODE_GRADIENT, MODE_REUSE_FACTOR } from "../pls/contract";
import { plsEvaluate } from "../pls/deviance";
import { ld, st } from "../pls/access";
import {
  bfgsUpdate,
  firstOrderChange,
  markFree,
  multiplyAndQuadratic,
  projectedGradientNorm,
  projectedStep,
  solveFreeNewton,
  stepPair,
} from "./bfgs";

/** Iteration cap of one descent (src/inference/refit.ts MAX_ITERATIONS). */
const MAX_ITERATIONS: i32 = 60;
/** Steps of the halving line search. */
const LINE_SEARCH_STEPS: i32 = 30;

// Slots of `out`: written on return (f, evaluations, scaled gradient); FACTORED is read on entry and written on
// return: 1 when the context's thetaP holds θ whose factor (for this criterion) the context holds.
const OUT_F: i32 = 0;
const OUT_EVALUATIONS: i32 = 1;
const OUT_SCALED_GRADIENT: i32 = 2;
const OUT_FACTORED: i32 = 3;

/** f64 entries of the refit's scratch for nθ = n: B and L (n² each), eight vectors of n, three sums. */
export function nearbyRefitWorkLength(n: i32): i32 {
  return 2 * n * n + 8 * n + 3;
}

@inline function sameTheta(a: usize, b: usize, n: i32): bool {
  for (let i = 0; i < n; i++) if (reinterpret<i64>(ld(a, i)) != reinterpret<i64>(ld(b, i))) return false;
  return true;
}

/**
 * The engine's objective (with `withGradient`, its gradient into grad, NaN where the objective is not finite) at
 * θ = th, as src/fit/wasm-engine.ts evaluates it: the factor is reused when the context already holds it.
 */
function evaluate(ctx: usize, reml: i32, th: usize, n: i32, withGradient: bool, grad: usize, out: usize, logDetW: f64): f64 {
  const cx = changetype<Context>(ctx);
  const mode = withGradient ? MODE_GRADIENT : 0;
  let obj: f64;
  if (ld(out, OUT_FACTORED) != 0 && sameTheta(cx.thetaP, th, n)) {
    obj = plsEvaluate(ctx, reml, mode | MODE_REUSE_FACTOR) - logDetW;
  } else {
    for (let i = 0; i < n; i++) st(cx.thetaP, i, ld(th, i));
    obj = plsEvaluate(ctx, reml, mode) - logDetW;
    st(out, OUT_FACTORED, 1.0);
  }
  if (withGradient) {
    if (isFinite(obj)) for (let i = 0; i < n; i++) st(grad, i, ld(cx.gradP, i));
    else for (let i = 0; i < n; i++) st(grad, i, NaN);
  }
  return obj;
}

@inline function countEvaluation(out: usize): void {
  st(out, OUT_EVALUATIONS, ld(out, OUT_EVALUATIONS) + 1.0);
}

/** The quasi-Newton descent from x; returns f, or NaN for "fall back" (the TypeScript refit's null). */
function descend(ctx: usize, reml: i32, n: i32, h0: usize, lower: usize, x: usize, work: usize, out: usize, logDetW: f64, tolerance: f64, noiseGradient: f64): f64 {
  const nn = n * n;
  const B = work;
  const L = B + (<usize>nn << 3);
  const g = L + (<usize>nn << 3);
  const gt = g + (<usize>n << 3);
  const xt = gt + (<usize>n << 3);
  const d = xt + (<usize>n << 3);
  const s = d + (<usize>n << 3);
  const y = s + (<usize>n << 3);
  const Bs = y + (<usize>n << 3);
  const free = Bs + (<usize>n << 3);
  const sums = free + (<usize>n << 3);
  for (let i = 0; i < nn; i++) st(B, i, ld(h0, i));
  let f = evaluate(ctx, reml, x, n, true, g, out, logDetW);
  countEvaluation(out);
  st(out, OUT_SCALED_GRADIENT, Infinity);
  if (!isFinite(f)) return NaN;
  for (let iter = 0; iter < MAX_ITERATIONS; iter++) {
    markFree(x, g, lower, free, n);
    const pg = projectedGradientNorm(x, g, lower, n);
    if (pg == 0) {
      st(out, OUT_SCALED_GRADIENT, 0.0);
      return f;
    }
    if (!solveFreeNewton(B, g, free, n, L, d)) return NaN;
    let decrement = 0.0;
    for (let i = 0; i < n; i++) if (ld(free, i) != 0) decrement -= 0.5 * ld(g, i) * ld(d, i);
    st(out, OUT_SCALED_GRADIENT, Math.sqrt(2 * Math.max(0, decrement)));
    if (decrement <= tolerance * Math.max(1, Math.abs(f))) return f;
    let alpha = 1.0;
    let accepted = false;
    let ft = NaN;
    for (let ls = 0; ls < LINE_SEARCH_STEPS; ls++) {
      if (!projectedStep(x, d, alpha, lower, xt, n)) break;
      const decrease = firstOrderChange(g, x, xt, n);
      ft = evaluate(ctx, reml, xt, n, true, gt, out, logDetW);
      countEvaluation(out);
      if (isFinite(ft) && ft <= f + 1e-4 * decrease) {
        accepted = true;
        break;
      }
      alpha *= 0.5;
    }
    if (!accepted) return pg <= noiseGradient ? f : NaN;
    stepPair(x, xt, g, gt, s, y, sums, n);
    const sy = ld(sums, 0);
    for (let i = 0; i < n; i++) {
      st(x, i, ld(xt, i));
      st(g, i, ld(gt, i));
    }
    f = ft;
    if (sy > 1e-12 * Math.sqrt(ld(sums, 1) * ld(sums, 2))) {
      const sBs = multiplyAndQuadratic(B, n, s, Bs);
      bfgsUpdate(B, n, Bs, sBs, y, sy);
    }
  }
  return NaN;
}

/**
 * Probe each diagonal θ_i at or near 0 (below half the probe point) inwards, to 0.05·max(0.01, |centre_i|); keeps
 * the better points in x. Near, not only at: the line search's halvings leave θ_i a hair above 0 as often as on
 * it, on the same flat saddle (sleepstudy's (Days||Subject) against (1|Subject): 8–10 of 300 replicates stopped
 * there, T* ≈ 0 where a full fit gives up to 0.66).
 * Returns the best objective found, or NaN when none was better than f.
 */
function probeBounds(ctx: usize, reml: i32, n: i32, lower: usize, center: usize, x: usize, work: usize, out: usize, logDetW: f64, f: f64): f64 {
  const nn = n * n;
  const xt = work + (<usize>(2 * nn + 2 * n) << 3);
  let best = NaN;
  let found = false;
  for (let i = 0; i < n; i++) {
    const probe = 0.05 * Math.max(0.01, Math.abs(ld(center, i)));
    if (ld(lower, i) != 0 || ld(x, i) >= 0.5 * probe) continue;
    for (let j = 0; j < n; j++) st(xt, j, ld(x, j));
    st(xt, i, probe);
    const fi = evaluate(ctx, reml, xt, n, false, 0, out, logDetW);
    countEvaluation(out);
    const bar = found ? best : f;
    if (fi < bar - 1e-10 * Math.max(1, Math.abs(f))) {
      best = fi;
      found = true;
      st(x, i, ld(xt, i));
    }
  }
  return found ? best : NaN;
}

/**
 * Refit θ for the context's current response from theta (the start, overwritten with θ̂): returns 1 with
 * out = [f, evaluations, scaled gradient, factored], or 0 when the caller should use the general optimiser.
 * h0: the curvature at the centre (n×n row-major, positive definite); lower: θ's bounds; center: θ̂ of the fit.
 */
export function plsNearbyRefit(
  ctx: usize,
  reml: i32,
  n: i32,
  h0: usize,
  lower: usize,
  center: usize,
  theta: usize,
  work: usize,
  out: usize,
  logDetW: f64,
  tolerance: f64,
  noiseGradient: f64,
): i32 {
  st(out, OUT_EVALUATIONS, 0.0);
  let f = descend(ctx, reml, n, h0, lower, theta, work, out, logDetW, tolerance, noiseGradient);
  for (let restarts = 0; !isNaN(f) && restarts < 2; restarts++) {
    const better = probeBounds(ctx, reml, n, lower, center, theta, work, out, logDetW, f);
    if (isNaN(better)) break;
    f = descend(ctx, reml, n, h0, lower, theta, work, out, logDetW, tolerance, noiseGradient);
  }
  st(out, OUT_F, f);
  return isNaN(f) ? 0 : 1;
}
