/**
 * `spruce boot DATA.csv "F0" "F1" --nsim 1000 --seed S --workers N [--json]`: the parametric bootstrap of the
 * likelihood-ratio test (pbkrtest's PBmodcomp for lme4 fits), on every core. Ctrl-C stops the run and reports
 * the replicates done so far (marked partial).
 */
import type { Command } from "commander";
import { SpruceError } from "../../errors.js";
import { fitMixed as fitModel } from "../../fit/fit.js";
import type { LinearMixedModel } from "../../fit/model.js";
import { readCsv } from "../../frame/csv.js";
import type { GeneralizedLinearMixedModel } from "../../glmm/model.js";
import {
  type BootstrapLrtResult,
  bootstrapLRT,
  bootstrapLrtJson,
  GLMM_R_RNG_UNAVAILABLE,
  NO_REPLICATES,
  startRunWorkers,
} from "../../inference/bootstrap.js";
import { defaultWorkerCount } from "../../parallel/node.js";
import type { WorkerPool } from "../../parallel/pool.js";
import { checkNsimLimit, MAX_NSIM_DEFAULT } from "../../validate/limits.js";
import { adoptEarlyWorkers } from "../early-workers.js";
import { MAX_FILE_FLAG, readOptions } from "../fit-flags.js";
import { createProgress } from "../progress.js";
import { runBootShard } from "./boot-shard.js";
import { glmmPairFitter, wantsGlmm } from "./fit-glmm.js";

export interface BootCommandOptions {
  family?: string;
  link?: string;
  nAGQ?: string;
  weights?: string;
  nsim: string;
  seed?: string;
  workers?: string;
  rng?: string;
  rSeedPerReplicate?: string;
  ml?: boolean;
  json?: boolean;
  shard?: string;
  shards?: string;
  out?: string;
  maxNsim?: string;
  forceWorkers?: boolean;
  dropNan?: boolean;
  maxFileMb?: string;
}

export function integerOption(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  // The whole value must be an integer: Number("") is 0 and Number("0x10") is 16.
  const x = /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(x) || x < min)
    throw new SpruceError(`--${name} must be an integer ≥ ${min}, got "${value}"`);
  return x;
}

/** Run the bootstrap with a progress bar (terminal only) and Ctrl-C as a clean stop. */
export async function runBootstrap(
  m0: LinearMixedModel | GeneralizedLinearMixedModel,
  m1: LinearMixedModel | GeneralizedLinearMixedModel,
  options: {
    nsim: number;
    seed?: number;
    workers: number;
    maxNsim?: number;
    forceWorkers?: boolean;
    rng?: "philox" | "r";
    rSeedPerReplicate?: number;
    /** Workers started ahead (while the models were fitted). */
    pool?: WorkerPool;
  },
): Promise<BootstrapLrtResult> {
  const progress = createProgress("bootstrap");
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once("SIGINT", onSigint);
  try {
    return await bootstrapLRT(m0, m1, {
      nsim: options.nsim,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      workers: options.workers,
      ...(options.maxNsim !== undefined ? { maxNsim: options.maxNsim } : {}),
      ...(options.forceWorkers ? { forceWorkers: true } : {}),
      ...(options.rng !== undefined ? { rng: options.rng } : {}),
      ...(options.rSeedPerReplicate !== undefined ? { rSeedPerReplicate: options.rSeedPerReplicate } : {}),
      ...(options.pool ? { pool: options.pool } : {}),
      signal: controller.signal,
      onProgress: (done, total) => progress.update(done, total),
    });
  } finally {
    progress.stop();
    process.removeListener("SIGINT", onSigint);
  }
}

function fmtP(p: number): string {
  if (p === 0) return "0";
  return p < 1e-4 ? p.toExponential(3) : p.toPrecision(4);
}

/** Where the random numbers came from, in words. */
function randomness(r: BootstrapLrtResult): string {
  if (!r.rStream) return `seed ${r.seed}`;
  if (r.rStream.scheme === "perReplicate")
    return `R's generator, set.seed(${r.rStream.multiplier} * i) for replicate i`;
  return `R's generator, set.seed(${r.rStream.seed}); simulate(m0, ${r.rStream.nsim})`;
}

/** The result for a person. */
export function formatBootstrap(r: BootstrapLrtResult): string {
  const lines = [
    ...r.messages,
    `Parametric bootstrap of the likelihood-ratio test (${r.completed} of ${r.nsim} replicates${r.partial ? ", stopped early" : ""}, ${randomness(r)})`,
    `  observed LRT  ${r.observed.toFixed(4)} on ${r.df} df`,
    `  p (chi-square)         ${fmtP(r.pChisq)}`,
    r.valid > 0
      ? `  p (bootstrap)          ${fmtP(r.pBootstrap)}   (1 + #{T* >= T}) / (1 + B), B = ${r.valid}`
      : `  p (bootstrap)          none: ${NO_REPLICATES}`,
    `  share of T* > T        ${fmtP(r.pExceed)}`,
    `  failed replicates      ${r.failures.count}${r.failures.count ? ` (indices ${r.failures.indices.slice(0, 10).join(", ")}${r.failures.count > 10 ? ", ..." : ""})` : ""}`,
    `  ${(r.elapsedMs / 1000).toFixed(2)} s on ${r.workers} worker${r.workers === 1 ? "" : "s"}`,
  ];
  return lines.join("\n");
}

