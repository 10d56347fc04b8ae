/**
 * The likelihood-ratio bootstrap in shards (see ./shard.ts for the cut and the file): `bootstrapLrtShard` runs the
 * replicates of one shard; `mergeLrtShards` checks shards against each other and hands their replicates to the
 * same report function as the one-machine `bootstrapLRT` (./bootstrap.ts's lrtResult), so the merged `stats` and
 * p-values are those of the one-machine run, bit for bit.
 */
import { SpruceError } from "../errors.js";
import { glmmJobDescription, isGlmm, prepareGlmmLrt } from "../glmm/lrt-spec.js";
import type { GeneralizedLinearMixedModel } from "../glmm/model.js";
import type { PoolResult } from "../parallel/pool.js";
import { checkSeed, randomSeed } from "../random/stream.js";
import {
  type BootstrapLrtResult,
  type BootstrapRunOptions,
  lrtResult,
  prepareLrt,
  runJob,
} from "./bootstrap.js";
import { designHash } from "./data-hash.js";
import type { FittedModel } from "./models.js";
import { LRT_WIDTH } from "./replicates.js";
import {
  type CombinedShards,
  decodeNumber,
  formatRanges,
  type ShardFile,
  type ShardSelection,
  shardHeader,
  shardRange,
  shardReplicates,
} from "./shard.js";
import { checkNsim } from "./simulate.js";

export const LRT_SHARD_KIND = "boot-lrt";

export interface LrtShardOptions extends BootstrapRunOptions {
  /** Which shard to run (0-based index, count); default the whole run as one shard (0/1). */
  shard?: ShardSelection;
  /** What the models were (for the header: shards of other models are refused). Default: the designs' formulas. */
  formulas?: [string, string];
}

/** Run shard k/K of the likelihood-ratio bootstrap of m0 within m1 (replicates of the whole run's numbering). */
export async function bootstrapLrtShard(
  m0: FittedModel | GeneralizedLinearMixedModel,
  m1: FittedModel | GeneralizedLinearMixedModel,
  options: LrtShardOptions = {},
): Promise<ShardFile> {
  const t0 = performance.now();
  // Shard files record spruce's own (Philox) streams; R's generator is one sequential stream per seed.
  if ((options.rng !== undefined && options.rng !== "philox") || options.rSeedPerReplicate !== undefined)
    throw new SpruceError(
      'bootstrapLrtShard: rng "r" (R-compatible draws) cannot be sharded yet: run it on one machine',
    );
  const nsim = checkNsim(options.nsim ?? 1000);
  const seed = options.seed === undefined ? randomSeed() : checkSeed(options.seed);
  const range = shardRange(options.shard ?? { index: 0, count: 1 }, nsim);
  // Two GLMMs: the "glmm-lrt" job, and the family, link and nAGQ in the job description (so that shards of an LMM
  // and of a GLMM bootstrap, or of two families, never merge).
  const glmm = isGlmm(m0) || isGlmm(m1);
  const prepared = glmm
    ? prepareGlmmLrt(m0, m1, seed)
    : prepareLrt(m0 as FittedModel, m1 as FittedModel, seed);
  const count = range.end - range.first;
  const run =
    count > 0
      ? await runJob(prepared.spec, count, options, range.first)
      : { values: new Float64Array(0), status: new Uint8Array(0), failures: [], workers: 0, restarts: 0 };
  const [f0, f1] = options.formulas ?? [m0.design.formula, m1.design.formula];
  const job =
    prepared.spec.kind === "glmm-lrt"
      ? { null: f0, alt: f1, REML: [false, false], ...glmmJobDescription(prepared.spec) }
      : {
          null: f0,
          alt: f1,
          // How the models were fitted before the ML refits (REML fits are refitted by ML, as in the one-machine run).
          REML: [(m0 as FittedModel).REML, (m1 as FittedModel).REML],
        };
  const fitted = { observed: prepared.observed, df: prepared.df, refitted: prepared.refitted };
  const dataHash = await designHash(
    "hashBuffers" in prepared
      ? prepared.hashBuffers
      : [prepared.spec.null.buffers, prepared.spec.alt.buffers],
  );
  return {
    ...shardHeader(LRT_SHARD_KIND, seed, nsim, LRT_WIDTH, dataHash, job, fitted),
    shard: range,
    replicates: shardReplicates(range, LRT_WIDTH, run),
    workers: run.workers,
    restarts: run.restarts,
    elapsedMs: performance.now() - t0,
  };
}

/** The merge's account of the shards: what was missing or given twice. */
export interface MergeInfo {
  /** Missing replicates as inclusive index ranges. */
  missing: [number, number][];
  /** Replicates given by several shards with identical results (kept once). */
  duplicates: number;
}

/** A PoolResult-shaped view of combined shards, for the report functions. */
export function combinedAsRun(c: CombinedShards): PoolResult {
  return {
    width: c.header.width,
    values: c.values,
    status: c.status,
    failures: c.failures,
    partial: c.completed < c.header.nsim,
    completed: c.completed,
    workers: c.workers,
    restarts: c.restarts,
  };
}

/** An error naming the missing replicates (unless `allowPartial`). */
export function checkComplete(c: CombinedShards, allowPartial: boolean): void {
  if (c.missing.length === 0 || allowPartial) return;
  const n = c.missing.reduce((s, [a, b]) => s + b - a + 1, 0);
  throw new SpruceError(
    `merge: ${n} of ${c.header.nsim} replicates are missing: indices ${formatRanges(c.missing)} ` +
      "(run the shards that hold them, or pass --partial to report the rest)",
  );
}

/**
 * The one-machine result of merged likelihood-ratio shards. `elapsedMs`, `workers` and `restarts` are the sums
 * over the shards (they describe the runs, not the result); everything else is what `bootstrapLRT` gives.
 */
export function mergeLrtShards(
  c: CombinedShards,
  allowPartial = false,
): BootstrapLrtResult & { merge: MergeInfo } {
  if (c.header.kind !== LRT_SHARD_KIND)
    throw new SpruceError(
      `merge: these are "${c.header.kind}" shards, not likelihood-ratio bootstrap shards`,
    );
  checkComplete(c, allowPartial);
  const fitted = c.header.fitted;
  const prepared = {
    spec: { seed: c.header.seed },
    observed: decodeNumber(fitted.observed, "shard fitted.observed"),
    df: decodeNumber(fitted.df, "shard fitted.df"),
    refitted: fitted.refitted === true,
  };
  const result = lrtResult(prepared, combinedAsRun(c), c.header.nsim, c.elapsedMs);
  if (c.missing.length > 0)
    result.messages.push(`missing replicates (not in any shard): ${formatRanges(c.missing)}`);
  return { ...result, merge: { missing: c.missing, duplicates: c.duplicates } };
}
