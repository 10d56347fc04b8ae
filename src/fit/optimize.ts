/**
 * Minimisation of the profiled deviance over θ subject to lower bounds (docs/architecture.md, "The optimiser").
 *
 * The main path is a projected quasi-Newton method: BFGS (with Powell's damping, so concave stretches do not stall
 * it) on the variables that are free (not held at a bound by a gradient pushing outwards), a backtracking line
 * search along the projected path that extrapolates when a full step leaves the slope steep, and stopping rules
 * sized to the rounding noise of the deviance. With the analytic gradient it needs a few dozen evaluations where
 * lme4's derivative-free BOBYQA needs hundreds. When it fails (non-finite values, a line search that cannot
 * descend, too many iterations) a bounded Nelder–Mead search takes over from the best point seen, and the
 * quasi-Newton method then polishes its result. Convergence is judged as lme4's checkConv does (below).
 *
 * At scale (InstEval) f alone costs about half of f and ∇f, so options.valueOnlyTrials evaluates f alone at
 * the trial points that are likely to be rejected or only extrapolate, and the gradient only where a point is kept.
 *
 * fitDesign (fit.ts) calls this without bounds, exploiting the sign symmetry of θ's template columns.
 *
 * Everything one run needs is allocated once per call: the fit of small models is dominated by evaluations, and
 * these cost microseconds, so the optimiser itself must not allocate per iteration.
 */
import { backSolveTransposedInPlace, choleskyInPlace, gatherSubmatrix } from "../linalg/cholesky.js";
import {
  bfgsUpdate,
  firstOrderChange,
  markFree,
  multiplyAndQuadratic,
  projectedGradientNorm,
  projectedStep,
  solveFreeNewton,
  stepPair,
} from "./bfgs.js";
import { LME4_GRADIENT_TOLERANCE } from "./constants.js";
import { gradientDifferenceHessian, valueDifferenceHessian } from "./fd-hessian.js";
import { nelderMead } from "./nelder-mead.js";

export { nelderMead } from "./nelder-mead.js";

/** The function to minimise: returns f(x) and, when `grad` is given, fills it with ∇f(x). */
export type Objective = (x: Float64Array, grad: Float64Array | null) => number;

export interface OptimizeOptions {
  /** Lower bounds (−Infinity for free). */
  lower: Float64Array;
  /** Stop when the projected gradient's largest component is below gtol·max(1,|f|). Default 1e-9. */
  gtol?: number;
  /**
   * Stop when an iteration lowers f by less than ftol·max(1,|f|) twice in a row. Default 1e-11: the profiled
   * deviance is a sum of logs over n observations and is only accurate to about 1e-12 relative, so asking for more
   * only chases rounding noise.
   */
  ftol?: number;
  /**
   * Stop when the decrease the quasi-Newton model predicts for the next step, −gᵀd/2, is below
   * pdtol·max(1,|f|). Default 1e-10: on the conformance models this stops within 1e-8 of the optimum and
   * saves the last few polishing evaluations.
   */
  pdtol?: number;
  /**
   * Declare convergence only when lme4's gradient check (each component the smaller of |g_i| and its
   * Hessian-scaled value) is below this. Default 2e-3, lme4's tolerance.
   */
  convergedTol?: number;
  /**
   * Evaluate f alone (the objective called with grad = null) at trial points that are likely to be rejected or
   * only extrapolate: the shorter trials after a rejected one, a first trial far longer than the last accepted
   * step, and the doubling steps of the extrapolation (judged by secants), computing the gradient only at the
   * point kept. Worth it where f alone costs much less than f and ∇f (about half on InstEval: 57 against
   * 115 ms); where both cost microseconds the all-gradient path, which is what the conformance suite pins, is
   * as fast. Default false.
   */
  valueOnlyTrials?: boolean;
  /**
   * Start the quasi-Newton method from a Hessian estimated by forward differences of the gradient (n more
   * gradient evaluations) instead of the identity. Worth it where evaluations are expensive and the start is good
   * (InstEval: a few Newton steps from a moment-based start instead of a dozen BFGS steps learning the scale of
   * θ first); where they cost microseconds the identity start, which the conformance suite pins, is as fast.
   * With valueOnlyTrials part of it comes from values of f alone (see gradientColumnsOfHessian). Default false.
   */
  finiteDifferenceHessian?: boolean;
  /** Cap on function evaluations over all phases. Default 2000. */
  maxEvaluations?: number;
}

