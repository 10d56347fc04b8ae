// The trailing block on the sparse path (docs/architecture.md, "The sparse trailing block"): when the symbolic
// analysis (src/fit/sparse-trailing/) finds that the trailing block stays sparse after term 1 is eliminated, it
// is built and factored on the pattern of its sparse factor only, in a fill-reducing order, and the gradient
// takes the inverse's entries on that pattern (selected inversion). C is still the assembly target: the entries
// of the pattern are built in C (original order, lower triangle; spSrc names them), term 1's elimination
// subtracts into them as on the dense path, and they are gathered into spLx, factored, and the parts that other
// kernels read are written back (see factorTrailingSparse). Entries of C off the pattern are never read.

import { Context } from "./contract";
import { ld, st, ldi } from "./access";
import { sparseCholesky, sparseSelectedInverse } from "../sparse/cholesky";
import { tplOf, lambda2tRow, trailingRowsScalar } from "./templates";

/** (Λ₂ᵀ H22 Λ₂)[i, j] for trailing rows i ≥ j (original order): Λ₂ mixes rows within a block of a term. */
@inline function lambdaH22Lambda(cx: Context, i: i32, j: i32): f64 {
  const qRest = cx.qRest;
  const nd = cx.nd;
  const H22 = cx.H22;
  if (j >= qRest) return ld(H22, i + j * nd);
  const t = ldi(cx.rowTerm, j);
  const ps = ldi(cx.termP, t);
  const jj = ldi(cx.rowPos, j);
  const base = j - jj;
  const T = tplOf(cx, t);
  // Σ_m (Λ₂ᵀ H22)[i, base + m] T[m, jj]
  let s = 0.0;
  for (let mm = jj; mm < ps; mm++) s += lambda2tRow(cx, i, H22, 1, (base + mm) * nd) * ld(T, mm + jj * ps);
  return s;
}

/** C ← Λ₂ᵀ H22 Λ₂ + I on the pattern's entries (the sparse counterpart of factor-trailing.ts's buildTrailing). */
export function buildTrailingSparse(cx: Context): void {
  const qRest = cx.qRest;
  const nd = cx.nd;
  const nnz = cx.spNnz;
  const src = cx.spSrc;
  const H22 = cx.H22;
  const C = cx.C;
  const rowTerm = cx.rowTerm;
  if (trailingRowsScalar(cx)) {
    // Λ₂ is a diagonal scaling: θ of the row's term on random rows, 1 on X and y (kept in spWork).
    const sc = cx.spWork;
    for (let i = 0; i < nd; i++) st(sc, i, i < qRest ? load<f64>(tplOf(cx, ldi(rowTerm, i))) : 1.0);
    for (let k = 0; k < nnz; k++) {
      const s = ldi(src, k);
      const j = s / nd;
      const i = s - j * nd;
      let v = ld(H22, s) * ld(sc, i) * ld(sc, j);
      if (i == j && i < qRest) v += 1.0;
      st(C, s, v);
    }
    return;
  }
  for (let k = 0; k < nnz; k++) {
    const s = ldi(src, k);
    const j = s / nd;
    const i = s - j * nd;
    let v = lambdaH22Lambda(cx, i, j);
    if (i == j && i < qRest) v += 1.0;
    st(C, s, v);
  }
}

/**
 * Gathers the pattern's entries of C into spLx and factors them. Then writes back what the rest of the engine
 * reads from C: each pivot L_jj on C's diagonal at position j of the factor's order (the log-determinants sum
 * them over the random rows, in any order; the X and y rows keep their positions), and the X-and-y corner of the
 * factor in place (fixedCovariance reads it). Returns 0, or the failing column + 1 as denseChol does (the X and
 * y rows are last in both orders, so a failure at the y pivot is column nd on both paths).
 */
export function factorTrailingSparse(cx: Context): i32 {
  const qRest = cx.qRest;
  const nd = cx.nd;
  const nnz = cx.spNnz;
  const src = cx.spSrc;
  const lx = cx.spLx;
  const colPtr = cx.spColPtr;
  const rowIdx = cx.spRowIdx;
  const C = cx.C;
  for (let k = 0; k < nnz; k++) st(lx, k, ld(C, ldi(src, k)));
  const info = sparseCholesky(nd, colPtr, rowIdx, cx.spRowPtr, cx.spRowCol, cx.spRowPos, lx, cx.spWork);
  if (info != 0 && info != nd) return info;
  const last = info == 0 ? nd : nd - 1;
  for (let j = 0; j < min(qRest, last); j++) st(C, j + j * nd, ld(lx, ldi(colPtr, j)));
  for (let j = qRest; j < last; j++)
    for (let p = ldi(colPtr, j); p < ldi(colPtr, j + 1); p++) st(C, ldi(rowIdx, p) + j * nd, ld(lx, p));
  return info;
}

