/**
 * Exactness under a shifted response: the engine never sees y itself, only y' = y − Xβ₀, where β₀ is a
 * least-squares fit of y on the fixed effects. β̂ = β₀ + β̂', and nothing else changes (θ̂, σ̂, b̂, the objective and
 * Var(β̂) depend on y only through y − Xβ for any β).
 *
 * Why: the kernels accumulate the sufficient statistics (yᵀy, Xᵀy, Zᵀy) about zero and the penalised residual sum
 * of squares is their difference, so a response like `Reaction + 1e12` loses every digit of the residuals to
 * cancellation (issue 18: wrong variances, a residual SD of 0.001, "the fixed effects reproduce the response
 * exactly"). y' is of the size of the residuals whatever the shift, with or without an intercept.
 *
 * β₀ need not be the exact least-squares solution: y' only has to be small, and the engine's own fit of y' is exact
 * for any β₀ (the change of variables β = β₀ + β' is linear). So the normal equations (Cholesky of XᵀX, one pass
 * over X for the Gram matrix, half the cost of a Householder QR) followed by one step of iterative refinement on the
 * residual are enough: the refinement takes the error of β₀ from κ(X)²·ε·|y| down to κ(X)²·ε·|r|. If XᵀX is not
 * numerically positive definite β₀ = 0 (the engine then sees y, as before).
 *
 * Offsets (R's offset() terms, `buffers.offset`) are taken out here too: the engine fits y − offset − Xβ₀, as lme4's
 * response module fits y − offset. Every response given to the wrapper (the data's, a bootstrap's simulated one,
 * refit()'s) is on the original scale, offset included, so refits and replicates see the offset without knowing it.
 */
import type { DesignBuffers } from "../design/types.js";
import type { PlsEngine, PlsSolution } from "./engine.js";
import { ResponseReduction } from "./least-squares.js";

export { ResponseReduction };

/** The engine a reduced-response engine wraps, for the tests. */
const innerOf = new WeakMap<PlsEngine, PlsEngine>();
/** The wrapper made for an engine given by the caller, so that one engine is never reduced twice. */
const wrapperOf = new WeakMap<PlsEngine, PlsEngine>();

/** Whether `engine` already fits a reduced response (made here). */
export function isReducedEngine(engine: PlsEngine): boolean {
  return innerOf.has(engine);
}

/** The engine that actually holds y' (for tests and diagnostics of the kernels). */
export function innerEngine(engine: PlsEngine): PlsEngine {
  return innerOf.get(engine) ?? engine;
}

/**
 * Build an engine through `factory` on the reduced response, and return it wrapped: its `buffers.y` is the
 * original response, `setResponse` takes original responses, and `solve` reports β̂ on the original scale.
 * `xtx`: XᵀX of buffers.X when already formed (the design's, src/design/types.ts), so it is not formed again.
 */
export function createReducedEngine(
  buffers: DesignBuffers,
  factory: (buffers: DesignBuffers) => PlsEngine,
  xtx?: Float64Array,
): PlsEngine {
  const reduction = new ResponseReduction(buffers.X, buffers.n, buffers.p, xtx);
  const yReduced = new Float64Array(buffers.n);
  const beta0 = reduction.reduce(withoutOffset(buffers.y, buffers.offset), yReduced);
  const inner = factory(innerBuffers(buffers, yReduced));
  return wrap(inner, reduction, buffers, beta0);
}

/** y − offset (a new array), or y itself without an offset. */
function withoutOffset(y: Float64Array, offset: Float64Array | undefined, out?: Float64Array): Float64Array {
  if (!offset) return y;
  const r = out ?? new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) r[i] = (y[i] as number) - (offset[i] as number);
  return r;
}

/** The inner engine's buffers: the reduced response, and no offset (already taken out of it). */
function innerBuffers(buffers: DesignBuffers, y: Float64Array): DesignBuffers {
  const { offset: _offset, ...rest } = buffers;
  return { ...rest, y };
}

