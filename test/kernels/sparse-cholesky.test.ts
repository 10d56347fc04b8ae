/**
 * The sparse Cholesky and selected inversion kernels (assembly/sparse/cholesky.ts) on the symbolic factor of the
 * minimum-degree order (src/fit/sparse-trailing/), against plain dense TypeScript: random sparse SPD matrices
 * with blocks of 1–3 rows and a few dense trailing rows (the X and y rows of a trailing block). The factor must
 * be the dense Cholesky of the permuted matrix, and the selected inverse the dense inverse on the pattern.
 * Also: the ordering is a permutation and beats the natural order's fill on a grid and an arrowhead.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { minimumDegree, type NodeLists } from "../../src/fit/sparse-trailing/min-degree.js";
import { type SparseTrailingPlan, scalarPattern } from "../../src/fit/sparse-trailing/plan.js";
import { type KernelExports, loadKernels } from "../../src/wasm/load.js";

let k: KernelExports;
beforeAll(async () => {
  k = await loadKernels();
});

function uniform(seed: number): () => number {
  let s = (seed * 2654435761) >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Adjacency lists, one array per node, as the flat lists minimumDegree takes. */
function lists(adj: Int32Array[]): NodeLists {
  const start = new Int32Array(adj.length + 1);
  adj.forEach((a, v) => {
    start[v + 1] = start[v]! + a.length;
  });
  const nodes = new Int32Array(start[adj.length]!);
  adj.forEach((a, v) => {
    nodes.set(a, start[v]!);
  });
  return { start, nodes };
}

/** A random block graph: nb nodes of weight 1–3, each joined to a few random others. */
function randomGraph(nb: number, seed: number, degree: number): { adj: Int32Array[]; weight: Int32Array } {
  const r = uniform(seed);
  const sets: Set<number>[] = Array.from({ length: nb }, () => new Set<number>());
  for (let v = 0; v < nb; v++)
    for (let e = 0; e < degree; e++) {
      const u = Math.floor(r() * nb);
      if (u !== v) {
        sets[v]!.add(u);
        sets[u]!.add(v);
      }
    }
  const weight = Int32Array.from({ length: nb }, () => 1 + Math.floor(r() * 3));
  return { adj: sets.map((s) => Int32Array.from([...s].sort((a, b) => a - b))), weight };
}

/** Symmetric positive definite matrix (full, column-major) on the graph's scalar pattern plus `tail` dense rows. */
function spdOnPattern(adj: Int32Array[], weight: Int32Array, tail: number, seed: number) {
  const r = uniform(seed);
  const nodeRow = new Int32Array(weight.length);
  let q = 0;
  weight.forEach((w, v) => {
    nodeRow[v] = q;
    q += w;
  });
  const n = q + tail;
  const a = new Float64Array(n * n);
  const set = (i: number, j: number, v: number) => {
    a[i + j * n] = v;
    a[j + i * n] = v;
  };
  for (let v = 0; v < weight.length; v++) {
    for (let s = 0; s < weight[v]!; s++)
      for (let t = 0; t <= s; t++) set(nodeRow[v]! + s, nodeRow[v]! + t, r() - 0.5);
    for (const u of adj[v]!)
      if (u < v)
        for (let s = 0; s < weight[v]!; s++)
          for (let t = 0; t < weight[u]!; t++) set(nodeRow[v]! + s, nodeRow[u]! + t, r() - 0.5);
  }
  for (let i = q; i < n; i++) for (let j = 0; j <= i; j++) set(i, j, r() - 0.5);
  // diagonal dominance: SPD
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) if (j !== i) s += Math.abs(a[i + j * n]!);
    a[i + i * n] = s + 1 + r();
  }
  return { a, n, q, nodeRow };
}

