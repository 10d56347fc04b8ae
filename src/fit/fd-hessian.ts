/**
 * Hessians by differences of the analytic gradient, one home: the optimiser's start at scale (forward
 * differences from the gradient at x, ./optimize.ts) and the curvature at the centre of nearby refits (central
 * differences, src/inference/refit.ts).
 */

export interface GradientDifferenceOptions {
  /** The step along coordinate j. */
  step: (j: number) => number;
  /**
   * "forward": column j is (∇f(x + h_j e_j) − g0)/h_j with g0 = ∇f(x); any non-finite value fails.
   * "central": (∇f(x + h_j e_j) − ∇f(x − h_j e_j))/(2h_j), one-sided where x − h_j e_j would cross `lower`.
   */
  scheme: "forward" | "central";
  /** forward: ∇f at x. */
  g0?: Float64Array;
  /** central: the lower bounds to stay feasible at. */
  lower?: Float64Array;
}

/**
 * H (n×n, row-major) ← the Hessian at x from gradient differences, symmetrised as (H + Hᵀ)/2. `gradientAt(x, g)`
 * fills g with ∇f(x) and returns f(x). Returns false (H then partly written) when the forward scheme meets a
 * non-finite value; the central scheme always returns true and leaves checking H to the caller.
 */
export function gradientDifferenceHessian(
  gradientAt: (x: Float64Array, g: Float64Array) => number,
  x: ArrayLike<number>,
  H: Float64Array,
  options: GradientDifferenceOptions,
): boolean {
  const n = x.length;
  const xt = Float64Array.from(x);
  const gp = new Float64Array(n);
  const gm = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const h = options.step(j);
    const xj = x[j] as number;
    xt[j] = xj + h;
    const fp = gradientAt(xt, gp);
    if (options.scheme === "forward") {
      const g0 = options.g0 as Float64Array;
      if (!Number.isFinite(fp)) return false;
      for (let i = 0; i < n; i++) {
        const d = ((gp[i] as number) - (g0[i] as number)) / h;
        if (!Number.isFinite(d)) return false;
        H[i * n + j] = d;
      }
    } else {
      // Stay feasible at a bound: a one-sided step there.
      const atBound = options.lower !== undefined && xj - h < (options.lower[j] as number);
      xt[j] = atBound ? xj : xj - h;
      gradientAt(xt, gm);
      const width = atBound ? h : 2 * h;
      for (let i = 0; i < n; i++) H[i * n + j] = ((gp[i] as number) - (gm[i] as number)) / width;
    }
    xt[j] = xj;
  }
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++) {
      const v = 0.5 * ((H[i * n + j] as number) + (H[j * n + i] as number));
      H[i * n + j] = v;
      H[j * n + i] = v;
    }
  return true;
}

/**
 * H (n×n, row-major) ← the Hessian at x from second differences of f alone, given f0 = f(x) and g0 = ∇f(x):
 * H_jj = 2 (f(x + h_j e_j) − f0 − g0_j h_j)/h_j², H_ij = (f(x + h_i e_i + h_j e_j) − f(x + h_i e_i) −
 * f(x + h_j e_j) + f0)/(h_i h_j). With `gradient` (k columns and ∇f), the first k columns come from forward
 * differences of the gradient instead (all n entries of each), and only the trailing (n−k)×(n−k) block from
 * values: k gradients and (n−k)(n−k+1)/2 values of f against n gradients for gradientDifferenceHessian. Where f
 * alone costs about half of f and ∇f (InstEval) the cheapest mix is k = 0 for n = 2 (3 values instead of 2
 * gradients) and k = 1 for n = 3 (a gradient and 3 values instead of 3 gradients). Truncation error O(h) as for
 * forward differences of the gradient; the values' rounding error grows as ε_f/h², so h must be wider than there.
 * Returns false (H then partly written) when a value is not finite.
 */
export function valueDifferenceHessian(
  valueAt: (x: Float64Array) => number,
  x: ArrayLike<number>,
  f0: number,
  g0: ArrayLike<number>,
  H: Float64Array,
  step: (j: number) => number,
  gradient?: { columns: number; at: (x: Float64Array, g: Float64Array) => number },
): boolean {
  const n = x.length;
  const k = Math.min(n, gradient?.columns ?? 0);
  const xt = Float64Array.from(x);
  const h = Float64Array.from({ length: n }, (_, j) => step(j));
  const gp = new Float64Array(n);
  for (let j = 0; j < k; j++) {
    const hj = h[j] as number;
    xt[j] = (x[j] as number) + hj;
    const fj = (gradient as { at: (x: Float64Array, g: Float64Array) => number }).at(xt, gp);
    xt[j] = x[j] as number;
    if (!Number.isFinite(fj)) return false;
    for (let i = 0; i < n; i++) {
      const d = ((gp[i] as number) - (g0[i] as number)) / hj;
      if (!Number.isFinite(d)) return false;
      H[i * n + j] = d;
      // Rows ≥ k of this column are the only estimate of those entries: mirror them; the k×k block is averaged.
      if (i >= k) H[j * n + i] = d;
    }
  }
  for (let i = 0; i < k; i++)
    for (let j = 0; j < i; j++) {
      const v = 0.5 * ((H[i * n + j] as number) + (H[j * n + i] as number));
      H[i * n + j] = v;
      H[j * n + i] = v;
    }
  const single = new Float64Array(n);
  for (let j = k; j < n; j++) {
    const hj = h[j] as number;
    xt[j] = (x[j] as number) + hj;
    const fj = valueAt(xt);
    xt[j] = x[j] as number;
    if (!Number.isFinite(fj)) return false;
    single[j] = fj;
    H[j * n + j] = (2 * (fj - f0 - (g0[j] as number) * hj)) / (hj * hj);
  }
  for (let i = k; i < n; i++)
    for (let j = k; j < i; j++) {
      const hi = h[i] as number;
      const hj = h[j] as number;
      xt[i] = (x[i] as number) + hi;
      xt[j] = (x[j] as number) + hj;
      const fij = valueAt(xt);
      xt[i] = x[i] as number;
      xt[j] = x[j] as number;
      if (!Number.isFinite(fij)) return false;
      const v = (fij - (single[i] as number) - (single[j] as number) + f0) / (hi * hj);
      H[i * n + j] = v;
      H[j * n + i] = v;
    }
  return true;
}
