// The blocked penalised-least-squares evaluation (DESIGN.md §2–4): profiled deviance, its analytic gradient,
// the PLS solution and the blocks of M⁻¹ for the conditional variances.
//
// Partition. One random-effects term, "term 1" (the one with the most columns l·p), keeps a block-diagonal
// diagonal block: ℓ₁ blocks of p₁×p₁, one per level g. Everything else — the other random-effects terms, the
// fixed-effects columns and y as a last column — forms one dense trailing block of order nd = q_rest + p + 1.
// The off-diagonal block between them is sparse by level g: the rows R_g are the trailing rows that co-occur with
// level g (whole p_s-row blocks of the other terms, then every X row and the y row). With one grouping factor
// this is the per-group (Woodbury) path: R_g is just X and y, every quantity is per group. With crossed or nested
// factors the trailing random rows are dense after fill-in (InstEval: the 1128×1128 lecturer block).
//
// Factorisation of Ω = [ΛᵀZᵀZΛ + I, ΛᵀZᵀX, ΛᵀZᵀy; ·, XᵀX, Xᵀy; ·, ·, yᵀy]:
//   L_g = chol(T₁ᵀ H_g T₁ + I);  L21_g = (Λ₂ᵀ H21_g T₁) L_g⁻ᵀ;  C ← Λ₂ᵀ H22 Λ₂ + I_rest − Σ_g L21_g L21_gᵀ;  chol(C).
// The last diagonal entry of chol(C) is r (r² the penalised RSS).
//
// Gradient (DESIGN.md §3): with Ω_e the leading part of Ω that the log-determinant covers (Z only for ML, Z and X
// for REML), ∂log|Ω_e|/∂θ_i = 2 tr(Ω_e⁻¹ Λ̃ᵀWᵀW D_i), which needs the diagonal blocks of P = Ω_e⁻¹ Λ̃ᵀWᵀW only.
// Selected inversion on this partition: S = (trailing block of Ω_e)⁻¹ is dense, K_g = L21_g L_g⁻¹,
// (Ω_e⁻¹)_gg = A_g⁻¹ + K_gᵀ S K_g, (Ω_e⁻¹)_{g,R_g} = −K_gᵀ S[R_g, ·]; each level needs S on R_g × R_g only.
//
// Speed: at one-factor sizes (Sitka: 79 levels of 3×3) loop control, not flops, sets the time, so the hot
// per-level steps are also written out for p₁ = 1, 2, 3 (eliminateP1/2/3, backSolveP3, gradOneFactorP3); the
// generic loops remain for any p₁ and are what the written-out versions are tested against (test/engine). The
// trailing block uses the tiled kernels of assembly/linalg/dense.ts when large and dense (crossed factors), the
// zero-skipping plain ones when small or when it stays sparse (nested factors), see ./dense-ops.ts.
//
// Layout of the context block: ./context.ts (header slots shared with ./statistics.ts and src/fit/wasm-engine.ts).

import {
  H_NTERMS,
  H_T0,
  H_P1,
  H_L1,
  H_QREST,
  H_P,
  H_ND,
  H_N,
  H_MAXR,
  P_TERMP,
  P_TPLOFF,
  P_ROWTERM,
  P_ROWPOS,
  P_H11,
  P_ROWSTART,
  P_ROWIDX,
  P_H21,
  P_H22,
  P_TPL,
  P_LG,
  P_L21,
  P_C,
  P_S,
  P_WORK,
  P_X,
  P_ZTE,
  P_OUT,
  P_ACC,
  P_THETA,
  P_GRAD,
  P_MINV,
  P_VCOV,
  P_B,
  H_SPARSE,
  P_IDX,
  P_CURSOR,
  hi,
  hp,
  ld,
  st,
  ldi,
} from "./context";
import { denseChol, denseInvTransMul, denseLowerInv } from "./dense-ops";
import { axpy, dot, dotOneAccumulator } from "../linalg/vector";

// Output slots (f64) at P_OUT.
const O_OBJECTIVE = 0;
const O_LOGDETM = 1;
const O_LOGDETS = 2;
const O_PWRSS = 3;

// The header unpacked once per call into globals (the hot loops read these, not memory).
let nTerms: i32 = 0;
let t0: i32 = 0;
let p1: i32 = 0;
let l1: i32 = 0;
let qRest: i32 = 0;
let pX: i32 = 0;
let nd: i32 = 0;
let nObs: i32 = 0;
let maxR: i32 = 0;
let termP: usize = 0;
let tplOff: usize = 0;
let rowTerm: usize = 0;
let rowPos: usize = 0;
let H11: usize = 0;
let rowStart: usize = 0;
let rowIdx: usize = 0;
let H21: usize = 0;
let H22: usize = 0;
let tpl: usize = 0;
let Lg: usize = 0;
let L21: usize = 0;
let C: usize = 0;
let S: usize = 0;
let work: usize = 0;
let xSol: usize = 0;
let zte: usize = 0;
let out: usize = 0;
let acc: usize = 0;
let thetaP: usize = 0;
let gradP: usize = 0;
let minvP: usize = 0;
let vcovP: usize = 0;
let bP: usize = 0;
let T1: usize = 0;
let sparseTrailing: bool = false;
let idxP: usize = 0;
let cursor: usize = 0;
let q1: i32 = 0;
let tplTotal: i32 = 0;

function unpack(ctx: usize): void {
  nTerms = hi(ctx, H_NTERMS);
  t0 = hi(ctx, H_T0);
  p1 = hi(ctx, H_P1);
  l1 = hi(ctx, H_L1);
  qRest = hi(ctx, H_QREST);
  pX = hi(ctx, H_P);
  nd = hi(ctx, H_ND);
  nObs = hi(ctx, H_N);
  maxR = hi(ctx, H_MAXR);
  termP = hp(ctx, P_TERMP);
  tplOff = hp(ctx, P_TPLOFF);
  rowTerm = hp(ctx, P_ROWTERM);
  rowPos = hp(ctx, P_ROWPOS);
  H11 = hp(ctx, P_H11);
  rowStart = hp(ctx, P_ROWSTART);
  rowIdx = hp(ctx, P_ROWIDX);
  H21 = hp(ctx, P_H21);
  H22 = hp(ctx, P_H22);
  tpl = hp(ctx, P_TPL);
  Lg = hp(ctx, P_LG);
  L21 = hp(ctx, P_L21);
  C = hp(ctx, P_C);
  S = hp(ctx, P_S);
  work = hp(ctx, P_WORK);
  xSol = hp(ctx, P_X);
  zte = hp(ctx, P_ZTE);
  out = hp(ctx, P_OUT);
  acc = hp(ctx, P_ACC);
  thetaP = hp(ctx, P_THETA);
  gradP = hp(ctx, P_GRAD);
  minvP = hp(ctx, P_MINV);
  vcovP = hp(ctx, P_VCOV);
  bP = hp(ctx, P_B);
  sparseTrailing = hi(ctx, H_SPARSE) != 0;
  idxP = hp(ctx, P_IDX);
  cursor = hp(ctx, P_CURSOR);
  q1 = l1 * p1;
  T1 = tpl + (<usize>ldi(tplOff, t0) << 3);
  tplTotal = 0;
  for (let t = 0; t < nTerms; t++) {
    const pt = ldi(termP, t);
    tplTotal += pt * pt;
  }
}