function denseCholesky(a: Float64Array, n: number): Float64Array {
  const l = Float64Array.from(a);
  for (let j = 0; j < n; j++) {
    for (let kk = 0; kk < j; kk++)
      for (let i = j; i < n; i++) l[i + j * n]! -= l[i + kk * n]! * l[j + kk * n]!;
    const d = Math.sqrt(l[j + j * n]!);
    for (let i = j; i < n; i++) l[i + j * n]! /= d;
    for (let i = 0; i < j; i++) l[i + j * n] = 0;
  }
  return l;
}

function denseInverse(a: Float64Array, n: number): Float64Array {
  // Gauss–Jordan on a copy (SPD: no pivoting needed)
  const m = Float64Array.from(a);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i + i * n] = 1;
  for (let c = 0; c < n; c++) {
    const p = m[c + c * n]!;
    for (let j = 0; j < n; j++) {
      m[c + j * n]! /= p;
      inv[c + j * n]! /= p;
    }
    for (let i = 0; i < n; i++)
      if (i !== c) {
        const f = m[i + c * n]!;
        if (f === 0) continue;
        for (let j = 0; j < n; j++) {
          m[i + j * n]! -= f * m[c + j * n]!;
          inv[i + j * n]! -= f * inv[c + j * n]!;
        }
      }
  }
  return inv;
}

/** Copies the plan's arrays into wasm memory; returns the pointers and a reader of lx/zx. */
function upload(plan: SparseTrailingPlan, values: Float64Array) {
  const ptrs: number[] = [];
  const i32 = (src: Int32Array) => {
    const p = k.alloc(Math.max(4, src.length * 4));
    new Int32Array(k.memory.buffer, p, src.length).set(src);
    ptrs.push(p);
    return p;
  };
  const f64 = (src: Float64Array) => {
    const p = k.alloc(Math.max(8, src.length * 8) + 8);
    const a = (p + 7) & ~7;
    new Float64Array(k.memory.buffer, a, src.length).set(src);
    ptrs.push(p);
    return a;
  };
  const colPtr = i32(plan.colPtr);
  const rowIdx = i32(plan.rowIdx);
  const rowPtr = i32(plan.rowPtr);
  const rowCol = i32(plan.rowCol);
  const rowPos = i32(plan.rowPos);
  const lx = f64(values);
  const zx = f64(new Float64Array(plan.nnz));
  const work = f64(new Float64Array(plan.n));
  return {
    colPtr,
    rowIdx,
    rowPtr,
    rowCol,
    rowPos,
    lx,
    zx,
    work,
    read: (p: number) => Float64Array.from(new Float64Array(k.memory.buffer, p, plan.nnz)),
    free: () => {
      for (const p of ptrs) k.free(p);
    },
  };
}

/** The entries of the symmetric A (column-major, order n, original order) on the plan's pattern, in its order. */
function onPattern(plan: SparseTrailingPlan, a: Float64Array, n: number): Float64Array {
  const values = new Float64Array(plan.nnz);
  for (let j = 0; j < n; j++) {
    const oj = plan.perm[j]!;
    expect(plan.inv[oj]).toBe(j);
    for (let p = plan.colPtr[j]!; p < plan.colPtr[j + 1]!; p++) {
      const oi = plan.perm[plan.rowIdx[p]!]!;
      values[p] = a[Math.max(oi, oj) + Math.min(oi, oj) * n]!;
    }
  }
  return values;
}

