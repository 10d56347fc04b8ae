// Eliminating term 1, level by level: L_g = chol(T₁ᵀ H_g T₁ + I), L21_g = (Λ₂ᵀ H21_g T₁) L_g⁻ᵀ and the update
// C −= L21_g L21_gᵀ of the trailing block (docs/architecture.md, "The blocked factor").
//
// Size-specialised variants (eliminateP1/P2/P3): the generic loop of eliminateTerm1 with the tiny loops written
// out and one reciprocal per pivot; at one-factor sizes loop control and divisions, not flops, set the time
// (written-out p₁ = 3 elimination: Sitka's objective ≈ 1.6× faster than the generic loop when it was written, see
// docs/architecture.md). test/engine checks every variant against the generic path and the dense oracle.

import { Context } from "./contract";
import { ld, st, ldi } from "./access";
import { axpy } from "../linalg/vector";
import { smallChol } from "./small";
import { lambda2tListRow, vEntry } from "./templates";
import { updateTrailingBlockedP1 } from "./team-tasks";
import { updateTrailingSparse } from "./sparse-trailing";

/** C[R_g, R_g] −= L21_g L21_gᵀ (lower: R_g is ascending); the dot products written out for p1 ≤ 3. */
@inline function updateTrailing(cx: Context, g: i32, r0: i32, r1: i32): void {
  if (cx.spOn != 0) {
    updateTrailingSparse(cx, g, r0, r1);
    return;
  }
  const p1 = cx.p1;
  const qRest = cx.qRest;
  const nd = cx.nd;
  const rowIdx = cx.rowIdx;
  const L21 = cx.L21;
  const C = cx.C;
  if (p1 == 1) {
    // Rows of R_g: the other terms' rows (scattered) then X and y (the last pX+1 rows of C, contiguous), so
    // every update touching the tail is a contiguous f64x2 axpy down a column of C.
    let rt = r0;
    while (rt < r1 && ldi(rowIdx, rt) < qRest) rt++;
    const ntail = r1 - rt;
    const lt = L21 + (<usize>rt << 3);
    for (let ra = r0; ra < rt; ra++) {
      const colOff = <usize>ldi(rowIdx, ra) << 3;
      const a0 = ld(L21, ra);
      for (let rb = r0; rb <= ra; rb++) {
        const pc = C + colOff + ((<usize>ldi(rowIdx, rb) * <usize>nd) << 3);
        store<f64>(pc, load<f64>(pc) - a0 * ld(L21, rb));
      }
      axpy(C + ((<usize>qRest + <usize>ldi(rowIdx, ra) * <usize>nd) << 3), lt, -a0, ntail);
    }
    for (let tb = 0; tb < ntail; tb++) {
      const c = qRest + tb;
      axpy(C + ((<usize>c + <usize>c * <usize>nd) << 3), lt + (<usize>tb << 3), -ld(lt, tb), ntail - tb);
    }
  } else if (p1 == 2) {
    for (let ra = r0; ra < r1; ra++) {
      const colOff = <usize>ldi(rowIdx, ra) << 3;
      const La = L21 + (<usize>(ra * 2) << 3);
      const a = v128.load(La);
      let Lb = L21 + (<usize>(r0 * 2) << 3);
      for (let rb = r0; rb <= ra; rb++) {
        const m = f64x2.mul(a, v128.load(Lb));
        const pc = C + colOff + ((<usize>ldi(rowIdx, rb) * <usize>nd) << 3);
        store<f64>(pc, load<f64>(pc) - (f64x2.extract_lane(m, 0) + f64x2.extract_lane(m, 1)));
        Lb += 16;
      }
    }
  } else if (p1 == 3) {
    for (let ra = r0; ra < r1; ra++) {
      const colOff = <usize>ldi(rowIdx, ra) << 3;
      const La = L21 + (<usize>(ra * 3) << 3);
      const a0 = load<f64>(La);
      const a1 = load<f64>(La, 8);
      const a2 = load<f64>(La, 16);
      let Lb = L21 + (<usize>(r0 * 3) << 3);
      for (let rb = r0; rb <= ra; rb++) {
        const s = a0 * load<f64>(Lb) + a1 * load<f64>(Lb, 8) + a2 * load<f64>(Lb, 16);
        const pc = C + colOff + ((<usize>ldi(rowIdx, rb) * <usize>nd) << 3);
        store<f64>(pc, load<f64>(pc) - s);
        Lb += 24;
      }
    }
  } else {
    for (let ra = r0; ra < r1; ra++) {
      const ca = ldi(rowIdx, ra);
      const La = L21 + (<usize>(ra * p1) << 3);
      for (let rb = r0; rb <= ra; rb++) {
        const Lb = L21 + (<usize>(rb * p1) << 3);
        let s = 0.0;
        for (let k = 0; k < p1; k++) s += ld(La, k) * ld(Lb, k);
        const pc = C + (<usize>(ca + ldi(rowIdx, rb) * nd) << 3);
        store<f64>(pc, load<f64>(pc) - s);
      }
    }
  }
}

