/**
 * Small dense helpers for the diagnostics (row-major square matrices). The matrices here are per connected block of
 * the random effects or p×p, so plain loops are the clearest and fast enough.
 */

/** In place lower Cholesky factor of a symmetric positive definite m×m matrix (upper triangle zeroed). */
export function choleskyInPlace(a: Float64Array, m: number, what: string): void {
  for (let j = 0; j < m; j++) {
    let d = a[j * m + j] as number;
    for (let k = 0; k < j; k++) d -= (a[j * m + k] as number) ** 2;
    if (!(d > 0)) throw new Error(`${what}: matrix is not positive definite (pivot ${j})`);
    const ljj = Math.sqrt(d);
    a[j * m + j] = ljj;
    for (let i = j + 1; i < m; i++) {
      let s = a[i * m + j] as number;
      for (let k = 0; k < j; k++) s -= (a[i * m + k] as number) * (a[j * m + k] as number);
      a[i * m + j] = s / ljj;
    }
    for (let i = 0; i < j; i++) a[i * m + j] = 0;
  }
}

/** Solves L x = b in place (L lower triangular m×m, row-major), starting at the first non-zero of b. */
export function forwardSolveInPlace(L: Float64Array, m: number, b: Float64Array): void {
  let first = 0;
  while (first < m && b[first] === 0) first++;
  for (let i = first; i < m; i++) {
    let s = b[i] as number;
    for (let k = first; k < i; k++) s -= (L[i * m + k] as number) * (b[k] as number);
    b[i] = s / (L[i * m + i] as number);
  }
}
