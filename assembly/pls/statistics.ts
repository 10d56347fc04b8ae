// The sufficient statistics of the blocked layout (see ./blocked.ts for the partition): ZᵀZ, ZᵀX, XᵀX, Zᵀy, Xᵀy
// and yᵀy, accumulated from the design data that src/fit/wasm-engine.ts copies into the heap once per engine
// (level indices, model-matrix values of each term, X column-major, y). The structure — which trailing rows R_g
// each term-1 level meets (rowStart/rowIdx) and the observations grouped by level (obsStart/obsOrder) — is
// bookkeeping done once in TypeScript (src/fit/blocked-layout.ts); these kernels do the O(n·…) arithmetic.
//
// Prior weights w (an f64 per observation, 1 without weights) multiply every product: ZᵀWZ, ZᵀWX, XᵀWX, ZᵀWy,
// XᵀWy, yᵀWy. Each product is formed as (a·wᵢ)·b, so with wᵢ = 1 the numbers are those of the unweighted sums to
// the last bit. A zero weight removes the row from every sum.
//
// plsStatistics fills H11, H21 and H22 (called once per engine, and again when the weights change); plsResponseStatistics recomputes, in place, only
// the entries that depend on y (the y row of every H21_g, the y row/column of H22), for a bootstrap replicate.
// The loops and their order of summation are those of the former TypeScript accumulation, so the numbers are the
// same to the last bit.
//
// Header slots: ./context.ts.

import {
  H_NTERMS,
  H_T0,
  H_P1,
  H_L1,
  H_QREST,
  H_P,
  H_ND,
  H_N,
  P_TERMP,
  P_H11,
  P_ROWSTART,
  P_ROWIDX,
  P_H21,
  P_H22,
  P_REFS,
  P_ZOFF,
  P_Z,
  P_XDATA,
  P_Y,
  P_OBSORDER,
  P_OBSSTART,
  P_ROWOFFSET,
  P_REST,
  P_POSOF,
  P_SIDX,
  P_SVAL,
  P_WEIGHTS,
  hi,
  hp,
  ld,
  st,
  ldi,
} from "./context";

@inline function add(p: usize, i: i32, v: f64): void {
  const a = p + (<usize>i << 3);
  store<f64>(a, load<f64>(a) + v);
}
@inline function sti(p: usize, i: i32, v: i32): void {
  store<i32>(p + (<usize>i << 2), v);
}
@inline function zero(p: usize, count: i32): void {
  memory.fill(p, 0, <usize>count << 3);
}

let nTerms: i32 = 0;
let nRest: i32 = 0;
let t0: i32 = 0;
let p1: i32 = 0;
let l1: i32 = 0;
let qRest: i32 = 0;
let pX: i32 = 0;
let nd: i32 = 0;
let nObs: i32 = 0;
let termP: usize = 0;
let H11: usize = 0;
let rowStart: usize = 0;
let rowIdx: usize = 0;
let H21: usize = 0;
let H22: usize = 0;
let refsP: usize = 0;
let zOff: usize = 0;
let zP: usize = 0;
let xP: usize = 0;
let yP: usize = 0;
let obsOrder: usize = 0;
let obsStart: usize = 0;
let rowOffset: usize = 0;
let restP: usize = 0;
let posOf: usize = 0;
let sIdx: usize = 0;
let sVal: usize = 0;
let wP: usize = 0;
/** Model-matrix values of term 1 (n×p₁, row-major). */
let z1: usize = 0;

