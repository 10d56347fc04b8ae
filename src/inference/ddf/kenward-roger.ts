/**
 * Kenward–Roger (Kenward & Roger 1997) as pbkrtest 0.5 computes it (Halekoh & Højsgaard 2014): the adjusted
 * covariance of β̂ (vcovAdj) and, for a contrast matrix L, the scaled Wald F statistic with its denominator df
 * (.KR_adjust; for one row, Lb_ddf). REML fits only, as pbkrtest (which refits an ML fit by REML; spruce asks for
 * the REML fit instead).
 *
 * pbkrtest forms the n×n matrices Σ⁻¹ and G_r Σ⁻¹; here every piece comes from the random-effects space
 * (marginal.ts): with B = ZᵀV⁻¹X and A = ZᵀV⁻¹Z,
 *   P_r  = −XᵀV⁻¹G_rV⁻¹X = −BᵀE_rB,
 *   Q_rs = XᵀV⁻¹G_rV⁻¹G_sV⁻¹X = (E_rB)ᵀA(E_sB),
 *   I_rs = tr(WG_rWG_s)  (pbkrtest's IE2: Ktrace − 2tr(ΦQ) + tr(ΦPΦP)),
 * and the residual parameter through G = I = (V − Σ s_r G_r)/σ² (parameters.ts).
 */

import { fUpper } from "../../distributions/beta.js";
import { ModelError } from "../../errors.js";
import { maxOf } from "../../util/extremes.js";
import { marginalCovariance } from "./marginal.js";
import { matMul, matTMul, solveOrGinv, symmetricEigen } from "./matrix.js";
import type { DdfModel } from "./model.js";
import { applyERows, covarianceParameters, mapList, mapMatrix, traceE, traceEXE } from "./parameters.js";

export interface KenwardRogerParts {
  p: number;
  /** Number of variance parameters (random ones, then σ²). */
  m: number;
  /** Unadjusted vcov(β̂) Φ. */
  vcovBeta: Float64Array;
  /** Adjusted covariance Φ_A = Φ + 2Φ U Φ. */
  vcovAdj: Float64Array;
  /** P_r, p×p each. */
  P: Float64Array[];
  /** 2 × the inverse of the expected information, m×m. */
  W: Float64Array;
}

export function kenwardRogerParts(model: DdfModel): KenwardRogerParts {
  if (!model.REML)
    throw new ModelError("Kenward-Roger's method is only available for REML model fits: refit with REML");
  const mc = marginalCovariance(model);
  const cp = covarianceParameters(model, mc);
  const { p, q } = mc;
  const k = cp.k;
  const m = k + 1;
  const EB = cp.positions.map((pos) => applyERows(pos, mc.B, q, p));
  const AEB = EB.map((x) => matMul(mc.A, x, q, q, p));
  // Over (random parameters, V).
  const Pg: Float64Array[] = EB.map((x) => matTMul(mc.B, x, q, p, p).map((v) => -v));
  Pg.push(mc.PhiInv.map((v) => -v));
  const Qg: Float64Array[][] = [];
  for (let r = 0; r < m; r++) {
    const row: Float64Array[] = [];
    for (let s = 0; s < m; s++) {
      if (r < k && s < k) row.push(matTMul(EB[r] as Float64Array, AEB[s] as Float64Array, q, p, p));
      else if (r < k || s < k) row.push((Pg[r < k ? r : s] as Float64Array).map((v) => -v));
      else row.push(Float64Array.from(mc.PhiInv));
    }
    Qg.push(row);
  }
  const Ig = new Float64Array(m * m);
  for (let r = 0; r < k; r++) {
    const pr = cp.positions[r] as Int32Array;
    for (let s = 0; s <= r; s++) {
      const v = traceEXE(mc.At, q, pr, cp.positions[s] as Int32Array);
      Ig[r * m + s] = v;
      Ig[s * m + r] = v;
    }
    const v = traceE(mc.At, q, pr);
    Ig[r * m + k] = v;
    Ig[k * m + r] = v;
  }
  Ig[k * m + k] = mc.n - mc.p;
  const IE2 = mapMatrix(cp, Ig);
  const P = mapList(cp, Pg);
  // Q over (random, σ²): map the second index of each row, then the first.
  const Qcols = Qg.map((row) => mapList(cp, row));
  const Q: Float64Array[][] = [];
  for (let s = 0; s < m; s++) {
    const column = mapList(
      cp,
      Qcols.map((row) => row[s] as Float64Array),
    );
    column.forEach((x, r) => {
      if (!Q[r]) Q[r] = [];
      (Q[r] as Float64Array[])[s] = x;
    });
  }
  const W = solveOrGinv(IE2, m).map((v) => 2 * v);
  const Phi = mc.Phi;
  const pp = p * p;
  // U = Σ_{r,s} W_rs (Q_rs − P_r Φ P_s).
  const U = new Float64Array(pp);
  const PPhi = P.map((x) => matMul(x, Phi, p, p, p));
  for (let r = 0; r < m; r++)
    for (let s = 0; s < m; s++) {
      const w = W[r * m + s] as number;
      if (w === 0) continue;
      const qrs = (Q[r] as Float64Array[])[s] as Float64Array;
      const pps = matMul(PPhi[r] as Float64Array, P[s] as Float64Array, p, p, p);
      for (let i = 0; i < pp; i++) U[i] = (U[i] as number) + w * ((qrs[i] as number) - (pps[i] as number));
    }
  const PhiUPhi = matMul(matMul(Phi, U, p, p, p), Phi, p, p, p);
  const vcovAdj = new Float64Array(pp);
  for (let i = 0; i < p; i++)
    for (let j = 0; j < p; j++) {
      // Symmetrise (U is symmetric up to rounding).
      const v = 0.5 * ((PhiUPhi[i * p + j] as number) + (PhiUPhi[j * p + i] as number));
      vcovAdj[i * p + j] = (Phi[i * p + j] as number) + 2 * v;
    }
  return { p, m, vcovBeta: Phi, vcovAdj, P, W };
}

