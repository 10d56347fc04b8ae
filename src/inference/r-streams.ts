/**
 * Where replicate k of an R-compatible bootstrap takes its normals from, so that its simulated response is the
 * one lme4's `simulate.merMod` draws in R (R's generator: ../random/r-rng.ts).
 *
 * lme4 (R/predict.R, .simulateFun) draws, for a linear mixed model, `u <- rnorm(q * nsim)` (the spherical random
 * effects of every replicate, replicate j taking u[j·q + 1 .. (j+1)·q]) and then `rnorm(n * nsim)` (the noise,
 * replicate j taking its n numbers after all of u), and returns Xβ̂ + σ̂(ZΛ̂u + ε) column by column.
 *
 * - `stream` (`set.seed(S); simulate(m0, nsim)`): one stream for all replicates. Replicate j needs normals
 *   j·q … and nsim·q + j·n … of it. Each worker keeps two generators (one for u, one for ε) and seeks them to
 *   those positions; normals take exactly two uniforms each, so seeking regenerates whole 624-word blocks
 *   without tempering them, and a backward seek (batches can reach a worker out of order) restarts from the
 *   checkpoint the generator saved every 64 blocks on its way forward. Identical for any number of workers,
 *   since every position is a function of (S, nsim, j) alone. Chosen over pre-drawing on the main thread, which
 *   would ship nsim·(q + n) numbers to the workers (5 MB for Sitka, far more for large models). Measured on
 *   Sitka, nsim = 1000 (2 shared cores, other jobs running, so rough): a fresh worker's seek to the last
 *   replicate ~35 ms (the whole stream is 1.26 M uniforms), a backward seek after that ~0.6 ms, all draws of
 *   1000 replicates in order ~50 ms; the refits take ~1 s.
 * - `perReplicate` (the lecture's loop `for (i in 1:nsim) { set.seed(K * i); simulate(m0) }`): replicate j
 *   (i = j + 1) seeds its own generator with K·i and draws q normals for u, then n for ε.
 */
import { SpruceError } from "../errors.js";
import { checkRSeed, R_INT_MAX, RRandom, type RStreamSpec } from "../random/r-rng.js";

export type { RStreamSpec } from "../random/r-rng.js";

/** A source of standard normals (RandomStream and RRandom both are). */
export interface NormalSource {
  nextNormal(): number;
  fillNormal(out: Float64Array, offset?: number, length?: number): Float64Array;
}

/** Check an R stream spec against the number of replicates: every seed must be one R's set.seed takes. */
export function checkRStreamSpec(spec: RStreamSpec, nsim: number): RStreamSpec {
  if (spec.scheme === "stream") {
    checkRSeed(spec.seed, "--seed");
    if (spec.nsim !== nsim)
      throw new SpruceError(`R stream spec is for ${spec.nsim} replicates, not ${nsim}`);
    return spec;
  }
  const k = spec.multiplier;
  if (!Number.isInteger(k) || k === 0)
    throw new SpruceError(`--r-seed-per-replicate must be a non-zero integer, got ${k}`);
  if (Math.abs(k) * nsim > R_INT_MAX)
    throw new SpruceError(
      `--r-seed-per-replicate ${k} with --nsim ${nsim}: set.seed(${k} * ${nsim}) exceeds R's largest integer ` +
        `(${R_INT_MAX}), so R itself could not run this loop`,
    );
  return spec;
}

/** Per worker: positions the generators for replicate j and hands out its u and ε sources. */
export class RReplicateDraws {
  private readonly uGen: RRandom;
  private readonly eGen: RRandom;

  constructor(
    private readonly spec: RStreamSpec,
    /** Number of spherical random effects per replicate. */
    private readonly q: number,
    /** Number of observations. */
    private readonly n: number,
  ) {
    const seed = spec.scheme === "stream" ? spec.seed : spec.multiplier;
    this.uGen = new RRandom(seed);
    this.eGen = spec.scheme === "stream" ? new RRandom(seed) : this.uGen;
  }

  /** The sources of replicate j (0-based): draw q normals from `u`, then n from `e`. */
  forReplicate(j: number): { u: NormalSource; e: NormalSource } {
    if (this.spec.scheme === "perReplicate") {
      this.uGen.setSeed(this.spec.multiplier * (j + 1));
      return { u: this.uGen, e: this.uGen };
    }
    const { nsim } = this.spec;
    if (j >= nsim) throw new SpruceError(`replicate ${j + 1} is beyond the stream's ${nsim} replicates`);
    this.uGen.seekNormal(j * this.q);
    this.eGen.seekNormal(nsim * this.q + j * this.n);
    return { u: this.uGen, e: this.eGen };
  }
}
