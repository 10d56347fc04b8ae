// Plain (untiled) dense kernels with the signatures of assembly/linalg/dense.ts, used by the blocked engine
// until the tiled versions exist, and for the tiny dense blocks where tiling does not pay.
//
// All matrices are column-major f64, lower triangle, leading dimension given; pointers are byte addresses.
// The inner loops run down contiguous column segments so that they vectorise with f64x2.

import { axpy, dotOneAccumulator } from "../linalg/vector";

@inline function at(a: usize, i: i32, j: i32, lda: i32): usize {
  return a + ((<usize>i + <usize>j * <usize>lda) << 3);
}


/** In-place Cholesky A = L Lᵀ (left-looking). Returns 0, or j+1 when the leading minor j is not positive definite. */
export function basicCholesky(a: usize, n: i32, lda: i32): i32 {
  for (let j = 0; j < n; j++) {
    const colj = at(a, j, j, lda);
    const len = n - j;
    // a[j:n, j] -= Σ_k a[j:n, k] · a[j, k]
    for (let k = 0; k < j; k++) {
      const ajk = load<f64>(at(a, j, k, lda));
      if (ajk != 0) axpy(colj, at(a, j, k, lda), -ajk, len);
    }
    const d = load<f64>(colj);
    if (!(d > 0)) return j + 1;
    const s = Math.sqrt(d);
    store<f64>(colj, s);
    const inv = 1.0 / s;
    for (let i = 1; i < len; i++) {
      const p = colj + (<usize>i << 3);
      store<f64>(p, load<f64>(p) * inv);
    }
  }
  return 0;
}

/** In place L ← L⁻¹ (lower triangular), column by column from the right (LAPACK's dtrti2). */
export function basicLowerInverse(l: usize, n: i32, ldl: i32): void {
  for (let j = n - 1; j >= 0; j--) {
    const pjj = at(l, j, j, ldl);
    const ajj = 1.0 / load<f64>(pjj);
    store<f64>(pjj, ajj);
    // x = a[j+1:n, j] ← -ajj · L⁻¹[j+1:, j+1:] x  (the lower-right part is already inverted)
    for (let k = n - 1; k > j; k--) {
      const pk = at(l, k, j, ldl);
      const t = load<f64>(pk);
      if (t != 0) axpy(at(l, k + 1, j, ldl), at(l, k + 1, k, ldl), t, n - k - 1);
      store<f64>(pk, t * load<f64>(at(l, k, k, ldl)));
    }
    for (let k = j + 1; k < n; k++) {
      const pk = at(l, k, j, ldl);
      store<f64>(pk, -ajj * load<f64>(pk));
    }
  }
}

/** In place: from X = L⁻¹ (lower) the lower triangle of XᵀX = (L Lᵀ)⁻¹. */
export function basicLowerInvTransMul(l: usize, n: i32, ldl: i32): void {
  // Result (i, j), i ≥ j, is Σ_{k ≥ i} X[k,i] X[k,j]; columns ascending and rows ascending read only entries
  // not yet overwritten.
  for (let j = 0; j < n; j++) {
    for (let i = j; i < n; i++) {
      store<f64>(at(l, i, j, ldl), dotOneAccumulator(at(l, i, i, ldl), at(l, i, j, ldl), n - i));
    }
  }
}

/** C ← C − A Aᵀ (lower triangle), A n×k. */
export function basicSyrkSub(c: usize, a: usize, n: i32, k: i32, ldc: i32, lda: i32): void {
  for (let j = 0; j < n; j++) {
    for (let p = 0; p < k; p++) {
      const ajp = load<f64>(at(a, j, p, lda));
      if (ajp != 0) axpy(at(c, j, j, ldc), at(a, j, p, lda), -ajp, n - j);
    }
  }
}

/**
 * basicLowerInvTransMul for a sparse X = L⁻¹ (a nested model's trailing block stays block diagonal, so its
 * inverse factor has a few non-zeros per column): result (i, j) = Σ_k X[k,i] X[k,j] summed over the non-zero
 * rows k of column i only, collected into `idx` (n i32). Rows ascending, and within a row the diagonal last, so
 * every entry read is still X.
 */
export function basicLowerInvTransMulSparse(l: usize, n: i32, ldl: i32, idx: usize): void {
  for (let i = 0; i < n; i++) {
    let nz = 0;
    for (let k = i; k < n; k++)
      if (load<f64>(at(l, k, i, ldl)) != 0) {
        store<i32>(idx + (<usize>nz << 2), k);
        nz++;
      }
    for (let j = 0; j <= i; j++) {
      let s = 0.0;
      for (let t = 0; t < nz; t++) {
        const k = load<i32>(idx + (<usize>t << 2));
        s += load<f64>(at(l, k, i, ldl)) * load<f64>(at(l, k, j, ldl));
      }
      // the diagonal (j = i) is computed last: it reads X[i,i], which the off-diagonal entries of row i need
      if (j < i) store<f64>(at(l, i, j, ldl), s);
      else store<f64>(at(l, i, i, ldl), s);
    }
  }
}
