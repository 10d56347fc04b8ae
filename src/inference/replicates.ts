/**
 * The per-replicate work of the parametric bootstraps, run inside workers (or on the calling thread).
 *
 * Set-up happens once per worker: one engine per model (its ZᵀZ, ZᵀX, XᵀX computed once), one simulator, one
 * response buffer. A replicate then only draws y*, calls `setResponse(y*)` (Zᵀy, Xᵀy, yᵀy recomputed) and
 * re-optimises θ starting from the estimate of the model that generated the data:
 * - likelihood-ratio bootstrap: the null model restarts at its own θ̂ (the truth of the simulation), the
 *   alternative at its own θ̂ (the alternative's fit to the observed data: the natural start for the larger model,
 *   and what `refit()` in lme4 does too — it starts every refit at the fitted model's θ);
 * - parameter bootstrap: the model restarts at its θ̂.
 * The refit itself is the nearby refit (./refit.ts: quasi-Newton started with the curvature at θ̂, ~9 evaluations
 * per Sitka refit instead of ~22; one wasm call, ./refit-wasm.ts), with the general optimiser as fallback. Per
 * replicate nothing is allocated but the result row (the parameter bootstrap's final `solve` returns a fresh
 * solution object).
 */
import { thetaLowerBounds } from "../design/types.js";
import { LME4_GRADIENT_TOLERANCE } from "../fit/constants.js";
import type { PlsEngine } from "../fit/engine.js";
import { minimizeBounded } from "../fit/optimize.js";
import { createReducedEngine } from "../fit/response-reduction.js";
import type { EngineFactory, ReplicateJob } from "../parallel/job.js";
import type { JobSpec, LrtJobSpec, ParamsJobSpec } from "../parallel/protocol.js";
import { RandomStream } from "../random/stream.js";
import { RReplicateDraws } from "./r-streams.js";
import { DECREMENT_TOL } from "./refit.js";
import { wasmNearbyRefitFor } from "./refit-wasm.js";
import { ResponseSimulator } from "./simulate.js";

/**
 * Values per likelihood-ratio replicate: T* = d0 − d1, the two deviances, and 1 when both refits converged (else
 * 0). The LMM bootstrap, the GLMM bootstrap and power by simulation all write this record (writeLrtRecord), and
 * their readers (bootstrap.ts, power.ts) index it by this width.
 */
export const LRT_WIDTH = 4;

/** Writes one likelihood-ratio replicate's record at out[offset .. offset + LRT_WIDTH). */
export function writeLrtRecord(
  out: Float64Array,
  offset: number,
  d0: number,
  d1: number,
  converged: boolean,
): void {
  out[offset] = d0 - d1;
  out[offset + 1] = d0;
  out[offset + 2] = d1;
  out[offset + 3] = converged ? 1 : 0;
}

/**
 * Evaluation budget of a refit that falls back to the general optimiser. The cap only bounds the rare refit that
 * would wander into its derivative-free phase (hundreds of evaluations). The best point seen is kept, so the
 * result is never worse, and the replicate is flagged unconverged when its projected gradient stays above 2e-3.
 */
export const REFIT_MAX_EVALUATIONS = 200;

/**
 * lme4's convergence tolerance (checkConv: max |scaled gradient| = max |L⁻¹g|, H = LLᵀ, below 0.002): above it a
 * refit is reported as not converged (and kept, as lme4 keeps it with a warning).
 */
const CONVERGED_GRADIENT = LME4_GRADIENT_TOLERANCE;

export interface Refit {
  /** Optimise from the start θ for the engine's current response; returns the objective at the optimum. */
  (): number;
  /** θ̂ of the last refit. */
  readonly theta: Float64Array;
  /** Whether the last refit converged (lme4's scaled-gradient check, or the general optimiser's). */
  converged: boolean;
  /** Refits so far that needed the general optimiser. */
  fallbacks: number;
  /** Frees what the refit holds outside the JavaScript heap (its wasm scratch). */
  dispose(): void;
}

/**
 * A refitter bound to one engine and one start θ̂: re-optimises θ for the engine's current response. It must be
 * created while the engine still holds the response the start was fitted to (the curvature is measured there).
 * The fast path is the nearby refit (./refit.ts), in wasm on the engine's context (./refit-wasm.ts); the general
 * optimiser takes over when it gives up, and does every refit of an engine without a wasm context (none in the
 * package: its engines are createWasmEngine's).
 */
