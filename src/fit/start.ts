/**
 * Starting θ for the optimiser: lme4's (1 on the diagonal, 0 elsewhere), except that each random-intercept term
 * (1|g) starts at a method-of-moments estimate of its relative standard deviation.
 *
 * Why: lme4's start is far from the optimum when a variance component is small relative to the residual (θ̂ ≈ 0.28
 * and 0.43 on InstEval), and at scale every evaluation of the profiled deviance costs a dense factorisation of the
 * filled-in block (60 ms there). A start within a few per cent of θ̂ saves most of the iterations. The estimate is
 * the one-way analysis of variance of the ordinary-least-squares residuals by each grouping factor on its own:
 * σ̂²_g = (MSB − MSW)/n₀ with n₀ = (n − Σ n_ℓ²/n)/(L − 1), and σ̂² the smallest within-group mean square over the
 * factors (each factor's MSW still contains the other factors' variance). θ_g = σ̂_g/σ̂, kept within
 * [MIN_START, MAX_START]: θ = 0 is a stationary point of the deviance (a saddle of its sign symmetry), so the
 * optimiser must not start there. The optimum does not depend on the start; only the path does.
 */
import type { DesignBuffers } from "../design/types.js";
import { thetaStart } from "../design/types.js";
import { choleskyInPlace, choleskySolveInPlace } from "../linalg/cholesky.js";

/** Smallest and largest starting θ of an intercept term. */
export const MIN_START = 0.1;
export const MAX_START = 10;

/** The starting θ (lme4's order) for the design, see above. */
export function momentStart(buffers: DesignBuffers): Float64Array {
  const start = thetaStart(buffers);
  const interceptTerms = buffers.terms
    .map((t, i) => ({ t, i }))
    .filter(({ t }) => t.p === 1 && t.z.every((v) => v === 1));
  if (interceptTerms.length === 0) return start;
  const e = olsResiduals(buffers);
  if (!e) return start;
  const n = buffers.n;
  const anova = interceptTerms.map(({ t }) => oneWayAnova(e, t.refs, t.nlevels, n));
  let sigma2 = Number.POSITIVE_INFINITY;
  for (const a of anova) if (a && a.msw > 0) sigma2 = Math.min(sigma2, a.msw);
  if (!Number.isFinite(sigma2)) return start;
  // θ position of each term: its lower triangle's length, term by term.
  const offset: number[] = [];
  let k = 0;
  for (const t of buffers.terms) {
    offset.push(k);
    k += (t.p * (t.p + 1)) / 2;
  }
  interceptTerms.forEach(({ i }, j) => {
    const a = anova[j];
    if (!a) return;
    const ratio = Math.max(0, a.between) / sigma2;
    start[offset[i] as number] = Math.min(MAX_START, Math.max(MIN_START, Math.sqrt(ratio)));
  });
  return start;
}

/**
 * y − Xβ̂ by the normal equations (X has full column rank after the design dropped aliased columns). X is read
 * row by row through its nonzero entries: model matrices of factors are mostly zeros (InstEval's service*dept has
 * about 3 nonzeros in 28 columns per row), so XᵀX costs Σ_rows nnz² instead of n·p².
 */
function olsResiduals(b: DesignBuffers): Float64Array | undefined {
  const { n, p, X, y } = b;
  const e = Float64Array.from(y);
  if (p === 0) return e;
  const rowStart = new Int32Array(n + 1);
  for (let j = 0; j < p; j++)
    for (let i = 0; i < n; i++) if (X[j * n + i] !== 0) rowStart[i + 1] = (rowStart[i + 1] as number) + 1;
  for (let i = 0; i < n; i++) rowStart[i + 1] = (rowStart[i + 1] as number) + (rowStart[i] as number);
  const nnz = rowStart[n] as number;
  const col = new Int32Array(nnz);
  const val = new Float64Array(nnz);
  const fill = rowStart.slice(0, n);
  for (let j = 0; j < p; j++)
    for (let i = 0; i < n; i++) {
      const v = X[j * n + i] as number;
      if (v === 0) continue;
      const k = fill[i] as number;
      col[k] = j;
      val[k] = v;
      fill[i] = k + 1;
    }
  const xtx = new Float64Array(p * p);
  const beta = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const a = rowStart[i] as number;
    const z = rowStart[i + 1] as number;
    const yi = y[i] as number;
    for (let k = a; k < z; k++) {
      const j = col[k] as number;
      const v = val[k] as number;
      beta[j] = (beta[j] as number) + v * yi;
      for (let m = a; m <= k; m++) {
        const idx = j * p + (col[m] as number);
        xtx[idx] = (xtx[idx] as number) + v * (val[m] as number);
      }
    }
  }
  // Columns were visited in increasing order, so each row's list ascends: the sums above fill the lower triangle.
  for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) xtx[k * p + j] = xtx[j * p + k] as number;
  if (choleskyInPlace(xtx, p) >= 0) return undefined;
  choleskySolveInPlace(xtx, p, beta);
  for (let i = 0; i < n; i++) {
    let s = e[i] as number;
    for (let k = rowStart[i] as number; k < (rowStart[i + 1] as number); k++)
      s -= (val[k] as number) * (beta[col[k] as number] as number);
    e[i] = s;
  }
  return e;
}

/**
 * One-way random-effects ANOVA of e by the factor `refs`: the between-level variance estimate (MSB − MSW)/n₀
 * (may be negative) and the within-level mean square. Undefined when there is no within- or between-level
 * degree of freedom.
 */
function oneWayAnova(
  e: Float64Array,
  refs: Int32Array,
  nlevels: number,
  n: number,
): { between: number; msw: number } | undefined {
  const count = new Float64Array(nlevels);
  const sum = new Float64Array(nlevels);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const l = refs[i] as number;
    count[l] = (count[l] as number) + 1;
    sum[l] = (sum[l] as number) + (e[i] as number);
    total += e[i] as number;
  }
  let levels = 0;
  let sumSqCounts = 0;
  for (let l = 0; l < nlevels; l++) {
    const c = count[l] as number;
    if (c > 0) levels++;
    sumSqCounts += c * c;
  }
  if (levels < 2 || n - levels < 1) return undefined;
  const grand = total / n;
  let ssb = 0;
  for (let l = 0; l < nlevels; l++) {
    const c = count[l] as number;
    if (c > 0) ssb += c * ((sum[l] as number) / c - grand) ** 2;
  }
  let ssw = 0;
  for (let i = 0; i < n; i++) {
    const l = refs[i] as number;
    ssw += ((e[i] as number) - (sum[l] as number) / (count[l] as number)) ** 2;
  }
  const msb = ssb / (levels - 1);
  const msw = ssw / (n - levels);
  const n0 = (n - sumSqCounts / n) / (levels - 1);
  return { between: (msb - msw) / n0, msw };
}