export interface OptimizeResult {
  x: Float64Array;
  f: number;
  /** Evaluations of f, with or without the gradient. */
  evaluations: number;
  /**
   * How many of them also computed the gradient. The rest evaluated f alone (trial points likely to be rejected,
   * extrapolation, Nelder–Mead), which at scale cost about half as much.
   */
  gradientEvaluations: number;
  /** Largest component of the projected gradient at x. */
  gradientNorm: number;
  /** ∇f at x. */
  gradient: Float64Array;
  converged: boolean;
  /** Which path produced x: "quasi-newton", or "nelder-mead+quasi-newton" after a fallback. */
  method: string;
  message: string;
}

/**
 * A first trial step more than this many times longer (largest component) than the last accepted step is
 * evaluated for f alone: such a jump (a quasi-Newton model misled by a concave stretch) is usually rejected, and
 * f alone costs about half of f and ∇f at scale (InstEval).
 */
const LONG_STEP_RATIO = 4;

/**
 * With valueOnlyTrials (f alone about half the cost of f and ∇f), how many columns of the starting Hessian come
 * from gradients, the rest from values of f (fd-hessian.ts, valueDifferenceHessian): the k that minimises
 * k + ½·(n−k)(n−k+1)/2, the smallest on a tie. n = 2: none (3 values instead of 2 gradients, InstEval's ML model);
 * n = 3: one (a gradient and 3 values instead of 3 gradients, the 3-crossed REML model); n ≥ 8 would save
 * nothing against n gradients and keeps them all.
 */
function gradientColumnsOfHessian(n: number): number {
  let best = n;
  let cost = n;
  for (let k = 0; k < n; k++) {
    const c = k + ((n - k) * (n - k + 1)) / 4;
    if (c < cost) {
      cost = c;
      best = k;
    }
  }
  return best;
}

class EvaluationBudgetExceeded extends Error {}

/** The options with their defaults filled in. */
type OptimizerSettings = Required<OptimizeOptions>;

/** Fill in the defaults (documented at OptimizeOptions). */
function settingsOf(options: OptimizeOptions): OptimizerSettings {
  return {
    lower: options.lower,
    gtol: options.gtol ?? 1e-9,
    ftol: options.ftol ?? 1e-11,
    pdtol: options.pdtol ?? 1e-10,
    convergedTol: options.convergedTol ?? LME4_GRADIENT_TOLERANCE,
    valueOnlyTrials: options.valueOnlyTrials ?? false,
    finiteDifferenceHessian: options.finiteDifferenceHessian ?? false,
    maxEvaluations: options.maxEvaluations ?? 2000,
  };
}

interface QuasiNewtonOutcome {
  f: number;
  ok: boolean;
  reason: string;
}

/**
 * Projected BFGS. Works in place on `x` (feasible on entry) and `g`; B is the Hessian approximation (n×n,
 * row-major) maintained across iterations; the work arrays are passed in so nothing is allocated here.
 */
