// The gradient by selected inversion (docs/architecture.md, "The gradient"): per level g of term 1,
// Q_g = (Ω_e⁻¹)_gg = A_g⁻¹ + K_gᵀ S K_g with K_g = L21_g L_g⁻¹ and S the inverse of the trailing block, needing S
// on R_g × R_g only; the accumulators PS (Σ of P's diagonal blocks) and ZU (Σ Zᵀê ûᵀ) per term.
// gradOneFactorP3 is the one-factor p₁ = 3 case written out (Sitka).

import { Context } from "./contract";
import { ld, st, ldi } from "./access";
import { axpy, dotOneAccumulator } from "../linalg/vector";
import { smallLowerInverse, smallLowerGram } from "./small";
import { lambda2tListRow } from "./templates";
import { residualTrailingSparse } from "./sparse-trailing";
import { cornerPos, pairPos, tailStart } from "./pattern";

/**
 * For level g of term 1 with ne effective trailing rows: Linv, Ainv, K = L21_g L_g⁻¹, Y = S[R,R] K and
 * Q = A⁻¹ + Kᵀ Y = (Ω_e⁻¹)_gg. Returns the number m of effective rows of R_g (a prefix, R_g is ascending).
 */
@inline function levelInverseP(cx: Context, g: i32, ne: i32, P: i32): i32 {
  const nd = cx.nd;
  const rowStart = cx.rowStart;
  const rowIdx = cx.rowIdx;
  const Lg = cx.Lg;
  const L21 = cx.L21;
  const S = cx.S;
  const wLinv = cx.wLinv;
  const wAinv = cx.wAinv;
  const wQ = cx.wQ;
  const wK = cx.wK;
  const wY = cx.wY;
  const pp = P * P;
  const Lgg = Lg + (<usize>(g * pp) << 3);
  smallLowerInverse(Lgg, wLinv, P);
  // Ainv = Linvᵀ Linv
  smallLowerGram(wLinv, wAinv, P);
  const r0 = ldi(rowStart, g);
  const r1 = ldi(rowStart, g + 1);
  let m = 0;
  while (r0 + m < r1 && ldi(rowIdx, r0 + m) < ne) m++;
  // K rows (m × P, row-major)
  for (let r = 0; r < m; r++)
    for (let k = 0; k < P; k++) {
      let s = 0.0;
      for (let mm = k; mm < P; mm++) s += ld(L21, (r0 + r) * P + mm) * ld(wLinv, mm + k * P);
      st(wK, r * P + k, s);
    }
  // Y = S[R,R] K (S on the pattern on the sparse path)
  if (cx.spOn != 0) levelProductSparse(cx, g, r0, m, P);
  else for (let r = 0; r < m; r++) {
    const Sr = S + (<usize>(ldi(rowIdx, r0 + r) * nd) << 3);
    for (let k = 0; k < P; k++) {
      let s = 0.0;
      for (let r2 = 0; r2 < m; r2++) s += ld(Sr, ldi(rowIdx, r0 + r2)) * ld(wK, r2 * P + k);
      st(wY, r * P + k, s);
    }
  }
  // Q = Ainv + Kᵀ Y
  for (let a = 0; a < P; a++)
    for (let b = 0; b < P; b++) {
      let s = ld(wAinv, a + b * P);
      for (let r = 0; r < m; r++) s += ld(wK, r * P + a) * ld(wY, r * P + b);
      st(wQ, a + b * P, s);
    }
  return m;
}

/**
 * Y = S[R,R] K for the m effective rows R of a level on the sparse path, S the selected inverse on the pattern
 * (spZx). R is the level's mr random rows, then (REML) the X rows, all of them and contiguous: a search only
 * between two random rows (each row's positions found once, idxP), a random row's X entries the contiguous tail
 * of its column (its start kept in sIdx), the X corner dense in its columns. idxP and sIdx, scratch of the
 * fixed-effects covariance and of the statistics, are free here. Each sum runs over R in order, as on the dense
 * path.
 */
