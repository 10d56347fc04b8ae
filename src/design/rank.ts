/**
 * Which columns of a model matrix to keep so that it has full column rank, the way lme4 decides
 * (`chkRank.drop.cols`: R's qr() with tol 1e-7 and LINPACK's limited pivoting, dqrdc2): columns are taken in order,
 * and a column whose part orthogonal to the columns kept before it has norm below 1e-7 of its own norm is aliased
 * and moved out (dqrdc2 moves it to the end; the kept columns keep their order). That part's squared norm is the
 * Schur complement in the Gram matrix XᵀX, so a Cholesky factorisation of XᵀX in column order that passes over
 * the aliased pivots (a pivoted Cholesky whose only pivoting is dqrdc2's) gives the same decisions, at the cost
 * of forming XᵀX (./gram.ts: O(n·p) for factor indicators) plus O(p³) for the factorisation. Rounding in XᵀX is
 * of order ε·κ², though, against a tolerance of tol² = 1e-14 on the squared norms: when some column is aliased
 * or nearly so, the decisions are taken on X by Householder reflections as dqrdc2 takes them (see DOUBT), unless
 * the model matrix is too large for that to be cheap (HOUSEHOLDER_BUDGET).
 */
import { gramLower } from "./gram.js";

export function keepFullRank(columns: readonly Float64Array[], tol = 1e-7): boolean[] {
  return fullRankColumns(columns, tol).keep;
}

/**
 * keepFullRank's decisions together with the Gram matrix XᵀX they were taken on (./gram.ts: lower triangle,
 * row-major p × p, every entry the plain dot product bit for bit), so that the fit's least-squares reduction
 * (src/fit/least-squares.ts) factors the kept columns' block of it instead of forming XᵀX a second time.
 */
export function fullRankColumns(
  columns: readonly Float64Array[],
  tol = 1e-7,
): { keep: boolean[]; gram: Float64Array } {
  const { keep, doubtful, gram } = choleskyKeep(columns, tol);
  const n = columns[0]?.length ?? 0;
  const p = columns.length;
  return { keep: doubtful && n * p * p <= HOUSEHOLDER_BUDGET ? householderKeep(columns, tol) : keep, gram };
}

/** The lower triangle (row-major) of the Gram matrix of the kept columns: the rows and columns of `keep`. */
export function keptGram(gram: Float64Array, keep: readonly boolean[]): Float64Array {
  const p = keep.length;
  const kept: number[] = [];
  for (let j = 0; j < p; j++) if (keep[j]) kept.push(j);
  const k = kept.length;
  const out = new Float64Array(k * k);
  for (let a = 0; a < k; a++)
    for (let b = 0; b <= a; b++)
      out[a * k + b] = gram[(kept[a] as number) * p + (kept[b] as number)] as number;
  return out;
}

/**
 * The reflections cost up to n·p² multiply-adds, dense (indicator columns become dense once reflected): beyond
 * this budget (≈ 0.1 s) the decisions stay those of XᵀX, which differ from dqrdc2's only for a column aliased
 * within rounding behind badly conditioned kept columns (test/design/rank.test.ts); lme4 pays the dense QR
 * whatever the size.
 */
const HOUSEHOLDER_BUDGET = 5e7;

/**
 * A column whose orthogonal part is below this share of its squared norm in XᵀX's factorisation is decided on X
 * itself. The Schur complement carries rounding of order ε·κ² (κ: the condition number of the kept columns,
 * scaled), so when every column's share is at least 1e-6, every one is clearly independent (κ² ≲ p·10⁶, error
 * ≪ 1e-6): the common full-rank case is settled by XᵀX alone. An aliased or nearly aliased column (a share
 * near tol² = 1e-14, where ε·κ² may be larger) is settled as dqrdc2 settles it, by Householder reflections of X.
 */
const DOUBT = 1e-6;

function choleskyKeep(
  columns: readonly Float64Array[],
  tol: number,
): { keep: boolean[]; doubtful: boolean; gram: Float64Array } {
  const p = columns.length;
  const gram = gramLower(columns);
  // L (lower triangular, rows of kept columns only) with gram = L Lᵀ on the kept set.
  const L = new Float64Array(p * p);
  const keep: boolean[] = new Array(p).fill(false);
  let doubtful = false;
  for (let j = 0; j < p; j++) {
    const norm2 = gram[j * p + j] as number;
    if (norm2 === 0) continue;
    let rest2 = norm2;
    for (let k = 0; k < j; k++) if (keep[k]) rest2 -= (L[j * p + k] as number) ** 2;
    if (!(rest2 > DOUBT * norm2)) doubtful = true;
    if (!(rest2 > tol * tol * norm2)) continue;
    const d = Math.sqrt(rest2);
    L[j * p + j] = d;
    keep[j] = true;
    // Column j of L below the diagonal, for the later columns.
    for (let m = j + 1; m < p; m++) {
      let s = gram[m * p + j] as number;
      for (let k = 0; k < j; k++) if (keep[k]) s -= (L[m * p + k] as number) * (L[j * p + k] as number);
      L[m * p + j] = s / d;
    }
  }
  return { keep, doubtful, gram };
}

/**
 * dqrdc2's decisions on X: columns in order, each reflected by the Householder reflections of the columns kept
 * before it; kept when the norm of what remains (rows past the number kept) is at least tol times its own norm,
 * and fewer than n columns are kept. O(n·p·rank), only for designs with (nearly) aliased columns.
 */
function householderKeep(columns: readonly Float64Array[], tol: number): boolean[] {
  const n = columns[0]?.length ?? 0;
  const reflectors: Float64Array[] = [];
  const keep: boolean[] = [];
  const x = new Float64Array(n);
  for (const c of columns) {
    x.set(c);
    let norm2 = 0;
    for (let i = 0; i < n; i++) norm2 += (x[i] as number) ** 2;
    for (let k = 0; k < reflectors.length; k++) {
      const v = reflectors[k] as Float64Array;
      let dot = 0;
      for (let i = k; i < n; i++) dot += (v[i] as number) * (x[i] as number);
      for (let i = k; i < n; i++) x[i] = (x[i] as number) - 2 * dot * (v[i] as number);
    }
    const r = reflectors.length;
    let rest2 = 0;
    for (let i = r; i < n; i++) rest2 += (x[i] as number) ** 2;
    const kept = r < n && norm2 > 0 && Math.sqrt(rest2) >= tol * Math.sqrt(norm2);
    keep.push(kept);
    if (!kept) continue;
    // The reflection taking x[r … n) to (∓‖·‖, 0, …): v = (x − α e_r) / ‖x − α e_r‖, α of the opposite sign.
    const rest = Math.sqrt(rest2);
    const alpha = (x[r] as number) >= 0 ? -rest : rest;
    const v = new Float64Array(n);
    for (let i = r; i < n; i++) v[i] = x[i] as number;
    v[r] = (v[r] as number) - alpha;
    let vn = 0;
    for (let i = r; i < n; i++) vn += (v[i] as number) ** 2;
    vn = Math.sqrt(vn);
    for (let i = r; i < n; i++) v[i] = (v[i] as number) / vn;
    reflectors.push(v);
  }
  return keep;
}