export function registerBoot(program: Command): void {
  program
    .command("boot")
    .description("parametric bootstrap of the likelihood-ratio test of two nested models, on all cores")
    .argument("<data>", "CSV file with a header row")
    .argument("<null>", "formula of the smaller (null) model")
    .argument("<alt>", "formula of the larger model")
    .option("--nsim <n>", "number of bootstrap replicates", "1000")
    .option("--seed <s>", "seed of the random streams (default: random, reported)")
    .option("--workers <n>", "number of worker threads (default: all cores; 0: no workers)")
    .option(
      "--rng <kind>",
      'random numbers: "philox" (spruce\'s streams, default) or "r" (R\'s Mersenne-Twister in lme4\'s simulate() order: --seed S is set.seed(S); simulate(m0, nsim))',
    )
    .option(
      "--r-seed-per-replicate <K>",
      "with --rng r: set.seed(K * i) before replicate i, as the loop for (i in 1:nsim) { set.seed(K*i); simulate(m0) }",
    )
    .option("--ml", "fit the models by maximum likelihood directly (they are refitted with ML anyway)")
    .option("--max-nsim <n>", `largest --nsim accepted (default ${MAX_NSIM_DEFAULT})`)
    .option("--force-workers", "start --workers threads even when that is more than the cores")
    .option(
      "--drop-nan",
      "drop rows where a transform such as log(x) gives NaN (default: an error naming the term)",
    )
    .option(...MAX_FILE_FLAG)
    .option(
      "--json",
      "print { observed, nsim, pChisq, pBootstrap, pExceed, stats, failures, workers, elapsedMs } as JSON",
    )
    .option(
      "--shard <k/K|auto>",
      "run only shard k of K (0-based k; replicates floor(k·N/K)…floor((k+1)·N/K)−1) and write a shard file for `spruce merge`; auto: from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX",
    )
    .option(
      "--shards <K>",
      "number of shards for --shard auto (required for Kubernetes' JOB_COMPLETION_INDEX)",
    )
    .option(
      "--out <file>",
      "write the shard file here (default: standard output); without --shard, one shard 0/1",
    )
    .option("--family <name>", "bootstrap two GLMMs (binomial or poisson), as glmer fits")
    .option("--link <name>", "link of the family")
    .option("--nAGQ <n>", "GLMM quadrature points (default 1, Laplace)")
    .option("--weights <column>", "GLMM prior weights (binomial trials)")
    .action(async (dataPath: string, f0: string, f1: string, options: BootCommandOptions) => {
      const nsim = integerOption("nsim", options.nsim, 1) as number;
      const rng = options.rng;
      if (rng !== undefined && rng !== "philox" && rng !== "r")
        throw new SpruceError(`--rng must be "philox" or "r", got "${rng}"`);
      // R's set.seed takes negative integers too.
      const seed = integerOption("seed", options.seed, rng === "r" ? -2147483647 : 0);
      const rSeedPerReplicate = integerOption("r-seed-per-replicate", options.rSeedPerReplicate, -2147483647);
      const glmm = wantsGlmm(options);
      if (glmm && (rng === "r" || rSeedPerReplicate !== undefined))
        throw new SpruceError(GLMM_R_RNG_UNAVAILABLE);
      if (!glmm && options.weights !== undefined)
        throw new SpruceError("--weights is only supported with --family here");
      // GLMMs: the same bootstrap (workers, shards, output) with glmer fits of the two models.
      const fitGlmms = glmm ? glmmPairFitter(f0, f1, options) : null;
      const workers = integerOption("workers", options.workers, 0) ?? defaultWorkerCount();
      const maxNsim = integerOption("max-nsim", options.maxNsim, 1);
      // Refused before the data are read and the models fitted.
      checkNsimLimit("boot", nsim, maxNsim);
      if (options.shard !== undefined || options.out !== undefined || options.shards !== undefined) {
        // Shard files record spruce's own (Philox) streams; R's generator is one sequential stream per seed.
        if (rng === "r" || rSeedPerReplicate !== undefined)
          throw new SpruceError(
            "--rng r and --r-seed-per-replicate cannot be sharded yet: run them on one machine",
          );
        await runBootShard(dataPath, [f0, f1], {
          ...options,
          nsim,
          seed,
          workers,
          ...(fitGlmms ? { fitModels: fitGlmms } : {}),
        });
        return;
      }
      // The workers start first: they load their code and warm up while this thread reads the data and fits (the
      // `spruce` entry may have started them already, before this command's modules loaded: ../early-workers.ts).
      const adopted = adoptEarlyWorkers();
      const early = await startRunWorkers({
        workers,
        ...(options.forceWorkers ? { forceWorkers: true } : {}),
        ...(adopted ? { pool: adopted } : {}),
      });
      let result: BootstrapLrtResult;
      try {
        const data = readCsv(dataPath, readOptions(options));
        const fitOptions = { REML: !options.ml, ...(options.dropNan ? { dropNaN: true } : {}) };
        const [m0, m1] = fitGlmms
          ? await fitGlmms(data)
          : [await fitModel(f0, data, fitOptions), await fitModel(f1, data, fitOptions)];
        result = await runBootstrap(m0, m1, {
          nsim,
          ...(seed !== undefined ? { seed } : {}),
          workers,
          ...(maxNsim !== undefined ? { maxNsim } : {}),
          ...(options.forceWorkers ? { forceWorkers: true } : {}),
          ...(rng !== undefined ? { rng } : {}),
          ...(rSeedPerReplicate !== undefined ? { rSeedPerReplicate } : {}),
          ...(early.pool ? { pool: early.pool } : {}),
        });
      } finally {
        early.close();
        adopted?.close();
      }
      // No replicate, no test: the run says so and the exit status is not success.
      if (result.valid === 0) process.exitCode = 3;
      if (options.json) {
        for (const m of result.messages) process.stderr.write(`${m}\n`);
        process.stdout.write(`${JSON.stringify(bootstrapLrtJson(result))}\n`);
        return;
      }
      process.stdout.write(`${formatBootstrap(result)}\n`);
    });
}