describe("sparse Cholesky and selected inverse = dense oracle", () => {
  for (const [nb, degree, tail, seed] of [
    [1, 0, 2, 1],
    [12, 1, 0, 2],
    [30, 2, 3, 3],
    [60, 3, 4, 4],
    [120, 2, 8, 5],
  ] as const)
    it(`${nb} blocks, degree ~${degree}, ${tail} dense trailing rows`, () => {
      const { adj, weight } = randomGraph(nb, seed, degree);
      const { a, n, q, nodeRow } = spdOnPattern(adj, weight, tail, seed + 100);
      const md = minimumDegree(k, lists(adj), weight)!;
      const plan = scalarPattern(q, n, nodeRow, weight, md.order, md.structure);
      // every entry of A is on the pattern (checked by rebuilding A from the gathered values below)
      const values = onPattern(plan, a, n);
      const m = upload(plan, values);
      try {
        expect(k.sparseCholesky(n, m.colPtr, m.rowIdx, m.rowPtr, m.rowCol, m.rowPos, m.lx, m.work)).toBe(0);
        const lx = m.read(m.lx);
        // dense oracle: Cholesky of P A Pᵀ
        const pa = new Float64Array(n * n);
        for (let j = 0; j < n; j++)
          for (let i = 0; i < n; i++) pa[i + j * n] = a[plan.perm[i]! + plan.perm[j]! * n]!;
        const l = denseCholesky(pa, n);
        const dense = new Float64Array(n * n);
        for (let j = 0; j < n; j++)
          for (let p = plan.colPtr[j]!; p < plan.colPtr[j + 1]!; p++) dense[plan.rowIdx[p]! + j * n] = lx[p]!;
        let err = 0;
        for (let i = 0; i < n * n; i++) err = Math.max(err, Math.abs(dense[i]! - l[i]!));
        expect(err).toBeLessThan(1e-12);
        // selected inverse of the whole and of the leading (random) part
        for (const ne of [n, q]) {
          if (ne === 0) continue;
          k.sparseSelectedInverse(ne, n, q, m.colPtr, m.rowIdx, m.lx, m.zx);
          const zx = m.read(m.zx);
          const sub = new Float64Array(ne * ne);
          for (let j = 0; j < ne; j++) for (let i = 0; i < ne; i++) sub[i + j * ne] = pa[i + j * n]!;
          const inv = denseInverse(sub, ne);
          let zerr = 0;
          let count = 0;
          for (let j = 0; j < ne; j++)
            for (let p = plan.colPtr[j]!; p < plan.colPtr[j + 1]!; p++) {
              const i = plan.rowIdx[p]!;
              if (i >= ne) break;
              zerr = Math.max(zerr, Math.abs(zx[p]! - inv[i + j * ne]!));
              count++;
            }
          expect(count).toBeGreaterThanOrEqual(ne);
          expect(zerr).toBeLessThan(1e-12);
        }
      } finally {
        m.free();
      }
    });

  it("reports the failing column of a matrix that is not positive definite", () => {
    const { adj, weight } = randomGraph(20, 7, 2);
    const { a, n, q, nodeRow } = spdOnPattern(adj, weight, 2, 8);
    const md = minimumDegree(k, lists(adj), weight)!;
    const plan = scalarPattern(q, n, nodeRow, weight, md.order, md.structure);
    const values = onPattern(plan, a, n);
    values[plan.colPtr[5]!] = -1; // pivot of column 5
    const m = upload(plan, values);
    try {
      expect(k.sparseCholesky(n, m.colPtr, m.rowIdx, m.rowPtr, m.rowCol, m.rowPos, m.lx, m.work)).toBe(6);
    } finally {
      m.free();
    }
  });
});

/** The nodes of each node's column of L when eliminating in the given order (symbolic, by explicit fill). */
function structureOf(adj: Int32Array[], order: ArrayLike<number>): number[][] {
  const n = adj.length;
  const g = adj.map((a) => new Set(a));
  const done = new Uint8Array(n);
  const out: number[][] = new Array(n);
  for (let s = 0; s < n; s++) {
    const v = order[s]!;
    done[v] = 1;
    const nb = [...g[v]!].filter((u) => !done[u]);
    out[v] = nb.sort((a, b) => a - b);
    for (const u of nb) for (const w of nb) if (u !== w) g[u]!.add(w);
  }
  return out;
}

/** Entries of L below the diagonal when eliminating in the given order. */
function fillOf(adj: Int32Array[], order: ArrayLike<number>): number {
  return structureOf(adj, order).reduce((t, s) => t + s.length, 0);
}

