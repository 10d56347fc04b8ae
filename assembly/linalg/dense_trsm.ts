// The triangular solve of the blocked Cholesky's panel, B ← B L⁻ᵀ, with an explicit gemm workspace so that a
// helper thread can solve its own rows (./team.ts): the rows of B are independent, so a split by rows gives the
// single-threaded result to the last bit.

import { at, scal } from "./dense_access";
import { gemmRun, setGemmArgs } from "./dense_gemm";
import { axpy } from "./vector";

// Column sub-block of the triangular solve: narrow enough that the unblocked column sweep stays in cache.
const TB: i32 = 16;

/** B(m×n) ← B L⁻ᵀ by columns, L n×n lower (unblocked; n ≤ TB in practice). */
function trsmRightLowerTUnblocked(b: usize, l: usize, m: i32, n: i32, ldb: i32, ldl: i32): void {
  for (let j = 0; j < n; j++) {
    const col = at(b, 0, j, ldb);
    for (let p = 0; p < j; p++) axpy(col, at(b, 0, p, ldb), -load<f64>(at(l, j, p, ldl)), m);
    scal(col, 1.0 / load<f64>(at(l, j, j, ldl)), m);
  }
}

/**
 * B ← B L⁻ᵀ, B m×n, L n×n lower (solves X Lᵀ = B: the off-diagonal blocks of a blocked Cholesky), packing with
 * workspace `ws`. Blocked by TB columns: each column block first takes the update from the solved columns
 * (gemm), then an unblocked sweep.
 */
export function trsmRightLowerT(ws: usize, b: usize, l: usize, m: i32, n: i32, ldb: i32, ldl: i32): void {
  if (m <= 0) return;
  for (let j = 0; j < n; j += TB) {
    const w = min(TB, n - j);
    if (j > 0) {
      setGemmArgs(ws, at(b, 0, j, ldb), ldb, b, ldb, false, at(l, j, 0, ldl), ldl, false, m, w, j, -1.0, false, 0, 0);
      gemmRun(ws);
    }
    trsmRightLowerTUnblocked(at(b, 0, j, ldb), at(l, j, j, ldl), m, w, ldb, ldl);
  }
}
