// The one matrix-multiply core behind every dense kernel (Cholesky update, triangular solve, inverse, LᵀL):
//
//   C(i, j) += alpha · Σ_p A(i, p) · B(j, p)        i < m, j < n, p < k
//
// with A and B read either as stored (column-major, A(i,p) at a[i + p·lda]) or transposed (A(i,p) at
// a[p + i·lda]), and optionally only the lower triangle (i ≥ j) of a square C written. All matrices are
// column-major f64, pointers are byte addresses into linear memory.
//
// Why this shape: a Cholesky-family kernel spends almost all its time in such rank-k updates, so it is the only
// place worth making fast. It follows the usual packed-GEMM scheme (Goto & van de Geijn): blocks of B (KC×NC)
// and A (MC×KC) are copied into contiguous micro-panels so that the inner kernel streams through memory in order,
// and a 4×4 register tile of C is accumulated with f64x2 arithmetic (8 v128 accumulators; no FMA since
// relaxed-simd is not available in Node 20). The pack buffers have a fixed size and form one *workspace* per
// thread: the calling thread's is allocated once when the module starts (`mainWorkspace`), a helper thread's by
// TypeScript (./team.ts), so no kernel ever grows memory (which would detach the caller's typed-array views).
//
// A product's arguments are written into the workspace of the thread that computes it (`GemmArgs`), which then
// runs `gemmRun(ws)`: the columns [j0, j1) of C only, every index still the whole product's. A column of C is
// computed by the same tiles, in the same order of the inner index, whichever range it falls in, so two threads
// splitting the columns give the single-threaded result to the last bit. With the arguments in memory, a helper
// thread runs a product the caller posted from one copy of them (./team.ts, teamGemm: the kernels' entry point for
// a product, with or without a team).

// Block sizes: a KC×4 micro-panel of B (8 KiB, values duplicated) stays in L1 while the MC×KC block of A (128 KiB)
// is streamed from L2; the KC×NC block of B (512 KiB) lives in L2/L3. Measured on this machine (AMD EPYC, Node 20):
// other KC/MC/NC choices, a 4×6 tile and unrolling the inner loop were all equal or slower.
const MR: i32 = 4;
const NR: i32 = 4;
const KC: i32 = 128;
const MC: i32 = 128;
const NC: i32 = 256;

// A workspace: the arguments of its current product (128 bytes), the packed MC×KC block of A, then the packed
// KC×NC block of B, then the 4×4 tile spill area for the edge and diagonal tiles. B is packed with every value
// duplicated into both lanes of a v128, so the kernel loads its broadcast operand directly instead of spending a
// shuffle per value on the FP pipes.
const ARGS_BYTES: usize = 128;
const PACK_A_OFFSET: usize = ARGS_BYTES;
const PACK_B_OFFSET: usize = PACK_A_OFFSET + (<usize>(MC * KC) << 3);
const TILE_OFFSET: usize = PACK_B_OFFSET + (<usize>(KC * NC) << 4);
/** Bytes of one thread's gemm workspace (16-byte aligned start). */
export const GEMM_WORKSPACE_BYTES: usize = TILE_OFFSET + (<usize>(MR * NR) << 3);
/** The calling thread's workspace (a helper thread gets its own from TypeScript, through the team block). */
export const mainWorkspace: usize = heap.alloc(GEMM_WORKSPACE_BYTES);

/**
 * Copies the rows [r0, r0+rows) × columns [p0, p0+kc) of op(X) into micro-panels of 4 rows: panel t holds
 * kc groups of 4 values (p-major), rows beyond `rows` padded with zeros so the kernel never branches.
 */
// @ts-ignore: decorator
@inline
function pack(dst: usize, x: usize, ldx: i32, trans: bool, r0: i32, rows: i32, p0: i32, kc: i32): void {
  const ld = <usize>ldx;
  for (let t = 0; t < rows; t += 4) {
    const r = r0 + t;
    const live = min(4, rows - t);
    const panel = dst + ((<usize>t * <usize>kc) << 3);
    if (!trans) {
      // X(r, p) at x[r + p·ld]: four consecutive rows of one column are contiguous.
      let src = x + ((<usize>r + <usize>p0 * ld) << 3);
      if (live == 4) {
        for (let p = 0; p < kc; p++) {
          const d = panel + (<usize>p << 5);
          v128.store(d, v128.load(src));
          v128.store(d, v128.load(src, 16), 16);
          src += ld << 3;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const d = panel + (<usize>p << 5);
          for (let u = 0; u < 4; u++) store<f64>(d + (<usize>u << 3), u < live ? load<f64>(src + (<usize>u << 3)) : 0.0);
          src += ld << 3;
        }
      }
    } else {
      // X(r, p) at x[p + r·ld]: each row is a contiguous run over p.
      for (let u = 0; u < 4; u++) {
        if (u < live) {
          const src = x + ((<usize>p0 + <usize>(r + u) * ld) << 3);
          for (let p = 0; p < kc; p++) store<f64>(panel + (<usize>p << 5) + (<usize>u << 3), load<f64>(src + (<usize>p << 3)));
        } else {
          for (let p = 0; p < kc; p++) store<f64>(panel + (<usize>p << 5) + (<usize>u << 3), 0.0);
        }
      }
    }
  }
}