function unpack(ctx: usize): void {
  nTerms = hi(ctx, H_NTERMS);
  nRest = nTerms - 1;
  t0 = hi(ctx, H_T0);
  p1 = hi(ctx, H_P1);
  l1 = hi(ctx, H_L1);
  qRest = hi(ctx, H_QREST);
  pX = hi(ctx, H_P);
  nd = hi(ctx, H_ND);
  nObs = hi(ctx, H_N);
  termP = hp(ctx, P_TERMP);
  H11 = hp(ctx, P_H11);
  rowStart = hp(ctx, P_ROWSTART);
  rowIdx = hp(ctx, P_ROWIDX);
  H21 = hp(ctx, P_H21);
  H22 = hp(ctx, P_H22);
  refsP = hp(ctx, P_REFS);
  zOff = hp(ctx, P_ZOFF);
  zP = hp(ctx, P_Z);
  xP = hp(ctx, P_XDATA);
  yP = hp(ctx, P_Y);
  obsOrder = hp(ctx, P_OBSORDER);
  obsStart = hp(ctx, P_OBSSTART);
  rowOffset = hp(ctx, P_ROWOFFSET);
  restP = hp(ctx, P_REST);
  posOf = hp(ctx, P_POSOF);
  sIdx = hp(ctx, P_SIDX);
  sVal = hp(ctx, P_SVAL);
  wP = hp(ctx, P_WEIGHTS);
  z1 = zTerm(t0);
}

/** Level index of observation i in term t. */
@inline function refOf(t: i32, i: i32): i32 {
  return load<i32>(refsP + ((<usize>t * <usize>nObs + <usize>i) << 2));
}
@inline function zTerm(t: i32): usize {
  return zP + (<usize>ldi(zOff, t) << 3);
}

/**
 * H11 (ZgᵀZg per term-1 level), H21 (the rows R_g of every level: other terms, X, y, times Z_g) and H22 (the
 * trailing block Σᵢ wᵢwᵢᵀ, wᵢ = [other terms' z at their rows, X row, y]), from the design data in the heap.
 */
export function plsStatistics(ctx: usize): void {
  unpack(ctx);
  zero(H11, l1 * p1 * p1);
  zero(H21, ldi(rowStart, l1) * p1);
  zero(H22, nd * nd);
  const yRow = nd - 1;
  for (let g = 0; g < l1; g++) {
    const r0 = ldi(rowStart, g);
    const r1 = ldi(rowStart, g + 1);
    // position of each trailing random row inside R_g (random rows first, then the p X rows and the y row)
    let nRand = 0;
    for (let k = r0; k < r1; k++) {
      const r = ldi(rowIdx, k);
      if (r < qRest) {
        sti(posOf, r, k - r0);
        nRand++;
      }
    }
    const base = r0 * p1;
    const Hg = g * p1 * p1;
    const o1 = ldi(obsStart, g + 1);
    for (let o = ldi(obsStart, g); o < o1; o++) {
      const i = ldi(obsOrder, o);
      const wi = ld(wP, i);
      const zi = i * p1;
      for (let a = 0; a < p1; a++) {
        const za = ld(z1, zi + a) * wi;
        for (let c = 0; c < p1; c++) add(H11, Hg + a + c * p1, za * ld(z1, zi + c));
      }
      for (let e = 0; e < nRest; e++) {
        const s = ldi(restP, e);
        const ps = ldi(termP, s);
        const zs = zTerm(s);
        const bs = ldi(rowOffset, s) + refOf(s, i) * ps;
        for (let j = 0; j < ps; j++) {
          const v = ld(zs, i * ps + j) * wi;
          const r = base + ldi(posOf, bs + j) * p1;
          for (let k = 0; k < p1; k++) add(H21, r + k, v * ld(z1, zi + k));
        }
      }
      for (let x = 0; x < pX; x++) {
        const v = ld(xP, x * nObs + i);
        if (v == 0) continue; // indicator columns of X are mostly 0
        const r = base + (nRand + x) * p1;
        const vw = v * wi;
        for (let k = 0; k < p1; k++) add(H21, r + k, vw * ld(z1, zi + k));
      }
      const v = ld(yP, i) * wi;
      const r = base + (nRand + pX) * p1;
      for (let k = 0; k < p1; k++) add(H21, r + k, v * ld(z1, zi + k));
    }
  }

  // Trailing block: only the upper triangle (row ≤ column) is accumulated — the entries of wᵢ come in ascending
  // row order (other terms in design order, then X, then y) — and mirrored afterwards.
  for (let i = 0; i < nObs; i++) {
    let m = 0;
    for (let e = 0; e < nRest; e++) {
      const s = ldi(restP, e);
      const ps = ldi(termP, s);
      const zs = zTerm(s);
      const bs = ldi(rowOffset, s) + refOf(s, i) * ps;
      for (let j = 0; j < ps; j++) {
        sti(sIdx, m, bs + j);
        st(sVal, m++, ld(zs, i * ps + j));
      }
    }
    for (let x = 0; x < pX; x++) {
      const v = ld(xP, x * nObs + i);
      if (v == 0) continue;
      sti(sIdx, m, qRest + x);
      st(sVal, m++, v);
    }
    sti(sIdx, m, yRow);
    st(sVal, m++, ld(yP, i));
    const wi = ld(wP, i);
    for (let a = 0; a < m; a++) {
      const va = ld(sVal, a) * wi;
      const col = ldi(sIdx, a) * nd;
      for (let c = 0; c <= a; c++) add(H22, ldi(sIdx, c) + col, va * ld(sVal, c));
    }
  }
  for (let j = 0; j < nd; j++)
    for (let i = 0; i < j; i++) {
      const v = ld(H22, i + j * nd) + ld(H22, j + i * nd);
      st(H22, i + j * nd, v);
      st(H22, j + i * nd, v);
    }
}

