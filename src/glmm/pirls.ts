/**
 * Penalised iteratively reweighted least squares (PIRLS) for the conditional modes of a GLMM, as lme4's
 * pwrssUpdate (src/external.cpp): each iteration sets the working weights wᵢ = pwᵢ (dμ/dη)²/V(μ) and the
 * working response, and solves the weighted penalised least-squares problem min ‖W½(z − Xβ − ZΛu)‖² + ‖u‖² on
 * the wasm blocked factor through the PlsEngine interface (setWeights, setResponse, solve). The iteration loop
 * runs in TypeScript: the reference that the wasm PIRLS (./wasm-pirls.ts, assembly/glmm/pirls.ts) reproduces and
 * the path for links and engines the wasm one does not take (probit, the dense test oracle).
 *
 * Two engines share the random-effects design: `joint` has X (β and u solved together: lme4's nAGQ = 0 stage),
 * `uOnly` has no fixed-effects columns (β fixed, Xβ moved into the working response: lme4's uOnly PIRLS, what
 * the Laplace and AGQ criteria over (θ, β) need). The penalised deviance Σ devresᵢ + ‖u‖² must not increase:
 * a step that raises it is halved (at most 20 times, lme4's maxstephalfit).
 */
import type { DesignBuffers } from "../design/types.js";
import { ModelError } from "../errors.js";
import type { PlsEngine } from "../fit/engine.js";
import type { Family } from "./family.js";

export interface GlmmData {
  family: Family;
  n: number;
  p: number;
  y: Float64Array;
  /** Prior weights. */
  pw: Float64Array;
  offset: Float64Array;
  /** n × p column-major. */
  X: Float64Array;
  terms: DesignBuffers["terms"];
  /** Σ family.logNormaliser(yᵢ, pwᵢ): the μ-free part of the log-likelihood (see logNormaliserOf). */
  logNormaliser: number;
}

/** Σ of the μ-free parts of log f(yᵢ | μᵢ), once per fit. */
export function logNormaliserOf(family: Family, y: Float64Array, pw: Float64Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += family.logNormaliser(y[i] as number, pw[i] as number);
  return s;
}

export interface PirlsState {
  theta: Float64Array;
  beta: Float64Array;
  u: Float64Array;
  eta: Float64Array;
  mu: Float64Array;
  /** Σ deviance residuals + ‖u‖². */
  pdev: number;
  /** log det(ΛᵀZᵀWZΛ + I) at the working weights of the last solve. */
  logDetM: number;
  /** The working weights of the last solve. */
  weights: Float64Array;
  iterations: number;
  halvings: number;
  /** PIRLS stopped on a flat deviance while its steps stayed large (quasi-separation). */
  diverging: boolean;
  /** Σ family.logDensity(yᵢ, μᵢ, pwᵢ) at μ, when the wasm PIRLS computed it (./wasm-pirls.ts). */
  logDensity?: number;
}

export interface PirlsOptions {
  /** Relative change of the penalised deviance that stops the iteration (lme4: 1e-7; tighter here so that
   * finite differences of the criterion are smooth). */
  tol?: number;
  maxit?: number;
}

export const PIRLS_TOL = 1e-12;
export const PIRLS_MAXIT = 100;
const MAX_HALVINGS = 20;
/** Relative rounding noise of the penalised deviance (a sum over n observations). */
const ROUNDING = 1e-12;
/** Largest change of u (or β) in the last step for convergence. */
const STEP_TOL = 1e-7;

/** b = Λu then Zb, accumulated into out (length n). */
export function addZLambdaU(
  data: Pick<GlmmData, "n" | "terms">,
  theta: ArrayLike<number>,
  u: ArrayLike<number>,
  out: Float64Array,
): void {
  let tOff = 0;
  let uOff = 0;
  for (const t of data.terms) {
    const p = t.p;
    const b = new Float64Array(t.nlevels * p);
    // T lower triangular, θ column by column.
    for (let l = 0; l < t.nlevels; l++) {
      let k = tOff;
      for (let j = 0; j < p; j++)
        for (let i = j; i < p; i++) {
          b[l * p + i] = (b[l * p + i] as number) + (theta[k] as number) * (u[uOff + l * p + j] as number);
          k++;
        }
    }
    for (let r = 0; r < data.n; r++) {
      const l = t.refs[r] as number;
      let s = 0;
      for (let j = 0; j < p; j++) s += (t.z[r * p + j] as number) * (b[l * p + j] as number);
      out[r] = (out[r] as number) + s;
    }
    tOff += (p * (p + 1)) / 2;
    uOff += t.nlevels * p;
  }
}