/** As `pack`, but each value stored twice (both lanes of a v128): micro-panel t holds kc groups of 4 v128. */
// @ts-ignore: decorator
@inline
function packSplat(dst: usize, x: usize, ldx: i32, trans: bool, r0: i32, rows: i32, p0: i32, kc: i32): void {
  const ld = <usize>ldx;
  for (let t = 0; t < rows; t += 4) {
    const r = r0 + t;
    const live = min(4, rows - t);
    const panel = dst + ((<usize>t * <usize>kc) << 4);
    for (let u = 0; u < 4; u++) {
      if (u < live) {
        let src = trans ? x + ((<usize>p0 + <usize>(r + u) * ld) << 3) : x + ((<usize>(r + u) + <usize>p0 * ld) << 3);
        const step: usize = trans ? 8 : ld << 3;
        for (let p = 0; p < kc; p++) {
          v128.store(panel + (<usize>p << 6) + (<usize>u << 4), f64x2.splat(load<f64>(src)));
          src += step;
        }
      } else {
        for (let p = 0; p < kc; p++) v128.store(panel + (<usize>p << 6) + (<usize>u << 4), f64x2.splat(0.0));
      }
    }
  }
}

/**
 * C[0:mr, 0:nr] += alpha · Ã Bᵀ for one 4×4 tile, Ã and B̃ packed micro-panels of depth kc.
 * mr×nr is the live part of the tile (edges); diag ≠ i32.MIN_VALUE means the tile straddles the diagonal of a
 * lower-only C and only entries with local row − col ≥ diag are written.
 */
// @ts-ignore: decorator
@inline
function microKernel(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, mr: i32, nr: i32, alpha: f64, diag: i32, tile: usize): void {
  let c00 = f64x2.splat(0.0);
  let c10 = f64x2.splat(0.0);
  let c01 = f64x2.splat(0.0);
  let c11 = f64x2.splat(0.0);
  let c02 = f64x2.splat(0.0);
  let c12 = f64x2.splat(0.0);
  let c03 = f64x2.splat(0.0);
  let c13 = f64x2.splat(0.0);
  for (let p = 0; p < kc; p++) {
    const a0 = v128.load(pa);
    const a1 = v128.load(pa, 16);
    let b = v128.load(pb);
    c00 = f64x2.add(c00, f64x2.mul(a0, b));
    c10 = f64x2.add(c10, f64x2.mul(a1, b));
    b = v128.load(pb, 16);
    c01 = f64x2.add(c01, f64x2.mul(a0, b));
    c11 = f64x2.add(c11, f64x2.mul(a1, b));
    b = v128.load(pb, 32);
    c02 = f64x2.add(c02, f64x2.mul(a0, b));
    c12 = f64x2.add(c12, f64x2.mul(a1, b));
    b = v128.load(pb, 48);
    c03 = f64x2.add(c03, f64x2.mul(a0, b));
    c13 = f64x2.add(c13, f64x2.mul(a1, b));
    pa += 32;
    pb += 64;
  }
  const al = f64x2.splat(alpha);
  const ld = <usize>ldc << 3;
  if (mr == 4 && nr == 4 && diag == i32.MIN_VALUE) {
    // Full interior tile: read-modify-write four columns of two v128 each.
    let cp = c;
    v128.store(cp, f64x2.add(v128.load(cp), f64x2.mul(al, c00)));
    v128.store(cp, f64x2.add(v128.load(cp, 16), f64x2.mul(al, c10)), 16);
    cp += ld;
    v128.store(cp, f64x2.add(v128.load(cp), f64x2.mul(al, c01)));
    v128.store(cp, f64x2.add(v128.load(cp, 16), f64x2.mul(al, c11)), 16);
    cp += ld;
    v128.store(cp, f64x2.add(v128.load(cp), f64x2.mul(al, c02)));
    v128.store(cp, f64x2.add(v128.load(cp, 16), f64x2.mul(al, c12)), 16);
    cp += ld;
    v128.store(cp, f64x2.add(v128.load(cp), f64x2.mul(al, c03)));
    v128.store(cp, f64x2.add(v128.load(cp, 16), f64x2.mul(al, c13)), 16);
    return;
  }
  // Edge or diagonal tile: spill, then write only the live entries (row − col ≥ diag when on the diagonal).
  v128.store(tile, c00);
  v128.store(tile, c10, 16);
  v128.store(tile, c01, 32);
  v128.store(tile, c11, 48);
  v128.store(tile, c02, 64);
  v128.store(tile, c12, 80);
  v128.store(tile, c03, 96);
  v128.store(tile, c13, 112);
  for (let j = 0; j < nr; j++) {
    const cp = c + <usize>j * ld;
    for (let i = 0; i < mr; i++) {
      if (i - j >= diag) {
        const q = cp + (<usize>i << 3);
        store<f64>(q, load<f64>(q) + alpha * load<f64>(tile + (<usize>(i + (j << 2)) << 3)));
      }
    }
  }
}

