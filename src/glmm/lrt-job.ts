/**
 * The per-replicate work of the GLMM likelihood-ratio bootstrap, inside a worker (or on the calling thread): the
 * "glmm-lrt" job of the pool (src/parallel/protocol.ts).
 *
 * Set-up, once per worker: the family, two PLS engines per model (the u-only one PIRLS runs on at fixed β, and the
 * joint one the general fit needs), the null model's fixed part offset + Xβ̂₀, one response buffer. Replicate k:
 * - draws from Philox stream (seed, k) exactly as `GeneralizedLinearMixedModel.drawResponse` does: u* ~ N(0, I)
 *   (q normals), then each yᵢ from the family at μᵢ = g⁻¹(offsetᵢ + xᵢβ̂₀ + (ZΛ₀u*)ᵢ);
 * - refits both models from their own estimates with GlmmNearbyRefit (./nearby-refit.ts), falling back to the
 *   general two-stage fit (./fit-glmm.ts, started at the fitted θ̂ as lme4's refit) when it gives up;
 * - writes T* = d0 − d1, d0, d1 and 1 when both refits converged (the LMM job's four values, src/inference/
 *   replicates.ts), so the report of the LMM bootstrap applies unchanged.
 * Nothing carries over between replicates, so replicate k's values depend only on (spec, k).
 */
import { thetaLowerBounds } from "../design/types.js";
import type { PlsEngine } from "../fit/engine.js";
import { LRT_WIDTH, writeLrtRecord } from "../inference/replicates.js";
import type { EngineFactory, ReplicateJob } from "../parallel/job.js";
import type { GlmmLrtJobSpec, GlmmModelSpec } from "../parallel/protocol.js";
import { RandomStream } from "../random/stream.js";
import { gaussHermite } from "./agq.js";
import { type Family, makeFamily } from "./family.js";
import { criterionAt, deriv12, fitGlmmData, type GlmmEngines } from "./fit-glmm.js";
import { GlmmNearbyRefit } from "./nearby-refit.js";
import { addZLambdaU, type GlmmData, logNormaliserOf, type PirlsState, pirls } from "./pirls.js";

/** lme4's convergence tolerance on the scaled gradient (checkConv). */
const CONVERGED_GRADIENT = 2e-3;

/** One model's refitter: the criterion −2 log L at the replicate's response, minimised from the fit's estimates. */
class ModelRefit {
  readonly engines: GlmmEngines;
  readonly nTheta: number;
  readonly start: Float64Array;
  readonly nearby: GlmmNearbyRefit | null;
  readonly rule: ReturnType<typeof gaussHermite> | null;
  converged = true;
  /** Refits that needed the general fit. */
  fallbacks = 0;

  constructor(
    readonly spec: GlmmModelSpec,
    readonly family: Family,
    readonly nAGQ: number,
    createEngine: EngineFactory,
    /** Where the refits start from by default, and the curvature there (default: the fit's estimates and Hessian). */
    center?: { x: Float64Array; y: Float64Array },
  ) {
    const { n, p, X, terms } = spec;
    const ones = new Float64Array(n).fill(1);
    const zeros = new Float64Array(n);
    let joint: PlsEngine | null = null;
    const uOnlyBuffers = { n, p: 0, y: zeros, X: new Float64Array(0), terms, weights: ones };
    const uOnly = createEngine(uOnlyBuffers);
    try {
      const jointBuffers = { n, p, y: zeros, X, terms, weights: ones };
      joint = createEngine(jointBuffers);
    } catch (e) {
      uOnly.dispose();
      throw e;
    }
    this.engines = { joint, uOnly };
    this.nTheta = spec.theta.length;
    this.start = new Float64Array(this.nTheta + p);
    this.start.set(spec.theta);
    this.start.set(spec.beta, this.nTheta);
    this.rule = nAGQ > 1 ? gaussHermite(nAGQ) : null;
    // nAGQ = 0 has no second stage (β stays inside PIRLS): its refit is the general one, θ only.
    let hessian = nAGQ > 0 ? spec.hessian : undefined;
    if (center && nAGQ > 0) {
      // The curvature at the given centre, with the observed response (lme4's deriv12, as the fit's own Hessian).
      hessian = deriv12(this.criterion(this.data(center.y)), center.x).H;
      this.start.set(center.x);
    }
    const diagonals = Array.from(thetaLowerBounds({ terms }), (l, i) => (l === 0 ? i : -1)).filter(
      (i) => i >= 0,
    );
    this.nearby = hessian ? new GlmmNearbyRefit(hessian, this.start.length, diagonals) : null;
  }

  /** The model's data with the replicate's response. */
  data(y: Float64Array): GlmmData {
    const { n, p, X, terms, pw, offset } = this.spec;
    const { family } = this;
    return { family, n, p, y, pw, offset, X, terms, logNormaliser: logNormaliserOf(family, y, pw) };
  }

  /** (θ, β) at the end of the last refit by the nearby method (valid when it did not fall back). */
  get solution(): Float64Array | null {
    return this.nearby?.x ?? null;
  }