// Pays (engine bench, generic loop → this): (1|Subject) objective 0.81 → 0.46 µs, Penicillin 2.6 → 1.6 µs.
function eliminateP1(cx: Context): f64 {
  const H21 = cx.H21;
  const l1 = cx.l1;
  const qRest = cx.qRest;
  const H11 = cx.H11;
  const rowStart = cx.rowStart;
  const rowIdx = cx.rowIdx;
  const Lg = cx.Lg;
  const L21 = cx.L21;
  const T1 = cx.T1;
  const t = ld(T1, 0);
  // With other random terms the update of C is done afterwards, column block by column block
  // (updateTrailingBlockedP1, ./team-tasks.ts); with one factor R_g is only X and y, and the per-level update is contiguous.
  // On the sparse path (spOn) the updates touch only the factor's pattern, level by level (Σ_g |R_g|² entries),
  // which the column-block sweep over all of C would cost more than.
  const blocked = qRest > 0 && cx.spOn == 0;
  let logdet = 0.0;
  let prod = 1.0;
  for (let g = 0; g < l1; g++) {
    const l = Math.sqrt(t * t * ld(H11, g) + 1.0);
    st(Lg, g, l);
    prod *= l;
    if (prod > 1e200) {
      logdet += Math.log(prod);
      prod = 1.0;
    }
    const s = t / l;
    const r0 = ldi(rowStart, g);
    const r1 = ldi(rowStart, g + 1);
    for (let r = r0; r < r1; r++) {
      const c = ldi(rowIdx, r);
      st(L21, r, (c >= qRest ? ld(H21, r) : vEntry(cx, c, r, 0)) * s);
    }
    if (!blocked) updateTrailing(cx, g, r0, r1);
  }
  if (blocked) updateTrailingBlockedP1(cx);
  logdet += Math.log(prod);
  return 2.0 * logdet;
}

