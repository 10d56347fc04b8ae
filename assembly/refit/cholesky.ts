// Small dense Cholesky for the refit's quasi-Newton model (a few θ wide), row-major m×m: the same loops, in the
// same order, as src/linalg/cholesky.ts, so that the wasm refit (./nearby.ts) takes bit for bit the steps the
// TypeScript refit takes (test/inference/refit-wasm.test.ts).

import { ld, st } from "../pls/access";

/** In-place lower Cholesky factor (row-major m×m). Returns −1, or the first pivot that is not positive. */
export function rowCholesky(a: usize, m: i32): i32 {
  for (let j = 0; j < m; j++) {
    let d = ld(a, j * m + j);
    for (let k = 0; k < j; k++) {
      const v = ld(a, j * m + k);
      d -= v * v;
    }
    if (!(d > 0)) return j;
    const ljj = Math.sqrt(d);
    st(a, j * m + j, ljj);
    for (let i = j + 1; i < m; i++) {
      let s = ld(a, i * m + j);
      for (let k = 0; k < j; k++) s -= ld(a, i * m + k) * ld(a, j * m + k);
      st(a, i * m + j, s / ljj);
    }
  }
  return -1;
}

/** Solves L Lᵀ x = b in place (L from rowCholesky); the forward pass starts at b's first non-zero, as in TypeScript. */
export function rowCholeskySolve(l: usize, m: i32, b: usize): void {
  let first = 0;
  while (first < m && ld(b, first) == 0) first++;
  for (let i = first; i < m; i++) {
    let s = ld(b, i);
    for (let k = first; k < i; k++) s -= ld(l, i * m + k) * ld(b, k);
    st(b, i, s / ld(l, i * m + i));
  }
  for (let i = m - 1; i >= 0; i--) {
    let s = ld(b, i);
    for (let k = i + 1; k < m; k++) s -= ld(l, k * m + i) * ld(b, k);
    st(b, i, s / ld(l, i * m + i));
  }
}

/** Packs the rows and columns of the n×n matrix a with keep[i] ≠ 0 into out (m×m, row-major); returns m. */
export function gatherKept(a: usize, n: i32, keep: usize, out: usize): i32 {
  let m = 0;
  for (let i = 0; i < n; i++) if (ld(keep, i) != 0) m++;
  let r = 0;
  for (let i = 0; i < n; i++) {
    if (ld(keep, i) == 0) continue;
    let c = 0;
    for (let j = 0; j < n; j++) if (ld(keep, j) != 0) st(out, r * m + c++, ld(a, i * n + j));
    r++;
  }
  return m;
}
