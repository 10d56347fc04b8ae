/**
 * The per-replicate work of power by simulation, run inside workers (or on the calling thread): replicate i draws
 * y* from random stream (seed, i) under the alternative (the tested coefficient set to the assumed effect), refits
 * the model without and with the tested column by ML and returns T* = d0 − d1 (tested against χ²₁ by the caller).
 *
 * The refits are the bootstrap's (./replicates.ts makeRefit), started from the fitted model's ML θ̂; their
 * starting curvature is measured once per worker on the design's own response (the observed data, copied with
 * the groups when the design was extended), so a replicate's result depends on (spec, i) only.
 */
import type { EngineFactory, ReplicateJob } from "../parallel/job.js";
import type { PowerJobSpec } from "../parallel/protocol.js";
import { RandomStream } from "../random/stream.js";
import { LRT_WIDTH, makeRefit, writeLrtRecord } from "./replicates.js";
import { ResponseSimulator } from "./simulate.js";

/** Values per power replicate: the likelihood-ratio record (replicates.ts writeLrtRecord). */
export const POWER_WIDTH = LRT_WIDTH;

export function powerJob(spec: PowerJobSpec, createEngine: EngineFactory): ReplicateJob {
  const { alt, nullBuffers } = spec;
  if (nullBuffers.n !== alt.buffers.n)
    throw new Error("power job: the two models have different numbers of observations");
  const simulator = new ResponseSimulator(alt.buffers, alt.theta, alt.beta, alt.sigma);
  const e0 = createEngine(nullBuffers);
  const e1 = createEngine(alt.buffers);
  const refit0 = makeRefit(e0, spec.start, false);
  const refit1 = makeRefit(e1, spec.start, false);
  const rng = new RandomStream(spec.seed);
  const y = new Float64Array(alt.buffers.n);
  return {
    width: POWER_WIDTH,
    run(index, out, offset) {
      simulator.simulate(rng.reset(index), y);
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