/** Template of term t (p_t×p_t, column-major lower). */
@inline function tplOf(t: i32): usize {
  return tpl + (<usize>ldi(tplOff, t) << 3);
}

/** T_t from θ: the lower triangle column by column, term by term (lme4's order). */
function fillTemplates(): void {
  let off = 0;
  for (let t = 0; t < nTerms; t++) {
    const pt = ldi(termP, t);
    const T = tplOf(t);
    for (let k = 0; k < pt; k++)
      for (let j = 0; j < pt; j++) {
        if (j >= k) st(T, j + k * pt, ld(thetaP, off++));
        else st(T, j + k * pt, 0.0);
      }
  }
}

/** (Λ₂ᵀ M)[c, col] for a trailing row c: mixes the rows of c's block with the template; X and y rows pass through. */
@inline function lambda2tRow(c: i32, m: usize, rowStride: i32, colOff: i32): f64 {
  if (c >= qRest) return ld(m, c * rowStride + colOff);
  const t = ldi(rowTerm, c);
  const ps = ldi(termP, t);
  const jj = ldi(rowPos, c);
  const base = c - jj;
  const T = tplOf(t);
  let s = 0.0;
  for (let mm = jj; mm < ps; mm++) s += ld(T, mm + jj * ps) * ld(m, (base + mm) * rowStride + colOff);
  return s;
}

/** Row c (at position r of the list R_g) of Λ₂ᵀ H21_g, column k: H21 rows are indexed by list position. */
@inline function lambda2tListRow(c: i32, r: i32, k: i32): f64 {
  if (c >= qRest) return ld(H21, r * p1 + k);
  const t = ldi(rowTerm, c);
  const ps = ldi(termP, t);
  const jj = ldi(rowPos, c);
  const base = r - jj;
  const T = tplOf(t);
  let s = 0.0;
  for (let mm = jj; mm < ps; mm++) s += ld(T, mm + jj * ps) * ld(H21, (base + mm) * p1 + k);
  return s;
}

/**
 * C ← Λ₂ᵀ H22 Λ₂ + I when every trailing random term is scalar: Λ₂ is then a diagonal scaling sc (θ of the row's
 * term, 1 on X and y), C[i, j] = sc_i sc_j H22[i, j], one f64x2 pass down each column.
 */
function buildTrailingScalar(): void {
  const sc = work;
  for (let i = 0; i < nd; i++) st(sc, i, i < qRest ? load<f64>(tplOf(ldi(rowTerm, i))) : 1.0);
  for (let j = 0; j < nd; j++) {
    const sj = f64x2.splat(ld(sc, j));
    const off = <usize>(j + j * nd) << 3;
    const hc = H22 + off;
    const cc = C + off;
    const sv = sc + (<usize>j << 3);
    const len = nd - j;
    let i = 0;
    for (; i + 1 < len; i += 2) {
      const o = <usize>i << 3;
      v128.store(cc + o, f64x2.mul(f64x2.mul(v128.load(hc + o), v128.load(sv + o)), sj));
    }
    if (i < len) {
      const o = <usize>i << 3;
      store<f64>(cc + o, load<f64>(hc + o) * load<f64>(sv + o) * ld(sc, j));
    }
    if (j < qRest) st(C, j + j * nd, ld(C, j + j * nd) + 1.0);
  }
}

/** C ← Λ₂ᵀ H22 Λ₂ + I on the random rows (lower triangle). work[0..nd) holds one column of H22 Λ₂. */
function buildTrailing(): void {
  let allScalar = true;
  for (let c = 0; c < qRest; c++) if (ldi(termP, ldi(rowTerm, c)) != 1) allScalar = false;
  if (allScalar) {
    buildTrailingScalar();
    return;
  }
  const w = work;
  for (let j = 0; j < nd; j++) {
    if (j < qRest) {
      const t = ldi(rowTerm, j);
      const ps = ldi(termP, t);
      const jj = ldi(rowPos, j);
      const base = j - jj;
      const T = tplOf(t);
      for (let i = base; i < nd; i++) {
        let s = 0.0;
        for (let mm = jj; mm < ps; mm++) s += ld(H22, i + (base + mm) * nd) * ld(T, mm + jj * ps);
        st(w, i, s);
      }
    } else {
      for (let i = j; i < nd; i++) st(w, i, ld(H22, i + j * nd));
    }
    // Column j of Λ₂ᵀ (H22 Λ₂): row i mixes w over i's block, which starts at or after j's block when i ≥ j.
    for (let i = j; i < nd; i++) {
      let v: f64;
      if (i < qRest) v = lambda2tRow(i, w, 1, 0);
      else v = ld(w, i);
      st(C, i + j * nd, v);
    }
    if (j < qRest) st(C, j + j * nd, ld(C, j + j * nd) + 1.0);
  }
}

/** Small in-place Cholesky of a p×p column-major block (SPD by construction: ≥ I). */
@inline function smallChol(a: usize, p: i32): void {
  for (let j = 0; j < p; j++) {
    let d = ld(a, j + j * p);
    for (let k = 0; k < j; k++) {
      const v = ld(a, j + k * p);
      d -= v * v;
    }
    d = Math.sqrt(d);
    st(a, j + j * p, d);
    for (let i = j + 1; i < p; i++) {
      let s = ld(a, i + j * p);
      for (let k = 0; k < j; k++) s -= ld(a, i + k * p) * ld(a, j + k * p);
      st(a, i + j * p, s / d);
    }
  }
}

/** inv ← l⁻¹ for a small lower-triangular p×p block (column-major), by columns; the strict upper part is zeroed. */
@inline function smallLowerInverse(l: usize, inv: usize, p: i32): void {
  for (let j = 0; j < p; j++) {
    st(inv, j + j * p, 1.0 / ld(l, j + j * p));
    for (let i = j + 1; i < p; i++) {
      let s = 0.0;
      for (let k = j; k < i; k++) s += ld(l, i + k * p) * ld(inv, k + j * p);
      st(inv, i + j * p, -s / ld(l, i + i * p));
    }
    for (let i = 0; i < j; i++) st(inv, i + j * p, 0.0);
  }
}

/** out ← lᵀl (p×p, full) for a small lower-triangular l (column-major). */
@inline function smallLowerGram(l: usize, out: usize, p: i32): void {
  for (let a = 0; a < p; a++)
    for (let b = 0; b < p; b++) {
      let s = 0.0;
      const k0 = a > b ? a : b;
      for (let k = k0; k < p; k++) s += ld(l, k + a * p) * ld(l, k + b * p);
      st(out, a + b * p, s);
    }
}