/** Async variant of createReducedEngine (the factories that load kernels first). */
export async function createReducedEngineAsync(
  buffers: DesignBuffers,
  factory: (buffers: DesignBuffers) => Promise<PlsEngine>,
  xtx?: Float64Array,
): Promise<PlsEngine> {
  const reduction = new ResponseReduction(buffers.X, buffers.n, buffers.p, xtx);
  const yReduced = new Float64Array(buffers.n);
  const beta0 = reduction.reduce(withoutOffset(buffers.y, buffers.offset), yReduced);
  const inner = await factory(innerBuffers(buffers, yReduced));
  return wrap(inner, reduction, buffers, beta0);
}

/**
 * An engine given by the caller (it holds the original response): wrapped once, its response then replaced by the
 * reduced one. Later calls with the same engine return the same wrapper. `offset`: the design's offset, when the
 * engine's buffers may lack it (an engine built from other buffers); default the engine's own `buffers.offset`.
 */
export function ensureReducedEngine(engine: PlsEngine, offset?: Float64Array): PlsEngine {
  if (innerOf.has(engine)) return engine;
  const known = wrapperOf.get(engine);
  if (known) return known;
  const buffers = engine.buffers;
  const reduction = new ResponseReduction(buffers.X, buffers.n, buffers.p);
  const y = Float64Array.from(buffers.y);
  const off = offset ?? buffers.offset;
  const original: DesignBuffers = { ...buffers, y };
  if (off) original.offset = off;
  const wrapper = wrap(engine, reduction, original, new Float64Array(buffers.p));
  wrapper.setResponse(y);
  wrapperOf.set(engine, wrapper);
  return wrapper;
}

function wrap(
  inner: PlsEngine,
  reduction: ResponseReduction,
  original: DesignBuffers,
  initialBeta0: Float64Array,
): PlsEngine {
  const buffers: DesignBuffers = { ...original };
  // The reduced responses handed to the inner engine, which keeps the last one (its buffers.y): two arrays taking
  // turns, so the one it holds is never written. (A fresh copy per call was 3 KB per model per bootstrap replicate
  // on Sitka, and the scavenges that garbage caused in the workers.)
  const reduced = [new Float64Array(reduction.n), new Float64Array(reduction.n)] as const;
  // β₀ of the response the inner engine holds (solve adds it to a new β̂), and the next response's, which becomes
  // it only once the inner engine has taken that response: one it refuses leaves the pair as it was.
  const beta0 = initialBeta0;
  const nextBeta0 = new Float64Array(beta0.length);
  const offset = original.offset;
  const addBeta0 = (s: PlsSolution): PlsSolution => {
    const beta = Float64Array.from(s.beta, (b, j) => b + (beta0[j] as number));
    return { ...s, beta };
  };
  const engine: PlsEngine = {
    buffers,
    nTheta: inner.nTheta,
    setResponse(y: Float64Array): void {
      const next = inner.buffers.y === reduced[0] ? reduced[1] : reduced[0];
      reduction.reduce(withoutOffset(y, offset, next), next, nextBeta0);
      inner.setResponse(next);
      beta0.set(nextBeta0);
      buffers.y = y;
    },
    // The reduction y − Xβ₀ is exact whatever the weights (the model is linear in β), so new weights go straight
    // to the inner engine, which recomputes its weighted statistics from the reduced response it holds.
    setWeights(w: Float64Array): void {
      inner.setWeights(w);
      buffers.weights = w;
    },
    objective: (theta, reml) => inner.objective(theta, reml),
    gradient: (theta, reml, grad) => inner.gradient(theta, reml, grad),
    solve: (theta, reml) => addBeta0(inner.solve(theta, reml)),
    condVar: (theta, reml) => inner.condVar(theta, reml),
    dispose: () => inner.dispose(),
  };
  innerOf.set(engine, inner);
  return engine;
}
