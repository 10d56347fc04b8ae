/**
 * XᵀX of a model matrix given by columns, for the rank check (./rank.ts). Model matrices are mostly factor
 * indicators and their interactions: columns with few non-zeros. Dense columns (more than a quarter non-zero)
 * meet each other in plain dot products; the sparse columns are gathered row by row (a compressed-row copy of
 * their non-zeros, in column order within a row), so a product involving a sparse column costs only the rows
 * where it is non-zero, and two sparse columns meet only on the rows they share: O(n·p) to read X plus
 * Σᵢ sᵢ (sᵢ + dense) for sᵢ sparse non-zeros in row i, instead of O(n·p²).
 *
 * Every entry is the sum over rows in increasing order of the non-zero products, so it is the plain dot product
 * bit for bit (zero products add nothing), whatever the sparsity.
 */

/** A column with more than this share of non-zeros is treated as dense. */
const DENSE_SHARE = 1 / 4;

/** The lower triangle of XᵀX, row-major p × p: entry (j, k), k ≤ j, at [j * p + k]; the upper triangle is 0. */
export function gramLower(columns: readonly Float64Array[]): Float64Array {
  const p = columns.length;
  const gram = new Float64Array(p * p);
  if (p === 0) return gram;
  const n = (columns[0] as Float64Array).length;
  const dense: number[] = [];
  const sparse: number[] = [];
  const counts = new Int32Array(p);
  for (let j = 0; j < p; j++) {
    const c = columns[j] as Float64Array;
    let count = 0;
    for (let i = 0; i < n; i++) if (c[i] !== 0) count++;
    counts[j] = count;
    (count > n * DENSE_SHARE ? dense : sparse).push(j);
  }
  for (let a = 0; a < dense.length; a++) {
    const j = dense[a] as number;
    const cj = columns[j] as Float64Array;
    for (let b = 0; b <= a; b++) {
      const k = dense[b] as number;
      const ck = columns[k] as Float64Array;
      let s = 0;
      for (let i = 0; i < n; i++) s += (cj[i] as number) * (ck[i] as number);
      gram[j * p + k] = s;
    }
  }
  if (sparse.length === 0) return gram;
  // Compressed rows of the sparse columns: start[i] … start[i + 1] index col/value, columns ascending in a row.
  const start = new Int32Array(n + 1);
  let nnz = 0;
  for (const j of sparse) {
    const c = columns[j] as Float64Array;
    for (let i = 0; i < n; i++) if (c[i] !== 0) start[i + 1]++;
    nnz += counts[j] as number;
  }
  for (let i = 0; i < n; i++) start[i + 1] = (start[i + 1] as number) + (start[i] as number);
  const fill = start.slice(0, n);
  const col = new Int32Array(nnz);
  const val = new Float64Array(nnz);
  for (const j of sparse) {
    const c = columns[j] as Float64Array;
    for (let i = 0; i < n; i++) {
      const x = c[i] as number;
      if (x !== 0) {
        const at = fill[i] as number;
        col[at] = j;
        val[at] = x;
        fill[i] = at + 1;
      }
    }
  }
  const denseColumns = dense.map((j) => columns[j] as Float64Array);
  for (let i = 0; i < n; i++) {
    const from = start[i] as number;
    const to = start[i + 1] as number;
    for (let e = from; e < to; e++) {
      const j = col[e] as number;
      const x = val[e] as number;
      for (let b = 0; b < dense.length; b++) {
        const k = dense[b] as number;
        const y = (denseColumns[b] as Float64Array)[i] as number;
        if (k < j) gram[j * p + k] = (gram[j * p + k] as number) + x * y;
        else gram[k * p + j] = (gram[k * p + j] as number) + y * x;
      }
      for (let f = from; f <= e; f++) {
        const k = col[f] as number;
        gram[j * p + k] = (gram[j * p + k] as number) + x * (val[f] as number);
      }
    }
  }
  return gram;
}
