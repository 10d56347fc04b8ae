/**
 * The symbolic half of the sparse trailing block (docs/architecture.md, "The sparse trailing block"): once per
 * engine, the pattern of the trailing block after term 1 is eliminated, a fill-reducing order of its random rows
 * (./min-degree.ts), the pattern of its Cholesky factor, and the choice between that sparse factor and the dense
 * kernels. The numeric half is in wasm (assembly/sparse/cholesky.ts, assembly/pls/sparse-trailing.ts), once per
 * evaluation, on the arrays made here.
 *
 * The graph: one node per level of each term other than term 1 (a block of p_s rows); an edge wherever two
 * blocks meet in one level of term 1 (its rows R_g become a clique when the level is eliminated; these cliques
 * also cover the pattern of H22, since an observation's blocks all lie in its level's R_g). The X and y rows meet
 * everything: they stay last, dense, in both orders.
 */
import type { KernelExports } from "../../wasm/load.js";
import { scratchBlock } from "../../wasm/scratch-block.js";
import type { BlockedLayout } from "../blocked-layout.js";
import { minimumDegree, type NodeLists } from "./min-degree.js";

/** Which factor of the trailing block an engine uses: chosen from the symbolic fill ("auto"), or forced. */
export type TrailingFactor = "auto" | "dense" | "sparse";

/** The arrays the sparse kernels read (the context's sp* buffers, scripts/contract/spec.mjs). */
export interface SparseTrailingPlan {
  /** Order of the factor: nd. */
  n: number;
  nnz: number;
  /** perm[i]: the original trailing row at position i of the factor's order (X and y rows unmoved, last). */
  perm: Int32Array;
  colPtr: Int32Array;
  rowIdx: Int32Array;
  rowPtr: Int32Array;
  rowCol: Int32Array;
  rowPos: Int32Array;
  /** inv[r]: the position in the factor's order of original trailing row r (perm's inverse). */
  inv: Int32Array;
  /** Σ_j (entries of column j below the diagonal)²: the sparse factor's flops, about. */
  flops: number;
}

/** How much faster per flop the tiled dense kernels run than the sparse loops (their indirection), roughly. */
const DENSE_SPEEDUP = 8;
/** Below this many random trailing rows the dense kernels are chosen (both are microseconds). */
const MIN_RANDOM_ROWS = 64;
/** The initial pattern (before fill) covering more than this fraction of the random lower triangle: dense. */
const MAX_INITIAL_DENSITY = 0.1;
/** More edges than this (with repeats, counted before the graph is built): dense. */
const MAX_EDGE_PAIRS = 4e6;

/**
 * The sparse plan for this layout, or null for the dense path. "auto" picks sparse when the sparse factor's
 * flops, weighted by DENSE_SPEEDUP, are below the dense nd³/3 (and below `maxFlops`); "sparse" builds the plan
 * whatever the fill.
 */
export function planSparseTrailing(
  kernels: KernelExports,
  layout: BlockedLayout,
  mode: TrailingFactor = "auto",
  maxFlops = Number.POSITIVE_INFINITY,
): SparseTrailingPlan | null {
  const { qRest, nd } = layout;
  // One grouping factor: the trailing block is X and y only, dense (the one-factor kernels read it so), whatever
  // the mode.
  if (mode === "dense" || qRest === 0) return null;
  const auto = mode === "auto";
  if (auto && qRest < MIN_RANDOM_ROWS) return null;
  const denseFlops = (nd * nd * nd) / 3;
  const budget = auto ? Math.min(denseFlops, maxFlops) / DENSE_SPEEDUP : Number.POSITIVE_INFINITY;
  const graph = trailingGraph(kernels, layout, auto);
  if (!graph) return null;
  const md = minimumDegree(kernels, graph.adj, graph.weight, budget);
  if (!md) return null;
  const plan = scalarPattern(qRest, nd, graph.nodeRow, graph.weight, md.order, md.structure);
  if (auto && plan.flops * DENSE_SPEEDUP >= Math.min(denseFlops, maxFlops)) return null;
  return plan;
}

/**
 * The sparse plan of the trailing block when one evaluation factors it at no more than the cost of a dense block of
 * order `maxOrder` (the sparse factor's flops weighted by DENSE_SPEEDUP against maxOrder³/3), else null. The size
 * limit (maxDenseBlock, src/validate/limits.ts) asks this of a block above it: a large trailing block whose factor
 * is sparse (5,000 teachers nested in 500 schools: order 5,503) is fitted, on this plan (the engine does not plan
 * again: WasmEngineOptions.plan); one that fills in is refused as before. The search gives up once the cost passes
 * the limit, so a refused model is not kept waiting for the whole of it. When it completes, the plan is the one
 * "auto" would make with the dense budget: the same search, stopped by neither budget.
 */
