/**
 * Building blocks of the projected BFGS method over θ with lower bounds, shared by the general optimiser
 * (./optimize.ts) and the bootstrap's refit from a nearby optimum (../inference/refit.ts). The two differ in how
 * they start, search along a direction and stop; the steps below are the same in both.
 *
 * Everything works in place on arrays the caller allocated once (n×n matrices row-major), because a refit costs a
 * few microseconds per evaluation and the optimisers must not allocate per iteration.
 */
import { choleskyInPlace, choleskySolveInPlace, gatherSubmatrix } from "../linalg/cholesky.js";

/** Largest component of the projected gradient: components held at a bound by an outward gradient count 0. */
export function projectedGradientNorm(x: Float64Array, g: Float64Array, lower: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const gi = g[i] as number;
    // At the bound a positive gradient points out of the feasible set: moving is impossible, so it is stationary.
    const v = (x[i] as number) <= (lower[i] as number) && gi > 0 ? 0 : Math.abs(gi);
    if (v > m || Number.isNaN(v)) m = Number.isNaN(v) ? Number.POSITIVE_INFINITY : v;
  }
  return m;
}

/**
 * Marks the free variables (free[i] = 1): not at a bound, or at a bound with the gradient pointing inwards.
 * Returns how many are free.
 */
export function markFree(x: Float64Array, g: Float64Array, lower: Float64Array, free: Uint8Array): number {
  let nFree = 0;
  for (let i = 0; i < x.length; i++) {
    const atBound = (x[i] as number) <= (lower[i] as number);
    free[i] = atBound && (g[i] as number) > 0 ? 0 : 1;
    nFree += free[i] as number;
  }
  return nFree;
}

/**
 * d_F = −B_FF⁻¹ g_F by Cholesky of B restricted to the free set, d = 0 elsewhere. False (d undefined) when B_FF
 * is not positive definite. `chol` is scratch of n² values.
 */
export function solveFreeNewton(
  B: Float64Array,
  g: Float64Array,
  free: Uint8Array,
  n: number,
  chol: Float64Array,
  d: Float64Array,
): boolean {
  const nFree = gatherSubmatrix(B, n, free, chol);
  if (choleskyInPlace(chol, nFree) >= 0) return false;
  // Solve on −g_F packed at the front of d, then unpack from the back so packed values are read before they are
  // overwritten.
  d.fill(0);
  let k = 0;
  for (let i = 0; i < n; i++) if (free[i]) d[k++] = -(g[i] as number);
  choleskySolveInPlace(chol, nFree, d);
  k = nFree - 1;
  for (let i = n - 1; i >= 0; i--) d[i] = free[i] ? (d[k--] as number) : 0;
  return true;
}

/** xt = x + αd projected onto x ≥ lower. Returns whether any component moved. */
export function projectedStep(
  x: Float64Array,
  d: Float64Array,
  alpha: number,
  lower: Float64Array,
  xt: Float64Array,
): boolean {
  let moved = false;
  for (let i = 0; i < x.length; i++) {
    let v = (x[i] as number) + alpha * (d[i] as number);
    if (v < (lower[i] as number)) v = lower[i] as number;
    xt[i] = v;
    if (v !== x[i]) moved = true;
  }
  return moved;
}

/** gᵀ(xt − x): the first-order change of f along a (projected) step, negative for a descent step. */
export function firstOrderChange(g: Float64Array, x: Float64Array, xt: Float64Array): number {
  let decrease = 0;
  for (let i = 0; i < x.length; i++) decrease += (g[i] as number) * ((xt[i] as number) - (x[i] as number));
  return decrease;
}

/**
 * The step pair of an accepted step: s = xt − x, y = gt − g. Writes sᵀy, sᵀs and yᵀy into sums[0..2].
 */
export function stepPair(
  x: Float64Array,
  xt: Float64Array,
  g: Float64Array,
  gt: Float64Array,
  s: Float64Array,
  y: Float64Array,
  sums: Float64Array,
): void {
  let sy = 0;
  let ss = 0;
  let yy = 0;
  for (let i = 0; i < x.length; i++) {
    s[i] = (xt[i] as number) - (x[i] as number);
    y[i] = (gt[i] as number) - (g[i] as number);
    sy += (s[i] as number) * (y[i] as number);
    ss += (s[i] as number) ** 2;
    yy += (y[i] as number) ** 2;
  }
  sums[0] = sy;
  sums[1] = ss;
  sums[2] = yy;
}

/** Bs = B s for the n×n matrix B; returns sᵀBs. */
export function multiplyAndQuadratic(B: Float64Array, n: number, s: Float64Array, Bs: Float64Array): number {
  let sBs = 0;
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let j = 0; j < n; j++) v += (B[i * n + j] as number) * (s[j] as number);
    Bs[i] = v;
    sBs += (s[i] as number) * v;
  }
  return sBs;
}

/** The BFGS update B ← B − (Bs)(Bs)ᵀ/sᵀBs + yyᵀ/sᵀy, given Bs and sᵀBs from multiplyAndQuadratic. */
export function bfgsUpdate(
  B: Float64Array,
  n: number,
  Bs: Float64Array,
  sBs: number,
  y: Float64Array,
  sy: number,
): void {
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      B[i * n + j] =
        (B[i * n + j] as number) -
        ((Bs[i] as number) * (Bs[j] as number)) / sBs +
        ((y[i] as number) * (y[j] as number)) / sy;
}