function quasiNewton(
  fg: (x: Float64Array, g: Float64Array | null) => number,
  x: Float64Array,
  g: Float64Array,
  settings: OptimizerSettings,
  work: {
    B: Float64Array;
    chol: Float64Array;
    d: Float64Array;
    xt: Float64Array;
    gt: Float64Array;
    s: Float64Array;
    yv: Float64Array;
    Bs: Float64Array;
    free: Uint8Array;
    x2: Float64Array;
    g2: Float64Array;
    sums: Float64Array;
  },
): QuasiNewtonOutcome {
  const { lower, gtol, ftol, pdtol, convergedTol, valueOnlyTrials, finiteDifferenceHessian } = settings;
  const n = x.length;
  const { B, chol, d, xt, gt, s, yv, Bs, free, sums } = work;
  let f = fg(x, g);
  if (!Number.isFinite(f)) return { f, ok: false, reason: "objective not finite at the starting point" };
  B.fill(0);
  for (let i = 0; i < n; i++) B[i * n + i] = 1;
  let scaled = false;
  if (finiteDifferenceHessian && n > 0)
    scaled = finiteDifferenceHessianInto(
      fg,
      x,
      f,
      g,
      B,
      work,
      valueOnlyTrials ? gradientColumnsOfHessian(n) : n,
    );
  let smallSteps = 0;
  // Largest component of the last accepted step (0 before the first).
  let lastStep = 0;
  for (let iter = 0; iter < 500; iter++) {
    if (projectedGradientNorm(x, g, lower) <= gtol * Math.max(1, Math.abs(f)))
      return { f, ok: true, reason: "projected gradient below tolerance" };
    markFree(x, g, lower, free);
    if (!solveFreeNewton(B, g, free, n, chol, d)) {
      // B restricted to the free set lost positive definiteness: restart from the scaled identity.
      B.fill(0);
      for (let i = 0; i < n; i++) B[i * n + i] = 1;
      scaled = false;
      for (let i = 0; i < n; i++) d[i] = free[i] ? -(g[i] as number) : 0;
    }
    let slope = 0;
    let dmax = 0;
    for (let i = 0; i < n; i++) {
      slope += (g[i] as number) * (d[i] as number);
      dmax = Math.max(dmax, Math.abs(d[i] as number));
    }
    if (!(slope < 0)) {
      for (let i = 0; i < n; i++) d[i] = free[i] ? -(g[i] as number) : 0;
      B.fill(0);
      for (let i = 0; i < n; i++) B[i * n + i] = 1;
      scaled = false;
      slope = 0;
      dmax = 0;
      for (let i = 0; i < n; i++) {
        slope += (g[i] as number) * (d[i] as number);
        dmax = Math.max(dmax, Math.abs(d[i] as number));
      }
    }
    // Once B carries curvature information, −gᵀd/2 is the decrease the quadratic model predicts for the full
    // step: when that is below the objective's accuracy, further steps only chase rounding noise.
    // lme4's gradient check must agree: on a badly scaled problem (InstEval's REML fit, where one θ is 1000×
    // flatter than another) the quadratic model can predict a tiny decrease while the flat direction is still far
    // from converged; then keep stepping so B learns that curvature. d is live here, so x2 serves as scratch.
    if (
      scaled &&
      -slope / 2 <= pdtol * Math.max(1, Math.abs(f)) &&
      lme4GradientCheck(x, g, lower, { B, chol, d: work.x2, free }) <= convergedTol
    )
      return { f, ok: true, reason: "predicted decrease below tolerance" };
    // Before B carries curvature information, keep the first step to a modest move in θ (θ is O(1)).
    let alpha = scaled ? 1 : Math.min(1, 0.5 / dmax);
    const longStep = lastStep > 0 && alpha * dmax > LONG_STEP_RATIO * lastStep;
    let accepted = false;
    let ft = Number.NaN;
    for (let ls = 0; ls < 40; ls++) {
      if (!projectedStep(x, d, alpha, lower, xt)) break;
      const decrease = firstOrderChange(g, x, xt);
      // Trials likely to be rejected are evaluated for f alone (about half the cost of f and ∇f at scale),
      // the gradient only once one is accepted: the shorter trials after a rejection (the first one's failure
      // says the model is off along d), and a first trial far longer than the last accepted step. An accepted
      // full step keeps its gradient from the one evaluation.
      const valueOnly = valueOnlyTrials && (ls > 0 || longStep);
      ft = fg(xt, valueOnly ? null : gt);
      // Armijo condition on the projected step (the predicted decrease gᵀ(x_t − x) is negative for a descent path).
      if (Number.isFinite(ft) && ft <= f + 1e-4 * decrease) {
        accepted = true;
        if (valueOnly) ft = fg(xt, gt);
        // A full first step that leaves the slope along d nearly as steep as it was (the curvature condition of
        // Wolfe fails) means the model underestimates how far to go, typically where f is concave along d: try
        // longer steps while they keep lowering f, so flat directions are crossed in a few evaluations.
        if (ls === 0)
          ft = valueOnlyTrials
            ? expandStepByValues(fg, x, d, lower, slope, alpha, ft, xt, gt, work.x2)
            : expandStep(fg, x, d, lower, slope, alpha, ft, xt, gt, work.x2, work.g2);
        break;
      }
      // Near the minimum f changes by less than its rounding noise: a trial that is no worse within that noise
      // and has a smaller gradient is progress (otherwise the search backtracks forever on noise).
      if (Number.isFinite(ft) && ft - f <= 1e-10 * Math.max(1, Math.abs(f))) {
        if (valueOnly) ft = fg(xt, gt);
        if (projectedGradientNorm(xt, gt, lower) < projectedGradientNorm(x, g, lower)) {
          accepted = true;
          break;
        }
      }
      // Quadratic interpolation on the straight part of the path, safeguarded to [0.1α, 0.5α].
      let next = 0.5 * alpha;
      if (Number.isFinite(ft) && decrease < 0) {
        const q = (-decrease * alpha) / (2 * (ft - f - decrease));
        if (q > 0.1 * alpha && q < 0.5 * alpha) next = q;
      } else if (!Number.isFinite(ft)) next = 0.1 * alpha;
      alpha = next;
    }
    if (!accepted) {
      const pg = projectedGradientNorm(x, g, lower);
      return {
        f,
        ok: false,
        reason: `line search could not lower the objective (projected gradient ${pg.toExponential(2)})`,
      };
    }
    stepPair(x, xt, g, gt, s, yv, sums);
    lastStep = 0;
    for (let i = 0; i < n; i++) lastStep = Math.max(lastStep, Math.abs(s[i] as number));
    let sy = sums[0] as number;
    const ss = sums[1] as number;
    const yy = sums[2] as number;
    const fOld = f;
    f = ft;
    x.set(xt);
    g.set(gt);
    // BFGS update of B with Powell's damping: where sᵀy is small or negative (f not convex along s) the pair is
    // blended with Bs so that sᵀr = 0.2 sᵀBs > 0. B stays positive definite and its curvature along s shrinks, so
    // the next steps along a concave stretch get longer instead of staying stuck at the old scale.
    if (ss > 0 && yy > 0) {
      if (!scaled && sy > 0) {
        // Shanno–Phua: start B at the scale of the observed curvature.
        const gamma = yy / sy;
        B.fill(0);
        for (let i = 0; i < n; i++) B[i * n + i] = gamma;
        scaled = true;
      }
      const sBs = multiplyAndQuadratic(B, n, s, Bs);
      if (sBs > 0) {
        if (sy < 0.2 * sBs) {
          const t = (0.8 * sBs) / (sBs - sy);
          for (let i = 0; i < n; i++) yv[i] = t * (yv[i] as number) + (1 - t) * (Bs[i] as number);
          sy = 0.2 * sBs;
        }
        bfgsUpdate(B, n, Bs, sBs, yv, sy);
      }
    }
    if (fOld - f <= ftol * Math.max(1, Math.abs(f))) {
      smallSteps++;
      if (smallSteps >= 2) return { f, ok: true, reason: "objective stopped decreasing" };
    } else smallSteps = 0;
  }
  return { f, ok: false, reason: "iteration limit reached" };
}

