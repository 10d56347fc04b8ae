/**
 * Profile-likelihood confidence intervals, as lme4's profile.merMod + confint.thpr.
 *
 * lme4 profiles the ML deviance even for a REML fit (devfun2 starts with refitML), on its "sd/cor" scale:
 * the standard deviations and correlations of each random-effects term (from θ and σ: Σ_t = σ² T_t T_tᵀ), σ itself,
 * and the fixed effects. For a parameter ψ the signed root of the deviance difference is
 *   ζ(ψ) = sign(ψ − ψ̂) √(min over the other parameters of D − D̂),
 * and the interval at level 1 − α is where ζ = ±Φ⁻¹(1 − α/2). lme4 interpolates ζ with a spline through profile
 * points; we solve ζ(ψ) = ±z directly (secant steps inside a bracket), which is the quantity lme4's spline
 * approximates.
 *
 * The deviance with σ explicit and β profiled out (lme4's devfun2) is
 *   D(θ, σ) = log|M(θ)| + r²(θ)/σ² + n log(2πσ²),
 * whose θ-gradient is ∂log|M| + ∂r²/σ². The engine's ML gradient is ∂log|M| + (n/r²)∂r², and ∂r² = −2(Zᵀê)ᵀD_iû
 * (docs/architecture.md, "The gradient") is cheap from the solution, so both parts are recovered exactly. Variance parameters other than
 * the profiled one are free: standard deviations scaled by σ̂ (lower bound 0), correlations as sin(η) (so ±1 are
 * reachable without an upper bound), σ as log(σ/σ̂); the Jacobian of that map to (θ, σ) is taken by finite
 * differences of a closed-form function (no extra deviance evaluations).
 * For a fixed effect β_j the model is refitted over θ with column j moved into the response (y − x_j b),
 * which is lme4's offset refit.
 */

import { lowerIndex, termOffsets, termShapes } from "../design/theta.js";
import type { Design, DesignBuffers } from "../design/types.js";
import { designBuffers, thetaLowerBounds } from "../design/types.js";
import type { FittedLmm } from "../diagnostics/model.js";
import { qnorm } from "../distributions/normal.js";
import { ModelError } from "../errors.js";
import type { PlsEngine } from "../fit/engine.js";
import { minimizeBounded } from "../fit/optimize.js";
import { ensureReducedEngine } from "../fit/response-reduction.js";
import { createEngine } from "../fit/wasm-engine.js";
import { choleskySemidefiniteInPlace } from "../linalg/cholesky.js";

export type EngineFactory = (buffers: DesignBuffers) => PlsEngine | Promise<PlsEngine>;

export interface ProfileOptions {
  level?: number;
  /** Builds an engine for a reduced design (fixed-effect profiles). Default: the wasm engine. */
  engineFactory?: EngineFactory;
}

export interface IntervalTable {
  names: string[];
  lower: number[];
  upper: number[];
  /** The estimates on the same scale (ML refit for profile intervals). */
  estimate: number[];
}

/** lme4's names (oldNames = FALSE) of the variance parameters in θ order, then "sigma". */
export function varianceParameterNames(design: Design): string[] {
  const names: string[] = [];
  for (const t of design.terms) {
    const c = t.columns;
    for (let j = 0; j < c.length; j++)
      for (let i = j; i < c.length; i++)
        names.push(i === j ? `sd_${c[i]}|${t.group}` : `cor_${c[i]}.${c[j]}|${t.group}`);
  }
  names.push("sigma");
  return names;
}

/** Sizes p_t of each term. */
function termSizes(design: Design): number[] {
  return design.terms.map((t) => t.columns.length);
}

/**
 * θ and σ → lme4's sd/cor vector (θ order, then σ): Σ_t/σ² = T_t T_tᵀ (lme4's Cv_to_Sv).
 */
