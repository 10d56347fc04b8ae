// The gradient from the inverse factor alone, for crossed factors at scale (docs/architecture.md, "The gradient
// at scale"). When every template T_t is invertible, the sum of P's diagonal blocks over the levels of term t is
// (ℓ_t I − Σ_levels Q_ℓ) T_t⁻¹ with Q_ℓ = (Ω_e⁻¹)_ℓℓ the column products of V = L_e⁻¹ (trailing levels) and
// Q_g = A_g⁻¹ + YᵀY, Y = V K̃_g (term-1 levels): one n³/3 step (inverting the factor) instead of two. Near a
// boundary (a diagonal of T below INVERSE_PATH_MIN) I − Q_ℓ is a difference of nearly equal numbers, so the
// selected inverse (./gradient-selected.ts) is used there, and for nested factors (sparse trailing block).

import { Context } from "./contract";
import { ld, st, ldi } from "./access";
import { denseLowerInv } from "./dense-ops";
import { axpy, dot } from "../linalg/vector";
import { psAcc } from "./gradient-selected";
import { smallLowerInverse, smallLowerGram } from "./small";
import { tplOf } from "./templates";
import { addTerm1QScalar } from "./team-tasks";

// ---------------------------------------------------------------------------------------------------------------
// The gradient from the inverse factor alone (crossed factors at scale).
//
// When every template T_t is invertible, Λ̃ᵀG = (Ω_e − J)Λ̃⁻¹ (G the cross-product matrix, J the identity on the Z
// rows), so P = Ω_e⁻¹Λ̃ᵀG = (I − Ω_e⁻¹J)Λ̃⁻¹ and the sum of P's diagonal blocks over the levels of term t is
// (ℓ_t I − Σ_levels Q_ℓ) T_t⁻¹, where Q_ℓ = (Ω_e⁻¹)_ℓℓ. Only the diagonal blocks of Ω_e⁻¹ are needed, and they
// are column products of the inverse factor: with V = L_e⁻¹ (the trailing block's factor inverted, lower),
//   trailing level ℓ: Q_ℓ = V[:, ℓ]ᵀ V[:, ℓ];   term-1 level g: Q_g = A_g⁻¹ + YᵀY, Y = V K̃_g, K_g = L21_g L_g⁻¹,
// where K̃_g places K_g's rows at the trailing rows R_g. That replaces the selected inverse's second dense
// product S = VᵀV (n³/3 flops, as much as the factorisation at InstEval's 1128×1128 block) by the sparse products
// V K̃_g (about nnz(L21)·n/2 multiply-adds). The identity divides by the diagonal of T_t, so near a boundary (a θ diagonal below
// INVERSE_PATH_MIN) the selected inverse is used instead: there I − Q_ℓ would be a difference of nearly equal
// numbers. Nested factors keep the selected inverse too: their trailing block stays sparse and S is cheap.

/** Smallest |diagonal of T_t| for which the gradient is taken from the inverse factor. */
const INVERSE_PATH_MIN: f64 = 1e-3;

export function inverseFactorPathApplies(cx: Context): bool {
  const nTerms = cx.nTerms;
  const qRest = cx.qRest;
  const termP = cx.termP;
  const sparseTrailing = cx.sparse != 0;
  if (qRest == 0 || sparseTrailing) return false;
  for (let t = 0; t < nTerms; t++) {
    const pt = ldi(termP, t);
    const T = tplOf(cx, t);
    for (let k = 0; k < pt; k++) if (!(Math.abs(ld(T, k + k * pt)) >= INVERSE_PATH_MIN)) return false;
  }
  return true;
}

/** Rows of V per panel in addTerm1Q: a panel of InstEval's V (32 rows × ≤ 1144 columns, ≈ 290 KB) stays in L2. */
/** wLinv ← L_g⁻¹ (lower, column-major) for level g of term 1. */
@inline function levelFactorInverse(cx: Context, g: i32, P: i32): void {
  const Lg = cx.Lg;
  const wLinv = cx.wLinv;
  smallLowerInverse(Lg + (<usize>(g * P * P) << 3), wLinv, P);
}

/**
 * Σ_g Q_g = Σ_g (A_g⁻¹ + Y_gᵀY_g) over the levels of term 1 (see above), added to qsum (P×P, row-major); V is in
 * S (ld nd). wYd holds Y_g: P columns of length ne − c_min, row i ↔ trailing row c_min + i (V K̃_g is zero above
 * R_g's first row). p₁ = 1 has its own version, addTerm1QScalar.
 */
