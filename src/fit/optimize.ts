/**
 * Minimisation of the profiled deviance over θ subject to lower bounds (DESIGN.md §5).
 *
 * The main path is a projected quasi-Newton method: BFGS (with Powell's damping, so concave stretches do not stall
 * it) on the variables that are free (not held at a bound by a gradient pushing outwards), a backtracking line
 * search along the projected path that extrapolates when a full step leaves the slope steep, and stopping rules
 * sized to the rounding noise of the deviance. With the analytic gradient it needs a few dozen evaluations where
 * lme4's derivative-free BOBYQA needs hundreds. When it fails (non-finite values, a line search that cannot
 * descend, too many iterations) a bounded Nelder–Mead search takes over from the best point seen, and the
 * quasi-Newton method then polishes its result. Convergence is judged as lme4's checkConv does (below).
 *
 * fitDesign (fit.ts) calls this without bounds, exploiting the sign symmetry of θ's template columns.
 *
 * Everything one run needs is allocated once per call: the fit of small models is dominated by evaluations, and
 * these cost microseconds, so the optimiser itself must not allocate per iteration.
 */

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
  /** Cap on function evaluations over all phases. Default 2000. */
  maxEvaluations?: number;
}

export interface OptimizeResult {
  x: Float64Array;
  f: number;
  /** Evaluations of f (each quasi-Newton evaluation also computes the gradient). */
  evaluations: number;
  /** Largest component of the projected gradient at x. */
  gradientNorm: number;
  /** ∇f at x. */
  gradient: Float64Array;
  converged: boolean;
  /** Which path produced x: "quasi-newton", or "nelder-mead+quasi-newton" after a fallback. */
  method: string;
  message: string;
}

/** Largest component of the projected gradient: components held at a bound by an outward gradient count 0. */
function projectedGradientNorm(x: Float64Array, g: Float64Array, lower: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const gi = g[i] as number;
    // At the bound a positive gradient points out of the feasible set: moving is impossible, so it is stationary.
    const v = (x[i] as number) <= (lower[i] as number) && gi > 0 ? 0 : Math.abs(gi);
    if (v > m || Number.isNaN(v)) m = Number.isNaN(v) ? Number.POSITIVE_INFINITY : v;
  }
  return m;
}

