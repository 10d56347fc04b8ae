// The blocked factor's work that a kernel team (assembly/linalg/team.ts) shares with its helper thread, besides the
// dense kernels: the term-1 update of the trailing block by column blocks (p₁ = 1 with other random terms), and the
// per-level ‖Y_g‖² of the inverse-factor gradient (p₁ = 1). Both are cut into chunks that the two threads take in
// turn; every entry they write gets its terms in the one-thread order, so the results are the same to the last
// bit with or without a helper. kernelTeamRun, the helper's entry, dispatches every kind of task.

import { Context } from "./contract";
import { ld, ldi } from "./access";
import { axpy, dot } from "../linalg/vector";
import {
  gemmChunks,
  OP_GEMM,
  OP_TRSM,
  teamBegin,
  teamDone,
  teamFinish,
  teamHelperWorkspace,
  teamPost,
  teamServing,
  teamTake,
  teamTask,
  trsmChunks,
} from "../linalg/team";

const OP_UPDATE_P1: i32 = 3;
const OP_LEVEL_Q: i32 = 4;

/** Columns of C per block of the term-1 update: 32 columns of InstEval's C (≈ 300 KB) stay in L2. */
const UPDATE_BLOCK: i32 = 32;
/** Column blocks per chunk of the shared update (each chunk first finds its levels' cursors). */
const UPDATE_CHUNK: i32 = 4;
/** Levels per chunk of the shared ‖Y_g‖². */
const LEVEL_CHUNK: i32 = 64;

/**
 * The helper's entry for generation g of `team` (called from its JavaScript loop, src/wasm/kernel-team.ts): runs
 * the task, whatever its kind; 0 when told to stop instead, else 1.
 */
export function kernelTeamRun(team: usize, g: i32): i32 {
  const begin = teamBegin(team, g);
  if (begin < 0) return 0;
  if (begin == 0) return 1;
  const t = teamTask(team);
  const ws = teamHelperWorkspace(team);
  if (t.op == OP_GEMM) gemmChunks(team, ws);
  else if (t.op == OP_TRSM) trsmChunks(team, t, ws);
  else if (t.op == OP_UPDATE_P1) {
    const cx = changetype<Context>(t.ctx);
    updateChunks(cx, team, cx.teamCursor);
  } else if (t.op == OP_LEVEL_Q) {
    const cx = changetype<Context>(t.ctx);
    levelQChunks(cx, t.ne, team, cx.teamY);
  }
  teamDone(team, g);
  return 1;
}

// ---------------------------------------------------------------------------------------------------------------
// The term-1 update by column blocks.

/** The first position in rowIdx[r0, r1) (ascending) whose row is ≥ c, or r1. */
function firstAtLeast(rowIdx: usize, r0: i32, r1: i32, c: i32): i32 {
  let lo = r0;
  let hi = r1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ldi(rowIdx, mid) < c) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * C −= Σ_g L21_g L21_gᵀ on the columns of the column blocks [b0, b1) of the random rows: for each block of
 * UPDATE_BLOCK columns, every level adds its products to those columns only (level by level, each level's ~m²
 * products would land all over C, InstEval's 10 MB, and the update was memory-bound; by column block the writes stay
 * within a few hundred KB). Every entry of C receives its terms in level order, as in the level-by-level update.
 * cursor[g] (l1 i32) is level g's first list position not yet used as a column.
 */
function updateBlocks(cx: Context, b0: i32, b1: i32, cursor: usize): void {
  const l1 = cx.l1;
  const qRest = cx.qRest;
  const nd = cx.nd;
  const rowStart = cx.rowStart;
  const rowIdx = cx.rowIdx;
  const L21 = cx.L21;
  const C = cx.C;
  const first = b0 * UPDATE_BLOCK;
  for (let g = 0; g < l1; g++) {
    const r0 = ldi(rowStart, g);
    store<i32>(cursor + (<usize>g << 2), first == 0 ? r0 : firstAtLeast(rowIdx, r0, ldi(rowStart, g + 1), first));
  }
  for (let b = b0; b < b1; b++) {
    const c1 = min((b + 1) * UPDATE_BLOCK, qRest);
    for (let g = 0; g < l1; g++) {
      const r1 = ldi(rowStart, g + 1);
      let rb = ldi(cursor, g);
      for (; rb < r1; rb++) {
        const cb = ldi(rowIdx, rb);
        if (cb >= c1) break;
        const bv = ld(L21, rb);
        const col = C + ((<usize>cb * <usize>nd) << 3);
        // Rows ra ≥ rb of the list: the random rows (scattered within column cb), then X and y, which are
        // the last pX + 1 rows of C in every list (contiguous).
        let ra = rb;
        for (; ra < r1; ra++) {
          const ca = ldi(rowIdx, ra);
          if (ca >= qRest) break;
          const pc = col + (<usize>ca << 3);
          store<f64>(pc, load<f64>(pc) - ld(L21, ra) * bv);
        }
        axpy(col + (<usize>qRest << 3), L21 + (<usize>ra << 3), -bv, r1 - ra);
      }
      store<i32>(cursor + (<usize>g << 2), rb);
    }
  }
}