describe("minimum-degree order", () => {
  const natural = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
  it("is a permutation whose structure is the symbolic fill", () => {
    const { adj, weight } = randomGraph(300, 11, 4);
    const md = minimumDegree(k, lists(adj), weight)!;
    expect([...md.order].sort((a, b) => a - b)).toEqual([...natural(300)]);
    for (let s = 0; s < 300; s++) expect(md.position[md.order[s]!]).toBe(s);
    const expected = structureOf(adj, md.order);
    const { start, nodes } = md.structure;
    md.order.forEach((v, k) => {
      const s = [...nodes.subarray(start[k]!, start[k + 1]!)];
      // ascending by position, as the scalar pattern needs
      expect(s.map((u) => md.position[u]!)).toEqual(s.map((u) => md.position[u]!).sort((a, b) => a - b));
      expect(s.sort((a, b) => a - b)).toEqual(expected[v]);
    });
  });

  it("beats the natural order on a 15×15 grid", () => {
    const m = 15;
    const adj = Array.from({ length: m * m }, (_, v) => {
      const r = Math.floor(v / m);
      const c = v % m;
      const nb: number[] = [];
      if (r > 0) nb.push(v - m);
      if (c > 0) nb.push(v - 1);
      if (c < m - 1) nb.push(v + 1);
      if (r < m - 1) nb.push(v + m);
      return Int32Array.from(nb);
    });
    const md = minimumDegree(k, lists(adj), new Int32Array(m * m).fill(1))!;
    const mdFill = fillOf(adj, md.order);
    const naturalFill = fillOf(adj, natural(m * m));
    expect(mdFill).toBeLessThan(0.8 * naturalFill);
  });

  it("eliminates the hub of an arrowhead last but one (no fill)", () => {
    const n = 50;
    const adj = Array.from({ length: n }, (_, v) =>
      v === 0 ? Int32Array.from({ length: n - 1 }, (_, i) => i + 1) : Int32Array.from([0]),
    );
    const md = minimumDegree(k, lists(adj), new Int32Array(n).fill(1))!;
    expect(fillOf(adj, md.order)).toBe(n - 1);
    expect(fillOf(adj, natural(n))).toBe((n * (n - 1)) / 2);
    expect(md.position[0]).toBeGreaterThanOrEqual(n - 2);
  });

  it("gives up past its budget", () => {
    const n = 40;
    const adj = Array.from({ length: n }, (_, v) =>
      Int32Array.from({ length: n - 1 }, (_, i) => (i < v ? i : i + 1)),
    );
    expect(minimumDegree(k, lists(adj), new Int32Array(n).fill(1), 100)).toBeNull();
  });

  it("gives up at the first step whose clique estimate of the work ahead passes the budget, not before", () => {
    // K₄₀: eliminating it costs Σ k² (k < 40) = 20,540, which the estimate at the first step gets exactly.
    const n = 40;
    const adj = Array.from({ length: n }, (_, v) =>
      Int32Array.from({ length: n - 1 }, (_, i) => (i < v ? i : i + 1)),
    );
    const ones = new Int32Array(n).fill(1);
    expect(minimumDegree(k, lists(adj), ones, 20_540)?.work).toBe(20_540);
    expect(minimumDegree(k, lists(adj), ones, 20_539)).toBeNull();
    // Two disjoint K₂₀ cost 4,940, but their first step's estimate (as if one clique of 40 rows of degree ≥ 19)
    // is 9,690: a budget between the two is given up at once.
    const twoCliques = Array.from({ length: n }, (_, v) => {
      const base = v < 20 ? 0 : 20;
      return Int32Array.from({ length: 19 }, (_, i) => base + (i < v - base ? i : i + 1));
    });
    expect(minimumDegree(k, lists(twoCliques), ones)?.work).toBe(4940);
    expect(minimumDegree(k, lists(twoCliques), ones, 6000)).toBeNull();
    // A path never comes near: each step's work is 1.
    const path = Array.from({ length: n }, (_, v) =>
      Int32Array.from([v - 1, v + 1].filter((u) => u >= 0 && u < n)),
    );
    expect(minimumDegree(k, lists(path), ones, n)?.work).toBe(n - 1);
  });
});
