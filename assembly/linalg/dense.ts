// Dense kernels of the Cholesky family, for the dense diagonal blocks of the blocked factor (InstEval's filled-in
// 1128×1128 lecturer block) and the selected inverse the gradient needs.
//
// Conventions: column-major f64, element (i, j) of a matrix with leading dimension ld at ptr + 8·(i + j·ld);
// "lower" kernels read and write only the lower triangle (i ≥ j), the strict upper triangle is never touched.
// Every blocked algorithm pushes its bulk work into teamGemm (team.ts over dense_gemm.ts), the one vectorised core; the
// unblocked pieces here only handle NB-wide panels and use f64x2 column operations (columns are contiguous).
// No kernel allocates: scratch space is reserved once when the module starts.

import { at, scal } from "./dense_access";
import { mainWorkspace, TRI_LOWER, TRI_UPPER } from "./dense_gemm";
import { trsmRightLowerT } from "./dense_trsm";
import { teamGemm, teamTrsm } from "./team";
import { axpy, dot } from "./vector";

// Panel width of the blocked algorithms: the trailing update has inner dimension NB, so NB = KC of the gemm
// core keeps every packed micro-panel full.
const NB: i32 = 128;
// Block size of the inverse and LᵀL kernels, and their ib×jb scratch tile.
const NBI: i32 = 128;
const scratch: usize = heap.alloc(<usize>(NBI * NBI) << 3);
const scratchX: usize = heap.alloc(<usize>(NBI * NBI) << 3);
const scratchY: usize = heap.alloc(<usize>(NBI * NBI) << 3);

/** Unblocked left-looking Cholesky of an n×n panel (n ≤ NB). Returns 0, or j+1 at the first non-positive pivot. */
function potf2(a: usize, n: i32, lda: i32): i32 {
  for (let j = 0; j < n; j++) {
    const col = at(a, j, j, lda);
    for (let p = 0; p < j; p++) axpy(col, at(a, j, p, lda), -load<f64>(at(a, j, p, lda)), n - j);
    const d = load<f64>(col);
    // `!(d > 0)` also catches NaN, which a non-finite input would propagate.
    if (!(d > 0.0)) return j + 1;
    const ljj = Math.sqrt(d);
    store<f64>(col, ljj);
    scal(col + 8, 1.0 / ljj, n - j - 1);
  }
  return 0;
}

/**
 * In-place lower Cholesky A = L Lᵀ of the n×n matrix at `a` (only the lower triangle is read and written).
 * Returns 0 on success, or j+1 if the leading minor of order j+1 is not positive definite (LAPACK's info).
 * Right-looking blocked: factor an NB-wide panel, solve the rows below it, then update the trailing lower
 * triangle with one rank-NB syrk (where the n³/3 flops go). `team` (./team.ts, 0 for none) shares the solve and
 * the update with a helper thread; the factor is the same to the last bit.
 */
export function denseCholesky(a: usize, n: i32, lda: i32, team: usize): i32 {
  for (let k = 0; k < n; k += NB) {
    const kb = min(NB, n - k);
    const info = potf2(at(a, k, k, lda), kb, lda);
    if (info != 0) return k + info;
    const m = n - k - kb;
    if (m > 0) {
      const panel = at(a, k + kb, k, lda);
      teamTrsm(team, panel, at(a, k, k, lda), m, kb, lda, lda);
      teamGemm(team, at(a, k + kb, k + kb, lda), lda, panel, lda, false, panel, lda, false, m, m, kb, -1.0, true);
    }
  }
  return 0;
}

/** Lower triangle of the n×n C ← C − A Aᵀ, A n×k. */
export function denseSyrkSub(c: usize, a: usize, n: i32, k: i32, ldc: i32, lda: i32): void {
  teamGemm(0, c, ldc, a, lda, false, a, lda, false, n, n, k, -1.0, true);
}

/** C ← C − A Bᵀ, C m×n, A m×k, B n×k. */
export function denseGemmSub(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, ldc: i32, lda: i32, ldb: i32): void {
  teamGemm(0, c, ldc, a, lda, false, b, ldb, false, m, n, k, -1.0, false);
}

/** B ← B L⁻ᵀ, B m×n, L n×n lower (solves X Lᵀ = B: the off-diagonal blocks of a blocked Cholesky). */
export function denseTrsmRightLowerT(b: usize, l: usize, m: i32, n: i32, ldb: i32, ldl: i32): void {
  trsmRightLowerT(mainWorkspace, b, l, m, n, ldb, ldl);
}

/** 2 Σ log L_jj: log det of L Lᵀ. */
export function denseLogDetChol(l: usize, n: i32, ldl: i32): f64 {
  let s = 0.0;
  for (let j = 0; j < n; j++) s += Math.log(load<f64>(at(l, j, j, ldl)));
  return 2.0 * s;
}

/** Unblocked in-place inverse of an n×n lower-triangular matrix (LAPACK's dtrti2, lower, non-unit). */
function trti2(a: usize, n: i32, lda: i32): void {
  for (let j = n - 1; j >= 0; j--) {
    const djj = at(a, j, j, lda);
    const inv = 1.0 / load<f64>(djj);
    store<f64>(djj, inv);
    // x ← T x with T = the already inverted trailing triangle, x = a(j+1:n, j); then x ← −inv · x.
    const x = djj + 8;
    for (let p = n - 1; p > j; p--) {
      const xp = x + (<usize>(p - j - 1) << 3);
      const t = load<f64>(xp);
      const tcol = at(a, p, p, lda);
      axpy(xp + 8, tcol + 8, t, n - p - 1);
      store<f64>(xp, t * load<f64>(tcol));
    }
    scal(x, -inv, n - j - 1);
  }
}

