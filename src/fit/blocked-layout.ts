/**
 * The blocked layout of the sufficient statistics (see assembly/pls/blocked.ts for the partition):
 *
 * - term 1: the random-effects term with the most columns ℓ·p; its diagonal block is block diagonal (H11, one
 *   p₁×p₁ block ZgᵀZg per level g);
 * - the trailing block: every other term's columns (design order), then X, then y — dense H22 of order nd;
 * - the sparse cross block H21: for each level g of term 1 the trailing rows R_g it meets (whole blocks of the
 *   other terms, ascending, then all X rows, then the y row) with the values of (trailing row)ᵀ Z_g.
 *
 * Built in one pass over the observations (grouped by term-1 level); no n×q matrix. Only the y entries depend on
 * the response, so a new response (`responseStatistics`) recomputes only those.
 */
import type { DesignBuffers } from "../design/types.js";
import { SpruceError } from "../errors.js";

export interface BlockedLayout {
  nTerms: number;
  /** Design index of term 1 (the block-diagonal term). */
  t0: number;
  /** Design indices of the other terms, in design order (their order in the trailing block). */
  rest: number[];
  p1: number;
  l1: number;
  q1: number;
  qRest: number;
  p: number;
  /** Order of the trailing block: qRest + p + 1. */
  nd: number;
  n: number;
  q: number;
  nTheta: number;
  /** Length of the longest R_g. */
  maxR: number;
  termP: Int32Array;
  /** Offset of each term's p×p template (and gradient accumulators) in f64 units. */
  tplOff: Int32Array;
  /** For each trailing random row: design index of its term, and its position inside its level block. */
  rowTerm: Int32Array;
  rowPos: Int32Array;
  /** First trailing row of each design term (−1 for term 1). */
  rowOffset: Int32Array;
  H11: Float64Array;
  rowStart: Int32Array;
  rowIdx: Int32Array;
  H21: Float64Array;
  /** nd×nd, full symmetric, column-major. */
  H22: Float64Array;
  /** Observations grouped by term-1 level (obsStart[g]..obsStart[g+1] into obsOrder). */
  obsOrder: Int32Array;
  obsStart: Int32Array;
  /** For a design-order random-effect index, its index in the internal order [term 1, trailing random rows]. */
  internalIndex: Int32Array;
  /**
   * Whether the random part of the trailing block stays sparse after term 1 is eliminated (nested factors: it
   * stays block diagonal), so that the kernels that skip zeros beat the tiled dense ones.
   */
  sparseTrailing: boolean;
}

function checkBuffers(b: DesignBuffers): void {
  if (b.terms.length === 0) throw new SpruceError("the model has no random-effects term");
  if (b.y.length !== b.n) throw new SpruceError(`response has length ${b.y.length}, expected ${b.n}`);
  if (b.X.length !== b.n * b.p)
    throw new SpruceError(`fixed-effects matrix has ${b.X.length} entries, expected n·p`);
  for (let i = 0; i < b.n; i++)
    if (!Number.isFinite(b.y[i] as number))
      throw new SpruceError(`response is not finite at observation ${i + 1}`);
  b.terms.forEach((t, ti) => {
    if (t.refs.length !== b.n || t.z.length !== b.n * t.p)
      throw new SpruceError(`random-effects term ${ti + 1} has buffers of the wrong length`);
    for (let i = 0; i < b.n; i++) {
      const r = t.refs[i] as number;
      if (!(r >= 0 && r < t.nlevels))
        throw new SpruceError(
          `random-effects term ${ti + 1}: level index ${r} out of range at observation ${i + 1}`,
        );
    }
    for (let i = 0; i < t.z.length; i++)
      if (!Number.isFinite(t.z[i] as number))
        throw new SpruceError(
          `random-effects term ${ti + 1}: non-finite model-matrix value at observation ${Math.floor(i / t.p) + 1}`,
        );
  });
}

