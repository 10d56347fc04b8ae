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
 */

export interface MinDegreeResult {
  /** order[k] is the node eliminated k-th. */
  order: Int32Array;
  /** position[v] is the step at which node v is eliminated (the inverse of order). */
  position: Int32Array;
  /** The nodes of each node's column of L below its own block (by node, ascending by position). */
  structure: Int32Array[];
  /** Σ over nodes of (rows below the diagonal in its column of L, counted in weighted rows)², the flops' scale. */
  work: number;
}

/** A min-heap of (key, node) pairs with lazy deletion (stale entries are skipped by the caller). */
class Heap {
  private keys = new Float64Array(64);
  private nodes = new Int32Array(64);
  size = 0;
  /** The key of the entry pop() returned last. */
  poppedKey = 0;
  private less(a: number, b: number): boolean {
    const ka = this.keys[a]!;
    const kb = this.keys[b]!;
    return ka < kb || (ka === kb && this.nodes[a]! < this.nodes[b]!);
  }
  private swap(a: number, b: number): void {
    const k = this.keys[a]!;
    this.keys[a] = this.keys[b]!;
    this.keys[b] = k;
    const n = this.nodes[a]!;
    this.nodes[a] = this.nodes[b]!;
    this.nodes[b] = n;
  }
  push(key: number, node: number): void {
    if (this.size === this.keys.length) {
      const k = new Float64Array(this.size * 2);
      k.set(this.keys);
      this.keys = k;
      const n = new Int32Array(this.size * 2);
      n.set(this.nodes);
      this.nodes = n;
    }
    let i = this.size++;
    this.keys[i] = key;
    this.nodes[i] = node;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }
  /** Removes the smallest entry and returns its node (its key in poppedKey). */
  pop(): number {
    const node = this.nodes[0]!;
    this.poppedKey = this.keys[0]!;
    this.size--;
    if (this.size > 0) {
      this.keys[0] = this.keys[this.size]!;
      this.nodes[0] = this.nodes[this.size]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.size && this.less(l, m)) m = l;
        if (r < this.size && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return node;
  }
}

/**
 * Minimum-degree order of the graph with adjacency lists adj (symmetric, no self loops, no duplicates) and node
 * weights (rows per node). Returns null when the elimination's work passes budget.
 */
export function minimumDegree(
  adj: readonly Int32Array[],
  weight: Int32Array,
  budget: number = Number.POSITIVE_INFINITY,
): MinDegreeResult | null {
  const n = adj.length;
  // Adjacency lists edited in place (a neighbour's list loses the eliminated node and gains the clique).
  // (Each list's live length is size[v]: shortening a JS array by setting its length is slow in V8.)
  const graph: number[][] = new Array(n);
  const size = new Int32Array(n);
  for (let v = 0; v < n; v++) {
    const a = adj[v]!;
    const list: number[] = new Array(a.length);
    for (let k = 0; k < a.length; k++) list[k] = a[k]!;
    graph[v] = list;
    size[v] = a.length;
  }
  const alive = new Uint8Array(n).fill(1);
  const degree = new Float64Array(n);
  const mark = new Int32Array(n).fill(-1);
  const heap = new Heap();
  for (let v = 0; v < n; v++) {
    const gv = graph[v]!;
    let d = 0;
    for (let k = 0; k < gv.length; k++) d += weight[gv[k]!]!;
    degree[v] = d;
    heap.push(d, v);
  }
  const order = new Int32Array(n);
  const position = new Int32Array(n);
  const structure: Int32Array[] = new Array(n);
  let work = 0;
  let stamp = 0;
  let rowsLeft = 0;
  for (let v = 0; v < n; v++) rowsLeft += weight[v]!;
  for (let step = 0; step < n; step++) {
    let v = -1;
    while (heap.size > 0) {
      const node = heap.pop();
      if (alive[node] && heap.poppedKey === degree[node]) {
        v = node;
        break;
      }
    }
    if (v < 0) throw new Error("minimum degree: the heap ran empty (inconsistent graph)");
    // Every row left has degree ≥ d = degree[v] now. Were they one clique, the work still to come would be d² for
    // each row but the last d + 1, and Σ k² (k ≤ d) for those. Past the budget by that estimate, give up now rather
    // than when `work` does: on a graph that fills in the search's own cost is in its last, densest steps (a random
    // crossing of 6,000 × 3,000 levels: 6.4 s of a search that ended dense anyway). The estimate is exact for one
    // clique and high for many (up to 3×, whose degrees fall as each is eliminated); giving up early only keeps the
    // dense kernels, and a sparse graph's small degrees keep it far below any budget.
    const d = Math.min(degree[v]!, rowsLeft - 1);
    const ahead = (rowsLeft - d - 1) * d * d + (d * (d + 1) * (2 * d + 1)) / 6;
    if (work + ahead > budget) return null;
    rowsLeft -= weight[v]!;
    alive[v] = 0;
    order[step] = v;
    position[v] = step;
    const nb = graph[v]!;
    const nbSize = size[v]!;
    const sv = new Int32Array(nbSize);
    for (let k = 0; k < nbSize; k++) sv[k] = nb[k]!;
    structure[v] = sv;
    // Rows of v's block column below its diagonal: the rest of its own block, then its neighbours' rows.
    const wv = weight[v]!;
    for (let k = 0; k < wv; k++) {
      const below = wv - 1 - k + degree[v]!;
      work += below * below;
    }
    if (work > budget) return null;
    // Join the neighbours into a clique (v leaves the graph): mark v's neighbours, then for each neighbour u drop
    // v from its list and add the neighbours it lacks.
    for (let a = 0; a < nbSize; a++) {
      const u = nb[a]!;
      const gu = graph[u]!;
      const guSize = size[u]!;
      stamp++;
      mark[u] = stamp;
      let d = degree[u]! - wv;
      let w = 0;
      for (let k = 0; k < guSize; k++) {
        const x = gu[k]!;
        if (x !== v) {
          gu[w++] = x;
          mark[x] = stamp;
        }
      }
      for (let k = 0; k < nbSize; k++) {
        const x = nb[k]!;
        if (mark[x] !== stamp) {
          if (w < gu.length) gu[w] = x;
          else gu.push(x);
          w++;
          mark[x] = stamp;
          d += weight[x]!;
        }
      }
      size[u] = w;
      if (d !== degree[u]) {
        degree[u] = d;
        heap.push(d, u);
      }
    }
    graph[v] = [];
    size[v] = 0;
  }
  // Each structure ascending by position: sort the positions (a numeric typed-array sort), map back to nodes.
  for (let v = 0; v < n; v++) {
    const s = structure[v]!;
    for (let k = 0; k < s.length; k++) s[k] = position[s[k]!]!;
    s.sort();
    for (let k = 0; k < s.length; k++) s[k] = order[s[k]!]!;
  }
  return { order, position, structure, work };
}
