/**
 * `spruce fit --ddf satterthwaite|kenward-roger`: lmerTest's t tests of the fixed effects as an extension of the fit
 * command. With --json the fit's object gains `df: {name: ν}`, `p: {name: Pr(>|t|)}` and `ddfMethod`; without,
 * the summary is lmerTest's: the fixed effects gain df and Pr(>|t|) columns.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import type { LinearMixedModel } from "../../fit/model.js";
import { coefTable, parseDdfMethod } from "../../inference/ddf/index.js";
import type { FitCommandOptions, FitExtension } from "./fit.js";

interface Options extends FitCommandOptions {
  ddf?: string;
}

export const DDF_CHOICES = ["satterthwaite", "kenward-roger"];

/** --ddf satterthwaite|kenward-roger (any case; lmerTest's spellings and "kr" are accepted too). */
export function ddfOption(): Option {
  return new Option(
    "--ddf <method>",
    `denominator degrees of freedom for t and F tests: ${DDF_CHOICES.join(" or ")} (Kenward-Roger: REML fits only)`,
  ).argParser((value: string) => {
    try {
      return parseDdfMethod(value);
    } catch {
      throw new InvalidArgumentError(`use ${DDF_CHOICES.join(" or ")}`);
    }
  });
}

function named(names: readonly string[], values: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  names.forEach((n, i) => {
    out[n] = values[i] as number;
  });
  return out;
}

export const ddfFitExtension: FitExtension = {
  configure(command: Command): void {
    command.addOption(ddfOption());
  },
  json(model: LinearMixedModel, options: Options): Record<string, unknown> {
    if (!options.ddf) return {};
    const t = coefTable(model, parseDdfMethod(options.ddf));
    return { ddfMethod: t.method, df: named(t.names, t.df), p: named(t.names, t.p) };
  },
  summaryOptions(options: Options) {
    return options.ddf ? { ddf: parseDdfMethod(options.ddf) } : {};
  },
};
