/**
 * `spruce power DATA.csv "FORMULA" --test TERM --effect VALUE [--along GROUP --sizes 10,20,40] [--nsim N]
 * [--alpha 0.05] [--method lrt|satterthwaite-when-available] [--seed S] [--workers N] [--ml] [--json]
 * [--plot OUT.svg] [--shard k/K|auto [--shards K] --out FILE]`: power by simulation (src/inference/power.ts).
 * With --shard/--out it writes a shard file instead, and `spruce merge` prints this command's report.
 */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { DataError, SpruceError } from "../../errors.js";
import { readCsv } from "../../frame/csv.js";
import { type PowerMethod, type PowerOptions, type PowerResult, powerJson } from "../../inference/power.js";
import { mergePowerShards, powerShard, powerSimulation } from "../../inference/power-run.js";
import type { CombinedShards } from "../../inference/shard.js";
import { defaultWorkerCount } from "../../parallel/node.js";
import { powerCurveSvg } from "../../plot/power-curve.js";
import { createProgress } from "../progress.js";
import { requireSeed, selectShard, writeShard } from "./shard-io.js";

interface PowerCommandOptions {
  test: string;
  effect: string;
  along?: string;
  sizes?: string;
  nsim: string;
  alpha: string;
  method: string;
  seed?: string;
  workers?: string;
  ml?: boolean;
  json?: boolean;
  plot?: string;
  shard?: string;
  shards?: string;
  out?: string;
}

function numberOption(name: string, value: string): number {
  const x = Number(value);
  if (value.trim() === "" || !Number.isFinite(x))
    throw new SpruceError(`--${name} must be a number, got "${value}"`);
  return x;
}

function intOption(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (!Number.isSafeInteger(x) || x < min)
    throw new SpruceError(`--${name} must be an integer ≥ ${min}, got "${value}"`);
  return x;
}

function parseSizes(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  return text.split(",").map((s) => {
    const x = Number(s.trim());
    if (s.trim() === "" || !Number.isSafeInteger(x))
      throw new SpruceError(
        `--sizes must be a comma-separated list of integers (e.g. 10,20,40), got "${text}"`,
      );
    return x;
  });
}

function fmt(x: number, digits = 3): string {
  return Number.isFinite(x) ? x.toFixed(digits) : "NA";
}

/** The result for a person. */
export function formatPower(r: PowerResult): string {
  const along = r.along ?? "";
  const head = r.along ? `levels of ${along}` : "size";
  const rows = r.points.map((p) =>
    [
      (p.size === null ? "observed" : String(p.size)).padStart(head.length),
      String(p.nobs).padStart(6),
      fmt(p.power).padStart(6),
      `[${fmt(p.lower)}, ${fmt(p.upper)}]`.padStart(16),
      `${p.rejections}/${p.valid}`.padStart(11),
      String(p.failures.count).padStart(7),
    ].join("  "),
  );
  return [
    ...r.messages,
    `Power by simulation: ${r.test} = ${r.effect} in ${r.formula}`,
    `  likelihood-ratio test (χ²₁) at α = ${r.alpha}, ${r.nsim} replicates per size, seed ${r.seed}${r.partial ? ", stopped early" : ""}`,
    `  ${head}    nobs   power    95% interval   rejections   failed`,
    ...rows.map((row) => `  ${row}`),
    `  ${(r.elapsedMs / 1000).toFixed(2)} s on ${r.workers} worker${r.workers === 1 ? "" : "s"}`,
  ].join("\n");
}

/** The power curve as SVG (for --plot and `spruce plot --power`). */
export function powerPlotSvg(r: PowerResult): string {
  const bySize = r.along !== null;
  return powerCurveSvg({
    x: r.points.map((p) => (bySize ? (p.size as number) : p.nobs)),
    power: r.points.map((p) => p.power),
    lower: r.points.map((p) => p.lower),
    upper: r.points.map((p) => p.upper),
    alpha: r.alpha,
    xLabel: bySize ? `Levels of ${r.along}` : "Observations",
    title: `Power for ${r.test} = ${r.effect} (${r.nsim} simulations per point)`,
  });
}