/** η = offset + Xβ + ZΛu. */
export function linearPredictor(
  data: GlmmData,
  theta: ArrayLike<number>,
  beta: ArrayLike<number>,
  u: ArrayLike<number>,
): Float64Array {
  const eta = Float64Array.from(data.offset);
  for (let j = 0; j < data.p; j++) {
    const bj = beta[j] as number;
    if (bj === 0) continue;
    for (let i = 0; i < data.n; i++) eta[i] = (eta[i] as number) + bj * (data.X[j * data.n + i] as number);
  }
  addZLambdaU(data, theta, u, eta);
  return eta;
}

/** Σ deviance residuals of μ. */
export function devianceSum(data: GlmmData, mu: Float64Array): number {
  let s = 0;
  for (let i = 0; i < data.n; i++)
    s += data.family.devResid(data.y[i] as number, mu[i] as number, data.pw[i] as number);
  return s;
}

function sumSq(u: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < u.length; i++) s += (u[i] as number) ** 2;
  return s;
}

function muOf(data: GlmmData, eta: Float64Array): Float64Array {
  const link = data.family.link;
  // An explicit loop: Float64Array.from with a mapping function goes through the iterator protocol (slow).
  const mu = new Float64Array(eta.length);
  for (let i = 0; i < eta.length; i++) mu[i] = link.inverse(eta[i] as number);
  return mu;
}

/**
 * Working weights and the working response: z = (η − offset − fixedPart) + (y − μ)/μ′, where fixedPart is Xβ
 * for the u-only solve (β fixed) and 0 for the joint solve.
 */
function workingQuantities(
  data: GlmmData,
  eta: Float64Array,
  mu: Float64Array,
  fixedPart: Float64Array | null,
) {
  const { family } = data;
  const w = new Float64Array(data.n);
  const z = new Float64Array(data.n);
  for (let i = 0; i < data.n; i++) {
    const e = eta[i] as number;
    const m = mu[i] as number;
    const d = family.link.muEta(e);
    w[i] = ((data.pw[i] as number) * d * d) / family.variance(m);
    z[i] =
      e -
      (data.offset[i] as number) -
      (fixedPart ? (fixedPart[i] as number) : 0) +
      ((data.y[i] as number) - m) / d;
  }
  return { w, z };
}

/**
 * PIRLS at θ. With `fixedBeta` the fixed effects stay put (u-only engine); without, β and u are updated together
 * (joint engine). `start` gives the starting β and u (a previous solution); without it, η starts from the
 * family's mustart (lme4's first PIRLS of a fit).
 */