export function makeRefit(
  engine: PlsEngine,
  start: Float64Array,
  reml: boolean,
  tolerance = DECREMENT_TOL,
): Refit {
  const lower = thetaLowerBounds(engine.buffers);
  const theta = new Float64Array(start.length);
  const nearby = wasmNearbyRefitFor(engine, start, lower, reml, { tolerance });
  const objective = (x: Float64Array, grad: Float64Array | null): number =>
    grad ? engine.gradient(x, reml, grad) : engine.objective(x, reml);
  const refit = (() => {
    const f = nearby ? nearby.run(start) : null;
    if (nearby && f !== null) {
      theta.set(nearby.theta);
      refit.converged = nearby.scaledGradient <= CONVERGED_GRADIENT;
      return f;
    }
    refit.fallbacks++;
    const result = minimizeBounded(objective, start, { lower, maxEvaluations: REFIT_MAX_EVALUATIONS });
    if (!Number.isFinite(result.f)) throw new Error(`refit failed: ${result.message}`);
    theta.set(result.x);
    refit.converged = result.converged;
    return result.f;
  }) as Refit;
  Object.defineProperty(refit, "theta", { value: theta });
  refit.converged = true;
  refit.fallbacks = 0;
  refit.dispose = () => nearby?.dispose();
  return refit;
}

/** Simulates replicate `index` into y: from Philox stream (seed, index), or as R would (spec.rStream). */
function replicateDraws(
  seed: number,
  rStream: LrtJobSpec["rStream"],
  simulator: ResponseSimulator,
): (index: number, y: Float64Array) => void {
  if (rStream) {
    const draws = new RReplicateDraws(rStream, simulator.q, simulator.n);
    return (index, y) => {
      const { u, e } = draws.forReplicate(index);
      simulator.simulateFrom(u, e, y);
    };
  }
  const rng = new RandomStream(seed);
  return (index, y) => {
    simulator.simulate(rng.reset(index), y);
  };
}

function lrtJob(spec: LrtJobSpec, createEngine: EngineFactory): ReplicateJob {
  const m0 = spec.null;
  const m1 = spec.alt;
  if (m0.buffers.n !== m1.buffers.n)
    throw new Error("lrt job: the two models have different numbers of observations");
  const simulator = new ResponseSimulator(m0.buffers, m0.theta, m0.beta, m0.sigma);
  const e0 = createReducedEngine(m0.buffers, createEngine, m0.xtx);
  const e1 = createReducedEngine(m1.buffers, createEngine, m1.xtx);
  const refit0 = makeRefit(e0, m0.theta, false);
  const refit1 = makeRefit(e1, m1.theta, false);
  const draw = replicateDraws(spec.seed, spec.rStream, simulator);
  const y = new Float64Array(m0.buffers.n);
  return {
    width: LRT_WIDTH,
    run(index, out, offset) {
      draw(index, y);
      e0.setResponse(y);
      e1.setResponse(y);
      const d0 = refit0();
      const d1 = refit1();
      writeLrtRecord(out, offset, d0, d1, refit0.converged && refit1.converged);
    },
    dispose() {
      refit0.dispose();
      refit1.dispose();
      e0.dispose();
      e1.dispose();
    },
  };
}

/** Newton-decrement tolerance of the parameter bootstrap: θ to the objective's rounding noise (the LRT default leaves ~1e-5). */
const PARAMETER_TOLERANCE = 1e-14;

/** Values per parameter-bootstrap replicate: β (p), σ, θ (nθ), converged flag. */
export function paramsWidth(p: number, nTheta: number): number {
  return p + nTheta + 2;
}

function paramsJob(spec: ParamsJobSpec, createEngine: EngineFactory): ReplicateJob {
  const m = spec.model;
  const simulator = new ResponseSimulator(m.buffers, m.theta, m.beta, m.sigma);
  const engine = createReducedEngine(m.buffers, createEngine, m.xtx);
  // The estimates themselves are the output here: optimise to the rounding noise of the objective.
  const refit = makeRefit(engine, m.theta, spec.reml, PARAMETER_TOLERANCE);
  const draw = replicateDraws(spec.seed, spec.rStream, simulator);
  const y = new Float64Array(m.buffers.n);
  const p = m.buffers.p;
  const nTheta = m.theta.length;
  return {
    width: paramsWidth(p, nTheta),
    run(index, out, offset) {
      draw(index, y);
      engine.setResponse(y);
      refit();
      const sol = engine.solve(refit.theta, spec.reml);
      out.set(sol.beta, offset);
      out[offset + p] = sol.sigma;
      out.set(refit.theta, offset + p + 1);
      out[offset + p + 1 + nTheta] = refit.converged ? 1 : 0;
    },
    dispose() {
      refit.dispose();
      engine.dispose();
    },
  };
}

/** The builder the pool's workers use for model jobs. */
export function buildModelJob(spec: JobSpec, createEngine: EngineFactory): ReplicateJob {
  if (spec.kind === "lrt") return lrtJob(spec, createEngine);
  if (spec.kind === "params") return paramsJob(spec, createEngine);
  throw new Error(`not a model job: ${spec.kind}`);
}