function writePlot(r: PowerResult, path: string | undefined): void {
  if (path === undefined) return;
  try {
    writeFileSync(path, powerPlotSvg(r));
  } catch (error) {
    throw new DataError(`cannot write the plot ${path}: ${(error as Error).message}`);
  }
  process.stderr.write(`power curve written to ${path}\n`);
}

/** Print a power result as the command does (JSON or text, plus the optional plot). */
function printPower(r: PowerResult, options: { json?: boolean; plot?: string }): void {
  writePlot(r, options.plot);
  if (options.json) {
    for (const m of r.messages) process.stderr.write(`${m}\n`);
    process.stdout.write(`${JSON.stringify(powerJson(r))}\n`);
    return;
  }
  process.stdout.write(`${formatPower(r)}\n`);
}

/** `spruce merge` on power shards: this command's report. */
export function printMergedPower(c: CombinedShards, options: { json?: boolean; partial?: boolean }): void {
  printPower(mergePowerShards(c, options.partial === true), options);
}

export function registerPower(program: Command): void {
  program
    .command("power")
    .description("power of a fixed-effect test by simulation (simr's powerSim/powerCurve), on all cores")
    .argument("<data>", "CSV file with a header row")
    .argument("<formula>", 'the model, e.g. "y ~ treat + (1|g)"')
    .requiredOption("--test <term>", "fixed-effect coefficient to test (lme4's name, e.g. treatozone)")
    .requiredOption("--effect <value>", "assumed value of that coefficient in the simulations")
    .option("--along <group>", "grouping factor whose number of levels varies (simr's extend along)")
    .option("--sizes <list>", "numbers of levels of --along, comma-separated (e.g. 10,20,40)")
    .option("--nsim <n>", "simulations per size", "1000")
    .option("--alpha <a>", "level of the test", "0.05")
    .option("--method <m>", "lrt, or satterthwaite-when-available (falls back to lrt, saying so)", "lrt")
    .option("--seed <s>", "seed of the random streams (default: random, reported)")
    .option("--workers <n>", "number of worker threads (default: all cores; 0: no workers)")
    .option(
      "--ml",
      "fit the model by maximum likelihood (default REML, as lme4); the simulation uses that fit",
    )
    .option("--json", "print { points: [{ size, nobs, power, lower, upper, … }], … } as JSON")
    .option("--plot <file.svg>", "also write the power curve as SVG")
    .option(
      "--shard <k/K|auto>",
      "run only shard k of K (0-based) of the nsim × sizes replicates; see spruce boot",
    )
    .option("--shards <K>", "number of shards for --shard auto")
    .option("--out <file>", "write the shard file here (default: standard output)")
    .action(async (dataPath: string, formula: string, o: PowerCommandOptions) => {
      const seed = intOption("seed", o.seed, 0);
      const sizes = parseSizes(o.sizes);
      const options: PowerOptions = {
        test: o.test,
        effect: numberOption("effect", o.effect),
        ...(o.along !== undefined ? { along: o.along } : {}),
        ...(sizes !== undefined ? { sizes } : {}),
        nsim: intOption("nsim", o.nsim, 1) as number,
        alpha: numberOption("alpha", o.alpha),
        method: o.method as PowerMethod,
        ...(seed !== undefined ? { seed } : {}),
        workers: intOption("workers", o.workers, 0) ?? defaultWorkerCount(),
        REML: !o.ml,
      };
      const data = readCsv(dataPath);
      if (o.shard !== undefined || o.out !== undefined || o.shards !== undefined) {
        if (o.plot !== undefined)
          throw new SpruceError("--plot draws the merged curve: give it to spruce merge … --plot");
        if (o.json)
          throw new SpruceError(
            "--json does not apply to a shard (the shard file is JSON); spruce merge --json prints the result",
          );
        const shard = selectShard(o.shard, o.shards);
        requireSeed(shard, seed);
        writeShard(await powerShard(formula, data, { ...options, shard }), o.out);
        return;
      }
      const progress = createProgress("power");
      const controller = new AbortController();
      const onSigint = (): void => controller.abort();
      process.once("SIGINT", onSigint);
      let result: PowerResult;
      try {
        result = await powerSimulation(formula, data, {
          ...options,
          signal: controller.signal,
          onProgress: (done, total) => progress.update(done, total),
        });
      } finally {
        progress.stop();
        process.removeListener("SIGINT", onSigint);
      }
      printPower(result, o);
    });
}