// Pays (engine bench, generic loop → this): sleepstudy (Days|Subject) objective 1.25 → 0.62 µs (2×).
function eliminateP2(cx: Context): f64 {
  const qRest = cx.qRest;
  const H21 = cx.H21;
  const l1 = cx.l1;
  const H11 = cx.H11;
  const rowStart = cx.rowStart;
  const rowIdx = cx.rowIdx;
  const Lg = cx.Lg;
  const L21 = cx.L21;
  const T1 = cx.T1;
  const t00 = ld(T1, 0);
  const t10 = ld(T1, 1);
  const t11 = ld(T1, 3);
  let logdet = 0.0;
  let prod = 1.0;
  for (let g = 0; g < l1; g++) {
    const H = H11 + (<usize>(g * 4) << 3);
    const h00 = load<f64>(H);
    const h10 = load<f64>(H, 8);
    const h11 = load<f64>(H, 24);
    // W = H T, A = Tᵀ W + I
    const w00 = h00 * t00 + h10 * t10;
    const w10 = h10 * t00 + h11 * t10;
    const w11 = h11 * t11;
    const a00 = t00 * w00 + t10 * w10 + 1.0;
    const a10 = t11 * w10;
    const a11 = t11 * w11 + 1.0;
    const l00 = Math.sqrt(a00);
    const i00 = 1.0 / l00;
    const l10 = a10 * i00;
    const l11 = Math.sqrt(a11 - l10 * l10);
    const i11 = 1.0 / l11;
    const L = Lg + (<usize>(g * 4) << 3);
    store<f64>(L, l00);
    store<f64>(L, l10, 8);
    store<f64>(L, 0.0, 16);
    store<f64>(L, l11, 24);
    prod *= l00 * l11;
    if (prod > 1e200) {
      logdet += Math.log(prod);
      prod = 1.0;
    }
    const r0 = ldi(rowStart, g);
    const r1 = ldi(rowStart, g + 1);
    for (let r = r0; r < r1; r++) {
      const c = ldi(rowIdx, r);
      const tail = c >= qRest;
      const v0 = tail ? ld(H21, r * 2) : vEntry(cx, c, r, 0);
      const v1 = tail ? ld(H21, r * 2 + 1) : vEntry(cx, c, r, 1);
      const b0 = v0 * t00 + v1 * t10;
      const b1 = v1 * t11;
      const x0 = b0 * i00;
      const x1 = (b1 - l10 * x0) * i11;
      const o = L21 + (<usize>(r * 2) << 3);
      store<f64>(o, x0);
      store<f64>(o, x1, 8);
    }
    updateTrailing(cx, g, r0, r1);
  }
  logdet += Math.log(prod);
  return 2.0 * logdet;
}

/**
 * The update for a level of a p₁ = 3 term whose rows R_g are only X and y (every level of a one-factor model):
 * those are the last mg rows of C, contiguous, so each column of C[R_g, R_g] takes three f64x2 axpys from the
 * column-major copy of L21_g at work[0..3mg).
 */
function updateTailP3(cx: Context, mg: i32): void {
  const nd = cx.nd;
  const C = cx.C;
  const work = cx.work;
  const lc = work;
  const base = nd - mg;
  for (let tb = 0; tb < mg; tb++) {
    const c = base + tb;
    const col = C + ((<usize>c + <usize>c * <usize>nd) << 3) - (<usize>tb << 3);
    const a0 = -ld(lc, tb);
    const a1 = -ld(lc, mg + tb);
    const a2 = -ld(lc, 2 * mg + tb);
    const s0 = f64x2.splat(a0);
    const s1 = f64x2.splat(a1);
    const s2 = f64x2.splat(a2);
    const l0 = lc;
    const l1p = lc + (<usize>mg << 3);
    const l2 = lc + (<usize>(2 * mg) << 3);
    let ta = tb;
    for (; ta + 1 < mg; ta += 2) {
      const o = <usize>ta << 3;
      let v = v128.load(col + o);
      v = f64x2.add(v, f64x2.mul(s0, v128.load(l0 + o)));
      v = f64x2.add(v, f64x2.mul(s1, v128.load(l1p + o)));
      v = f64x2.add(v, f64x2.mul(s2, v128.load(l2 + o)));
      v128.store(col + o, v);
    }
    if (ta < mg) {
      const o = <usize>ta << 3;
      store<f64>(col + o, load<f64>(col + o) + a0 * load<f64>(l0 + o) + a1 * load<f64>(l1p + o) + a2 * load<f64>(l2 + o));
    }
  }
}