export function buildBlockedLayout(b: DesignBuffers): BlockedLayout {
  checkBuffers(b);
  const { n, p, terms } = b;
  const nTerms = terms.length;
  let t0 = 0;
  terms.forEach((t, i) => {
    const best = terms[t0]!;
    if (t.nlevels * t.p > best.nlevels * best.p) t0 = i;
  });
  const rest = terms.map((_, i) => i).filter((i) => i !== t0);
  const termP = Int32Array.from(terms, (t) => t.p);
  const tplOff = new Int32Array(nTerms);
  let tplTotal = 0;
  let nTheta = 0;
  terms.forEach((t, i) => {
    tplOff[i] = tplTotal;
    tplTotal += t.p * t.p;
    nTheta += (t.p * (t.p + 1)) / 2;
  });
  const rowOffset = new Int32Array(nTerms).fill(-1);
  let qRest = 0;
  for (const s of rest) {
    rowOffset[s] = qRest;
    qRest += terms[s]!.nlevels * terms[s]!.p;
  }
  const rowTerm = new Int32Array(qRest);
  const rowPos = new Int32Array(qRest);
  for (const s of rest) {
    const ps = terms[s]!.p;
    for (let c = 0; c < terms[s]!.nlevels * ps; c++) {
      rowTerm[rowOffset[s]! + c] = s;
      rowPos[rowOffset[s]! + c] = c % ps;
    }
  }
  const term1 = terms[t0]!;
  const p1 = term1.p;
  const l1 = term1.nlevels;
  const q1 = l1 * p1;
  const nd = qRest + p + 1;
  const yRow = nd - 1;
  // The engine keeps three nd×nd matrices (statistics, factor, inverse) in a wasm heap that must stay below 2 GiB.
  const denseBytes = 3 * nd * nd * 8;
  if (denseBytes > 1.5 * 2 ** 30)
    throw new SpruceError(
      `the model is too large for the engine: its dense block (the random-effects terms after the largest one, ` +
        `the fixed effects and y; order ${nd}) needs ${(denseBytes / 2 ** 30).toFixed(2)} GiB`,
    );

  // Observations grouped by term-1 level (counting sort, stable).
  const obsStart = new Int32Array(l1 + 1);
  for (let i = 0; i < n; i++) obsStart[(term1.refs[i] as number) + 1]!++;
  for (let g = 0; g < l1; g++) obsStart[g + 1]! += obsStart[g]!;
  const fillPos = obsStart.slice(0, l1);
  const obsOrder = new Int32Array(n);
  for (let i = 0; i < n; i++) obsOrder[fillPos[term1.refs[i] as number]!++] = i;

  // Per level: the trailing blocks it meets, then X and y rows; values of (trailing row)ᵀ z_g.
  const H11 = new Float64Array(l1 * p1 * p1);
  const rowStart = new Int32Array(l1 + 1);
  const rowIdxList: number[] = [];
  const h21List: number[] = [];
  const mark = new Int32Array(qRest).fill(-1);
  const posOf = new Int32Array(qRest);
  let maxR = 0;
  const z1 = term1.z;
  for (let g = 0; g < l1; g++) {
    const o0 = obsStart[g]!;
    const o1 = obsStart[g + 1]!;
    const blocks: number[] = [];
    for (let o = o0; o < o1; o++) {
      const i = obsOrder[o]!;
      for (const s of rest) {
        const t = terms[s]!;
        const bs = rowOffset[s]! + (t.refs[i] as number) * t.p;
        if (mark[bs] !== g) {
          mark[bs] = g;
          blocks.push(bs);
        }
      }
    }
    blocks.sort((a, c) => a - c);
    const rows: number[] = [];
    for (const bs of blocks) {
      const ps = termP[rowTerm[bs]!]!;
      for (let j = 0; j < ps; j++) {
        posOf[bs + j] = rows.length;
        rows.push(bs + j);
      }
    }
    const nRand = rows.length;
    for (let x = 0; x < p; x++) rows.push(qRest + x);
    rows.push(yRow);
    const base = h21List.length;
    rowStart[g] = rowIdxList.length;
    for (const r of rows) rowIdxList.push(r);
    for (let k = 0; k < rows.length * p1; k++) h21List.push(0);
    maxR = Math.max(maxR, rows.length);
    const Hg = g * p1 * p1;
    for (let o = o0; o < o1; o++) {
      const i = obsOrder[o]!;
      const zi = i * p1;
      for (let a = 0; a < p1; a++) {
        const za = z1[zi + a] as number;
        for (let c = 0; c < p1; c++) H11[Hg + a + c * p1]! += za * (z1[zi + c] as number);
      }
      for (const s of rest) {
        const t = terms[s]!;
        const bs = rowOffset[s]! + (t.refs[i] as number) * t.p;
        for (let j = 0; j < t.p; j++) {
          const v = t.z[i * t.p + j] as number;
          const r = base + posOf[bs + j]! * p1;
          for (let k = 0; k < p1; k++) h21List[r + k]! += v * (z1[zi + k] as number);
        }
      }
      for (let x = 0; x < p; x++) {
        const v = b.X[x * n + i] as number;
        if (v === 0) continue;
        const r = base + (nRand + x) * p1;
        for (let k = 0; k < p1; k++) h21List[r + k]! += v * (z1[zi + k] as number);
      }
      const v = b.y[i] as number;
      const r = base + (nRand + p) * p1;
      for (let k = 0; k < p1; k++) h21List[r + k]! += v * (z1[zi + k] as number);
    }
  }
  rowStart[l1] = rowIdxList.length;

  // Trailing block: Σ_i w_i w_iᵀ with w_i = [other terms' z at their rows, X row, y] (sparse in the random part).
  const H22 = new Float64Array(nd * nd);
  const idx = new Int32Array(nd);
  const val = new Float64Array(nd);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (const s of rest) {
      const t = terms[s]!;
      const bs = rowOffset[s]! + (t.refs[i] as number) * t.p;
      for (let j = 0; j < t.p; j++) {
        idx[m] = bs + j;
        val[m++] = t.z[i * t.p + j] as number;
      }
    }
    // only the non-zero entries (indicator columns of X are mostly 0: InstEval has ~5 non-zeros of 30)
    for (let x = 0; x < p; x++) {
      const v = b.X[x * n + i] as number;
      if (v === 0) continue;
      idx[m] = qRest + x;
      val[m++] = v;
    }
    idx[m] = yRow;
    val[m++] = b.y[i] as number;
    for (let a = 0; a < m; a++) {
      const va = val[a]!;
      const col = idx[a]! * nd;
      for (let c = 0; c <= a; c++) H22[idx[c]! + col]! += va * val[c]!;
    }
  }
  symmetrize(H22, nd);

  const internalIndex = new Int32Array(q1 + qRest);
  let d = 0;
  terms.forEach((t, i) => {
    for (let c = 0; c < t.nlevels * t.p; c++) internalIndex[d++] = i === t0 ? c : q1 + rowOffset[i]! + c;
  });

  const sparseTrailing = trailingIsSparse(qRest, nd, H22, l1, rowStart, rowIdxList);

  return {
    sparseTrailing,
    nTerms,
    t0,
    rest,
    p1,
    l1,
    q1,
    qRest,
    p,
    nd,
    n,
    q: q1 + qRest,
    nTheta,
    maxR,
    termP,
    tplOff,
    rowTerm,
    rowPos,
    rowOffset,
    H11,
    rowStart,
    rowIdx: Int32Array.from(rowIdxList),
    H21: Float64Array.from(h21List),
    H22,
    obsOrder,
    obsStart,
    internalIndex,
  };
}