/** C[R_g, R_g] −= L21_g L21_gᵀ (lower: R_g is ascending); the dot products written out for p1 ≤ 3. */
@inline function updateTrailing(r0: i32, r1: i32): void {
  if (p1 == 1) {
    // Rows of R_g: the other terms' rows (scattered) then X and y (the last pX+1 rows of C, contiguous), so
    // every update touching the tail is a contiguous f64x2 axpy down a column of C.
    let rt = r0;
    while (rt < r1 && ldi(rowIdx, rt) < qRest) rt++;
    const ntail = r1 - rt;
    const lt = L21 + (<usize>rt << 3);
    for (let ra = r0; ra < rt; ra++) {
      const colOff = <usize>ldi(rowIdx, ra) << 3;
      const a0 = ld(L21, ra);
      for (let rb = r0; rb <= ra; rb++) {
        const pc = C + colOff + ((<usize>ldi(rowIdx, rb) * <usize>nd) << 3);
        store<f64>(pc, load<f64>(pc) - a0 * ld(L21, rb));
      }
      axpy(C + ((<usize>qRest + <usize>ldi(rowIdx, ra) * <usize>nd) << 3), lt, -a0, ntail);
    }
    for (let tb = 0; tb < ntail; tb++) {
      const c = qRest + tb;
      axpy(C + ((<usize>c + <usize>c * <usize>nd) << 3), lt + (<usize>tb << 3), -ld(lt, tb), ntail - tb);
    }
  } else if (p1 == 2) {
    for (let ra = r0; ra < r1; ra++) {
      const colOff = <usize>ldi(rowIdx, ra) << 3;
      const La = L21 + (<usize>(ra * 2) << 3);
      const a = v128.load(La);
      let Lb = L21 + (<usize>(r0 * 2) << 3);
      for (let rb = r0; rb <= ra; rb++) {
        const m = f64x2.mul(a, v128.load(Lb));
        const pc = C + colOff + ((<usize>ldi(rowIdx, rb) * <usize>nd) << 3);
        store<f64>(pc, load<f64>(pc) - (f64x2.extract_lane(m, 0) + f64x2.extract_lane(m, 1)));
        Lb += 16;
      }
    }
  } else if (p1 == 3) {
    for (let ra = r0; ra < r1; ra++) {
      const colOff = <usize>ldi(rowIdx, ra) << 3;
      const La = L21 + (<usize>(ra * 3) << 3);
      const a0 = load<f64>(La);
      const a1 = load<f64>(La, 8);
      const a2 = load<f64>(La, 16);
      let Lb = L21 + (<usize>(r0 * 3) << 3);
      for (let rb = r0; rb <= ra; rb++) {
        const s = a0 * load<f64>(Lb) + a1 * load<f64>(Lb, 8) + a2 * load<f64>(Lb, 16);
        const pc = C + colOff + ((<usize>ldi(rowIdx, rb) * <usize>nd) << 3);
        store<f64>(pc, load<f64>(pc) - s);
        Lb += 24;
      }
    }
  } else {
    for (let ra = r0; ra < r1; ra++) {
      const ca = ldi(rowIdx, ra);
      const La = L21 + (<usize>(ra * p1) << 3);
      for (let rb = r0; rb <= ra; rb++) {
        const Lb = L21 + (<usize>(rb * p1) << 3);
        let s = 0.0;
        for (let k = 0; k < p1; k++) s += ld(La, k) * ld(Lb, k);
        const pc = C + (<usize>(ca + ldi(rowIdx, rb) * nd) << 3);
        store<f64>(pc, load<f64>(pc) - s);
      }
    }
  }
}


// Specialised eliminations for p₁ = 1, 2, 3 (random intercepts; intercept + slope; Sitka's quadratic): the same
// computation as the generic loop in eliminateTerm1 with the tiny loops written out and one reciprocal per pivot,
// because at these sizes loop control and divisions, not flops, set the time.

/** Row r (trailing row c) of Λ₂ᵀ H21_g, entry k: X and y rows pass through. */
@inline function vEntry(c: i32, r: i32, k: i32): f64 {
  return c >= qRest ? ld(H21, r * p1 + k) : lambda2tListRow(c, r, k);
}

function eliminateP1(): f64 {
  const t = ld(T1, 0);
  // With other random terms the update of C is done afterwards, column block by column block
  // (updateTrailingBlockedP1); with one factor R_g is only X and y, and the per-level update is contiguous.
  const blocked = qRest > 0;
  let logdet = 0.0;
  let prod = 1.0;
  for (let g = 0; g < l1; g++) {
    const l = Math.sqrt(t * t * ld(H11, g) + 1.0);
    st(Lg, g, l);
    prod *= l;
    if (prod > 1e200) {
      logdet += Math.log(prod);
      prod = 1.0;
    }
    const s = t / l;
    const r0 = ldi(rowStart, g);
    const r1 = ldi(rowStart, g + 1);
    for (let r = r0; r < r1; r++) st(L21, r, vEntry(ldi(rowIdx, r), r, 0) * s);
    if (!blocked) updateTrailing(r0, r1);
  }
  if (blocked) updateTrailingBlockedP1();
  logdet += Math.log(prod);
  return 2.0 * logdet;
}

/** Columns of C per block of updateTrailingBlockedP1: 32 columns of InstEval's C (≈ 300 KB) stay in L2. */
const UPDATE_BLOCK: i32 = 32;

/**
 * C −= Σ_g L21_g L21_gᵀ for p₁ = 1 with other random terms (crossed or nested factors), the same sums as
 * updateTrailing level by level but ordered by destination column: for each block of UPDATE_BLOCK columns of C,
 * every level adds its products to those columns only. Level by level, each level's ~m² products land all over C
 * (InstEval's is 10 MB, larger than the last-level cache), so the update was memory-bound; by column block the
 * writes stay within a few hundred KB. Every entry of C still receives its terms in level order, so the result
 * is bit-identical to updateTrailing. cursor[g] is level g's first list position not yet used as a column.
 */
