/**
 * Fitting a GLMM as lme4's glmer: stage 1 optimises θ with β inside PIRLS (nAGQ = 0's whole fit), stage 2
 * (nAGQ ≥ 1) optimises the Laplace or AGQ criterion over (θ, β) from stage 1's end point, with u-only PIRLS at
 * each (θ, β). PIRLS runs in wasm where the link allows (./wasm-pirls.ts), else in TypeScript (./pirls.ts). Both
 * stages use spruce's bounded quasi-Newton optimiser (src/fit/optimize.ts) with the analytic gradient of the
 * Laplace criterion for the canonical links (assembly/glmm/gradient.ts; docs/architecture.md, "GLMMs"), else
 * central finite differences of the criterion (PIRLS is converged tightly enough for them to be smooth).
 *
 * Standard errors as lme4's vcov.merMod(use.hessian = TRUE): the Hessian of the criterion over (θ, β) — forward
 * differences of the analytic gradient where there is one, else lme4's deriv12 central differences (δ = 1e-4) —
 * V = 2 (H⁻¹)_ββ; when that is not positive definite (or for nAGQ = 0, where lme4 has no Hessian) the PIRLS-based
 * σ²(RXᵀRX)⁻¹.
 */
import { thetaLowerBounds, thetaStart } from "../design/types.js";
import { ModelError } from "../errors.js";
import type { PlsEngine } from "../fit/engine.js";
import { minimizeLeavingZeroSaddles } from "../fit/zero-saddle.js";
import { choleskyInPlace } from "../linalg/cholesky.js";
import { agqDeviance, gaussHermite } from "./agq.js";
import { type GlmmData, laplaceDeviance, type PirlsState, pirls } from "./pirls.js";
import { wasmPirlsFor } from "./wasm-pirls.js";

export interface GlmmFitResult {
  state: PirlsState;
  objective: number;
  nAGQ: number;
  stage1: { theta: Float64Array; beta: Float64Array; objective: number };
  /** p × p row-major. */
  vcov: Float64Array;
  vcovSource: "hessian" | "RX";
  /** Finite-difference gradient and Hessian over (θ, β) at the end point (nAGQ ≥ 1). */
  gradient?: Float64Array;
  hessian?: Float64Array;
  converged: boolean;
  singular: boolean;
  messages: string[];
  evaluations: number;
  /** How each stage's optimiser ended: method, evaluations, its own message. */
  stages: { method: string; evaluations: number; message: string }[];
  elapsedMs: number;
}

/** lme4's isSingular tolerance (as src/fit/fit.ts; not imported from there: fit.ts dispatches to this module). */
const SINGULAR_TOLERANCE = 1e-4;

/** Flip every template column whose diagonal is negative (the criterion depends on Λ only through ΛΛᵀ). */
function normaliseColumnSigns(theta: Float64Array, terms: readonly { p: number }[]): void {
  let k = 0;
  for (const t of terms)
    for (let j = 0; j < t.p; j++) {
      const column = t.p - j;
      if ((theta[k] as number) < 0) for (let i = 0; i < column; i++) theta[k + i] = -(theta[k + i] as number);
      k += column;
    }
}

/** Whether two vectors hold the same numbers (bit for bit, as Object.is). */
function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Central finite-difference gradient of f at x, step δᵢ = h·max(1, |xᵢ|). */
function fdGradient(f: (x: Float64Array) => number, x: Float64Array, g: Float64Array, h: number): void {
  const t = Float64Array.from(x);
  for (let i = 0; i < x.length; i++) {
    const d = h * Math.max(1, Math.abs(x[i] as number));
    t[i] = (x[i] as number) + d;
    const fp = f(t);
    t[i] = (x[i] as number) - d;
    const fm = f(t);
    t[i] = x[i] as number;
    g[i] = (fp - fm) / (2 * d);
  }
}

/** lme4's deriv12: gradient and Hessian by central differences with an absolute step δ. */
export function deriv12(
  f: (x: Float64Array) => number,
  x: Float64Array,
  delta = 1e-4,
): { g: Float64Array; H: Float64Array; fx: number } {
  const k = x.length;
  const fx = f(x);
  const g = new Float64Array(k);
  const H = new Float64Array(k * k);
  const t = Float64Array.from(x);
  const at = (di: number, si: number, dj: number, sj: number) => {
    t.set(x);
    t[di] = (t[di] as number) + si * delta;
    if (dj >= 0) t[dj] = (t[dj] as number) + sj * delta;
    return f(t);
  };
  for (let i = 0; i < k; i++) {
    const fp = at(i, 1, -1, 0);
    const fm = at(i, -1, -1, 0);
    g[i] = (fp - fm) / (2 * delta);
    H[i * k + i] = (fp - 2 * fx + fm) / (delta * delta);
    for (let j = 0; j < i; j++) {
      const v = (at(i, 1, j, 1) - at(i, 1, j, -1) - at(i, -1, j, 1) + at(i, -1, j, -1)) / (4 * delta * delta);
      H[i * k + j] = v;
      H[j * k + i] = v;
    }
  }
  return { g, H, fx };
}

