// A fill-reducing order for the sparse trailing block: minimum degree on the explicit elimination graph (Tinney and
// Walker 1967 scheme 2; George and Liu 1989), the search src/fit/sparse-trailing/min-degree.ts describes and calls.
// In wasm because it runs once per fit: JavaScript ran it interpreted, then compiled it on the stack and threw the
// compiled code away at the next code it had not yet seen, fit after fit (star: 40–60 ms on each of the first
// fits, 6 ms once settled); compiled code from the first call does not depend on the JIT's warm-up.
//
// Eliminating a node joins its remaining neighbours into a clique; the node of least weighted degree goes next (ties
// to the lowest index), and its neighbours at that moment are the rows of its column of L. The search allocates its
// own working lists and the structures it returns from the kernels' heap (it is per fit, not per evaluation).

@inline function ldi(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}
@inline function sti(p: usize, i: i32, v: i32): void {
  store<i32>(p + (<usize>i << 2), v);
}
@inline function ldf(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
@inline function stf(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

/**
 * The search's state. Lists: node v's neighbours are pool[start[v] .. start[v] + size[v]), room for cap[v]; a list
 * that outgrows its room moves to the pool's end with twice the room. Heap: (degree, node) pairs, least first, ties
 * to the lowest node, with lazy deletion (an entry whose degree is no longer the node's is skipped).
 */
@unmanaged
class Search {
  pool: usize;
  poolCap: i32;
  end: i32;
  start: usize;
  size: usize;
  cap: usize;
  degree: usize;
  alive: usize;
  mark: usize;
  stamp: i32;
  weight: usize;
  keys: usize;
  nodes: usize;
  heapSize: i32;
  heapCap: i32;
  poppedKey: f64;
}

@inline function less(s: Search, a: i32, b: i32): bool {
  const ka = ldf(s.keys, a);
  const kb = ldf(s.keys, b);
  return ka < kb || (ka == kb && ldi(s.nodes, a) < ldi(s.nodes, b));
}

@inline function swap(s: Search, a: i32, b: i32): void {
  const k = ldf(s.keys, a);
  stf(s.keys, a, ldf(s.keys, b));
  stf(s.keys, b, k);
  const v = ldi(s.nodes, a);
  sti(s.nodes, a, ldi(s.nodes, b));
  sti(s.nodes, b, v);
}

function push(s: Search, key: f64, node: i32): void {
  if (s.heapSize == s.heapCap) {
    s.heapCap *= 2;
    s.keys = heap.realloc(s.keys, <usize>s.heapCap << 3);
    s.nodes = heap.realloc(s.nodes, <usize>s.heapCap << 2);
  }
  let i = s.heapSize++;
  stf(s.keys, i, key);
  sti(s.nodes, i, node);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!less(s, i, parent)) break;
    swap(s, i, parent);
    i = parent;
  }
}

/** Removes the least entry and returns its node (its key in poppedKey). */
function pop(s: Search): i32 {
  const node = ldi(s.nodes, 0);
  s.poppedKey = ldf(s.keys, 0);
  const size = --s.heapSize;
  if (size > 0) {
    stf(s.keys, 0, ldf(s.keys, size));
    sti(s.nodes, 0, ldi(s.nodes, size));
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && less(s, l, m)) m = l;
      if (r < size && less(s, r, m)) m = r;
      if (m == i) break;
      swap(s, i, m);
      i = m;
    }
  }
  return node;
}

/** The live node of least degree, or −1 when none is left. */
function next(s: Search): i32 {
  while (s.heapSize > 0) {
    const node = pop(s);
    if (load<u8>(s.alive + <usize>node) != 0 && s.poppedKey == ldf(s.degree, node)) return node;
  }
  return -1;
}

/** Room for `need` entries in list u (moved to the pool's end, contents kept, when it has less). */
function reserve(s: Search, u: i32, need: i32): void {
  const cap = ldi(s.cap, u);
  if (need <= cap) return;
  const room = max(need, 2 * cap);
  if (s.end + room > s.poolCap) {
    s.poolCap = max(2 * s.poolCap, s.end + room);
    s.pool = heap.realloc(s.pool, <usize>s.poolCap << 2);
  }
  memory.copy(s.pool + (<usize>s.end << 2), s.pool + (<usize>ldi(s.start, u) << 2), <usize>ldi(s.size, u) << 2);
  sti(s.start, u, s.end);
  sti(s.cap, u, room);
  s.end += room;
}