export function levelProductSparse(cx: Context, g: i32, r0: i32, m: i32, P: i32): void {
  const qRest = cx.qRest;
  const rowIdx = cx.rowIdx;
  const zx = cx.spZx;
  const tail = cx.sIdx;
  const pos = cx.idxP;
  const wK = cx.wK;
  const wY = cx.wY;
  let mr = 0;
  while (mr < m && ldi(rowIdx, r0 + mr) < qRest) mr++;
  const mx = m - mr;
  for (let a = 0; a < mr; a++) store<i32>(tail + (<usize>a << 2), tailStart(cx, ldi(rowIdx, r0 + a)));
  for (let r = 0; r < mr; r++) {
    const c = ldi(rowIdx, r0 + r);
    for (let r2 = 0; r2 < mr; r2++) store<i32>(pos + (<usize>r2 << 2), pairPos(cx, g, r0, r2, r));
    const ts = zx + (<usize>ldi(tail, r) << 3);
    for (let k = 0; k < P; k++) {
      let s = 0.0;
      for (let r2 = 0; r2 < mr; r2++) s += ld(zx, ldi(pos, r2)) * ld(wK, r2 * P + k);
      for (let x = 0; x < mx; x++) s += ld(ts, x) * ld(wK, (mr + x) * P + k);
      st(wY, r * P + k, s);
    }
  }
  for (let x = 0; x < mx; x++)
    for (let k = 0; k < P; k++) {
      let s = 0.0;
      for (let r2 = 0; r2 < mr; r2++) s += ld(zx, ldi(tail, r2) + x) * ld(wK, r2 * P + k);
      for (let x2 = 0; x2 < mx; x2++) s += ld(zx, cornerPos(cx, qRest + x, qRest + x2)) * ld(wK, (mr + x2) * P + k);
      st(wY, (mr + x) * P + k, s);
    }
}

export function levelInverse(cx: Context, g: i32, ne: i32): i32 {
  const p1 = cx.p1;
  return levelInverseP(cx, g, ne, p1);
}

/** Accumulators per term (offsets as the templates): PS (Σ_levels of P's diagonal blocks), ZU (Σ zte·uᵀ). */
@inline export function psAcc(cx: Context, t: i32): usize {
  const tplOff = cx.tplOff;
  const acc = cx.acc;
  return acc + (<usize>ldi(tplOff, t) << 3);
}

@inline export function zuAcc(cx: Context, t: i32): usize {
  const tplOff = cx.tplOff;
  const acc = cx.acc;
  const tplTotal = cx.tplTotal;
  return acc + (<usize>(tplTotal + ldi(tplOff, t)) << 3);
}

/** Zᵀê = Zᵀy − ZᵀXβ̂ − ZᵀZ b̂ from the raw statistics, in the internal order. */
export function residualCross(cx: Context): void {
  const p1 = cx.p1;
  const l1 = cx.l1;
  const qRest = cx.qRest;
  const pX = cx.pX;
  const nd = cx.nd;
  const H11 = cx.H11;
  const rowStart = cx.rowStart;
  const rowIdx = cx.rowIdx;
  const H21 = cx.H21;
  const H22 = cx.H22;
  const xSol = cx.xSol;
  const zte = cx.zte;
  const bP = cx.bP;
  const q1 = cx.q1;
  const beta = xSol + (<usize>(q1 + qRest) << 3);
  const b2 = bP + (<usize>q1 << 3);
  const z2 = zte + (<usize>q1 << 3);
  const pp = p1 * p1;
  if (cx.spOn != 0) residualTrailingSparse(cx);
  else
    for (let c = 0; c < qRest; c++) {
      let s = ld(H22, nd - 1 + c * nd);
      for (let x = 0; x < pX; x++) s -= ld(H22, qRest + x + c * nd) * ld(beta, x);
      for (let c2 = 0; c2 < qRest; c2++) s -= ld(H22, c2 + c * nd) * ld(b2, c2);
      st(z2, c, s);
    }
  for (let g = 0; g < l1; g++) {
    const r0 = ldi(rowStart, g);
    const r1 = ldi(rowStart, g + 1);
    const Hg = H11 + (<usize>(g * pp) << 3);
    // (loops ordered so that the long one, over rows, accumulates in a register)
    for (let k = 0; k < p1; k++) {
      let s = ld(H21, (r1 - 1) * p1 + k);
      for (let m = 0; m < p1; m++) s -= ld(Hg, k + m * p1) * ld(bP, g * p1 + m);
      let r = r0;
      for (; r < r1 - 1; r++) {
        const c = ldi(rowIdx, r);
        if (c >= qRest) break;
        s -= ld(H21, r * p1 + k) * ld(b2, c);
      }
      for (; r < r1 - 1; r++) s -= ld(H21, r * p1 + k) * ld(beta, ldi(rowIdx, r) - qRest);
      st(zte, g * p1 + k, s);
    }
    for (let r = r0; r < r1 - 1; r++) {
      const c = ldi(rowIdx, r);
      if (c >= qRest) break;
      let s2 = 0.0;
      for (let k = 0; k < p1; k++) s2 += ld(H21, r * p1 + k) * ld(bP, g * p1 + k);
      st(z2, c, ld(z2, c) - s2);
    }
  }
}

