// Solves with the blocked factor (docs/architecture.md, "Solutions"): the back substitution for [û; β̂] and b̂ = Λû,
// and S⁻¹ of the fixed effects for vcov(β̂).

import { Context } from "./contract";
import { ld, st, ldi } from "./access";
import { denseInvTransMul, denseLowerInv } from "./dense-ops";
import { tplOf } from "./templates";
import { cornerSparse, trailingSolveSparse } from "./sparse-trailing";

/** Back substitution: x = [û (term 1), û (rest), β̂] from Lᵀx = (y row of L). */
export function backSolve(cx: Context): void {
  const p1 = cx.p1;
  const qRest = cx.qRest;
  const nd = cx.nd;
  const termP = cx.termP;
  const rowTerm = cx.rowTerm;
  const rowPos = cx.rowPos;
  const C = cx.C;
  const xSol = cx.xSol;
  const bP = cx.bP;
  const q1 = cx.q1;
  const x2 = xSol + (<usize>q1 << 3);
  const m = nd - 1;
  const yrow = nd - 1;
  if (cx.spOn != 0) trailingSolveSparse(cx, x2);
  else
    for (let i = m - 1; i >= 0; i--) {
      let s = ld(C, yrow + i * nd);
      for (let k = i + 1; k < m; k++) s -= ld(C, k + i * nd) * ld(x2, k);
      st(x2, i, s / ld(C, i + i * nd));
    }
  if (p1 == 3) {
    backSolveP3(cx, x2);
  } else {
    backSolveLevels(cx, x2);
  }
  for (let c = 0; c < qRest; c++) {
    const t = ldi(rowTerm, c);
    const ps = ldi(termP, t);
    const jj = ldi(rowPos, c);
    const base = c - jj;
    const T = tplOf(cx, t);
    let s = 0.0;
    for (let k = 0; k <= jj; k++) s += ld(T, jj + k * ps) * ld(x2, base + k);
    st(bP, q1 + c, s);
  }
}

/** û and b̂ of term 1, p₁ = 3 written out: rhs = l_y − L21ᵀ x₂, L_gᵀ u = rhs, b = T₁ u. */
// Pays (engine bench, backSolveLevels → this): Sitka objective + gradient 10.9 → 9.3 µs (1.17×).
function backSolveP3(cx: Context, x2: usize): void {
  const l1 = cx.l1;
  const rowStart = cx.rowStart;
  const rowIdx = cx.rowIdx;
  const Lg = cx.Lg;
  const L21 = cx.L21;
  const xSol = cx.xSol;
  const bP = cx.bP;
  const T1 = cx.T1;
  const t00 = ld(T1, 0);
  const t10 = ld(T1, 1);
  const t20 = ld(T1, 2);
  const t11 = ld(T1, 4);
  const t21 = ld(T1, 5);
  const t22 = ld(T1, 8);
  for (let g = 0; g < l1; g++) {
    const r0 = ldi(rowStart, g);
    const r1 = ldi(rowStart, g + 1);
    const Ly = L21 + (<usize>((r1 - 1) * 3) << 3);
    let s0 = load<f64>(Ly);
    let s1 = load<f64>(Ly, 8);
    let s2 = load<f64>(Ly, 16);
    for (let r = r0; r < r1 - 1; r++) {
      const xv = ld(x2, ldi(rowIdx, r));
      const Lr = L21 + (<usize>(r * 3) << 3);
      s0 -= load<f64>(Lr) * xv;
      s1 -= load<f64>(Lr, 8) * xv;
      s2 -= load<f64>(Lr, 16) * xv;
    }
    const L = Lg + (<usize>(g * 9) << 3);
    const u2 = s2 / load<f64>(L, 64);
    const u1 = (s1 - load<f64>(L, 40) * u2) / load<f64>(L, 32);
    const u0 = (s0 - load<f64>(L, 8) * u1 - load<f64>(L, 16) * u2) / load<f64>(L);
    const xg = xSol + (<usize>(g * 3) << 3);
    store<f64>(xg, u0);
    store<f64>(xg, u1, 8);
    store<f64>(xg, u2, 16);
    const bg = bP + (<usize>(g * 3) << 3);
    store<f64>(bg, t00 * u0);
    store<f64>(bg, t10 * u0 + t11 * u1, 8);
    store<f64>(bg, t20 * u0 + t21 * u1 + t22 * u2, 16);
  }
}

/** û and b̂ of term 1, any p₁. */
function backSolveLevels(cx: Context, x2: usize): void {
  const p1 = cx.p1;
  const l1 = cx.l1;
  const rowStart = cx.rowStart;
  const rowIdx = cx.rowIdx;
  const Lg = cx.Lg;
  const L21 = cx.L21;
  const work = cx.work;
  const xSol = cx.xSol;
  const bP = cx.bP;
  const T1 = cx.T1;
  const rhs = work;
  for (let g = 0; g < l1; g++) {
    const r0 = ldi(rowStart, g);
    const r1 = ldi(rowStart, g + 1);
    // the y row is last in R_g
    // (loops ordered so that the long one, over rows, accumulates in a register)
    for (let k = 0; k < p1; k++) {
      let s = ld(L21, (r1 - 1) * p1 + k);
      for (let r = r0; r < r1 - 1; r++) s -= ld(L21, r * p1 + k) * ld(x2, ldi(rowIdx, r));
      st(rhs, k, s);
    }
    const Lgg = Lg + (<usize>(g * p1 * p1) << 3);
    const xg = xSol + (<usize>(g * p1) << 3);
    for (let k = p1 - 1; k >= 0; k--) {
      let s = ld(rhs, k);
      for (let mm = k + 1; mm < p1; mm++) s -= ld(Lgg, mm + k * p1) * ld(xg, mm);
      st(xg, k, s / ld(Lgg, k + k * p1));
    }
  }
  // b = Λ û
  for (let g = 0; g < l1; g++)
    for (let j = 0; j < p1; j++) {
      let s = 0.0;
      for (let k = 0; k <= j; k++) s += ld(T1, j + k * p1) * ld(xSol, g * p1 + k);
      st(bP, g * p1 + j, s);
    }
}

/** S⁻¹ (p×p, row-major) of the fixed-effects block of the factor; the caller scales it by σ̂². */
export function fixedCovariance(cx: Context): void {
  const qRest = cx.qRest;
  const pX = cx.pX;
  const nd = cx.nd;
  const C = cx.C;
  const S = cx.S;
  const vcovP = cx.vcovP;
  const idxP = cx.idxP;
  if (pX == 0) return;
  const off = qRest + qRest * nd;
  const sparse = cx.spOn != 0;
  for (let j = 0; j < pX; j++)
    for (let i = j; i < pX; i++) st(S, i + j * pX, sparse ? cornerSparse(cx, i, j) : ld(C, off + i + j * nd));
  denseLowerInv(S, pX, pX, false, 0);
  denseInvTransMul(S, pX, pX, false, idxP, 0);
  for (let j = 0; j < pX; j++)
    for (let i = j; i < pX; i++) {
      const v = ld(S, i + j * pX);
      st(vcovP, i * pX + j, v);
      st(vcovP, j * pX + i, v);
    }
}