/**
 * The Hessian by differences of an analytic gradient, symmetrised: forward differences (k gradients, step
 * h·max(1, |xᵢ|), h = 1e-5 by default) or central ones (2k gradients, absolute step h, lme4's deriv12 step 1e-4),
 * instead of deriv12's 2k² + 1 values of the criterion. `gx` is the gradient at x (passed through as g). The
 * gradient is exact to PIRLS's convergence (~1e-10 relative), so the forward difference's error is its O(h) term:
 * about 1e-5 relative, 1e-3 where θ is within 0.01 of the boundary — far inside the 2% the SEs are held to.
 */
export function gradientDifferences(
  grad: (x: Float64Array) => Float64Array,
  x: Float64Array,
  gx: Float64Array,
  options: { central?: boolean; h?: number } = {},
): { g: Float64Array; H: Float64Array } {
  const central = options.central ?? false;
  const h = options.h ?? (central ? 1e-4 : 1e-5);
  const k = x.length;
  const H = new Float64Array(k * k);
  const t = Float64Array.from(x);
  for (let i = 0; i < k; i++) {
    const xi = x[i] as number;
    const d = central ? h : h * Math.max(1, Math.abs(xi));
    t[i] = xi + d;
    const gp = Float64Array.from(grad(t));
    let gm: Float64Array = gx;
    if (central) {
      t[i] = xi - d;
      gm = grad(t);
    }
    t[i] = xi;
    const span = central ? 2 * d : d;
    for (let j = 0; j < k; j++) H[j * k + i] = ((gp[j] as number) - (gm[j] as number)) / span;
  }
  for (let i = 0; i < k; i++)
    for (let j = 0; j < i; j++) {
      const v = ((H[i * k + j] as number) + (H[j * k + i] as number)) / 2;
      H[i * k + j] = v;
      H[j * k + i] = v;
    }
  return { g: Float64Array.from(gx), H };
}

/** Inverse of a symmetric positive-definite matrix (row-major), or null if it is not positive definite. */
export function invertSpd(A: Float64Array, k: number): Float64Array | null {
  const L = Float64Array.from(A);
  if (choleskyInPlace(L, k) !== -1) return null;
  // Solve L Lᵀ X = I column by column (L lower, row-major).
  const inv = new Float64Array(k * k);
  const col = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    col.fill(0);
    col[c] = 1;
    for (let i = 0; i < k; i++) {
      let s = col[i] as number;
      for (let j = 0; j < i; j++) s -= (L[i * k + j] as number) * (col[j] as number);
      col[i] = s / (L[i * k + i] as number);
    }
    for (let i = k - 1; i >= 0; i--) {
      let s = col[i] as number;
      for (let j = i + 1; j < k; j++) s -= (L[j * k + i] as number) * (col[j] as number);
      col[i] = s / (L[i * k + i] as number);
    }
    for (let i = 0; i < k; i++) inv[i * k + c] = col[i] as number;
  }
  return inv;
}

export interface GlmmEngines {
  /** With X: β and u solved together (nAGQ = 0 PIRLS, RX). */
  joint: PlsEngine;
  /** Without fixed-effects columns: u at fixed β. */
  uOnly: PlsEngine;
}

/** The criterion of stage 2 at (θ, β) from a u-only PIRLS state. */
export function criterionAt(
  data: GlmmData,
  s: PirlsState,
  nAGQ: number,
  rule: ReturnType<typeof gaussHermite> | null,
): number {
  return nAGQ > 1 && rule ? agqDeviance(data, s, rule) : laplaceDeviance(data, s);
}

