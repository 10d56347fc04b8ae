/**
 * The blocked layout of the sufficient statistics (docs/architecture.md, "The blocked factor"):
 *
 * - term 1: the random-effects term with the most columns ℓ·p; its diagonal block is block diagonal (H11, one
 *   p₁×p₁ block ZgᵀZg per level g);
 * - the trailing block: every other term's columns (design order), then X, then y — dense H22 of order nd;
 * - the sparse cross block H21: for each level g of term 1 the trailing rows R_g it meets (whole blocks of the
 *   other terms, ascending, then all X rows, then the y row) with the values of (trailing row)ᵀ Z_g.
 *
 * Terms on one grouping factor are one block here (./factor-blocks.ts): "term" below means such a block, and
 * `blocks` maps them back to the design's terms and θ.
 *
 * This module finds the structure only (which rows each level meets, the observations grouped by level, whether
 * the trailing block stays sparse): bookkeeping, done once per engine. The values — ZᵀZ, ZᵀX, XᵀX, Zᵀy, Xᵀy, yᵀy
 * in this layout, and their y entries again for a new response — are accumulated by the wasm kernels
 * (assembly/pls/statistics.ts) from the design data copied into the heap once (src/fit/wasm-engine.ts).
 */
import type { DesignBuffers } from "../design/types.js";
import { SpruceError } from "../errors.js";
import { type FactorBlocks, factorBlocks, sameFactorGroups } from "./factor-blocks.js";
import { naturalFillWithin } from "./natural-fill.js";