/** x2 (original order, nd − 1 entries) from Lᵀ x = l_y, the y row of L being the last entry of every column. */
export function trailingSolveSparse(cx: Context, x2: usize): void {
  const nd = cx.nd;
  const lx = cx.spLx;
  const colPtr = cx.spColPtr;
  const rowIdx = cx.spRowIdx;
  const perm = cx.spPerm;
  const xw = cx.spWork;
  const m = nd - 1;
  for (let i = m - 1; i >= 0; i--) {
    const p0 = ldi(colPtr, i);
    const p1 = ldi(colPtr, i + 1);
    let s = ld(lx, p1 - 1);
    for (let p = p0 + 1; p < p1 - 1; p++) s -= ld(lx, p) * ld(xw, ldi(rowIdx, p));
    st(xw, i, s / ld(lx, p0));
  }
  for (let i = 0; i < m; i++) st(x2, ldi(perm, i), ld(xw, i));
}

/**
 * S ← the inverse of the leading ne×ne part of the factored trailing block on the pattern only (both triangles,
 * original order): the entries the gradient and the conditional variances read (R_g × R_g for every level of
 * term 1, and the pattern of H22). The sparse counterpart of factor-trailing.ts's trailingInverse.
 */
export function trailingInverseSparse(cx: Context, ne: i32): void {
  const nd = cx.nd;
  const lx = cx.spLx;
  const zx = cx.spZx;
  const colPtr = cx.spColPtr;
  const rowIdx = cx.spRowIdx;
  const perm = cx.spPerm;
  const S = cx.S;
  if (ne == 0) return;
  sparseSelectedInverse(ne, nd, cx.qRest, colPtr, rowIdx, lx, zx);
  for (let j = 0; j < ne; j++) {
    const oj = ldi(perm, j);
    for (let p = ldi(colPtr, j); p < ldi(colPtr, j + 1); p++) {
      const i = ldi(rowIdx, p);
      if (i >= ne) break;
      const oi = ldi(perm, i);
      const z = ld(zx, p);
      st(S, oi + oj * nd, z);
      st(S, oj + oi * nd, z);
    }
  }
}

/** One term of P[b, a] += S[b, c] (Λ₂ᵀH22)[c, a] for random row a (b over a's block): see gradTrailingSparse. */
@inline function addTrailingTerm(cx: Context, a: i32, c: i32, pst: usize): void {
  const nd = cx.nd;
  const S = cx.S;
  const H22 = cx.H22;
  const ps = ldi(cx.termP, ldi(cx.rowTerm, a));
  const ja = ldi(cx.rowPos, a);
  const base = a - ja;
  const w = lambda2tRow(cx, c, H22, 1, a * nd);
  for (let jb = 0; jb < ps; jb++) {
    const o = pst + (<usize>(jb * ps + ja) << 3);
    store<f64>(o, load<f64>(o) + ld(S, c + (base + jb) * nd) * w);
  }
}

/**
 * The trailing random rows' part of the PS accumulators, P[b, a] += Σ_c S[b, c] (Λ₂ᵀ H22)[c, a] over c < ne,
 * on the pattern: (Λ₂ᵀ H22)[c, a] is zero unless c's block meets a's in H22, whose pattern is part of L's. Each
 * lower entry (i, j) of the pattern gives the term (a, c) = (j, i) and, off the diagonal, (i, j).
 */
export function gradTrailingSparse(cx: Context, ne: i32): void {
  const qRest = cx.qRest;
  const colPtr = cx.spColPtr;
  const rowIdx = cx.spRowIdx;
  const perm = cx.spPerm;
  const rowTerm = cx.rowTerm;
  const tplOff = cx.tplOff;
  const acc = cx.acc;
  if (trailingRowsScalar(cx)) {
    gradTrailingScalar(cx, ne);
    return;
  }
  for (let j = 0; j < ne; j++) {
    const oj = ldi(perm, j);
    for (let p = ldi(colPtr, j); p < ldi(colPtr, j + 1); p++) {
      const i = ldi(rowIdx, p);
      if (i >= ne) break;
      const oi = ldi(perm, i);
      if (oj < qRest) addTrailingTerm(cx, oj, oi, acc + (<usize>ldi(tplOff, ldi(rowTerm, oj)) << 3));
      if (i != j && oi < qRest) addTrailingTerm(cx, oi, oj, acc + (<usize>ldi(tplOff, ldi(rowTerm, oi)) << 3));
    }
  }
}