/** Fit θ (and β) of a GLMM; the data, engines and nAGQ have been checked by the caller. */
export function fitGlmmData(
  data: GlmmData,
  engines: GlmmEngines,
  nAGQ: number,
  options: { hessian?: boolean; startTheta?: Float64Array } = {},
): GlmmFitResult {
  const t0 = performance.now();
  const rule = nAGQ > 1 ? gaussHermite(nAGQ) : null;
  // PIRLS in one wasm call where the engine and link allow (./wasm-pirls.ts), else the TypeScript loop.
  const wasmJoint = wasmPirlsFor(data, engines.joint);
  const wasmU = wasmPirlsFor(data, engines.uOnly);
  try {
    return fitWithRunners(
      data,
      engines,
      nAGQ,
      options,
      {
        joint: (theta, start) =>
          wasmJoint ? wasmJoint.run(theta, null, start) : pirls(data, engines.joint, theta, null, start),
        uOnly: (theta, beta, start) =>
          wasmU ? wasmU.run(theta, beta, start) : pirls(data, engines.uOnly, theta, beta, start),
        // Analytic gradients of the Laplace criterion (canonical links), at the state of the last run.
        jointGradient: wasmJoint ? () => wasmJoint.gradient() : () => null,
        holdsJoint: (s) => wasmJoint === null || wasmJoint.holds(s),
        holdsUOnly: (s) => wasmU === null || wasmU.holds(s),
        gradient: nAGQ === 1 && wasmU ? () => wasmU.gradient() : () => null,
      },
      rule,
      t0,
    );
  } finally {
    wasmJoint?.dispose();
    wasmU?.dispose();
  }
}

interface PirlsRunners {
  joint(theta: Float64Array, start: { beta: Float64Array; u: Float64Array } | null): PirlsState;
  uOnly(
    theta: Float64Array,
    beta: Float64Array,
    start: { beta: Float64Array; u: Float64Array } | null,
  ): PirlsState;
  gradient(): Float64Array | null;
  jointGradient(): Float64Array | null;
  /** Whether the state is still the last run's on that engine (so that its gradient can be asked for). */
  holdsJoint(s: PirlsState): boolean;
  holdsUOnly(s: PirlsState): boolean;
}

