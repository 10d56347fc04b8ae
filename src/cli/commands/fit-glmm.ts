/**
 * `spruce fit DATA "F" --family binomial [--link probit] [--nAGQ 9] [--weights COL] [--json]`: a GLMM as lme4's
 * glmer. The JSON has `spruce fit --json`'s field names (logLik, fixef, se, varcorr, nobs, ngrps, theta, singular)
 * plus family, link, nAGQ and deviance (R's deviance(m): the conditional GLM deviance; −2 logLik is `objective`).
 */

import { chiSquareUpper } from "../../distributions/chisq.js";
import { ModelError } from "../../errors.js";
import { readCsv } from "../../frame/csv.js";
import { glmmBootstrapLRT } from "../../glmm/bootstrap.js";
import { fitGlmm } from "../../glmm/fit.js";
import { glmmJson, glmmSummaryText } from "../../glmm/report.js";

export interface GlmmCommandOptions {
  family?: string;
  link?: string;
  nAGQ?: string;
  weights?: string;
  json?: boolean;
  ml?: boolean;
  [option: string]: unknown;
}

/** True when the command line asks for a GLMM (a family other than gaussian). */
export function wantsGlmm(options: { family?: string; link?: string; nAGQ?: string }): boolean {
  if (options.family === undefined || options.family === "gaussian") {
    if (options.link !== undefined || options.nAGQ !== undefined)
      throw new ModelError("--link and --nAGQ need --family binomial or --family poisson");
    return false;
  }
  return true;
}

/** Parse --nAGQ as a whole number. */
export function parseNAGQ(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isInteger(v) || v < 0) throw new ModelError(`--nAGQ must be a whole number ≥ 0, got '${text}'`);
  return v;
}

/** Fit and print (summary or JSON); `extensionOptions` are LMM-only options that were given (an error here). */
export async function runGlmmCommand(
  dataPath: string,
  formula: string,
  options: GlmmCommandOptions,
  extensionOptions: string[],
): Promise<void> {
  if (options.ml)
    throw new ModelError("--ml does not apply to GLMMs (glmer always fits by maximum likelihood)");
  if (extensionOptions.length > 0)
    throw new ModelError(
      `${extensionOptions.join(", ")} ${extensionOptions.length === 1 ? "is" : "are"} not available with --family yet`,
    );
  const data = readCsv(dataPath);
  const t0 = performance.now();
  const nAGQ = parseNAGQ(options.nAGQ);
  const model = await fitGlmm(formula, data, {
    family: options.family as string,
    ...(options.link !== undefined ? { link: options.link } : {}),
    ...(nAGQ !== undefined ? { nAGQ } : {}),
    ...(options.weights !== undefined ? { weights: options.weights } : {}),
  });
  const elapsedMs = performance.now() - t0;
  if (options.json) {
    for (const m of model.messages) process.stderr.write(`${m}\n`);
    const json = glmmJson(model);
    const unboxed = {
      ...json,
      elapsedMs,
      theta: json.theta.length === 1 ? json.theta[0] : json.theta,
      thetaNames: json.thetaNames.length === 1 ? json.thetaNames[0] : json.thetaNames,
    };
    process.stdout.write(`${JSON.stringify(unboxed, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${glmmSummaryText(model, { dataName: dataPath })}\n`);
}

/** `spruce boot … --family`: the GLMM parametric bootstrap LRT (in this thread; workers not wired yet). */
export async function runGlmmBoot(
  dataPath: string,
  f0: string,
  f1: string,
  options: GlmmCommandOptions & { nsim: number; seed: number; workersGiven: boolean },
): Promise<void> {
  if (options.ml)
    throw new ModelError("--ml does not apply to GLMMs (glmer always fits by maximum likelihood)");
  if (options.workersGiven)
    throw new ModelError(
      "--workers is not supported with --family yet: the GLMM bootstrap runs in one thread",
    );
  const data = readCsv(dataPath);
  const nAGQ = parseNAGQ(options.nAGQ);
  const fitOne = (f: string) =>
    fitGlmm(f, data, {
      family: options.family as string,
      ...(options.link !== undefined ? { link: options.link } : {}),
      ...(nAGQ !== undefined ? { nAGQ } : {}),
      ...(options.weights !== undefined ? { weights: options.weights } : {}),
    });
  const m0 = await fitOne(f0);
  const m1 = await fitOne(f1);
  const r = await glmmBootstrapLRT(m0, m1, { nsim: options.nsim, seed: options.seed });
  const pChisq = r.df > 0 ? chiSquareUpper(r.observed, r.df) : Number.NaN;
  if (options.json) {
    const stats = Array.from(r.stats, (t) => (Number.isFinite(t) ? t : null));
    process.stdout.write(
      `${JSON.stringify({ observed: r.observed, df: r.df, nsim: options.nsim, seed: options.seed, pChisq, pBootstrap: r.pBootstrap, valid: r.valid, stats, failures: r.failures, workers: 0, elapsedMs: r.elapsedMs })}\n`,
    );
    return;
  }
  process.stdout.write(
    [
      `Parametric bootstrap of the likelihood-ratio test of two GLMMs (${options.nsim} replicates, seed ${options.seed})`,
      `  observed LRT  ${r.observed.toFixed(4)} on ${r.df} df`,
      `  p (chi-square)         ${pChisq.toPrecision(4)}`,
      `  p (bootstrap)          ${r.pBootstrap.toPrecision(4)}   (1 + #{T* >= T}) / (1 + B), B = ${r.valid}`,
      `  failed replicates      ${r.failures.count}${r.failures.messages.length ? ` (${r.failures.messages[0]})` : ""}`,
      `  ${(r.elapsedMs / 1000).toFixed(2)} s in one thread`,
    ].join("\n") + "\n",
  );
}
