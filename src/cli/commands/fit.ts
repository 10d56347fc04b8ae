import type { Command } from "commander";
import { fit as fitLmm } from "../../fit/fit.js";
import type { LinearMixedModel } from "../../fit/model.js";
import { readCsv } from "../../frame/csv.js";
import { type FitJson, fitJson, unboxLikeJsonlite } from "../../report/json.js";
import type { SummaryOptions } from "../../report/summary.js";
import { addFitFlags, type FitFlags, fitFlagOptions, readOptions } from "../fit-flags.js";
import { runGlmmCommand, wantsGlmm } from "./fit-glmm.js";

/**
 * `spruce fit DATA.csv "FORMULA" [--ml] [--weights COL] [--json]`: fit as lme4's lmer (REML unless --ml) and print lme4's
 * summary, or the fit as JSON with the reference fits' field names.
 */

export interface FitCommandOptions {
  ml?: boolean;
  json?: boolean;
  /** Name of the prior-weights column (lme4's `weights =`). */
  weights?: string;
  /** Options added by extensions (e.g. --diagnostics, --confint) arrive here too. */
  [option: string]: unknown;
}

/**
 * What another module adds to `spruce fit` (diagnostics, confidence intervals): its options, extra JSON fields
 * merged into the fit's object, and text printed after the summary. Pass extensions to registerFit.
 */
export interface FitExtension {
  /** Add options to the command (`command.option("--diagnostics", "...")`). */
  configure(command: Command): void;
  /** Fields merged into the JSON object (after the fit's own fields). */
  json?(
    model: LinearMixedModel,
    options: FitCommandOptions,
  ): Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Options for the summary itself (without --json), e.g. lmerTest's df and p-value columns. */
  summaryOptions?(options: FitCommandOptions): Partial<SummaryOptions>;
  /** Checks the flags before anything is read or fitted (flags that would otherwise be ignored are errors). */
  check?(options: FitCommandOptions): void;
  /** Text printed after the summary (without --json); empty string for nothing. */
  text?(model: LinearMixedModel, options: FitCommandOptions): string | Promise<string>;
}

/** Read the CSV and fit; elapsedMs covers the whole fit (design, kernels, optimisation), not the CSV read. */
export async function runFit(
  dataPath: string,
  formula: string,
  options: FitCommandOptions,
): Promise<{ model: LinearMixedModel; elapsedMs: number }> {
  const data = readCsv(dataPath, readOptions(options as FitFlags));
  const t0 = performance.now();
  const progress = fitProgress();
  const model = await fitLmm(formula, data, {
    REML: !options.ml,
    ...(options.weights === undefined ? {} : { weights: options.weights }),
    ...fitFlagOptions(options as FitFlags),
    ...(progress ? { onProgress: progress.update } : {}),
  }).finally(() => progress?.stop());
  return { model, elapsedMs: performance.now() - t0 };
}

/**
 * A progress line on stderr for fits that take more than a second (terminal only): the evaluations so far and the
 * objective, at most five times a second, erased when the fit ends.
 */
function fitProgress(): { update: (k: number, f: number) => void; stop: () => void } | null {
  if (!process.stderr.isTTY) return null;
  const t0 = performance.now();
  let last = 0;
  let shown = false;
  return {
    update(k, f) {
      const now = performance.now();
      if (now - t0 < 1000 || now - last < 200) return;
      last = now;
      shown = true;
      process.stderr.write(
        `\rfitting: ${k} evaluations, objective ${f.toFixed(4)}, ${((now - t0) / 1000).toFixed(1)} s  `,
      );
    },
    stop() {
      if (shown) process.stderr.write("\r\x1b[K");
    },
  };
}

/** The JSON object `spruce fit --json` prints: the fit's fields, then each extension's. */
export async function fitCommandJson(
  model: LinearMixedModel,
  elapsedMs: number,
  options: FitCommandOptions,
  extensions: readonly FitExtension[] = [],
): Promise<FitJson & Record<string, unknown>> {
  const out: FitJson & Record<string, unknown> = { ...fitJson(model), elapsedMs };
  for (const ext of extensions) if (ext.json) Object.assign(out, await ext.json(model, options));
  return out;
}

export function registerFit(program: Command, extensions: readonly FitExtension[] = []): void {
  const command = program
    .command("fit")
    .description("fit a linear mixed model (REML by default, as lme4) and print its summary")
    .argument("<data>", "CSV file with a header row (NA or empty cells are missing)")
    .argument("<formula>", 'lme4 formula, e.g. "Reaction ~ Days + (Days | Subject)"')
    .option("--ml", "maximum likelihood instead of REML")
    .option("--weights <column>", "prior weights from a numeric column (lme4's weights =)")
    .option("--json", "print the fit as JSON (lme4's names: fixef, se, varcorr, ranef, ...)")
    .option(
      "--family <name>",
      "GLMM family as lme4's glmer: binomial or poisson (gaussian: a linear mixed model)",
    )
    .option("--link <name>", "link of the family (binomial: logit, probit, cloglog; poisson: log)")
    .option(
      "--nAGQ <n>",
      "GLMM quadrature points: 1 Laplace (default), 0, or > 1 (one scalar random-effects term)",
    );
  addFitFlags(command);
  const builtIn = new Set(["ml", "weights", "json", "family", "link", "nAGQ"]);
  for (const ext of extensions) ext.configure(command);
  command.action(async (dataPath: string, formula: string, options: FitCommandOptions) => {
    for (const ext of extensions) ext.check?.(options);
    if (wantsGlmm(options as { family?: string; link?: string; nAGQ?: string })) {
      const extra = Object.keys(options).filter(
        (k) => !builtIn.has(k) && options[k] !== undefined && options[k] !== false,
      );
      return runGlmmCommand(
        dataPath,
        formula,
        options as { family: string },
        extra.map((k) => `--${k}`),
      );
    }
    const { model, elapsedMs } = await runFit(dataPath, formula, options);
    if (options.json) {
      // Messages (rank deficiency, singular fit, convergence) go to stderr so stdout stays pure JSON.
      for (const m of model.messages) process.stderr.write(`${m}\n`);
      const json = unboxLikeJsonlite(await fitCommandJson(model, elapsedMs, options, extensions));
      process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      return;
    }
    const summaryOptions: SummaryOptions = { dataName: dataPath };
    for (const ext of extensions)
      if (ext.summaryOptions) Object.assign(summaryOptions, ext.summaryOptions(options));
    let text = model.summary(summaryOptions);
    for (const ext of extensions) {
      const extra = ext.text ? await ext.text(model, options) : "";
      if (extra) text += `\n\n${extra.replace(/\n$/, "")}`;
    }
    process.stdout.write(`${text}\n`);
  });
}