  /** −2 log L at the optimum for the response in `data`, from `start` (default: the fit's estimates). */
  refit(data: GlmmData, start: Float64Array = this.start): number {
    if (this.nearby) {
      const f = this.nearby.run(this.criterion(data), start);
      if (f !== null) {
        this.converged = this.nearby.scaledGradient <= CONVERGED_GRADIENT;
        return f;
      }
    }
    this.fallbacks++;
    const r = fitGlmmData(data, this.engines, this.nAGQ, { hessian: false, startTheta: this.spec.theta });
    if (!Number.isFinite(r.objective)) throw new Error("GLMM refit failed: non-finite criterion");
    this.converged = r.converged;
    return r.objective;
  }

  /** The criterion over (θ, β) with u-only PIRLS, warm-started from the last converged modes of this refit. */
  criterion(data: GlmmData): (x: Float64Array) => number {
    const { nTheta, engines, nAGQ, rule } = this;
    const q = this.spec.terms.reduce((s, t) => s + t.nlevels * t.p, 0);
    const cold = { beta: this.spec.beta, u: new Float64Array(q) };
    let last: PirlsState | null = null;
    return (x) => {
      const theta = x.slice(0, nTheta);
      const beta = x.slice(nTheta);
      let s: PirlsState;
      try {
        try {
          s = pirls(data, engines.uOnly, theta, beta, last ?? cold);
        } catch (e) {
          if (last === null) throw e;
          s = pirls(data, engines.uOnly, theta, beta, cold);
        }
        last = s;
        return criterionAt(data, s, nAGQ, rule);
      } catch {
        return Number.POSITIVE_INFINITY;
      }
    };
  }

  dispose(): void {
    this.engines.joint.dispose();
    this.engines.uOnly.dispose();
  }
}

export function glmmLrtJob(spec: GlmmLrtJobSpec, createEngine: EngineFactory): ReplicateJob {
  const m0 = spec.null;
  const m1 = spec.alt;
  if (m0.n !== m1.n) throw new Error("glmm-lrt job: the two models have different numbers of observations");
  const family = makeFamily(spec.family, spec.link);
  const r0 = new ModelRefit(m0, family, spec.nAGQ, createEngine);
  const embed = spec.embed;
  const start1 = new Float64Array(m1.theta.length + m1.p);
  const embedded = (x0: Float64Array): Float64Array => {
    for (let i = 0; i < start1.length; i++) {
      const j = (embed as Int32Array)[i] as number;
      start1[i] = j >= 0 ? (x0[j] as number) : 0;
    }
    return start1;
  };
  let r1: ModelRefit;
  try {
    // The alternative's refits start near the null's optimum (where null-simulated data put it): its curvature is
    // measured at the null's estimates inside it, where the fitted probabilities are the null's, not the
    // alternative's (on cbpp the alternative's own Hessian is 2–3× off there, and the refit needs twice the steps).
    const center = embed && m0.y ? { x: Float64Array.from(embedded(r0.start)), y: m0.y } : undefined;
    r1 = new ModelRefit(m1, family, spec.nAGQ, createEngine, center);
  } catch (e) {
    r0.dispose();
    throw e;
  }
  const n = m0.n;
  const q = m0.terms.reduce((s, t) => s + t.nlevels * t.p, 0);
  // offset + Xβ̂₀, summed in the order of the model's predict(), which drawResponse uses.
  const fixed = Float64Array.from(m0.offset);
  for (let j = 0; j < m0.p; j++)
    for (let i = 0; i < n; i++)
      fixed[i] = (fixed[i] as number) + (m0.beta[j] as number) * (m0.X[j * n + i] as number);
  const ustar = new Float64Array(q);
  const eta = new Float64Array(n);
  const rng = new RandomStream(spec.seed);
  const link = family.link;
  let fallbacks0 = r0.fallbacks;
  return {
    width: LRT_WIDTH,
    run(index, out, offset) {
      rng.reset(index);
      for (let i = 0; i < q; i++) ustar[i] = rng.nextNormal();
      eta.set(fixed);
      addZLambdaU(m0, m0.theta, ustar, eta);
      // A fresh buffer per replicate: the refits' data hold on to it.
      const y = new Float64Array(n);
      for (let i = 0; i < n; i++) y[i] = family.draw(link.inverse(eta[i] as number), m0.pw[i] as number, rng);
      const d0 = r0.refit(r0.data(y));
      // The alternative starts at the null's optimum when the null sits inside it (same criterion value d0, and
      // under the null hypothesis close to the alternative's optimum), else at its own estimates.
      const from = embed && r0.fallbacks === fallbacks0 ? embedded(r0.solution as Float64Array) : undefined;
      fallbacks0 = r0.fallbacks;
      const d1 = r1.refit(r1.data(y), from);
      writeLrtRecord(out, offset, d0, d1, r0.converged && r1.converged);
    },
    dispose() {
      r0.dispose();
      r1.dispose();
    },
  };
}
