/**
 * A fill-reducing order for a sparse symmetric matrix: minimum degree on the elimination graph (Tinney and Walker
 * 1967 scheme 2; George and Liu, "The evolution of the minimum degree ordering algorithm", SIAM Review 31(1),
 * 1989). The graph is kept explicitly: eliminating a node joins its remaining neighbours into a clique, and the
 * node of least weighted degree goes next (ties to the lowest index, so the order is the same on every run).
 * Degrees are exact, not AMD's approximate ones; the graphs here are the trailing blocks of mixed models (a few
 * thousand nodes), and an elimination whose work passes `budget` stops the search, since a factor that costly is
 * better done by the dense kernels anyway.
 *
 * The elimination also yields the symbolic factor: the neighbours of a node when it is eliminated are the rows of
 * its column of L (a block column when nodes have weights: a node stands for a block of `weight` rows).
 *
 * The search runs in wasm (assembly/sparse/min-degree.ts): it runs once per fit, and as JavaScript it ran
 * interpreted, then compiled on the stack and deoptimised at the next code not yet seen, fit after fit (star: 44 and
 * 33 ms on the first two calls, 9 ms once settled; in wasm 7 ms on the first call, 4 ms after). This module copies
 * the graph into the kernels' heap and the order and structure out.
 */
import type { KernelExports } from "../../wasm/load.js";
import { scratchBlock } from "../../wasm/scratch-block.js";

/**
 * One list of nodes per node (or per step), flat: list k is nodes[start[k] .. start[k + 1]). Flat because a typed
 * array per list costs about a microsecond to make, and these graphs have thousands of nodes (6,000 subjects: the
 * allocations alone were 6 ms of a 7 ms plan).
 */
export interface NodeLists {
  start: Int32Array;
  nodes: Int32Array;
}

export interface MinDegreeResult {
  /** order[k] is the node eliminated k-th. */
  order: Int32Array;
  /** position[v] is the step at which node v is eliminated (the inverse of order). */
  position: Int32Array;
  /**
   * By step: list k holds the nodes of the column of L of node order[k] below its own block, ascending by
   * position.
   */
  structure: NodeLists;
  /** Σ over nodes of (rows below the diagonal in its column of L, counted in weighted rows)², the flops' scale. */
  work: number;
}

/**
 * Minimum-degree order of the graph with adjacency lists adj (symmetric, no self loops, no duplicates) and node
 * weights (rows per node), on `kernels`. Returns null when the elimination's work passes budget.
 */
export function minimumDegree(
  kernels: KernelExports,
  adj: NodeLists,
  weight: Int32Array,
  budget: number = Number.POSITIVE_INFINITY,
): MinDegreeResult | null {
  const n = adj.start.length - 1;
  // One block: out (3 f64), then adjStart, adjNodes, weight (copied in), order, position, structStart.
  const { base, out, at } = scratchBlock(kernels, 3, [adj.start, adj.nodes, weight, n, n, n + 1]);
  const [adjStart, adjNodes, weights, order, position, structStart] = at;
  const status = kernels.minimumDegreeOrder(
    n,
    adjStart,
    adjNodes,
    weights,
    budget,
    order,
    position,
    structStart,
    out,
  );
  try {
    if (status === 1) return null;
    if (status !== 0) throw new Error("minimum degree: the heap ran empty (the graph is not symmetric)");
    // The search allocates: views afresh.
    const i32 = new Int32Array(kernels.memory.buffer);
    const f64 = new Float64Array(kernels.memory.buffer);
    const list = f64[out / 8 + 1]!;
    const length = f64[out / 8 + 2]!;
    const result: MinDegreeResult = {
      order: i32.slice(order / 4, order / 4 + n),
      position: i32.slice(position / 4, position / 4 + n),
      structure: {
        start: i32.slice(structStart / 4, structStart / 4 + n + 1),
        nodes: i32.slice(list / 4, list / 4 + length),
      },
      work: f64[out / 8]!,
    };
    kernels.free(list);
    return result;
  } finally {
    kernels.free(base);
  }
}
