/**
 * The dense wasm kernels (assembly/linalg/dense.ts) against plain TypeScript implementations of the same
 * definitions, on random matrices of sizes that hit every edge of the tiling (1, 2, 3: smaller than one 4×4 tile;
 * 7, 63, 65: ragged tiles; 128/129/130, 257: around and beyond the 128-wide panels and inverse blocks) and with a
 * leading dimension larger than the matrix, whose padding rows and strict upper triangle must come back untouched.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type KernelExports, loadKernels } from "../../src/wasm/load.js";

const SIZES = [1, 2, 3, 7, 63, 64, 65, 128, 129, 130, 257];
/** Filler for every entry a kernel must not touch (upper triangle, padding rows). */
const SENTINEL = -12345.5;

let k: KernelExports;
beforeAll(async () => {
  k = await loadKernels();
});

/** Deterministic uniform(−0.5, 0.5) stream (LCG): the tests must not depend on Math.random. */
function uniform(seed: number): () => number {
  let s = (seed * 2654435761) >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

/** A column-major rows×cols matrix (ld = rows) of uniform entries. */
function randomMatrix(rows: number, cols: number, seed: number): Float64Array {
  const r = uniform(seed);
  return Float64Array.from({ length: rows * cols }, r);
}

/** A random SPD n×n matrix B Bᵀ + n I, full storage, ld = n. */
function randomSpd(n: number, seed: number): Float64Array {
  const b = randomMatrix(n, n, seed);
  const a = new Float64Array(n * n);
  for (let j = 0; j < n; j++)
    for (let i = j; i < n; i++) {
      let s = i === j ? n : 0;
      for (let p = 0; p < n; p++) s += b[i + p * n] * b[j + p * n];
      a[i + j * n] = s;
      a[j + i * n] = s;
    }
  return a;
}

/** Plain column Cholesky (lower, ld = n). */
function refCholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j + j * n];
    for (let p = 0; p < j; p++) d -= l[j + p * n] ** 2;
    const ljj = Math.sqrt(d);
    l[j + j * n] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i + j * n];
      for (let p = 0; p < j; p++) s -= l[i + p * n] * l[j + p * n];
      l[i + j * n] = s / ljj;
    }
  }
  return l;
}

/** Inverse of a lower-triangular matrix by forward substitution on the columns of I. */
function refLowerInverse(l: Float64Array, n: number): Float64Array {
  const x = new Float64Array(n * n);
  for (let j = 0; j < n; j++)
    for (let i = j; i < n; i++) {
      let s = i === j ? 1 : 0;
      for (let p = j; p < i; p++) s -= l[i + p * n] * x[p + j * n];
      x[i + j * n] = s / l[i + i * n];
    }
  return x;
}

/**
 * A wasm-heap matrix of rows×cols with leading dimension ld ≥ rows. Views are re-created on every access
 * because any allocation may grow (and so detach) the wasm memory.
 */
class Heap {
  readonly ptr: number;
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly ld: number,
  ) {
    this.ptr = k.alloc(ld * cols * 8);
    this.view().fill(SENTINEL);
  }
  view(): Float64Array {
    return new Float64Array(k.memory.buffer, this.ptr, this.ld * this.cols);
  }
  /** Copy a column-major rows×cols matrix (ld = rows) in; `lowerOnly` leaves the strict upper part as sentinel. */
  set(m: Float64Array, lowerOnly = false): this {
    const v = this.view();
    for (let j = 0; j < this.cols; j++)
      for (let i = lowerOnly ? j : 0; i < this.rows; i++) v[i + j * this.ld] = m[i + j * this.rows];
    return this;
  }
  get(i: number, j: number): number {
    return this.view()[i + j * this.ld];
  }
  /** Entries outside the region a kernel may write: padding rows, and the strict upper part if `lower`. */
  untouchedCount(lower: boolean): { changed: number } {
    const v = this.view();
    let changed = 0;
    for (let j = 0; j < this.cols; j++)
      for (let i = 0; i < this.ld; i++) {
        const outside = i >= this.rows || (lower && i < j);
        if (outside && v[i + j * this.ld] !== SENTINEL) changed++;
      }
    return { changed };
  }
  free(): void {
    k.free(this.ptr);
  }
}

/** Largest |wasm − reference| over the lower triangle (or the whole matrix), relative to max |reference|. */
function relError(h: Heap, ref: Float64Array, lower: boolean): number {
  const v = h.view();
  let err = 0;
  let scale = 0;
  for (let j = 0; j < h.cols; j++)
    for (let i = lower ? j : 0; i < h.rows; i++) {
      const r = ref[i + j * h.rows];
      err = Math.max(err, Math.abs(v[i + j * h.ld] - r));
      scale = Math.max(scale, Math.abs(r));
    }
  return err / scale;
}

