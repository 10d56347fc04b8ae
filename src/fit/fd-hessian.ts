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
