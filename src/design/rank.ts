/**
 * Which columns of a model matrix to keep so that it has full column rank, the way lme4 decides
 * (`chkRank.drop.cols`: R's qr() with tol 1e-7 and LINPACK's limited pivoting): columns are taken in order, and a
 * column whose part orthogonal to the columns kept before it has norm below 1e-7 of its own norm is aliased and
 * dropped. That part's squared norm is the Schur complement in the Gram matrix XᵀX, so a Cholesky factorisation
 * of XᵀX in column order that skips the aliased pivots gives the same decisions at O(n p²/2) cost.
 */
export function keepFullRank(columns: readonly Float64Array[], tol = 1e-7): boolean[] {
  const p = columns.length;
  const gram = new Float64Array(p * p);
  // Indicator columns of factors are mostly zeros: dot products run over the sparser column's non-zeros.
  const nonzeros = columns.map((c) => {
    let count = 0;
    for (let i = 0; i < c.length; i++) if (c[i] !== 0) count++;
    if (count > c.length / 4) return null;
    const idx = new Int32Array(count);
    let m = 0;
    for (let i = 0; i < c.length; i++) if (c[i] !== 0) idx[m++] = i;
    return idx;
  });
  for (let j = 0; j < p; j++) {
    const cj = columns[j];
    for (let k = 0; k <= j; k++) {
      const ck = columns[k];
      const nj = nonzeros[j];
      const nk = nonzeros[k];
      const idx = nj && (!nk || nj.length <= nk.length) ? nj : nk;
      let s = 0;
      if (idx) for (let m = 0; m < idx.length; m++) s += cj[idx[m]] * ck[idx[m]];
      else for (let i = 0; i < cj.length; i++) s += cj[i] * ck[i];
      gram[j * p + k] = s;
    }
  }
  // L (lower triangular, rows of kept columns only) with gram = L Lᵀ on the kept set.
  const L = new Float64Array(p * p);
  const keep: boolean[] = new Array(p).fill(false);
  for (let j = 0; j < p; j++) {
    const norm2 = gram[j * p + j];
    if (norm2 === 0) continue;
    let rest2 = norm2;
    for (let k = 0; k < j; k++) if (keep[k]) rest2 -= L[j * p + k] ** 2;
    if (!(rest2 > tol * tol * norm2)) continue;
    const d = Math.sqrt(rest2);
    L[j * p + j] = d;
    keep[j] = true;
    // Column j of L below the diagonal, for the later columns.
    for (let m = j + 1; m < p; m++) {
      let s = gram[m * p + j];
      for (let k = 0; k < j; k++) if (keep[k]) s -= L[m * p + k] * L[j * p + k];
      L[m * p + j] = s / d;
    }
  }
  return keep;
}
