// The projected-BFGS steps of the bootstrap's refit, over θ with lower bounds: src/fit/bfgs.ts in wasm, loop for
// loop (the refit must take the TypeScript refit's steps to the last bit). Vectors are f64 buffers of length n;
// B is n×n row-major; `free` holds 1.0 for a free variable and 0.0 for one held at its bound.

import { ld, st } from "../pls/access";
import { gatherKept, rowCholesky, rowCholeskySolve } from "./cholesky";

/** Largest component of the projected gradient (components held at a bound by an outward gradient count 0). */
export function projectedGradientNorm(x: usize, g: usize, lower: usize, n: i32): f64 {
  let m = 0.0;
  for (let i = 0; i < n; i++) {
    const gi = ld(g, i);
    const v = ld(x, i) <= ld(lower, i) && gi > 0 ? 0.0 : Math.abs(gi);
    if (v > m || isNaN(v)) m = isNaN(v) ? Infinity : v;
  }
  return m;
}

/** free[i] = 1 unless x_i is at its bound with the gradient pointing out of the feasible set. */
export function markFree(x: usize, g: usize, lower: usize, free: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const atBound = ld(x, i) <= ld(lower, i);
    st(free, i, atBound && ld(g, i) > 0 ? 0.0 : 1.0);
  }
}

/** d_F = −B_FF⁻¹ g_F (d = 0 elsewhere); false when B_FF is not positive definite. `chol`: n² scratch. */
export function solveFreeNewton(b: usize, g: usize, free: usize, n: i32, chol: usize, d: usize): bool {
  const nFree = gatherKept(b, n, free, chol);
  if (rowCholesky(chol, nFree) >= 0) return false;
  for (let i = 0; i < n; i++) st(d, i, 0.0);
  let k = 0;
  for (let i = 0; i < n; i++) if (ld(free, i) != 0) st(d, k++, -ld(g, i));
  rowCholeskySolve(chol, nFree, d);
  k = nFree - 1;
  for (let i = n - 1; i >= 0; i--) st(d, i, ld(free, i) != 0 ? ld(d, k--) : 0.0);
  return true;
}

/** xt = x + αd projected onto x ≥ lower; whether any component moved. */
export function projectedStep(x: usize, d: usize, alpha: f64, lower: usize, xt: usize, n: i32): bool {
  let moved = false;
  for (let i = 0; i < n; i++) {
    let v = ld(x, i) + alpha * ld(d, i);
    if (v < ld(lower, i)) v = ld(lower, i);
    st(xt, i, v);
    if (v != ld(x, i)) moved = true;
  }
  return moved;
}

/** gᵀ(xt − x). */
export function firstOrderChange(g: usize, x: usize, xt: usize, n: i32): f64 {
  let decrease = 0.0;
  for (let i = 0; i < n; i++) decrease += ld(g, i) * (ld(xt, i) - ld(x, i));
  return decrease;
}

/** s = xt − x, y = gt − g; sᵀy, sᵀs, yᵀy into sums[0..2]. */
export function stepPair(x: usize, xt: usize, g: usize, gt: usize, s: usize, y: usize, sums: usize, n: i32): void {
  let sy = 0.0;
  let ss = 0.0;
  let yy = 0.0;
  for (let i = 0; i < n; i++) {
    const si = ld(xt, i) - ld(x, i);
    const yi = ld(gt, i) - ld(g, i);
    st(s, i, si);
    st(y, i, yi);
    sy += si * yi;
    ss += si * si;
    yy += yi * yi;
  }
  st(sums, 0, sy);
  st(sums, 1, ss);
  st(sums, 2, yy);
}

/** Bs = B s; returns sᵀBs. */
export function multiplyAndQuadratic(b: usize, n: i32, s: usize, bs: usize): f64 {
  let sBs = 0.0;
  for (let i = 0; i < n; i++) {
    let v = 0.0;
    for (let j = 0; j < n; j++) v += ld(b, i * n + j) * ld(s, j);
    st(bs, i, v);
    sBs += ld(s, i) * v;
  }
  return sBs;
}

/** B ← B − (Bs)(Bs)ᵀ/sᵀBs + yyᵀ/sᵀy. */
export function bfgsUpdate(b: usize, n: i32, bs: usize, sBs: f64, y: usize, sy: f64): void {
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      st(b, i * n + j, ld(b, i * n + j) - (ld(bs, i) * ld(bs, j)) / sBs + (ld(y, i) * ld(y, j)) / sy);
}
