/**
 * The QR decomposition R's lm uses: LINPACK's dqrdc2 (R's src/appl/dqrdc2.f), Householder reflections with
 * *limited* column pivoting. Columns are taken in order; a column whose norm, after the reflections of the columns
 * before it, has fallen below `tol` (lm: 1e-7) times its original norm is moved to the end and counts as aliased.
 * The rank is the number of columns that were not moved, and `pivot` says where each original column went, so
 * aliased coefficients come out as NA under their own names, as in R.
 *
 * Storage follows LINPACK: `qr` (n × p, column-major) holds R in its upper triangle and the Householder vectors
 * below it, with the first element of each vector in `qraux`.
 */

export interface QrDecomposition {
  n: number;
  p: number;
  /** n × p column-major: R above the diagonal (pivoted column order), Householder vectors below. */
  qr: Float64Array;
  qraux: Float64Array;
  /** 0-based original index of each pivoted column (R's `qr$pivot` minus one). */
  pivot: Int32Array;
  /** Number of columns that are not aliased; they are the first `rank` pivoted columns. */
  rank: number;
}

function norm2(x: Float64Array, from: number, length: number): number {
  // Scaled sum of squares, as BLAS dnrm2, so that tiny or huge columns neither underflow nor overflow.
  let scale = 0;
  let ssq = 1;
  for (let i = from; i < from + length; i++) {
    const v = x[i] as number;
    if (v !== 0) {
      const a = Math.abs(v);
      if (scale < a) {
        ssq = 1 + ssq * (scale / a) ** 2;
        scale = a;
      } else ssq += (a / scale) ** 2;
    }
  }
  return scale * Math.sqrt(ssq);
}

/** dqrdc2 on a copy of the n × p column-major matrix `x`. */
export function qrDecompose(x: Float64Array, n: number, p: number, tol = 1e-7): QrDecomposition {
  const a = Float64Array.from(x);
  const qraux = new Float64Array(p);
  const work1 = new Float64Array(p);
  const work2 = new Float64Array(p);
  const pivot = new Int32Array(p);
  for (let j = 0; j < p; j++) {
    pivot[j] = j;
    const nrm = norm2(a, j * n, n);
    qraux[j] = nrm;
    work1[j] = nrm;
    work2[j] = nrm === 0 ? 1 : nrm;
  }
  const lup = Math.min(n, p);
  let k = p + 1; // 1-based, as in the Fortran: columns k.. are the aliased ones
  const tmp = new Float64Array(n);
  for (let l = 0; l < lup; l++) {
    // Cycle negligible columns to the end (1-based l+1 < k avoids cycling forever).
    while (l + 1 < k && (qraux[l] as number) < (work2[l] as number) * tol) {
      tmp.set(a.subarray(l * n, l * n + n));
      a.copyWithin(l * n, (l + 1) * n, p * n);
      a.set(tmp, (p - 1) * n);
      const i = pivot[l] as number;
      const t = qraux[l] as number;
      const tt = work1[l] as number;
      const ttt = work2[l] as number;
      for (let j = l + 1; j < p; j++) {
        pivot[j - 1] = pivot[j] as number;
        qraux[j - 1] = qraux[j] as number;
        work1[j - 1] = work1[j] as number;
        work2[j - 1] = work2[j] as number;
      }
      pivot[p - 1] = i;
      qraux[p - 1] = t;
      work1[p - 1] = tt;
      work2[p - 1] = ttt;
      k--;
    }
    if (l === n - 1) break;
    const col = l * n;
    let nrmxl = norm2(a, col + l, n - l);
    if (nrmxl === 0) continue;
    if ((a[col + l] as number) !== 0) nrmxl = Math.sign(a[col + l] as number) * Math.abs(nrmxl);
    for (let i = l; i < n; i++) a[col + i] = (a[col + i] as number) / nrmxl;
    a[col + l] = 1 + (a[col + l] as number);
    const pivotValue = a[col + l] as number;
    for (let j = l + 1; j < p; j++) {
      const cj = j * n;
      let dot = 0;
      for (let i = l; i < n; i++) dot += (a[col + i] as number) * (a[cj + i] as number);
      const t = -dot / pivotValue;
      for (let i = l; i < n; i++) a[cj + i] = (a[cj + i] as number) + t * (a[col + i] as number);
      const qj = qraux[j] as number;
      if (qj === 0) continue;
      const tt = Math.max(1 - (Math.abs(a[cj + l] as number) / qj) ** 2, 0);
      if (Math.abs(tt) < 1e-6) {
        // Modified 9/99 (Doug Bates and Ross Ihaka): recompute the norm rather than downdate it.
        const nrm = norm2(a, cj + l + 1, n - l - 1);
        qraux[j] = nrm;
        work1[j] = nrm;
      } else qraux[j] = qj * Math.sqrt(tt);
    }
    qraux[l] = a[col + l] as number;
    a[col + l] = -nrmxl;
  }
  const rank = Math.min(k - 1, n);
  return { n, p, qr: a, qraux, pivot, rank };
}

/** Overwrite y (length n) with Qᵀy (dqrsl's qty; the reflections of the first min(rank, n − 1) columns). */
export function applyQt(qr: QrDecomposition, y: Float64Array): Float64Array {
  const { n, qr: a, qraux, rank } = qr;
  const ju = Math.min(rank, n - 1);
  for (let j = 0; j < ju; j++) {
    const qa = qraux[j] as number;
    if (qa === 0) continue;
    const col = j * n;
    // The vector's first element lives in qraux.
    let dot = qa * (y[j] as number);
    for (let i = j + 1; i < n; i++) dot += (a[col + i] as number) * (y[i] as number);
    const t = -dot / qa;
    y[j] = (y[j] as number) + t * qa;
    for (let i = j + 1; i < n; i++) y[i] = (y[i] as number) + t * (a[col + i] as number);
  }
  return y;
}

/** Solve R b = (Qᵀy)[0..rank) for the first `rank` pivoted columns (back substitution). */
export function solveUpper(qr: QrDecomposition, qty: Float64Array): Float64Array {
  const { n, qr: a, rank } = qr;
  const b = new Float64Array(rank);
  for (let i = rank - 1; i >= 0; i--) {
    let s = qty[i] as number;
    for (let j = i + 1; j < rank; j++) s -= (a[j * n + i] as number) * (b[j] as number);
    b[i] = s / (a[i * n + i] as number);
  }
  return b;
}

/** (RᵀR)⁻¹ for the first `rank` pivoted columns (R's chol2inv(qr$qr[1:rank, 1:rank])), rank × rank row-major. */
export function unscaledCovariance(qr: QrDecomposition): Float64Array {
  const { n, qr: a, rank } = qr;
  // Rinv: upper triangular inverse of R.
  const rinv = new Float64Array(rank * rank);
  for (let j = 0; j < rank; j++) {
    rinv[j * rank + j] = 1 / (a[j * n + j] as number);
    for (let i = j - 1; i >= 0; i--) {
      let s = 0;
      for (let m = i + 1; m <= j; m++) s += (a[m * n + i] as number) * (rinv[m * rank + j] as number);
      rinv[i * rank + j] = -s / (a[i * n + i] as number);
    }
  }
  const out = new Float64Array(rank * rank);
  for (let i = 0; i < rank; i++)
    for (let j = i; j < rank; j++) {
      let s = 0;
      for (let m = j; m < rank; m++) s += (rinv[i * rank + m] as number) * (rinv[j * rank + m] as number);
      out[i * rank + j] = s;
      out[j * rank + i] = s;
    }
  return out;
}
