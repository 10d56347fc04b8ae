/**
 * Leaving θ_ii = 0 when it is a saddle, not the optimum.
 *
 * The profiled deviance is unchanged when a column of a template changes sign, so along a diagonal θ_ii (with the
 * rest of its column at 0, as for a scalar term) it is an even function: its derivative at θ_ii = 0 is exactly 0
 * whatever the data. A gradient method whose line search lands exactly on 0 therefore stops there and reports a
 * singular fit, even when 0 is a local maximum along θ_ii and the optimum is a small positive θ_ii. It happens:
 * from lme4's start θ = 1 the trial steps of a scalar term are 1/2 and 1, and 1 − 1/2 − 1/2 is exactly 0 (a random
 * intercept whose variance is small but not zero: the REML criterion 0.027 above lme4's, test/fit/zero-saddle.test.ts).
 * lme4's derivative-free BOBYQA does not see the zero derivative.
 *
 * Landing near 0 is as bad: the derivative there is f''(0)·θ_ii, below any gradient tolerance for θ_ii ~ 1e-16
 * (a line search that ended at 1.1e-16, a REML criterion 2.7 above lme4's).
 *
 * So after the optimiser stops, each diagonal θ_ii within NEAR_ZERO of 0 is probed inwards (θ_ii = 0.1, 0.01,
 * 0.001, the rest of θ as it is); when a probe lowers the objective by more than its rounding noise, the fit
 * restarts from the best point found. At a true boundary optimum (a singular fit), or at a small interior one, no
 * probe is lower and nothing changes but three evaluations per such θ_ii.
 */

import { minimizeBounded, type Objective, type OptimizeOptions, type OptimizeResult } from "./optimize.js";

/**
 * A diagonal θ this close to 0 is on the boundary or on its saddle, not at an ordinary interior optimum: probed
 * here, and set to 0 by the fit when that does not raise the objective (src/fit/fit.ts, snapToBoundary).
 */
export const NEAR_ZERO = 1e-3;

/** Where the probes go, inwards from 0 (θ is relative to σ: its scale is that of 1). */
const PROBES = [0.1, 0.01, 0.001];
/** Relative improvement below which a probe only found the objective's rounding noise. */
const NOISE = 1e-10;

export interface ZeroSaddleProbe {
  /** A better start (θ with probed diagonals moved inwards), or null when every zero diagonal is a minimum. */
  start: Float64Array | null;
  /** The objective at `start` (f when null). */
  f: number;
  evaluations: number;
}

/**
 * Probe each diagonal θ_i (lower bound 0) within NEAR_ZERO of 0 at the optimiser's end point θ (objective f).
 * Keeps every improvement, diagonal by diagonal, as the bootstrap's refit does (src/inference/refit.ts).
 */
export function probeZeroDiagonals(
  theta: Float64Array,
  lower: Float64Array,
  f: number,
  objective: (theta: Float64Array) => number,
): ZeroSaddleProbe {
  const x = Float64Array.from(theta);
  const trial = new Float64Array(theta.length);
  let best = f;
  let evaluations = 0;
  let moved = false;
  for (let i = 0; i < x.length; i++) {
    if (lower[i] !== 0 || !(Math.abs(x[i] as number) < NEAR_ZERO)) continue;
    let bestValue = 0;
    for (const value of PROBES) {
      trial.set(x);
      trial[i] = value;
      const ft = objective(trial);
      evaluations++;
      if (ft < best - NOISE * Math.max(1, Math.abs(f))) {
        best = ft;
        bestValue = value;
      }
    }
    if (bestValue !== 0) {
      x[i] = bestValue;
      moved = true;
    }
  }
  return { start: moved ? x : null, f: best, evaluations };
}

/**
 * minimizeBounded, then the probes: from a better point found near 0 the optimiser runs again (twice at most),
 * and the best end point is returned, with the evaluations of every run and probe counted. `lower` holds the
 * problem's own bounds (0 for the diagonal θ; the optimiser itself may run without them, `settings.lower`);
 * `value` evaluates the objective alone.
 */
export function minimizeLeavingZeroSaddles(
  fn: Objective,
  x0: Float64Array,
  settings: OptimizeOptions,
  lower: Float64Array,
  value: (x: Float64Array) => number,
): OptimizeResult {
  let result = minimizeBounded(fn, x0, settings);
  let evaluations = result.evaluations;
  let gradientEvaluations = result.gradientEvaluations;
  for (let restarts = 0; restarts < 2 && Number.isFinite(result.f); restarts++) {
    const probe = probeZeroDiagonals(result.x, lower, result.f, value);
    evaluations += probe.evaluations;
    if (!probe.start) break;
    const again = minimizeBounded(fn, probe.start, settings);
    evaluations += again.evaluations;
    gradientEvaluations += again.gradientEvaluations;
    if (!(again.f < result.f)) break;
    result = again;
  }
  return { ...result, evaluations, gradientEvaluations };
}