describe("denseCholesky", () => {
  for (const n of SIZES)
    it(`factors a random SPD ${n}×${n} matrix with lda = n + 3 like a plain column Cholesky`, () => {
      const a = randomSpd(n, n);
      const h = new Heap(n, n, n + 3).set(a, true);
      expect(k.denseCholesky(h.ptr, n, h.ld, 0)).toBe(0);
      expect(relError(h, refCholesky(a, n), true)).toBeLessThan(1e-13);
      expect(h.untouchedCount(true).changed).toBe(0);
      h.free();
    });

  for (const [n, bad] of [
    [1, 0],
    [5, 3],
    [200, 150],
    [300, 128],
  ])
    it(`reports leading minor ${bad + 1} of a ${n}×${n} matrix as not positive definite`, () => {
      // SPD except that pivot `bad` is made negative: minors 1..bad are PD, minor bad+1 is not.
      const a = randomSpd(n, 3 * n + 1);
      const l = refCholesky(a, n);
      let sq = 0;
      for (let p = 0; p < bad; p++) sq += l[bad + p * n] ** 2;
      a[bad + bad * n] = sq - 1;
      const h = new Heap(n, n, n + 1).set(a, true);
      expect(k.denseCholesky(h.ptr, n, h.ld, 0)).toBe(bad + 1);
      h.free();
    });

  it("reports NaN input as not positive definite instead of returning NaN factors", () => {
    const n = 9;
    const a = randomSpd(n, 5);
    a[4 + 4 * n] = Number.NaN;
    const h = new Heap(n, n, n).set(a, true);
    expect(k.denseCholesky(h.ptr, n, h.ld, 0)).toBe(5);
    h.free();
  });

  it("accepts n = 0", () => {
    expect(k.denseCholesky(k.alloc(8), 0, 1, 0)).toBe(0);
  });
});

describe("denseLogDetChol", () => {
  for (const n of [1, 7, 130])
    it(`gives log det of a ${n}×${n} SPD matrix from its factor`, () => {
      const a = randomSpd(n, 11 * n);
      const l = refCholesky(a, n);
      let ref = 0;
      for (let j = 0; j < n; j++) ref += 2 * Math.log(l[j + j * n]);
      const h = new Heap(n, n, n + 2).set(l, true);
      expect(k.denseLogDetChol(h.ptr, n, h.ld)).toBeCloseTo(ref, 10);
      h.free();
    });
});

describe("denseGemmSub", () => {
  // Sizes straddle the 4×4 tile, the 128-deep inner block and the 512-wide column block of the gemm core.
  for (const [m, n, kk] of [
    [1, 1, 1],
    [3, 5, 2],
    [7, 63, 129],
    [65, 130, 257],
    [130, 530, 300],
  ])
    it(`C − A Bᵀ for C ${m}×${n}, inner ${kk}, with padded leading dimensions`, () => {
      const c0 = randomMatrix(m, n, m + n);
      const a0 = randomMatrix(m, kk, 2 * m + kk);
      const b0 = randomMatrix(n, kk, 3 * n + kk);
      const ref = c0.slice();
      for (let j = 0; j < n; j++)
        for (let i = 0; i < m; i++) {
          let s = 0;
          for (let p = 0; p < kk; p++) s += a0[i + p * m] * b0[j + p * n];
          ref[i + j * m] -= s;
        }
      const c = new Heap(m, n, m + 5).set(c0);
      const a = new Heap(m, kk, m + 1).set(a0);
      const b = new Heap(n, kk, n + 2).set(b0);
      k.denseGemmSub(c.ptr, a.ptr, b.ptr, m, n, kk, c.ld, a.ld, b.ld);
      expect(relError(c, ref, false)).toBeLessThan(1e-13);
      expect(c.untouchedCount(false).changed).toBe(0);
      for (const h of [c, a, b]) h.free();
    });
});

describe("denseSyrkSub", () => {
  for (const [n, kk] of [
    [1, 1],
    [2, 3],
    [7, 5],
    [63, 64],
    [65, 1],
    [130, 129],
    [257, 40],
    [530, 131],
  ])
    it(`lower triangle of C − A Aᵀ for C ${n}×${n}, inner ${kk}, upper triangle untouched`, () => {
      const c0 = randomMatrix(n, n, 7 * n);
      const a0 = randomMatrix(n, kk, 5 * n + kk);
      const ref = c0.slice();
      for (let j = 0; j < n; j++)
        for (let i = j; i < n; i++) {
          let s = 0;
          for (let p = 0; p < kk; p++) s += a0[i + p * n] * a0[j + p * n];
          ref[i + j * n] -= s;
        }
      const c = new Heap(n, n, n + 3).set(c0, true);
      const a = new Heap(n, kk, n + 1).set(a0);
      k.denseSyrkSub(c.ptr, a.ptr, n, kk, c.ld, a.ld);
      expect(relError(c, ref, true)).toBeLessThan(1e-13);
      expect(c.untouchedCount(true).changed).toBe(0);
      c.free();
      a.free();
    });
});

