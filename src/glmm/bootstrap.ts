/**
 * Parametric bootstrap of the likelihood-ratio test of two nested GLMMs (pbkrtest's PBmodcomp for glmer fits):
 * replicate k simulates a response from the null model with its own counter-based stream (RandomStream(seed,
 * k)), refits both models to it (no Hessian: only the likelihoods are needed) and records 2(ℓ₁ − ℓ₀). Same seed,
 * same numbers, whatever order the replicates run in. Failed refits are counted and reported, not hidden.
 *
 * This runs in the calling thread; the LMM bootstrap's worker pool (src/inference/bootstrap.ts) is not wired to
 * GLMMs yet.
 */
import { SpruceError } from "../errors.js";
import { createEngine } from "../fit/wasm-engine.js";
import { RandomStream } from "../random/stream.js";
import { fitGlmmData, type GlmmEngines } from "./fit-glmm.js";
import type { GeneralizedLinearMixedModel } from "./model.js";
import { type GlmmData, logNormaliserOf } from "./pirls.js";

export interface GlmmBootstrapResult {
  observed: number;
  df: number;
  /** (1 + #{T* ≥ T}) / (1 + B), pbkrtest's PBtest. */
  pBootstrap: number;
  /** Replicates that succeeded. */
  valid: number;
  /** One statistic per replicate (NaN where a refit failed). */
  stats: Float64Array;
  failures: { count: number; messages: string[] };
  elapsedMs: number;
}

async function enginesFor(d: GlmmData): Promise<GlmmEngines> {
  const ones = new Float64Array(d.n).fill(1);
  return {
    joint: await createEngine({
      n: d.n,
      p: d.p,
      y: new Float64Array(d.n),
      X: d.X,
      terms: d.terms,
      weights: ones,
    }),
    uOnly: await createEngine({
      n: d.n,
      p: 0,
      y: new Float64Array(d.n),
      X: new Float64Array(0),
      terms: d.terms,
      weights: ones,
    }),
  };
}

export async function glmmBootstrapLRT(
  m0: GeneralizedLinearMixedModel,
  m1: GeneralizedLinearMixedModel,
  options: { nsim: number; seed: number },
): Promise<GlmmBootstrapResult> {
  const [small, big] = m0.npar <= m1.npar ? [m0, m1] : [m1, m0];
  if (small.nobs !== big.nobs || small.design.rows.some((r, i) => r !== big.design.rows[i]))
    throw new SpruceError("bootstrap: the models were not fitted to the same observations");
  if (small.family.name !== big.family.name || small.family.link.name !== big.family.link.name)
    throw new SpruceError("bootstrap: the models have different families or links");
  if (!Number.isSafeInteger(options.nsim) || options.nsim < 1)
    throw new SpruceError("bootstrap: nsim must be an integer ≥ 1");
  const t0 = performance.now();
  const observed = 2 * Math.max(0, big.logLik() - small.logLik());
  const e0 = await enginesFor(small.data);
  const e1 = await enginesFor(big.data);
  const stats = new Float64Array(options.nsim).fill(Number.NaN);
  const messages: string[] = [];
  const rng = new RandomStream(options.seed);
  const fixed = small.predict(undefined, { random: false });
  try {
    for (let k = 0; k < options.nsim; k++) {
      rng.reset(k);
      const y = small.drawResponse(rng, fixed);
      try {
        const ll = [small, big].map((m, j) => {
          const d: GlmmData = { ...m.data, y, logNormaliser: logNormaliserOf(m.family, y, m.data.pw) };
          // Refits start from the fitted θ, as lme4's refit does.
          return (
            -fitGlmmData(d, j === 0 ? e0 : e1, m.nAGQ, { hessian: false, startTheta: m.theta }).objective / 2
          );
        });
        stats[k] = 2 * Math.max(0, (ll[1] as number) - (ll[0] as number));
      } catch (e) {
        if (messages.length < 10) messages.push(`replicate ${k + 1}: ${(e as Error).message}`);
      }
    }
  } finally {
    for (const e of [e0, e1]) {
      e.joint.dispose();
      e.uOnly.dispose();
    }
  }
  let valid = 0;
  let atLeast = 0;
  for (const t of stats)
    if (Number.isFinite(t)) {
      valid++;
      if (t >= observed) atLeast++;
    }
  return {
    observed,
    df: big.npar - small.npar,
    pBootstrap: (1 + atLeast) / (1 + valid),
    valid,
    stats,
    failures: { count: options.nsim - valid, messages },
    elapsedMs: performance.now() - t0,
  };
}