/**
 * The one-factor case (no other random terms): R_g is X then y for every level, so trailing index = position in
 * R_g, the effective rows are the first ne, and S[R,R] is the contiguous leading block of S. K and Y are kept
 * column-major so that Y = S K is a few f64x2 axpys over S's columns. Same quantities as levelInverseP and
 * gradLevel's term-1 part.
 */
@inline export function gradLevelOneFactor(cx: Context, g: i32, m: i32, P: i32, ps1: usize): void {
  const nd = cx.nd;
  const H11 = cx.H11;
  const rowStart = cx.rowStart;
  const H21 = cx.H21;
  const Lg = cx.Lg;
  const L21 = cx.L21;
  const S = cx.S;
  const T1 = cx.T1;
  const wLinv = cx.wLinv;
  const wQ = cx.wQ;
  const wE = cx.wE;
  const wK = cx.wK;
  const wY = cx.wY;
  const pp = P * P;
  const Lgg = Lg + (<usize>(g * pp) << 3);
  smallLowerInverse(Lgg, wLinv, P);
  // Q starts as A⁻¹ = Linvᵀ Linv
  smallLowerGram(wLinv, wQ, P);
  const r0 = ldi(rowStart, g);
  const Hrow = H21 + (<usize>(r0 * P) << 3);
  const Lrow = L21 + (<usize>(r0 * P) << 3);
  if (m > 0) {
    // K (column-major m × P) = L21_g L_g⁻¹
    for (let k = 0; k < P; k++)
      for (let r = 0; r < m; r++) {
        let s = 0.0;
        for (let mm = k; mm < P; mm++) s += ld(Lrow, r * P + mm) * ld(wLinv, mm + k * P);
        st(wK, k * m + r, s);
      }
    // Y[:, k] = Σ_r2 S[:, r2] K[r2, k]
    for (let k = 0; k < P; k++) {
      const Yk = wY + (<usize>(k * m) << 3);
      for (let r = 0; r < m; r++) st(Yk, r, 0.0);
      for (let r2 = 0; r2 < m; r2++) axpy(Yk, S + (<usize>(r2 * nd) << 3), ld(wK, k * m + r2), m);
    }
    // Q += Kᵀ Y
    for (let a = 0; a < P; a++)
      for (let b = 0; b < P; b++) {
        const s = dotOneAccumulator(wK + (<usize>(a * m) << 3), wY + (<usize>(b * m) << 3), m);
        st(wQ, a + b * P, ld(wQ, a + b * P) + s);
      }
  }
  // E = T₁ᵀ H_g; PS₁ += Q E − Yᵀ V with V the X rows of H21_g (Λ₂ = I on X)
  const Hg = H11 + (<usize>(g * pp) << 3);
  for (let mm = 0; mm < P; mm++)
    for (let b = 0; b < P; b++) {
      let s = 0.0;
      for (let l = mm; l < P; l++) s += ld(T1, l + mm * P) * ld(Hg, l + b * P);
      st(wE, mm + b * P, s);
    }
  for (let a = 0; a < P; a++)
    for (let b = 0; b < P; b++) {
      let s = 0.0;
      for (let mm = 0; mm < P; mm++) s += ld(wQ, a + mm * P) * ld(wE, mm + b * P);
      const Ya = wY + (<usize>(a * m) << 3);
      for (let r = 0; r < m; r++) s -= ld(Ya, r) * ld(Hrow, r * P + b);
      st(ps1, a * P + b, ld(ps1, a * P + b) + s);
    }
}

