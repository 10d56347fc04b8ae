/**
 * Least-squares fits of responses on one fixed-effects matrix X (n×p, column-major), factored once: the
 * response reduction of ./response-reduction.ts. Normal equations (Cholesky of XᵀX) with one step of iterative
 * refinement on the residual, which is all the reduction needs (see there).
 *
 * Columns that are mostly zeros (factor indicators and their interactions) are kept as lists of their non-zero rows,
 * so that the Gram matrix and Xᵀr cost what the non-zeros cost: InstEval's 28 columns (73,421 rows) take about a
 * tenth of the dense work.
 */
export class ResponseReduction {
  readonly n: number;
  readonly p: number;
  /** Cholesky factor of XᵀX (lower, row-major p×p), or null when X is empty or numerically singular. */
  private readonly factor: Float64Array | null;
  private readonly rhs: Float64Array;
  /** Per column: its non-zero rows and values when it is mostly zero, or null for a dense column. */
  private readonly sparse: (SparseColumn | null)[];

  /**
   * `gram`, when given, is XᵀX already formed (lower triangle, row-major p × p, as src/design/gram.ts forms it:
   * the same sums bit for bit as formGram's), so only its p × p factorisation remains (design.xtx, from the rank
   * check of src/design/rank.ts).
   */
  constructor(
    private readonly X: Float64Array,
    n: number,
    p: number,
    gram?: Float64Array,
  ) {
    this.n = n;
    this.p = p;
    this.rhs = new Float64Array(p);
    this.sparse = Array.from({ length: p }, (_, j) => sparseRows(X, j * n, n));
    this.factor =
      p > 0
        ? choleskyLower(gram && gram.length === p * p ? Float64Array.from(gram) : this.formGram(), p)
        : null;
  }

  /**
   * Writes y − Xβ₀ into `out` (may be `y` itself) and returns β₀ (zeros when no reduction is possible), in
   * `beta0` when given (length p, overwritten: a bootstrap replicate reduces two responses and allocates nothing),
   * else in a new array. Non-finite responses pass through unchanged, so the engine reports them as before.
   */
  reduce(y: Float64Array, out: Float64Array, beta0 = new Float64Array(this.p)): Float64Array {
    const { n, p, X, factor, sparse } = this;
    beta0.fill(0);
    if (out !== y) out.set(y);
    if (!factor || !allFinite(y)) return beta0;
    // Two passes: β₀ from y, then the correction from the residual (iterative refinement). The loops over the rows
    // are functions of their own (columnDot, subtractColumn): a fit reduces once, and V8 compiles a long call's
    // loops on the stack, then drops the code at the next loop it has not yet seen.
    for (let pass = 0; pass < 2; pass++) {
      this.solveNormal(out, factor);
      for (let j = 0; j < p; j++) {
        const bj = this.rhs[j] as number;
        beta0[j] = (beta0[j] as number) + bj;
        if (bj !== 0) subtractColumn(out, bj, X, j * n, n, sparse[j] ?? null);
      }
    }
    return beta0;
  }

  /** rhs = (XᵀX)⁻¹ Xᵀr. */
  private solveNormal(r: Float64Array, L: Float64Array): void {
    const { n, p, X, rhs, sparse } = this;
    for (let j = 0; j < p; j++) rhs[j] = columnDot(r, X, j * n, n, sparse[j] ?? null);
    for (let i = 0; i < p; i++) {
      let s = rhs[i] as number;
      for (let k = 0; k < i; k++) s -= (L[i * p + k] as number) * (rhs[k] as number);
      rhs[i] = s / (L[i * p + i] as number);
    }
    for (let i = p - 1; i >= 0; i--) {
      let s = rhs[i] as number;
      for (let k = i + 1; k < p; k++) s -= (L[k * p + i] as number) * (rhs[k] as number);
      rhs[i] = s / (L[i * p + i] as number);
    }
  }