export function sparsePlanWithin(
  kernels: KernelExports,
  layout: BlockedLayout,
  maxOrder: number,
): SparseTrailingPlan | null {
  return planSparseTrailing(kernels, layout, "auto", maxOrder ** 3 / 3);
}

interface TrailingGraph {
  adj: NodeLists;
  weight: Int32Array;
  /** First trailing row of each node. */
  nodeRow: Int32Array;
}

/** The block graph of the trailing random rows (see the module comment); null when it is too dense for "auto". */
function trailingGraph(kernels: KernelExports, L: BlockedLayout, auto: boolean): TrailingGraph | null {
  const { qRest, rowTerm, rowPos, termP, rowStart, rowIdx, l1 } = L;
  // Nodes in trailing-row order: node of a row = the count of block starts before it.
  const nodeOfRow = new Int32Array(qRest);
  let nb = 0;
  for (let c = 0; c < qRest; c++) {
    if (rowPos[c] === 0) nb++;
    nodeOfRow[c] = nb - 1;
  }
  const weight = new Int32Array(nb);
  const nodeRow = new Int32Array(nb);
  for (let c = 0; c < qRest; c++)
    if (rowPos[c] === 0) {
      weight[nodeOfRow[c]!] = termP[rowTerm[c]!]!;
      nodeRow[nodeOfRow[c]!] = c;
    }
  // The edges: two passes over the levels of term 1 (count each node's meetings, then write them), each list then
  // without repeats; in wasm (assembly/sparse/block-graph.ts), which runs compiled from the first fit on. More
  // meetings of two blocks in one level of term 1 than there are ordered pairs of blocks ("auto" only): the pattern
  // is dense enough that building it is wasted work (InstEval's lecturers: 60 ms of a 600 ms fit); so is one with
  // more meetings than MAX_EDGE_PAIRS. A wrong "dense" here only keeps the dense kernels, never a wrong factor.
  // (The cliques of the R_g cover the pattern of H22 too: the blocks one observation meets are all in the row list
  // of its term-1 level, so no pass over the observations is needed.)
  const { base, out, at } = scratchBlock(kernels, 2, [rowStart, rowIdx, rowPos, nodeOfRow, nb + 1]);
  const [rowStartAt, rowIdxAt, rowPosAt, nodeOfRowAt, startAt] = at;
  let adj: NodeLists;
  try {
    const status = kernels.trailingGraphLists(
      l1,
      qRest,
      rowStartAt,
      rowIdxAt,
      rowPosAt,
      nodeOfRowAt,
      nb,
      auto ? 1 : 0,
      MAX_EDGE_PAIRS,
      startAt,
      out,
    );
    if (status !== 0) return null;
    // The kernel allocates: views afresh.
    const i32 = new Int32Array(kernels.memory.buffer);
    const f64 = new Float64Array(kernels.memory.buffer);
    const list = f64[out / 8]!;
    const edges = f64[out / 8 + 1]!;
    adj = {
      start: i32.slice(startAt / 4, startAt / 4 + nb + 1),
      nodes: i32.slice(list / 4, list / 4 + edges),
    };
    kernels.free(list);
  } finally {
    kernels.free(base);
  }
  const edges = adj.nodes.length;
  if (auto && edges / 2 > MAX_INITIAL_DENSITY * ((nb * (nb + 1)) / 2)) return null;
  return { adj, weight, nodeRow };
}

/**
 * The scalar pattern of L from a block elimination (./min-degree.ts: order and structure), for a matrix of order nd
 * whose first qRest rows are the blocks (node v: weight[v] rows from nodeRow[v]) and whose last nd − qRest rows
 * (X and y) meet everything: they stay last and dense.
 */
export function scalarPattern(
  qRest: number,
  nd: number,
  nodeRow: Int32Array,
  weight: Int32Array,
  order: Int32Array,
  structure: NodeLists,
): SparseTrailingPlan {
  // Each pass a function of its own: this runs once per fit (see ./min-degree.ts on V8 and long single calls).
  const { start, perm } = scalarOrder(qRest, nd, nodeRow, weight, order);
  const { colPtr, flops } = columnCounts(qRest, nd, weight, order, structure, start);
  const rowIdx = columnRows(qRest, nd, weight, order, structure, start, colPtr);
  const { rowPtr, rowCol, rowPos } = rowPattern(nd, colPtr, rowIdx);
  const inv = new Int32Array(nd);
  for (let j = 0; j < nd; j++) inv[perm[j]!] = j;
  return { n: nd, nnz: colPtr[nd]!, perm, colPtr, rowIdx, rowPtr, rowCol, rowPos, inv, flops };
}