/** Copy the lower triangle of the n×n block at `src` into `dst` (ld = n), zeros above: a full operand for gemm. */
function lowerToFull(dst: usize, src: usize, n: i32, lds: i32): void {
  for (let j = 0; j < n; j++) {
    const d = dst + ((<usize>j * <usize>n) << 3);
    memory.fill(d, 0, <usize>j << 3);
    memory.copy(d + (<usize>j << 3), at(src, j, j, lds), <usize>(n - j) << 3);
  }
}

/** Zero an m×n block. */
function zeroBlock(c: usize, m: i32, n: i32, ldc: i32): void {
  for (let j = 0; j < n; j++) memory.fill(at(c, 0, j, ldc), 0, <usize>m << 3);
}

/**
 * L ← L⁻¹ in place, L n×n lower with a non-zero diagonal.
 * First every NBI diagonal block is inverted (X_II = L_II⁻¹), then column blocks left to right:
 * X_IJ = −X_II (L_IJ X_JJ + Σ_{J<K<I} L_IK X_KJ). Column blocks right of J still hold L when J is processed,
 * which is what the recurrence reads. The triangular factors X_JJ, X_II enter as zero-padded copies so that
 * all O(n³) work runs in the gemm core, told that they are triangular so the tiles skip most of the zeros; with a
 * `team` (./team.ts, 0 for none) each product's columns are shared with a helper thread.
 */
export function denseLowerInverse(l: usize, n: i32, ldl: i32, team: usize): void {
  for (let i0 = 0; i0 < n; i0 += NBI) trti2(at(l, i0, i0, ldl), min(NBI, n - i0), ldl);
  for (let j0 = 0; j0 < n; j0 += NBI) {
    const jb = min(NBI, n - j0);
    lowerToFull(scratchX, at(l, j0, j0, ldl), jb, ldl);
    for (let i0 = j0 + jb; i0 < n; i0 += NBI) {
      const ib = min(NBI, n - i0);
      const lij = at(l, i0, j0, ldl);
      // T = L_IJ X_JJ + L(I, J+jb:I) X(J+jb:I, J); both products have the form C += A Bᵀ with B read transposed.
      zeroBlock(scratch, ib, jb, ib);
      teamGemm(team, scratch, ib, lij, ldl, false, scratchX, jb, true, ib, jb, jb, 1.0, false, 0, TRI_UPPER);
      const k = i0 - j0 - jb;
      if (k > 0) teamGemm(team, scratch, ib, at(l, i0, j0 + jb, ldl), ldl, false, at(l, j0 + jb, j0, ldl), ldl, true, ib, jb, k, 1.0, false);
      // X_IJ = −X_II T (L_IJ is no longer needed).
      lowerToFull(scratchY, at(l, i0, i0, ldl), ib, ldl);
      zeroBlock(lij, ib, jb, ldl);
      teamGemm(team, lij, ldl, scratchY, ib, false, scratch, ib, true, ib, jb, ib, -1.0, false, TRI_LOWER);
    }
  }
}

/** Unblocked in place: lower triangle of XᵀX for an n×n lower X. */
function lauu2(a: usize, n: i32, lda: i32): void {
  // Row i of the result needs rows ≥ i of X only, and entry (i, j) reads X(i, j) last: ascending rows are safe
  // as long as the diagonal (read by the whole row) is written last.
  for (let i = 0; i < n; i++) {
    const ci = at(a, i, i, lda);
    for (let j = 0; j <= i; j++) store<f64>(at(a, i, j, lda), dot(ci, at(a, i, j, lda), n - i));
  }
}

/**
 * From X = L⁻¹ (n×n lower, in place) to the lower triangle of XᵀX = L⁻ᵀL⁻¹ = (L Lᵀ)⁻¹ (LAPACK's dlauum, lower):
 * block row I of the result is X_IIᵀ X_I,0:I + X_{>I},Iᵀ X_{>I},0:I, computed top-down so every block it reads is
 * still X. `team` (./team.ts, 0 for none) shares the large products with a helper thread.
 */
export function denseLowerInvTransMul(l: usize, n: i32, ldl: i32, team: usize): void {
  for (let i0 = 0; i0 < n; i0 += NBI) {
    const ib = min(NBI, n - i0);
    const xii = at(l, i0, i0, ldl);
    // X(I, 0:I) ← X_IIᵀ X(I, 0:I), NBI columns at a time through the gemm core: the chunk is copied out, zeroed
    // and rebuilt as (zero-padded X_II)ᵀ · copy.
    if (i0 > 0) lowerToFull(scratchX, xii, ib, ldl);
    for (let c0 = 0; c0 < i0; c0 += NBI) {
      const w = min(NBI, i0 - c0);
      const chunk = at(l, i0, c0, ldl);
      for (let c = 0; c < w; c++) memory.copy(scratch + ((<usize>c * <usize>ib) << 3), at(chunk, 0, c, ldl), <usize>ib << 3);
      zeroBlock(chunk, ib, w, ldl);
      teamGemm(team, chunk, ldl, scratchX, ib, true, scratch, ib, true, ib, w, ib, 1.0, false, TRI_UPPER);
    }
    lauu2(xii, ib, ldl);
    const k = n - i0 - ib;
    if (k > 0) {
      const below = at(l, i0 + ib, i0, ldl);
      teamGemm(team, at(l, i0, 0, ldl), ldl, below, ldl, true, at(l, i0 + ib, 0, ldl), ldl, true, ib, i0, k, 1.0, false);
      teamGemm(team, xii, ldl, below, ldl, true, below, ldl, true, ib, ib, k, 1.0, true);
    }
  }
}
