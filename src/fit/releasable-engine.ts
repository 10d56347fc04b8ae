/**
 * An engine that gives its wasm memory back between uses: a large model's engine (hundreds of MB of statistics,
 * factor and inverse) is released once its fit is done, and made again, on the same kernels, by the first call
 * that needs it (conditional variances, a profile, an ML refit for anova).
 *
 * Why: the kernels' memory is one wasm heap per thread, below 2 GiB, and a model that is merely dropped frees its
 * engine only when the garbage collector finalises it, which a small JavaScript object does not hurry. A caller
 * that fits a large model several times in one process (a timing loop, a simulation) ran out of wasm memory at the
 * second or third fit ("could not allocate 0.81 GiB"). A fit's numbers are already in the model when it returns;
 * what is made again costs one pass over the data (the statistics), not a fit.
 */
import type { DesignBuffers } from "../design/types.js";
import { SpruceError } from "../errors.js";
import type { PlsEngine, PlsSolution } from "./engine.js";

/**
 * From this size of an engine's block of the kernels' heap on (./wasm-engine.ts, EvaluationContext.bytes: a dense
 * trailing block's three nd×nd buffers are most of it), fitMixed releases it.
 */
export const RELEASE_AFTER_FIT_BYTES = 128 * 2 ** 20;

export interface ReleasableEngine extends PlsEngine {
  /** Dispose the engine it holds (if any); the next call makes a new one. */
  release(): void;
  /** Whether it holds an engine now. */
  readonly holding: boolean;
}

/**
 * Wraps `first`, made from `buffers`; `make` makes the same engine again from the buffers, with the response and
 * the weights last given (setResponse, setWeights), which is all the state an engine has besides its factor cache.
 */
export function releasableEngine(
  first: PlsEngine,
  make: (buffers: DesignBuffers) => PlsEngine,
): ReleasableEngine {
  let inner: PlsEngine | null = first;
  let disposed = false;
  const buffers: DesignBuffers = { ...first.buffers };
  const held = (): PlsEngine => {
    if (disposed) throw new SpruceError("this engine has been disposed");
    inner ??= make({ ...buffers });
    return inner;
  };
  return {
    buffers,
    nTheta: first.nTheta,
    get holding() {
      return inner !== null;
    },
    setResponse(y: Float64Array): void {
      held().setResponse(y);
      buffers.y = y;
    },
    setWeights(w: Float64Array): void {
      held().setWeights(w);
      buffers.weights = w;
    },
    objective: (theta: Float64Array, reml: boolean): number => held().objective(theta, reml),
    gradient: (theta: Float64Array, reml: boolean, grad: Float64Array): number =>
      held().gradient(theta, reml, grad),
    solve: (theta: Float64Array, reml: boolean): PlsSolution => held().solve(theta, reml),
    condVar: (theta: Float64Array, reml: boolean): Float64Array[] => held().condVar(theta, reml),
    release(): void {
      inner?.dispose();
      inner = null;
    },
    dispose(): void {
      inner?.dispose();
      inner = null;
      disposed = true;
    },
  };
}
