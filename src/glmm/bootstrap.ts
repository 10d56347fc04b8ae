/**
 * Parametric bootstrap of the likelihood-ratio test of two nested GLMMs (pbkrtest's PBmodcomp for glmer fits).
 *
 * `glmmBootstrapLRT` is kept for callers of its first version; it is `bootstrapLRT` (src/inference/bootstrap.ts)
 * on two GLMMs, which runs the "glmm-lrt" job (./lrt-job.ts) on the worker pool: replicate k simulates a response
 * from the null model with its own counter-based stream (seed, k), refits both models to it and records
 * 2(ℓ₁ − ℓ₀). Same seed, same numbers, for any number of workers or shards. Failed refits are counted and reported.
 * Unlike `bootstrapLRT`, whose default is every core, this one runs on the calling thread unless `workers` says
 * otherwise (what it always did).
 */
import { type BootstrapLrtResult, type BootstrapRunOptions, bootstrapLRT } from "../inference/bootstrap.js";
import type { GeneralizedLinearMixedModel } from "./model.js";

/** The result of `bootstrapLRT` (observed, df, pBootstrap, valid, stats, failures, elapsedMs, …). */
export type GlmmBootstrapResult = BootstrapLrtResult;

export async function glmmBootstrapLRT(
  m0: GeneralizedLinearMixedModel,
  m1: GeneralizedLinearMixedModel,
  options: BootstrapRunOptions & { nsim: number; seed: number },
): Promise<GlmmBootstrapResult> {
  return bootstrapLRT(m0, m1, { workers: 0, ...options });
}