export interface KenwardRogerTest {
  /** Number of rows of L (its rank, for F tests). */
  ndf: number;
  ddf: number;
  /** The unscaled Wald statistic / ndf (pbkrtest's FtestU), from the adjusted covariance. */
  FstatU: number;
  /** The scaling factor λ of the F statistic. */
  scaling: number;
  F: number;
  p: number;
}

/** pbkrtest's .KR_adjust for L (rows × p, row-major) and β̂, with the hypothesis Lβ = 0. */
export function kenwardRogerTest(
  parts: KenwardRogerParts,
  L: Float64Array,
  rows: number,
  beta: ArrayLike<number>,
  ndf: number,
): KenwardRogerTest {
  const { p, m } = parts;
  const Phi = parts.vcovBeta;
  // Θ = Lᵀ (LΦLᵀ)⁻¹ L.
  const LPhi = matMul(L, Phi, rows, p, p);
  const LPhiLt = matMul(LPhi, transposeOf(L, rows, p), rows, p, rows);
  const inv = solveOrGinv(LPhiLt, rows);
  const Theta = matTMul(L, matMul(inv, L, rows, rows, p), rows, p, p);
  const ThetaPhi = matMul(Theta, Phi, p, p, p);
  const u = parts.P.map((Pi) => matMul(matMul(ThetaPhi, Pi, p, p, p), Phi, p, p, p));
  const tr = u.map((x) => {
    let s = 0;
    for (let i = 0; i < p; i++) s += x[i * p + i] as number;
    return s;
  });
  let A1 = 0;
  let A2 = 0;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) {
      const w = parts.W[i * m + j] as number;
      A1 += w * (tr[i] as number) * (tr[j] as number);
      const ui = u[i] as Float64Array;
      const uj = u[j] as Float64Array;
      let s = 0;
      for (let a = 0; a < p; a++)
        for (let b = 0; b < p; b++) s += (ui[a * p + b] as number) * (uj[b * p + a] as number);
      A2 += w * s;
    }
  const qd = ndf;
  const B = (1 / (2 * qd)) * (A1 + 6 * A2);
  const g = ((qd + 1) * A1 - (qd + 4) * A2) / ((qd + 2) * A2);
  const c1 = g / (3 * qd + 2 * (1 - g));
  const c2 = (qd - g) / (3 * qd + 2 * (1 - g));
  const c3 = (qd + 2 - g) / (3 * qd + 2 * (1 - g));
  let V0 = 1 + c1 * B;
  const V1 = 1 - c2 * B;
  const V2 = 1 - c3 * B;
  if (Math.abs(V0) < 1e-10) V0 = 0;
  const x = 1 - A2 / qd;
  const ratio = Math.abs(x) < 1e-14 && Math.abs(V1) < 1e-14 ? 1 : x / V1;
  const rho = (1 / qd) * ratio * ratio * (V0 / V2);
  const ddf = 4 + (qd + 2) / (qd * rho - 1);
  const scaling = Math.abs(ddf - 2) < 0.01 ? 1 : (ddf * (1 - A2 / qd)) / (ddf - 2);
  // Wald statistic with the adjusted covariance.
  const Lb = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += (L[i * p + j] as number) * (beta[j] as number);
    Lb[i] = s;
  }
  const LPhiA = matMul(L, parts.vcovAdj, rows, p, p);
  const LPhiALt = matMul(LPhiA, transposeOf(L, rows, p), rows, p, rows);
  const invA = solveOrGinv(LPhiALt, rows);
  let wald = 0;
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < rows; j++)
      wald += (Lb[i] as number) * (invA[i * rows + j] as number) * (Lb[j] as number);
  const FstatU = wald / qd;
  const F = scaling * FstatU;
  return { ndf: qd, ddf, FstatU, scaling, F, p: fUpper(F, qd, ddf) };
}

/** Numerical rank of L (rows × p) as R's rankMatrix: singular values above max(rows, p)·ε·σ_max. */
export function matrixRank(L: Float64Array, rows: number, p: number): number {
  const LLt = matMul(L, transposeOf(L, rows, p), rows, p, rows);
  const e = symmetricEigen(LLt, rows);
  const sv = Array.from(e.values, (v) => Math.sqrt(Math.max(v, 0)));
  const max = Math.max(0, maxOf(sv));
  const tol = Math.max(rows, p) * Number.EPSILON * max;
  return sv.filter((v) => v > tol).length;
}

function transposeOf(L: Float64Array, rows: number, p: number): Float64Array {
  const T = new Float64Array(rows * p);
  for (let i = 0; i < rows; i++) for (let j = 0; j < p; j++) T[j * rows + i] = L[i * p + j] as number;
  return T;
}