/**
 * For the response now in the y buffer: the y row of every H21_g and the y row/column of H22 (Zᵀy, Xᵀy, yᵀy),
 * recomputed in place. Returns −1, or the index of the first non-finite y (then nothing has been changed).
 */
export function plsResponseStatistics(ctx: usize): i32 {
  unpack(ctx);
  for (let i = 0; i < nObs; i++) if (!isFinite(ld(yP, i))) return i;
  for (let g = 0; g < l1; g++) {
    const r = (ldi(rowStart, g + 1) - 1) * p1;
    for (let k = 0; k < p1; k++) st(H21, r + k, 0);
    const o1 = ldi(obsStart, g + 1);
    for (let o = ldi(obsStart, g); o < o1; o++) {
      const i = ldi(obsOrder, o);
      const yi = ld(yP, i) * ld(wP, i);
      const zi = i * p1;
      for (let k = 0; k < p1; k++) add(H21, r + k, yi * ld(z1, zi + k));
    }
  }
  const yRow = nd - 1;
  const col = sVal;
  zero(col, nd);
  // Term by term and column by column (contiguous reads of z and X): each entry still sums its products in
  // observation order, as plsStatistics does, so the numbers are the same.
  for (let e = 0; e < nRest; e++) {
    const s = ldi(restP, e);
    const ps = ldi(termP, s);
    const zs = zTerm(s);
    const off = ldi(rowOffset, s);
    for (let i = 0; i < nObs; i++) {
      const yi = ld(yP, i) * ld(wP, i);
      const bs = off + refOf(s, i) * ps;
      for (let j = 0; j < ps; j++) add(col, bs + j, yi * ld(zs, i * ps + j));
    }
  }
  for (let x = 0; x < pX; x++) {
    const xc = xP + ((<usize>x * <usize>nObs) << 3);
    let sum = 0.0;
    // plsStatistics skips the zeros of X; adding y·0 = ±0 to a sum that starts at +0 changes nothing, and here
    // the loop without a branch is faster (indicator columns would mispredict it)
    for (let i = 0; i < nObs; i++) sum += ld(yP, i) * ld(wP, i) * ld(xc, i);
    st(col, qRest + x, sum);
  }
  let yy = 0.0;
  for (let i = 0; i < nObs; i++) {
    const yi = ld(yP, i);
    yy += yi * ld(wP, i) * yi;
  }
  st(col, yRow, yy);
  for (let c = 0; c < nd; c++) {
    const v = ld(col, c);
    st(H22, c + yRow * nd, v);
    st(H22, yRow + c * nd, v);
  }
  return -1;
}