@inline function addTerm1Q(cx: Context, ne: i32, P: i32, qsum: usize): void {
  const l1 = cx.l1;
  const nd = cx.nd;
  const rowStart = cx.rowStart;
  const rowIdx = cx.rowIdx;
  const L21 = cx.L21;
  const S = cx.S;
  const wLinv = cx.wLinv;
  const wAinv = cx.wAinv;
  const wYd = cx.wYd;
  for (let g = 0; g < l1; g++) {
    levelFactorInverse(cx, g, P);
    // A_g⁻¹ = L_g⁻ᵀ L_g⁻¹ (symmetric, so its column-major and row-major layouts agree)
    smallLowerGram(wLinv, wAinv, P);
    for (let i = 0; i < P * P; i++) st(qsum, i, ld(qsum, i) + ld(wAinv, i));
    const r0 = ldi(rowStart, g);
    const r1 = ldi(rowStart, g + 1);
    if (r0 >= r1) continue;
    const cmin = ldi(rowIdx, r0);
    if (cmin >= ne) continue;
    const len = ne - cmin;
    for (let i = 0; i < P * len; i++) st(wYd, i, 0.0);
    for (let r = r0; r < r1; r++) {
      const c = ldi(rowIdx, r);
      if (c >= ne) break;
      const Vc = S + ((<usize>c + <usize>c * <usize>nd) << 3);
      for (let k = 0; k < P; k++) {
        // K[r, k] = Σ_m L21[r, m] L_g⁻¹[m, k]
        let kv = 0.0;
        for (let mm = k; mm < P; mm++) kv += ld(L21, r * P + mm) * ld(wLinv, mm + k * P);
        axpy(wYd + (<usize>(k * len + c - cmin) << 3), Vc, kv, ne - c);
      }
    }
    for (let a = 0; a < P; a++)
      for (let b = 0; b <= a; b++) {
        const s = dot(wYd + (<usize>(a * len) << 3), wYd + (<usize>(b * len) << 3), len);
        st(qsum, a * P + b, ld(qsum, a * P + b) + s);
        if (a != b) st(qsum, b * P + a, ld(qsum, b * P + a) + s);
      }
  }
}

/** The PS accumulators from the inverse factor: PS_t = (ℓ_t I − Σ_ℓ Q_ℓ) T_t⁻¹ (row-major), see above. */
export function psFromInverseFactor(cx: Context, ne: i32): void {
  const nTerms = cx.nTerms;
  const t0 = cx.t0;
  const p1 = cx.p1;
  const l1 = cx.l1;
  const qRest = cx.qRest;
  const nd = cx.nd;
  const termP = cx.termP;
  const rowTerm = cx.rowTerm;
  const rowPos = cx.rowPos;
  const C = cx.C;
  const S = cx.S;
  const wTinv = cx.wTinv;
  const wRow = cx.wRow;
  // V = L_e⁻¹ in S (lower).
  for (let j = 0; j < ne; j++) for (let i = j; i < ne; i++) st(S, i + j * nd, ld(C, i + j * nd));
  denseLowerInv(S, ne, nd, false, cx.team);
  // Σ Q per term, accumulated in the PS slots (zeroed by the caller) and converted in place below.
  const q0 = psAcc(cx, t0);
  if (p1 == 1) addTerm1QScalar(cx, ne, q0);
  else if (p1 == 2) addTerm1Q(cx, ne, 2, q0);
  else if (p1 == 3) addTerm1Q(cx, ne, 3, q0);
  else addTerm1Q(cx, ne, p1, q0);
  for (let c = 0; c < qRest; c++) {
    const t = ldi(rowTerm, c);
    const ps = ldi(termP, t);
    const ja = ldi(rowPos, c);
    const base = c - ja;
    const qs = psAcc(cx, t);
    for (let jb = 0; jb < ps; jb++) {
      const cb = base + jb;
      const r = c > cb ? c : cb;
      const s = dot(S + ((<usize>r + <usize>c * <usize>nd) << 3), S + ((<usize>r + <usize>cb * <usize>nd) << 3), ne - r);
      st(qs, ja * ps + jb, ld(qs, ja * ps + jb) + s);
    }
  }
  // PS_t = (ℓ_t I − ΣQ) T_t⁻¹; wTinv holds T_t⁻¹ (lower, column-major), wRow one row of the result.
  for (let t = 0; t < nTerms; t++) {
    const pt = ldi(termP, t);
    const T = tplOf(cx, t);
    let levels = 0;
    if (t == t0) levels = l1;
    else for (let c = 0; c < qRest; c++) if (ldi(rowTerm, c) == t && ldi(rowPos, c) == 0) levels++;
    smallLowerInverse(T, wTinv, pt);
    const qs = psAcc(cx, t);
    for (let a = 0; a < pt; a++) {
      for (let b = 0; b < pt; b++) {
        let s = 0.0;
        for (let mm = b; mm < pt; mm++) {
          const m = (a == mm ? <f64>levels : 0.0) - ld(qs, a * pt + mm);
          s += m * ld(wTinv, mm + b * pt);
        }
        st(wRow, b, s);
      }
      for (let b = 0; b < pt; b++) st(qs, a * pt + b, ld(wRow, b));
    }
  }
}
