// The gradient of the Laplace criterion over (θ, β) for the canonical links (logit binomial, log Poisson), after
// glmmPirls has left the factor at the converged working weights in the context. With the joint engine (β inside
// PIRLS, lme4's first stage) the same formulas hold with (u, β) for u, H the joint system and only ∂/∂θ wanted:
// e gains −W∘(Xv_β). With r = pw(y − μ),
// W the working weights, W′ = dW/dη, h = diag(ZΛM⁻¹ΛᵀZᵀ), c = h∘W′ and v = M⁻¹ΛᵀZᵀc (u* moves with the
// parameters: du*/dφ = −M⁻¹ ∂(ΛᵀZᵀr − u)/∂φ, whose effect on log|M| through W is one solve with the adjoint c):
//   e = −2r + c − W∘(ZΛv),   ∂/∂β = Xᵀe,
//   ∂/∂θ_k = eᵀZD_k u + rᵀZD_k v + 2 tr(M⁻¹ΛᵀZᵀWZD_k),   D_k = ∂Λ/∂θ_k.
// h and the traces need M⁻¹ only at the pairs of random effects that share an observation: the selected inverse
// of assembly/pls/gradient-selected.ts (levelInverse: (M⁻¹)_gg = Q, (M⁻¹)_{R_g, g} = −Y, S the trailing inverse).

import { Context } from "../pls/contract";
import { ld, st, ldi } from "../pls/access";
import { trailingInverse } from "../pls/factor-trailing";
import { levelInverse, levelProductSparse } from "../pls/gradient-selected";
import { inverseSparse } from "../pls/sparse-trailing";
import { thetaCount, thetaIndexOf, tplOf } from "../pls/templates";
import { axpy } from "../linalg/vector";
import { LINK_LOGIT, muEta, variance, weightSlope } from "./family";
import { blockStart, lambdaTimes, refOf, zRow } from "./pirls";

/**
 * v ← H⁻¹ v with the blocked factor in the context (internal order): H = M on the random effects for the u-only
 * engine, the joint [M, ΛᵀZᵀWX; XᵀWZΛ, XᵀWX] with the fixed effects after them for the joint one.
 */
export function solveM(cx: Context, v: usize): void {
  const p1 = cx.p1;
  const l1 = cx.l1;
  const qRest = cx.qRest + cx.pX;
  const nd = cx.nd;
  const Lg = cx.Lg;
  const L21 = cx.L21;
  const C = cx.C;
  const rowStart = cx.rowStart;
  const rowIdx = cx.rowIdx;
  const v2 = v + (<usize>cx.q1 << 3);
  const pp = p1 * p1;
  for (let g = 0; g < l1; g++) {
    const L = Lg + (<usize>(g * pp) << 3);
    const vg = v + (<usize>(g * p1) << 3);
    for (let i = 0; i < p1; i++) {
      let s = ld(vg, i);
      for (let k = 0; k < i; k++) s -= ld(L, i + k * p1) * ld(vg, k);
      st(vg, i, s / ld(L, i + i * p1));
    }
    const r1 = ldi(rowStart, g + 1);
    for (let r = ldi(rowStart, g); r < r1; r++) {
      const c = ldi(rowIdx, r);
      if (c >= qRest) break;
      let s = 0.0;
      for (let k = 0; k < p1; k++) s += ld(L21, r * p1 + k) * ld(vg, k);
      st(v2, c, ld(v2, c) - s);
    }
  }
  if (cx.spOn != 0) solveLeadingSparse(cx, v2, qRest);
  else {
    for (let i = 0; i < qRest; i++) {
      let s = ld(v2, i);
      for (let k = 0; k < i; k++) s -= ld(C, i + k * nd) * ld(v2, k);
      st(v2, i, s / ld(C, i + i * nd));
    }
    for (let i = qRest - 1; i >= 0; i--) {
      let s = ld(v2, i);
      for (let k = i + 1; k < qRest; k++) s -= ld(C, k + i * nd) * ld(v2, k);
      st(v2, i, s / ld(C, i + i * nd));
    }
  }
  for (let g = 0; g < l1; g++) {
    const L = Lg + (<usize>(g * pp) << 3);
    const vg = v + (<usize>(g * p1) << 3);
    const r0 = ldi(rowStart, g);
    const r1 = ldi(rowStart, g + 1);
    for (let k = 0; k < p1; k++) {
      let s = ld(vg, k);
      for (let r = r0; r < r1; r++) {
        const c = ldi(rowIdx, r);
        if (c >= qRest) break;
        s -= ld(L21, r * p1 + k) * ld(v2, c);
      }
      st(vg, k, s);
    }
    for (let i = p1 - 1; i >= 0; i--) {
      let s = ld(vg, i);
      for (let k = i + 1; k < p1; k++) s -= ld(L, k + i * p1) * ld(vg, k);
      st(vg, i, s / ld(L, i + i * p1));
    }
  }
}

