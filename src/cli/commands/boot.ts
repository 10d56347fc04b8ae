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
import { type BootstrapLrtResult, bootstrapLRT, bootstrapLrtJson } from "../../inference/bootstrap.js";
import { defaultWorkerCount } from "../../parallel/node.js";
import { createProgress } from "../progress.js";

export interface BootCommandOptions {
  nsim: string;
  seed?: string;
  workers?: string;
  rng?: string;
  rSeedPerReplicate?: string;
  ml?: boolean;
  json?: boolean;
}

export function integerOption(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (!Number.isSafeInteger(x) || x < min)
    throw new SpruceError(`--${name} must be an integer ≥ ${min}, got "${value}"`);
  return x;
}

/** Run the bootstrap with a progress bar (terminal only) and Ctrl-C as a clean stop. */
export async function runBootstrap(
  m0: LinearMixedModel,
  m1: LinearMixedModel,
  options: { nsim: number; seed?: number; workers: number; rng?: "philox" | "r"; rSeedPerReplicate?: number },
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
      ...(options.rng !== undefined ? { rng: options.rng } : {}),
      ...(options.rSeedPerReplicate !== undefined ? { rSeedPerReplicate: options.rSeedPerReplicate } : {}),
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
    `  p (bootstrap)          ${fmtP(r.pBootstrap)}   (1 + #{T* >= T}) / (1 + B), B = ${r.valid}`,
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
    .option(
      "--json",
      "print { observed, nsim, pChisq, pBootstrap, pExceed, stats, failures, workers, elapsedMs } as JSON",
    )
    .action(async (dataPath: string, f0: string, f1: string, options: BootCommandOptions) => {
      const nsim = integerOption("nsim", options.nsim, 1) as number;
      const rng = options.rng;
      if (rng !== undefined && rng !== "philox" && rng !== "r")
        throw new SpruceError(`--rng must be "philox" or "r", got "${rng}"`);
      // R's set.seed takes negative integers too.
      const seed = integerOption("seed", options.seed, rng === "r" ? -2147483647 : 0);
      const rSeedPerReplicate = integerOption("r-seed-per-replicate", options.rSeedPerReplicate, -2147483647);
      const workers = integerOption("workers", options.workers, 0) ?? defaultWorkerCount();
      const data = readCsv(dataPath);
      const m0 = await fitModel(f0, data, { REML: !options.ml });
      const m1 = await fitModel(f1, data, { REML: !options.ml });
      const result = await runBootstrap(m0, m1, {
        nsim,
        ...(seed !== undefined ? { seed } : {}),
        workers,
        ...(rng !== undefined ? { rng } : {}),
        ...(rSeedPerReplicate !== undefined ? { rSeedPerReplicate } : {}),
      });
      if (options.json) {
        for (const m of result.messages) process.stderr.write(`${m}\n`);
        process.stdout.write(`${JSON.stringify(bootstrapLrtJson(result))}\n`);
        return;
      }
      process.stdout.write(`${formatBootstrap(result)}\n`);
    });
}
