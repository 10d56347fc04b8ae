// The sufficient statistics of the blocked layout (docs/architecture.md, "The blocked factor", for the partition): ZᵀZ, ZᵀX, XᵀX, Zᵀy, Xᵀy
// and yᵀy, accumulated from the design data that src/fit/wasm-engine.ts copies into the heap once per engine
// (level indices, model-matrix values of each term, X column-major, y). The structure — which trailing rows R_g
// each term-1 level meets (rowStart/rowIdx) and the observations grouped by level (obsStart/obsOrder) — is
// bookkeeping done once in TypeScript (src/fit/blocked-layout.ts); these kernels do the O(n·…) arithmetic.
//
// Prior weights w (an f64 per observation, 1 without weights) multiply every product: ZᵀWZ, ZᵀWX, XᵀWX, ZᵀWy,
// XᵀWy, yᵀWy. Each product is formed as (a·wᵢ)·b, so with wᵢ = 1 the numbers are those of the unweighted sums to
// the last bit. A zero weight removes the row from every sum.
//
// plsStatistics fills H11, H21 and H22 (called once per engine, and again when the weights change);
// plsResponseStatistics recomputes, in place, only the entries that depend on y (the y row of every H21_g, the y row/column of H22), for a bootstrap replicate.
// The loops and their order of summation are those of the former TypeScript accumulation, so the numbers are the
// same to the last bit.
//
// The context block: ./contract.ts (generated from scripts/contract/spec.mjs).

import { Context } from "./contract";
import { ld, st, ldi } from "./access";
import { patternPos, tailPos } from "./pattern";

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

/** Level index of observation i in term t. */
@inline function refOf(cx: Context, t: i32, i: i32): i32 {
  const nObs = cx.nObs;
  const refsP = cx.refsP;
  return load<i32>(refsP + ((<usize>t * <usize>nObs + <usize>i) << 2));
}

@inline function zTerm(cx: Context, t: i32): usize {
  const zOff = cx.zOff;
  const zP = cx.zP;
  return zP + (<usize>ldi(zOff, t) << 3);
}

/**
 * H11 (ZgᵀZg per term-1 level), H21 (the rows R_g of every level: other terms, X, y, times Z_g) and H22 (the
 * trailing block Σᵢ wᵢwᵢᵀ, wᵢ = [other terms' z at their rows, X row, y]), from the design data in the heap.
 */