/** One level's contribution to the gradient accumulators; P is p₁, a literal at the specialised call sites. */
@inline export function gradLevel(cx: Context, g: i32, ne: i32, P: i32, ps1: usize): void {
  const qRest = cx.qRest;
  const termP = cx.termP;
  const rowTerm = cx.rowTerm;
  const rowPos = cx.rowPos;
  const H11 = cx.H11;
  const rowStart = cx.rowStart;
  const rowIdx = cx.rowIdx;
  const H21 = cx.H21;
  const T1 = cx.T1;
  const wQ = cx.wQ;
  const wE = cx.wE;
  const wY = cx.wY;
  const wV = cx.wV;
  const m = levelInverseP(cx, g, ne, P);
  const r0 = ldi(rowStart, g);
  const Hg = H11 + (<usize>(g * P * P) << 3);
  // E = T₁ᵀ H_g;  PS₁ += Q E − Yᵀ V  (V = Λ₂ᵀ H21_g on the effective rows)
  for (let mm = 0; mm < P; mm++)
    for (let b = 0; b < P; b++) {
      let s = 0.0;
      for (let l = mm; l < P; l++) s += ld(T1, l + mm * P) * ld(Hg, l + b * P);
      st(wE, mm + b * P, s);
    }
  for (let r = 0; r < m; r++) {
    const c = ldi(rowIdx, r0 + r);
    for (let k = 0; k < P; k++) st(wV, r * P + k, lambda2tListRow(cx, c, r0 + r, k));
  }
  for (let a = 0; a < P; a++)
    for (let b = 0; b < P; b++) {
      let s = 0.0;
      for (let mm = 0; mm < P; mm++) s += ld(wQ, a + mm * P) * ld(wE, mm + b * P);
      for (let r = 0; r < m; r++) s -= ld(wY, r * P + a) * ld(wV, r * P + b);
      st(ps1, a * P + b, ld(ps1, a * P + b) + s);
    }
  // Trailing random rows: P[b, a] −= Y[b,·] · (H21_g T₁)[a,·] for b, a in one block of another term.
  for (let r = 0; r < m; r++) {
    const c = ldi(rowIdx, r0 + r);
    if (c >= qRest) break;
    const t = ldi(rowTerm, c);
    const ps = ldi(termP, t);
    const ja = ldi(rowPos, c);
    const base = r - ja;
    const pst = psAcc(cx, t);
    for (let jb = 0; jb < ps; jb++) {
      let s = 0.0;
      for (let k = 0; k < P; k++) {
        let u = 0.0;
        for (let mm = k; mm < P; mm++) u += ld(H21, (r0 + r) * P + mm) * ld(T1, mm + k * P);
        s += ld(wY, (base + jb) * P + k) * u;
      }
      st(pst, jb * ps + ja, ld(pst, jb * ps + ja) - s);
    }
  }
}

/**
 * Sitka's case written out (one factor, p₁ = 3): per level, Zᵀê, the ZU and PS accumulators, and the selected
 * inverse, with every 3×3 quantity in locals. Same arithmetic as residualCross + gradLevelOneFactor.
 */