/**
 * v2 ← (L Lᵀ)⁻¹ v2 on the leading m rows of the trailing factor on the sparse path (the random rows, and for the
 * joint engine the X rows after them, which keep their positions): permuted into the factor's order (spWork), a
 * column-oriented forward and back substitution over L's pattern, permuted back.
 */
function solveLeadingSparse(cx: Context, v2: usize, m: i32): void {
  const w = cx.spWork;
  const perm = cx.spPerm;
  const colPtr = cx.spColPtr;
  const rowIdx = cx.spRowIdx;
  const lx = cx.spLx;
  for (let f = 0; f < m; f++) st(w, f, ld(v2, ldi(perm, f)));
  for (let j = 0; j < m; j++) {
    const p0 = ldi(colPtr, j);
    const wj = ld(w, j) / ld(lx, p0);
    st(w, j, wj);
    for (let p = p0 + 1; p < ldi(colPtr, j + 1); p++) {
      const i = ldi(rowIdx, p);
      if (i >= m) break;
      st(w, i, ld(w, i) - ld(lx, p) * wj);
    }
  }
  for (let j = m - 1; j >= 0; j--) {
    const p0 = ldi(colPtr, j);
    let s = ld(w, j);
    for (let p = p0 + 1; p < ldi(colPtr, j + 1); p++) {
      const i = ldi(rowIdx, p);
      if (i >= m) break;
      s -= ld(lx, p) * ld(w, i);
    }
    st(w, j, s / ld(lx, p0));
  }
  for (let f = 0; f < m; f++) st(v2, ldi(perm, f), ld(w, f));
}

/**
 * levelInverse (assembly/pls/gradient-selected.ts) for p₁ = 1: K = L21_g / L_g, Y = S[R,R] K as axpys over S's
 * columns (contiguous when R_g's random rows are: crossed designs), Q = 1/L_g² + KᵀY. Same wK, wY, wQ layout.
 */
function levelInverse1(cx: Context, g: i32): i32 {
  const qRest = cx.qRest;
  const nd = cx.nd;
  const rowIdx = cx.rowIdx;
  const L21 = cx.L21;
  const S = cx.S;
  const wK = cx.wK;
  const wY = cx.wY;
  const r0 = ldi(cx.rowStart, g);
  const r1 = ldi(cx.rowStart, g + 1);
  let m = 0;
  while (r0 + m < r1 && ldi(rowIdx, r0 + m) < qRest) m++;
  const inv = 1.0 / ld(cx.Lg, g);
  for (let r = 0; r < m; r++) {
    st(wK, r, ld(L21, r0 + r) * inv);
    st(wY, r, 0.0);
  }
  const c0 = m > 0 ? ldi(rowIdx, r0) : 0;
  if (cx.spOn != 0) levelProductSparse(cx, g, r0, m, 1);
  else if (m > 0 && ldi(rowIdx, r0 + m - 1) - c0 == m - 1) {
    for (let r2 = 0; r2 < m; r2++) axpy(wY, S + (<usize>(c0 + (c0 + r2) * nd) << 3), ld(wK, r2), m);
  } else {
    for (let r = 0; r < m; r++) {
      const Sr = S + (<usize>(ldi(rowIdx, r0 + r) * nd) << 3);
      let s = 0.0;
      for (let r2 = 0; r2 < m; r2++) s += ld(Sr, ldi(rowIdx, r0 + r2)) * ld(wK, r2);
      st(wY, r, s);
    }
  }
  let q = inv * inv;
  for (let r = 0; r < m; r++) q += ld(wK, r) * ld(wY, r);
  st(cx.wQ, 0, q);
  return m;
}