class EvaluationBudgetExceeded extends Error {}

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
  fg: (x: Float64Array, g: Float64Array) => number,
  x: Float64Array,
  g: Float64Array,
  lower: Float64Array,
  gtol: number,
  ftol: number,
  pdtol: number,
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
  },
): QuasiNewtonOutcome {
  const n = x.length;
  const { B, chol, d, xt, gt, s, yv, Bs, free } = work;
  let f = fg(x, g);
  if (!Number.isFinite(f)) return { f, ok: false, reason: "objective not finite at the starting point" };
  B.fill(0);
  for (let i = 0; i < n; i++) B[i * n + i] = 1;
  let scaled = false;
  let smallSteps = 0;
  for (let iter = 0; iter < 500; iter++) {
    if (projectedGradientNorm(x, g, lower) <= gtol * Math.max(1, Math.abs(f)))
      return { f, ok: true, reason: "projected gradient below tolerance" };
    // Free variables: not at a bound, or at a bound with the gradient pointing inwards.
    let nFree = 0;
    for (let i = 0; i < n; i++) {
      const atBound = (x[i] as number) <= (lower[i] as number);
      free[i] = atBound && (g[i] as number) > 0 ? 0 : 1;
      nFree += free[i] as number;
    }
    if (!solveFreeNewton(B, g, free, nFree, n, chol, d)) {
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
    if (scaled && -slope / 2 <= pdtol * Math.max(1, Math.abs(f)))
      return { f, ok: true, reason: "predicted decrease below tolerance" };
    // Before B carries curvature information, keep the first step to a modest move in θ (θ is O(1)).
    let alpha = scaled ? 1 : Math.min(1, 0.5 / dmax);
    let accepted = false;
    let ft = Number.NaN;
    for (let ls = 0; ls < 40; ls++) {
      let moved = false;
      let decrease = 0;
      for (let i = 0; i < n; i++) {
        let v = (x[i] as number) + alpha * (d[i] as number);
        if (v < (lower[i] as number)) v = lower[i] as number;
        xt[i] = v;
        if (v !== x[i]) moved = true;
        decrease += (g[i] as number) * (v - (x[i] as number));
      }
      if (!moved) break;
      ft = fg(xt, gt);
      // Armijo condition on the projected step (the predicted decrease gᵀ(x_t − x) is negative for a descent path).
      if (Number.isFinite(ft) && ft <= f + 1e-4 * decrease) {
        accepted = true;
        // A full first step that leaves the slope along d nearly as steep as it was (the curvature condition of
        // Wolfe fails) means the model underestimates how far to go, typically where f is concave along d: try
        // longer steps while they keep lowering f, so flat directions are crossed in a few evaluations.
        if (ls === 0) ft = expandStep(fg, x, d, lower, slope, alpha, ft, xt, gt, work.x2, work.g2);
        break;
      }
      // Near the minimum f changes by less than its rounding noise: a trial that is no worse within that noise
      // and has a smaller gradient is progress (otherwise the search backtracks forever on noise).
      if (
        Number.isFinite(ft) &&
        ft - f <= 1e-10 * Math.max(1, Math.abs(f)) &&
        projectedGradientNorm(xt, gt, lower) < projectedGradientNorm(x, g, lower)
      ) {
        accepted = true;
        break;
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
    let sy = 0;
    let ss = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = (xt[i] as number) - (x[i] as number);
      yv[i] = (gt[i] as number) - (g[i] as number);
      sy += (s[i] as number) * (yv[i] as number);
      ss += (s[i] as number) ** 2;
      yy += (yv[i] as number) ** 2;
    }
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
      let sBs = 0;
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let j = 0; j < n; j++) v += (B[i * n + j] as number) * (s[j] as number);
        Bs[i] = v;
        sBs += (s[i] as number) * v;
      }
      if (sBs > 0) {
        if (sy < 0.2 * sBs) {
          const t = (0.8 * sBs) / (sBs - sy);
          for (let i = 0; i < n; i++) yv[i] = t * (yv[i] as number) + (1 - t) * (Bs[i] as number);
          sy = 0.2 * sBs;
        }
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++)
            B[i * n + j] =
              (B[i * n + j] as number) -
              ((Bs[i] as number) * (Bs[j] as number)) / sBs +
              ((yv[i] as number) * (yv[j] as number)) / sy;
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
 * Extrapolation after an accepted full step: double α while the directional derivative at the trial point is
 * still below 0.9 of the starting slope (Wolfe's curvature condition fails) and f keeps decreasing. Leaves the
 * best point in xt/gt and returns its f. x2/g2 are scratch.
 */
function expandStep(
  fg: (x: Float64Array, g: Float64Array) => number,
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
    for (let i = 0; i < n; i++) {
      const v = (x[i] as number) + a * (d[i] as number);
      x2[i] = Math.max(v, lower[i] as number);
    }
    const f2 = fg(x2, g2);
    if (!(Number.isFinite(f2) && f2 < best)) break;
    best = f2;
    xt.set(x2);
    gt.set(g2);
  }
  return best;
}

/** d_F = −B_FF⁻¹ g_F by Cholesky of B restricted to the free set (d = 0 elsewhere). False if B_FF is not PD. */
function solveFreeNewton(
  B: Float64Array,
  g: Float64Array,
  free: Uint8Array,
  nFree: number,
  n: number,
  chol: Float64Array,
  d: Float64Array,
): boolean {
  // Pack B_FF into chol (nFree×nFree), factor in place, solve; d uses the free positions.
  let a = 0;
  for (let i = 0; i < n; i++) {
    if (!free[i]) continue;
    let b = 0;
    for (let j = 0; j < n; j++) {
      if (!free[j]) continue;
      chol[a * nFree + b] = B[i * n + j] as number;
      b++;
    }
    a++;
  }
  for (let j = 0; j < nFree; j++) {
    let djj = chol[j * nFree + j] as number;
    for (let k = 0; k < j; k++) djj -= (chol[j * nFree + k] as number) ** 2;
    if (!(djj > 0)) return false;
    const ljj = Math.sqrt(djj);
    chol[j * nFree + j] = ljj;
    for (let i = j + 1; i < nFree; i++) {
      let v = chol[i * nFree + j] as number;
      for (let k = 0; k < j; k++) v -= (chol[i * nFree + k] as number) * (chol[j * nFree + k] as number);
      chol[i * nFree + j] = v / ljj;
    }
  }
  // Forward then backward substitution, reading −g_F and writing the packed result into d's free slots.
  d.fill(0);
  let k = 0;
  for (let i = 0; i < n; i++) if (free[i]) d[k++] = -(g[i] as number);
  for (let i = 0; i < nFree; i++) {
    let v = d[i] as number;
    for (let j = 0; j < i; j++) v -= (chol[i * nFree + j] as number) * (d[j] as number);
    d[i] = v / (chol[i * nFree + i] as number);
  }
  for (let i = nFree - 1; i >= 0; i--) {
    let v = d[i] as number;
    for (let j = i + 1; j < nFree; j++) v -= (chol[j * nFree + i] as number) * (d[j] as number);
    d[i] = v / (chol[i * nFree + i] as number);
  }
  // Unpack from the back so the packed values are read before they are overwritten.
  k = nFree - 1;
  for (let i = n - 1; i >= 0; i--) d[i] = free[i] ? (d[k--] as number) : 0;
  return true;
}

/**
 * Bounded Nelder–Mead (points are projected onto the bounds). Slow but needs only values: the fallback when the
 * gradient path fails. Works in place on x.
 */
export function nelderMead(
  f: (x: Float64Array) => number,
  x: Float64Array,
  lower: Float64Array,
  options: { maxEvaluations?: number; xtol?: number; ftol?: number } = {},
): { f: number; evaluations: number } {
  const n = x.length;
  const maxEval = options.maxEvaluations ?? 200 * (n + 1);
  const xtol = options.xtol ?? 1e-8;
  const ftol = options.ftol ?? 1e-12;
  const pts: Float64Array[] = [];
  const vals = new Float64Array(n + 1);
  let evaluations = 0;
  const value = (p: Float64Array): number => {
    for (let i = 0; i < n; i++) if ((p[i] as number) < (lower[i] as number)) p[i] = lower[i] as number;
    evaluations++;
    const v = f(p);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  for (let k = 0; k <= n; k++) {
    const p = Float64Array.from(x);
    if (k > 0) {
      const i = k - 1;
      const step = 0.1 * Math.max(1, Math.abs(p[i] as number));
      // Step inwards from a bound so the simplex is not flat.
      p[i] = (p[i] as number) + step;
    }
    pts.push(p);
    vals[k] = value(p);
  }
  const order = Array.from({ length: n + 1 }, (_, i) => i);
  const centroid = new Float64Array(n);
  const xr = new Float64Array(n);
  const xe = new Float64Array(n);
  const xc = new Float64Array(n);
  while (evaluations < maxEval) {
    order.sort((a, b) => (vals[a] as number) - (vals[b] as number));
    const best = order[0] as number;
    const worst = order[n] as number;
    const second = order[n - 1] as number;
    let spread = 0;
    for (let k = 1; k <= n; k++) {
      const pk = pts[order[k] as number] as Float64Array;
      for (let i = 0; i < n; i++)
        spread = Math.max(spread, Math.abs((pk[i] as number) - ((pts[best] as Float64Array)[i] as number)));
    }
    if (
      spread < xtol ||
      Math.abs((vals[worst] as number) - (vals[best] as number)) <=
        ftol * Math.max(1, Math.abs(vals[best] as number))
    )
      break;
    centroid.fill(0);
    for (let k = 0; k < n; k++) {
      const pk = pts[order[k] as number] as Float64Array;
      for (let i = 0; i < n; i++) centroid[i] = (centroid[i] as number) + (pk[i] as number) / n;
    }
    const pw = pts[worst] as Float64Array;
    for (let i = 0; i < n; i++) xr[i] = 2 * (centroid[i] as number) - (pw[i] as number);
    const fr = value(xr);
    if (fr < (vals[best] as number)) {
      for (let i = 0; i < n; i++) xe[i] = 3 * (centroid[i] as number) - 2 * (pw[i] as number);
      const fe = value(xe);
      if (fe < fr) {
        pw.set(xe);
        vals[worst] = fe;
      } else {
        pw.set(xr);
        vals[worst] = fr;
      }
    } else if (fr < (vals[second] as number)) {
      pw.set(xr);
      vals[worst] = fr;
    } else {
      const outside = fr < (vals[worst] as number);
      for (let i = 0; i < n; i++)
        xc[i] = outside
          ? (centroid[i] as number) + 0.5 * ((xr[i] as number) - (centroid[i] as number))
          : (centroid[i] as number) + 0.5 * ((pw[i] as number) - (centroid[i] as number));
      const fc = value(xc);
      if (fc < Math.min(fr, vals[worst] as number)) {
        pw.set(xc);
        vals[worst] = fc;
      } else {
        // Shrink towards the best point.
        const pb = pts[best] as Float64Array;
        for (let k = 1; k <= n; k++) {
          const pk = pts[order[k] as number] as Float64Array;
          for (let i = 0; i < n; i++)
            pk[i] = (pb[i] as number) + 0.5 * ((pk[i] as number) - (pb[i] as number));
          vals[order[k] as number] = value(pk);
        }
      }
    }
  }
  let bestIdx = 0;
  for (let k = 1; k <= n; k++) if ((vals[k] as number) < (vals[bestIdx] as number)) bestIdx = k;
  x.set(pts[bestIdx] as Float64Array);
  return { f: vals[bestIdx] as number, evaluations };
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
  let nFree = 0;
  for (let i = 0; i < n; i++) {
    const atBound = (x[i] as number) <= (lower[i] as number) && (g[i] as number) > 0;
    free[i] = atBound ? 0 : 1;
    nFree += free[i] as number;
  }
  const raw = projectedGradientNorm(x, g, lower);
  if (nFree === 0) return raw;
  // chol ← L with L Lᵀ = B_FF (so R = Lᵀ).
  let a = 0;
  for (let i = 0; i < n; i++) {
    if (!free[i]) continue;
    let b = 0;
    for (let j = 0; j < n; j++) if (free[j]) chol[a * nFree + b++] = B[i * n + j] as number;
    a++;
  }
  for (let j = 0; j < nFree; j++) {
    let djj = chol[j * nFree + j] as number;
    for (let k = 0; k < j; k++) djj -= (chol[j * nFree + k] as number) ** 2;
    if (!(djj > 0)) return raw;
    const ljj = Math.sqrt(djj);
    chol[j * nFree + j] = ljj;
    for (let i = j + 1; i < nFree; i++) {
      let v = chol[i * nFree + j] as number;
      for (let k = 0; k < j; k++) v -= (chol[i * nFree + k] as number) * (chol[j * nFree + k] as number);
      chol[i * nFree + j] = v / ljj;
    }
  }
  // lme4 uses solve(chol(H), g) = R⁻¹ g with R = Lᵀ upper triangular: back substitution on the packed g_F.
  const z = work.d;
  let k = 0;
  for (let i = 0; i < n; i++) if (free[i]) z[k++] = g[i] as number;
  for (let i = nFree - 1; i >= 0; i--) {
    let v = z[i] as number;
    for (let j = i + 1; j < nFree; j++) v -= (chol[j * nFree + i] as number) * (z[j] as number);
    z[i] = v / (chol[i * nFree + i] as number);
  }
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
  const n = x0.length;
  const { lower } = options;
  const gtol = options.gtol ?? 1e-9;
  const ftol = options.ftol ?? 1e-11;
  const pdtol = options.pdtol ?? 1e-10;
  const convergedTol = options.convergedTol ?? 2e-3;
  const maxEvaluations = options.maxEvaluations ?? 2000;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.max(x0[i] as number, lower[i] as number);
  const g = new Float64Array(n);
  // The best point seen over all phases, so a failure never returns something worse than what was reached.
  const bestX = Float64Array.from(x);
  const bestG = new Float64Array(n);
  let bestHasGradient = false;
  let bestF = Number.POSITIVE_INFINITY;
  let evaluations = 0;
  const fg = (xx: Float64Array, gg: Float64Array | null): number => {
    if (evaluations >= maxEvaluations) throw new EvaluationBudgetExceeded();
    evaluations++;
    const v = fn(xx, gg);
    if (v < bestF) {
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
  };
  const finish = (method: string, note: string): OptimizeResult => {
    // Report at the best point, with its gradient (one extra evaluation only when x is not that point).
    let f = bestF;
    x.set(bestX);
    if (bestHasGradient && Number.isFinite(f)) g.set(bestG);
    else {
      evaluations++;
      f = fn(x, g);
    }
    const gradientNorm = projectedGradientNorm(x, g, lower);
    const checked = lme4GradientCheck(x, g, lower, work);
    const converged = Number.isFinite(f) && checked <= convergedTol;
    const message = converged ? note : `${note} (max|grad| ${checked.toExponential(3)}, tol ${convergedTol})`;
    return { x, f, evaluations, gradientNorm, gradient: g, converged, method, message };
  };

  let outcome: QuasiNewtonOutcome;
  try {
    outcome = quasiNewton(fg, x, g, lower, gtol, ftol, pdtol, work);
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
    outcome = quasiNewton(fg, x, g, lower, gtol, ftol, pdtol, work);
  } catch (error) {
    if (!(error instanceof EvaluationBudgetExceeded)) throw error;
    outcome = { f: bestF, ok: false, reason: "evaluation limit reached" };
  }
  return finish("nelder-mead+quasi-newton", outcome.reason);
}