export interface BlockedLayout {
  /** The terms the kernels see: the design's, with the terms on one grouping factor joined (./factor-blocks.ts). */
  terms: DesignBuffers["terms"];
  /** Which design terms each of `terms` holds, and θ's index for every template entry. */
  blocks: FactorBlocks;
  nTerms: number;
  /** Index (into `terms`) of term 1, the block-diagonal term. */
  t0: number;
  /** Indices of the other terms, in order (their order in the trailing block). */
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
  /** For each trailing random row: its term (index into `terms`), and its position inside its level block. */
  rowTerm: Int32Array;
  rowPos: Int32Array;
  /** First trailing row of each of `terms` (−1 for term 1). */
  rowOffset: Int32Array;
  /** The rows R_g of level g are rowIdx[rowStart[g]..rowStart[g+1]) (trailing row numbers, ascending). */
  rowStart: Int32Array;
  rowIdx: Int32Array;
  /** Observations grouped by term-1 level (obsStart[g]..obsStart[g+1] into obsOrder). */
  obsOrder: Int32Array;
  obsStart: Int32Array;
  /**
   * For a design-order random-effect index (design terms, as in engine.ts), its index in the internal order
   * [term 1, trailing random rows].
   */
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

/**
 * Order of the dense trailing block (nd) from the sizes alone: every random-effects column except those of the
 * term (the block of terms on one factor) with the most (term 1, block-diagonal), plus the fixed effects and y.
 * Its factorisation sets the cost of an evaluation, O(nd³).
 */
export function denseBlockOrder(buffers: Pick<DesignBuffers, "terms" | "p">): number {
  let total = 0;
  let largest = 0;
  for (const group of sameFactorGroups(buffers.terms)) {
    let size = 0;
    for (const i of group) size += buffers.terms[i]!.nlevels * buffers.terms[i]!.p;
    total += size;
    largest = Math.max(largest, size);
  }
  return total - largest + buffers.p + 1;
}

/**
 * From this order of the dense block on a model counts as large: one evaluation costs milliseconds or more, so
 * the fit spends a few evaluations up front to save many (src/fit/fit.ts) and the kernels are warmed up first
 * (./warm-up.ts).
 */
export const LARGE_DENSE_BLOCK = 256;

/**
 * options.sparseCheck = false leaves sparseTrailing false without counting the pattern (the engine counts it with
 * trailingStaysSparse only when the sparse factor of ./sparse-trailing/ is not used).
 */
export function buildBlockedLayout(b: DesignBuffers, options: { sparseCheck?: boolean } = {}): BlockedLayout {
  checkBuffers(b);
  const { n, p } = b;
  const joined = factorBlocks(b.terms);
  const terms = joined.terms;
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
  terms.forEach((t, i) => {
    tplOff[i] = tplTotal;
    tplTotal += t.p * t.p;
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
  // No size check here: the engine (src/fit/wasm-engine.ts) knows whether its trailing block is dense (three
  // nd×nd buffers) or on a sparse pattern, and refuses what its heap cannot hold.

  // Observations grouped by term-1 level, then each level's row list. Each pass is a function of its own: this
  // runs once per fit, and V8 compiles a long call's loops on the stack, then throws the code away at the next loop,
  // which it has not yet seen (over the first fits of star the layout took 15–26 ms, 3 once settled).
  const { obsStart, obsOrder } = groupByLevel(term1.refs, l1, n);
  const { rowStart, rowIdx, maxR } = levelRowLists(
    terms,
    rest,
    rowOffset,
    termP,
    rowTerm,
    qRest,
    p,
    obsStart,
    obsOrder,
  );

  // Design term i, level h, column j sits in its block k at h·P + (its column offset) + j.
  const internalIndex = new Int32Array(q1 + qRest);
  let d = 0;
  b.terms.forEach((t, i) => {
    const k = joined.blockOf[i]!;
    const P = terms[k]!.p;
    const start = (k === t0 ? 0 : q1 + rowOffset[k]!) + joined.columnOffset[i]!;
    for (let h = 0; h < t.nlevels; h++) for (let j = 0; j < t.p; j++) internalIndex[d++] = start + h * P + j;
  });

  const sparseTrailing =
    options.sparseCheck === false
      ? false
      : trailingIsSparse(n, terms, rest, rowOffset, qRest, l1, rowStart, rowIdx);

  return {
    terms,
    blocks: joined,
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
    nTheta: joined.nTheta,
    maxR,
    termP,
    tplOff,
    rowTerm,
    rowPos,
    rowOffset,
    rowStart,
    rowIdx,
    obsOrder,
    obsStart,
    internalIndex,
  };
}

/** Observations grouped by level (counting sort, stable): level g's are obsOrder[obsStart[g] .. obsStart[g + 1]). */
function groupByLevel(
  refs: Int32Array,
  levels: number,
  n: number,
): { obsStart: Int32Array; obsOrder: Int32Array } {
  const obsStart = new Int32Array(levels + 1);
  for (let i = 0; i < n; i++) obsStart[(refs[i] as number) + 1]!++;
  for (let g = 0; g < levels; g++) obsStart[g + 1]! += obsStart[g]!;
  const fillPos = obsStart.slice(0, levels);
  const obsOrder = new Int32Array(n);
  for (let i = 0; i < n; i++) obsOrder[fillPos[refs[i] as number]!++] = i;
  return { obsStart, obsOrder };
}

/**
 * Per level of term 1: the trailing blocks it meets (ascending), then the X rows and the y row. Only the structure
 * is found here; the values (H11, H21, H22) are accumulated by the wasm kernels (assembly/pls/statistics.ts). Typed
 * arrays throughout (InstEval: 2,972 levels meeting ~25 lecturers each): a number[] with a comparator sort per level
 * cost tens of milliseconds here. The list's length is bounded by one block per observation and term.
 */
function levelRowLists(
  terms: DesignBuffers["terms"],
  rest: number[],
  rowOffset: Int32Array,
  termP: Int32Array,
  rowTerm: Int32Array,
  qRest: number,
  p: number,
  obsStart: Int32Array,
  obsOrder: Int32Array,
): { rowStart: Int32Array; rowIdx: Int32Array; maxR: number } {
  const l1 = obsStart.length - 1;
  const n = obsOrder.length;
  const yRow = qRest + p;
  const rowStart = new Int32Array(l1 + 1);
  let restWidth = 0;
  for (const s of rest) restWidth += terms[s]!.p;
  const rowIdx = new Int32Array(n * restWidth + l1 * (p + 1));
  let used = 0;
  const mark = new Int32Array(qRest).fill(-1);
  let maxR = 0;
  const blocks = new Int32Array(Math.max(1, qRest));
  for (let g = 0; g < l1; g++) {
    rowStart[g] = used;
    let nb = 0;
    if (rest.length > 0)
      for (let o = obsStart[g]!; o < obsStart[g + 1]!; o++) {
        const i = obsOrder[o]!;
        for (const s of rest) {
          const t = terms[s]!;
          const bs = rowOffset[s]! + (t.refs[i] as number) * t.p;
          if (mark[bs] !== g) {
            mark[bs] = g;
            blocks[nb++] = bs;
          }
        }
      }
    // Insertion sort: the lists are short (InstEval: ~25 lecturers per student), and a typed-array sort call per
    // level (a subarray and the library sort each time) cost more than the sorting.
    for (let k = 1; k < nb; k++) {
      const v = blocks[k]!;
      let m = k - 1;
      while (m >= 0 && blocks[m]! > v) {
        blocks[m + 1] = blocks[m]!;
        m--;
      }
      blocks[m + 1] = v;
    }
    for (let k = 0; k < nb; k++) {
      const bs = blocks[k]!;
      const ps = termP[rowTerm[bs]!]!;
      for (let j = 0; j < ps; j++) rowIdx[used++] = bs + j;
    }
    for (let x = 0; x < p; x++) rowIdx[used++] = qRest + x;
    rowIdx[used++] = yRow;
    maxR = Math.max(maxR, used - rowStart[g]!);
  }
  rowStart[l1] = used;
  return { rowStart, rowIdx: rowIdx.slice(0, used), maxR };
}

/** The layout's sparseTrailing, for a layout built with sparseCheck = false. */
export function trailingStaysSparse(L: BlockedLayout): boolean {
  return trailingIsSparse(L.n, L.terms, L.rest, L.rowOffset, L.qRest, L.l1, L.rowStart, L.rowIdx);
}

/**
 * Whether the random part of the trailing block stays sparse once term 1 is eliminated: the union of its own
 * pattern and one clique per level of term 1 covers under 5% of its lower triangle, and so does its Cholesky
 * factor in the natural order (./natural-fill.ts: nested factors have no fill, random crossings do). The pattern is
 * structural (which rows co-occur in an observation), so values that happen to be zero do not count as zeros: the
 * decision only picks the faster kernels, both are exact. Counted exactly with a bitmap up to 8192 rows, bounded
 * above.
 */
function trailingIsSparse(
  n: number,
  terms: DesignBuffers["terms"],
  rest: number[],
  rowOffset: Int32Array,
  qRest: number,
  l1: number,
  rowStart: Int32Array,
  rowIdx: Int32Array,
): boolean {
  if (qRest < 64) return false;
  const total = (qRest * (qRest + 1)) / 2;
  const limit = 0.05 * total;
  let count = 0;
  const exact = qRest <= 8192;
  const seen = exact ? new Uint8Array(Math.ceil(total / 8)) : new Uint8Array(0);
  // The entries below the diagonal, by column, for the symbolic factorisation (at most `limit` of them).
  const higher: number[][] = Array.from({ length: qRest }, () => []);
  const mark = (i: number, j: number): void => {
    // lower triangle, row i ≥ column j
    if (!exact) {
      count++;
      if (i !== j) higher[j]!.push(i);
      return;
    }
    const k = (i * (i + 1)) / 2 + j;
    const bit = 1 << (k & 7);
    const byte = k >> 3;
    if ((seen[byte]! & bit) === 0) {
      seen[byte]! |= bit;
      count++;
      if (i !== j) higher[j]!.push(i);
    }
  };
  const rows: number[] = [];
  // The count only grows, so the order of the two passes does not change the answer; the cliques come first
  // because a dense pattern passes the limit within a few of them (InstEval: ~100 of 2,972 levels), before the
  // pass over every observation.
  for (let g = 0; g < l1; g++) {
    rows.length = 0;
    for (let r = rowStart[g]!; r < rowStart[g + 1]!; r++) if (rowIdx[r]! < qRest) rows.push(rowIdx[r]!);
    for (let a = 0; a < rows.length; a++) for (let c = 0; c <= a; c++) mark(rows[a]!, rows[c]!);
    if (count > limit) return false;
  }
  // Its own pattern: the rows of the other terms that one observation meets (ascending: terms in design order).
  for (let i = 0; i < n; i++) {
    rows.length = 0;
    for (const s of rest) {
      const t = terms[s]!;
      const bs = rowOffset[s]! + (t.refs[i] as number) * t.p;
      for (let j = 0; j < t.p; j++) rows.push(bs + j);
    }
    for (let a = 0; a < rows.length; a++) for (let c = 0; c <= a; c++) mark(rows[a]!, rows[c]!);
    if (count > limit) return false;
  }
  return naturalFillWithin(higher, limit);
}
