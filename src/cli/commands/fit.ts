import type { Command } from "commander";
import type { ContrastKind } from "../../design/model-matrix.js";
import type { OrderedLevels } from "../../design/ordered.js";
import { SpruceError } from "../../errors.js";
import { fitMixed as fitLmm } from "../../fit/fit.js";
import type { LinearMixedModel } from "../../fit/model.js";
import { analyzeFormula } from "../../formula/model.js";
import { readCsv } from "../../frame/csv.js";
import { fitLinearModel } from "../../lm/fit.js";
import { lmJson, lmSummaryText } from "../../lm/report.js";
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
  /** `f=contr.sum,g=contr.helmert`: contrasts per factor (R's contrasts = list(...)). */
  contrasts?: string;
  /** `dose=low,mid,high` or `dose` (repeatable): ordered factors (src/design/ordered.ts). */
  ordered?: string[];
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
  const contrasts = parseContrasts(options.contrasts);
  const ordered = parseOrdered(options.ordered);
  const model = await fitLmm(formula, data, {
    REML: !options.ml,
    ...(options.weights === undefined ? {} : { weights: options.weights }),
    ...(contrasts ? { contrasts } : {}),
    ...(ordered ? { ordered } : {}),
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
    )
    .option(
      "--contrasts <list>",
      "contrasts per factor, e.g. treat=contr.sum,plate=contr.helmert (contr.treatment, contr.sum, contr.helmert, contr.poly)",
    )
    .option(
      "--ordered <column[=levels]>",
      "an ordered factor (contr.poly: .L, .Q, .C), e.g. dose=low,mid,high (levels in order) or dose (sorted levels); repeat for more columns",
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
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
    if (analyzeFormula(formula, { columns: [] }).random.length === 0) {
      runLinearFit(dataPath, formula, options);
      return;
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

/**
 * A formula without random-effects terms: R's lm (src/lm/). The mixed-model extensions (diagnostics, intervals)
 * do not apply and are refused by name; --ml changes nothing (least squares is the ML fit).
 */
function runLinearFit(dataPath: string, formula: string, options: FitCommandOptions): void {
  const refused = Object.keys(options).filter(
    (k) =>
      k !== "ml" &&
      k !== "json" &&
      k !== "contrasts" &&
      k !== "ordered" &&
      options[k] !== undefined &&
      options[k] !== false,
  );
  if (refused.length > 0)
    throw new SpruceError(
      `--${refused[0]} applies to mixed models only; the formula has no random-effects term (fitted as lm)`,
    );
  const data = readCsv(dataPath);
  const t0 = performance.now();
  const contrasts = parseContrasts(options.contrasts);
  const ordered = parseOrdered(options.ordered);
  const model = fitLinearModel(formula, data, {
    ...(contrasts ? { contrasts } : {}),
    ...(ordered ? { ordered } : {}),
  });
  const elapsedMs = performance.now() - t0;
  if (options.json) {
    for (const m of model.messages) process.stderr.write(`${m}\n`);
    process.stdout.write(`${JSON.stringify({ ...lmJson(model), elapsedMs }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${lmSummaryText(model, dataPath)}\n`);
}

const CONTRAST_KINDS = ["contr.treatment", "contr.sum", "contr.helmert", "contr.poly"] as const;

/** `treat=contr.sum,plate=contr.helmert` → { treat: "contr.sum", plate: "contr.helmert" }. */
export function parseContrasts(text: string | undefined): Record<string, ContrastKind> | undefined {
  if (text === undefined) return undefined;
  const out: Record<string, ContrastKind> = {};
  for (const part of text.split(",")) {
    const eq = part.lastIndexOf("=");
    const name = part.slice(0, eq).trim();
    const kind = part.slice(eq + 1).trim();
    if (eq <= 0 || !name)
      throw new SpruceError(`--contrasts: expected factor=contr.kind, got "${part}" (e.g. treat=contr.sum)`);
    if (!(CONTRAST_KINDS as readonly string[]).includes(kind))
      throw new SpruceError(
        `--contrasts: unknown contrasts "${kind}" for ${name} (known: ${CONTRAST_KINDS.join(", ")})`,
      );
    out[name] = kind as ContrastKind;
  }
  return out;
}

/** `--ordered dose=low,mid,high --ordered size` → { dose: ["low", "mid", "high"], size: true }. */
export function parseOrdered(specs: readonly string[] | undefined): OrderedLevels | undefined {
  if (specs === undefined || specs.length === 0) return undefined;
  const out: OrderedLevels = {};
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    const name = (eq < 0 ? spec : spec.slice(0, eq)).trim();
    if (!name) throw new SpruceError(`--ordered: expected column or column=level1,level2,..., got "${spec}"`);
    if (name in out) throw new SpruceError(`--ordered: '${name}' is given twice`);
    if (eq < 0) {
      out[name] = true;
      continue;
    }
    const levels = spec
      .slice(eq + 1)
      .split(",")
      .map((l) => l.trim());
    if (levels.some((l) => l === ""))
      throw new SpruceError(`--ordered: an empty level in "${spec}" (e.g. dose=low,mid,high)`);
    out[name] = levels;
  }
  return out;
}
