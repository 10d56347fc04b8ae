/**
 * Small dense matrices for the degrees-of-freedom methods: products, a symmetric eigendecomposition (cyclic
 * Jacobi: the matrices are a few variance parameters or a few fixed effects wide), pseudo-inverses as R's
 * lmerTest and MASS::ginv compute them, and triangular solves with many right-hand sides (the random-effects
 * space, q×q). Storage: row-major Float64Array, dimensions passed alongside.
 */

/** C (m×n) = A (m×k) · B (k×n). */
export function matMul(A: Float64Array, B: Float64Array, m: number, k: number, n: number): Float64Array {
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let l = 0; l < k; l++) {
      const a = A[i * k + l] as number;
      if (a === 0) continue;
      const bl = l * n;
      for (let j = 0; j < n; j++) C[ci + j] = (C[ci + j] as number) + a * (B[bl + j] as number);
    }
  }
  return C;
}

/** C (m×n) = Aᵀ · B for A (k×m), B (k×n). */
export function matTMul(A: Float64Array, B: Float64Array, k: number, m: number, n: number): Float64Array {
  const C = new Float64Array(m * n);
  for (let l = 0; l < k; l++) {
    const al = l * m;
    const bl = l * n;
    for (let i = 0; i < m; i++) {
      const a = A[al + i] as number;
      if (a === 0) continue;
      const ci = i * n;
      for (let j = 0; j < n; j++) C[ci + j] = (C[ci + j] as number) + a * (B[bl + j] as number);
    }
  }
  return C;
}

/**
 * RᵀR for R (k×m): the lower triangle computed, mirrored. Each row of R contributes the outer product of its
 * non-zeros only: rows of the random-effects space stay sparse for the levels of the first (largest) term.
 */
export function gram(R: Float64Array, k: number, m: number): Float64Array {
  const C = new Float64Array(m * m);
  const idx = new Int32Array(m);
  const val = new Float64Array(m);
  for (let l = 0; l < k; l++) {
    const rl = l * m;
    let nz = 0;
    for (let i = 0; i < m; i++) {
      const v = R[rl + i] as number;
      if (v !== 0) {
        idx[nz] = i;
        val[nz++] = v;
      }
    }
    if (nz > m / 2) {
      // A dense row: contiguous loops beat the index lists.
      for (let i = 0; i < m; i++) {
        const a = R[rl + i] as number;
        if (a === 0) continue;
        const ci = i * m;
        for (let j = 0; j <= i; j++) C[ci + j] = (C[ci + j] as number) + a * (R[rl + j] as number);
      }
      continue;
    }
    for (let a = 0; a < nz; a++) {
      const ci = (idx[a] as number) * m;
      const va = val[a] as number;
      for (let b = 0; b <= a; b++) {
        const cj = ci + (idx[b] as number);
        C[cj] = (C[cj] as number) + va * (val[b] as number);
      }
    }
  }
  for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) C[j * m + i] = C[i * m + j] as number;
  return C;
}

/** For each row i of a lower-triangular (or symmetric) n×n matrix, the column of its first non-zero (≤ i). */
export function envelope(a: Float64Array, n: number): Int32Array {
  const first = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let f = i;
    for (let k = 0; k < i; k++)
      if ((a[i * n + k] as number) !== 0) {
        f = k;
        break;
      }
    first[i] = f;
  }
  return first;
}

export function transpose(A: Float64Array, m: number, n: number): Float64Array {
  const T = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) T[j * m + i] = A[i * n + j] as number;
  return T;
}

/** xᵀ A x for A (n×n). */
export function quadForm(x: ArrayLike<number>, A: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i] as number;
    if (xi === 0) continue;
    let r = 0;
    for (let j = 0; j < n; j++) r += (A[i * n + j] as number) * (x[j] as number);
    s += xi * r;
  }
  return s;
}

/** tr(A·B) for A, B (n×n). */
export function traceProduct(A: Float64Array, B: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) s += (A[i * n + j] as number) * (B[j * n + i] as number);
  return s;
}

export function trace(A: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += A[i * n + i] as number;
  return s;
}

export interface SymmetricEigen {
  /** Eigenvalues in decreasing order (as R's eigen). */
  values: Float64Array;
  /** Eigenvectors as columns: vectors[i * n + k] is component i of the k-th vector. */
  vectors: Float64Array;
}

/** Eigendecomposition of a symmetric n×n matrix by cyclic Jacobi rotations (accurate to rounding for small n). */
export function symmetricEigen(S: Float64Array, n: number): SymmetricEigen {
  const a = Float64Array.from(S);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++) {
      const m = 0.5 * ((a[i * n + j] as number) + (a[j * n + i] as number));
      a[i * n + j] = m;
      a[j * n + i] = m;
    }
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < n; i++) {
      diag += (a[i * n + i] as number) ** 2;
      for (let j = i + 1; j < n; j++) off += (a[i * n + j] as number) ** 2;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q] as number;
        if (apq === 0) continue;
        const app = a[p * n + p] as number;
        const aqq = a[q * n + q] as number;
        const tau = (aqq - app) / (2 * apq);
        const t = Math.sign(tau || 1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p] as number;
          const akq = a[k * n + q] as number;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k] as number;
          const aqk = a[q * n + k] as number;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p] as number;
          const vkq = v[k * n + q] as number;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (i, j) => (a[j * n + j] as number) - (a[i * n + i] as number),
  );
  const values = Float64Array.from(order, (i) => a[i * n + i] as number);
  const vectors = new Float64Array(n * n);
  order.forEach((src, k) => {
    for (let i = 0; i < n; i++) vectors[i * n + k] = v[i * n + src] as number;
  });
  return { values, vectors };
}

