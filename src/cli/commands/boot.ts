/**
 * `spruce boot DATA.csv "F0" "F1" --nsim 1000 --seed S --workers N [--json]`: the parametric bootstrap of the
 * likelihood-ratio test (pbkrtest's PBmodcomp for lme4 fits), on every core. Ctrl-C stops the run and reports
 * the replicates done so far (marked partial).
 */
import type { Command } from "commander";
import { SpruceError } from "../../errors.js";
import { fit as fitModel } from "../../fit/fit.js";
import type { LinearMixedModel } from "../../fit/model.js";
import { readCsv } from "../../frame/csv.js";
import { type BootstrapLrtResult, bootstrapLRT, bootstrapLrtJson } from "../../inference/bootstrap.js";
import { defaultWorkerCount } from "../../parallel/node.js";
import { randomSeed } from "../../random/stream.js";
import { createProgress } from "../progress.js";
import { runGlmmBoot, wantsGlmm } from "./fit-glmm.js";

export interface BootCommandOptions {
  family?: string;
  link?: string;
  nAGQ?: string;
  weights?: string;
  nsim: string;
  seed?: string;
  workers?: string;
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
  options: { nsim: number; seed?: number; workers: number },
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

/** The result for a person. */
export function formatBootstrap(r: BootstrapLrtResult): string {
  const lines = [
    ...r.messages,
    `Parametric bootstrap of the likelihood-ratio test (${r.completed} of ${r.nsim} replicates${r.partial ? ", stopped early" : ""}, seed ${r.seed})`,
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
    .option("--ml", "fit the models by maximum likelihood directly (they are refitted with ML anyway)")
    .option(
      "--json",
      "print { observed, nsim, pChisq, pBootstrap, pExceed, stats, failures, workers, elapsedMs } as JSON",
    )
    .option("--family <name>", "bootstrap two GLMMs (binomial or poisson), as glmer fits")
    .option("--link <name>", "link of the family")
    .option("--nAGQ <n>", "GLMM quadrature points (default 1, Laplace)")
    .option("--weights <column>", "GLMM prior weights (binomial trials)")
    .action(async (dataPath: string, f0: string, f1: string, options: BootCommandOptions) => {
      const nsim = integerOption("nsim", options.nsim, 1) as number;
      const seed = integerOption("seed", options.seed, 0);
      if (wantsGlmm(options))
        return runGlmmBoot(dataPath, f0, f1, {
          ...options,
          nsim,
          seed: seed ?? randomSeed(),
          workersGiven: options.workers !== undefined,
        });
      if (options.weights !== undefined)
        throw new SpruceError("--weights is only supported with --family here");
      const workers = integerOption("workers", options.workers, 0) ?? defaultWorkerCount();
      const data = readCsv(dataPath);
      const m0 = await fitModel(f0, data, { REML: !options.ml });
      const m1 = await fitModel(f1, data, { REML: !options.ml });
      const result = await runBootstrap(m0, m1, { nsim, ...(seed !== undefined ? { seed } : {}), workers });
      if (options.json) {
        for (const m of result.messages) process.stderr.write(`${m}\n`);
        process.stdout.write(`${JSON.stringify(bootstrapLrtJson(result))}\n`);
        return;
      }
      process.stdout.write(`${formatBootstrap(result)}\n`);
    });
}
