/**
 * Cholesky factorisation of small dense symmetric matrices and the triangular solves that go with it, in
 * TypeScript (the large sparse work runs in WebAssembly). The matrices here are a few θ wide (the optimisers), one
 * random-effect block or p×p (the diagnostics), or one term's template (profile): plain loops are the clearest
 * and fast enough, and nothing is allocated, because the optimisers call these once per iteration.
 *
 * Storage: m×m, row-major, in a Float64Array. A factor L (A = LLᵀ) lives in the lower triangle; only the lower
 * triangle of A is read.
 */

/** a[i,j] − Σ_{k<j} a[i,k]·a[j,k]: the entry (i > j) once the factor's first j columns are in place. */
function reducedEntry(a: Float64Array, m: number, i: number, j: number): number {
  let s = a[i * m + j] as number;
  for (let k = 0; k < j; k++) s -= (a[i * m + k] as number) * (a[j * m + k] as number);
  return s;
}

/** a[j,j] − Σ_{k<j} a[j,k]²: the pivot of column j once the factor's first j columns are in place. */
function reducedPivot(a: Float64Array, m: number, j: number): number {
  let d = a[j * m + j] as number;
  for (let k = 0; k < j; k++) d -= (a[j * m + k] as number) ** 2;
  return d;
}

/** Column j of the factor below a pivot √d > 0 that is already stored. */
function scaleColumn(a: Float64Array, m: number, j: number, ljj: number): void {
  for (let i = j + 1; i < m; i++) a[i * m + j] = reducedEntry(a, m, i, j) / ljj;
}

/**
 * In-place lower Cholesky factor of a symmetric positive definite m×m matrix. Returns −1 on success, or the
 * index of the first pivot that is not positive (then `a` is partly overwritten). The upper triangle is not
 * touched.
 */
export function choleskyInPlace(a: Float64Array, m: number): number {
  for (let j = 0; j < m; j++) {
    const d = reducedPivot(a, m, j);
    if (!(d > 0)) return j;
    const ljj = Math.sqrt(d);
    a[j * m + j] = ljj;
    scaleColumn(a, m, j, ljj);
  }
  return -1;
}

/** choleskyInPlace that throws (naming `what`) when the matrix is not positive definite; zeroes the upper triangle. */
export function choleskyOrThrow(a: Float64Array, m: number, what: string): void {
  const failed = choleskyInPlace(a, m);
  if (failed >= 0) throw new Error(`${what}: matrix is not positive definite (pivot ${failed})`);
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) a[i * m + j] = 0;
}

/**
 * In-place lower Cholesky factor of a symmetric positive semi-definite matrix: a (numerically) zero pivot leaves a
 * zero column. Returns false when the matrix is not positive semi-definite: a clearly negative pivot, or a zero
 * pivot with a non-zero remainder below it. The upper triangle is not touched.
 */
export function choleskySemidefiniteInPlace(a: Float64Array, m: number): boolean {
  for (let j = 0; j < m; j++) {
    // The diagonal entries from j on still hold A's own values here: they are the scale of the test.
    const scale = Math.max(a[j * m + j] as number, 0);
    const d = reducedPivot(a, m, j);
    if (d < -1e-10 * (scale + 1e-300)) return false;
    if (d <= 1e-14 * scale || d <= 0) {
      for (let i = j + 1; i < m; i++) {
        const s = reducedEntry(a, m, i, j);
        if (Math.abs(s) > 1e-8 * Math.sqrt(Math.max(a[i * m + i] as number, 0) * scale) + 1e-300)
          return false;
      }
      for (let i = j; i < m; i++) a[i * m + j] = 0;
      continue;
    }
    const ljj = Math.sqrt(d);
    a[j * m + j] = ljj;
    scaleColumn(a, m, j, ljj);
  }
  return true;
}

/** Solves L x = b in place (L lower triangular), starting at the first non-zero of b (the zeros before it stay). */
export function forwardSolveInPlace(L: Float64Array, m: number, b: Float64Array): void {
  let first = 0;
  while (first < m && b[first] === 0) first++;
  for (let i = first; i < m; i++) {
    let s = b[i] as number;
    for (let k = first; k < i; k++) s -= (L[i * m + k] as number) * (b[k] as number);
    b[i] = s / (L[i * m + i] as number);
  }
}

/** Solves Lᵀ x = b in place (L lower triangular, so Lᵀ is upper triangular: back substitution). */
export function backSolveTransposedInPlace(L: Float64Array, m: number, b: Float64Array): void {
  for (let i = m - 1; i >= 0; i--) {
    let s = b[i] as number;
    for (let k = i + 1; k < m; k++) s -= (L[k * m + i] as number) * (b[k] as number);
    b[i] = s / (L[i * m + i] as number);
  }
}

/** Solves A x = b in place, given the Cholesky factor L of A (forward, then back substitution). */
export function choleskySolveInPlace(L: Float64Array, m: number, b: Float64Array): void {
  forwardSolveInPlace(L, m, b);
  backSolveTransposedInPlace(L, m, b);
}

/**
 * Packs the rows and columns of the n×n matrix A with keep[i] ≠ 0 into `out` (row-major, m×m with m the number
 * kept, in index order) and returns m. `out` needs room for m² values.
 */
export function gatherSubmatrix(A: Float64Array, n: number, keep: Uint8Array, out: Float64Array): number {
  let m = 0;
  for (let i = 0; i < n; i++) if (keep[i]) m++;
  let a = 0;
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    let b = 0;
    for (let j = 0; j < n; j++) if (keep[j]) out[a * m + b++] = A[i * n + j] as number;
    a++;
  }
  return m;
}
