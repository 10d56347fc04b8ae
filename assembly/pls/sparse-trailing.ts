// The trailing block on the sparse path (docs/architecture.md, "The sparse trailing block"): when the symbolic
// analysis (src/fit/sparse-trailing/) finds that the trailing block stays sparse after term 1 is eliminated, it
// is built and factored on the pattern of its sparse factor only, in a fill-reducing order, and the gradient
// takes the inverse's entries on that pattern (selected inversion). Nothing here is nd×nd: H22 (spHx), the block
// (spLx: assembled, term 1 eliminated into it, factored in place) and its inverse (spZx) share L's pattern
// (./pattern.ts), so the engine's memory grows with the pattern's entries, not with nd².

import { Context } from "./contract";
import { ld, st, ldi } from "./access";
import { sparseCholesky, sparseSelectedInverse } from "../sparse/cholesky";
import { tplOf, trailingRowsScalar } from "./templates";
import { cornerPos, lambda2tPattern, pairPos, patternPos, tailPos, tailStart } from "./pattern";
import { axpy } from "../linalg/vector";

/** (Λ₂ᵀ H22 Λ₂)[i, j] for trailing rows i ≥ j (original order): Λ₂ mixes rows within a block of a term. */
@inline function lambdaH22Lambda(cx: Context, i: i32, j: i32): f64 {
  const Hx = cx.spHx;
  if (j >= cx.qRest) return lambda2tPattern(cx, i, Hx, j);
  const t = ldi(cx.rowTerm, j);
  const ps = ldi(cx.termP, t);
  const jj = ldi(cx.rowPos, j);
  const base = j - jj;
  const T = tplOf(cx, t);
  // Σ_m (Λ₂ᵀ H22)[i, base + m] T[m, jj]
  let s = 0.0;
  for (let mm = jj; mm < ps; mm++) s += lambda2tPattern(cx, i, Hx, base + mm) * ld(T, mm + jj * ps);
  return s;
}

/**
 * spLx ← Λ₂ᵀ H22 Λ₂ + I on the pattern (the sparse counterpart of factor-trailing.ts's buildTrailing). Each entry
 * is computed with its rows in original order, the larger first, as the dense path does.
 */
export function buildTrailingSparse(cx: Context): void {
  const qRest = cx.qRest;
  const nd = cx.nd;
  const colPtr = cx.spColPtr;
  const rowIdx = cx.spRowIdx;
  const perm = cx.spPerm;
  const Hx = cx.spHx;
  const lx = cx.spLx;
  const rowTerm = cx.rowTerm;
  const scalar = trailingRowsScalar(cx);
  // Λ₂ is a diagonal scaling when scalar: θ of the row's term on random rows, 1 on X and y (kept in spWork).
  const sc = cx.spWork;
  if (scalar) for (let i = 0; i < nd; i++) st(sc, i, i < qRest ? load<f64>(tplOf(cx, ldi(rowTerm, i))) : 1.0);
  for (let f = 0; f < nd; f++) {
    const oc = ldi(perm, f);
    for (let p = ldi(colPtr, f); p < ldi(colPtr, f + 1); p++) {
      const orow = ldi(perm, ldi(rowIdx, p));
      const i = max(orow, oc);
      const j = min(orow, oc);
      let v = scalar ? ld(Hx, p) * ld(sc, i) * ld(sc, j) : lambdaH22Lambda(cx, i, j);
      if (i == j && i < qRest) v += 1.0;
      st(lx, p, v);
    }
  }
}

/**
 * Factors spLx in place. Returns 0, or the failing column + 1 as denseChol does (the X and y rows are last in
 * both orders, so a failure at the y pivot is column nd on both paths). The pivots are the first entry of each
 * column: the log-determinants sum them over the random rows in the factor's order.
 */
export function factorTrailingSparse(cx: Context): i32 {
  return sparseCholesky(cx.nd, cx.spColPtr, cx.spRowIdx, cx.spRowPtr, cx.spRowCol, cx.spRowPos, cx.spLx, cx.spWork);
}

/** Pivot of position f of the factor's order (the X and y rows keep their positions). */
@inline export function pivotSparse(cx: Context, f: i32): f64 {
  return ld(cx.spLx, ldi(cx.spColPtr, f));
}

/** Entry (qRest + i, qRest + j) of the factor, in the X-and-y corner. */
@inline export function cornerSparse(cx: Context, i: i32, j: i32): f64 {
  return ld(cx.spLx, cornerPos(cx, cx.qRest + i, cx.qRest + j));
}

/**
 * C[R_g, R_g] −= L21_g L21_gᵀ on the pattern, for the rows R_g = rowIdx[r0..r1) of one level of term 1 (ascending:
 * the other terms' rows, then all X rows and the y row). The entries between two random rows are found by
 * patternPos; a random column's X-and-y rows are the contiguous tail of its column, and the X-and-y corner is dense
 * in its columns, so those take the same contiguous axpys as the dense path (updateTrailing in factor-term1.ts),
 * with the same arithmetic per entry.
 */
