/**
 * Plain result types of a fit, in a leaf module so that the report layer (src/report/view.ts) can name them
 * without importing the fitted model's class (src/fit/model.ts re-exports them).
 */

/** How the optimiser got to θ̂. */
export interface OptimizerReport {
  converged: boolean;
  /** Evaluations of the objective (with its gradient on the quasi-Newton path). */
  evaluations: number;
  /**
   * How many of them computed the gradient too (the rest evaluated the objective alone: trial points, snapping to
   * a bound). Absent for a model at a given θ.
   */
  gradientEvaluations?: number;
  /** Largest component of the projected gradient at θ̂. */
  gradientNorm: number;
  method: string;
  message: string;
  /** Wall time of the optimisation and final solve, in milliseconds. */
  elapsedMs: number;
}

/** Conditional modes of one grouping factor (terms on the same factor merged, as lme4's ranef()). */
export interface RanefGroup {
  group: string;
  levels: string[];
  terms: string[];
  /** values[level][term]. */
  values: number[][];
  /** With `condVar`: per level the terms×terms conditional covariance (block diagonal across separate terms). */
  condVar?: number[][][];
}