function updateTrailingBlockedP1(): void {
  for (let g = 0; g < l1; g++) store<i32>(cursor + (<usize>g << 2), ldi(rowStart, g));
  for (let c0 = 0; c0 < qRest; c0 += UPDATE_BLOCK) {
    const c1 = min(c0 + UPDATE_BLOCK, qRest);
    for (let g = 0; g < l1; g++) {
      const r1 = ldi(rowStart, g + 1);
      let rb = ldi(cursor, g);
      for (; rb < r1; rb++) {
        const cb = ldi(rowIdx, rb);
        if (cb >= c1) break;
        const b = ld(L21, rb);
        const col = C + ((<usize>cb * <usize>nd) << 3);
        // Rows ra ≥ rb of the list: the random rows (scattered within column cb), then X and y, which are
        // the last pX + 1 rows of C in every list (contiguous).
        let ra = rb;
        for (; ra < r1; ra++) {
          const ca = ldi(rowIdx, ra);
          if (ca >= qRest) break;
          const pc = col + (<usize>ca << 3);
          store<f64>(pc, load<f64>(pc) - ld(L21, ra) * b);
        }
        axpy(col + (<usize>qRest << 3), L21 + (<usize>ra << 3), -b, r1 - ra);
      }
      store<i32>(cursor + (<usize>g << 2), rb);
    }
  }
  // The X and y rows among themselves: the trailing (pX+1)×(pX+1) corner, contiguous columns.
  for (let g = 0; g < l1; g++) {
    const rt = ldi(cursor, g);
    const ntail = ldi(rowStart, g + 1) - rt;
    const lt = L21 + (<usize>rt << 3);
    for (let tb = 0; tb < ntail; tb++) {
      const c = qRest + tb;
      axpy(C + ((<usize>c + <usize>c * <usize>nd) << 3), lt + (<usize>tb << 3), -ld(lt, tb), ntail - tb);
    }
  }
}

function eliminateP2(): f64 {
  const t00 = ld(T1, 0);
  const t10 = ld(T1, 1);
  const t11 = ld(T1, 3);
  let logdet = 0.0;
  let prod = 1.0;
  for (let g = 0; g < l1; g++) {
    const H = H11 + (<usize>(g * 4) << 3);
    const h00 = load<f64>(H);
    const h10 = load<f64>(H, 8);
    const h11 = load<f64>(H, 24);
    // W = H T, A = Tᵀ W + I
    const w00 = h00 * t00 + h10 * t10;
    const w10 = h10 * t00 + h11 * t10;
    const w11 = h11 * t11;
    const a00 = t00 * w00 + t10 * w10 + 1.0;
    const a10 = t11 * w10;
    const a11 = t11 * w11 + 1.0;
    const l00 = Math.sqrt(a00);
    const i00 = 1.0 / l00;
    const l10 = a10 * i00;
    const l11 = Math.sqrt(a11 - l10 * l10);
    const i11 = 1.0 / l11;
    const L = Lg + (<usize>(g * 4) << 3);
    store<f64>(L, l00);
    store<f64>(L, l10, 8);
    store<f64>(L, 0.0, 16);
    store<f64>(L, l11, 24);
    prod *= l00 * l11;
    if (prod > 1e200) {
      logdet += Math.log(prod);
      prod = 1.0;
    }
    const r0 = ldi(rowStart, g);
    const r1 = ldi(rowStart, g + 1);
    for (let r = r0; r < r1; r++) {
      const c = ldi(rowIdx, r);
      const v0 = vEntry(c, r, 0);
      const v1 = vEntry(c, r, 1);
      const b0 = v0 * t00 + v1 * t10;
      const b1 = v1 * t11;
      const x0 = b0 * i00;
      const x1 = (b1 - l10 * x0) * i11;
      const o = L21 + (<usize>(r * 2) << 3);
      store<f64>(o, x0);
      store<f64>(o, x1, 8);
    }
    updateTrailing(r0, r1);
  }
  logdet += Math.log(prod);
  return 2.0 * logdet;
}

/**
 * The update for a level of a p₁ = 3 term whose rows R_g are only X and y (every level of a one-factor model):
 * those are the last mg rows of C, contiguous, so each column of C[R_g, R_g] takes three f64x2 axpys from the
 * column-major copy of L21_g at work[0..3mg).
 */
function updateTailP3(mg: i32): void {
  const lc = work;
  const base = nd - mg;
  for (let tb = 0; tb < mg; tb++) {
    const c = base + tb;
    const col = C + ((<usize>c + <usize>c * <usize>nd) << 3) - (<usize>tb << 3);
    const a0 = -ld(lc, tb);
    const a1 = -ld(lc, mg + tb);
    const a2 = -ld(lc, 2 * mg + tb);
    const s0 = f64x2.splat(a0);
    const s1 = f64x2.splat(a1);
    const s2 = f64x2.splat(a2);
    const l0 = lc;
    const l1p = lc + (<usize>mg << 3);
    const l2 = lc + (<usize>(2 * mg) << 3);
    let ta = tb;
    for (; ta + 1 < mg; ta += 2) {
      const o = <usize>ta << 3;
      let v = v128.load(col + o);
      v = f64x2.add(v, f64x2.mul(s0, v128.load(l0 + o)));
      v = f64x2.add(v, f64x2.mul(s1, v128.load(l1p + o)));
      v = f64x2.add(v, f64x2.mul(s2, v128.load(l2 + o)));
      v128.store(col + o, v);
    }
    if (ta < mg) {
      const o = <usize>ta << 3;
      store<f64>(col + o, load<f64>(col + o) + a0 * load<f64>(l0 + o) + a1 * load<f64>(l1p + o) + a2 * load<f64>(l2 + o));
    }
  }
}

function eliminateP3(): f64 {
  const t00 = ld(T1, 0);
  const t10 = ld(T1, 1);
  const t20 = ld(T1, 2);
  const t11 = ld(T1, 4);
  const t21 = ld(T1, 5);
  const t22 = ld(T1, 8);
  let logdet = 0.0;
  let prod = 1.0;
  const lc = work;
  for (let g = 0; g < l1; g++) {
    const H = H11 + (<usize>(g * 9) << 3);
    const h00 = load<f64>(H);
    const h10 = load<f64>(H, 8);
    const h20 = load<f64>(H, 16);
    const h11 = load<f64>(H, 32);
    const h21 = load<f64>(H, 40);
    const h22 = load<f64>(H, 64);
    // W = H T (column k of W = H · column k of T), A = Tᵀ W + I (lower)
    const w00 = h00 * t00 + h10 * t10 + h20 * t20;
    const w10 = h10 * t00 + h11 * t10 + h21 * t20;
    const w20 = h20 * t00 + h21 * t10 + h22 * t20;
    const w11 = h11 * t11 + h21 * t21;
    const w21 = h21 * t11 + h22 * t21;
    const w22 = h22 * t22;
    const a00 = t00 * w00 + t10 * w10 + t20 * w20 + 1.0;
    const a10 = t11 * w10 + t21 * w20;
    const a20 = t22 * w20;
    const a11 = t11 * w11 + t21 * w21 + 1.0;
    const a21 = t22 * w21;
    const a22 = t22 * w22 + 1.0;
    const l00 = Math.sqrt(a00);
    const i00 = 1.0 / l00;
    const l10 = a10 * i00;
    const l20 = a20 * i00;
    const l11 = Math.sqrt(a11 - l10 * l10);
    const i11 = 1.0 / l11;
    const l21 = (a21 - l20 * l10) * i11;
    const l22 = Math.sqrt(a22 - l20 * l20 - l21 * l21);
    const i22 = 1.0 / l22;
    const L = Lg + (<usize>(g * 9) << 3);
    store<f64>(L, l00);
    store<f64>(L, l10, 8);
    store<f64>(L, l20, 16);
    store<f64>(L, 0.0, 24);
    store<f64>(L, l11, 32);
    store<f64>(L, l21, 40);
    store<f64>(L, 0.0, 48);
    store<f64>(L, 0.0, 56);
    store<f64>(L, l22, 64);
    prod *= l00 * l11 * l22;
    if (prod > 1e200) {
      logdet += Math.log(prod);
      prod = 1.0;
    }
    const r0 = ldi(rowStart, g);
    const r1 = ldi(rowStart, g + 1);
    const mg = r1 - r0;
    for (let r = r0; r < r1; r++) {
      const c = ldi(rowIdx, r);
      const v0 = vEntry(c, r, 0);
      const v1 = vEntry(c, r, 1);
      const v2 = vEntry(c, r, 2);
      const b0 = v0 * t00 + v1 * t10 + v2 * t20;
      const b1 = v1 * t11 + v2 * t21;
      const b2 = v2 * t22;
      const x0 = b0 * i00;
      const x1 = (b1 - l10 * x0) * i11;
      const x2 = (b2 - l20 * x0 - l21 * x1) * i22;
      const o = L21 + (<usize>(r * 3) << 3);
      store<f64>(o, x0);
      store<f64>(o, x1, 8);
      store<f64>(o, x2, 16);
      // column-major copy for the vectorised update below
      st(lc, r - r0, x0);
      st(lc, r - r0 + mg, x1);
      st(lc, r - r0 + 2 * mg, x2);
    }
    if (ldi(rowIdx, r0) >= qRest) updateTailP3(mg);
    else updateTrailing(r0, r1);
  }
  logdet += Math.log(prod);
  return 2.0 * logdet;
}

