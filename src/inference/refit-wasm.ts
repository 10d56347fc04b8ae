/**
 * The bootstrap's nearby refit (the method: ./refit.ts) as one wasm call per refit (assembly/refit/nearby.ts), on
 * the engine's own context, so a replicate's two refits cross into wasm twice instead of ~20 times, and a fresh
 * worker has no JavaScript optimiser for V8 to compile before it runs at speed (issue 15: the cold bootstrap on two
 * workers). Its TypeScript form, the refit as it ran before, is the tests' reference (test/support/nearby-refit.ts):
 * test/inference/refit-wasm.test.ts holds the two to the same θ̂, objective and evaluation count, bit for bit.
 *
 * Available for every engine made by createWasmEngine, on either trailing path (a reduced-response wrapper is seen
 * through, its objective being its inner engine's); `wasmNearbyRefitFor` returns null for any other engine.
 */
import type { PlsEngine } from "../fit/engine.js";
import { innerEngine } from "../fit/response-reduction.js";
import { evaluationContext } from "../fit/wasm-engine.js";
import { DECREMENT_TOL, type NearbyRefitter, NOISE_GRADIENT, nearbyCurvature } from "./refit.js";

/** Output slots of plsNearbyRefit. */
const OUT_F = 0;
const OUT_EVALUATIONS = 1;
const OUT_SCALED_GRADIENT = 2;
const OUT_FACTORED = 3;
const OUT_LENGTH = 4;

export interface WasmNearbyRefit extends NearbyRefitter {
  /** Frees the refit's wasm scratch (the engine itself is the caller's). */
  dispose(): void;
}

export interface WasmNearbyRefitOptions {
  /** Stop when the Newton decrement is below tolerance·max(1, |f|) (default DECREMENT_TOL). */
  tolerance?: number;
  /** The curvature model to start from (n×n row-major, positive definite); default nearbyCurvature at `center`. */
  H0?: Float64Array;
}

/**
 * A wasm refit of `engine` (holding the response of the fit at `center` when this is called: the curvature is
 * measured there), with bounds `lower`; null when the engine has no wasm context.
 */
export function wasmNearbyRefitFor(
  engine: PlsEngine,
  center: Float64Array,
  lower: Float64Array,
  reml: boolean,
  options: WasmNearbyRefitOptions = {},
): WasmNearbyRefit | null {
  const ec = evaluationContext(innerEngine(engine));
  if (!ec) return null;
  const tolerance = options.tolerance ?? DECREMENT_TOL;
  const H0 = options.H0 ?? nearbyCurvature(engine, center, lower, reml);
  const { kernels, ctx } = ec;
  const n = center.length;
  const work = kernels.nearbyRefitWorkLength(n);
  // One block: H0 (n²), lower, center, θ (n each), out, then the kernel's scratch.
  const offH0 = 0;
  const offLower = n * n;
  const offCenter = offLower + n;
  const offTheta = offCenter + n;
  const offOut = offTheta + n;
  const offWork = offOut + OUT_LENGTH;
  const raw = kernels.alloc(8 * (offWork + work) + 8);
  if (!(raw > 0)) throw new Error("could not allocate wasm memory for the bootstrap's refit");
  const base = (raw + 7) & ~7;
  const at = (offset: number): number => base + 8 * offset;
  const f64 = ec.heap;
  f64().set(H0, at(offH0) / 8);
  f64().set(lower, at(offLower) / 8);
  f64().set(center, at(offCenter) / 8);
  const theta = new Float64Array(n);
  let disposed = false;
  const refit: WasmNearbyRefit = {
    n,
    theta,
    evaluations: 0,
    scaledGradient: Number.POSITIVE_INFINITY,
    run(start: Float64Array): number | null {
      const h = f64();
      h.set(start, at(offTheta) / 8);
      const out = at(offOut) / 8;
      h[out + OUT_FACTORED] = ec.holdsFactor(reml) ? 1 : 0;
      const ok = kernels.plsNearbyRefit(
        ctx,
        reml ? 1 : 0,
        n,
        at(offH0),
        at(offLower),
        at(offCenter),
        at(offTheta),
        at(offWork),
        at(offOut),
        ec.logDetW(),
        tolerance,
        NOISE_GRADIENT,
      );
      // The kernel factored at other θ than the engine last did: hand it the factor it left (a solve at θ̂ reuses it).
      const after = f64();
      if (after[out + OUT_FACTORED] === 1) ec.adoptFactor(reml);
      // Copied entry by entry: a subarray would be one more object per refit for the worker's collector.
      const t0 = at(offTheta) / 8;
      for (let i = 0; i < n; i++) theta[i] = after[t0 + i] as number;
      refit.evaluations = after[out + OUT_EVALUATIONS] as number;
      refit.scaledGradient = after[out + OUT_SCALED_GRADIENT] as number;
      return ok === 1 ? (after[out + OUT_F] as number) : null;
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      kernels.free(raw);
    },
  };
  return refit;
}
