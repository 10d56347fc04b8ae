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
 * The elimination graph's adjacency lists, edited in place (a neighbour's list loses the eliminated node and gains
 * the clique), each a slice of one pool: list v is pool[start[v] .. start[v] + size[v]), room for cap[v]. A list that
 * outgrows its room moves to the pool's end with twice the room (the pool doubles when full). The per-step work is a
 * method (join), called once per node: V8 optimises it after its first calls, where the same loops inside
 * minimumDegree (called once per fit) ran in the interpreter until an on-stack replacement, deoptimised again at the
 * next code it had not yet seen (star's planning: 60 ms on each of the first three fits, 9 ms after).
 */
class EliminationGraph {
  readonly start: Int32Array;
  readonly size: Int32Array;
  readonly cap: Int32Array;
  pool: Int32Array;
  end = 0;
  /** Weighted degree of each node (the rows of its neighbours). */
  readonly degree: Float64Array;
  readonly alive: Uint8Array;
  private readonly mark: Int32Array;
  private stamp = 0;
  readonly heap = new Heap();

  constructor(
    adj: NodeLists,
    private readonly weight: Int32Array,
  ) {
    const n = adj.start.length - 1;
    this.start = new Int32Array(n);
    this.size = new Int32Array(n);
    this.cap = new Int32Array(n);
    this.pool = new Int32Array(Math.max(16, 2 * (2 * adj.nodes.length + 4 * n)));
    this.degree = new Float64Array(n);
    this.alive = new Uint8Array(n).fill(1);
    this.mark = new Int32Array(n).fill(-1);
    for (let v = 0; v < n; v++) this.add(v, adj.nodes, adj.start[v]!, adj.start[v + 1]!);
  }

  /** Node v's list from nodes[from..to), its degree, and its entry in the heap. */
  private add(v: number, nodes: Int32Array, from: number, to: number): void {
    const len = to - from;
    this.start[v] = this.end;
    this.size[v] = len;
    this.cap[v] = 2 * len + 4;
    this.pool.set(nodes.subarray(from, to), this.end);
    this.end += this.cap[v]!;
    let d = 0;
    for (let k = from; k < to; k++) d += this.weight[nodes[k]!]!;
    this.degree[v] = d;
    this.heap.push(d, v);
  }

  /** The live node of least degree (ties to the lowest index), or −1 when none is left. */
  next(): number {
    const { heap, alive, degree } = this;
    while (heap.size > 0) {
      const node = heap.pop();
      if (alive[node] && heap.poppedKey === degree[node]) return node;
    }
    return -1;
  }

  /** Room for `need` entries in list u (moved to the pool's end, contents kept, when it has less). */
  private reserve(u: number, need: number): void {
    if (need <= this.cap[u]!) return;
    const room = Math.max(need, 2 * this.cap[u]!);
    if (this.end + room > this.pool.length) {
      const grown = new Int32Array(Math.max(2 * this.pool.length, this.end + room));
      grown.set(this.pool.subarray(0, this.end));
      this.pool = grown;
    }
    this.pool.copyWithin(this.end, this.start[u]!, this.start[u]! + this.size[u]!);
    this.start[u] = this.end;
    this.cap[u] = room;
    this.end += room;
  }

  /**
   * v leaves the graph: its neighbours, nb[from .. from + count) (a copy of its list), become a clique. For each
   * neighbour u, drop v from u's list and add the neighbours it lacks; its degree and the heap follow.
   */
  join(v: number, nb: Int32Array, from: number, count: number): void {
    const { weight, degree, mark } = this;
    const wv = weight[v]!;
    this.alive[v] = 0;
    for (let a = from; a < from + count; a++) {
      const u = nb[a]!;
      this.reserve(u, this.size[u]! - 1 + count);
      const pool = this.pool;
      const gu = this.start[u]!;
      const guSize = this.size[u]!;
      const stamp = ++this.stamp;
      mark[u] = stamp;
      let du = degree[u]! - wv;
      let w = gu;
      for (let k = gu; k < gu + guSize; k++) {
        const x = pool[k]!;
        if (x !== v) {
          pool[w++] = x;
          mark[x] = stamp;
        }
      }
      for (let k = from; k < from + count; k++) {
        const x = nb[k]!;
        if (mark[x] !== stamp) {
          pool[w++] = x;
          mark[x] = stamp;
          du += weight[x]!;
        }
      }
      this.size[u] = w - gu;
      if (du !== degree[u]) {
        degree[u] = du;
        this.heap.push(du, u);
      }
    }
    this.size[v] = 0;
  }
}

/**
 * Minimum-degree order of the graph with adjacency lists adj (symmetric, no self loops, no duplicates) and node
 * weights (rows per node). Returns null when the elimination's work passes budget.
 */
export function minimumDegree(
  adj: NodeLists,
  weight: Int32Array,
  budget: number = Number.POSITIVE_INFINITY,
): MinDegreeResult | null {
  const n = adj.start.length - 1;
  const graph = new EliminationGraph(adj, weight);
  const order = new Int32Array(n);
  const position = new Int32Array(n);
  // The structures, by step, appended as the nodes are eliminated.
  const structStart = new Int32Array(n + 1);
  let structNodes = new Int32Array(Math.max(16, adj.nodes.length));
  let work = 0;
  let rowsLeft = 0;
  for (let v = 0; v < n; v++) rowsLeft += weight[v]!;
  for (let step = 0; step < n; step++) {
    const v = graph.next();
    if (v < 0) throw new Error("minimum degree: the heap ran empty (inconsistent graph)");
    const degree = graph.degree[v]!;
    // Every row left has degree ≥ d = degree[v] now. Were they one clique, the work still to come would be d² for
    // each row but the last d + 1, and Σ k² (k ≤ d) for those. Past the budget by that estimate, give up now rather
    // than when `work` does: on a graph that fills in the search's own cost is in its last, densest steps (a random
    // crossing of 6,000 × 3,000 levels: 6.4 s of a search that ended dense anyway). The estimate is exact for one
    // clique and high for many (up to 3×, whose degrees fall as each is eliminated); giving up early only keeps the
    // dense kernels, and a sparse graph's small degrees keep it far below any budget.
    const d = Math.min(degree, rowsLeft - 1);
    const ahead = (rowsLeft - d - 1) * d * d + (d * (d + 1) * (2 * d + 1)) / 6;
    if (work + ahead > budget) return null;
    rowsLeft -= weight[v]!;
    order[step] = v;
    position[v] = step;
    // v's list becomes its structure (copied out of the pool, which join() may move).
    const nbSize = graph.size[v]!;
    const sv = structStart[step]!;
    if (sv + nbSize > structNodes.length) {
      const grown = new Int32Array(Math.max(2 * structNodes.length, sv + nbSize));
      grown.set(structNodes.subarray(0, sv));
      structNodes = grown;
    }
    structNodes.set(graph.pool.subarray(graph.start[v]!, graph.start[v]! + nbSize), sv);
    structStart[step + 1] = sv + nbSize;
    // Rows of v's block column below its diagonal: the rest of its own block, then its neighbours' rows.
    const wv = weight[v]!;
    for (let k = 0; k < wv; k++) {
      const below = wv - 1 - k + degree;
      work += below * below;
    }
    if (work > budget) return null;
    graph.join(v, structNodes, sv, nbSize);
  }
  const nodes = structNodes.subarray(0, structStart[n]!);
  sortByPosition(structStart, nodes, position, order);
  return { order, position, structure: { start: structStart, nodes }, work };
}

/**
 * Each list ascending by position: the positions sorted (insertion sort: the lists are short, and a typed-array sort
 * call per list costs more than the sorting), then mapped back to nodes.
 */
function sortByPosition(start: Int32Array, nodes: Int32Array, position: Int32Array, order: Int32Array): void {
  const n = start.length - 1;
  for (let k = 0; k < n; k++) {
    const a = start[k]!;
    const z = start[k + 1]!;
    for (let i = a; i < z; i++) nodes[i] = position[nodes[i]!]!;
    if (z - a > 32) nodes.subarray(a, z).sort();
    else
      for (let i = a + 1; i < z; i++) {
        const x = nodes[i]!;
        let m = i - 1;
        while (m >= a && nodes[m]! > x) {
          nodes[m + 1] = nodes[m]!;
          m--;
        }
        nodes[m + 1] = x;
      }
    for (let i = a; i < z; i++) nodes[i] = order[nodes[i]!]!;
  }
}