/**
 * B ← the Hessian at x by forward differences of the gradient, column j from a step h_j = 10⁻³·max(|x_j|, 0.05)
 * along θ_j, symmetrised; or, when fewer than n `gradientColumns` are asked for (f alone cheaper than f and ∇f),
 * those columns from gradients and the rest from values of f (fd-hessian.ts, valueDifferenceHessian) with steps
 * twice as wide (the values' rounding error grows as 1/h², not 1/h). Returns false, leaving B as it was, when a
 * difference is not finite or the estimate is not positive definite (then the identity start serves better).
 * f and g are f(x) and ∇f(x).
 */
function finiteDifferenceHessianInto(
  fg: (x: Float64Array, g: Float64Array | null) => number,
  x: Float64Array,
  f: number,
  g: Float64Array,
  B: Float64Array,
  work: { xt: Float64Array; gt: Float64Array; chol: Float64Array },
  gradientColumns: number,
): boolean {
  const n = x.length;
  const { chol } = work;
  const H = new Float64Array(n * n);
  const ok =
    gradientColumns < n
      ? valueDifferenceHessian(
          (xx) => fg(xx, null),
          x,
          f,
          g,
          H,
          (j) => 2e-3 * Math.max(Math.abs(x[j] as number), 0.05),
          { columns: gradientColumns, at: (xx, gg) => fg(xx, gg) },
        )
      : gradientDifferenceHessian((xx, gg) => fg(xx, gg), x, H, {
          scheme: "forward",
          g0: g,
          step: (j) => 1e-3 * Math.max(Math.abs(x[j] as number), 0.05),
        });
  if (!ok) return false;
  chol.set(H);
  if (choleskyInPlace(chol, n) >= 0) return false;
  B.set(H);
  return true;
}

/**
 * Extrapolation after an accepted full step: double α while the directional derivative at the trial point is
 * still below 0.9 of the starting slope (Wolfe's curvature condition fails) and f keeps decreasing. Leaves the
 * best point in xt/gt and returns its f. x2/g2 are scratch.
 */