/**
 * Whether the random part of the trailing block stays sparse once term 1 is eliminated: the union of its own
 * pattern and one clique per level of term 1 (fill-in by the Cholesky itself is not counted; nested factors have
 * none) covers under 5% of its lower triangle. Counted exactly with a bitmap up to 8192 rows, bounded above.
 */
function trailingIsSparse(
  qRest: number,
  nd: number,
  H22: Float64Array,
  l1: number,
  rowStart: Int32Array,
  rowIdx: number[],
): boolean {
  if (qRest < 64) return false;
  const total = (qRest * (qRest + 1)) / 2;
  const limit = 0.05 * total;
  let count = 0;
  const exact = qRest <= 8192;
  const seen = exact ? new Uint8Array(Math.ceil(total / 8)) : new Uint8Array(0);
  const mark = (i: number, j: number): void => {
    // lower triangle, row i ≥ column j
    if (!exact) {
      count++;
      return;
    }
    const k = (i * (i + 1)) / 2 + j;
    const bit = 1 << (k & 7);
    const byte = k >> 3;
    if ((seen[byte]! & bit) === 0) {
      seen[byte]! |= bit;
      count++;
    }
  };
  for (let j = 0; j < qRest; j++)
    for (let i = j; i < qRest; i++) {
      if (H22[i + j * nd] !== 0) mark(i, j);
      if (count > limit) return false;
    }
  const rows: number[] = [];
  for (let g = 0; g < l1; g++) {
    rows.length = 0;
    for (let r = rowStart[g]!; r < rowStart[g + 1]!; r++) if (rowIdx[r]! < qRest) rows.push(rowIdx[r]!);
    for (let a = 0; a < rows.length; a++) for (let c = 0; c <= a; c++) mark(rows[a]!, rows[c]!);
    if (count > limit) return false;
  }
  return true;
}

