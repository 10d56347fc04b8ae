// A sparse Cholesky factor on a pattern found once per fit (src/fit/sparse-trailing/: the fill-reducing order and
// the symbolic factorisation), and the entries of the inverse on that pattern (selected inversion). Numeric work
// only: no allocation, no state; every array is the caller's (docs/architecture.md, "The sparse trailing block").
//
// Storage: L by columns (CSC), column j's entries at colPtr[j] .. colPtr[j+1] of rowIdx/lx, rows ascending with the
// diagonal first. The pattern must be closed under the elimination (the symbolic factor's): for every column k
// and every row j of column k, the rows of column k at or below j are rows of column j. The row pattern (rowPtr,
// rowCol, rowPos) lists, for each row j, the columns k < j with an entry L_jk and where that entry sits in lx.

@inline function ldf(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
@inline function stf(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}
@inline function ldn(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

/**
 * In place: lx holds the lower triangle of A on L's pattern and becomes L (A = L Lᵀ). Left-looking: column j
 * is scattered into the dense work vector (length n, indexed by row), the columns k of row j's pattern are
 * subtracted (their rows at or below j), and the column is gathered back scaled by its pivot. work needs no
 * clearing: every row a column touches is a row of that column, scattered before it is touched.
 * Returns 0, or j + 1 when the pivot of column j is not positive (columns before it are factored).
 */
export function sparseCholesky(
  n: i32,
  colPtr: usize,
  rowIdx: usize,
  rowPtr: usize,
  rowCol: usize,
  rowPos: usize,
  lx: usize,
  work: usize,
): i32 {
  for (let j = 0; j < n; j++) {
    const p0 = ldn(colPtr, j);
    const p1 = ldn(colPtr, j + 1);
    for (let p = p0; p < p1; p++) stf(work, ldn(rowIdx, p), ldf(lx, p));
    const q1 = ldn(rowPtr, j + 1);
    for (let q = ldn(rowPtr, j); q < q1; q++) {
      const k = ldn(rowCol, q);
      const pos = ldn(rowPos, q);
      const ljk = ldf(lx, pos);
      const end = ldn(colPtr, k + 1);
      for (let p = pos; p < end; p++) {
        const w = work + (<usize>ldn(rowIdx, p) << 3);
        store<f64>(w, load<f64>(w) - ldf(lx, p) * ljk);
      }
    }
    const d = ldf(work, j);
    if (!(d > 0)) return j + 1;
    const s = Math.sqrt(d);
    stf(lx, p0, s);
    const inv = 1.0 / s;
    for (let p = p0 + 1; p < p1; p++) stf(lx, p, ldf(work, ldn(rowIdx, p)) * inv);
  }
  return 0;
}

/**
 * zx ← the entries of (L_e L_eᵀ)⁻¹ on L's pattern, L_e the leading ne×ne part of L (rows and columns < ne; other
 * entries of zx are left alone). The Takahashi equations (Takahashi, Fagan and Chin 1973; Erisman and Tinney
 * 1975), from the last column back: for the rows i > j of column j,
 *   Z_ij = −(1/L_jj) Σ_k L_kj Z_ik,   Z_jj = (1/L_jj) (1/L_jj − Σ_k L_kj Z_kj),
 * the sums over the rows k > j of column j. Every Z_ik needed (i, k rows of column j) lies on the pattern of
 * column min(i, k), already computed; it is found by walking that column's rows (both lists ascending), except
 * in the dense trailing rows: when every column's pattern ends with all rows from denseFrom to n − 1 (the X and y
 * rows of a trailing block; n = denseFrom when there are none), row i ≥ denseFrom of column k sits at
 * colPtr[k + 1] − (n − i).
 */
export function sparseSelectedInverse(
  ne: i32,
  n: i32,
  denseFrom: i32,
  colPtr: usize,
  rowIdx: usize,
  lx: usize,
  zx: usize,
): void {
  for (let j = ne - 1; j >= 0; j--) {
    const p0 = ldn(colPtr, j);
    const p1 = ldn(colPtr, j + 1);
    let e = p0 + 1;
    while (e < p1 && ldn(rowIdx, e) < ne) e++;
    for (let p = p0 + 1; p < e; p++) stf(zx, p, 0.0);
    // zx[pi] accumulates Σ_k L_kj Z_ik for row i = rowIdx[pi]; each lower entry Z_ik (i ≥ k) is used for both
    // (i, k) and (k, i).
    for (let pk = p0 + 1; pk < e; pk++) {
      const k = ldn(rowIdx, pk);
      const lkj = ldf(lx, pk);
      let qk = ldn(colPtr, k);
      const kEnd = ldn(colPtr, k + 1) - n;
      let acc = 0.0;
      for (let pi = pk; pi < e; pi++) {
        const i = ldn(rowIdx, pi);
        if (i >= denseFrom) qk = kEnd + i;
        else while (ldn(rowIdx, qk) != i) qk++;
        const z = ldf(zx, qk);
        if (pi == pk) acc += z * lkj;
        else {
          stf(zx, pi, ldf(zx, pi) + z * lkj);
          acc += z * ldf(lx, pi);
        }
      }
      stf(zx, pk, ldf(zx, pk) + acc);
    }
    const inv = 1.0 / ldf(lx, p0);
    let s = 0.0;
    for (let p = p0 + 1; p < e; p++) {
      const z = -inv * ldf(zx, p);
      stf(zx, p, z);
      s += ldf(lx, p) * z;
    }
    stf(zx, p0, inv * (inv - s));
  }
}
