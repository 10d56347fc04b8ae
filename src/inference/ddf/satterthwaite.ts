/**
 * Satterthwaite's degrees of freedom as lmerTest 3.x computes them (Kuznetsova, Brockhoff & Christensen 2017):
 * for a contrast l, ν = 2(lΦlᵀ)² / (gᵀ A g), where Φ = vcov(β̂), g the gradient of lΦlᵀ with respect to
 * lmerTest's variance parameters varpar = (θ, σ), and A = 2 H⁺ with H the Hessian of the REML (or ML) deviance
 * in varpar and H⁺ its inverse on the eigenvalues above 1e-8 (lmerTest's as_lmerModLT).
 *
 * lmerTest takes H and the Jacobian of Φ by numerical differentiation (numDeriv's Richardson extrapolation).
 * Here both are analytic: in pbkrtest's parametrisation s (parameters.ts), where V is linear,
 *   ∂D/∂s_a      = tr(W̃G_a) − yᵀWG_aWy,
 *   ∂²D/∂s_a∂s_b = −tr(W̃G_aW̃G_b) + 2 yᵀWG_aWG_bWy,
 *   ∂Φ/∂s_a      = Φ XᵀV⁻¹G_aV⁻¹X Φ,
 * with W̃ = W (REML) or V⁻¹ (ML; the deviance is profiled over β, hence the yᵀWy terms), then the chain rule
 * through s(θ, σ): H = JᵀH_sJ + Σ_a (∂D/∂s_a) ∇²s_a, ∂Φ/∂varpar = Σ_a ∂Φ/∂s_a J_a. The second term matters on
 * the boundary (a θ at 0), where ∂D/∂s ≠ 0. test/inference/ddf/ddf-derivatives.test.ts checks H and ∂Φ against
 * central differences of the deviance and of vcov(β̂) computed by the engine.
 */
import { ModelError } from "../../errors.js";
import type { MarginalCovariance } from "./marginal.js";
import { marginalCovariance } from "./marginal.js";
import { matMul, matTMul, positivePartInverse } from "./matrix.js";
import type { DdfModel } from "./model.js";
import {
  applyE,
  applyERows,
  type CovarianceParameters,
  covarianceParameters,
  mapList,
  mapMatrix,
  mapVector,
  traceE,
  traceEXE,
} from "./parameters.js";

export interface SatterthwaiteParts {
  p: number;
  /** Number of varpar (θ then σ). */
  m: number;
  /** vcov(β̂), p×p. */
  vcovBeta: Float64Array;
  /** lmerTest's vcov_varpar: 2 H⁺, m×m. */
  vcovVarpar: Float64Array;
  /** ∂vcov(β̂)/∂varpar_i, m matrices p×p (lmerTest's Jac_list). */
  jacobian: Float64Array[];
  /** Gradient and Hessian of the deviance in varpar (the gradient is ~0 at an interior optimum). */
  gradient: Float64Array;
  hessian: Float64Array;
}

/** Gradient and Hessian of the deviance in s (random parameters then σ²). */
export function devianceDerivativesS(
  mc: MarginalCovariance,
  cp: CovarianceParameters,
  reml: boolean,
): { gradient: Float64Array; hessian: Float64Array } {
  const { q, k } = { q: mc.q, k: cp.k };
  const m = k + 1;
  const Wt = reml ? mc.At : mc.A;
  const trV = reml ? mc.n - mc.p : mc.n;
  const Eu = cp.positions.map((pos) => applyE(pos, mc.ue, q));
  const AtEu = Eu.map((v) => matMul(mc.At, v, q, q, 1));
  const g = new Float64Array(m);
  const H = new Float64Array(m * m);
  for (let r = 0; r < k; r++) {
    const pr = cp.positions[r] as Int32Array;
    const tr = traceE(Wt, q, pr);
    let yE = 0;
    for (let i = 0; i < q; i++) yE += (mc.ue[i] as number) * ((Eu[r] as Float64Array)[i] as number);
    g[r] = tr - yE;
    H[r * m + k] = -tr + 2 * yE;
    H[k * m + r] = H[r * m + k] as number;
    for (let c = 0; c <= r; c++) {
      let yy = 0;
      const er = Eu[r] as Float64Array;
      const ac = AtEu[c] as Float64Array;
      for (let i = 0; i < q; i++) yy += (er[i] as number) * (ac[i] as number);
      const v = -traceEXE(Wt, q, pr, cp.positions[c] as Int32Array) + 2 * yy;
      H[r * m + c] = v;
      H[c * m + r] = v;
    }
  }
  g[k] = trV - mc.yWy;
  H[k * m + k] = -trV + 2 * mc.yWy;
  return { gradient: mapVector(cp, g), hessian: mapMatrix(cp, H) };
}