export function thetaToSdCor(theta: ArrayLike<number>, sizes: number[], sigma: number): Float64Array {
  const out = new Float64Array(theta.length + 1);
  let k = 0;
  for (const p of sizes) {
    const T = new Float64Array(p * p);
    for (let j = 0; j < p; j++)
      for (let i = j; i < p; i++) T[i * p + j] = theta[k + lowerIndex(p, i, j)] as number;
    const S = new Float64Array(p * p);
    for (let i = 0; i < p; i++)
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let m = 0; m <= j; m++) s += (T[i * p + m] as number) * (T[j * p + m] as number);
        S[i * p + j] = s;
      }
    for (let j = 0; j < p; j++)
      for (let i = j; i < p; i++) {
        const at = k + lowerIndex(p, i, j);
        if (i === j) out[at] = sigma * Math.sqrt(S[i * p + i] as number);
        else {
          const d = Math.sqrt((S[i * p + i] as number) * (S[j * p + j] as number));
          out[at] = d > 0 ? (S[i * p + j] as number) / d : 0;
        }
      }
    k += (p * (p + 1)) / 2;
  }
  out[theta.length] = sigma;
  return out;
}

/**
 * lme4's sd/cor vector (θ order) and σ → θ (lme4's Sv_to_Cv): T_t = chol(D C D / σ²). A zero standard deviation
 * gives a zero column. Returns null when the correlations do not form a positive semi-definite matrix.
 */
export function sdCorToTheta(sdcor: ArrayLike<number>, sizes: number[], sigma: number): Float64Array | null {
  let ntheta = 0;
  for (const p of sizes) ntheta += (p * (p + 1)) / 2;
  const theta = new Float64Array(ntheta);
  let k = 0;
  for (const p of sizes) {
    const A = new Float64Array(p * p);
    for (let j = 0; j < p; j++)
      for (let i = j; i < p; i++) {
        const si = sdcor[k + lowerIndex(p, i, i)] as number;
        const sj = sdcor[k + lowerIndex(p, j, j)] as number;
        const c = i === j ? 1 : (sdcor[k + lowerIndex(p, i, j)] as number);
        A[i * p + j] = (c * si * sj) / (sigma * sigma);
      }
    // Cholesky of a positive semi-definite matrix: a (numerically) zero pivot leaves a zero column.
    if (!choleskySemidefiniteInPlace(A, p)) return null;
    for (let j = 0; j < p; j++)
      for (let i = j; i < p; i++) theta[k + lowerIndex(p, i, j)] = A[i * p + j] as number;
    k += (p * (p + 1)) / 2;
  }
  return theta;
}

/** Slot of each θ entry: term, row, column, and the term's offset in u. */
interface ThetaSlot {
  term: number;
  row: number;
  col: number;
}

function thetaSlots(design: Design): ThetaSlot[] {
  const slots: ThetaSlot[] = [];
  design.terms.forEach((t, term) => {
    const p = t.columns.length;
    for (let col = 0; col < p; col++) for (let row = col; row < p; row++) slots.push({ term, row, col });
  });
  return slots;
}

/**
 * D(θ, σ) and its gradient in θ and σ for one engine (whose response may be a modified y).
 */
class DevianceParts {
  private readonly slots: ThetaSlot[];
  private readonly offsets: number[];
  private readonly gML: Float64Array;
  readonly n: number;

  constructor(
    private readonly design: Design,
    private readonly engine: PlsEngine,
    private readonly y: Float64Array,
    private readonly X: Float64Array,
    private readonly p: number,
  ) {
    this.slots = thetaSlots(design);
    this.offsets = termOffsets(termShapes(design));
    this.gML = new Float64Array(this.slots.length);
    this.n = design.n;
  }