/**
 * Eliminate term 1 level by level: L_g, L21_g, and the update of the trailing block. Returns Σ log|L_g|².
 * work[0..p1) holds one row of Λ₂ᵀH21_g, work[p1..2p1) its product with T₁, smallW the p1×p1 H_g T₁.
 */
function eliminateTerm1(): f64 {
  if (p1 == 1) return eliminateP1();
  if (p1 == 2) return eliminateP2();
  if (p1 == 3) return eliminateP3();
  let logdet = 0.0;
  let prod = 1.0;
  const v = work;
  const bv = work + (<usize>p1 << 3);
  const W = work + (<usize>(2 * p1) << 3);
  const pp = p1 * p1;
  for (let g = 0; g < l1; g++) {
    const Hg = H11 + (<usize>(g * pp) << 3);
    const Lgg = Lg + (<usize>(g * pp) << 3);
    // W = H_g T₁
    for (let k = 0; k < p1; k++)
      for (let i = 0; i < p1; i++) {
        let s = 0.0;
        for (let m = k; m < p1; m++) s += ld(Hg, i + m * p1) * ld(T1, m + k * p1);
        st(W, i + k * p1, s);
      }
    // A = T₁ᵀ W + I (lower), then its Cholesky
    for (let k = 0; k < p1; k++)
      for (let j = k; j < p1; j++) {
        let s = j == k ? 1.0 : 0.0;
        for (let m = j; m < p1; m++) s += ld(T1, m + j * p1) * ld(W, m + k * p1);
        st(Lgg, j + k * p1, s);
      }
    smallChol(Lgg, p1);
    // log|L_g| as the log of a running product (one log per ~1e200 instead of one per diagonal entry):
    // every diagonal entry is ≥ 1 because A_g ≥ I, so the product only grows.
    for (let k = 0; k < p1; k++) prod *= ld(Lgg, k + k * p1);
    if (prod > 1e200) {
      logdet += Math.log(prod);
      prod = 1.0;
    }
    const r0 = ldi(rowStart, g);
    const r1 = ldi(rowStart, g + 1);
    for (let r = r0; r < r1; r++) {
      const c = ldi(rowIdx, r);
      // v = row c of Λ₂ᵀ H21_g (the block's rows are contiguous in R_g, so row c's block starts at r - pos)
      for (let k = 0; k < p1; k++) st(v, k, lambda2tListRow(c, r, k));
      // b = v T₁, then solve x L_gᵀ = b
      for (let k = 0; k < p1; k++) {
        let s = 0.0;
        for (let m = k; m < p1; m++) s += ld(v, m) * ld(T1, m + k * p1);
        st(bv, k, s);
      }
      const Lrow = L21 + (<usize>(r * p1) << 3);
      for (let k = 0; k < p1; k++) {
        let s = ld(bv, k);
        for (let m = 0; m < k; m++) s -= ld(Lgg, k + m * p1) * ld(Lrow, m);
        st(Lrow, k, s / ld(Lgg, k + k * p1));
      }
    }
    updateTrailing(r0, r1);
  }
  logdet += Math.log(prod);
  return 2.0 * logdet;
}

/** Back substitution: x = [û (term 1), û (rest), β̂] from Lᵀx = (y row of L). */
function backSolve(): void {
  const x2 = xSol + (<usize>q1 << 3);
  const m = nd - 1;
  const yrow = nd - 1;
  for (let i = m - 1; i >= 0; i--) {
    let s = ld(C, yrow + i * nd);
    for (let k = i + 1; k < m; k++) s -= ld(C, k + i * nd) * ld(x2, k);
    st(x2, i, s / ld(C, i + i * nd));
  }
  if (p1 == 3) {
    backSolveP3(x2);
  } else {
    backSolveLevels(x2);
  }
  for (let c = 0; c < qRest; c++) {
    const t = ldi(rowTerm, c);
    const ps = ldi(termP, t);
    const jj = ldi(rowPos, c);
    const base = c - jj;
    const T = tplOf(t);
    let s = 0.0;
    for (let k = 0; k <= jj; k++) s += ld(T, jj + k * ps) * ld(x2, base + k);
    st(bP, q1 + c, s);
  }
}

/** û and b̂ of term 1, p₁ = 3 written out: rhs = l_y − L21ᵀ x₂, L_gᵀ u = rhs, b = T₁ u. */
function backSolveP3(x2: usize): void {
  const t00 = ld(T1, 0);
  const t10 = ld(T1, 1);
  const t20 = ld(T1, 2);
  const t11 = ld(T1, 4);
  const t21 = ld(T1, 5);
  const t22 = ld(T1, 8);
  for (let g = 0; g < l1; g++) {
    const r0 = ldi(rowStart, g);
    const r1 = ldi(rowStart, g + 1);
    const Ly = L21 + (<usize>((r1 - 1) * 3) << 3);
    let s0 = load<f64>(Ly);
    let s1 = load<f64>(Ly, 8);
    let s2 = load<f64>(Ly, 16);
    for (let r = r0; r < r1 - 1; r++) {
      const xv = ld(x2, ldi(rowIdx, r));
      const Lr = L21 + (<usize>(r * 3) << 3);
      s0 -= load<f64>(Lr) * xv;
      s1 -= load<f64>(Lr, 8) * xv;
      s2 -= load<f64>(Lr, 16) * xv;
    }
    const L = Lg + (<usize>(g * 9) << 3);
    const u2 = s2 / load<f64>(L, 64);
    const u1 = (s1 - load<f64>(L, 40) * u2) / load<f64>(L, 32);
    const u0 = (s0 - load<f64>(L, 8) * u1 - load<f64>(L, 16) * u2) / load<f64>(L);
    const xg = xSol + (<usize>(g * 3) << 3);
    store<f64>(xg, u0);
    store<f64>(xg, u1, 8);
    store<f64>(xg, u2, 16);
    const bg = bP + (<usize>(g * 3) << 3);
    store<f64>(bg, t00 * u0);
    store<f64>(bg, t10 * u0 + t11 * u1, 8);
    store<f64>(bg, t20 * u0 + t21 * u1 + t22 * u2, 16);
  }
}