/** ∂Φ/∂s_a for the random parameters and σ², p×p each. */
export function vcovBetaDerivativesS(mc: MarginalCovariance, cp: CovarianceParameters): Float64Array[] {
  const { p, q } = mc;
  const BPhi = matMul(mc.B, mc.Phi, q, p, p);
  const list: Float64Array[] = cp.positions.map((pos) => {
    const EBPhi = applyERows(pos, BPhi, q, p);
    return matTMul(BPhi, EBPhi, q, p, p);
  });
  // For V itself: Φ XᵀV⁻¹VV⁻¹X Φ = Φ.
  list.push(Float64Array.from(mc.Phi));
  return mapList(cp, list);
}

export function satterthwaiteParts(model: DdfModel): SatterthwaiteParts {
  const mc = marginalCovariance(model);
  const cp = covarianceParameters(model, mc);
  const m = cp.k + 1;
  const { gradient: gs, hessian: Hs } = devianceDerivativesS(mc, cp, model.REML);
  const J = cp.jacobian;
  // H = JᵀH_sJ + Σ_a g_a ∇²s_a.
  const HsJ = matMul(Hs, J, m, m, m);
  const hessian = matTMul(J, HsJ, m, m, m);
  for (let a = 0; a < m; a++) {
    const ga = gs[a] as number;
    const Ha = cp.hessians[a] as Float64Array;
    for (let i = 0; i < m * m; i++) hessian[i] = (hessian[i] as number) + ga * (Ha[i] as number);
  }
  const gradient = matTMul(J, gs, m, m, 1);
  const dPhiS = vcovBetaDerivativesS(mc, cp);
  const pp = mc.p * mc.p;
  const jacobian = Array.from({ length: m }, (_, b) => {
    const out = new Float64Array(pp);
    for (let a = 0; a < m; a++) {
      const w = J[a * m + b] as number;
      if (w === 0) continue;
      const d = dPhiS[a] as Float64Array;
      for (let i = 0; i < pp; i++) out[i] = (out[i] as number) + w * (d[i] as number);
    }
    return out;
  });
  const hInv = positivePartInverse(hessian, m);
  const vcovVarpar = hInv.map((v) => 2 * v);
  return { p: mc.p, m, vcovBeta: mc.Phi, vcovVarpar, jacobian, gradient, hessian };
}

/** Satterthwaite's ν for one contrast l (length p): 2(lΦlᵀ)²/(gᵀAg). */
export function satterthwaiteDf(
  parts: SatterthwaiteParts,
  l: ArrayLike<number>,
): { variance: number; df: number } {
  const { p, m } = parts;
  if (l.length !== p) throw new ModelError(`a contrast needs ${p} coefficients, got ${l.length}`);
  const variance = quad(l, parts.vcovBeta, p);
  const g = parts.jacobian.map((Jb) => quad(l, Jb, p));
  const denom = quad(g, parts.vcovVarpar, m);
  return { variance, df: (2 * variance * variance) / denom };
}

function quad(x: ArrayLike<number>, A: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let j = 0; j < n; j++) r += (A[i * n + j] as number) * (x[j] as number);
    s += (x[i] as number) * r;
  }
  return s;
}