function expandStep(
  fg: (x: Float64Array, g: Float64Array | null) => number,
  x: Float64Array,
  d: Float64Array,
  lower: Float64Array,
  slope: number,
  alpha: number,
  ft: number,
  xt: Float64Array,
  gt: Float64Array,
  x2: Float64Array,
  g2: Float64Array,
): number {
  const n = x.length;
  let best = ft;
  let a = alpha;
  for (let k = 0; k < 10; k++) {
    let dirDeriv = 0;
    for (let i = 0; i < n; i++) dirDeriv += (gt[i] as number) * (d[i] as number);
    if (!(dirDeriv < 0.9 * slope)) break;
    a *= 2;
    projectedStep(x, d, a, lower, x2);
    const f2 = fg(x2, g2);
    if (!(Number.isFinite(f2) && f2 < best)) break;
    best = f2;
    xt.set(x2);
    gt.set(g2);
  }
  return best;
}

/**
 * expandStep with f alone at the longer trials (options.valueOnlyTrials): while the directional derivative at
 * the trial point is still below 0.9 of the starting slope (Wolfe's curvature condition fails), double α as long
 * as f keeps decreasing. The longer trials evaluate f alone, judging the slope by the secant over the last
 * doubling, and the gradient is computed once, at the point finally kept. Leaves that point in xt/gt and returns its f. x2 is scratch.
 */
function expandStepByValues(
  fg: (x: Float64Array, g: Float64Array | null) => number,
  x: Float64Array,
  d: Float64Array,
  lower: Float64Array,
  slope: number,
  alpha: number,
  ft: number,
  xt: Float64Array,
  gt: Float64Array,
  x2: Float64Array,
): number {
  const n = x.length;
  let dirDeriv = 0;
  for (let i = 0; i < n; i++) dirDeriv += (gt[i] as number) * (d[i] as number);
  if (!(dirDeriv < 0.9 * slope)) return ft;
  let best = ft;
  let a = alpha;
  let moved = false;
  for (let k = 0; k < 10; k++) {
    const next = 2 * a;
    projectedStep(x, d, next, lower, x2);
    const f2 = fg(x2, null);
    if (!(Number.isFinite(f2) && f2 < best)) break;
    const secant = (f2 - best) / (next - a);
    best = f2;
    a = next;
    xt.set(x2);
    moved = true;
    if (!(secant < 0.9 * slope)) break;
  }
  return moved ? fg(xt, gt) : best;
}

/**
 * lme4's convergence check (checkConv): with H = RᵀR the Hessian, each component of the gradient counts by the
 * smaller of |g_i| and |(R⁻¹ g)_i|, so a large gradient along a direction where f is nearly flat (large n makes
 * the deviance's gradient large in absolute terms) is not mistaken for a failure. H here is the quasi-Newton
 * approximation B on the free variables; without a usable B it falls back to |g|.
 */
function lme4GradientCheck(
  x: Float64Array,
  g: Float64Array,
  lower: Float64Array,
  work: { B: Float64Array; chol: Float64Array; d: Float64Array; free: Uint8Array },
): number {
  const n = x.length;
  const { B, chol, free } = work;
  const nFree = markFree(x, g, lower, free);
  const raw = projectedGradientNorm(x, g, lower);
  if (nFree === 0) return raw;
  // chol ← L with L Lᵀ = B_FF (so R = Lᵀ).
  gatherSubmatrix(B, n, free, chol);
  if (choleskyInPlace(chol, nFree) >= 0) return raw;
  // lme4 uses solve(chol(H), g) = R⁻¹ g with R = Lᵀ upper triangular: back substitution on the packed g_F.
  const z = work.d;
  let k = 0;
  for (let i = 0; i < n; i++) if (free[i]) z[k++] = g[i] as number;
  backSolveTransposedInPlace(chol, nFree, z);
  let worst = 0;
  k = 0;
  for (let i = 0; i < n; i++) {
    if (!free[i]) continue;
    worst = Math.max(worst, Math.min(Math.abs(z[k] as number), Math.abs(g[i] as number)));
    k++;
  }
  return Number.isFinite(worst) ? worst : raw;
}

/** Minimise `fn` from `x0` subject to x ≥ lower. */
export function minimizeBounded(fn: Objective, x0: Float64Array, options: OptimizeOptions): OptimizeResult {
  return new BoundedOptimizer(options).minimize(fn, x0);
}