/** û and b̂ of term 1, any p₁. */
function backSolveLevels(x2: usize): void {
  const rhs = work;
  for (let g = 0; g < l1; g++) {
    const r0 = ldi(rowStart, g);
    const r1 = ldi(rowStart, g + 1);
    // the y row is last in R_g
    // (loops ordered so that the long one, over rows, accumulates in a register)
    for (let k = 0; k < p1; k++) {
      let s = ld(L21, (r1 - 1) * p1 + k);
      for (let r = r0; r < r1 - 1; r++) s -= ld(L21, r * p1 + k) * ld(x2, ldi(rowIdx, r));
      st(rhs, k, s);
    }
    const Lgg = Lg + (<usize>(g * p1 * p1) << 3);
    const xg = xSol + (<usize>(g * p1) << 3);
    for (let k = p1 - 1; k >= 0; k--) {
      let s = ld(rhs, k);
      for (let mm = k + 1; mm < p1; mm++) s -= ld(Lgg, mm + k * p1) * ld(xg, mm);
      st(xg, k, s / ld(Lgg, k + k * p1));
    }
  }
  // b = Λ û
  for (let g = 0; g < l1; g++)
    for (let j = 0; j < p1; j++) {
      let s = 0.0;
      for (let k = 0; k <= j; k++) s += ld(T1, j + k * p1) * ld(xSol, g * p1 + k);
      st(bP, g * p1 + j, s);
    }
}

/**
 * S ← the inverse of the leading ne×ne part of the factored trailing block (full symmetric, column-major, ld nd).
 */
function trailingInverse(ne: i32): void {
  if (ne == 0) return;
  for (let j = 0; j < ne; j++) for (let i = j; i < ne; i++) st(S, i + j * nd, ld(C, i + j * nd));
  denseLowerInv(S, ne, nd, sparseTrailing);
  denseInvTransMul(S, ne, nd, sparseTrailing, idxP);
  for (let j = 0; j < ne; j++) for (let i = j + 1; i < ne; i++) st(S, j + i * nd, ld(S, i + j * nd));
}

// Per-level workspace for the selected inverse (pointers into work, set by selectedInverse).
let wLinv: usize = 0;
let wAinv: usize = 0;
let wQ: usize = 0;
let wE: usize = 0;
let wK: usize = 0;
let wY: usize = 0;
let wV: usize = 0;
let wCol: usize = 0;
let wYd: usize = 0;
let wTinv: usize = 0;
let wRow: usize = 0;

/**
 * For level g of term 1 with ne effective trailing rows: Linv, Ainv, K = L21_g L_g⁻¹, Y = S[R,R] K and
 * Q = A⁻¹ + Kᵀ Y = (Ω_e⁻¹)_gg. Returns the number m of effective rows of R_g (a prefix, R_g is ascending).
 */
