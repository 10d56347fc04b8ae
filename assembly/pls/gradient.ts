// ∇θ of the profiled criterion (docs/architecture.md, "The gradient"): with Ω_e the part of Ω whose
// log-determinant the criterion has (Z for ML, Z and X for REML), ∂log|Ω_e|/∂θ_i = 2 tr(Ω_e⁻¹ Λ̃ᵀG D_i), and
// ∂r²/∂θ_i = −2 (Zᵀê)ᵀ D_i û. Which path fills the accumulators: ./gradient-selected.ts or
// ./gradient-inverse-factor.ts.

import { Context } from "./contract";
import { ld, st, ldi } from "./access";
import { trailingInverse } from "./factor-trailing";
import { inverseFactorPathApplies, psFromInverseFactor } from "./gradient-inverse-factor";
import { psAcc, zuAcc, residualCross, gradLevelOneFactor, gradLevel, gradOneFactorP3 } from "./gradient-selected";
import { tplOf, lambda2tRow, trailingRowsScalar, thetaIndexOf } from "./templates";
import { gradTrailingSparse } from "./sparse-trailing";

/** Fills the gradient (needs the factor and the solution). ne: qRest for ML, qRest + p for REML. */
export function gradient(cx: Context, reml: bool, r2: f64): void {
  const t0 = cx.t0;
  const p1 = cx.p1;
  const l1 = cx.l1;
  const qRest = cx.qRest;
  const pX = cx.pX;
  const nd = cx.nd;
  const termP = cx.termP;
  const rowTerm = cx.rowTerm;
  const rowPos = cx.rowPos;
  const H22 = cx.H22;
  const S = cx.S;
  const xSol = cx.xSol;
  const zte = cx.zte;
  const acc = cx.acc;
  const q1 = cx.q1;
  const tplTotal = cx.tplTotal;
  const wCol = cx.wCol;
  const ne = reml ? qRest + pX : qRest;
  for (let i = 0; i < 2 * tplTotal; i++) st(acc, i, 0.0);
  if (qRest == 0 && p1 == 3) {
    trailingInverse(cx, ne);
    gradOneFactorP3(cx, ne);
    finishGradient(cx, reml, r2);
    return;
  }
  residualCross(cx);
  // ZU accumulators
  const zu1 = zuAcc(cx, t0);
  for (let g = 0; g < l1; g++)
    for (let j = 0; j < p1; j++) {
      const e = ld(zte, g * p1 + j);
      for (let k = 0; k < p1; k++) st(zu1, j * p1 + k, ld(zu1, j * p1 + k) + e * ld(xSol, g * p1 + k));
    }
  for (let c = 0; c < qRest; c++) {
    const t = ldi(rowTerm, c);
    const ps = ldi(termP, t);
    const jj = ldi(rowPos, c);
    const base = q1 + c - jj;
    const zu = zuAcc(cx, t);
    const e = ld(zte, q1 + c);
    for (let k = 0; k < ps; k++) st(zu, jj * ps + k, ld(zu, jj * ps + k) + e * ld(xSol, base + k));
  }
  if (inverseFactorPathApplies(cx)) {
    psFromInverseFactor(cx, ne);
    finishGradient(cx, reml, r2);
    return;
  }
  trailingInverse(cx, ne);
  const ps1 = psAcc(cx, t0);
  const pp = p1 * p1;
  if (qRest == 0) {
    for (let g = 0; g < l1; g++) {
      if (p1 == 1) gradLevelOneFactor(cx, g, ne, 1, ps1);
      else if (p1 == 2) gradLevelOneFactor(cx, g, ne, 2, ps1);
      else if (p1 == 3) gradLevelOneFactor(cx, g, ne, 3, ps1);
      else gradLevelOneFactor(cx, g, ne, p1, ps1);
    }
  } else for (let g = 0; g < l1; g++) {
    // p₁ as a constant lets the compiler unroll the tiny loops (the per-group path of one-factor models)
    if (p1 == 1) gradLevel(cx, g, ne, 1, ps1);
    else if (p1 == 2) gradLevel(cx, g, ne, 2, ps1);
    else if (p1 == 3) gradLevel(cx, g, ne, 3, ps1);
    else gradLevel(cx, g, ne, p1, ps1);
  }
  if (cx.spOn != 0) {
    gradTrailingSparse(cx, ne);
    finishGradient(cx, reml, r2);
    return;
  }
  // Trailing random rows, dense part: P[b, a] += S[b, ·] · (Λ₂ᵀ H22)[·, a]
  if (trailingRowsScalar(cx)) {
    // Λ₂ is the diagonal scaling sc: P[a, a] += Σ_c S[c, a] sc_c H22[c, a], one f64x2 pass per column
    const sc = wCol;
    for (let c = 0; c < ne; c++) st(sc, c, c < qRest ? load<f64>(tplOf(cx, ldi(rowTerm, c))) : 1.0);
    for (let a = 0; a < qRest; a++) {
      const Sa = S + (<usize>(a * nd) << 3);
      const Ha = H22 + (<usize>(a * nd) << 3);
      let acc2 = f64x2.splat(0.0);
      let c = 0;
      for (; c + 1 < ne; c += 2) {
        const o = <usize>c << 3;
        acc2 = f64x2.add(acc2, f64x2.mul(f64x2.mul(v128.load(Sa + o), v128.load(sc + o)), v128.load(Ha + o)));
      }
      let s = f64x2.extract_lane(acc2, 0) + f64x2.extract_lane(acc2, 1);
      if (c < ne) s += ld(Sa, c) * ld(sc, c) * ld(Ha, c);
      const pst = psAcc(cx, ldi(rowTerm, a));
      st(pst, 0, ld(pst, 0) + s);
    }
    finishGradient(cx, reml, r2);
    return;
  }
  for (let a = 0; a < qRest; a++) {
    for (let c = 0; c < ne; c++) st(wCol, c, lambda2tRow(cx, c, H22, 1, a * nd));
    const t = ldi(rowTerm, a);
    const ps = ldi(termP, t);
    const ja = ldi(rowPos, a);
    const base = a - ja;
    const pst = psAcc(cx, t);
    for (let jb = 0; jb < ps; jb++) {
      const Sb = S + (<usize>((base + jb) * nd) << 3);
      let s = 0.0;
      for (let c = 0; c < ne; c++) s += ld(Sb, c) * ld(wCol, c);
      st(pst, jb * ps + ja, ld(pst, jb * ps + ja) + s);
    }
  }
  finishGradient(cx, reml, r2);
}

/** ∂d/∂θ_i for θ_i = T_t[j, k]: 2 PS_t[k, j] − 2 (dof / r²) ZU_t[j, k]; a fixed zero of T has no θ_i. */
function finishGradient(cx: Context, reml: bool, r2: f64): void {
  const nTerms = cx.nTerms;
  const pX = cx.pX;
  const nObs = cx.nObs;
  const termP = cx.termP;
  const gradP = cx.gradP;
  const dof = reml ? <f64>(nObs - pX) : <f64>nObs;
  const coef = (2.0 * dof) / r2;
  for (let t = 0; t < nTerms; t++) {
    const pt = ldi(termP, t);
    const pst = psAcc(cx, t);
    const zu = zuAcc(cx, t);
    for (let k = 0; k < pt; k++)
      for (let j = k; j < pt; j++) {
        const i = thetaIndexOf(cx, t, j, k);
        if (i >= 0) st(gradP, i, 2.0 * ld(pst, k * pt + j) - coef * ld(zu, j * pt + k));
      }
  }
}
