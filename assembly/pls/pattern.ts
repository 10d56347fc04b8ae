// Positions on the sparse trailing factor's pattern (docs/architecture.md, "The sparse trailing block"). On the
// sparse path the trailing block has no nd×nd buffers: H22 (spHx), the block assembled and factored in place
// (spLx, C's role) and its selected inverse (spZx, S's role) are all stored on L's pattern — column by column in
// the factor's order, the diagonal first, then the random rows below it ascending, then every X row and the y row
// (dense in every column). Every entry those kernels read or write lies on that pattern: the blocks one level of
// term 1 meets (R_g × R_g), and so the pattern of H22, are cliques of the elimination graph.

import { Context } from "./contract";
import { ldi } from "./access";

/**
 * Position on the pattern of the entry {i, j} (original trailing rows, either order). An X or y row is one of the
 * last nd − qRest entries of every column, found directly; a random row is found by binary search in the random
 * part of the column (a few entries on a sparse pattern). Traps if the entry is not on the pattern (a kernel bug).
 */
export function patternPos(cx: Context, i: i32, j: i32): i32 {
  const inv = cx.spInv;
  let fi = ldi(inv, i);
  let fj = ldi(inv, j);
  if (fi < fj) {
    const t = fi;
    fi = fj;
    fj = t;
  }
  const colPtr = cx.spColPtr;
  const end = ldi(colPtr, fj + 1);
  const nd = cx.nd;
  const qRest = cx.qRest;
  if (fi >= qRest) return end - (nd - fi);
  const rowIdx = cx.spRowIdx;
  let lo = ldi(colPtr, fj);
  let hi = end - (nd - qRest);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const r = ldi(rowIdx, mid);
    if (r == fi) return mid;
    if (r < fi) lo = mid + 1;
    else hi = mid;
  }
  unreachable();
  return -1;
}

/**
 * Position on the pattern of the pair of random rows R_g[a], R_g[b] of level g of term 1 (R_g starting at r0 in
 * rowIdx; a, b within its random prefix): from the per-level table (spPair, filled once per engine by
 * plsLevelPairs below) when there is one, else by search.
 */
@inline export function pairPos(cx: Context, g: i32, r0: i32, a: i32, b: i32): i32 {
  if (cx.spPairs == 0) return patternPos(cx, ldi(cx.rowIdx, r0 + a), ldi(cx.rowIdx, r0 + b));
  const hi = max(a, b);
  const lo = min(a, b);
  return ldi(cx.spPair, ldi(cx.spPairStart, g) + ((hi * (hi + 1)) >> 1) + lo);
}

/** Position of the first X row of trailing row c's column: its X rows and y row follow contiguously. */
@inline export function tailStart(cx: Context, c: i32): i32 {
  return ldi(cx.spColPtr, ldi(cx.spInv, c) + 1) - (cx.nd - cx.qRest);
}

/** Position of the entry (X-or-y row x, trailing row c) on the pattern: the tail of c's column. */
@inline export function tailPos(cx: Context, x: i32, c: i32): i32 {
  return tailStart(cx, c) + (x - cx.qRest);
}

/**
 * Position of the entry between two X-or-y rows i, j (either order): the corner is dense and lower in its columns,
 * which keep their positions in the factor's order.
 */
@inline export function cornerPos(cx: Context, i: i32, j: i32): i32 {
  return i >= j ? ldi(cx.spColPtr, j) + (i - j) : ldi(cx.spColPtr, i) + (j - i);
}

/**
 * (Λ₂ᵀ M)[c, col] for a symmetric M stored on the pattern (H22): mixes the rows of c's block with the template; X
 * and y rows pass through. The pattern counterpart of templates.ts's lambda2tRow.
 */
export function lambda2tPattern(cx: Context, c: i32, m: usize, col: i32): f64 {
  if (c >= cx.qRest) return load<f64>(m + (<usize>patternPos(cx, c, col) << 3));
  const t = ldi(cx.rowTerm, c);
  const ps = ldi(cx.termP, t);
  const jj = ldi(cx.rowPos, c);
  const base = c - jj;
  const T = cx.tpl + (<usize>ldi(cx.tplOff, t) << 3);
  let s = 0.0;
  for (let mm = jj; mm < ps; mm++)
    s += load<f64>(T + (<usize>(mm + jj * ps) << 3)) * load<f64>(m + (<usize>patternPos(cx, base + mm, col) << 3));
  return s;
}

/**
 * Fills the per-level table of pattern positions (spPairStart: l1 + 1 starts; spPair: its spPairs entries, sized by
 * src/fit/sparse-trailing/level-pairs.ts): for each level g of term 1, the position of each pair of its random rows,
 * the pair b ≤ a at a(a+1)/2 + b. Once per engine, after the pattern and the row lists are in the context. In wasm
 * because it runs once per fit: as JavaScript it took 6–14 ms over star's first fits, 2 ms once settled. Returns the
 * entries written (spPairs when the sizes agree).
 */
export function plsLevelPairs(ctx: usize): i32 {
  const cx = changetype<Context>(ctx);
  const l1 = cx.l1;
  const qRest = cx.qRest;
  const rowStart = cx.rowStart;
  const rowIdx = cx.rowIdx;
  const start = cx.spPairStart;
  const pair = cx.spPair;
  let k = 0;
  for (let g = 0; g < l1; g++) {
    store<i32>(start + (<usize>g << 2), k);
    const r0 = ldi(rowStart, g);
    const r1 = ldi(rowStart, g + 1);
    let mr = 0;
    while (r0 + mr < r1 && ldi(rowIdx, r0 + mr) < qRest) mr++;
    for (let a = 0; a < mr; a++)
      for (let b = 0; b <= a; b++) {
        store<i32>(pair + (<usize>k << 2), patternPos(cx, ldi(rowIdx, r0 + a), ldi(rowIdx, r0 + b)));
        k++;
      }
  }
  store<i32>(start + (<usize>l1 << 2), k);
  return k;
}