/**
 * v leaves the graph: its neighbours nb[from .. from + count) (a copy of its list) become a clique. Each neighbour u
 * drops v and gains the neighbours it lacks; its degree and the heap follow.
 */
function join(s: Search, v: i32, nb: usize, from: i32, count: i32): void {
  const weight = s.weight;
  const degree = s.degree;
  const mark = s.mark;
  const wv = <f64>ldi(weight, v);
  store<u8>(s.alive + <usize>v, 0);
  for (let a = from; a < from + count; a++) {
    const u = ldi(nb, a);
    reserve(s, u, ldi(s.size, u) - 1 + count);
    const pool = s.pool;
    const gu = ldi(s.start, u);
    const guSize = ldi(s.size, u);
    const stamp = ++s.stamp;
    sti(mark, u, stamp);
    let du = ldf(degree, u) - wv;
    let w = gu;
    for (let k = gu; k < gu + guSize; k++) {
      const x = ldi(pool, k);
      if (x != v) {
        sti(pool, w++, x);
        sti(mark, x, stamp);
      }
    }
    for (let k = from; k < from + count; k++) {
      const x = ldi(nb, k);
      if (ldi(mark, x) != stamp) {
        sti(pool, w++, x);
        sti(mark, x, stamp);
        du += <f64>ldi(weight, x);
      }
    }
    sti(s.size, u, w - gu);
    if (du != ldf(degree, u)) {
      stf(degree, u, du);
      push(s, du, u);
    }
  }
  sti(s.size, v, 0);
}

function release(s: Search): void {
  heap.free(s.pool);
  heap.free(s.start);
  heap.free(s.size);
  heap.free(s.cap);
  heap.free(s.degree);
  heap.free(s.alive);
  heap.free(s.mark);
  heap.free(s.keys);
  heap.free(s.nodes);
  heap.free(changetype<usize>(s));
}

/**
 * Minimum-degree order of the graph with n nodes, adjacency lists adjNodes[adjStart[v] .. adjStart[v + 1])
 * (symmetric, no self loops, no duplicates) and node weights (rows per node). Writes order (node eliminated k-th),
 * position (its inverse) and structStart (n + 1: the structure of the k-th node at structStart[k] ..
 * structStart[k + 1] of a node list this kernel allocates); out (f64): [work, the list's address, its length]. The
 * caller frees the list with free(). Returns 0; 1 when the elimination's work passes budget, 2 when the heap runs
 * empty (adjacency not symmetric); nothing to free then.
 * work: Σ over nodes of (rows below the diagonal in its block column of L)², as the TypeScript search counts it.
 */