describe("denseTrsmRightLowerT", () => {
  for (const [m, n] of [
    [1, 1],
    [3, 2],
    [5, 7],
    [64, 63],
    [200, 65],
    [33, 130],
    [10, 257],
  ])
    it(`B L⁻ᵀ for B ${m}×${n}: X Lᵀ reproduces B`, () => {
      const l0 = refCholesky(randomSpd(n, 13 * n), n);
      const b0 = randomMatrix(m, n, 17 * m + n);
      const b = new Heap(m, n, m + 4).set(b0);
      const l = new Heap(n, n, n + 2).set(l0, true);
      k.denseTrsmRightLowerT(b.ptr, l.ptr, m, n, b.ld, l.ld);
      // Independent check: multiply back, (X Lᵀ)(i, j) = Σ_{p ≤ j} X(i, p) L(j, p).
      const back = new Float64Array(m * n);
      const x = b.view();
      for (let j = 0; j < n; j++)
        for (let i = 0; i < m; i++) {
          let s = 0;
          for (let p = 0; p <= j; p++) s += x[i + p * b.ld] * l0[j + p * n];
          back[i + j * m] = s;
        }
      let err = 0;
      for (let t = 0; t < m * n; t++) err = Math.max(err, Math.abs(back[t] - b0[t]));
      expect(err).toBeLessThan(1e-12);
      expect(b.untouchedCount(false).changed).toBe(0);
      expect(l.untouchedCount(true).changed).toBe(0);
      b.free();
      l.free();
    });
});

describe("denseLowerInverse and denseLowerInvTransMul", () => {
  for (const n of SIZES)
    it(`invert the ${n}×${n} Cholesky factor, then form (L Lᵀ)⁻¹ whose product with A is I`, () => {
      const a = randomSpd(n, 19 * n);
      const l0 = refCholesky(a, n);
      const h = new Heap(n, n, n + 3).set(l0, true);
      k.denseLowerInverse(h.ptr, n, h.ld, 0);
      expect(relError(h, refLowerInverse(l0, n), true)).toBeLessThan(1e-12);
      expect(h.untouchedCount(true).changed).toBe(0);

      k.denseLowerInvTransMul(h.ptr, n, h.ld, 0);
      expect(h.untouchedCount(true).changed).toBe(0);
      // A · inv(A) = I, with inv(A) read from the lower triangle only.
      const v = h.view();
      const inv = (i: number, j: number) => (i >= j ? v[i + j * h.ld] : v[j + i * h.ld]);
      let err = 0;
      for (let j = 0; j < n; j++)
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let p = 0; p < n; p++) s += a[i + p * n] * inv(p, j);
          err = Math.max(err, Math.abs(s - (i === j ? 1 : 0)));
        }
      expect(err).toBeLessThan(1e-12);
      h.free();
    });
});

describe("dense kernels at InstEval size", () => {
  it("factor and invert a 1128×1128 SPD matrix: A · A⁻¹ = I on sampled columns", () => {
    const n = 1128;
    const w = 48;
    // A = I + B Bᵀ with B n×w: SPD and built in O(n²w), since an O(n³) reference factorisation would be too slow
    // for a unit test; the check is A · A⁻¹ = I on a sample of columns, independent of any factorisation.
    const b0 = randomMatrix(n, w, 42);
    const full = new Float64Array(n * n);
    for (let j = 0; j < n; j++)
      for (let i = j; i < n; i++) {
        let s = i === j ? 1 : 0;
        for (let p = 0; p < w; p++) s += b0[i + p * n] * b0[j + p * n];
        full[i + j * n] = s;
        full[j + i * n] = s;
      }
    const a = new Heap(n, n, n).set(full, true);
    expect(k.denseCholesky(a.ptr, n, n, 0)).toBe(0);
    k.denseLowerInverse(a.ptr, n, n, 0);
    k.denseLowerInvTransMul(a.ptr, n, n, 0);
    const v = a.view();
    for (const j of [0, 1, 127, 128, 563, 1127]) {
      const col = new Float64Array(n);
      for (let p = 0; p < n; p++) col[p] = p >= j ? v[p + j * n] : v[j + p * n];
      let err = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let p = 0; p < n; p++) s += full[i + p * n] * col[p];
        err = Math.max(err, Math.abs(s - (i === j ? 1 : 0)));
      }
      expect(err).toBeLessThan(1e-10);
    }
    a.free();
  });
});