export function updateTrailingSparse(cx: Context, g: i32, r0: i32, r1: i32): void {
  const p1 = cx.p1;
  const qRest = cx.qRest;
  const rowIdx = cx.rowIdx;
  const L21 = cx.L21;
  const lx = cx.spLx;
  const colPtr = cx.spColPtr;
  let rt = r0;
  while (rt < r1 && ldi(rowIdx, rt) < qRest) rt++;
  const ntail = r1 - rt;
  if (p1 == 1) {
    const lt = L21 + (<usize>rt << 3);
    for (let ra = r0; ra < rt; ra++) {
      const ca = ldi(rowIdx, ra);
      const a0 = ld(L21, ra);
      for (let rb = r0; rb <= ra; rb++) {
        const p = pairPos(cx, g, r0, ra - r0, rb - r0);
        st(lx, p, ld(lx, p) - a0 * ld(L21, rb));
      }
      axpy(lx + (<usize>tailStart(cx, ca) << 3), lt, -a0, ntail);
    }
    for (let tb = 0; tb < ntail; tb++)
      axpy(lx + (<usize>ldi(colPtr, qRest + tb) << 3), lt + (<usize>tb << 3), -ld(lt, tb), ntail - tb);
    return;
  }
  for (let ra = r0; ra < r1; ra++) {
    const ca = ldi(rowIdx, ra);
    const La = L21 + (<usize>(ra * p1) << 3);
    // ra random: the random rows rb ≤ ra (pairPos); ra an X or y row: every rb's tail (random rb) or the corner.
    for (let rb = r0; rb <= ra; rb++) {
      const cb = ldi(rowIdx, rb);
      const Lb = L21 + (<usize>(rb * p1) << 3);
      let s = 0.0;
      for (let k = 0; k < p1; k++) s += ld(La, k) * ld(Lb, k);
      const p =
        ca < qRest ? pairPos(cx, g, r0, ra - r0, rb - r0) : cb < qRest ? tailPos(cx, ca, cb) : cornerPos(cx, ca, cb);
      st(lx, p, ld(lx, p) - s);
    }
  }
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
 * spZx ← the inverse of the leading ne×ne part of the factored trailing block on the pattern only (selected
 * inversion): the entries the gradient and the conditional variances read (R_g × R_g for every level of term 1,
 * and the pattern of H22), read through patternPos. The sparse counterpart of factor-trailing.ts's trailingInverse;
 * entries with a row at or past ne are not computed.
 */
export function trailingInverseSparse(cx: Context, ne: i32): void {
  if (ne == 0) return;
  sparseSelectedInverse(ne, cx.nd, cx.qRest, cx.spColPtr, cx.spRowIdx, cx.spLx, cx.spZx);
}

/** S[i, j] (original rows, both below ne) from the selected inverse. */
@inline export function inverseSparse(cx: Context, i: i32, j: i32): f64 {
  return ld(cx.spZx, patternPos(cx, i, j));
}

/** One term of P[b, a] += S[b, c] (Λ₂ᵀH22)[c, a] for random row a (b over a's block): see gradTrailingSparse. */
@inline function addTrailingTerm(cx: Context, a: i32, c: i32, pst: usize): void {
  const ps = ldi(cx.termP, ldi(cx.rowTerm, a));
  const ja = ldi(cx.rowPos, a);
  const base = a - ja;
  const w = lambda2tPattern(cx, c, cx.spHx, a);
  for (let jb = 0; jb < ps; jb++) {
    const o = pst + (<usize>(jb * ps + ja) << 3);
    store<f64>(o, load<f64>(o) + inverseSparse(cx, c, base + jb) * w);
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
 * with Z_ij and H22 read at the same position of the pattern (no lookups, no template reads per entry).
 */
function gradTrailingScalar(cx: Context, ne: i32): void {
  const qRest = cx.qRest;
  const colPtr = cx.spColPtr;
  const rowIdx = cx.spRowIdx;
  const perm = cx.spPerm;
  const zx = cx.spZx;
  const Hx = cx.spHx;
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
      const zh = ld(zx, p) * ld(Hx, p);
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
  const Hx = cx.spHx;
  const q1 = cx.q1;
  const beta = cx.xSol + (<usize>(q1 + qRest) << 3);
  const b2 = cx.bP + (<usize>q1 << 3);
  const z2 = cx.zte + (<usize>q1 << 3);
  const colPtr = cx.spColPtr;
  const rowIdx = cx.spRowIdx;
  const perm = cx.spPerm;
  for (let c = 0; c < qRest; c++) {
    let s = ld(Hx, tailPos(cx, nd - 1, c));
    for (let x = 0; x < pX; x++) s -= ld(Hx, tailPos(cx, qRest + x, c)) * ld(beta, x);
    st(z2, c, s);
  }
  for (let j = 0; j < qRest; j++) {
    const oj = ldi(perm, j);
    for (let p = ldi(colPtr, j); p < ldi(colPtr, j + 1); p++) {
      const i = ldi(rowIdx, p);
      if (i >= qRest) break;
      const oi = ldi(perm, i);
      const h = ld(Hx, p);
      st(z2, oi, ld(z2, oi) - h * ld(b2, oj));
      if (i != j) st(z2, oj, ld(z2, oj) - h * ld(b2, oi));
    }
  }
}