/** Entries accumulated as (row ≥ col or row ≤ col, whichever came first): add the transposed halves. */
function symmetrize(A: Float64Array, nd: number): void {
  // Accumulation wrote A[idx[c] + idx[a]·nd] with c ≤ a in insertion order, which is ascending in row index for
  // every observation (other terms ascend with design order, then X, then y): so only the upper triangle
  // (row ≤ col) holds values; mirror it, keeping the diagonal.
  for (let j = 0; j < nd; j++)
    for (let i = 0; i < j; i++) {
      const v = A[i + j * nd]! + A[j + i * nd]!;
      A[i + j * nd] = v;
      A[j + i * nd] = v;
    }
}

/**
 * The response-dependent statistics for a new y, written into the layout's arrays (or views of them in wasm
 * memory): the y row of each H21_g, and the y row/column of H22 (Zᵀy of the other terms, Xᵀy, yᵀy).
 */
export function responseStatistics(
  L: BlockedLayout,
  b: DesignBuffers,
  y: Float64Array,
  H21: Float64Array,
  H22: Float64Array,
): void {
  const { n, p, nd, p1, l1, qRest } = L;
  if (y.length !== n) throw new SpruceError(`response has length ${y.length}, expected ${n}`);
  for (let i = 0; i < n; i++)
    if (!Number.isFinite(y[i] as number))
      throw new SpruceError(`response is not finite at observation ${i + 1}`);
  const term1 = b.terms[L.t0]!;
  for (let g = 0; g < l1; g++) {
    const r = (L.rowStart[g + 1]! - 1) * p1;
    for (let k = 0; k < p1; k++) H21[r + k] = 0;
    for (let o = L.obsStart[g]!; o < L.obsStart[g + 1]!; o++) {
      const i = L.obsOrder[o]!;
      const yi = y[i] as number;
      for (let k = 0; k < p1; k++) H21[r + k]! += yi * (term1.z[i * p1 + k] as number);
    }
  }
  const yRow = nd - 1;
  const col = new Float64Array(nd);
  for (let i = 0; i < n; i++) {
    const yi = y[i] as number;
    for (const s of L.rest) {
      const t = b.terms[s]!;
      const bs = L.rowOffset[s]! + (t.refs[i] as number) * t.p;
      for (let j = 0; j < t.p; j++) col[bs + j]! += yi * (t.z[i * t.p + j] as number);
    }
    for (let x = 0; x < p; x++) col[qRest + x]! += yi * (b.X[x * n + i] as number);
    col[yRow]! += yi * yi;
  }
  for (let c = 0; c < nd; c++) {
    H22[c + yRow * nd] = col[c]!;
    H22[yRow + c * nd] = col[c]!;
  }
}