/** Operand shape hints: a triangular operand lets tiles skip the inner indices where it is known to be zero. */
export const FULL: i32 = 0;
/** op(X)(i, p) = 0 for p > i. */
export const TRI_LOWER: i32 = 1;
/** op(X)(i, p) = 0 for p < i. */
export const TRI_UPPER: i32 = 2;

/** The arguments of one product (see setGemmArgs), at the start of the workspace that computes it. */
@unmanaged
export class GemmArgs {
  c: usize;
  ldc: i32;
  a: usize;
  lda: i32;
  b: usize;
  ldb: i32;
  m: i32;
  n: i32;
  k: i32;
  aShape: i32;
  bShape: i32;
  /** The columns of C this thread computes: [j0, j1). */
  j0: i32;
  j1: i32;
  transA: bool;
  transB: bool;
  lowerOnly: bool;
  alpha: f64;
}

/**
 * Write the arguments of C += alpha · op(A) op(B)ᵀ (m×n, inner dimension k) into workspace `ws`, all columns (the
 * caller may narrow [j0, j1)). transA: A(i,p) is stored at a[p + i·lda] (else a[i + p·lda]); likewise transB for
 * B(j,p). lowerOnly: C is square and only entries i ≥ j are touched. aShape/bShape (FULL, TRI_LOWER, TRI_UPPER)
 * say that op(A) or op(B) is zero on one side of its diagonal (the zeros must be stored): each 4×4 tile then runs
 * only over the inner indices that can be non-zero, which halves the work of products with a triangular factor.
 */
export function setGemmArgs(
  ws: usize,
  c: usize,
  ldc: i32,
  a: usize,
  lda: i32,
  transA: bool,
  b: usize,
  ldb: i32,
  transB: bool,
  m: i32,
  n: i32,
  k: i32,
  alpha: f64,
  lowerOnly: bool,
  aShape: i32,
  bShape: i32,
): GemmArgs {
  const g = changetype<GemmArgs>(ws);
  g.c = c;
  g.ldc = ldc;
  g.a = a;
  g.lda = lda;
  g.transA = transA;
  g.b = b;
  g.ldb = ldb;
  g.transB = transB;
  g.m = m;
  g.n = n;
  g.k = k;
  g.alpha = alpha;
  g.lowerOnly = lowerOnly;
  g.aShape = aShape;
  g.bShape = bShape;
  g.j0 = 0;
  g.j1 = n;
  return g;
}

/** The product whose arguments are in workspace `ws`, on its columns [j0, j1), packing in `ws`. */
export function gemmRun(ws: usize): void {
  const g = changetype<GemmArgs>(ws);
  const c = g.c;
  const ldc = g.ldc;
  const a = g.a;
  const lda = g.lda;
  const transA = g.transA;
  const b = g.b;
  const ldb = g.ldb;
  const transB = g.transB;
  const m = g.m;
  const n = g.n;
  const k = g.k;
  const alpha = g.alpha;
  const lowerOnly = g.lowerOnly;
  const aShape = g.aShape;
  const bShape = g.bShape;
  const j0 = g.j0;
  const j1 = g.j1;
  if (m <= 0 || n <= 0 || k <= 0 || j0 >= j1) return;
  const packA = ws + PACK_A_OFFSET;
  const packB = ws + PACK_B_OFFSET;
  const tile = ws + TILE_OFFSET;
  const ldcs = <usize>ldc;
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      // Rows of C above this column block are all strictly upper when only the lower triangle is wanted.
      const icStart = lowerOnly ? jc - (jc % MC) : 0;
      let packedB = false;
      for (let ic = icStart; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        if (lowerOnly && ic + mc <= jc) continue;
        if (!packedB) {
          packSplat(packB, b, ldb, transB, jc, nc, pc, kc);
          packedB = true;
        }
        pack(packA, a, lda, transA, ic, mc, pc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const gj = jc + jr;
          const pb = packB + ((<usize>jr * <usize>kc) << 4);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const gi = ic + ir;
            let diag = i32.MIN_VALUE;
            if (lowerOnly) {
              if (gi + mr - 1 < gj) continue; // tile entirely above the diagonal
              if (gi < gj + nr - 1) diag = gj - gi; // straddles: keep local i − j ≥ gj − gi
            }
            // Inner range of this tile in block-local p: skip what a triangular operand makes zero.
            let p0 = 0;
            let p1 = kc;
            if (aShape == TRI_UPPER) p0 = max(p0, gi - pc);
            else if (aShape == TRI_LOWER) p1 = min(p1, gi + mr - pc);
            if (bShape == TRI_UPPER) p0 = max(p0, gj - pc);
            else if (bShape == TRI_LOWER) p1 = min(p1, gj + nr - pc);
            if (p0 >= p1) continue;
            microKernel(
              p1 - p0,
              packA + ((<usize>ir * <usize>kc + (<usize>p0 << 2)) << 3),
              pb + (<usize>p0 << 6),
              c + ((<usize>gi + <usize>gj * ldcs) << 3),
              ldc,
              mr,
              nr,
              alpha,
              diag,
              tile,
            );
          }
        }
      }
    }
  }
}