  /** The lower triangle of XᵀX (row-major p × p). */
  private formGram(): Float64Array {
    const { X, n, p, sparse } = this;
    const G = new Float64Array(p * p);
    for (let a = 0; a < p; a++) {
      const ca = a * n;
      for (let b = 0; b <= a; b++) {
        const cb = b * n;
        const ia = sparse[a]?.idx;
        const ib = sparse[b]?.idx;
        // Over the rows of the sparser column: a product is zero wherever either factor is.
        const idx = ia && (!ib || ia.length <= ib.length) ? ia : ib;
        let s = 0;
        if (idx)
          for (let m = 0; m < idx.length; m++) {
            const i = idx[m] as number;
            s += (X[ca + i] as number) * (X[cb + i] as number);
          }
        else for (let i = 0; i < n; i++) s += (X[ca + i] as number) * (X[cb + i] as number);
        G[a * p + b] = s;
      }
    }
    return G;
  }
}

/** Whether every entry is finite. */
function allFinite(y: Float64Array): boolean {
  for (let i = 0; i < y.length; i++) if (!Number.isFinite(y[i] as number)) return false;
  return true;
}

/** Σ_i X[col + i] r_i over a column's rows (its non-zero rows when it is kept sparse), rows in increasing order. */
function columnDot(
  r: Float64Array,
  X: Float64Array,
  col: number,
  n: number,
  column: SparseColumn | null,
): number {
  let s = 0;
  if (column) {
    const { idx, val } = column;
    for (let m = 0; m < idx.length; m++) {
      const i = idx[m] as number;
      s += (val[m] as number) * (r[i] as number);
    }
  } else for (let i = 0; i < n; i++) s += (X[col + i] as number) * (r[i] as number);
  return s;
}

/** out −= b · (column of X), over its non-zero rows when it is kept sparse. */
function subtractColumn(
  out: Float64Array,
  b: number,
  X: Float64Array,
  col: number,
  n: number,
  column: SparseColumn | null,
): void {
  if (column) {
    const { idx, val } = column;
    for (let m = 0; m < idx.length; m++) {
      const i = idx[m] as number;
      out[i] = (out[i] as number) - b * (val[m] as number);
    }
  } else for (let i = 0; i < n; i++) out[i] = (out[i] as number) - b * (X[col + i] as number);
}

/** In place: the lower Cholesky factor of G (lower triangle, row-major p × p), or null when G is not numerically
 * positive definite. */
function choleskyLower(G: Float64Array, p: number): Float64Array | null {
  for (let j = 0; j < p; j++) {
    let d = G[j * p + j] as number;
    const scale = d;
    for (let k = 0; k < j; k++) d -= (G[j * p + k] as number) ** 2;
    if (!(d > 1e-13 * scale) || !Number.isFinite(d)) return null;
    const ljj = Math.sqrt(d);
    G[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let s = G[i * p + j] as number;
      for (let k = 0; k < j; k++) s -= (G[i * p + k] as number) * (G[j * p + k] as number);
      G[i * p + j] = s / ljj;
    }
  }
  return G;
}

/** A mostly-zero column of X: the rows where it is non-zero and its values there (read in order by the passes). */
interface SparseColumn {
  idx: Int32Array;
  val: Float64Array;
}

/**
 * The rows where column X[offset .. offset+n) is non-zero and its values there, when they are at most a quarter
 * of n; else null. The count is branch-free (indicator columns have their non-zeros scattered).
 */
function sparseRows(X: Float64Array, offset: number, n: number): SparseColumn | null {
  const count = nonZeroCount(X, offset, n);
  if (count > n / 4) return null;
  return nonZeroRows(X, offset, n, count);
}

function nonZeroCount(X: Float64Array, offset: number, n: number): number {
  let count = 0;
  for (let i = 0; i < n; i++) count += X[offset + i] !== 0 ? 1 : 0;
  return count;
}

function nonZeroRows(X: Float64Array, offset: number, n: number, count: number): SparseColumn {
  const idx = new Int32Array(count);
  const val = new Float64Array(count);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const x = X[offset + i] as number;
    if (x !== 0) {
      idx[m] = i;
      val[m++] = x;
    }
  }
  return { idx, val };
}