// Pays (engine bench, generic loop → this): Sitka objective 16.2 → 6.4 µs (2.5×).
function eliminateP3(cx: Context): f64 {
  const H21 = cx.H21;
  const l1 = cx.l1;
  const qRest = cx.qRest;
  const H11 = cx.H11;
  const rowStart = cx.rowStart;
  const rowIdx = cx.rowIdx;
  const Lg = cx.Lg;
  const L21 = cx.L21;
  const work = cx.work;
  const T1 = cx.T1;
  const t00 = ld(T1, 0);
  const t10 = ld(T1, 1);
  const t20 = ld(T1, 2);
  const t11 = ld(T1, 4);
  const t21 = ld(T1, 5);
  const t22 = ld(T1, 8);
  let logdet = 0.0;
  let prod = 1.0;
  const lc = work;
  for (let g = 0; g < l1; g++) {
    const H = H11 + (<usize>(g * 9) << 3);
    const h00 = load<f64>(H);
    const h10 = load<f64>(H, 8);
    const h20 = load<f64>(H, 16);
    const h11 = load<f64>(H, 32);
    const h21 = load<f64>(H, 40);
    const h22 = load<f64>(H, 64);
    // W = H T (column k of W = H · column k of T), A = Tᵀ W + I (lower)
    const w00 = h00 * t00 + h10 * t10 + h20 * t20;
    const w10 = h10 * t00 + h11 * t10 + h21 * t20;
    const w20 = h20 * t00 + h21 * t10 + h22 * t20;
    const w11 = h11 * t11 + h21 * t21;
    const w21 = h21 * t11 + h22 * t21;
    const w22 = h22 * t22;
    const a00 = t00 * w00 + t10 * w10 + t20 * w20 + 1.0;
    const a10 = t11 * w10 + t21 * w20;
    const a20 = t22 * w20;
    const a11 = t11 * w11 + t21 * w21 + 1.0;
    const a21 = t22 * w21;
    const a22 = t22 * w22 + 1.0;
    const l00 = Math.sqrt(a00);
    const i00 = 1.0 / l00;
    const l10 = a10 * i00;
    const l20 = a20 * i00;
    const l11 = Math.sqrt(a11 - l10 * l10);
    const i11 = 1.0 / l11;
    const l21 = (a21 - l20 * l10) * i11;
    const l22 = Math.sqrt(a22 - l20 * l20 - l21 * l21);
    const i22 = 1.0 / l22;
    const L = Lg + (<usize>(g * 9) << 3);
    store<f64>(L, l00);
    store<f64>(L, l10, 8);
    store<f64>(L, l20, 16);
    store<f64>(L, 0.0, 24);
    store<f64>(L, l11, 32);
    store<f64>(L, l21, 40);
    store<f64>(L, 0.0, 48);
    store<f64>(L, 0.0, 56);
    store<f64>(L, l22, 64);
    prod *= l00 * l11 * l22;
    if (prod > 1e200) {
      logdet += Math.log(prod);
      prod = 1.0;
    }
    const r0 = ldi(rowStart, g);
    const r1 = ldi(rowStart, g + 1);
    const mg = r1 - r0;
    for (let r = r0; r < r1; r++) {
      const c = ldi(rowIdx, r);
      // X and y rows (all of R_g with one factor) pass through Λ₂ᵀ: read them here, without the helper's loads
      const tail = c >= qRest;
      const v0 = tail ? ld(H21, r * 3) : vEntry(cx, c, r, 0);
      const v1 = tail ? ld(H21, r * 3 + 1) : vEntry(cx, c, r, 1);
      const v2 = tail ? ld(H21, r * 3 + 2) : vEntry(cx, c, r, 2);
      const b0 = v0 * t00 + v1 * t10 + v2 * t20;
      const b1 = v1 * t11 + v2 * t21;
      const b2 = v2 * t22;
      const x0 = b0 * i00;
      const x1 = (b1 - l10 * x0) * i11;
      const x2 = (b2 - l20 * x0 - l21 * x1) * i22;
      const o = L21 + (<usize>(r * 3) << 3);
      store<f64>(o, x0);
      store<f64>(o, x1, 8);
      store<f64>(o, x2, 16);
      // column-major copy for the vectorised update below
      st(lc, r - r0, x0);
      st(lc, r - r0 + mg, x1);
      st(lc, r - r0 + 2 * mg, x2);
    }
    if (ldi(rowIdx, r0) >= qRest && cx.spOn == 0) updateTailP3(cx, mg);
    else updateTrailing(cx, g, r0, r1);
  }
  logdet += Math.log(prod);
  return 2.0 * logdet;
}

