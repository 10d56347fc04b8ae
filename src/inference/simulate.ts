/**
 * Simulating responses from a fitted model: y* = offset + Xβ̂ + σ̂(ZΛ̂u* + ε*), u* and ε* standard normal (lme4's
 * `simulate.merMod`). Λ_θ is relative to σ: b = Λ_θ u with u ~ N(0, σ²I), so Var(b) = σ² Λ_θ Λ_θᵀ.
 *
 * Draw order inside one replicate's random stream (fixed, so a replicate is reproducible from (seed, k) alone):
 * first u*, term by term in design order and level-major inside a term (p_t numbers per level), then ε*, one per
 * observation. Replicate k of `simulate(model, { seed })` is therefore exactly the response that replicate k of
 * `bootstrapLRT`/`bootstrap` with the same seed refits.
 *
 * Prior weights (src/design/weights.ts): ε*ᵢ has variance σ̂²/wᵢ, as the model says (lme4 1.1-31's simulate ignores
 * prior weights with a warning). A zero-weight observation gets no residual noise (its value cannot change a fit:
 * its weight multiplies it away); its normal is still drawn, so the stream's order does not depend on the weights.
 *
 * Λ is block diagonal with the lower-triangular template T_t of each term repeated per level, so b = Λu is, per
 * level g of term t, b_g = σ̂ T_t u*_g, and (Zb)_i = Σ_t Σ_j z_t[i, j] · b_{t, refs_t[i], j}.
 */
import { addOffset, addRandomPart, fixedPart } from "../design/linear-predictor.js";
import { templateSize, termOffsets, thetaTemplates } from "../design/theta.js";
import type { DesignBuffers } from "../design/types.js";
import { SpruceError } from "../errors.js";
import { R_INT_MAX } from "../random/r-rng.js";
import { checkSeed, RandomStream, randomSeed } from "../random/stream.js";
import { checkRStreamSpec, type NormalSource, RReplicateDraws } from "./r-streams.js";

/** What simulating (and refitting) needs from a fitted model: its design buffers and its estimates. */
export interface ModelParameters {
  buffers: DesignBuffers;
  /** θ in design order (lme4's). */
  theta: Float64Array;
  /** β̂ in the order of the columns of X. */
  beta: Float64Array;
  sigma: number;
}

/**
 * Simulates responses from fixed parameters without allocating per replicate: the fixed part Xβ̂ and the
 * templates T_t (dense p_t×p_t, row-major) are computed once.
 */
export class ResponseSimulator {
  readonly n: number;
  /** Number of spherical random effects q = Σ ℓ_t p_t. */
  readonly q: number;
  private readonly mean: Float64Array;
  private readonly templates: Float64Array[];
  private readonly u: Float64Array;
  private readonly b: Float64Array;
  /** The standard normals of ε*, drawn at once (fillNormal: no number boxed on its way, see src/random/stream.ts). */
  private readonly e: Float64Array;
  private readonly offsets: number[];
  /** σ̂/√wᵢ per observation, with prior weights (undefined without: σ̂ for all). */
  private readonly noiseSd: Float64Array | undefined;

  constructor(
    private readonly buffers: DesignBuffers,
    theta: Float64Array,
    beta: Float64Array,
    private readonly sigma: number,
  ) {
    const { n, p, X, terms } = buffers;
    const nTheta = terms.reduce((s, t) => s + templateSize(t.p), 0);
    if (theta.length !== nTheta)
      throw new SpruceError(
        `simulate: θ has ${theta.length} entries, the random-effects terms need ${nTheta}`,
      );
    if (beta.length !== p)
      throw new SpruceError(`simulate: β has ${beta.length} entries, X has ${p} columns`);
    if (!(sigma >= 0) || !Number.isFinite(sigma))
      throw new SpruceError(`simulate: σ must be finite and ≥ 0, got ${sigma}`);
    this.n = n;
    // lme4's simulate draws around predict(re.form = NA): the offset() terms are part of the mean.
    this.mean = addOffset(fixedPart(n, X, beta), buffers.offset);
    this.templates = thetaTemplates(terms, theta);
    this.offsets = termOffsets(terms);
    const q = this.offsets[terms.length] as number;
    this.q = q;
    this.noiseSd = buffers.weights?.map((w) => (w > 0 ? sigma / Math.sqrt(w) : 0));
    this.u = new Float64Array(q);
    this.b = new Float64Array(q);
    this.e = new Float64Array(n);
  }