export function pirls(
  data: GlmmData,
  engine: PlsEngine,
  theta: Float64Array,
  fixedBeta: Float64Array | null,
  start: { beta: Float64Array; u: Float64Array } | null,
  options: PirlsOptions = {},
): PirlsState {
  const tol = options.tol ?? PIRLS_TOL;
  const maxit = options.maxit ?? PIRLS_MAXIT;
  const q = engine.buffers.terms.reduce((s, t) => s + t.nlevels * t.p, 0);
  let beta = fixedBeta
    ? Float64Array.from(fixedBeta)
    : start
      ? Float64Array.from(start.beta)
      : new Float64Array(data.p);
  let u = start ? Float64Array.from(start.u) : new Float64Array(q);
  let eta: Float64Array;
  let mu: Float64Array;
  let oldpdev = Number.POSITIVE_INFINITY;
  if (start || fixedBeta) {
    eta = linearPredictor(data, theta, beta, u);
    mu = muOf(data, eta);
    oldpdev = devianceSum(data, mu) + sumSq(u);
    if (!Number.isFinite(oldpdev)) oldpdev = Number.POSITIVE_INFINITY;
  } else {
    mu = Float64Array.from(data.y, (y, i) => data.family.start(y, data.pw[i] as number));
    eta = Float64Array.from(mu, (m) => data.family.link.link(m));
    for (let i = 0; i < data.n; i++) eta[i] = (eta[i] as number) + (data.offset[i] as number);
  }
  const fixedPart = fixedBeta
    ? linearPredictor({ ...data, offset: new Float64Array(data.n), terms: [] }, theta, fixedBeta, u)
    : null;
  let logDetM = Number.NaN;
  let weights = new Float64Array(data.n);
  let halvings = 0;
  let stalled = 0;
  let diverging = false;
  let pdev = oldpdev;
  for (let it = 1; it <= maxit; it++) {
    const { w, z } = workingQuantities(data, eta, mu, fixedPart);
    engine.setWeights(w);
    engine.setResponse(z);
    const sol = engine.solve(theta, false);
    logDetM = sol.logDetM;
    weights = w;
    const newBeta = fixedBeta ? beta : Float64Array.from(sol.beta);
    const newU = Float64Array.from(sol.u);
    let trialEta = linearPredictor(data, theta, newBeta, newU);
    let trialMu = muOf(data, trialEta);
    pdev = devianceSum(data, trialMu) + sumSq(newU);
    // An increase within rounding (a converged Newton step) is not a reason to halve.
    const slack = ROUNDING * Math.abs(oldpdev);
    if (Number.isNaN(pdev) || pdev > oldpdev + slack) {
      // Step-halving: move back towards the previous iterate until the penalised deviance does not increase.
      for (let k = 0; k < MAX_HALVINGS && (Number.isNaN(pdev) || pdev > oldpdev + slack); k++) {
        for (let i = 0; i < newU.length; i++) newU[i] = ((u[i] as number) + (newU[i] as number)) / 2;
        if (!fixedBeta)
          for (let j = 0; j < newBeta.length; j++)
            newBeta[j] = ((beta[j] as number) + (newBeta[j] as number)) / 2;
        trialEta = linearPredictor(data, theta, newBeta, newU);
        trialMu = muOf(data, trialEta);
        pdev = devianceSum(data, trialMu) + sumSq(newU);
        halvings++;
      }
      if (Number.isNaN(pdev)) throw new ModelError("PIRLS produced a non-finite deviance (NaN) at this θ");
      if (pdev - oldpdev > tol * Math.abs(pdev) + 1e-10)
        throw new ModelError(`PIRLS step-halvings (${MAX_HALVINGS}) failed to reduce the penalised deviance`);
    }
    let step = 0;
    for (let i = 0; i < newU.length; i++)
      step = Math.max(step, Math.abs((newU[i] as number) - (u[i] as number)));
    if (!fixedBeta)
      for (let j = 0; j < newBeta.length; j++)
        step = Math.max(step, Math.abs((newBeta[j] as number) - (beta[j] as number)));
    beta = newBeta;
    u = newU;
    eta = trialEta;
    mu = trialMu;
    // Converged when the penalised deviance stops changing (lme4's criterion, at a tighter tolerance); rounding
    // noise in a sum over n observations is about 1e-14 relative.
    // The step must be small too: the criterion's log|L|² depends on u to first order (through the weights),
    // so stopping one Newton step early leaves ~1e-8 in it, enough to spoil a finite-difference Hessian.
    const flat = Math.abs(oldpdev - pdev) <= tol * Math.abs(pdev) + 1e-11;
    // Flat deviance but steps that stay large: the modes run off to infinity along a direction that does not
    // change the deviance (quasi-complete separation). Stop and report instead of iterating on.
    stalled = flat && step > STEP_TOL ? stalled + 1 : 0;
    if (flat && (step <= STEP_TOL || stalled >= 5)) {
      diverging = stalled >= 5;
      // log|L|² at the weights of the converged μ (lme4 keeps the previous iterate's, which makes the criterion
      // depend on where PIRLS started, by up to ~1e-3 — too rough for finite-difference derivatives).
      const last = workingQuantities(data, eta, mu, fixedPart);
      engine.setWeights(last.w);
      engine.setResponse(last.z);
      logDetM = engine.solve(theta, false).logDetM;
      weights = last.w;
      return {
        theta: Float64Array.from(theta),
        beta,
        u,
        eta,
        mu,
        pdev,
        logDetM,
        weights,
        iterations: it,
        halvings,
        diverging,
      };
    }
    oldpdev = pdev;
  }
  throw new ModelError(`PIRLS did not converge in ${maxit} iterations (penalised deviance ${pdev})`);
}

/** lme4's Laplace criterion: −2 Σ log f(y|μ) + ‖u‖² + log|L|² (glmResp::Laplace). */
export function laplaceDeviance(data: GlmmData, s: PirlsState): number {
  let ll = data.logNormaliser;
  if (s.logDensity !== undefined) ll += s.logDensity;
  else
    for (let i = 0; i < data.n; i++)
      ll += data.family.logDensity(data.y[i] as number, s.mu[i] as number, data.pw[i] as number);
  return -2 * ll + sumSq(s.u) + s.logDetM;
}