/** Σ over the kept eigenpairs of v vᵀ / λ. */
function inverseFromEigen(e: SymmetricEigen, n: number, keep: (lambda: number) => boolean): Float64Array {
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const lambda = e.values[k] as number;
    if (!keep(lambda)) continue;
    for (let i = 0; i < n; i++) {
      const vi = (e.vectors[i * n + k] as number) / lambda;
      for (let j = 0; j < n; j++)
        out[i * n + j] = (out[i * n + j] as number) + vi * (e.vectors[j * n + k] as number);
    }
  }
  return out;
}

/** lmerTest's Moore–Penrose inverse of a Hessian: only eigenvalues above `tol` (1e-8 there) are inverted. */
export function positivePartInverse(S: Float64Array, n: number, tol = 1e-8): Float64Array {
  return inverseFromEigen(symmetricEigen(S, n), n, (l) => l > tol);
}

/**
 * pbkrtest's inverse of the information matrix: solve() when the smallest |eigenvalue| exceeds 1e-10, else
 * MASS::ginv (singular values below √ε times the largest dropped).
 */
export function solveOrGinv(S: Float64Array, n: number): Float64Array {
  const e = symmetricEigen(S, n);
  let minAbs = Number.POSITIVE_INFINITY;
  let maxAbs = 0;
  for (const l of e.values) {
    minAbs = Math.min(minAbs, Math.abs(l));
    maxAbs = Math.max(maxAbs, Math.abs(l));
  }
  if (minAbs > 1e-10) return inverseFromEigen(e, n, () => true);
  const tol = Math.sqrt(Number.EPSILON) * maxAbs;
  return inverseFromEigen(e, n, (l) => Math.abs(l) > tol);
}

/** Inverse of a symmetric positive definite matrix (Cholesky); throws `what` when it is not. */
export function inverseSpd(S: Float64Array, n: number, what: string): Float64Array {
  const L = Float64Array.from(S);
  choleskyLower(L, n, what);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  solveLowerRows(L, n, inv, n);
  solveUpperRows(L, n, inv, n);
  return inv;
}

/**
 * In-place lower Cholesky factor (upper triangle zeroed); throws when a pivot is not positive. The factor keeps
 * the envelope of the matrix (no fill before a row's first non-zero), so only the envelope is computed: the
 * block-diagonal part of M (the largest term's levels) costs next to nothing.
 */
export function choleskyLower(a: Float64Array, n: number, what: string): void {
  const first = envelope(a, n);
  for (let j = 0; j < n; j++) {
    const fj = first[j] as number;
    let d = a[j * n + j] as number;
    for (let k = fj; k < j; k++) d -= (a[j * n + k] as number) ** 2;
    if (!(d > 0)) throw new Error(`${what}: matrix is not positive definite (pivot ${j + 1})`);
    const ljj = Math.sqrt(d);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const fi = first[i] as number;
      if (fi > j) continue;
      let s = a[i * n + j] as number;
      for (let k = Math.max(fi, fj); k < j; k++) s -= (a[i * n + k] as number) * (a[j * n + k] as number);
      a[i * n + j] = s / ljj;
    }
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) a[i * n + j] = 0;
}

/**
 * R ← L⁻¹R for lower-triangular L (n×n) and R (n×m), row-major: row operations, cache-friendly. Only L's envelope
 * is visited, and a finished row of R that is mostly zeros (the largest term's levels) is applied through its
 * non-zeros only.
 */
export function solveLowerRows(L: Float64Array, n: number, R: Float64Array, m: number): void {
  const first = envelope(L, n);
  const nzIndex: (Int32Array | undefined)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const ri = i * m;
    for (let k = first[i] as number; k < i; k++) {
      const l = L[i * n + k] as number;
      if (l === 0) continue;
      const rk = k * m;
      const nz = nzIndex[k];
      if (nz) {
        for (let t = 0; t < nz.length; t++) {
          const j = nz[t] as number;
          R[ri + j] = (R[ri + j] as number) - l * (R[rk + j] as number);
        }
      } else for (let j = 0; j < m; j++) R[ri + j] = (R[ri + j] as number) - l * (R[rk + j] as number);
    }
    const d = L[i * n + i] as number;
    let count = 0;
    for (let j = 0; j < m; j++) {
      const v = (R[ri + j] as number) / d;
      R[ri + j] = v;
      if (v !== 0) count++;
    }
    if (count < m / 4) {
      const nz = new Int32Array(count);
      let c = 0;
      for (let j = 0; j < m; j++) if ((R[ri + j] as number) !== 0) nz[c++] = j;
      nzIndex[i] = nz;
    }
  }
}

/** R ← L⁻ᵀR for lower-triangular L (n×n) and R (n×m), row-major. */
export function solveUpperRows(L: Float64Array, n: number, R: Float64Array, m: number): void {
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * m;
    const d = L[i * n + i] as number;
    for (let j = 0; j < m; j++) R[ri + j] = (R[ri + j] as number) / d;
    for (let k = 0; k < i; k++) {
      const l = L[i * n + k] as number;
      if (l === 0) continue;
      const rk = k * m;
      for (let j = 0; j < m; j++) R[rk + j] = (R[rk + j] as number) - l * (R[ri + j] as number);
    }
  }
}