// Pays (engine bench, generic per-level path → this): Sitka objective + gradient 16.2 → 9.3 µs (1.75×).
export function gradOneFactorP3(cx: Context, ne: i32): void {
  const t0 = cx.t0;
  const l1 = cx.l1;
  const qRest = cx.qRest;
  const nd = cx.nd;
  const H11 = cx.H11;
  const rowStart = cx.rowStart;
  const rowIdx = cx.rowIdx;
  const H21 = cx.H21;
  const Lg = cx.Lg;
  const L21 = cx.L21;
  const S = cx.S;
  const xSol = cx.xSol;
  const zte = cx.zte;
  const bP = cx.bP;
  const T1 = cx.T1;
  const q1 = cx.q1;
  const wK = cx.wK;
  const wY = cx.wY;
  const t00 = ld(T1, 0);
  const t10 = ld(T1, 1);
  const t20 = ld(T1, 2);
  const t11 = ld(T1, 4);
  const t21 = ld(T1, 5);
  const t22 = ld(T1, 8);
  const beta = xSol + (<usize>(q1 + qRest) << 3);
  const m = ne;
  // accumulators: ZU[j][k] = Σ zte_j u_k, PS[a][b]
  let zu00 = 0.0, zu01 = 0.0, zu02 = 0.0, zu10 = 0.0, zu11 = 0.0, zu12 = 0.0, zu20 = 0.0, zu21 = 0.0, zu22 = 0.0;
  let ps00 = 0.0, ps01 = 0.0, ps02 = 0.0, ps10 = 0.0, ps11 = 0.0, ps12 = 0.0, ps20 = 0.0, ps21 = 0.0, ps22 = 0.0;
  for (let g = 0; g < l1; g++) {
    const r0 = ldi(rowStart, g);
    const r1 = ldi(rowStart, g + 1);
    const H = H11 + (<usize>(g * 9) << 3);
    const h00 = load<f64>(H);
    const h10 = load<f64>(H, 8);
    const h20 = load<f64>(H, 16);
    const h11 = load<f64>(H, 32);
    const h21 = load<f64>(H, 40);
    const h22 = load<f64>(H, 64);
    const ub = xSol + (<usize>(g * 3) << 3);
    const u0 = load<f64>(ub);
    const u1 = load<f64>(ub, 8);
    const u2 = load<f64>(ub, 16);
    const bb = bP + (<usize>(g * 3) << 3);
    const b0 = load<f64>(bb);
    const b1 = load<f64>(bb, 8);
    const b2 = load<f64>(bb, 16);
    // Zᵀê for this level: Z_gᵀy − H_g b_g − Z_gᵀX β
    const Hy = H21 + (<usize>((r1 - 1) * 3) << 3);
    let z0 = load<f64>(Hy) - (h00 * b0 + h10 * b1 + h20 * b2);
    let z1 = load<f64>(Hy, 8) - (h10 * b0 + h11 * b1 + h21 * b2);
    let z2 = load<f64>(Hy, 16) - (h20 * b0 + h21 * b1 + h22 * b2);
    for (let r = r0; r < r1 - 1; r++) {
      const bx = ld(beta, ldi(rowIdx, r) - qRest);
      const Hr = H21 + (<usize>(r * 3) << 3);
      z0 -= load<f64>(Hr) * bx;
      z1 -= load<f64>(Hr, 8) * bx;
      z2 -= load<f64>(Hr, 16) * bx;
    }
    st(zte, g * 3, z0);
    st(zte, g * 3 + 1, z1);
    st(zte, g * 3 + 2, z2);
    zu00 += z0 * u0;
    zu01 += z0 * u1;
    zu02 += z0 * u2;
    zu10 += z1 * u0;
    zu11 += z1 * u1;
    zu12 += z1 * u2;
    zu20 += z2 * u0;
    zu21 += z2 * u1;
    zu22 += z2 * u2;
    // L⁻¹ and A⁻¹ = L⁻ᵀ L⁻¹
    const L = Lg + (<usize>(g * 9) << 3);
    const i00 = 1.0 / load<f64>(L);
    const i11 = 1.0 / load<f64>(L, 32);
    const i22 = 1.0 / load<f64>(L, 64);
    const n10 = -load<f64>(L, 8) * i00 * i11;
    const n21 = -load<f64>(L, 40) * i11 * i22;
    const n20 = -(load<f64>(L, 16) * i00 + load<f64>(L, 40) * n10) * i22;
    let q00 = i00 * i00 + n10 * n10 + n20 * n20;
    let q10 = i11 * n10 + n21 * n20;
    let q20 = i22 * n20;
    let q11 = i11 * i11 + n21 * n21;
    let q21 = i22 * n21;
    let q22 = i22 * i22;
    let q01 = q10, q02 = q20, q12 = q21;
    // E = T₁ᵀ H_g
    const e00 = t00 * h00 + t10 * h10 + t20 * h20;
    const e01 = t00 * h10 + t10 * h11 + t20 * h21;
    const e02 = t00 * h20 + t10 * h21 + t20 * h22;
    const e10 = t11 * h10 + t21 * h20;
    const e11 = t11 * h11 + t21 * h21;
    const e12 = t11 * h21 + t21 * h22;
    const e20 = t22 * h20;
    const e21 = t22 * h21;
    const e22 = t22 * h22;
    if (m > 0) {
      // K = L21_g L⁻¹ (column-major m×3), Y = S K, Q += Kᵀ Y, and Yᵀ V below
      const Lr = L21 + (<usize>(r0 * 3) << 3);
      for (let r = 0; r < m; r++) {
        const a0 = load<f64>(Lr + (<usize>(r * 3) << 3));
        const a1 = load<f64>(Lr + (<usize>(r * 3) << 3), 8);
        const a2 = load<f64>(Lr + (<usize>(r * 3) << 3), 16);
        st(wK, r, a0 * i00 + a1 * n10 + a2 * n20);
        st(wK, m + r, a1 * i11 + a2 * n21);
        st(wK, 2 * m + r, a2 * i22);
      }
      for (let k = 0; k < 3; k++) {
        const Yk = wY + (<usize>(k * m) << 3);
        for (let r = 0; r < m; r++) st(Yk, r, 0.0);
        for (let r2 = 0; r2 < m; r2++) axpy(Yk, S + (<usize>(r2 * nd) << 3), ld(wK, k * m + r2), m);
      }
      let ky00 = 0.0, ky01 = 0.0, ky02 = 0.0, ky11 = 0.0, ky12 = 0.0, ky22 = 0.0;
      let yv00 = 0.0, yv01 = 0.0, yv02 = 0.0, yv10 = 0.0, yv11 = 0.0, yv12 = 0.0, yv20 = 0.0, yv21 = 0.0, yv22 = 0.0;
      for (let r = 0; r < m; r++) {
        const k0 = ld(wK, r);
        const k1 = ld(wK, m + r);
        const k2 = ld(wK, 2 * m + r);
        const y0 = ld(wY, r);
        const y1 = ld(wY, m + r);
        const y2 = ld(wY, 2 * m + r);
        ky00 += k0 * y0;
        ky01 += k0 * y1;
        ky02 += k0 * y2;
        ky11 += k1 * y1;
        ky12 += k1 * y2;
        ky22 += k2 * y2;
        const Hr = H21 + (<usize>((r0 + r) * 3) << 3);
        const v0 = load<f64>(Hr);
        const v1 = load<f64>(Hr, 8);
        const v2 = load<f64>(Hr, 16);
        yv00 += y0 * v0;
        yv01 += y0 * v1;
        yv02 += y0 * v2;
        yv10 += y1 * v0;
        yv11 += y1 * v1;
        yv12 += y1 * v2;
        yv20 += y2 * v0;
        yv21 += y2 * v1;
        yv22 += y2 * v2;
      }
      // Kᵀ S K is symmetric
      q00 += ky00;
      q01 += ky01;
      q02 += ky02;
      q10 += ky01;
      q11 += ky11;
      q12 += ky12;
      q20 += ky02;
      q21 += ky12;
      q22 += ky22;
      ps00 -= yv00;
      ps01 -= yv01;
      ps02 -= yv02;
      ps10 -= yv10;
      ps11 -= yv11;
      ps12 -= yv12;
      ps20 -= yv20;
      ps21 -= yv21;
      ps22 -= yv22;
    }
    ps00 += q00 * e00 + q01 * e10 + q02 * e20;
    ps01 += q00 * e01 + q01 * e11 + q02 * e21;
    ps02 += q00 * e02 + q01 * e12 + q02 * e22;
    ps10 += q10 * e00 + q11 * e10 + q12 * e20;
    ps11 += q10 * e01 + q11 * e11 + q12 * e21;
    ps12 += q10 * e02 + q11 * e12 + q12 * e22;
    ps20 += q20 * e00 + q21 * e10 + q22 * e20;
    ps21 += q20 * e01 + q21 * e11 + q22 * e21;
    ps22 += q20 * e02 + q21 * e12 + q22 * e22;
  }
  const zu = zuAcc(cx, t0);
  st(zu, 0, zu00);
  st(zu, 1, zu01);
  st(zu, 2, zu02);
  st(zu, 3, zu10);
  st(zu, 4, zu11);
  st(zu, 5, zu12);
  st(zu, 6, zu20);
  st(zu, 7, zu21);
  st(zu, 8, zu22);
  const ps = psAcc(cx, t0);
  st(ps, 0, ps00);
  st(ps, 1, ps01);
  st(ps, 2, ps02);
  st(ps, 3, ps10);
  st(ps, 4, ps11);
  st(ps, 5, ps12);
  st(ps, 6, ps20);
  st(ps, 7, ps21);
  st(ps, 8, ps22);
}