/**
 * The optimiser as an object: its options (named, see OptimizeOptions) fixed once, then `minimize` as often as
 * needed (each call allocates its own work arrays, so one optimiser can serve several problems).
 */
export class BoundedOptimizer {
  readonly settings: Readonly<OptimizerSettings>;

  constructor(options: OptimizeOptions) {
    this.settings = settingsOf(options);
  }

  /** Minimise `fn` from `x0` subject to x ≥ lower. */
  minimize(fn: Objective, x0: Float64Array): OptimizeResult {
    return minimizeWith(fn, x0, this.settings);
  }
}

function minimizeWith(fn: Objective, x0: Float64Array, settings: OptimizerSettings): OptimizeResult {
  const n = x0.length;
  const { lower, convergedTol, maxEvaluations } = settings;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.max(x0[i] as number, lower[i] as number);
  const g = new Float64Array(n);
  // The best point seen over all phases, so a failure never returns something worse than what was reached.
  const bestX = Float64Array.from(x);
  const bestG = new Float64Array(n);
  let bestHasGradient = false;
  let bestF = Number.POSITIVE_INFINITY;
  let evaluations = 0;
  let gradientEvaluations = 0;
  const fg = (xx: Float64Array, gg: Float64Array | null): number => {
    if (evaluations >= maxEvaluations) throw new EvaluationBudgetExceeded();
    evaluations++;
    if (gg) gradientEvaluations++;
    const v = fn(xx, gg);
    // A gradient evaluation at the best point (seen before as a value alone) supplies its gradient.
    if (v < bestF || (gg !== null && !bestHasGradient && v === bestF)) {
      bestF = v;
      bestX.set(xx);
      bestHasGradient = gg !== null;
      if (gg) bestG.set(gg);
    }
    return v;
  };
  const work = {
    B: new Float64Array(n * n),
    chol: new Float64Array(n * n),
    d: new Float64Array(n),
    xt: new Float64Array(n),
    gt: new Float64Array(n),
    s: new Float64Array(n),
    yv: new Float64Array(n),
    Bs: new Float64Array(n),
    free: new Uint8Array(n),
    x2: new Float64Array(n),
    g2: new Float64Array(n),
    sums: new Float64Array(3),
  };
  const finish = (method: string, note: string): OptimizeResult => {
    // Report at the best point, with its gradient (one extra evaluation only when x is not that point).
    let f = bestF;
    x.set(bestX);
    if (bestHasGradient && Number.isFinite(f)) g.set(bestG);
    else {
      evaluations++;
      gradientEvaluations++;
      f = fn(x, g);
    }
    const gradientNorm = projectedGradientNorm(x, g, lower);
    const checked = lme4GradientCheck(x, g, lower, work);
    const converged = Number.isFinite(f) && checked <= convergedTol;
    const message = converged ? note : `${note} (max|grad| ${checked.toExponential(3)}, tol ${convergedTol})`;
    return { x, f, evaluations, gradientEvaluations, gradientNorm, gradient: g, converged, method, message };
  };

  let outcome: QuasiNewtonOutcome;
  try {
    outcome = quasiNewton(fg, x, g, settings, work);
  } catch (error) {
    if (!(error instanceof EvaluationBudgetExceeded)) throw error;
    outcome = { f: bestF, ok: false, reason: "evaluation limit reached" };
  }
  if (outcome.ok && Number.isFinite(outcome.f)) return finish("quasi-newton", outcome.reason);
  // A line search that fails where the gradient is already small has hit the rounding noise of f: that is
  // convergence, not failure.
  const pgAtFailure = Number.isFinite(outcome.f)
    ? projectedGradientNorm(x, g, lower)
    : Number.POSITIVE_INFINITY;
  if (pgAtFailure <= convergedTol)
    return finish("quasi-newton", "converged to the rounding noise of the objective");

  // Fallback: derivative-free search from the best point, then quasi-Newton again to polish.
  x.set(bestX);
  try {
    nelderMead((xx) => fg(xx, null), x, lower, {
      maxEvaluations: Math.max(0, maxEvaluations - evaluations - 50),
    });
    x.set(bestX);
    outcome = quasiNewton(fg, x, g, settings, work);
  } catch (error) {
    if (!(error instanceof EvaluationBudgetExceeded)) throw error;
    outcome = { f: bestF, ok: false, reason: "evaluation limit reached" };
  }
  return finish("nelder-mead+quasi-newton", outcome.reason);
}
