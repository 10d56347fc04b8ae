/**
 * The profiled criteria of a linear mixed model as functions of the PLS solution at θ (docs/architecture.md,
 * "The profiled deviance"): with r² the penalised weighted residual sum of squares, log|M| = log det(ΛᵀZᵀWZΛ + I),
 * log|S| the fixed-effects Schur complement's log-determinant and log|W| = Σ log wᵢ over the positive prior
 * weights (0 without weights),
 *
 *   ML deviance     d(θ)  = log|M| − log|W| + n (1 + log(2π r²/n))
 *   REML criterion  dR(θ) = log|M| + log|S| − log|W| + (n−p)(1 + log(2π r²/(n−p)))
 *
 * The kernels compute the same formulas in wasm (assembly/pls/deviance.ts); these are the TypeScript home, for
 * the deviance of a REML fit, the REML criterion of an ML fit, and the engines written in TypeScript.
 */

/** What the criteria need from a PLS solution. */
export interface CriterionTerms {
  logDetM: number;
  logDetS: number;
  pwrss: number;
  /** Σ log wᵢ over the positive prior weights (0 without weights). */
  logDetW: number;
  n: number;
  p: number;
}

export function mlDeviance(t: CriterionTerms): number {
  return t.logDetM - t.logDetW + t.n * (1 + Math.log((2 * Math.PI * t.pwrss) / t.n));
}

export function remlCriterion(t: CriterionTerms): number {
  const nmp = t.n - t.p;
  return t.logDetM + t.logDetS - t.logDetW + nmp * (1 + Math.log((2 * Math.PI * t.pwrss) / nmp));
}

/** The criterion a fit minimises: the REML criterion or the ML deviance. */
export function profiledCriterion(t: CriterionTerms, reml: boolean): number {
  return reml ? remlCriterion(t) : mlDeviance(t);
}

/** σ̂² = r²/(n − p) for REML, r²/n for ML. */
export function sigmaSquared(pwrss: number, n: number, p: number, reml: boolean): number {
  return pwrss / (reml ? n - p : n);
}
