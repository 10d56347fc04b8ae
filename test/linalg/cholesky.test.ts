/**
 * The small dense Cholesky helpers, checked against independent computations: the factor must reproduce A = LLᵀ,
 * solves must satisfy A x = b, and the failures (not positive definite, not semi-definite) must be reported.
 */
import { describe, expect, it } from "vitest";
import {
  backSolveTransposedInPlace,
  choleskyInPlace,
  choleskyOrThrow,
  choleskySemidefiniteInPlace,
  choleskySolveInPlace,
  forwardSolveInPlace,
  gatherSubmatrix,
} from "../../src/linalg/cholesky.js";

/** A = MMᵀ + shift·I from a fixed pseudo-random M (m×m): positive definite for shift > 0. */
function spdMatrix(m: number, shift: number, seed: number): Float64Array {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 - 0.5;
  };
  const M = Float64Array.from({ length: m * m }, next);
  const A = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) {
      let s = i === j ? shift : 0;
      for (let k = 0; k < m; k++) s += (M[i * m + k] as number) * (M[j * m + k] as number);
      A[i * m + j] = s;
    }
  return A;
}

/** Largest |A − LLᵀ| over all entries, L from the lower triangle of `factor`. */
function reconstructionError(A: Float64Array, factor: Float64Array, m: number): number {
  let worst = 0;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0; k <= Math.min(i, j); k++)
        s += (factor[i * m + k] as number) * (factor[j * m + k] as number);
      worst = Math.max(worst, Math.abs(s - (A[i * m + j] as number)));
    }
  return worst;
}

function multiply(A: Float64Array, m: number, x: Float64Array): Float64Array {
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) out[i] = (out[i] as number) + (A[i * m + j] as number) * (x[j] as number);
  return out;
}

describe("choleskyInPlace", () => {
  it("reproduces A = LLᵀ for positive definite matrices of sizes 1 to 7", () => {
    for (let m = 1; m <= 7; m++) {
      const A = spdMatrix(m, 0.1, 7 + m);
      const L = Float64Array.from(A);
      expect(choleskyInPlace(L, m)).toBe(-1);
      expect(reconstructionError(A, L, m)).toBeLessThan(1e-13);
      for (let i = 0; i < m; i++) expect(L[i * m + i]).toBeGreaterThan(0);
    }
  });

  it("reports the first pivot that is not positive", () => {
    // [[1, 2], [2, 1]] is indefinite: the second pivot is 1 − 4 < 0.
    expect(choleskyInPlace(Float64Array.from([1, 2, 2, 1]), 2)).toBe(1);
    expect(choleskyInPlace(Float64Array.from([0, 0, 0, 1]), 2)).toBe(0);
  });

  it("choleskyOrThrow zeroes the upper triangle and names the caller on failure", () => {
    const A = spdMatrix(4, 0.5, 3);
    const L = Float64Array.from(A);
    choleskyOrThrow(L, 4, "test");
    for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) expect(L[i * 4 + j]).toBe(0);
    expect(reconstructionError(A, L, 4)).toBeLessThan(1e-13);
    expect(() => choleskyOrThrow(Float64Array.from([1, 2, 2, 1]), 2, "hatvalues")).toThrow(
      "hatvalues: matrix is not positive definite (pivot 1)",
    );
  });
});

describe("triangular and Cholesky solves", () => {
  it("solve A x = b: the residual A x − b vanishes, and A·A⁻¹ = I column by column", () => {
    const m = 5;
    const A = spdMatrix(m, 0.2, 11);
    const L = Float64Array.from(A);
    choleskyInPlace(L, m);
    const b = Float64Array.from([1, -2, 0.5, 3, -1]);
    const x = Float64Array.from(b);
    choleskySolveInPlace(L, m, x);
    const Ax = multiply(A, m, x);
    for (let i = 0; i < m; i++) expect(Math.abs((Ax[i] as number) - (b[i] as number))).toBeLessThan(1e-11);
    for (let c = 0; c < m; c++) {
      const e = new Float64Array(m);
      e[c] = 1;
      choleskySolveInPlace(L, m, e);
      const col = multiply(A, m, e);
      for (let i = 0; i < m; i++)
        expect(Math.abs((col[i] as number) - (i === c ? 1 : 0))).toBeLessThan(1e-11);
    }
  });

  it("forward and transposed back substitution invert L and Lᵀ, also with leading zeros in b", () => {
    const m = 4;
    const L = Float64Array.from(spdMatrix(m, 0.3, 5));
    choleskyInPlace(L, m);
    for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) L[i * m + j] = 0;
    const b = Float64Array.from([0, 0, 2, -1]);
    const x = Float64Array.from(b);
    forwardSolveInPlace(L, m, x);
    const Lx = multiply(L, m, x);
    for (let i = 0; i < m; i++) expect(Math.abs((Lx[i] as number) - (b[i] as number))).toBeLessThan(1e-12);
    const Lt = new Float64Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) Lt[i * m + j] = L[j * m + i] as number;
    const z = Float64Array.from(b);
    backSolveTransposedInPlace(L, m, z);
    const Ltz = multiply(Lt, m, z);
    for (let i = 0; i < m; i++) expect(Math.abs((Ltz[i] as number) - (b[i] as number))).toBeLessThan(1e-12);
  });
});

describe("choleskySemidefiniteInPlace", () => {
  it("factors a rank-deficient matrix with a zero column where the pivot vanishes", () => {
    // A = v vᵀ + w wᵀ with a zero second variable: rank 2 of 3, second row and column zero.
    const A = Float64Array.from([4, 0, 2, 0, 0, 0, 2, 0, 5]);
    const L = Float64Array.from(A);
    expect(choleskySemidefiniteInPlace(L, 3)).toBe(true);
    expect(L[1 * 3 + 1]).toBe(0);
    expect(L[2 * 3 + 1]).toBe(0);
    expect(reconstructionError(A, L, 3)).toBeLessThan(1e-14);
  });

  it("agrees with choleskyInPlace on a positive definite matrix", () => {
    const A = spdMatrix(4, 0.4, 9);
    const L1 = Float64Array.from(A);
    const L2 = Float64Array.from(A);
    choleskyInPlace(L1, 4);
    expect(choleskySemidefiniteInPlace(L2, 4)).toBe(true);
    for (let i = 0; i < 4; i++) for (let j = 0; j <= i; j++) expect(L2[i * 4 + j]).toBe(L1[i * 4 + j]);
  });

  it("rejects a matrix that is not positive semi-definite", () => {
    // Correlation 1.5 between two unit variances: determinant 1 − 2.25 < 0.
    expect(choleskySemidefiniteInPlace(Float64Array.from([1, 1.5, 1.5, 1]), 2)).toBe(false);
    // Zero pivot with a non-zero entry below it.
    expect(choleskySemidefiniteInPlace(Float64Array.from([0, 1, 1, 1]), 2)).toBe(false);
  });
});

describe("gatherSubmatrix", () => {
  it("packs the kept rows and columns in index order", () => {
    const A = Float64Array.from({ length: 16 }, (_, k) => k);
    const out = new Float64Array(16);
    expect(gatherSubmatrix(A, 4, Uint8Array.from([1, 0, 1, 1]), out)).toBe(3);
    expect(Array.from(out.subarray(0, 9))).toEqual([0, 2, 3, 8, 10, 11, 12, 14, 15]);
  });
});
