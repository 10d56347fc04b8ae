/**
 * A small likelihood-ratio bootstrap a fresh worker runs while it waits for its real job (src/parallel/worker.ts,
 * `warmUp`), so that V8 has compiled the replicate loop before the first real replicate.
 *
 * Why: a worker starts with every JavaScript function in the interpreter. The replicate loop — drawing the
 * response, the reduced engine's setResponse, the nearby quasi-Newton refits, the general optimiser when they
 * give up — runs 3–5× slower until V8's optimising compiler has taken over, which takes a few dozen replicates
 * and compiler time. Measured on the Sitka bootstrap (CPU time, node --single-threaded so that the compiler's
 * work is counted in the worker's thread): 1000 replicates cost a cold worker ~300 ms, ~80 ms above the ~220 ms
 * of a warm one. A worker started ahead of its job (the pool's `prestart`, while the caller fits the models)
 * spends that time here.
 *
 * How many: V8 compiles in the background, so a function is only queued for TurboFan once the interpreter has run
 * it enough, and the replicate loop's largest functions are queued last (node --trace-opt on this job, one quiet
 * worker: the quasi-Newton descent and the Newton solve after ~40-56 replicates, the engine's gradient after
 * ~96; descend alone takes ~50-100 ms of compiler time). With 48 replicates (the earlier count) those compiles
 * were still ahead when a cold `spruce boot` on two workers began its replicates, and ran on the two cores the
 * workers needed (~50-100 ms of compiler threads' CPU inside the timed bootstrap, /proc/self/task). 160 leaves
 * room to queue every one of them; a worker stops earlier when its real job arrives.
 *
 * The job is the shape of a growth-curve comparison: 16 groups × 5 occasions, random intercept, slope and
 * curvature per group, 3 fixed effects under the null and 6 under the alternative. Its numbers are thrown away;
 * JIT compilation never changes what a function computes, so the real job's results do not depend on it.
 */
import type { LrtJobSpec, ModelSpec } from "../parallel/protocol.js";
import { RandomStream } from "../random/stream.js";
import { ResponseSimulator } from "./simulate.js";

const GROUPS = 16;
const OCCASIONS = 5;
/** Relative covariance factor of (1 + t + t² | g), lower triangle column by column. */
const THETA = [0.8, 0.1, -0.05, 0.3, 0.02, 0.1];
const SIGMA = 0.3;
const BETA_NULL = [4, 0.5, -0.05];
const BETA_ALT = [4, 0.5, -0.05, 0.1, 0.02, 0];

/** Replicates a worker runs to warm up (it stops earlier when its real job arrives). */
export const WARM_UP_REPLICATES = 160;

function model(X: Float64Array, p: number, z: Float64Array, refs: Int32Array, beta: number[]): ModelSpec {
  const n = GROUPS * OCCASIONS;
  return {
    buffers: { n, p, y: new Float64Array(n), X, terms: [{ nlevels: GROUPS, p: 3, refs, z }] },
    theta: Float64Array.from(THETA),
    beta: Float64Array.from(beta),
    sigma: SIGMA,
  };
}

/** The warm-up job (seed fixed: the same work in every worker). */
export function warmUpJobSpec(): LrtJobSpec {
  const n = GROUPS * OCCASIONS;
  const refs = new Int32Array(n);
  const z = new Float64Array(3 * n);
  const Xalt = new Float64Array(6 * n);
  for (let g = 0; g < GROUPS; g++)
    for (let o = 0; o < OCCASIONS; o++) {
      const i = g * OCCASIONS + o;
      const t = o / 2 - 1;
      const treat = g % 2;
      refs[i] = g;
      z.set([1, t, t * t], 3 * i);
      [1, t, t * t, treat, treat * t, treat * t * t].forEach((v, j) => {
        Xalt[j * n + i] = v;
      });
    }
  const m0 = model(Xalt.slice(0, 3 * n), 3, z, refs, BETA_NULL);
  const m1 = model(Xalt, 6, z, refs, BETA_ALT);
  // The refits measure their curvature at the start on the engine's response: give them a draw of the null model.
  const y = new ResponseSimulator(m0.buffers, m0.theta, m0.beta, m0.sigma).simulate(
    new RandomStream(1, 0),
    new Float64Array(n),
  );
  m0.buffers.y = y;
  m1.buffers.y = y;
  return { kind: "lrt", seed: 1, null: m0, alt: m1 };
}