  /** D(θ, σ); fills gTheta (length nθ) and returns ∂D/∂σ through `out` when given. */
  evaluate(
    theta: Float64Array,
    sigma: number,
    gTheta: Float64Array | null,
    out?: { dSigma: number },
  ): number {
    const { n } = this;
    const sol = this.engine.solve(theta, false);
    const r2 = sol.pwrss;
    const s2 = sigma * sigma;
    const dev = sol.logDetM + r2 / s2 + n * Math.log(2 * Math.PI * s2);
    if (gTheta) {
      this.engine.gradient(theta, false, this.gML);
      const dr2 = this.dPwrss(sol.beta, sol.u, theta);
      for (let k = 0; k < this.slots.length; k++) {
        const dLogM = (this.gML[k] as number) - (n / r2) * (dr2[k] as number);
        gTheta[k] = dLogM + (dr2[k] as number) / s2;
      }
    }
    if (out) out.dSigma = (-2 * r2) / (s2 * sigma) + (2 * n) / sigma;
    return dev;
  }

  /** ∂r²/∂θ_k = −2 Σ_levels (Zᵀê)[row] û[col] (docs/architecture.md, "The gradient"). */
  private dPwrss(beta: Float64Array, u: Float64Array, theta: Float64Array): Float64Array {
    const { design, n, X, p, y } = this;
    // ê = y − Xβ − ZΛu.
    const e = Float64Array.from(y);
    for (let j = 0; j < p; j++) {
      const bj = beta[j] as number;
      for (let i = 0; i < n; i++) e[i] = (e[i] as number) - (X[j * n + i] as number) * bj;
    }
    let k0 = 0;
    design.terms.forEach((t, ti) => {
      const pt = t.columns.length;
      const off = this.offsets[ti] as number;
      for (let i = 0; i < n; i++) {
        const base = off + (t.refs[i] as number) * pt;
        let s = 0;
        for (let a = 0; a < pt; a++) {
          // (ZΛu)_i = Σ_a z_ia (T u_level)_a, T lower triangular.
          let tu = 0;
          for (let c = 0; c <= a; c++)
            tu += (theta[k0 + lowerIndex(pt, a, c)] as number) * (u[base + c] as number);
          s += (t.z[i * pt + a] as number) * tu;
        }
        e[i] = (e[i] as number) - s;
      }
      k0 += (pt * (pt + 1)) / 2;
    });
    const out = new Float64Array(this.slots.length);
    const zte: Float64Array[] = design.terms.map((t) => new Float64Array(t.levels.length * t.columns.length));
    design.terms.forEach((t, ti) => {
      const pt = t.columns.length;
      const acc = zte[ti] as Float64Array;
      for (let i = 0; i < n; i++) {
        const base = (t.refs[i] as number) * pt;
        for (let a = 0; a < pt; a++) acc[base + a] += (t.z[i * pt + a] as number) * (e[i] as number);
      }
    });
    this.slots.forEach((s, k) => {
      const t = design.terms[s.term];
      if (!t) return;
      const pt = t.columns.length;
      const acc = zte[s.term] as Float64Array;
      const off = this.offsets[s.term] as number;
      let sum = 0;
      for (let l = 0; l < t.levels.length; l++)
        sum += (acc[l * pt + s.row] as number) * (u[off + l * pt + s.col] as number);
      out[k] = -2 * sum;
    });
    return out;
  }
}

/**
 * An evaluation far from the optimum can meet a numerically singular system (the engine throws); to the
 * optimiser that point is simply infeasible, so its line search steps back.
 */
