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

/**
 * The lower triangle of XᵀX, row-major p × p: entry (j, k), k ≤ j, at [j * p + k]; the upper triangle is 0. Each
 * pass over the rows is a function of its own (nonZeros, dot, sparseRows, accumulateRows): this runs once per fit,
 * and V8 compiles a long call's loops on the stack and throws the code away at the next loop it has not yet seen
 * (star's design: 32–36 ms on the first call, 5–18 on the next two, 4 once settled, with the passes inline).
 */
export function gramLower(columns: readonly Float64Array[]): Float64Array {
  const p = columns.length;
  const gram = new Float64Array(p * p);
  if (p === 0) return gram;
  const n = (columns[0] as Float64Array).length;
  const dense: number[] = [];
  const sparse: number[] = [];
  const counts = new Int32Array(p);
  for (let j = 0; j < p; j++) {
    const count = nonZeros(columns[j] as Float64Array);
    counts[j] = count;
    (count > n * DENSE_SHARE ? dense : sparse).push(j);
  }
  for (let a = 0; a < dense.length; a++) {
    const j = dense[a] as number;
    for (let b = 0; b <= a; b++) {
      const k = dense[b] as number;
      gram[j * p + k] = dot(columns[j] as Float64Array, columns[k] as Float64Array);
    }
  }
  if (sparse.length === 0) return gram;
  const rows = sparseRows(columns, sparse, counts, n);
  accumulateRows(
    rows,
    dense,
    dense.map((j) => columns[j] as Float64Array),
    gram,
    p,
  );
  return gram;
}

/** The non-zero entries of a column. */
function nonZeros(c: Float64Array): number {
  let count = 0;
  for (let i = 0; i < c.length; i++) if (c[i] !== 0) count++;
  return count;
}

/** The plain dot product, rows in increasing order. */
function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

/** Compressed rows of the sparse columns: start[i] … start[i + 1] index col/val, columns ascending in a row. */
function sparseRows(
  columns: readonly Float64Array[],
  sparse: readonly number[],
  counts: Int32Array,
  n: number,
): { start: Int32Array; col: Int32Array; val: Float64Array } {
  const start = new Int32Array(n + 1);
  let nnz = 0;
  for (const j of sparse) {
    countRows(columns[j] as Float64Array, start);
    nnz += counts[j] as number;
  }
  for (let i = 0; i < n; i++) start[i + 1] = (start[i + 1] as number) + (start[i] as number);
  const fill = start.slice(0, n);
  const col = new Int32Array(nnz);
  const val = new Float64Array(nnz);
  for (const j of sparse) fillRows(columns[j] as Float64Array, j, fill, col, val);
  return { start, col, val };
}

/** start[i + 1] += 1 for each row i where c is non-zero. */
function countRows(c: Float64Array, start: Int32Array): void {
  for (let i = 0; i < c.length; i++) if (c[i] !== 0) start[i + 1] = (start[i + 1] as number) + 1;
}

/** Column j's non-zeros appended to their rows' entries. */
function fillRows(c: Float64Array, j: number, fill: Int32Array, col: Int32Array, val: Float64Array): void {
  for (let i = 0; i < c.length; i++) {
    const x = c[i] as number;
    if (x !== 0) {
      const at = fill[i] as number;
      col[at] = j;
      val[at] = x;
      fill[i] = at + 1;
    }
  }
}

/** Adds each row's products of a sparse entry with the dense columns and with the sparse entries before it. */
function accumulateRows(
  rows: { start: Int32Array; col: Int32Array; val: Float64Array },
  dense: readonly number[],
  denseColumns: readonly Float64Array[],
  gram: Float64Array,
  p: number,
): void {
  const { start, col, val } = rows;
  const n = start.length - 1;
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
}