export function plsStatistics(ctx: usize): void {
  const cx = changetype<Context>(ctx);
  const nRest = cx.nRest;
  const p1 = cx.p1;
  const l1 = cx.l1;
  const qRest = cx.qRest;
  const pX = cx.pX;
  const nd = cx.nd;
  const nObs = cx.nObs;
  const termP = cx.termP;
  const H11 = cx.H11;
  const rowStart = cx.rowStart;
  const rowIdx = cx.rowIdx;
  const H21 = cx.H21;
  const H22 = cx.H22;
  const xP = cx.xP;
  const yP = cx.yP;
  const obsOrder = cx.obsOrder;
  const obsStart = cx.obsStart;
  const rowOffset = cx.rowOffset;
  const restP = cx.restP;
  const posOf = cx.posOf;
  const sIdx = cx.sIdx;
  const sVal = cx.sVal;
  const wP = cx.wP;
  const z1 = cx.z1;
  zero(H11, l1 * p1 * p1);
  zero(H21, ldi(rowStart, l1) * p1);
  const sparse = cx.spOn != 0;
  // The sparse path keeps H22 on the factor's pattern (spHx, ./pattern.ts): no nd×nd buffer.
  if (sparse) zero(cx.spHx, cx.spNnz);
  else zero(H22, nd * nd);
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
        const zs = zTerm(cx, s);
        const bs = ldi(rowOffset, s) + refOf(cx, s, i) * ps;
        for (let j = 0; j < ps; j++) {
          const v = ld(zs, i * ps + j) * wi;
          const r = base + ldi(posOf, bs + j) * p1;
          for (let k = 0; k < p1; k++) add(H21, r + k, v * ld(z1, zi + k));
        }
      }
    }
  }
  // The X and y rows of every R_g (its last pX + 1 rows), column by column in observation order: X is read
  // sequentially (level by level, each observation's row of the column-major X was a cache miss: InstEval's X is
  // 16 MB). Each entry still receives its level's observations in increasing order (obsOrder is a stable sort),
  // so the sums are those of the level-by-level loop to the last bit.
  const t0 = cx.t0;
  for (let x = 0; x <= pX; x++) {
    const xc = x < pX ? xP + ((<usize>x * <usize>nObs) << 3) : yP;
    const skipZeros = x < pX;
    for (let i = 0; i < nObs; i++) {
      const v = ld(xc, i);
      if (skipZeros && v == 0) continue; // indicator columns of X are mostly 0
      const g = refOf(cx, t0, i);
      const r = (ldi(rowStart, g + 1) - pX - 1 + x) * p1;
      const vw = v * ld(wP, i);
      const zi = i * p1;
      for (let k = 0; k < p1; k++) add(H21, r + k, vw * ld(z1, zi + k));
    }
  }

  // Trailing block: only the upper triangle (row ≤ column) is accumulated — the entries of wᵢ come in ascending
  // row order (other terms in design order, then X, then y) — and mirrored afterwards.
  for (let i = 0; i < nObs; i++) {
    let m = 0;
    for (let e = 0; e < nRest; e++) {
      const s = ldi(restP, e);
      const ps = ldi(termP, s);
      const zs = zTerm(cx, s);
      const bs = ldi(rowOffset, s) + refOf(cx, s, i) * ps;
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
    if (sparse) {
      // Each entry once, at its place on the pattern (stored once for both triangles: no mirror).
      const Hx = cx.spHx;
      for (let a = 0; a < m; a++) {
        const va = ld(sVal, a) * wi;
        const ra = ldi(sIdx, a);
        for (let c = 0; c <= a; c++) {
          const rc = ldi(sIdx, c);
          add(Hx, ra >= qRest ? tailPos(cx, ra, rc) : patternPos(cx, ra, rc), va * ld(sVal, c));
        }
      }
      continue;
    }
    for (let a = 0; a < m; a++) {
      const va = ld(sVal, a) * wi;
      const col = ldi(sIdx, a) * nd;
      for (let c = 0; c <= a; c++) add(H22, ldi(sIdx, c) + col, va * ld(sVal, c));
    }
  }
  // The dense mirror goes tile by tile (MIRROR_TILE² entries on each side of the diagonal), so that the row reads
  // stay within a few cache lines per tile instead of one miss per entry (InstEval's H22 is 10 MB).
  if (!sparse)
    for (let j0 = 0; j0 < nd; j0 += MIRROR_TILE) {
      const j1 = min(j0 + MIRROR_TILE, nd);
      for (let i0 = 0; i0 <= j0; i0 += MIRROR_TILE)
        for (let j = j0; j < j1; j++) {
          const i1 = min(i0 + MIRROR_TILE, j);
          for (let i = i0; i < i1; i++) {
            const v = ld(H22, i + j * nd) + ld(H22, j + i * nd);
            st(H22, i + j * nd, v);
            st(H22, j + i * nd, v);
          }
        }
    }
}

/** Tile of the dense mirror in plsStatistics: 32 × 32 f64 (8 KB per side) stays in L1. */
const MIRROR_TILE: i32 = 32;

/**
 * For the response now in the y buffer: the y row of every H21_g and the y row/column of H22 (Zᵀy, Xᵀy, yᵀy),
 * recomputed in place. Returns −1, or the index of the first non-finite y (then nothing has been changed).
 */
export function plsResponseStatistics(ctx: usize): i32 {
  const cx = changetype<Context>(ctx);
  const nRest = cx.nRest;
  const p1 = cx.p1;
  const l1 = cx.l1;
  const qRest = cx.qRest;
  const pX = cx.pX;
  const nd = cx.nd;
  const nObs = cx.nObs;
  const termP = cx.termP;
  const rowStart = cx.rowStart;
  const H21 = cx.H21;
  const H22 = cx.H22;
  const xP = cx.xP;
  const yP = cx.yP;
  const obsOrder = cx.obsOrder;
  const obsStart = cx.obsStart;
  const rowOffset = cx.rowOffset;
  const restP = cx.restP;
  const sVal = cx.sVal;
  const wP = cx.wP;
  const z1 = cx.z1;
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
    const zs = zTerm(cx, s);
    const off = ldi(rowOffset, s);
    for (let i = 0; i < nObs; i++) {
      const yi = ld(yP, i) * ld(wP, i);
      const bs = off + refOf(cx, s, i) * ps;
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
  if (cx.spOn != 0) {
    const Hx = cx.spHx;
    for (let c = 0; c < nd; c++) st(Hx, tailPos(cx, yRow, c), ld(col, c));
    return -1;
  }
  for (let c = 0; c < nd; c++) {
    const v = ld(col, c);
    st(H22, c + yRow * nd, v);
    st(H22, yRow + c * nd, v);
  }
  return -1;
}