function updateBlockCount(cx: Context): i32 {
  return (cx.qRest + UPDATE_BLOCK - 1) / UPDATE_BLOCK;
}

/** Take chunks of column blocks of the update until none is left. */
function updateChunks(cx: Context, team: usize, cursor: usize): void {
  const blocks = updateBlockCount(cx);
  for (;;) {
    const b0 = teamTake(team, UPDATE_CHUNK);
    if (b0 >= blocks) return;
    updateBlocks(cx, b0, min(blocks, b0 + UPDATE_CHUNK), cursor);
  }
}

/**
 * C −= Σ_g L21_g L21_gᵀ for p₁ = 1 with other random terms (crossed or nested factors), the same sums as the
 * level-by-level update ordered by destination column (see updateBlocks); the random rows' columns shared with the
 * engine's team when a helper serves it, then the X and y rows among themselves (the trailing (pX+1)×(pX+1) corner,
 * contiguous columns).
 */
export function updateTrailingBlockedP1(cx: Context): void {
  const l1 = cx.l1;
  const qRest = cx.qRest;
  const nd = cx.nd;
  const rowStart = cx.rowStart;
  const rowIdx = cx.rowIdx;
  const L21 = cx.L21;
  const C = cx.C;
  const team = cx.team;
  const blocks = updateBlockCount(cx);
  if (blocks > 1 && teamServing(team)) {
    teamTask(team).ctx = changetype<usize>(cx);
    const g = teamPost(team, OP_UPDATE_P1);
    updateChunks(cx, team, cx.cursor);
    teamFinish(team, g);
  } else updateBlocks(cx, 0, blocks, cx.cursor);
  for (let g = 0; g < l1; g++) {
    const r0 = ldi(rowStart, g);
    const r1 = ldi(rowStart, g + 1);
    const rt = firstAtLeast(rowIdx, r0, r1, qRest);
    const ntail = r1 - rt;
    const lt = L21 + (<usize>rt << 3);
    for (let tb = 0; tb < ntail; tb++) {
      const c = qRest + tb;
      axpy(C + ((<usize>c + <usize>c * <usize>nd) << 3), lt + (<usize>tb << 3), -ld(lt, tb), ntail - tb);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// ‖Y_g‖² of the inverse-factor gradient, p₁ = 1 (assembly/pls/gradient-inverse-factor.ts).

/**
 * qLevel[g] ← ‖y_g‖² for the levels [g0, g1) of term 1, y_g = Σ_r k_r V[:, c_r] with k_r = L21[r]/l_g (0 for a
 * level with no row below ne), built in the scratch y (nd f64). The columns are added four at a time (y[i] +=
 * k₀V[i,c₀] + … + k₃V[i,c₃] from the last of the four columns' first row on, after the parts above it one by one),
 * so y is read and written once per four columns: one column at a time, the loads and stores of y, not the
 * arithmetic, set the time. V is in S (ld nd).
 */
function levelQ(cx: Context, ne: i32, g0: i32, g1: i32, wYd: usize): void {
  const nd = cx.nd;
  const rowStart = cx.rowStart;
  const rowIdx = cx.rowIdx;
  const Lg = cx.Lg;
  const L21 = cx.L21;
  const S = cx.S;
  const qLevel = cx.qLevel;
  for (let g = g0; g < g1; g++) {
    const inv = 1.0 / ld(Lg, g);
    const r0 = ldi(rowStart, g);
    const r1 = ldi(rowStart, g + 1);
    const out = qLevel + (<usize>g << 3);
    store<f64>(out, 0.0);
    if (r0 >= r1) continue;
    const cmin = ldi(rowIdx, r0);
    if (cmin >= ne) continue;
    const len = ne - cmin;
    memory.fill(wYd, 0, <usize>len << 3);
    let r = r0;
    while (r < r1 && ldi(rowIdx, r) < ne) {
      // up to four effective rows r .. r + m − 1 (ascending c)
      let m = 1;
      while (m < 4 && r + m < r1 && ldi(rowIdx, r + m) < ne) m++;
      const cl = ldi(rowIdx, r + m - 1);
      // the leading parts, column by column, down to the last column's first row
      for (let j = 0; j < m - 1; j++) {
        const c = ldi(rowIdx, r + j);
        const Vc = S + ((<usize>c + <usize>c * <usize>nd) << 3);
        axpy(wYd + (<usize>(c - cmin) << 3), Vc, ld(L21, r + j) * inv, cl - c);
      }
      const tail = ne - cl;
      const y = wYd + (<usize>(cl - cmin) << 3);
      if (m == 4) {
        const c0 = ldi(rowIdx, r);
        const c1 = ldi(rowIdx, r + 1);
        const c2 = ldi(rowIdx, r + 2);
        const v0 = S + ((<usize>cl + <usize>c0 * <usize>nd) << 3);
        const v1 = S + ((<usize>cl + <usize>c1 * <usize>nd) << 3);
        const v2 = S + ((<usize>cl + <usize>c2 * <usize>nd) << 3);
        const v3 = S + ((<usize>cl + <usize>cl * <usize>nd) << 3);
        const k0 = ld(L21, r) * inv;
        const k1 = ld(L21, r + 1) * inv;
        const k2 = ld(L21, r + 2) * inv;
        const k3 = ld(L21, r + 3) * inv;
        const a0 = f64x2.splat(k0);
        const a1 = f64x2.splat(k1);
        const a2 = f64x2.splat(k2);
        const a3 = f64x2.splat(k3);
        let i = 0;
        for (; i + 1 < tail; i += 2) {
          const o = <usize>i << 3;
          const s01 = f64x2.add(f64x2.mul(a0, v128.load(v0 + o)), f64x2.mul(a1, v128.load(v1 + o)));
          const s23 = f64x2.add(f64x2.mul(a2, v128.load(v2 + o)), f64x2.mul(a3, v128.load(v3 + o)));
          v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.add(s01, s23)));
        }
        if (i < tail) {
          const o = <usize>i << 3;
          const s01 = k0 * load<f64>(v0 + o) + k1 * load<f64>(v1 + o);
          const s23 = k2 * load<f64>(v2 + o) + k3 * load<f64>(v3 + o);
          store<f64>(y + o, load<f64>(y + o) + (s01 + s23));
        }
      } else {
        for (let j = 0; j < m; j++) {
          const c = ldi(rowIdx, r + j);
          axpy(y, S + ((<usize>cl + <usize>c * <usize>nd) << 3), ld(L21, r + j) * inv, tail);
        }
      }
      r += m;
    }
    store<f64>(out, dot(wYd, wYd, len));
  }
}

/** Take chunks of levels of ‖Y_g‖² until none is left. */
function levelQChunks(cx: Context, ne: i32, team: usize, y: usize): void {
  const l1 = cx.l1;
  for (;;) {
    const g0 = teamTake(team, LEVEL_CHUNK);
    if (g0 >= l1) return;
    levelQ(cx, ne, g0, min(l1, g0 + LEVEL_CHUNK), y);
  }
}

/**
 * Σ_g Q_g = Σ_g (1/l_g² + ‖y_g‖²) over the levels of term 1 for p₁ = 1 (random intercepts: InstEval's students),
 * added to qsum[0]: the ‖y_g‖² shared with the engine's team when a helper serves it, then summed in level order.
 */
export function addTerm1QScalar(cx: Context, ne: i32, qsum: usize): void {
  const l1 = cx.l1;
  const Lg = cx.Lg;
  const qLevel = cx.qLevel;
  const team = cx.team;
  if (l1 > LEVEL_CHUNK && teamServing(team)) {
    const t = teamTask(team);
    t.ctx = changetype<usize>(cx);
    t.ne = ne;
    const g = teamPost(team, OP_LEVEL_Q);
    levelQChunks(cx, ne, team, cx.wYd);
    teamFinish(team, g);
  } else levelQ(cx, ne, 0, l1, cx.wYd);
  let q = 0.0;
  for (let g = 0; g < l1; g++) {
    const inv = 1.0 / ld(Lg, g);
    q += inv * inv;
    q += ld(qLevel, g);
  }
  store<f64>(qsum, load<f64>(qsum) + q);
}