/**
 * Eliminate term 1 level by level: L_g, L21_g, and the update of the trailing block. Returns Σ log|L_g|².
 * work[0..p1) holds one row of Λ₂ᵀH21_g, work[p1..2p1) its product with T₁, smallW the p1×p1 H_g T₁.
 */
export function eliminateTerm1(cx: Context): f64 {
  const p1 = cx.p1;
  const l1 = cx.l1;
  const H11 = cx.H11;
  const rowStart = cx.rowStart;
  const rowIdx = cx.rowIdx;
  const Lg = cx.Lg;
  const L21 = cx.L21;
  const work = cx.work;
  const T1 = cx.T1;
  if (p1 == 1) return eliminateP1(cx);
  if (p1 == 2) return eliminateP2(cx);
  if (p1 == 3) return eliminateP3(cx);
  let logdet = 0.0;
  let prod = 1.0;
  const v = work;
  const bv = work + (<usize>p1 << 3);
  const W = work + (<usize>(2 * p1) << 3);
  const pp = p1 * p1;
  for (let g = 0; g < l1; g++) {
    const Hg = H11 + (<usize>(g * pp) << 3);
    const Lgg = Lg + (<usize>(g * pp) << 3);
    // W = H_g T₁
    for (let k = 0; k < p1; k++)
      for (let i = 0; i < p1; i++) {
        let s = 0.0;
        for (let m = k; m < p1; m++) s += ld(Hg, i + m * p1) * ld(T1, m + k * p1);
        st(W, i + k * p1, s);
      }
    // A = T₁ᵀ W + I (lower), then its Cholesky
    for (let k = 0; k < p1; k++)
      for (let j = k; j < p1; j++) {
        let s = j == k ? 1.0 : 0.0;
        for (let m = j; m < p1; m++) s += ld(T1, m + j * p1) * ld(W, m + k * p1);
        st(Lgg, j + k * p1, s);
      }
    smallChol(Lgg, p1);
    // log|L_g| as the log of a running product (one log per ~1e200 instead of one per diagonal entry):
    // every diagonal entry is ≥ 1 because A_g ≥ I, so the product only grows.
    for (let k = 0; k < p1; k++) prod *= ld(Lgg, k + k * p1);
    if (prod > 1e200) {
      logdet += Math.log(prod);
      prod = 1.0;
    }
    const r0 = ldi(rowStart, g);
    const r1 = ldi(rowStart, g + 1);
    for (let r = r0; r < r1; r++) {
      const c = ldi(rowIdx, r);
      // v = row c of Λ₂ᵀ H21_g (the block's rows are contiguous in R_g, so row c's block starts at r - pos)
      for (let k = 0; k < p1; k++) st(v, k, lambda2tListRow(cx, c, r, k));
      // b = v T₁, then solve x L_gᵀ = b
      for (let k = 0; k < p1; k++) {
        let s = 0.0;
        for (let m = k; m < p1; m++) s += ld(v, m) * ld(T1, m + k * p1);
        st(bv, k, s);
      }
      const Lrow = L21 + (<usize>(r * p1) << 3);
      for (let k = 0; k < p1; k++) {
        let s = ld(bv, k);
        for (let m = 0; m < k; m++) s -= ld(Lgg, k + m * p1) * ld(Lrow, m);
        st(Lrow, k, s / ld(Lgg, k + k * p1));
      }
    }
    updateTrailing(cx, g, r0, r1);
  }
  logdet += Math.log(prod);
  return 2.0 * logdet;
}