/**
 * h (returned into hOut, length n) and the traces tr(M⁻¹ΛᵀZᵀWZD_k) (into trace, nTheta) at the factor in the
 * context. iscratch: qRest + Σp_t i32; fscratch: 2 Σp_t + pMax f64.
 */
function leverages(cx: Context, hOut: usize, trace: usize, iscratch: usize, fscratch: usize): void {
  const p1 = cx.p1;
  const l1 = cx.l1;
  const qRest = cx.qRest;
  const nd = cx.nd;
  const nTerms = cx.nTerms;
  const t0 = cx.t0;
  const termP = cx.termP;
  const rowStart = cx.rowStart;
  const rowIdx = cx.rowIdx;
  const obsStart = cx.obsStart;
  const obsOrder = cx.obsOrder;
  const wP = cx.wP;
  const S = cx.S;
  const wQ = cx.wQ;
  const wY = cx.wY;
  const posOf = iscratch;
  const aRow = iscratch + (<usize>qRest << 2);
  const aVal = fscratch;
  const yVal = aVal + (<usize>(nd + p1) << 3);
  const a1 = yVal + (<usize>(nd + p1) << 3);
  const T1 = tplOf(cx, t0);
  const nTheta = thetaCount(cx);
  const sparse = cx.spOn != 0;
  for (let k = 0; k < nTheta; k++) st(trace, k, 0.0);
  trailingInverse(cx, qRest);
  for (let g = 0; g < l1; g++) {
    const m = p1 == 1 ? levelInverse1(cx, g) : levelInverse(cx, g, qRest);
    const r0 = ldi(rowStart, g);
    for (let r = 0; r < m; r++) store<i32>(posOf + (<usize>ldi(rowIdx, r0 + r) << 2), r);
    const o1 = obsStart + (<usize>g << 2);
    const i1 = load<i32>(o1 + 4);
    for (let oi = load<i32>(o1); oi < i1; oi++) {
      const i = ldi(obsOrder, oi);
      // a = ΛᵀZᵀe_i: term 1's p1 entries, then the other terms' rows and values.
      const z1 = zRow(cx, t0, i, p1);
      for (let j = 0; j < p1; j++) {
        let s = 0.0;
        for (let mm = j; mm < p1; mm++) s += ld(T1, mm + j * p1) * ld(z1, mm);
        st(a1, j, s);
      }
      let na = 0;
      for (let t = 0; t < nTerms; t++) {
        if (t == t0) continue;
        const pt = ldi(termP, t);
        const T = tplOf(cx, t);
        const z = zRow(cx, t, i, pt);
        const base = blockStart(cx, t, refOf(cx, t, i), pt) - cx.q1;
        for (let j = 0; j < pt; j++) {
          let s = 0.0;
          for (let mm = j; mm < pt; mm++) s += ld(T, mm + j * pt) * ld(z, mm);
          store<i32>(aRow + (<usize>na << 2), base + j);
          st(aVal, na, s);
          na++;
        }
      }
      // y = M⁻¹a at the same positions: term 1 Q a1 − Yᵀa2, trailing row c −Y[c]·a1 + S[c, ·]a2.
      let h = 0.0;
      for (let j = 0; j < p1; j++) {
        let s = 0.0;
        for (let k = 0; k < p1; k++) s += ld(wQ, j + k * p1) * ld(a1, k);
        for (let e = 0; e < na; e++) {
          const pos = load<i32>(posOf + (<usize>load<i32>(aRow + (<usize>e << 2)) << 2));
          s -= ld(wY, pos * p1 + j) * ld(aVal, e);
        }
        st(yVal, j, s);
        h += ld(a1, j) * s;
      }
      for (let e = 0; e < na; e++) {
        const c = load<i32>(aRow + (<usize>e << 2));
        const pos = load<i32>(posOf + (<usize>c << 2));
        let s = 0.0;
        for (let k = 0; k < p1; k++) s -= ld(wY, pos * p1 + k) * ld(a1, k);
        if (sparse)
          for (let e2 = 0; e2 < na; e2++) s += inverseSparse(cx, c, load<i32>(aRow + (<usize>e2 << 2))) * ld(aVal, e2);
        else for (let e2 = 0; e2 < na; e2++) s += ld(S, c + load<i32>(aRow + (<usize>e2 << 2)) * nd) * ld(aVal, e2);
        st(yVal, p1 + e, s);
        h += ld(aVal, e) * s;
      }
      st(hOut, i, h);
      // traces: θ_k = T_t[ρ, κ] contributes W_i z_{t,i,ρ} y_t[κ].
      const wi = ld(wP, i);
      let e0 = 0;
      for (let t = 0; t < nTerms; t++) {
        const pt = ldi(termP, t);
        const z = zRow(cx, t, i, pt);
        const yo = t == t0 ? 0 : p1 + e0;
        for (let kap = 0; kap < pt; kap++)
          for (let rho = kap; rho < pt; rho++) {
            const k = thetaIndexOf(cx, t, rho, kap);
            if (k >= 0) st(trace, k, ld(trace, k) + wi * ld(z, rho) * ld(yVal, yo + kap));
          }
        if (t != t0) e0 += pt;
      }
    }
  }
}