/** Scalar position of each node's first row in the factor's order, and the permutation (X and y rows last). */
function scalarOrder(
  qRest: number,
  nd: number,
  nodeRow: Int32Array,
  weight: Int32Array,
  order: Int32Array,
): { start: Int32Array; perm: Int32Array } {
  const nb = order.length;
  const start = new Int32Array(nb);
  const perm = new Int32Array(nd);
  let pos = 0;
  for (let k = 0; k < nb; k++) {
    const v = order[k]!;
    start[v] = pos;
    for (let r = 0; r < weight[v]!; r++) perm[pos++] = nodeRow[v]! + r;
  }
  for (let c = qRest; c < nd; c++) perm[c] = c;
  return { start, perm };
}

/** Column pointers of L (counts, then their prefix sums) and Σ (entries below the diagonal)². */
function columnCounts(
  qRest: number,
  nd: number,
  weight: Int32Array,
  order: Int32Array,
  structure: NodeLists,
  start: Int32Array,
): { colPtr: Int32Array; flops: number } {
  const tail = nd - qRest;
  const colPtr = new Int32Array(nd + 1);
  let flops = 0;
  const { start: sStart, nodes: sNodes } = structure;
  for (let k = 0; k < order.length; k++) {
    const v = order[k]!;
    let below = tail;
    for (let i = sStart[k]!; i < sStart[k + 1]!; i++) below += weight[sNodes[i]!]!;
    for (let r = 0; r < weight[v]!; r++) {
      const len = 1 + (weight[v]! - 1 - r) + below;
      colPtr[start[v]! + r + 1] = len;
      flops += (len - 1) * (len - 1);
    }
  }
  for (let j = qRest; j < nd; j++) {
    colPtr[j + 1] = nd - j;
    flops += (nd - j - 1) * (nd - j - 1);
  }
  for (let j = 0; j < nd; j++) colPtr[j + 1]! += colPtr[j]!;
  return { colPtr, flops };
}

/** The rows of each column: the rest of its own block, its structure's blocks ascending, then the X and y rows. */
function columnRows(
  qRest: number,
  nd: number,
  weight: Int32Array,
  order: Int32Array,
  structure: NodeLists,
  start: Int32Array,
  colPtr: Int32Array,
): Int32Array {
  const rowIdx = new Int32Array(colPtr[nd]!);
  const { start: sStart, nodes: sNodes } = structure;
  for (let k = 0; k < order.length; k++) {
    const v = order[k]!;
    for (let r = 0; r < weight[v]!; r++) {
      const j = start[v]! + r;
      let p = colPtr[j]!;
      for (let i = j; i < start[v]! + weight[v]!; i++) rowIdx[p++] = i;
      // v's structure, ascending by position
      for (let i = sStart[k]!; i < sStart[k + 1]!; i++) {
        const u = sNodes[i]!;
        for (let s = 0; s < weight[u]!; s++) rowIdx[p++] = start[u]! + s;
      }
      for (let c = qRest; c < nd; c++) rowIdx[p++] = c;
    }
  }
  for (let j = qRest; j < nd; j++) {
    let p = colPtr[j]!;
    for (let i = j; i < nd; i++) rowIdx[p++] = i;
  }
  return rowIdx;
}

/** Row pattern: for each row, the columns left of the diagonal with an entry there, and where it sits. */
function rowPattern(
  nd: number,
  colPtr: Int32Array,
  rowIdx: Int32Array,
): { rowPtr: Int32Array; rowCol: Int32Array; rowPos: Int32Array } {
  const nnz = colPtr[nd]!;
  const rowPtr = new Int32Array(nd + 1);
  for (let j = 0; j < nd; j++)
    for (let p = colPtr[j]! + 1; p < colPtr[j + 1]!; p++) rowPtr[rowIdx[p]! + 1]!++;
  for (let i = 0; i < nd; i++) rowPtr[i + 1]! += rowPtr[i]!;
  const next = rowPtr.slice(0, nd);
  const rowCol = new Int32Array(Math.max(1, nnz - nd));
  const rowPos = new Int32Array(Math.max(1, nnz - nd));
  for (let j = 0; j < nd; j++)
    for (let p = colPtr[j]! + 1; p < colPtr[j + 1]!; p++) {
      const q = next[rowIdx[p]!]!++;
      rowCol[q] = j;
      rowPos[q] = p;
    }
  return { rowPtr, rowCol, rowPos };
}
