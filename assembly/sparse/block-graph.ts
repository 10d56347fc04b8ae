// The block graph of a trailing block (src/fit/sparse-trailing/plan.ts, trailingGraph), made in wasm for the reason
// ./min-degree.ts is: it runs once per fit, and as JavaScript its passes ran interpreted and were compiled and
// thrown away again over the first fits (star: 9–11 ms on each of the first three, 2 ms once settled).

@inline function ldi(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}
@inline function sti(p: usize, i: i32, v: i32): void {
  store<i32>(p + (<usize>i << 2), v);
}
@inline function stf(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

/**
 * The block graph of a trailing block (src/fit/sparse-trailing/plan.ts): nb nodes, an edge wherever two blocks meet
 * in one level of term 1. Level g's rows are rowIdx[rowStart[g] .. rowStart[g + 1]) (random rows first, < qRest);
 * a row c starts a block when rowPos[c] = 0, and nodeOfRow[c] is its block. Two passes over the levels (count each
 * node's meetings with repeats, then write them into its list), then each list drops its repeats in place. Writes
 * adjStart (nb + 1) and out (f64): [the node list's address (allocated here; the caller frees it), its length].
 * Returns 0; 1 when `dense` and the meetings reach nb² or pass maxMeetings (nothing allocated). Same lists, in the
 * same order, as the TypeScript passes it replaces.
 */
export function trailingGraphLists(
  l1: i32,
  qRest: i32,
  rowStart: usize,
  rowIdx: usize,
  rowPos: usize,
  nodeOfRow: usize,
  nb: i32,
  dense: i32,
  maxMeetings: f64,
  adjStart: usize,
  out: usize,
): i32 {
  const blocks = heap.alloc(<usize>max(nb, 1) << 2);
  memory.fill(adjStart, 0, <usize>(nb + 1) << 2);
  let meetings: f64 = 0;
  for (let g = 0; g < l1; g++) {
    const k = blocksOf(g, qRest, rowStart, rowIdx, rowPos, nodeOfRow, blocks);
    for (let x = 0; x < k; x++) {
      const at = ldi(blocks, x) + 1;
      sti(adjStart, at, ldi(adjStart, at) + k - 1);
    }
    meetings += <f64>k * <f64>(k - 1);
  }
  if (dense != 0 && (meetings >= <f64>nb * <f64>nb || meetings > maxMeetings)) {
    heap.free(blocks);
    return 1;
  }
  for (let v = 0; v < nb; v++) sti(adjStart, v + 1, ldi(adjStart, v + 1) + ldi(adjStart, v));
  const total = <i32>meetings;
  const flat = heap.alloc(<usize>max(total, 1) << 2);
  const fill = heap.alloc(<usize>max(nb, 1) << 2);
  memory.copy(fill, adjStart, <usize>nb << 2);
  for (let g = 0; g < l1; g++) {
    const k = blocksOf(g, qRest, rowStart, rowIdx, rowPos, nodeOfRow, blocks);
    for (let x = 0; x < k; x++) {
      const u = ldi(blocks, x);
      let at = ldi(fill, u);
      for (let y = 0; y < k; y++) if (y != x) sti(flat, at++, ldi(blocks, y));
      sti(fill, u, at);
    }
  }
  // Each list without repeats (a marker pass compacting in place); `fill` serves as the marks.
  memory.fill(fill, 0xff, <usize>nb << 2);
  let edges = 0;
  for (let v = 0; v < nb; v++) {
    const from = ldi(adjStart, v);
    const to = ldi(adjStart, v + 1);
    sti(adjStart, v, edges);
    for (let k = from; k < to; k++) {
      const u = ldi(flat, k);
      if (ldi(fill, u) != v) {
        sti(fill, u, v);
        sti(flat, edges++, u);
      }
    }
  }
  sti(adjStart, nb, edges);
  heap.free(blocks);
  heap.free(fill);
  stf(out, 0, <f64>flat);
  stf(out, 1, <f64>edges);
  return 0;
}

/** The blocks level g meets, into `blocks`; returns how many. */
@inline function blocksOf(
  g: i32,
  qRest: i32,
  rowStart: usize,
  rowIdx: usize,
  rowPos: usize,
  nodeOfRow: usize,
  blocks: usize,
): i32 {
  let k = 0;
  const end = ldi(rowStart, g + 1);
  for (let r = ldi(rowStart, g); r < end; r++) {
    const c = ldi(rowIdx, r);
    if (c >= qRest) break;
    if (ldi(rowPos, c) == 0) sti(blocks, k++, ldi(nodeOfRow, c));
  }
  return k;
}