export function minimumDegreeOrder(
  n: i32,
  adjStart: usize,
  adjNodes: usize,
  weight: usize,
  budget: f64,
  order: usize,
  position: usize,
  structStart: usize,
  out: usize,
): i32 {
  const nnz = ldi(adjStart, n);
  const s = changetype<Search>(heap.alloc(offsetof<Search>()));
  s.poolCap = max(16, 2 * (2 * nnz + 4 * n));
  s.pool = heap.alloc(<usize>s.poolCap << 2);
  s.end = 0;
  s.start = heap.alloc(<usize>max(n, 1) << 2);
  s.size = heap.alloc(<usize>max(n, 1) << 2);
  s.cap = heap.alloc(<usize>max(n, 1) << 2);
  s.degree = heap.alloc(<usize>max(n, 1) << 3);
  s.alive = heap.alloc(<usize>max(n, 1));
  s.mark = heap.alloc(<usize>max(n, 1) << 2);
  s.stamp = 0;
  s.weight = weight;
  s.heapCap = 64;
  s.heapSize = 0;
  s.keys = heap.alloc(<usize>s.heapCap << 3);
  s.nodes = heap.alloc(<usize>s.heapCap << 2);
  memory.fill(s.alive, 1, <usize>n);
  memory.fill(s.mark, 0xff, <usize>n << 2);
  let rowsLeft: f64 = 0;
  for (let v = 0; v < n; v++) {
    const from = ldi(adjStart, v);
    const len = ldi(adjStart, v + 1) - from;
    sti(s.start, v, s.end);
    sti(s.size, v, len);
    sti(s.cap, v, 2 * len + 4);
    memory.copy(s.pool + (<usize>s.end << 2), adjNodes + (<usize>from << 2), <usize>len << 2);
    s.end += 2 * len + 4;
    let d: f64 = 0;
    for (let k = from; k < from + len; k++) d += <f64>ldi(weight, ldi(adjNodes, k));
    stf(s.degree, v, d);
    push(s, d, v);
    rowsLeft += <f64>ldi(weight, v);
  }
  // The structures, by step, appended as the nodes are eliminated.
  let structCap = max(16, nnz);
  let structNodes = heap.alloc(<usize>structCap << 2);
  sti(structStart, 0, 0);
  let work: f64 = 0;
  for (let step = 0; step < n; step++) {
    const v = next(s);
    if (v < 0) {
      // The heap holds every live node: only a graph that is not symmetric empties it early.
      heap.free(structNodes);
      release(s);
      return 2;
    }
    const degree = ldf(s.degree, v);
    // Every row left has degree ≥ d now; were they one clique, the work still ahead would be d² for each row but
    // the last d + 1, and Σ k² (k ≤ d) for those: past the budget by that estimate, give up now (see the
    // TypeScript module for why).
    const d = min(degree, rowsLeft - 1);
    const ahead = (rowsLeft - d - 1) * d * d + (d * (d + 1) * (2 * d + 1)) / 6;
    if (work + ahead > budget) {
      heap.free(structNodes);
      release(s);
      return 1;
    }
    rowsLeft -= <f64>ldi(weight, v);
    sti(order, step, v);
    sti(position, v, step);
    const nbSize = ldi(s.size, v);
    const sv = ldi(structStart, step);
    if (sv + nbSize > structCap) {
      structCap = max(2 * structCap, sv + nbSize);
      structNodes = heap.realloc(structNodes, <usize>structCap << 2);
    }
    memory.copy(structNodes + (<usize>sv << 2), s.pool + (<usize>ldi(s.start, v) << 2), <usize>nbSize << 2);
    sti(structStart, step + 1, sv + nbSize);
    const wv = ldi(weight, v);
    for (let k = 0; k < wv; k++) {
      const below = <f64>(wv - 1 - k) + degree;
      work += below * below;
    }
    if (work > budget) {
      heap.free(structNodes);
      release(s);
      return 1;
    }
    join(s, v, structNodes, sv, nbSize);
  }
  release(s);
  sortByPosition(n, structStart, structNodes, position, order);
  stf(out, 0, work);
  stf(out, 1, <f64>structNodes);
  stf(out, 2, <f64>ldi(structStart, n));
  return 0;
}

/**
 * Each structure ascending by position: the positions sorted (insertion sort for short lists, heapsort for long
 * ones: the order of distinct values is the same either way), then mapped back to nodes.
 */
function sortByPosition(n: i32, start: usize, nodes: usize, position: usize, order: usize): void {
  for (let k = 0; k < n; k++) {
    const a = ldi(start, k);
    const z = ldi(start, k + 1);
    for (let i = a; i < z; i++) sti(nodes, i, ldi(position, ldi(nodes, i)));
    if (z - a > 32) heapsort(nodes + (<usize>a << 2), z - a);
    else
      for (let i = a + 1; i < z; i++) {
        const x = ldi(nodes, i);
        let m = i - 1;
        while (m >= a && ldi(nodes, m) > x) {
          sti(nodes, m + 1, ldi(nodes, m));
          m--;
        }
        sti(nodes, m + 1, x);
      }
    for (let i = a; i < z; i++) sti(nodes, i, ldi(order, ldi(nodes, i)));
  }
}

/** Ascending, in place: the len i32 values at p. */
function heapsort(p: usize, len: i32): void {
  for (let i = (len >> 1) - 1; i >= 0; i--) siftDown(p, i, len);
  for (let end = len - 1; end > 0; end--) {
    const t = ldi(p, 0);
    sti(p, 0, ldi(p, end));
    sti(p, end, t);
    siftDown(p, 0, end);
  }
}

@inline function siftDown(p: usize, i: i32, len: i32): void {
  for (;;) {
    const l = 2 * i + 1;
    if (l >= len) return;
    let m = l;
    if (l + 1 < len && ldi(p, l + 1) > ldi(p, l)) m = l + 1;
    if (ldi(p, m) <= ldi(p, i)) return;
    const t = ldi(p, i);
    sti(p, i, ldi(p, m));
    sti(p, m, t);
    i = m;
  }
}
