// The trailing block C = Λ₂ᵀ H22 Λ₂ + I_rest before term 1 is eliminated into it, and the inverse of its factor
// that the gradient needs (docs/architecture.md, "The blocked factor"). Its Cholesky is ./dense-ops.ts's.

import { Context } from "./contract";
import { ld, st, ldi } from "./access";
import { denseInvTransMul, denseLowerInv } from "./dense-ops";
import { tplOf, lambda2tRow, trailingRowsScalar } from "./templates";
import { buildTrailingSparse, trailingInverseSparse } from "./sparse-trailing";

/**
 * C ← Λ₂ᵀ H22 Λ₂ + I when every trailing random term is scalar: Λ₂ is then a diagonal scaling sc (θ of the row's
 * term, 1 on X and y), C[i, j] = sc_i sc_j H22[i, j], one f64x2 pass down each column.
 */
function buildTrailingScalar(cx: Context): void {
  const qRest = cx.qRest;
  const nd = cx.nd;
  const rowTerm = cx.rowTerm;
  const H22 = cx.H22;
  const C = cx.C;
  const work = cx.work;
  const sc = work;
  for (let i = 0; i < nd; i++) st(sc, i, i < qRest ? load<f64>(tplOf(cx, ldi(rowTerm, i))) : 1.0);
  for (let j = 0; j < nd; j++) {
    const sj = f64x2.splat(ld(sc, j));
    const off = <usize>(j + j * nd) << 3;
    const hc = H22 + off;
    const cc = C + off;
    const sv = sc + (<usize>j << 3);
    const len = nd - j;
    let i = 0;
    for (; i + 1 < len; i += 2) {
      const o = <usize>i << 3;
      v128.store(cc + o, f64x2.mul(f64x2.mul(v128.load(hc + o), v128.load(sv + o)), sj));
    }
    if (i < len) {
      const o = <usize>i << 3;
      store<f64>(cc + o, load<f64>(hc + o) * load<f64>(sv + o) * ld(sc, j));
    }
    if (j < qRest) st(C, j + j * nd, ld(C, j + j * nd) + 1.0);
  }
}

/** C ← Λ₂ᵀ H22 Λ₂ + I on the random rows (lower triangle). work[0..nd) holds one column of H22 Λ₂. */
export function buildTrailing(cx: Context): void {
  const qRest = cx.qRest;
  const nd = cx.nd;
  const termP = cx.termP;
  const rowTerm = cx.rowTerm;
  const rowPos = cx.rowPos;
  const H22 = cx.H22;
  const C = cx.C;
  const work = cx.work;
  if (cx.spOn != 0) {
    buildTrailingSparse(cx);
    return;
  }
  if (trailingRowsScalar(cx)) {
    buildTrailingScalar(cx);
    return;
  }
  const w = work;
  for (let j = 0; j < nd; j++) {
    if (j < qRest) {
      const t = ldi(rowTerm, j);
      const ps = ldi(termP, t);
      const jj = ldi(rowPos, j);
      const base = j - jj;
      const T = tplOf(cx, t);
      for (let i = base; i < nd; i++) {
        let s = 0.0;
        for (let mm = jj; mm < ps; mm++) s += ld(H22, i + (base + mm) * nd) * ld(T, mm + jj * ps);
        st(w, i, s);
      }
    } else {
      for (let i = j; i < nd; i++) st(w, i, ld(H22, i + j * nd));
    }
    // Column j of Λ₂ᵀ (H22 Λ₂): row i mixes w over i's block, which starts at or after j's block when i ≥ j.
    for (let i = j; i < nd; i++) {
      let v: f64;
      if (i < qRest) v = lambda2tRow(cx, i, w, 1, 0);
      else v = ld(w, i);
      st(C, i + j * nd, v);
    }
    if (j < qRest) st(C, j + j * nd, ld(C, j + j * nd) + 1.0);
  }
}

/**
 * S ← the inverse of the leading ne×ne part of the factored trailing block (full symmetric, column-major, ld nd).
 */
export function trailingInverse(cx: Context, ne: i32): void {
  const nd = cx.nd;
  const C = cx.C;
  const S = cx.S;
  const sparseTrailing = cx.sparse != 0;
  const idxP = cx.idxP;
  if (ne == 0) return;
  if (cx.spOn != 0) {
    trailingInverseSparse(cx, ne);
    return;
  }
  for (let j = 0; j < ne; j++) for (let i = j; i < ne; i++) st(S, i + j * nd, ld(C, i + j * nd));
  denseLowerInv(S, ne, nd, sparseTrailing, cx.team);
  denseInvTransMul(S, ne, nd, sparseTrailing, idxP, cx.team);
  for (let j = 0; j < ne; j++) for (let i = j + 1; i < ne; i++) st(S, j + i * nd, ld(S, i + j * nd));
}
