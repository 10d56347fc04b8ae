/**
 * What a GLMM likelihood-ratio bootstrap knows before its replicates run: the checks that the two glmer fits can
 * be compared, the observed statistic 2(ℓ₁ − ℓ₀) and the "glmm-lrt" job (./lrt-job.ts) the pool's workers run.
 * The LMM bootstrap (src/inference/bootstrap.ts) runs this job on the same workers and reports it with the same
 * function, so `bootstrapLRT` on two GLMMs gives the LMM's result fields, seeds and guarantees.
 */

import type { DesignBuffers } from "../design/types.js";
import { ModelError, SpruceError } from "../errors.js";
import { checkNested, lrtRoundingTolerance } from "../inference/nesting.js";
import type { GlmmLrtJobSpec, GlmmModelSpec } from "../parallel/protocol.js";
import { GeneralizedLinearMixedModel } from "./model.js";

/** True for a fitted GLMM (glmer fit). */
export function isGlmm(model: unknown): model is GeneralizedLinearMixedModel {
  return model instanceof GeneralizedLinearMixedModel;
}

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** The model's buffers and estimates, as a worker needs them. */
export function glmmModelSpec(m: GeneralizedLinearMixedModel): GlmmModelSpec {
  const d = m.data;
  return {
    n: d.n,
    p: d.p,
    X: d.X,
    terms: d.terms,
    pw: d.pw,
    offset: d.offset,
    theta: Float64Array.from(m.theta),
    beta: Float64Array.from(m.beta),
    ...(m.result.hessian && m.nAGQ > 0 ? { hessian: Float64Array.from(m.result.hessian) } : {}),
  };
}

/**
 * The null model's parameters inside the alternative's (GlmmLrtJobSpec.embed), or null when the null is not
 * simply the alternative with fixed-effects columns removed: the random-effects terms must be identical (a θ set
 * to 0 would be a stationary point the refit could not leave) and each null X column equal to an alternative one.
 */
export function embedding(m0: GlmmModelSpec, m1: GlmmModelSpec): Int32Array | null {
  if (m0.n !== m1.n || m0.terms.length !== m1.terms.length) return null;
  for (const [i, t] of m0.terms.entries()) {
    const u = m1.terms[i] as GlmmModelSpec["terms"][number];
    if (t.nlevels !== u.nlevels || t.p !== u.p || !sameValues(t.refs, u.refs) || !sameValues(t.z, u.z))
      return null;
  }
  const nTheta = m0.theta.length;
  const map = new Int32Array(nTheta + m1.p).fill(-1);
  for (let i = 0; i < nTheta; i++) map[i] = i;
  const n = m0.n;
  for (let j = 0; j < m0.p; j++) {
    const column = m0.X.subarray(j * n, (j + 1) * n);
    let found = -1;
    for (let k = 0; k < m1.p && found < 0; k++)
      if (map[nTheta + k] === -1 && sameValues(column, m1.X.subarray(k * n, (k + 1) * n))) found = k;
    if (found < 0) return null;
    map[nTheta + found] = nTheta + j;
  }
  return map;
}

export interface PreparedGlmmLrt {
  spec: GlmmLrtJobSpec;
  observed: number;
  df: number;
  /** Always false: glmer fits are maximum-likelihood fits (kept for the LMM report's shape). */
  refitted: false;
  /** The numbers a shard's data hash covers (see glmmHashBuffers). */
  hashBuffers: DesignBuffers[];
}

/**
 * Check that m0 and m1 are GLMMs fitted to the same observations with the same family, link, nAGQ, prior weights
 * and offsets, nested (the smaller one within the larger), and build the job with `seed`.
 */
export function prepareGlmmLrt(m0: unknown, m1: unknown, seed: number): PreparedGlmmLrt {
  if (!isGlmm(m0) || !isGlmm(m1))
    throw new SpruceError(
      "bootstrapLRT: give two GLMMs (fit with a family) or two linear mixed models, not one of each",
    );
  const [small, big] = m0.npar <= m1.npar ? [m0, m1] : [m1, m0];
  if (small.nobs !== big.nobs || small.design.rows.some((r, i) => r !== big.design.rows[i]))
    throw new SpruceError(
      "bootstrapLRT: the models were not fitted to the same observations (rows with missing values?)",
    );
  if (!sameValues(small.data.y, big.data.y) || !sameValues(small.data.pw, big.data.pw))
    throw new SpruceError("bootstrapLRT: the models have different responses or prior weights");
  if (!sameValues(small.data.offset, big.data.offset))
    throw new SpruceError("bootstrapLRT: the models have different offsets");
  if (small.family.name !== big.family.name || small.family.link.name !== big.family.link.name)
    throw new SpruceError(
      `bootstrapLRT: the models have different families or links (${small.family.name}/${small.family.link.name}, ${big.family.name}/${big.family.link.name})`,
    );
  if (small.nAGQ !== big.nAGQ)
    throw new SpruceError(
      `bootstrapLRT: the models were fitted with different nAGQ (${small.nAGQ}, ${big.nAGQ}); refit them alike`,
    );
  const df = big.npar - small.npar;
  if (df === 0)
    throw new SpruceError(
      "bootstrapLRT: the two models have the same number of parameters, so neither is nested in the other",
    );
  checkNested(small.design, big.design, "bootstrapLRT");
  const raw = small.objective - big.objective;
  if (raw < -lrtRoundingTolerance(small.objective))
    throw new ModelError(
      `bootstrapLRT: the larger model fits worse than the smaller one (observed LRT ${raw.toFixed(4)} < 0): ` +
        "its fit did not reach the optimum, so there is no test to calibrate",
    );
  const nullSpec = { ...glmmModelSpec(small), y: small.data.y };
  const altSpec = glmmModelSpec(big);
  const embed = embedding(nullSpec, altSpec);
  const spec: GlmmLrtJobSpec = {
    kind: "glmm-lrt",
    seed,
    family: small.family.name,
    link: small.family.link.name,
    nAGQ: small.nAGQ,
    null: nullSpec,
    alt: altSpec,
    ...(embed ? { embed } : {}),
  };
  return {
    spec,
    observed: Math.max(0, raw),
    df,
    refitted: false,
    hashBuffers: glmmHashBuffers(spec, small.data.y),
  };
}

/**
 * The buffers a shard's data hash covers (src/inference/data-hash.ts): each model's response, X and random-effects
 * terms, then the prior weights and offset (as the response and single column of a third, term-free buffer set).
 */
function glmmHashBuffers(spec: GlmmLrtJobSpec, y: Float64Array): DesignBuffers[] {
  const model = (m: GlmmModelSpec): DesignBuffers => ({ n: m.n, p: m.p, y, X: m.X, terms: m.terms });
  return [
    model(spec.null),
    model(spec.alt),
    { n: spec.null.n, p: 1, y: spec.null.pw, X: spec.null.offset, terms: [] },
  ];
}

/** What identifies a GLMM bootstrap in a shard header (besides the data): the family and quadrature. */
export function glmmJobDescription(spec: GlmmLrtJobSpec): Record<string, unknown> {
  return { family: spec.family, link: spec.link, nAGQ: spec.nAGQ };
}
