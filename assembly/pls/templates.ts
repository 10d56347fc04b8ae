// The templates T_t (lower-triangular p_t×p_t, from θ) and the products with Λ₂ᵀ that the factorisation and the
// gradient apply to trailing rows (docs/architecture.md, "The blocked factor").

import { Context } from "./contract";
import { ld, st, ldi } from "./access";

/** Template of term t (p_t×p_t, column-major lower). */
@inline export function tplOf(cx: Context, t: i32): usize {
  const tplOff = cx.tplOff;
  const tpl = cx.tpl;
  return tpl + (<usize>ldi(tplOff, t) << 3);
}

/**
 * Whether every trailing random row belongs to a scalar term (p_t = 1): Λ₂ is then a diagonal scaling, and the
 * trailing block's build, inverse and gradient take their scalar paths (dense and sparse alike).
 */
export function trailingRowsScalar(cx: Context): bool {
  const qRest = cx.qRest;
  const termP = cx.termP;
  const rowTerm = cx.rowTerm;
  for (let c = 0; c < qRest; c++) if (ldi(termP, ldi(rowTerm, c)) != 1) return false;
  return true;
}

/**
 * T_t from θ through tplTheta, θ's index of each template entry (−1: a fixed zero). Without terms on one grouping
 * factor the map is θ's own order, the lower triangle column by column, term by term (lme4's); a block of such
 * terms has zeros between its members (src/fit/factor-blocks.ts).
 */
export function fillTemplates(cx: Context): void {
  const tplTotal = cx.tplTotal;
  const tpl = cx.tpl;
  const map = cx.tplTheta;
  const thetaP = cx.thetaP;
  for (let e = 0; e < tplTotal; e++) {
    const i = ldi(map, e);
    st(tpl, e, i >= 0 ? ld(thetaP, i) : 0.0);
  }
}

/** Length of θ: the template entries that hold one. */
export function thetaCount(cx: Context): i32 {
  const tplTotal = cx.tplTotal;
  const map = cx.tplTheta;
  let n = 0;
  for (let e = 0; e < tplTotal; e++) if (ldi(map, e) >= 0) n++;
  return n;
}

/** θ's index of entry (j, k) of term t's template, or −1 for a fixed zero. */
@inline export function thetaIndexOf(cx: Context, t: i32, j: i32, k: i32): i32 {
  return ldi(cx.tplTheta, ldi(cx.tplOff, t) + j + k * ldi(cx.termP, t));
}

/** (Λ₂ᵀ M)[c, col] for a trailing row c: mixes the rows of c's block with the template; X and y rows pass through. */
@inline export function lambda2tRow(cx: Context, c: i32, m: usize, rowStride: i32, colOff: i32): f64 {
  if (c >= cx.qRest) return ld(m, c * rowStride + colOff);
  const t = ldi(cx.rowTerm, c);
  const ps = ldi(cx.termP, t);
  const jj = ldi(cx.rowPos, c);
  const base = c - jj;
  const T = tplOf(cx, t);
  let s = 0.0;
  for (let mm = jj; mm < ps; mm++) s += ld(T, mm + jj * ps) * ld(m, (base + mm) * rowStride + colOff);
  return s;
}

/** Row c (at position r of the list R_g) of Λ₂ᵀ H21_g, column k: H21 rows are indexed by list position. */
@inline export function lambda2tListRow(cx: Context, c: i32, r: i32, k: i32): f64 {
  const p1 = cx.p1;
  const H21 = cx.H21;
  if (c >= cx.qRest) return ld(H21, r * p1 + k);
  const t = ldi(cx.rowTerm, c);
  const ps = ldi(cx.termP, t);
  const jj = ldi(cx.rowPos, c);
  const base = r - jj;
  const T = tplOf(cx, t);
  let s = 0.0;
  for (let mm = jj; mm < ps; mm++) s += ld(T, mm + jj * ps) * ld(H21, (base + mm) * p1 + k);
  return s;
}

// Specialised eliminations for p₁ = 1, 2, 3 (random intercepts; intercept + slope; Sitka's quadratic): the same
// computation as the generic loop in eliminateTerm1 with the tiny loops written out and one reciprocal per pivot,
// because at these sizes loop control and divisions, not flops, set the time.

/** Row r (trailing row c) of Λ₂ᵀ H21_g, entry k: X and y rows pass through. */
@inline export function vEntry(cx: Context, c: i32, r: i32, k: i32): f64 {
  return lambda2tListRow(cx, c, r, k);
}