function fitWithRunners(
  data: GlmmData,
  engines: GlmmEngines,
  nAGQ: number,
  options: { hessian?: boolean; startTheta?: Float64Array },
  run: PirlsRunners,
  rule: ReturnType<typeof gaussHermite> | null,
  t0: number,
): GlmmFitResult {
  const lower = thetaLowerBounds({ terms: data.terms });
  const nTheta = lower.length;
  const messages: string[] = [];
  let evaluations = 0;

  // Stage 1: θ only, β inside PIRLS. Warm starts from the last converged state; a failure from a warm start is
  // retried from the family's starting values.
  let last1: PirlsState | null = null;
  const stage1State = (theta: Float64Array): PirlsState => {
    // The optimiser asks again at the point it just evaluated (for the gradient, or the end point): the last
    // state is that point's, and the wasm PIRLS still holds it.
    if (last1 && run.holdsJoint(last1) && sameValues(last1.theta, theta)) return last1;
    let s: PirlsState;
    try {
      s = run.joint(theta, last1);
    } catch (e) {
      if (last1 === null) throw e;
      s = run.joint(theta, null);
    }
    last1 = s;
    return s;
  };
  const f1 = (theta: Float64Array): number => {
    evaluations++;
    try {
      return laplaceDeviance(data, stage1State(theta));
    } catch {
      return Number.POSITIVE_INFINITY;
    }
  };
  // lme4's start (1 on the diagonal), or a given θ (a refit: the fitted model's).
  const theta0 = options.startTheta
    ? Float64Array.from(options.startTheta)
    : thetaStart({ terms: data.terms });
  if (!Number.isFinite(f1(theta0)))
    throw new ModelError("PIRLS failed at the starting values: the model cannot be fitted to these data");
  const unb1 = new Float64Array(nTheta).fill(Number.NEGATIVE_INFINITY);
  const withGrad =
    (f: (x: Float64Array) => number, h: number) => (x: Float64Array, g: Float64Array | null) => {
      const v = f(x);
      if (g) fdGradient(f, x, g, h);
      return v;
    };
  // The analytic θ-gradient of the first stage's criterion where the link is canonical (theta0 was just evaluated).
  const analytic1 = run.jointGradient() !== null;
  const fg1 = (theta: Float64Array, g: Float64Array | null): number => {
    const v = f1(theta);
    if (g) {
      const a = Number.isFinite(v) ? run.jointGradient() : null;
      if (a) g.set(a);
      else g.fill(Number.NaN);
    }
    return v;
  };
  const settings1 = { lower: unb1, gtol: 1e-8, maxEvaluations: 400 };
  // A diagonal θ that ends at or near 0 may sit on the saddle of the symmetric criterion (src/fit/zero-saddle.ts):
  // probe inwards and restart from a better point, in each stage.
  const r1 = minimizeLeavingZeroSaddles(analytic1 ? fg1 : withGrad(f1, 1e-5), theta0, settings1, lower, f1);
  const stages = [{ method: r1.method, evaluations: r1.evaluations, message: r1.message }];
  const theta1 = Float64Array.from(r1.x);
  normaliseColumnSigns(
    theta1,
    data.terms.map((t) => ({ p: t.p })),
  );
  const s1 = stage1State(theta1);
  const stage1 = { theta: theta1, beta: Float64Array.from(s1.beta), objective: laplaceDeviance(data, s1) };

  let state: PirlsState;
  let objective: number;
  let vcov: Float64Array | null = null;
  let vcovSource: "hessian" | "RX" = "RX";
  let gradient: Float64Array | undefined;
  let hessian: Float64Array | undefined;
  let converged = r1.converged || r1.gradientNorm < 1e-3;
  const p = data.p;
  if (nAGQ === 0) {
    state = s1;
    objective = stage1.objective;
  } else {
    // Stage 2 over (θ, β), u-only PIRLS at each point.
    let last2: PirlsState | null = s1;
    const fixedStart = { beta: s1.beta, u: s1.u };
    let lastRun2: PirlsState | null = null;
    const stage2State = (x: Float64Array): PirlsState => {
      const theta = x.subarray(0, nTheta);
      const beta = x.subarray(nTheta);
      // The same point again (the gradient at an accepted trial point, the end point): as in stage 1.
      if (
        lastRun2 &&
        run.holdsUOnly(lastRun2) &&
        sameValues(lastRun2.theta, theta) &&
        sameValues(lastRun2.beta, beta)
      )
        return lastRun2;
      let s: PirlsState;
      try {
        s = run.uOnly(Float64Array.from(theta), Float64Array.from(beta), last2);
      } catch {
        s = run.uOnly(Float64Array.from(theta), Float64Array.from(beta), fixedStart);
      }
      last2 = s;
      lastRun2 = s;
      return s;
    };
    const f2 = (x: Float64Array): number => {
      evaluations++;
      try {
        return criterionAt(data, stage2State(x), nAGQ, rule);
      } catch {
        return Number.POSITIVE_INFINITY;
      }
    };
    const x0 = new Float64Array(nTheta + p);
    x0.set(theta1);
    x0.set(s1.beta, nTheta);
    const unb2 = new Float64Array(nTheta + p).fill(Number.NEGATIVE_INFINITY);
    // The analytic gradient where the link is canonical (Laplace), else central differences of the criterion.
    let analytic = false;
    if (Number.isFinite(f2(x0))) analytic = run.gradient() !== null;
    const fg2 = (x: Float64Array, g: Float64Array | null): number => {
      const v = f2(x);
      if (g) {
        const a = Number.isFinite(v) ? run.gradient() : null;
        if (a) g.set(a);
        else g.fill(Number.NaN);
      }
      return v;
    };
    const lower2 = new Float64Array(nTheta + p).fill(Number.NEGATIVE_INFINITY);
    lower2.set(lower);
    const r2 = minimizeLeavingZeroSaddles(
      analytic ? fg2 : withGrad(f2, 1e-5),
      x0,
      { lower: unb2, gtol: 1e-8, maxEvaluations: 1000, valueOnlyTrials: true, finiteDifferenceHessian: true },
      lower2,
      f2,
    );
    stages.push({ method: r2.method, evaluations: r2.evaluations, message: r2.message });
    const x = Float64Array.from(r2.x);
    const th = x.subarray(0, nTheta);
    normaliseColumnSigns(
      th,
      data.terms.map((t) => ({ p: t.p })),
    );
    // lme4's derivatives at the end point (its checkConv and vcov use them).
    if (options.hessian === false) {
      // Refits that only need the likelihood (a bootstrap): no finite-difference Hessian; RX SEs.
      state = stage2State(x);
      objective = criterionAt(data, state, nAGQ, rule);
      converged = r2.converged || r2.gradientNorm < 2e-3;
    } else {
      // Every evaluation of the finite differences starts PIRLS from the end point's modes (no warm-start history).
      const end = stage2State(x);
      const fromEnd = { beta: end.beta, u: end.u };
      const gEnd = analytic ? run.gradient() : null;
      // Each point of the analytic gradient's differences starts PIRLS from the previous one's state (the wasm
      // PIRLS then predicts the modes to first order).
      let previous = end;
      const d = gEnd
        ? gradientDifferences(
            (xx: Float64Array) => {
              evaluations++;
              previous = run.uOnly(xx.slice(0, nTheta), xx.slice(nTheta), previous);
              return run.gradient() as Float64Array;
            },
            x,
            gEnd,
          )
        : deriv12((xx: Float64Array) => {
            evaluations++;
            const s = run.uOnly(xx.slice(0, nTheta), xx.slice(nTheta), fromEnd);
            return criterionAt(data, s, nAGQ, rule);
          }, x);
      gradient = d.g;
      hessian = d.H;
      state = gEnd ? end : stage2State(x);
      objective = criterionAt(data, state, nAGQ, rule);
      const k = nTheta + p;
      const Hinv = invertSpd(d.H, k);
      if (Hinv) {
        vcov = new Float64Array(p * p);
        for (let i = 0; i < p; i++)
          for (let j = 0; j < p; j++)
            vcov[i * p + j] =
              (Hinv[(nTheta + i) * k + nTheta + j] as number) +
              (Hinv[(nTheta + j) * k + nTheta + i] as number);
        vcovSource = "hessian";
      } else {
        messages.push(
          "variance-covariance matrix computed from finite-difference Hessian is not positive definite or contains NA values: falling back to var-cov estimated from RX",
        );
      }
      // lme4's checkConv: the gradient scaled by the Hessian, min(|H⁻¹g|, |g|) < 2e-3.
      let maxScaled = 0;
      for (let i = 0; i < k; i++) {
        const gi = Math.abs(d.g[i] as number);
        let s = gi;
        if (Hinv) {
          let hg = 0;
          for (let j = 0; j < k; j++) hg += (Hinv[i * k + j] as number) * (d.g[j] as number);
          s = Math.min(Math.abs(hg), gi);
        }
        maxScaled = Math.max(maxScaled, s);
      }
      converged = maxScaled < 2e-3;
      if (!converged)
        messages.push(
          `Model failed to converge with max|grad| = ${maxScaled.toPrecision(6)} (tol = 0.002, component 1)`,
        );
    }
  }
  if (!vcov) vcov = rxVcov(data, engines.joint, state);
  const separated = separationMessage(data, state);
  if (separated) messages.push(separated);
  let singular = false;
  for (let i = 0; i < nTheta; i++)
    if (lower[i] === 0 && (state.theta[i] as number) < SINGULAR_TOLERANCE) singular = true;
  if (singular) messages.push("boundary (singular) fit: see help('isSingular')");
  return {
    state,
    objective,
    nAGQ,
    stage1,
    vcov,
    vcovSource,
    ...(gradient ? { gradient } : {}),
    ...(hessian ? { hessian } : {}),
    converged,
    singular,
    messages,
    evaluations,
    stages,
    elapsedMs: performance.now() - t0,
  };
}

