/**
 * Starting θ for the optimiser: lme4's (1 on the diagonal, 0 elsewhere), except that each random-intercept term
 * (1|g) starts at a method-of-moments estimate of its relative standard deviation.
 *
 * Why: lme4's start is far from the optimum when a variance component is small relative to the residual (θ̂ ≈ 0.28
 * and 0.43 on InstEval), and at scale every evaluation of the profiled deviance costs a dense factorisation of the
 * filled-in block (60 ms there). A start within a few per cent of θ̂ saves most of the iterations. The estimate:
 * the level effects of all intercept factors fitted as fixed effects to the ordinary-least-squares residuals (by
 * backfitting: each factor's effects are the level means of what the others leave, a few sweeps), σ̂² their
 * residual mean square, and σ̂²_g the spread of factor g's estimated effects less their sampling variance,
 * Σ(α_ℓ − ᾱ)²/(L − 1) − σ̂²·mean(1/n_ℓ). On one factor that is the one-way ANOVA estimator (MSB − MSW)/n₀ for
 * balanced data; with crossed factors each is freed of the others' variance, which a separate one-way analysis
 * per factor is not (its within-level mean square holds the other factors' variance). θ_g = σ̂_g/σ̂, kept within
 * [MIN_START, MAX_START]: θ = 0 is a stationary point of the deviance (a saddle of its sign symmetry), so the
 * optimiser must not start there. The optimum does not depend on the start; only the path does. Factors nested
 * in one another are not separable by the backfit; ./start-nested.ts replaces their estimates by a nested
 * analysis of variance.
 */
import type { DesignBuffers } from "../design/types.js";
import { thetaStart } from "../design/types.js";
import { choleskyInPlace, choleskySolveInPlace } from "../linalg/cholesky.js";
import { correctNested, nesting } from "./start-nested.js";

/**
 * Smallest and largest starting θ of an intercept term. The floor keeps the start off the saddle at 0 yet below
 * the small components large data sets resolve (InstEval's departments: θ̂ = 0.071; a floor of 0.1 cost three
 * Newton steps there).
 */
export const MIN_START = 0.05;
export const MAX_START = 10;

/** Backfitting sweeps over the factors (Gauss–Seidel on their level means); a start needs no more. */
const SWEEPS = 4;

/** The starting θ (lme4's order) for the design, see above. */
/**
 * residuals, when given, are y − Xβ̂ from a least-squares fit already made (the response reduction of
 * ./response-reduction.ts keeps exactly that as the engine's response): copied, not recomputed.
 */
export function momentStart(buffers: DesignBuffers, residuals?: Float64Array): Float64Array {
  const start = thetaStart(buffers);
  const interceptTerms = buffers.terms.map((t, i) => ({ t, i })).filter(({ t }) => t.p === 1 && allOnes(t.z));
  if (interceptTerms.length === 0) return start;
  const e =
    residuals && residuals.length === buffers.n ? Float64Array.from(residuals) : olsResiduals(buffers);
  if (!e) return start;
  const n = buffers.n;
  const factors = interceptTerms.map(({ t }) => levelCounts(t.refs, t.nlevels, n));
  const refs = interceptTerms.map(({ t }) => t.refs);
  const nest = nesting(refs, factors);
  let parameters = 1;
  for (const f of factors) parameters += f.levels - 1;
  // A factor with another nested in it adds no column the inner one does not span.
  factors.forEach((f, k) => {
    if ((nest.inner[k] as unknown[]).length > 0) parameters -= f.levels - 1;
  });
  if (factors.some((f) => f.levels < 2) || n - parameters < 1) return start;
  // Level effects by backfitting: each factor's effects are the level means of what the others leave.
  const effects = factors.map((f) => new Float64Array(f.count.length));
  for (let sweep = 0; sweep < SWEEPS; sweep++)
    for (let k = 0; k < interceptTerms.length; k++)
      backfitFactor(
        refs[k] as Int32Array,
        (factors[k] as { count: Float64Array }).count,
        effects[k] as Float64Array,
        e,
      );
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (e[i] as number) ** 2;
  const sigma2 = rss / (n - parameters);
  if (!(sigma2 > 0)) return start;
  const variances = interceptTerms.map((_, k) => {
    const f = factors[k] as { count: Float64Array; levels: number };
    const a = effects[k] as Float64Array;
    let mean = 0;
    for (let l = 0; l < a.length; l++) if ((f.count[l] as number) > 0) mean += (a[l] as number) / f.levels;
    let spread = 0;
    let noise = 0;
    for (let l = 0; l < a.length; l++) {
      const c = f.count[l] as number;
      if (c === 0) continue;
      spread += ((a[l] as number) - mean) ** 2;
      noise += 1 / c;
    }
    // The estimated effects vary by σ²_g plus their own sampling variance σ²/n_ℓ.
    return spread / (f.levels - 1) - (sigma2 * noise) / f.levels;
  });
  // Factors nested in others (InstEval's lecturers in departments, star's teachers and students in schools): their
  // effects are not separable, so the backfit splits them arbitrarily; a nested analysis of variance of the level
  // totals replaces the estimates of every factor involved.
  correctNested(nest, factors, effects, variances, sigma2);
  const offset = thetaOffsets(buffers);
  interceptTerms.forEach(({ i }, k) => {
    const ratio = Math.max(0, variances[k] as number) / sigma2;
    start[offset[i] as number] = Math.min(MAX_START, Math.max(MIN_START, Math.sqrt(ratio)));
  });
  return start;
}