/**
 * The gradient of the Laplace criterion (−2 log f(y|μ) + ‖u‖² + log|M|) at the state glmmPirls left (u-only
 * or joint engine, factor at the converged weights in the context). X: n×p column-major (u-only: the fixed
 * effects' gradient Xᵀe; the joint engine passes p = 0). grad: nTheta + p.
 * scratch: 3n + 2q + pX + nTheta + 2 nd + 3 p1 + 8 f64 (c, e, r, v, Λv, the traces, …); iscratch: qRest + nd i32.
 */
export function glmmLaplaceGradient(
  ctx: usize, family: i32, link: i32, y: usize, pw: usize, eta: usize, mu: usize, x: usize, X: usize, p: i32,
  grad: usize, scratch: usize, iscratch: usize,
): void {
  const cx = changetype<Context>(ctx);
  const n = cx.nObs;
  const q = cx.q1 + cx.qRest;
  const pX = cx.pX;
  const xP = cx.xP;
  const nTerms = cx.nTerms;
  const termP = cx.termP;
  const wP = cx.wP;
  const nTheta = thetaCount(cx);
  const c = scratch;
  const e = c + (<usize>n << 3);
  const r = e + (<usize>n << 3);
  const v = r + (<usize>n << 3);
  const lv = v + (<usize>(q + pX) << 3);
  const trace = lv + (<usize>q << 3);
  const fs = trace + (<usize>(nTheta + 1) << 3);
  leverages(cx, c, trace, iscratch, fs);
  // c = h∘W′ and r = pw(y − μ)μ′/V; then ΛᵀZᵀc (term by term) and Xᵀc.
  for (let k = 0; k < q + pX; k++) st(v, k, 0.0);
  for (let i = 0; i < n; i++) {
    const m = ld(mu, i);
    const e0 = ld(eta, i);
    st(c, i, ld(c, i) * weightSlope(family, m, ld(pw, i)));
    const d = link == LINK_LOGIT && Math.abs(e0) <= 30.0 ? m * (1.0 - m) : muEta(link, e0);
    st(r, i, (ld(pw, i) * (ld(y, i) - m) * d) / variance(family, m));
    st(e, i, 0.0);
  }
  for (let t = 0; t < nTerms; t++) {
    const pt = ldi(termP, t);
    const T = tplOf(cx, t);
    const refs = cx.refsP + (<usize>(t * n) << 2);
    const o0 = blockStart(cx, t, 0, pt);
    if (pt == 1) {
      const z = zRow(cx, t, 0, 1);
      const t00 = ld(T, 0);
      for (let i = 0; i < n; i++) {
        const o = o0 + load<i32>(refs + (<usize>i << 2));
        st(v, o, ld(v, o) + t00 * ld(z, i) * ld(c, i));
      }
      continue;
    }
    for (let i = 0; i < n; i++) {
      const z = zRow(cx, t, i, pt);
      const o = o0 + load<i32>(refs + (<usize>i << 2)) * pt;
      const ci = ld(c, i);
      for (let j = 0; j < pt; j++) {
        let s = 0.0;
        for (let mm = j; mm < pt; mm++) s += ld(T, mm + j * pt) * ld(z, mm);
        st(v, o + j, ld(v, o + j) + s * ci);
      }
    }
  }
  for (let j = 0; j < pX; j++) {
    let s = 0.0;
    const col = xP + (<usize>(j * n) << 3);
    for (let i = 0; i < n; i++) s += ld(col, i) * ld(c, i);
    st(v, q + j, s);
  }
  solveM(cx, v);
  lambdaTimes(cx, v, lv);
  // e = −2r + c − W∘(ZΛv + Xv_β), accumulated term by term.
  for (let t = 0; t < nTerms; t++) {
    const pt = ldi(termP, t);
    const refs = cx.refsP + (<usize>(t * n) << 2);
    const o0 = blockStart(cx, t, 0, pt);
    for (let i = 0; i < n; i++) {
      const z = zRow(cx, t, i, pt);
      const o = o0 + load<i32>(refs + (<usize>i << 2)) * pt;
      let s = 0.0;
      for (let j = 0; j < pt; j++) s += ld(z, j) * ld(lv, o + j);
      st(e, i, ld(e, i) + s);
    }
  }
  for (let j = 0; j < pX; j++) {
    const col = xP + (<usize>(j * n) << 3);
    const vj = ld(v, q + j);
    for (let i = 0; i < n; i++) st(e, i, ld(e, i) + ld(col, i) * vj);
  }
  for (let i = 0; i < n; i++) st(e, i, -2.0 * ld(r, i) + ld(c, i) - ld(wP, i) * ld(e, i));
  for (let k = 0; k < nTheta; k++) st(grad, k, 2.0 * ld(trace, k));
  for (let j = 0; j < p; j++) {
    const col = X + (<usize>(j * n) << 3);
    let s = 0.0;
    for (let i = 0; i < n; i++) s += ld(e, i) * ld(col, i);
    st(grad, nTheta + j, s);
  }
  // ∂/∂θ_k += Σ z_{t,i,ρ} (e_i u[κ] + r_i v[κ]) for θ_k = T_t[ρ, κ] (none for a fixed zero of T).
  for (let t = 0; t < nTerms; t++) {
    const pt = ldi(termP, t);
    const refs = cx.refsP + (<usize>(t * n) << 2);
    const o0 = blockStart(cx, t, 0, pt);
    for (let i = 0; i < n; i++) {
      const z = zRow(cx, t, i, pt);
      const o = o0 + load<i32>(refs + (<usize>i << 2)) * pt;
      const ei = ld(e, i);
      const ri = ld(r, i);
      for (let kap = 0; kap < pt; kap++) {
        const w = ei * ld(x, o + kap) + ri * ld(v, o + kap);
        for (let rho = kap; rho < pt; rho++) {
          const k = thetaIndexOf(cx, t, rho, kap);
          if (k >= 0) st(grad, k, ld(grad, k) + ld(z, rho) * w);
        }
      }
    }
  }
}