/** σ²(RXᵀRX)⁻¹ at the PIRLS working weights of `state` (σ = 1): lme4's vcov(use.hessian = FALSE). */
export function rxVcov(data: GlmmData, joint: PlsEngine, state: PirlsState): Float64Array {
  const z = new Float64Array(data.n);
  const w = new Float64Array(data.n);
  for (let i = 0; i < data.n; i++) {
    const e = state.eta[i] as number;
    const m = state.mu[i] as number;
    const d = data.family.link.muEta(e);
    w[i] = ((data.pw[i] as number) * d * d) / data.family.variance(m);
    z[i] = e - (data.offset[i] as number) + ((data.y[i] as number) - m) / d;
  }
  joint.setWeights(w);
  joint.setResponse(z);
  const sol = joint.solve(state.theta, false);
  const s2 = sol.sigma * sol.sigma;
  return Float64Array.from(sol.vcovBeta, (v) => v / s2);
}

/**
 * Quasi-complete separation: binomial fitted probabilities at 0 or 1 to rounding (R's glm warning), i.e. a linear
 * predictor beyond ±15 on the logit scale, which only an estimate running off to infinity produces.
 */
function separationMessage(data: GlmmData, state: PirlsState): string | null {
  if (data.family.name !== "binomial") return null;
  let extreme = 0;
  for (let i = 0; i < data.n; i++) {
    const m = state.mu[i] as number;
    if (m < 1e-7 || m > 1 - 1e-7) extreme++;
  }
  if (extreme === 0) return null;
  return `fitted probabilities numerically 0 or 1 occurred (${extreme} observation${extreme === 1 ? "" : "s"}): quasi-complete separation, some fixed effect is running off to ±infinity and its estimate and SE are not meaningful`;
}
