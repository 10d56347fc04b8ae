// A first-order prediction of the conditional modes at a new (θ, β) from the converged PIRLS state in the context
// (the factor at the converged weights, û, η, μ): the modes solve ΛᵀZᵀr(η) = u with η = fixed + Xβ + ZΛu, so
// du = M⁻¹ (Λ(dθ)ᵀZᵀr − ΛᵀZᵀW (ZΛ(dθ)u + X dβ)), Λ being linear in θ. For the joint engine (β inside PIRLS) the
// same system with the fixed effects, dβ = 0 as input and (du, dβ) as output. PIRLS started from the prediction
// is off by O(|d|²) instead of O(|d|): one Newton iteration fewer at the optimiser's steps, and at the Hessian's
// finite-difference points PIRLS converges in one.

import { Context } from "../pls/contract";
import { ld, st, ldi } from "../pls/access";
import { tplOf } from "../pls/templates";
import { LINK_LOGIT, muEta, variance } from "./family";
import { solveM } from "./gradient";
import { blockStart, refOf, zRow } from "./pirls";

/**
 * x (q + pX, internal order) += the predicted change for a step dTheta (nTheta) and, for the u-only engine,
 * dBeta (p, with X n×p column-major). scratch: q + pX + Σp_t² + 2n f64.
 */
/** Σ p_t², the templates' total length. */
@inline function tplTotalOf(cx: Context): i32 {
  return cx.tplTotal;
}

export function glmmPredictModes(
  ctx: usize, family: i32, link: i32, y: usize, pw: usize, eta: usize, mu: usize, x: usize, dTheta: usize,
  dBeta: usize, X: usize, p: i32, scratch: usize,
): void {
  const cx = changetype<Context>(ctx);
  const n = cx.nObs;
  const q = cx.q1 + cx.qRest;
  const pX = cx.pX;
  const xP = cx.xP;
  const nTerms = cx.nTerms;
  const termP = cx.termP;
  const tplOff = cx.tplOff;
  const wP = cx.wP;
  const rhs = scratch;
  const dT = rhs + (<usize>(q + pX) << 3);
  // Λ(dθ)'s templates, laid out as the context's (θ's index of each entry: tplTheta).
  const tplTotal = tplTotalOf(cx);
  const map = cx.tplTheta;
  for (let e = 0; e < tplTotal; e++) {
    const i = ldi(map, e);
    st(dT, e, i >= 0 ? ld(dTheta, i) : 0.0);
  }
  // sv = ZΛ(dθ)u + X dβ, term by term; then r and W∘sv per observation; then the right-hand side term by term.
  const sv = dT + (<usize>tplTotalOf(cx) << 3);
  const rv = sv + (<usize>n << 3);
  for (let i = 0; i < n; i++) st(sv, i, 0.0);
  for (let t = 0; t < nTerms; t++) {
    const pt = ldi(termP, t);
    const refs = cx.refsP + (<usize>(t * n) << 2);
    const o0 = blockStart(cx, t, 0, pt);
    const D = dT + (<usize>ldi(tplOff, t) << 3);
    for (let i = 0; i < n; i++) {
      const z = zRow(cx, t, i, pt);
      const o = o0 + load<i32>(refs + (<usize>i << 2)) * pt;
      let s = 0.0;
      for (let a = 0; a < pt; a++) {
        let b = 0.0;
        for (let c = 0; c <= a; c++) b += ld(D, a + c * pt) * ld(x, o + c);
        s += ld(z, a) * b;
      }
      st(sv, i, ld(sv, i) + s);
    }
  }
  for (let j = 0; j < p; j++) {
    const col = X + (<usize>(j * n) << 3);
    const dj = ld(dBeta, j);
    for (let i = 0; i < n; i++) st(sv, i, ld(sv, i) + ld(col, i) * dj);
  }
  for (let i = 0; i < n; i++) {
    const m = ld(mu, i);
    const e0 = ld(eta, i);
    const d = link == LINK_LOGIT && Math.abs(e0) <= 30.0 ? m * (1.0 - m) : muEta(link, e0);
    st(rv, i, (ld(pw, i) * (ld(y, i) - m) * d) / variance(family, m));
    st(sv, i, ld(wP, i) * ld(sv, i));
  }
  for (let i = 0; i < q + pX; i++) st(rhs, i, 0.0);
  for (let t = 0; t < nTerms; t++) {
    const pt = ldi(termP, t);
    const refs = cx.refsP + (<usize>(t * n) << 2);
    const o0 = blockStart(cx, t, 0, pt);
    const T = tplOf(cx, t);
    const D = dT + (<usize>ldi(tplOff, t) << 3);
    for (let i = 0; i < n; i++) {
      const z = zRow(cx, t, i, pt);
      const o = o0 + load<i32>(refs + (<usize>i << 2)) * pt;
      const ri = ld(rv, i);
      const ws = ld(sv, i);
      for (let c = 0; c < pt; c++) {
        let a1 = 0.0;
        let a2 = 0.0;
        for (let a = c; a < pt; a++) {
          const za = ld(z, a);
          a1 += ld(D, a + c * pt) * za;
          a2 += ld(T, a + c * pt) * za;
        }
        st(rhs, o + c, ld(rhs, o + c) + a1 * ri - a2 * ws);
      }
    }
  }
  for (let j = 0; j < pX; j++) {
    const col = xP + (<usize>(j * n) << 3);
    let s = 0.0;
    for (let i = 0; i < n; i++) s += ld(col, i) * ld(sv, i);
    st(rhs, q + j, -s);
  }
  solveM(cx, rhs);
  for (let i = 0; i < q + pX; i++) st(x, i, ld(x, i) + ld(rhs, i));
}