@inline function levelInverseP(g: i32, ne: i32, P: i32): i32 {
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
  // Y = S[R,R] K
  for (let r = 0; r < m; r++) {
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

function levelInverse(g: i32, ne: i32): i32 {
  return levelInverseP(g, ne, p1);
}

function setWorkPointers(): void {
  const pp = <usize>(p1 * p1) << 3;
  const rp = <usize>(maxR * p1) << 3;
  wLinv = work;
  wAinv = wLinv + pp;
  wQ = wAinv + pp;
  wE = wQ + pp;
  wK = wE + pp;
  wY = wK + rp;
  wV = wY + rp;
  wCol = wV + rp;
  wYd = wCol + (<usize>nd << 3);
  let pmax = 0;
  for (let t = 0; t < nTerms; t++) pmax = max(pmax, ldi(termP, t));
  wTinv = wYd + (<usize>(nd * p1) << 3);
  wRow = wTinv + (<usize>(pmax * pmax) << 3);
}

/** Accumulators per term (offsets as the templates): PS (Σ_levels of P's diagonal blocks), ZU (Σ zte·uᵀ). */
@inline function psAcc(t: i32): usize {
  return acc + (<usize>ldi(tplOff, t) << 3);
}
@inline function zuAcc(t: i32): usize {
  return acc + (<usize>(tplTotal + ldi(tplOff, t)) << 3);
}

/** Zᵀê = Zᵀy − ZᵀXβ̂ − ZᵀZ b̂ from the raw statistics, in the internal order. */
function residualCross(): void {
  const beta = xSol + (<usize>(q1 + qRest) << 3);
  const b2 = bP + (<usize>q1 << 3);
  const z2 = zte + (<usize>q1 << 3);
  const pp = p1 * p1;
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
@inline function gradLevelOneFactor(g: i32, m: i32, P: i32, ps1: usize): void {
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
@inline function gradLevel(g: i32, ne: i32, P: i32, ps1: usize): void {
  const m = levelInverseP(g, ne, P);
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
    for (let k = 0; k < P; k++) st(wV, r * P + k, lambda2tListRow(c, r0 + r, k));
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
    const pst = psAcc(t);
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
function gradOneFactorP3(ne: i32): void {
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
  const zu = zuAcc(t0);
  st(zu, 0, zu00);
  st(zu, 1, zu01);
  st(zu, 2, zu02);
  st(zu, 3, zu10);
  st(zu, 4, zu11);
  st(zu, 5, zu12);
  st(zu, 6, zu20);
  st(zu, 7, zu21);
  st(zu, 8, zu22);
  const ps = psAcc(t0);
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

function inverseFactorPathApplies(): bool {
  if (qRest == 0 || sparseTrailing) return false;
  for (let t = 0; t < nTerms; t++) {
    const pt = ldi(termP, t);
    const T = tplOf(t);
    for (let k = 0; k < pt; k++) if (!(Math.abs(ld(T, k + k * pt)) >= INVERSE_PATH_MIN)) return false;
  }
  return true;
}

/** Rows of V per panel in addTerm1Q: a panel of InstEval's V (32 rows × ≤ 1144 columns, ≈ 290 KB) stays in L2. */
/** wLinv ← L_g⁻¹ (lower, column-major) for level g of term 1. */
@inline function levelFactorInverse(g: i32, P: i32): void {
  smallLowerInverse(Lg + (<usize>(g * P * P) << 3), wLinv, P);
}

/**
 * Σ_g Q_g = Σ_g (A_g⁻¹ + Y_gᵀY_g) over the levels of term 1 (see above), added to qsum (P×P, row-major); V is in
 * S (ld nd). wYd holds Y_g: P columns of length ne − c_min, row i ↔ trailing row c_min + i (V K̃_g is zero above
 * R_g's first row). p₁ = 1 has its own version, addTerm1QScalar.
 */
@inline function addTerm1Q(ne: i32, P: i32, qsum: usize): void {
  for (let g = 0; g < l1; g++) {
    levelFactorInverse(g, P);
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

/**
 * addTerm1Q for p₁ = 1 (random intercepts: InstEval's students): y_g = Σ_r k_r V[:, c_r] with k_r = L21[r]/l_g,
 * Q_g = 1/l_g² + ‖y_g‖². The columns are added four at a time (y[i] += k₀V[i,c₀] + … + k₃V[i,c₃] from the last
 * of the four columns' first row on, after the parts above it one by one), so y is read and written once per four
 * columns: one column at a time, the loads and stores of y, not the arithmetic, set the time.
 */
function addTerm1QScalar(ne: i32, qsum: usize): void {
  let q = 0.0;
  for (let g = 0; g < l1; g++) {
    const inv = 1.0 / ld(Lg, g);
    q += inv * inv;
    const r0 = ldi(rowStart, g);
    const r1 = ldi(rowStart, g + 1);
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
    q += dot(wYd, wYd, len);
  }
  st(qsum, 0, ld(qsum, 0) + q);
}

/** The PS accumulators from the inverse factor: PS_t = (ℓ_t I − Σ_ℓ Q_ℓ) T_t⁻¹ (row-major), see above. */
function psFromInverseFactor(ne: i32): void {
  // V = L_e⁻¹ in S (lower).
  for (let j = 0; j < ne; j++) for (let i = j; i < ne; i++) st(S, i + j * nd, ld(C, i + j * nd));
  denseLowerInv(S, ne, nd, false);
  // Σ Q per term, accumulated in the PS slots (zeroed by the caller) and converted in place below.
  const q0 = psAcc(t0);
  if (p1 == 1) addTerm1QScalar(ne, q0);
  else if (p1 == 2) addTerm1Q(ne, 2, q0);
  else if (p1 == 3) addTerm1Q(ne, 3, q0);
  else addTerm1Q(ne, p1, q0);
  for (let c = 0; c < qRest; c++) {
    const t = ldi(rowTerm, c);
    const ps = ldi(termP, t);
    const ja = ldi(rowPos, c);
    const base = c - ja;
    const qs = psAcc(t);
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
    const T = tplOf(t);
    let levels = 0;
    if (t == t0) levels = l1;
    else for (let c = 0; c < qRest; c++) if (ldi(rowTerm, c) == t && ldi(rowPos, c) == 0) levels++;
    smallLowerInverse(T, wTinv, pt);
    const qs = psAcc(t);
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

/** Fills the gradient (needs the factor and the solution). ne: qRest for ML, qRest + p for REML. */
function gradient(reml: bool, r2: f64): void {
  const ne = reml ? qRest + pX : qRest;
  for (let i = 0; i < 2 * tplTotal; i++) st(acc, i, 0.0);
  if (qRest == 0 && p1 == 3) {
    trailingInverse(ne);
    setWorkPointers();
    gradOneFactorP3(ne);
    finishGradient(reml, r2);
    return;
  }
  residualCross();
  // ZU accumulators
  const zu1 = zuAcc(t0);
  for (let g = 0; g < l1; g++)
    for (let j = 0; j < p1; j++) {
      const e = ld(zte, g * p1 + j);
      for (let k = 0; k < p1; k++) st(zu1, j * p1 + k, ld(zu1, j * p1 + k) + e * ld(xSol, g * p1 + k));
    }
  for (let c = 0; c < qRest; c++) {
    const t = ldi(rowTerm, c);
    const ps = ldi(termP, t);
    const jj = ldi(rowPos, c);
    const base = q1 + c - jj;
    const zu = zuAcc(t);
    const e = ld(zte, q1 + c);
    for (let k = 0; k < ps; k++) st(zu, jj * ps + k, ld(zu, jj * ps + k) + e * ld(xSol, base + k));
  }
  setWorkPointers();
  if (inverseFactorPathApplies()) {
    psFromInverseFactor(ne);
    finishGradient(reml, r2);
    return;
  }
  trailingInverse(ne);
  const ps1 = psAcc(t0);
  const pp = p1 * p1;
  if (qRest == 0) {
    for (let g = 0; g < l1; g++) {
      if (p1 == 1) gradLevelOneFactor(g, ne, 1, ps1);
      else if (p1 == 2) gradLevelOneFactor(g, ne, 2, ps1);
      else if (p1 == 3) gradLevelOneFactor(g, ne, 3, ps1);
      else gradLevelOneFactor(g, ne, p1, ps1);
    }
  } else for (let g = 0; g < l1; g++) {
    // p₁ as a constant lets the compiler unroll the tiny loops (the per-group path of one-factor models)
    if (p1 == 1) gradLevel(g, ne, 1, ps1);
    else if (p1 == 2) gradLevel(g, ne, 2, ps1);
    else if (p1 == 3) gradLevel(g, ne, 3, ps1);
    else gradLevel(g, ne, p1, ps1);
  }
  // Trailing random rows, dense part: P[b, a] += S[b, ·] · (Λ₂ᵀ H22)[·, a]
  let allScalar = true;
  for (let c = 0; c < qRest; c++) if (ldi(termP, ldi(rowTerm, c)) != 1) allScalar = false;
  if (allScalar) {
    // Λ₂ is the diagonal scaling sc: P[a, a] += Σ_c S[c, a] sc_c H22[c, a], one f64x2 pass per column
    const sc = wCol;
    for (let c = 0; c < ne; c++) st(sc, c, c < qRest ? load<f64>(tplOf(ldi(rowTerm, c))) : 1.0);
    for (let a = 0; a < qRest; a++) {
      const Sa = S + (<usize>(a * nd) << 3);
      const Ha = H22 + (<usize>(a * nd) << 3);
      let acc2 = f64x2.splat(0.0);
      let c = 0;
      for (; c + 1 < ne; c += 2) {
        const o = <usize>c << 3;
        acc2 = f64x2.add(acc2, f64x2.mul(f64x2.mul(v128.load(Sa + o), v128.load(sc + o)), v128.load(Ha + o)));
      }
      let s = f64x2.extract_lane(acc2, 0) + f64x2.extract_lane(acc2, 1);
      if (c < ne) s += ld(Sa, c) * ld(sc, c) * ld(Ha, c);
      const pst = psAcc(ldi(rowTerm, a));
      st(pst, 0, ld(pst, 0) + s);
    }
    finishGradient(reml, r2);
    return;
  }
  for (let a = 0; a < qRest; a++) {
    for (let c = 0; c < ne; c++) st(wCol, c, lambda2tRow(c, H22, 1, a * nd));
    const t = ldi(rowTerm, a);
    const ps = ldi(termP, t);
    const ja = ldi(rowPos, a);
    const base = a - ja;
    const pst = psAcc(t);
    for (let jb = 0; jb < ps; jb++) {
      const Sb = S + (<usize>((base + jb) * nd) << 3);
      let s = 0.0;
      for (let c = 0; c < ne; c++) s += ld(Sb, c) * ld(wCol, c);
      st(pst, jb * ps + ja, ld(pst, jb * ps + ja) + s);
    }
  }
  finishGradient(reml, r2);
}

/** ∂d/∂θ_i for θ_i = T_t[j, k]: 2 PS_t[k, j] − 2 (dof / r²) ZU_t[j, k]. */
function finishGradient(reml: bool, r2: f64): void {
  const dof = reml ? <f64>(nObs - pX) : <f64>nObs;
  const coef = (2.0 * dof) / r2;
  let i = 0;
  for (let t = 0; t < nTerms; t++) {
    const pt = ldi(termP, t);
    const pst = psAcc(t);
    const zu = zuAcc(t);
    for (let k = 0; k < pt; k++)
      for (let j = k; j < pt; j++) {
        st(gradP, i++, 2.0 * ld(pst, k * pt + j) - coef * ld(zu, j * pt + k));
      }
  }
}

/** plsEvaluate's mode bits. */
const MODE_SOLVE = 1;
const MODE_GRADIENT = 2;
const MODE_VCOV = 4;
const MODE_REUSE_FACTOR = 8;

/**
 * One evaluation at the θ stored in the context. mode bits: 1 solution (û, b̂, β̂), 2 gradient, 4 the unscaled
 * covariance S⁻¹ of β̂, 8 the factor in the context is already that of this θ (the caller's last evaluation was
 * at the same θ and criterion): skip the factorisation and take the objective from the output slots. At scale an
 * optimiser often evaluates f alone at a trial point and then asks for the gradient there once the point is
 * accepted; the factorisation is half of that gradient. Returns the objective (Infinity when the
 * fixed-effects part is not positive definite).
 */
export function plsEvaluate(ctx: usize, reml: i32, mode: i32): f64 {
  unpack(ctx);
  let obj: f64;
  let r2: f64;
  if ((mode & MODE_REUSE_FACTOR) != 0) {
    obj = ld(out, O_OBJECTIVE);
    r2 = ld(out, O_PWRSS);
    if (!Number.isFinite(obj)) return obj;
  } else {
    obj = factorAndObjective(reml != 0);
    if (!Number.isFinite(obj)) return obj;
    r2 = ld(out, O_PWRSS);
  }
  if (!(r2 > 0)) return obj;
  if ((mode & (MODE_SOLVE | MODE_GRADIENT)) != 0) backSolve();
  if ((mode & MODE_GRADIENT) != 0) gradient(reml != 0, r2);
  if ((mode & MODE_VCOV) != 0) fixedCovariance();
  return obj;
}

/**
 * The blocked factorisation at the θ in the context, and the objective from it: fills the output slots and
 * returns the objective (Infinity when the fixed-effects part is not positive definite).
 */
function factorAndObjective(reml: bool): f64 {
  fillTemplates();
  buildTrailing();
  let logDetM = eliminateTerm1();
  const info = denseChol(C, nd, nd, sparseTrailing);
  if (info != 0 && info != nd) {
    st(out, O_OBJECTIVE, Infinity);
    return Infinity;
  }
  let r2: f64 = 0.0;
  if (info == 0) {
    const r = ld(C, nd * nd - 1);
    r2 = r * r;
  }
  // When X and ZΛ reproduce y exactly, the last pivot is rounding noise of either sign. Floor r² far below any
  // meaningful value (1e-30·yᵀy) so that the objective stays finite and the caller can see the zero residual
  // (src/fit/fit.ts reports it as a ModelError) instead of a non-finite deviance.
  const r2floor = Math.max(1e-30 * ld(H22, nd * nd - 1), 1e-300);
  if (r2 < r2floor) r2 = r2floor;
  for (let i = 0; i < qRest; i++) logDetM += 2.0 * Math.log(ld(C, i + i * nd));
  let logDetS = 0.0;
  for (let i = qRest; i < qRest + pX; i++) logDetS += 2.0 * Math.log(ld(C, i + i * nd));
  const n = <f64>nObs;
  let obj: f64;
  if (reml) {
    const dof = n - <f64>pX;
    obj = logDetM + logDetS + dof * (1.0 + Math.log((2.0 * Math.PI * r2) / dof));
  } else {
    obj = logDetM + n * (1.0 + Math.log((2.0 * Math.PI * r2) / n));
  }
  st(out, O_OBJECTIVE, obj);
  st(out, O_LOGDETM, logDetM);
  st(out, O_LOGDETS, logDetS);
  st(out, O_PWRSS, r2);
  return obj;
}

/** S⁻¹ (p×p, row-major) of the fixed-effects block of the factor; the caller scales it by σ̂². */
function fixedCovariance(): void {
  if (pX == 0) return;
  const off = qRest + qRest * nd;
  for (let j = 0; j < pX; j++) for (let i = j; i < pX; i++) st(S, i + j * pX, ld(C, off + i + j * nd));
  denseLowerInv(S, pX, pX, false);
  denseInvTransMul(S, pX, pX, false, idxP);
  for (let j = 0; j < pX; j++)
    for (let i = j; i < pX; i++) {
      const v = ld(S, i + j * pX);
      st(vcovP, i * pX + j, v);
      st(vcovP, j * pX + i, v);
    }
}

/**
 * The diagonal blocks of M⁻¹ (after plsEvaluate at the same θ): term 1's ℓ₁ blocks p₁×p₁ (row-major), then for
 * every trailing random row its p_s entries of its block row: together every other term's level blocks in order.
 */
export function plsMinvBlocks(ctx: usize): void {
  unpack(ctx);
  trailingInverse(qRest);
  setWorkPointers();
  const pp = p1 * p1;
  for (let g = 0; g < l1; g++) {
    levelInverse(g, qRest);
    for (let a = 0; a < p1; a++) for (let b = 0; b < p1; b++) st(minvP, g * pp + a * p1 + b, ld(wQ, a + b * p1));
  }
  let o = l1 * pp;
  for (let c = 0; c < qRest; c++) {
    const t = ldi(rowTerm, c);
    const ps = ldi(termP, t);
    const base = c - ldi(rowPos, c);
    for (let k = 0; k < ps; k++) st(minvP, o++, ld(S, c + (base + k) * nd));
  }
}