/**
 * gradTrailingSparse when every trailing random term is scalar: Λ₂ is the diagonal scaling sc and a block is one
 * row, so the entry (i, j) of the pattern gives P[a, a] += Z_ij sc_c H22[c, a] for (a, c) = (j, i) and (i, j),
 * with Z_ij read from the selected inverse itself (no S, no template lookups).
 */
function gradTrailingScalar(cx: Context, ne: i32): void {
  const qRest = cx.qRest;
  const colPtr = cx.spColPtr;
  const rowIdx = cx.spRowIdx;
  const perm = cx.spPerm;
  const src = cx.spSrc;
  const zx = cx.spZx;
  const H22 = cx.H22;
  const rowTerm = cx.rowTerm;
  const tplOff = cx.tplOff;
  const acc = cx.acc;
  for (let j = 0; j < ne; j++) {
    const oj = ldi(perm, j);
    const jRandom = oj < qRest;
    const scj = jRandom ? load<f64>(tplOf(cx, ldi(rowTerm, oj))) : 1.0;
    const pj = jRandom ? acc + (<usize>ldi(tplOff, ldi(rowTerm, oj)) << 3) : 0;
    for (let p = ldi(colPtr, j); p < ldi(colPtr, j + 1); p++) {
      const i = ldi(rowIdx, p);
      if (i >= ne) break;
      const oi = ldi(perm, i);
      const zh = ld(zx, p) * ld(H22, ldi(src, p));
      const iRandom = oi < qRest;
      if (jRandom) {
        const sci = iRandom ? load<f64>(tplOf(cx, ldi(rowTerm, oi))) : 1.0;
        store<f64>(pj, load<f64>(pj) + zh * sci);
      }
      if (i != j && iRandom) {
        const pi = acc + (<usize>ldi(tplOff, ldi(rowTerm, oi)) << 3);
        store<f64>(pi, load<f64>(pi) + zh * scj);
      }
    }
  }
}

/**
 * The trailing random rows of Zᵀê = Zᵀy − ZᵀXβ̂ − ZᵀZ b̂ (internal order) on the pattern: the sparse counterpart
 * of the first loop of gradient-selected.ts's residualCross (which is O(q_rest²) over the dense H22).
 */
export function residualTrailingSparse(cx: Context): void {
  const qRest = cx.qRest;
  const pX = cx.pX;
  const nd = cx.nd;
  const H22 = cx.H22;
  const q1 = cx.q1;
  const beta = cx.xSol + (<usize>(q1 + qRest) << 3);
  const b2 = cx.bP + (<usize>q1 << 3);
  const z2 = cx.zte + (<usize>q1 << 3);
  const colPtr = cx.spColPtr;
  const rowIdx = cx.spRowIdx;
  const perm = cx.spPerm;
  for (let c = 0; c < qRest; c++) {
    let s = ld(H22, nd - 1 + c * nd);
    for (let x = 0; x < pX; x++) s -= ld(H22, qRest + x + c * nd) * ld(beta, x);
    st(z2, c, s);
  }
  for (let j = 0; j < qRest; j++) {
    const oj = ldi(perm, j);
    for (let p = ldi(colPtr, j); p < ldi(colPtr, j + 1); p++) {
      const i = ldi(rowIdx, p);
      if (i >= qRest) break;
      const oi = ldi(perm, i);
      const h = ld(H22, oi + oj * nd);
      st(z2, oi, ld(z2, oi) - h * ld(b2, oj));
      if (i != j) st(z2, oj, ld(z2, oj) - h * ld(b2, oi));
    }
  }
}

/**
 * H22 ← its upper triangle mirrored, on the pattern only (plsStatistics accumulates the upper triangle; on the
 * sparse path every nonzero of H22 is an entry of the factor's pattern, and the rest stays zero in both triangles).
 */
export function mirrorOnPattern(cx: Context): void {
  const nd = cx.nd;
  const nnz = cx.spNnz;
  const src = cx.spSrc;
  const H22 = cx.H22;
  for (let k = 0; k < nnz; k++) {
    const s = ldi(src, k);
    const j = s / nd;
    const i = s - j * nd;
    if (i == j) continue;
    const u = j + i * nd;
    const v = ld(H22, s) + ld(H22, u);
    st(H22, s, v);
    st(H22, u, v);
  }
}
