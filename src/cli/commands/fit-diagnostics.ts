/**
 * `spruce fit --diagnostics --confint METHOD`: the diagnostics and intervals as an extension of the fit command
 * (src/cli/commands/fit.ts's FitExtension). With --json they become fields in the extras layout (hatvalues,
 * cooksDistance, pearsonResiduals, scaledResiduals, ranefCondVar, profileCI / bootCI, waldCI); without, short
 * tables after the summary.
 */

import { type Command, Option } from "commander";
import { hatvalues } from "../../diagnostics/hat.js";
import { diagnosticsJson } from "../../diagnostics/json.js";
import { cooksDistance, residuals } from "../../diagnostics/residuals.js";
import { DataError } from "../../errors.js";
import type { LinearMixedModel } from "../../fit/model.js";
import { type ConfintMethod, confint, confintJson } from "../../inference/confint.js";
import { maxOf, minOf } from "../../util/extremes.js";
import type { FitCommandOptions, FitExtension } from "./fit.js";

interface Options extends FitCommandOptions {
  diagnostics?: boolean;
  confint?: ConfintMethod;
  level?: string;
  nsim?: string;
  seed?: string;
}

function numberOption(value: string | undefined, name: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (!Number.isFinite(x) || (integer && !Number.isInteger(x)))
    throw new DataError(`--${name} must be ${integer ? "an integer" : "a number"}, got "${value}"`);
  return x;
}

/** --level needs --confint, and --nsim/--seed need --confint boot: otherwise they would be silently ignored. */
function checkConfintFlags(o: Options): void {
  if (o.level !== undefined && !o.confint)
    throw new DataError(
      "--level applies to --confint: add --confint profile, wald or boot (or drop --level)",
    );
  for (const flag of ["nsim", "seed"] as const)
    if (o[flag] !== undefined && o.confint !== "boot")
      throw new DataError(
        `--${flag} applies to --confint boot only${o.confint ? ` (not --confint ${o.confint})` : ""}: add --confint boot or drop --${flag}`,
      );
}

function confintOptions(o: Options) {
  return {
    level: numberOption(o.level, "level", false),
    nsim: numberOption(o.nsim, "nsim", true),
    seed: numberOption(o.seed, "seed", true),
  };
}

export const diagnosticsFitExtension: FitExtension = {
  configure(command: Command) {
    command
      .option("--diagnostics", "add hat values, Cook's distances, residuals and conditional variances")
      .addOption(
        new Option("--confint <method>", "add confidence intervals (lme4's confint)").choices([
          "profile",
          "wald",
          "boot",
        ]),
      )
      .option("--level <p>", "confidence level for --confint (default 0.95)")
      .option("--nsim <n>", "bootstrap replicates for --confint boot (default 500)")
      .option("--seed <n>", "seed for --confint boot");
  },
  check(options: FitCommandOptions) {
    checkConfintFlags(options as Options);
  },
  async json(model: LinearMixedModel, options: FitCommandOptions) {
    const o = options as Options;
    const out: Record<string, unknown> = {};
    if (o.diagnostics) Object.assign(out, diagnosticsJson(model));
    if (o.confint) {
      const opts = confintOptions(o);
      if (o.confint !== "wald") Object.assign(out, await confintJson(model, o.confint, opts));
      Object.assign(out, await confintJson(model, "wald", { level: opts.level }));
    }
    return out;
  },
  async text(model: LinearMixedModel, options: FitCommandOptions) {
    const o = options as Options;
    const parts: string[] = [];
    if (o.diagnostics) parts.push(diagnosticsText(model));
    if (o.confint) {
      const opts = confintOptions(o);
      const t = await confint(model, { ...opts, method: o.confint });
      const level = opts.level ?? 0.95;
      const lo = `${(((1 - level) / 2) * 100).toPrecision(3)} %`;
      const hi = `${(((1 + level) / 2) * 100).toPrecision(3)} %`;
      const w = maxOf(t.names.map((n) => n.length));
      const fmt = (x: number) => (Number.isFinite(x) ? x.toPrecision(6) : "NA").padStart(12);
      parts.push(
        [
          `Confidence intervals (${o.confint}):`,
          `${"".padEnd(w)} ${lo.padStart(12)} ${hi.padStart(12)}`,
          ...t.names.map(
            (n, k) => `${n.padEnd(w)} ${fmt(t.lower[k] as number)} ${fmt(t.upper[k] as number)}`,
          ),
        ].join("\n"),
      );
    }
    return parts.join("\n\n");
  },
};

function diagnosticsText(model: LinearMixedModel): string {
  const h = hatvalues(model);
  const d = cooksDistance(model);
  const r = residuals(model, { scaled: true });
  const finite = Array.from(d).filter(Number.isFinite);
  const cut = (3 * finite.reduce((a, b) => a + b, 0)) / Math.max(1, finite.length);
  const flagged = Array.from(d, (v, i) => ({ v, i })).filter((x) => x.v > cut);
  flagged.sort((a, b) => b.v - a.v);
  return [
    "Diagnostics:",
    `  leverage (hat values): min ${minOf(h).toPrecision(4)}, max ${maxOf(h).toPrecision(4)}, sum ${h.reduce((a, b) => a + b, 0).toPrecision(5)}`,
    `  scaled residuals: min ${minOf(r).toPrecision(4)}, max ${maxOf(r).toPrecision(4)}`,
    `  Cook's distance above 3 x mean (${cut.toPrecision(3)}): ${
      flagged.length
        ? flagged
            .slice(0, 20)
            .map((x) => `row ${(model.design.rows[x.i] as number) + 1} (${x.v.toPrecision(3)})`)
            .join(", ")
        : "none"
    }` + (flagged.length > 20 ? ` and ${flagged.length - 20} more (--json lists every distance)` : ""),
  ].join("\n");
}