function safely(evaluate: () => number): number {
  try {
    return evaluate();
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/**
 * Minimises the ML deviance over θ (from `start`) for an engine: the ML refit, and the fixed-effect profiles.
 * As in src/fit/fit.ts the search is unbounded: the deviance does not change when a column of a template T
 * changes sign, so the unbounded minimum is the bounded one, and a diagonal θ can pass through 0 instead of
 * stalling there. Only the minimum and the (sign-invariant) T Tᵀ are used afterwards.
 */
function fitML(engine: PlsEngine, start: Float64Array): { theta: Float64Array; f: number } {
  const lower = new Float64Array(start.length).fill(Number.NEGATIVE_INFINITY);
  const res = minimizeBounded(
    (x, g) => safely(() => (g ? engine.gradient(x, false, g) : engine.objective(x, false))),
    Float64Array.from(start),
    { lower, maxEvaluations: 5000 },
  );
  return { theta: Float64Array.from(res.x), f: res.f };
}

/** ζ(ψ) for one parameter, remembering the last inner optimum as the next start (lme4's "prev" start). */
type ZetaFunction = (value: number) => number;

/**
 * Solves ζ(ψ) = target on one side of the estimate (direction ±1), within [lo, hi] bounds of the parameter.
 * Returns the bound when ζ does not reach the target before it (lme4 reports the bound then).
 */
function solveZeta(
  zeta: ZetaFunction,
  estimate: number,
  direction: 1 | -1,
  target: number,
  firstStep: number,
  bound: number,
): number {
  const tol = 1e-6;
  let x0 = estimate;
  let z0 = 0;
  let x1 = clampTo(estimate + direction * firstStep, bound, direction);
  let z1 = zeta(x1);
  // Expand with secant extrapolation until the target is bracketed (or the bound is reached).
  for (let it = 0; it < 60 && Number.isFinite(z1) && direction * (z1 - target) < 0; it++) {
    if (x1 === bound) return bound;
    const slope = (z1 - z0) / (x1 - x0);
    let next: number;
    if (Number.isFinite(slope) && direction * slope > 0) {
      next = x1 + (target - z1) / slope;
      // Overshoot a little so the next point brackets, and never step more than 10× the last step.
      next = x1 + 1.05 * (next - x1);
      const maxStep = 10 * Math.abs(x1 - x0);
      if (Math.abs(next - x1) > maxStep) next = x1 + direction * maxStep;
    } else next = x1 + 2 * (x1 - x0);
    next = clampTo(next, bound, direction);
    x0 = x1;
    z0 = z1;
    x1 = next;
    z1 = zeta(x1);
  }
  if (Number.isFinite(z1) && direction * (z1 - target) < 0) return Number.NaN;
  // Bracket [x0, x1] with ζ(x0) before the target and ζ(x1) past it: Illinois-modified regula falsi, with
  // bisection whenever an end is not finite (an infeasible point, e.g. a non-positive-definite correlation matrix,
  // counts as past the target: the profile cannot continue there).
  let fa = z0 - target;
  let fb = Number.isFinite(z1) ? z1 - target : direction * Number.POSITIVE_INFINITY;
  let a = x0;
  let b = x1;
  let side = 0;
  for (let it = 0; it < 80; it++) {
    const c = Number.isFinite(fb) && Number.isFinite(fa) ? b - (fb * (b - a)) / (fb - fa) : (a + b) / 2;
    const zc = zeta(c);
    const fc = Number.isFinite(zc) ? zc - target : direction * Number.POSITIVE_INFINITY;
    if (Math.abs(fc) < tol || Math.abs(b - a) < 1e-10 * Math.max(1, Math.abs(c))) return c;
    if (fc * fb < 0) {
      a = b;
      fa = fb;
      b = c;
      fb = fc;
      side = 0;
    } else {
      b = c;
      fb = fc;
      if (side === 1) fa /= 2;
      side = 1;
    }
  }
  return Number.isFinite(fb) && Number.isFinite(fa) ? b - (fb * (b - a)) / (fb - fa) : (a + b) / 2;
}

function clampTo(x: number, bound: number, direction: 1 | -1): number {
  return direction > 0 ? Math.min(x, bound) : Math.max(x, bound);
}

/** Profile-likelihood intervals for every parameter (variance parameters, σ, fixed effects), lme4's names. */
export async function profileIntervals(
  model: FittedLmm,
  options: ProfileOptions = {},
): Promise<IntervalTable> {
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new ModelError(`confint: level must be between 0 and 1, got ${level}`);
  const z = qnorm((1 + level) / 2);
  const { design, engine } = model;
  // The profile's own σ-scale computations below use unweighted residuals (lme4's profile fails on weighted fits
  // too, lme4 issue #192): refuse rather than return wrong intervals.
  if (design.weights)
    throw new ModelError(
      "confint: profile intervals of a model with prior weights are not supported; use method 'wald' or 'boot'",
    );
  const { n } = design;
  const p = design.fixedNames.length;
  const sizes = termSizes(design);
  const nTheta = thetaLowerBounds(designBuffers(design)).length;

  // The ML fit that lme4 profiles around (refitML for a REML model).
  const ml = model.REML ? fitML(engine, Float64Array.from(model.theta)) : null;
  const thetaHat = ml ? ml.theta : Float64Array.from(model.theta);
  const solHat = engine.solve(thetaHat, false);
  const sigmaHat = solHat.sigma;
  const base = solHat.objective;
  const phiHat = thetaToSdCor(thetaHat, sizes, sigmaHat);
  const names = [...varianceParameterNames(design), ...design.fixedNames];
  const estimate = [...phiHat, ...solHat.beta];
  const lower: number[] = [];
  const upper: number[] = [];

  // The engine fits y − offset (offset() terms): so do the residuals of the σ-profile's gradient.
  const yFitted = design.offset ? design.y.map((v, i) => v - (design.offset?.[i] as number)) : design.y;
  const parts = new DevianceParts(design, engine, yFitted, design.X, p);
  const isCor = thetaSlots(design).map((s) => s.row !== s.col);

  // --- variance parameters and σ ---
  const nPhi = nTheta + 1;
  for (let w = 0; w < nPhi; w++) {
    const free = Array.from({ length: nPhi }, (_, k) => k).filter((k) => k !== w);
    // Free coordinates x ↔ φ: sd = x·σ̂ (x ≥ 0), cor = sin(x), σ = σ̂·exp(x).
    const toPhi = (x: ArrayLike<number>, fixed: number): Float64Array => {
      const phi = new Float64Array(nPhi);
      phi[w] = fixed;
      free.forEach((k, a) => {
        const v = x[a] as number;
        phi[k] = k === nTheta ? sigmaHat * Math.exp(v) : isCor[k] ? Math.sin(v) : v * sigmaHat;
      });
      return phi;
    };
    const fromPhi = (phi: ArrayLike<number>): Float64Array =>
      Float64Array.from(free, (k) => {
        const v = phi[k] as number;
        return k === nTheta
          ? Math.log(v / sigmaHat)
          : isCor[k]
            ? Math.asin(Math.max(-1, Math.min(1, v)))
            : v / sigmaHat;
      });
    const xLower = Float64Array.from(free, (k) => (k === nTheta || isCor[k] ? Number.NEGATIVE_INFINITY : 0));
    // (θ, σ) from x, or null outside the valid set.
    const thetaSigma = (
      x: ArrayLike<number>,
      fixed: number,
    ): { theta: Float64Array; sigma: number } | null => {
      const phi = toPhi(x, fixed);
      const sigma = phi[nTheta] as number;
      if (!(sigma > 0)) return null;
      const theta = sdCorToTheta(phi, sizes, sigma);
      return theta ? { theta, sigma } : null;
    };
    let xPrev = fromPhi(phiHat);
    const gTheta = new Float64Array(nTheta);
    const out = { dSigma: 0 };
    const zeta: ZetaFunction = (value) => {
      const objective = (x: Float64Array, g: Float64Array | null): number => {
        const ts = thetaSigma(x, value);
        if (!ts) return Number.POSITIVE_INFINITY;
        const f = safely(() => parts.evaluate(ts.theta, ts.sigma, g ? gTheta : null, out));
        if (!Number.isFinite(f)) return Number.POSITIVE_INFINITY;
        if (g) {
          // Chain rule through the closed-form map x → (θ, σ), its Jacobian by central differences.
          for (let a = 0; a < x.length; a++) {
            const h = 1e-7 * Math.max(1, Math.abs(x[a] as number));
            const xp = Float64Array.from(x);
            const xm = Float64Array.from(x);
            xp[a] = (x[a] as number) + h;
            xm[a] = (x[a] as number) - h;
            // Stay feasible at a lower bound: one-sided difference.
            const atBound = (xm[a] as number) < (xLower[a] as number);
            const tp = thetaSigma(xp, value);
            const tm = atBound ? ts : thetaSigma(xm, value);
            if (!tp || !tm) {
              g[a] = Number.NaN;
              continue;
            }
            const width = atBound ? h : 2 * h;
            let d = 0;
            for (let k = 0; k < nTheta; k++)
              d += (gTheta[k] as number) * (((tp.theta[k] as number) - (tm.theta[k] as number)) / width);
            d += out.dSigma * ((tp.sigma - tm.sigma) / width);
            g[a] = d;
          }
        }
        return f;
      };
      const res = minimizeBounded(objective, xPrev, { lower: xLower, maxEvaluations: 3000, gtol: 1e-7 });
      if (Number.isFinite(res.f)) xPrev = Float64Array.from(res.x);
      const diff = Math.max(0, res.f - base);
      return Math.sign(value - (phiHat[w] as number)) * Math.sqrt(diff);
    };
    const est = phiHat[w] as number;
    const cor = w < nTheta && isCor[w];
    const loBound = cor ? -1 : 0;
    const hiBound = cor ? 1 : Number.POSITIVE_INFINITY;
    const step = cor ? Math.max(0.02, 0.1 * (1 - Math.abs(est))) : est > 0 ? 0.1 * est : 0.1 * sigmaHat;
    xPrev = fromPhi(phiHat);
    const up = solveZeta(zeta, est, 1, z, Math.min(step, cor ? (1 - est) / 2 || step : step), hiBound);
    xPrev = fromPhi(phiHat);
    const lo =
      est <= loBound ? loBound : solveZeta(zeta, est, -1, -z, Math.min(step, (est - loBound) / 2), loBound);
    lower.push(lo);
    upper.push(up);
  }

  // --- fixed effects: refit over θ with column j as an offset ---
  const factory: EngineFactory = options.engineFactory ?? createEngine;
  const vcovHat = solHat.vcovBeta;
  for (let j = 0; j < p; j++) {
    const keep = Array.from({ length: p }, (_, k) => k).filter((k) => k !== j);
    const Xr = new Float64Array(n * keep.length);
    keep.forEach((k, a) => {
      Xr.set(design.X.subarray(k * n, (k + 1) * n), a * n);
    });
    const xj = design.X.subarray(j * n, (j + 1) * n);
    const buffers: DesignBuffers = {
      ...designBuffers(design),
      p: keep.length,
      X: Xr,
      y: Float64Array.from(design.y),
    };
    // Exact under a shifted response, as the fit (../fit/response-reduction.ts).
    const reduced = ensureReducedEngine(await factory(buffers), design.offset);
    let thetaPrev: Float64Array = Float64Array.from(thetaHat);
    const yShift = new Float64Array(n);
    const zeta: ZetaFunction = (value) => {
      for (let i = 0; i < n; i++) yShift[i] = (design.y[i] as number) - (xj[i] as number) * value;
      reduced.setResponse(yShift);
      const res = fitML(reduced, thetaPrev);
      thetaPrev = res.theta;
      return Math.sign(value - (solHat.beta[j] as number)) * Math.sqrt(Math.max(0, res.f - base));
    };
    const est = solHat.beta[j] as number;
    const se = Math.sqrt(vcovHat[j * p + j] as number);
    const step = se > 0 ? z * se : 0.1 * Math.max(1, Math.abs(est));
    lower.push(solveZeta(zeta, est, -1, -z, step, Number.NEGATIVE_INFINITY));
    upper.push(solveZeta(zeta, est, 1, z, step, Number.POSITIVE_INFINITY));
    reduced.dispose();
  }
  return { names, lower, upper, estimate };
}