  /** Fill `out` (length n) with one simulated response drawn from `rng` (from its current position). */
  simulate(rng: NormalSource, out: Float64Array): Float64Array {
    return this.simulateFrom(rng, rng, out);
  }

  /**
   * Fill `out` with one simulated response whose spherical random effects u* come from `uSource` (q normals) and
   * whose noise ε* comes from `eSource` (n normals); lme4's one-stream simulate(nsim) draws them far apart.
   */
  simulateFrom(uSource: NormalSource, eSource: NormalSource, out: Float64Array): Float64Array {
    const { n, terms } = this.buffers;
    const { u, b, e, mean } = this;
    uSource.fillNormal(u, 0, this.q);
    for (let ti = 0; ti < terms.length; ti++) {
      const t = terms[ti] as DesignBuffers["terms"][number];
      const T = this.templates[ti] as Float64Array;
      const off = this.offsets[ti] as number;
      const p = t.p;
      for (let g = 0; g < t.nlevels; g++) {
        const base = off + g * p;
        for (let r = 0; r < p; r++) {
          let v = 0;
          for (let c = 0; c <= r; c++) v += (T[r * p + c] as number) * (u[base + c] as number);
          b[base + r] = this.sigma * v;
        }
      }
    }
    // Prior weights: observation i has noise sd σ/√wᵢ (0 for a zero weight).
    eSource.fillNormal(e, 0, n);
    const sd = this.noiseSd;
    if (sd) for (let i = 0; i < n; i++) out[i] = (mean[i] as number) + (sd[i] as number) * (e[i] as number);
    else for (let i = 0; i < n; i++) out[i] = (mean[i] as number) + this.sigma * (e[i] as number);
    addRandomPart(out, terms, b, this.offsets);
    return out;
  }

  /** offset + Xβ̂, the mean of every simulated response (a view; do not modify). */
  get fixedPart(): Float64Array {
    return this.mean;
  }
}

export interface SimulateOptions {
  /** Number of responses (default 1). */
  nsim?: number;
  /** Seed of the Philox streams; random (and reported) when omitted. With rng "r": R's set.seed(seed). */
  seed?: number;
  /**
   * "philox" (default) or "r": R's generator in lme4's order, so that the responses are R's
   * `set.seed(seed); simulate(model, nsim)` (up to the difference between the two fits' estimates).
   */
  rng?: "philox" | "r";
}

export interface SimulationResult {
  seed: number;
  /** nsim responses of length n; response k comes from random stream (seed, k). */
  responses: Float64Array[];
}

/** Check nsim: a positive integer. */
export function checkNsim(nsim: number): number {
  if (!Number.isSafeInteger(nsim) || nsim < 1)
    throw new SpruceError(`nsim must be a positive integer, got ${nsim}`);
  return nsim;
}

/** Simulate `nsim` responses from the parameters of a fitted model (see the module comment for the draw order). */
export function simulateResponses(params: ModelParameters, options: SimulateOptions = {}): SimulationResult {
  const nsim = checkNsim(options.nsim ?? 1);
  const sim = new ResponseSimulator(params.buffers, params.theta, params.beta, params.sigma);
  if (options.rng === "r") {
    const seed = options.seed ?? randomSeed() % R_INT_MAX;
    const draws = new RReplicateDraws(checkRStreamSpec({ scheme: "stream", seed, nsim }, nsim), sim.q, sim.n);
    const responses: Float64Array[] = [];
    for (let k = 0; k < nsim; k++) {
      const { u, e } = draws.forReplicate(k);
      responses.push(sim.simulateFrom(u, e, new Float64Array(sim.n)));
    }
    return { seed, responses };
  }
  if (options.rng !== undefined && options.rng !== "philox")
    throw new SpruceError(`rng must be "philox" or "r", got "${options.rng}"`);
  const seed = options.seed === undefined ? randomSeed() : checkSeed(options.seed);
  const rng = new RandomStream(seed);
  const responses: Float64Array[] = [];
  for (let k = 0; k < nsim; k++) responses.push(sim.simulate(rng.reset(k), new Float64Array(sim.n)));
  return { seed, responses };
}