/**
 * One backfitting step for one factor: its effects a become the level means of e + a, and e (y − Xβ̂ − Σ effects)
 * swaps the old effects for the new. The mean of each level is divided out once, not per observation: the same
 * value, a third of the time. The passes over the observations are functions of their own (levelSums,
 * swapEffects): called per factor and sweep, each is optimised whole after its first calls, where loops inline in
 * momentStart (called once per fit) ran unoptimised, 2.5× slower, and several loops in one function were compiled on
 * the stack and dropped again at the next loop, not yet seen (--trace-deopt: 34 times over 16 fits of star).
 */
function backfitFactor(levelOf: Int32Array, count: Float64Array, a: Float64Array, e: Float64Array): void {
  const mean = levelSums(levelOf, a, e);
  for (let l = 0; l < a.length; l++) mean[l] = (mean[l] as number) / (count[l] as number);
  swapEffects(levelOf, a, mean, e);
  for (let l = 0; l < a.length; l++) if ((count[l] as number) > 0) a[l] = mean[l] as number;
}

/** The level sums of e + a. */
function levelSums(levelOf: Int32Array, a: Float64Array, e: Float64Array): Float64Array {
  const sum = new Float64Array(a.length);
  for (let i = 0; i < e.length; i++) {
    const l = levelOf[i] as number;
    sum[l] = (sum[l] as number) + (e[i] as number) + (a[l] as number);
  }
  return sum;
}

/** e += a − mean at each observation's level. */
function swapEffects(levelOf: Int32Array, a: Float64Array, mean: Float64Array, e: Float64Array): void {
  for (let i = 0; i < e.length; i++) {
    const l = levelOf[i] as number;
    e[i] = (e[i] as number) + (a[l] as number) - (mean[l] as number);
  }
}

/** Whether every entry is 1 (a loop: Array.prototype.every calls back per entry). */
function allOnes(z: Float64Array): boolean {
  for (let i = 0; i < z.length; i++) if (z[i] !== 1) return false;
  return true;
}

/** Observations per level and the number of levels observed. */
function levelCounts(refs: Int32Array, nlevels: number, n: number): { count: Float64Array; levels: number } {
  const count = new Float64Array(nlevels);
  for (let i = 0; i < n; i++) count[refs[i] as number] = (count[refs[i] as number] as number) + 1;
  let levels = 0;
  for (let l = 0; l < nlevels; l++) if ((count[l] as number) > 0) levels++;
  return { count, levels };
}

/** Position in θ of each term's first entry: each term holds its template's lower triangle. */
function thetaOffsets(buffers: Pick<DesignBuffers, "terms">): number[] {
  const offset: number[] = [];
  let k = 0;
  for (const t of buffers.terms) {
    offset.push(k);
    k += (t.p * (t.p + 1)) / 2;
  }
  return offset;
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
